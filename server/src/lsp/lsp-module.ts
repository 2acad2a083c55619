/** Editor features of the language server (language.md §6–7), registered with Langium. */
import type { Module } from 'langium';
import type { PartialLangiumServices } from 'langium/lsp';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { QnnAddedServices } from '../language/qnn-module.js';
import { IdleScheduledAnalysisCache } from './idle-fifo-schedule.js';
import { QnnCodeActionProvider } from './code-actions.js';
import { QnnCodeLensProvider } from './code-lens.js';
import { QnnCompletionProvider } from './completion.js';
import { QnnFoldingRangeProvider } from './folding.js';
import { QnnFormatter } from './formatter.js';
import { QnnHoverProvider } from './hover.js';
import { QnnInlayHintProvider } from './inlay-hints.js';
import { QnnRenameProvider } from './rename.js';
import { QnnSemanticTokenProvider } from './semantic-tokens.js';
import { QnnDocumentSymbolProvider } from './symbols.js';

export const QnnLspModule: Module<QnnServices, PartialLangiumServices & Partial<QnnAddedServices>> = {
  references: {},
  analysis: {
    AnalysisCache: (services) => {
      const cache = new IdleScheduledAnalysisCache();
      cache.attach(services.shared);
      return cache;
    },
  },
  lsp: {
    CompletionProvider: (services) => new QnnCompletionProvider(services),
    HoverProvider: (services) => new QnnHoverProvider(services),
    RenameProvider: (services) => new QnnRenameProvider(services),
    DocumentSymbolProvider: (services) => new QnnDocumentSymbolProvider(services),
    FoldingRangeProvider: () => new QnnFoldingRangeProvider(),
    Formatter: () => new QnnFormatter(),
    SemanticTokenProvider: (services) => new QnnSemanticTokenProvider(services),
    InlayHintProvider: (services) => new QnnInlayHintProvider(services),
    CodeActionProvider: (services) => new QnnCodeActionProvider(services),
    CodeLensProvider: (services) => new QnnCodeLensProvider(services),
  },
};
