/**
 * One analysis of a network: elaboration (model + model diagnostics), then the cost
 * model's estimate and the diagnostics that depend on it (device fit, frame rate,
 * width converters, over-provisioned folds). Everything a client shows comes from here.
 */
import { allocateMultipliers } from '../engines/mul-alloc.js';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import { elaborate, type ElaborateOptions } from '../model/elaborate.js';
import { autoFoldNetwork } from '../engines/auto-fold.js';
import type { Network, QnnDiagnostic } from '../model/types.js';
import { estimateNetwork, type Estimate } from '../cost/estimate.js';
import { costDiagnostics } from '../cost/checks.js';

export interface Analysis {
  network: Network;
  diagnostics: QnnDiagnostic[];
  /** Present when the network has a target and at least one engine. */
  estimate?: Estimate;
}

/** Code of the diagnostic that reports a bug in the analysis itself (never a user error). */
export const INTERNAL_ERROR = 'QNN999';

export interface AnalyzeOptions extends ElaborateOptions {
  /** Engine-steps the FIFO schedule may take now (cost/estimate.ts); default: no limit. */
  fifoBudgetSteps?: number;
}

export function analyze(root: NetworkAst, opts: AnalyzeOptions = {}): Analysis {
  try {
    return analyzeOrThrow(root, opts);
  } catch (e) {
    // A bug must not take the editor's diagnostics down: report it where the user sees it.
    const at = root.$cstNode?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const message = `internal error while analysing this network (${e instanceof Error ? e.message : String(e)}); please report it with this file`;
    return {
      network: { name: root.name ?? '', file: opts.file, layers: [], tests: [], engines: [], complete: false },
      diagnostics: [{ code: INTERNAL_ERROR, severity: 'error', message, range: { start: at.start, end: at.start } }],
    };
  }
}

function analyzeOrThrow(root: NetworkAst, opts: AnalyzeOptions): Analysis {
  const { network, diagnostics } = elaborate(root, opts);
  autoFoldNetwork(network);
  const allocation = allocateMultipliers(network);
  diagnostics.push(...allocation.diagnostics);
  let estimate: Estimate | undefined;
  if (network.target && network.engines.length > 0) {
    estimate = estimateNetwork(network, { fifoBudgetSteps: opts.fifoBudgetSteps, engineCosts: allocation.costs });
    diagnostics.push(...costDiagnostics(network, estimate));
  }
  return { network, diagnostics, estimate };
}

/**
 * The analysis' estimate with final FIFO depths: itself, or (when the editor left the
 * FIFO schedule pending) the estimate again with the whole schedule. What the compiler
 * and the FIFO check build from.
 */
export function finalEstimate(a: Analysis): Estimate | undefined {
  if (!a.estimate || a.estimate.fifo_depths === 'analysed') return a.estimate;
  return (a.estimate = estimateNetwork(a.network));
}
