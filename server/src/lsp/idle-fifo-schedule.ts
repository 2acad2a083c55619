/**
 * FIFO depths that were too long to schedule on a keystroke (analysis-cache.ts
 * EDITOR_FIFO_BUDGET_STEPS) are scheduled once the document has been quiet for a moment:
 * the whole schedule runs (its result is cached by the hardware it depends on), the
 * document's analysis is dropped and the document validated again, so diagnostics,
 * hovers, the status bar and `qnn/analysis` all switch from "pending" to the final depths
 * together — never two answers side by side.
 */
import type { LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { AnalysisCache } from '../analysis/analysis-cache.js';
import type { Analysis } from '../analysis/analyze.js';
import type { Network as NetworkAst } from '../language/generated/ast.js';

/** Quiet time after the last analysis of a document before its pending schedule runs. */
export const IDLE_MS = 400;

export class IdleScheduledAnalysisCache extends AnalysisCache {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private shared?: LangiumSharedServices;

  /** The shared services (set once the server's services exist: DI builds this cache first). */
  attach(shared: LangiumSharedServices): void {
    this.shared = shared;
  }

  protected override analysed(doc: LangiumDocument<NetworkAst>, analysis: Analysis): void {
    const key = doc.uri.toString();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.delete(key);
    if (analysis.estimate?.fifo_depths !== 'pending' || !this.shared) return;
    const version = doc.textDocument.version;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (doc.textDocument.version !== version) return;
        // The whole schedule now (it fills the schedule cache), then a fresh analysis for everyone.
        this.get(doc, { fifoBudgetSteps: Infinity });
        void this.shared!.workspace.DocumentBuilder.update([doc.uri], []);
      }, IDLE_MS),
    );
  }
}
