/**
 * The analysis of a document (network model + estimate + all model diagnostics),
 * computed once per document version and shared by diagnostics, hovers, inlay hints,
 * code actions and the `qnn/analysis` request.
 */
import type { LangiumDocument } from 'langium';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import { analyze, type Analysis } from './analyze.js';
import { CachedFileAccess } from './file-cache.js';

/**
 * Engine-steps of FIFO schedule an analysis may run at once (about 50 ms): longer ones
 * (CNV, 500-layer chains) are left pending, and the language server runs them when idle
 * (lsp/idle-fifo-schedule.ts). The CLI asks for the whole schedule.
 */
export const EDITOR_FIFO_BUDGET_STEPS = 1_000_000;

export interface AnalysisRequest {
  /** Engine-steps the FIFO schedule may take now; Infinity for the whole schedule (the CLI). */
  fifoBudgetSteps?: number;
}

export class AnalysisCache {
  private readonly cache = new WeakMap<LangiumDocument, { version: number; text: string; analysis: Analysis }>();
  readonly files = new CachedFileAccess();

  get(doc: LangiumDocument<NetworkAst>, req: AnalysisRequest = {}): Analysis {
    const budget = req.fifoBudgetSteps ?? EDITOR_FIFO_BUDGET_STEPS;
    const text = doc.textDocument.getText();
    const hit = this.cache.get(doc);
    if (
      hit &&
      hit.version === doc.textDocument.version &&
      hit.text === text &&
      this.files.unchangedSince(hit.analysis) &&
      !(hit.analysis.estimate?.fifo_depths === 'pending' && budget === Infinity)
    )
      return hit.analysis;
    const file = doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
    this.files.begin();
    const analysis = analyze(doc.parseResult.value, { file, files: this.files, fifoBudgetSteps: budget });
    this.files.end(analysis);
    this.cache.set(doc, { version: doc.textDocument.version, text, analysis });
    this.analysed(doc, analysis);
    return analysis;
  }

  /** Forgets a document's analysis (the next `get` analyses again). */
  invalidate(doc: LangiumDocument): void {
    this.cache.delete(doc);
  }

  /** Called after each new analysis (the language server schedules pending FIFO depths here). */
  protected analysed(_doc: LangiumDocument<NetworkAst>, _analysis: Analysis): void {}
}
