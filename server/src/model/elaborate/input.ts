/**
 * The network's `input` and `output` members. An input whose type is wrong still hands
 * its shape on (with an uncertain type), so the layers are analysed.
 */
import type * as ast from '../../language/generated/ast.js';
import { nodeRange, propRange } from '../ranges.js';
import { product } from '../shape.js';
import type { QType } from '../types.js';
import { LayerAbort, MAX_ELEMENTS, type Elab } from './context.js';
import { evalInt, typeOf } from './expressions.js';

/** The stand-in type of an input whose declared type is wrong: any checks that need it are skipped. */
const UNKNOWN_INPUT_TYPE: QType = { kind: 'int', bits: 16 };

export function input(cx: Elab, i: ast.Input): void {
  if (!i.name) return;
  let type: QType | undefined;
  try {
    type = typeOf(cx, i.type, false, `input ${i.name}`);
  } catch (e) {
    if (!(e instanceof LayerAbort)) throw e;
  }
  let shape: number[];
  try {
    shape = i.dims.map((d, k) => evalInt(cx, d, `dimension ${k + 1} of ${i.name}`, 1));
  } catch (e) {
    if (!(e instanceof LayerAbort)) throw e;
    cx.incomplete = true;
    return;
  }
  if (shape.length < 1 || shape.length > 3) {
    cx.error('QNN020', `input ${i.name} has ${shape.length} dimensions: use [N] (flat), [L, C] (1-D) or [H, W, C] (2-D)`, nodeRange(i));
    return;
  }
  if (product(shape) > MAX_ELEMENTS) {
    cx.error('QNN020', `input ${i.name} has ${product(shape)} elements, above the largest supported frame (${MAX_ELEMENTS})`, nodeRange(i));
    return;
  }
  if (cx.net.input) {
    cx.error('QNN011', `a network has one input; '${cx.net.input.name}' is already declared`, propRange(i, 'name'));
    // Its consumers are still analysed, outside the model (they are not fed by the network's input).
    cx.declared.set(i.name, i);
    cx.produced.set(i.name, { shape, type: type ?? UNKNOWN_INPUT_TYPE, uncertain: true });
    return;
  }
  cx.declared.set(i.name, i);
  if (!type) {
    cx.incomplete = true;
    cx.produced.set(i.name, { shape, type: UNKNOWN_INPUT_TYPE, uncertain: true });
    return;
  }
  cx.net.input = { name: i.name, shape, type, range: propRange(i, 'name') };
  cx.produced.set(i.name, { shape, type, uncertain: false });
}

export function output(cx: Elab, o: ast.Output): void {
  const name = o.ref?.$refText;
  if (!name) return;
  if (!cx.declared.has(name)) {
    cx.error('QNN010', `unknown name '${name}' in output: ${cx.knownProducers()}`, propRange(o, 'ref'));
    return;
  }
  if (cx.net.output) {
    cx.error('QNN011', `a network has one output; 'output ${cx.net.output}' is already given`, nodeRange(o));
    return;
  }
  // Also when the layer has an error: the engines are then those after the last layer
  // with an error (the only ones whose stream is known), and the graph checks still walk
  // the whole chain.
  cx.net.output = name;
}
