/**
 * Elaboration: the AST of a `.qnn` file → the one network model (types.ts), with the
 * diagnostics of language.md §9 that the model itself can decide. Device and frame-rate
 * checks come from the cost model (cost/checks.ts), which reads the model built here.
 *
 * The passes live in elaborate/: consts and expressions, target, input and output, each
 * layer against the operator catalogue (operators.ts) — MVAU geometry, weights and
 * accumulators, max-pool, activations — its fold, the test blocks, then the checks of
 * the whole chain. Every layer is analysed, also after a layer with an error (which hands
 * on the shape and type its declaration gives), so one run reports every error.
 */
import type * as ast from '../language/generated/ast.js';
import { buildEngines } from './engines.js';
import type { Network, QnnDiagnostic } from './types.js';
import { Elab, type ElaborateOptions } from './elaborate/context.js';
import { constDecl } from './elaborate/expressions.js';
import { checkConstantActivations } from './elaborate/constant-output.js';
import { checkFusedFolds } from './elaborate/fold.js';
import { checkBranching, checkDuplicates, checkReachesOutput, checkRequiredMembers } from './elaborate/graph.js';
import { input, output } from './elaborate/input.js';
import { layer } from './elaborate/layer.js';
import { target } from './elaborate/target.js';
import { testBlock } from './elaborate/test-block.js';

export type { ElaborateOptions } from './elaborate/context.js';
export { MAX_ELEMENTS, MAX_INT_ARG } from './elaborate/context.js';
export { toMvauMatrix } from './elaborate/weights-acc.js';

export interface ElaborationResult {
  network: Network;
  diagnostics: QnnDiagnostic[];
}

export function elaborate(root: ast.Network, opts: ElaborateOptions = {}): ElaborationResult {
  const cx = new Elab(root, opts);
  const members = root.members ?? [];
  checkDuplicates(cx, members);
  for (const m of members) {
    switch (m.$type) {
      case 'Const':
        constDecl(cx, m);
        break;
      case 'Target':
        target(cx, m);
        break;
      case 'Input':
        input(cx, m);
        break;
      case 'Layer':
        layer(cx, m);
        break;
      case 'Output':
        output(cx, m);
        break;
      case 'Test':
        testBlock(cx, m);
        break;
    }
  }
  checkRequiredMembers(cx, members);
  checkBranching(cx);
  checkReachesOutput(cx);
  const net = cx.net;
  checkConstantActivations(cx, net.layers);
  // A network with any error is never complete: the compiler refuses it.
  if (!cx.incomplete && net.input && net.output && net.layers.length > 0) {
    net.complete = !cx.diags.some((d) => d.severity === 'error');
  }
  // Before fusion copies the MVAU's fold source onto its activation.
  const explicit = new Set(net.layers.filter((l) => l.foldSource === 'explicit').map((l) => l.name));
  net.engines = buildEngines(net);
  checkFusedFolds(cx, explicit);
  return { network: net, diagnostics: cx.diags };
}
