/**
 * Diagnostics of a document: Langium's syntax errors (as QNN001) plus everything the
 * analysis reports. Langium's own linking errors are dropped: the elaborator reports
 * unknown names as QNN010 with what is declared (type names and `same`/`valid` are
 * identifiers too, so a failed link is not an error by itself).
 */
import { DefaultDocumentValidator, DocumentValidator, type AstNode, type LangiumDocument, type ValidationOptions } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { CancellationToken } from 'vscode-jsonrpc';
import type { QnnCoreServices } from './qnn-module.js';
import type { Network as NetworkAst } from './generated/ast.js';
import type { QnnDiagnostic } from '../model/types.js';

const SEVERITY = { error: 1, warning: 2, info: 3, hint: 4 } as const;

export class QnnDocumentValidator extends DefaultDocumentValidator {
  private readonly qnn: QnnCoreServices;

  constructor(services: QnnCoreServices) {
    super(services);
    this.qnn = services;
  }

  override async validateDocument(
    document: LangiumDocument,
    options: ValidationOptions = {},
    cancelToken?: CancellationToken,
  ): Promise<Diagnostic[]> {
    const base = await super.validateDocument(document, { ...options, categories: ['built-in'] }, cancelToken);
    const out: Diagnostic[] = [];
    for (const d of base) {
      const code = (d.data as { code?: string } | undefined)?.code;
      if (code === DocumentValidator.LinkingError) continue;
      if (code === DocumentValidator.LexingError || code === DocumentValidator.ParsingError) {
        out.push({ ...d, code: 'QNN001', source: 'qnn', message: syntaxMessage(d.message) });
      } else out.push(d);
    }
    const analysis = this.qnn.analysis.AnalysisCache.get(document as LangiumDocument<NetworkAst>);
    for (const q of analysis.diagnostics) out.push(toLspDiagnostic(q));
    return out;
  }

  /** Unresolved names are the analysis's QNN010 (see above): no walk over the references. */
  protected override processLinkingErrors(): void {}

  /** No per-node checks are registered (the analysis checks the network): skip the AST walk. */
  protected override async validateAst(_root: AstNode, _options: ValidationOptions): Promise<[]> {
    return [];
  }
}

export function toLspDiagnostic(q: QnnDiagnostic): Diagnostic {
  return {
    range: q.range,
    severity: SEVERITY[q.severity],
    code: q.code,
    source: 'qnn',
    message: q.message,
    ...(q.data ? { data: q.data } : {}),
    ...(q.code === 'QNN012' ? { tags: [1] } : {}),
  };
}

/** Chevrotain's messages name token types; say it as a user would. */
function syntaxMessage(m: string): string {
  return `syntax error: ${m
    .replace(/--> (.*?) <--/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()}`;
}
