/**
 * One analysis of a network: elaboration (model + model diagnostics), then the cost
 * model's estimate and the diagnostics that depend on it (device fit, frame rate,
 * width converters, over-provisioned folds). Everything a client shows comes from here.
 */
import type { Network as NetworkAst } from '../language/generated/ast.js';
import { elaborate, type ElaborateOptions } from '../model/elaborate.js';
import type { Network, QnnDiagnostic } from '../model/types.js';
import { estimateNetwork, type Estimate } from '../cost/estimate.js';
import { costDiagnostics } from '../cost/checks.js';

export interface Analysis {
  network: Network;
  diagnostics: QnnDiagnostic[];
  /** Present when the network has a target and at least one engine. */
  estimate?: Estimate;
}

export function analyze(root: NetworkAst, opts: ElaborateOptions = {}): Analysis {
  const { network, diagnostics } = elaborate(root, opts);
  let estimate: Estimate | undefined;
  if (network.target && network.engines.length > 0) {
    estimate = estimateNetwork(network);
    diagnostics.push(...costDiagnostics(network, estimate));
  }
  return { network, diagnostics, estimate };
}
