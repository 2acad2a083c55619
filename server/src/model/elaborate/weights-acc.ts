/**
 * An MVAU's weights (a typed source: .npy file, inline list or seeded random; QNN020,
 * QNN030, QNN034, QNN060) and its accumulator: the exact bound every output reaches, the
 * inferred width, and a declared `acc=iK` checked against the bound (QNN031).
 */
import * as ast from '../../language/generated/ast.js';
import { fitsType, signedBitsFor, typeMax, typeMin, typeName } from '../qtype.js';
import { nodeRange, propRange } from '../ranges.js';
import { product } from '../shape.js';
import type { AccumulatorInfo, OpKind, QType, Weights } from '../types.js';
import { checkValues, loadNpy, randomTensor, resolveSourcePath, sameShape, shapeText, SourceError } from '../weights.js';
import type { Elab } from './context.js';
import { argType, flatList, seedValue, typeOf, unquote } from './expressions.js';
import type { Draft, LayerInput } from './layer.js';

export function weightSource(cx: Elab, a: ast.Arg): ast.Source {
  const v = a.value;
  if (v?.$type !== 'Source') {
    cx.abort('QNN030', `weights must be a typed source: i4("w.npy"), pow2<3>(random, seed=1) or bipolar([…])`, nodeRange(v ?? a));
  }
  return v;
}

export function weightType(cx: Elab, v: ast.Source): QType {
  return typeOf(cx, v.kind, true, 'weights');
}

/** The weight values of a source, checked against the layer's shape and the declared type. */
export function loadWeights(cx: Elab, v: ast.Source, type: QType, shape: number[]): Weights {
  const count = product(shape);
  try {
    if (v.path !== undefined) {
      const rel = unquote(v.path);
      const abs = resolveSourcePath(cx.opts.file, rel);
      const arr = loadNpy(cx.files, abs, rel, true);
      if (!sameShape(arr.shape, shape)) {
        cx.abort(
          'QNN020',
          `'${rel}' has shape ${shapeText(arr.shape)}; this layer needs ${shapeText(shape)} (PyTorch layout)`,
          propRange(v, 'path'),
          {
            expected: shape,
            got: arr.shape,
          },
        );
      }
      checkValues(arr.data, type, `'${rel}'`);
      return { type, shape, values: Int32Array.from(arr.data), source: { kind: 'file', path: abs } };
    }
    if (v.list) {
      const flat = flatList(cx, v.list);
      if (flat.length !== count) {
        cx.abort(
          'QNN020',
          `the inline weights hold ${flat.length} values; this layer needs ${shapeText(shape)} = ${count}`,
          nodeRange(v.list),
        );
      }
      checkValues(flat, type, 'the inline weights');
      return { type, shape, values: Int32Array.from(flat), source: { kind: 'inline' } };
    }
    const seed = v.seed ? seedValue(cx, v.seed) : 0;
    return { type, shape, values: randomTensor(type, count, seed), source: { kind: 'random', seed } };
  } catch (e) {
    if (e instanceof SourceError) cx.abort(e.code, e.message, v.path !== undefined ? propRange(v, 'path') : nodeRange(v));
    throw e;
  }
}

/** A signed integer type: what an accumulator is. */
export type AccType = Extract<QType, { kind: 'int' }>;

/** `acc=iK`: a signed type (QNN030 otherwise). */
export function declaredAcc(cx: Elab, a: ast.Arg): AccType {
  const t = argType(cx, a, false);
  if (t.kind !== 'int') cx.abort('QNN030', `acc must be a signed type iK, not ${typeName(t)}`, nodeRange(a.value));
  return t;
}

/** The bound of MW products of the two types: what any weights of `w` can reach on inputs of `a`. */
export function typeBound(w: QType, a: QType, mw: number): { min: number; max: number } {
  const ps = [typeMin(w) * typeMin(a), typeMin(w) * typeMax(a), typeMax(w) * typeMin(a), typeMax(w) * typeMax(a)];
  return { min: mw * Math.min(...ps), max: mw * Math.max(...ps) };
}

