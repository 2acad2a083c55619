/** maxpool: the output shape ⌊(d − k)/s⌋ + 1 per spatial dimension; the type passes through. */
import { nodeRange, propRange } from '../ranges.js';
import type { PoolLayer } from '../types.js';
import { shapeText } from '../weights.js';
import { intArg } from './expressions.js';
import type { OpElaborator } from './layer.js';

export const pool: OpElaborator = (cx, l, spec, args, src, draft, ranges): PoolLayer => {
  const inShape = src.shape;
  const nd = inShape.length - 1;
  if (nd < 1 || nd > 2) {
    cx.abort('QNN020', `maxpool takes an [L, C] or [H, W, C] input; '${src.name}' is ${shapeText(inShape)}`, propRange(l, 'input'));
  }
  const kernelArg = args.need('kernel');
  const k = intArg(cx, spec, kernelArg);
  const strideArg = args.get('stride');
  const s = strideArg ? intArg(cx, spec, strideArg) : k;
  const spatial = inShape.slice(0, nd).map((d) => {
    if (k > d) cx.abort('QNN020', `kernel ${k} is larger than the input (${d})`, nodeRange(kernelArg.value));
    return Math.floor((d - k) / s) + 1;
  });
  const outShape = [...spatial, inShape[nd]];
  draft.shape = outShape;
  draft.type = src.type;
  draft.uncertain = src.uncertain;
  return {
    name: l.name,
    op: 'maxpool',
    input: src.name,
    inShape,
    inType: src.type,
    outShape,
    outType: src.type,
    pe: 1,
    simd: 1,
    foldSource: 'default',
    index: 0,
    ranges,
    kernel: Array<number>(nd).fill(k),
    stride: Array<number>(nd).fill(s),
  };
};
