/**
 * conv1d, conv2d and dense: the MVAU's geometry (output shape, kernel, stride, padding,
 * MW, MH, pixels) from the declaration, then its weights and accumulator (weights-acc.ts).
 *
 * The stand-in of a layer with an error: the shape as soon as the geometry is known; the
 * type from `acc=` when declared, else the bound of the declared weight type, else the
 * widest accumulator, until the weights give the exact bound.
 */
import type * as ast from '../../language/generated/ast.js';
import { bareName } from '../expr.js';
import { MUL_CHOICES, type OperatorSpec } from '../operators.js';
import { MAX_ACC_BITS } from '../qtype.js';
import { nodeRange, propRange } from '../ranges.js';
import { product } from '../shape.js';
import type { MulChoice, MvauLayer, QType } from '../types.js';
import { shapeText } from '../weights.js';
import { LayerAbort, MAX_ELEMENTS, type Elab } from './context.js';
import { argInt, intArg, textOf } from './expressions.js';
import type { Draft, LayerArgs, LayerInput, OpElaborator } from './layer.js';
import { accumulator, boundType, declaredAcc, loadWeights, toMvauMatrix, typeBound, weightSource, weightType } from './weights-acc.js';

/** The stand-in type of an MVAU whose accumulator nothing declared bounds. */
const WIDEST_ACC: QType = { kind: 'int', bits: MAX_ACC_BITS };

interface Geometry {
  outShape: number[];
  kernel: number[];
  stride: number[];
  pad: [number, number][];
  mw: number;
  mh: number;
  pixels: number;
  cin: number;
  /** Weight tensor shape in PyTorch layout. */
  wshape: number[];
}

export const mvau: OpElaborator = (cx, l, spec, args, src, draft, ranges): MvauLayer => {
  const op = spec.op as MvauLayer['op'];
  const g = geometry(cx, l, spec, args, src);
  draft.shape = g.outShape;
  const accArg = args.get('acc');
  const declared = accArg && attempt(() => declaredAcc(cx, accArg));
  setDraftType(draft, declared ?? WIDEST_ACC, !declared);
  const source = weightSource(cx, args.need('weights'));
  const wtype = weightType(cx, source);
  if (!declared) setDraftType(draft, boundType(typeBound(wtype, src.type, g.mw)), true);
  const weights = loadWeights(cx, source, wtype, g.wshape);
  const matrix = toMvauMatrix(weights.values, op, g.mh, g.cin, g.kernel);
  const acc = accumulator(cx, accArg, declared, weights, matrix, g.mh, g.mw, src, draft);
  // A wrong `acc=` (reported) leaves the layer out of the model, with the inferred width as its stand-in.
  if (accArg && !declared) throw new LayerAbort();
  const mulArg = args.get('mul');
  const mul = mulChoice(cx, mulArg);
  if (mulArg) {
    ranges.mul = nodeRange(mulArg.value ?? mulArg);
    ranges.mulArg = nodeRange(mulArg);
  }
  return {
    name: l.name,
    op,
    input: src.name,
    inShape: src.shape,
    inType: src.type,
    outShape: g.outShape,
    outType: { kind: 'int', bits: acc.bits },
    pe: 1,
    simd: 1,
    foldSource: 'default',
    index: 0,
    ranges,
    weights,
    kernel: g.kernel,
    stride: g.stride,
    pad: g.pad,
    mw: g.mw,
    mh: g.mh,
    pixels: g.pixels,
    acc,
    mul,
    multipliers: mul === 'lut' ? 'lut' : 'dsp',
    matrix,
  };
};

/** `mul=auto|dsp|lut` (hardware.md §4); another name is QNN010, and the layer goes on at auto. */
function mulChoice(cx: Elab, a: ast.Arg | undefined): MulChoice {
  if (!a) return 'auto';
  const name = bareName(a.value);
  const choice = MUL_CHOICES.find((c) => c.name === name);
  if (choice) return choice.name;
  const names = MUL_CHOICES.map((c) => c.name).join(', ');
  cx.error('QNN010', `unknown multiplier choice '${name ?? textOf(a.value)}': use ${names}`, nodeRange(a.value ?? a));
  return 'auto';
}