/** The smallest signed type holding a bound (widened to include 0). */
export function boundType(b: { min: number; max: number }): QType {
  return { kind: 'int', bits: signedBitsFor(Math.min(b.min, 0), Math.max(b.max, 0)) };
}

/**
 * The exact accumulator bound (language.md §5) and its width. A declared `acc=` too narrow
 * is QNN031; it is not checked against an input type that stands in for an error upstream.
 */
export function accumulator(
  cx: Elab,
  accArg: ast.Arg | undefined,
  declared: AccType | undefined,
  w: Weights,
  matrix: Int32Array,
  mh: number,
  mw: number,
  src: LayerInput,
  draft: Draft,
): AccumulatorInfo {
  const amin = typeMin(src.type);
  const amax = typeMax(src.type);
  let min = Infinity;
  let max = -Infinity;
  let extremeRow = 0;
  if (w.source.kind === 'random') {
    // Random weights may be regenerated: bound by the type, not the draw.
    ({ min, max } = typeBound(w.type, src.type, mw));
  } else {
    for (let r = 0; r < mh; r++) {
      let lo = 0;
      let hi = 0;
      for (let j = 0; j < mw; j++) {
        const x = matrix[r * mw + j];
        const a = x * amin;
        const b = x * amax;
        lo += Math.min(a, b);
        hi += Math.max(a, b);
      }
      if (hi > max || lo < min) {
        if (Math.max(hi, -lo) >= Math.max(max, -min)) extremeRow = r;
      }
      min = Math.min(min, lo);
      max = Math.max(max, hi);
    }
  }
  min = Math.min(min, 0);
  max = Math.max(max, 0);
  const needed = signedBitsFor(min, max);
  draft.type = declared ?? { kind: 'int', bits: needed };
  draft.uncertain = !declared && src.uncertain;
  if (!declared) return { min, max, bits: needed, declared: false, extremeRow };
  if (!src.uncertain && (!fitsType(max, declared) || !fitsType(min, declared))) {
    // The stand-in is the width the values need.
    draft.type = { kind: 'int', bits: needed };
    const v = !fitsType(max, declared) ? max : min;
    const where = w.source.kind === 'random' ? 'a row of random weights' : `row ${extremeRow}`;
    cx.abort(
      'QNN031',
      `acc=${typeName(declared)} is too narrow: ${where} reaches ${v} (range ${typeMin(declared)} … ${typeMax(declared)}); it needs i${needed}`,
      nodeRange(accArg!.value),
      { needed },
    );
  }
  return { min, max, bits: declared.bits, declared: true, extremeRow };
}

/** MVAU matrices by weight array: random weights are memoised (randomTensor), so a re-analysis reuses their matrix. */
const matrices = new WeakMap<Int32Array, { layout: string; matrix: Int32Array }>();

/**
 * Weights in MVAU order: for a conv, row r's columns run kernel position major, channel
 * minor (the window generator's im2col order); PyTorch stores [Cout, Cin, K…]. The result
 * may be shared between analyses: treat it as read-only.
 */
export function toMvauMatrix(values: Int32Array, op: OpKind, mh: number, cin: number, kernel: number[]): Int32Array {
  if (op === 'dense') return values;
  const layout = `${mh}/${cin}/${kernel.join('x')}`;
  const hit = matrices.get(values);
  if (hit?.layout === layout) return hit.matrix;
  const kpos = product(kernel);
  const mw = kpos * cin;
  const out = new Int32Array(mh * mw);
  for (let r = 0; r < mh; r++) {
    for (let c = 0; c < cin; c++) {
      for (let p = 0; p < kpos; p++) {
        out[r * mw + p * cin + c] = values[(r * cin + c) * kpos + p];
      }
    }
  }
  matrices.set(values, { layout, matrix: out });
  return out;
}
