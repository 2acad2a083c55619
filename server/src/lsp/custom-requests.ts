/**
 * Custom requests for the extension's webviews and status bar:
 * `qnn/analysis` { uri } → the same object as `qnn estimate --json` (null when the
 * document has no estimate yet), plus the diagnostics count.
 */
import { URI } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Connection } from 'vscode-languageserver';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { LangiumDocument } from 'langium';

export const ANALYSIS_REQUEST = 'qnn/analysis';

export function registerCustomRequests(connection: Connection, shared: LangiumSharedServices, qnn: QnnServices): void {
  connection.onRequest(ANALYSIS_REQUEST, async (params: { uri: string }) => {
    const uri = URI.parse(params.uri);
    const docs = shared.workspace.LangiumDocuments;
    // Wait until the document (if open) is built, so the answer matches what the editor shows.
    await shared.workspace.DocumentBuilder.waitUntil(2 /* DocumentState.IndexedContent */);
    const doc = docs.hasDocument(uri) ? (docs.getDocument(uri) as LangiumDocument<NetworkAst>) : undefined;
    if (!doc) return null;
    const analysis = qnn.analysis.AnalysisCache.get(doc);
    return analysis.estimate ?? null;
  });
}