function setDraftType(draft: Draft, type: QType, uncertain: boolean): void {
  draft.type = type;
  draft.uncertain = uncertain;
}

/** Runs one check of the layer; undefined when it stopped on a (reported) error. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof LayerAbort) return undefined;
    throw e;
  }
}

function geometry(cx: Elab, l: ast.Layer, spec: OperatorSpec, args: LayerArgs, src: LayerInput): Geometry {
  const nd = spec.spatialDims;
  const inShape = src.shape;
  if (nd === 0) {
    const mh = intArg(cx, spec, args.need('units'));
    const mw = product(inShape);
    return checkSize(cx, l, { outShape: [mh], kernel: [], stride: [], pad: [], mw, mh, pixels: 1, cin: 0, wshape: [mh, mw] });
  }
  if (inShape.length !== nd + 1) {
    cx.abort(
      'QNN020',
      `${spec.op} takes a [${nd === 1 ? 'L, C' : 'H, W, C'}] input; '${src.name}' is ${shapeText(inShape)}`,
      propRange(l, 'input'),
    );
  }
  const mh = intArg(cx, spec, args.need('filters'));
  const kernelArg = args.need('kernel');
  const k = intArg(cx, spec, kernelArg);
  const strideArg = args.get('stride');
  const s = strideArg ? intArg(cx, spec, strideArg) : 1;
  const p = padding(cx, args.get('pad'), k, s, src);
  const pad: [number, number][] = Array.from({ length: nd }, () => [p, p]);
  const cin = inShape[nd];
  const spatial = inShape.slice(0, nd).map((d) => {
    const span = d + 2 * p;
    if (k > span) cx.abort('QNN020', `kernel ${k} is larger than the ${p ? 'padded ' : ''}input (${span})`, nodeRange(kernelArg.value));
    return Math.floor((span - k) / s) + 1;
  });
  const kernel = Array<number>(nd).fill(k);
  return checkSize(cx, l, {
    outShape: [...spatial, mh],
    kernel,
    stride: Array<number>(nd).fill(s),
    pad,
    mw: k ** nd * cin,
    mh,
    pixels: product(spatial),
    cin,
    wshape: [mh, cin, ...kernel],
  });
}

function checkSize(cx: Elab, l: ast.Layer, g: Geometry): Geometry {
  if (product(g.wshape) > MAX_ELEMENTS || product(g.outShape) > MAX_ELEMENTS) {
    cx.abort(
      'QNN020',
      `${l.name} is too large: ${product(g.wshape)} weights and ${product(g.outShape)} outputs per frame (at most ${MAX_ELEMENTS} each)`,
      nodeRange(l),
    );
  }
  return g;
}

/** Zeros on each side: `valid` (0), `same` ((k−1)/2, odd kernel and stride 1) or an integer ≥ 0. */
function padding(cx: Elab, a: ast.Arg | undefined, k: number, s: number, src: LayerInput): number {
  if (!a) return 0;
  const name = bareName(a.value);
  let p: number;
  if (name === 'valid') p = 0;
  else if (name === 'same') {
    if (k % 2 === 0 || s !== 1) {
      cx.abort(
        'QNN020',
        `pad=same needs an odd kernel and stride 1 (kernel=${k}, stride=${s}); give the padding as a number`,
        nodeRange(a.value),
      );
    }
    p = (k - 1) / 2;
  } else if (name !== undefined && !cx.consts.has(name)) {
    cx.abort('QNN010', `unknown padding '${name}': use valid, same or a number`, nodeRange(a.value));
  } else p = argInt(cx, a, 0);
  // A stand-in input type may be bipolar only because of an error upstream.
  if (p > 0 && src.type.kind === 'bipolar' && !src.uncertain) {
    cx.abort('QNN022', `cannot pad a bipolar tensor: 0 is not a bipolar value; use pad=valid`, nodeRange(a.value));
  }
  return p;
}
