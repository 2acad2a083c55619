/**
 * requant and threshold: the activation's parameters (requant: fixed-point multipliers and
 * shifts per channel; threshold: an ascending list per channel). The output has the input's
 * shape and the declared `out=` type, which is also the stand-in when a parameter is wrong.
 */
import * as ast from '../../language/generated/ast.js';
import { argSpec, type OperatorSpec } from '../operators.js';
import { typeMax, typeMin, typeName } from '../qtype.js';
import { nodeRange, propRange } from '../ranges.js';
import { fixedPointScale } from '../requant.js';
import type { Activation, ActivationLayer, QType, SrcRange } from '../types.js';
import { loadNpy, resolveSourcePath, shapeText, SourceError } from '../weights.js';
import type { Elab } from './context.js';
import { argExpr, argType, evalNumber, intArg, listRows, unquote } from './expressions.js';
import type { LayerArgs, OpElaborator } from './layer.js';

/** The stand-in type of an activation whose `out=` is not a type. */
const UNKNOWN_OUT: QType = { kind: 'int', bits: 16 };

export const activation: OpElaborator = (cx, l, spec, args, src, draft, ranges): ActivationLayer => {
  const op = spec.op as 'requant' | 'threshold';
  const channels = src.shape[src.shape.length - 1];
  draft.shape = src.shape;
  draft.type = UNKNOWN_OUT;
  draft.uncertain = true;
  const outArg = args.need('out');
  const out = argType(cx, outArg, false);
  // A type the operator rejects still flows on, as a guess.
  draft.type = out;
  if (op === 'requant' && out.kind === 'bipolar') {
    cx.abort(
      'QNN030',
      `requant's out must be uN or iN; for a bipolar output use threshold(…, out=bipolar, thresholds=[T])`,
      nodeRange(outArg.value),
    );
  }
  if (op === 'threshold' && out.kind === 'int' && !args.get('bias')) {
    cx.abort(
      'QNN030',
      `threshold's out must be uB or bipolar (it counts thresholds passed), not ${typeName(out)}; a signed out needs bias=… (out=i2, bias=-1 and two thresholds give −1, 0, 1)`,
      nodeRange(outArg.value),
    );
  }
  draft.uncertain = false;
  if (src.type.kind === 'bipolar' && !src.uncertain) {
    cx.abort('QNN030', `${op} takes an integer input; '${src.name}' is bipolar`, propRange(l, 'input'));
  }
  const activation: Activation =
    op === 'requant' ? requantParams(cx, spec, args, out, channels) : thresholdParams(cx, spec, args, out, channels);
  return {
    name: l.name,
    op,
    input: src.name,
    inShape: src.shape,
    inType: src.type,
    outShape: src.shape,
    outType: out,
    pe: 1,
    simd: 1,
    foldSource: 'default',
    index: 0,
    ranges,
    activation,
  };
};

function requantParams(cx: Elab, spec: OperatorSpec, args: LayerArgs, out: QType, channels: number): Activation {
  const mbitsArg = args.get('mbits');
  const mbitsSpec = argSpec(spec.op, 'mbits')!;
  const mbits = mbitsArg ? intArg(cx, spec, mbitsArg) : Number(mbitsSpec.default);
  const maxBits = mbitsSpec.value.kind === 'int' ? mbitsSpec.value.max : undefined;
  if (mbitsArg && maxBits !== undefined && mbits > maxBits) {
    cx.abort('QNN030', `mbits=${mbits} is too wide: the multiplier takes at most ${maxBits} bits`, nodeRange(mbitsArg.value));
  }
  const zeroArg = args.get('zero');
  const zero = zeroArg ? evalNumber(cx, argExpr(cx, zeroArg), "'zero'") : Number(argSpec(spec.op, 'zero')!.default);
  if (!Number.isInteger(zero)) cx.abort('QNN030', `zero must be an integer, not ${zero}`, nodeRange(zeroArg!.value));
  const scales = scaleValues(cx, args.need('scale'), channels);
  const fixed = scales.map((s) => fixedPointScale(s, mbits));
  return {
    kind: 'requant',
    scales,
    multipliers: fixed.map((f) => f.multiplier),
    shifts: fixed.map((f) => f.shift),
    zero,
    mbits,
    out,
  };
}

/** A number, or one per channel from `scales("s.npy")` ([C] or [1]); each > 0. */
function scaleValues(cx: Elab, a: ast.Arg, channels: number): number[] {
  const v = a.value;
  let scales: number[];
  if (v?.$type === 'Source' && v.kind.$type === 'NamedType' && v.kind.name === 'scales' && v.path !== undefined) {
    const rel = unquote(v.path);
    try {
      const arr = loadNpy(cx.files, resolveSourcePath(cx.opts.file, rel), rel, false);
      if (!(arr.shape.length === 1 && (arr.shape[0] === channels || arr.shape[0] === 1))) {
        cx.abort(
          'QNN020',
          `'${rel}' has shape ${shapeText(arr.shape)}; scales need [${channels}] (one per channel) or [1]`,
          propRange(v, 'path'),
        );
      }
      scales = arr.data;
    } catch (e) {
      if (e instanceof SourceError) cx.abort(e.code, e.message, propRange(v, 'path'));
      throw e;
    }
  } else if (v && ast.isExpr(v)) {
    scales = [evalNumber(cx, v, "'scale'")];
  } else {
    cx.abort('QNN030', `scale takes a number or scales("s.npy")`, nodeRange(v ?? a));
  }
  const bad = scales.findIndex((s) => !(s > 0) || !Number.isFinite(s));
  if (bad >= 0) {
    cx.abort('QNN030', `scale must be above 0 (got ${scales[bad]}${scales.length > 1 ? ` for channel ${bad}` : ''})`, nodeRange(v));
  }
  return scales.length === 1 ? Array<number>(channels).fill(scales[0]) : scales;
}

/** The bias (an integer; none for bipolar) and the thresholds. */
function thresholdParams(cx: Elab, spec: OperatorSpec, args: LayerArgs, out: QType, channels: number): Activation {
  const biasArg = args.get('bias');
  let bias = Number(argSpec(spec.op, 'bias')!.default);
  if (biasArg) {
    bias = evalNumber(cx, argExpr(cx, biasArg), "'bias'");
    if (!Number.isInteger(bias)) cx.abort('QNN030', `bias must be an integer, not ${bias}`, nodeRange(biasArg.value));
    if (out.kind === 'bipolar') {
      cx.abort('QNN030', `a bipolar threshold takes no bias: its output is −1 or +1`, nodeRange(biasArg.value));
    }
  }
  const rows = thresholds(cx, args.need('thresholds'), out, channels, biasArg ? { bias, at: nodeRange(biasArg.value) } : undefined);
  return { kind: 'threshold', thresholds: rows, bias, out };
}

/**
 * Ascending integer thresholds per channel: a list, a list per channel, or a file. Without
 * a bias exactly 2^B − 1 (1 for bipolar), else QNN032; with one, N ≥ 1 thresholds, the same
 * count in every channel, such that bias … bias + N all fit `out`, else QNN030.
 */
function thresholds(cx: Elab, a: ast.Arg, out: QType, channels: number, biased?: { bias: number; at: SrcRange }): number[][] {
  const v = a.value;
  const need = out.kind === 'bipolar' ? 1 : 2 ** out.bits - 1;
  let rows: number[][];
  let at: SrcRange = nodeRange(v);
  if (v?.$type === 'ListLit') rows = listRows(cx, v);
  else if (v?.$type === 'Source' && v.kind.$type === 'NamedType' && v.kind.name === 'thresholds' && v.path !== undefined) {
    const rel = unquote(v.path);
    at = propRange(v, 'path');
    try {
      const arr = loadNpy(cx.files, resolveSourcePath(cx.opts.file, rel), rel, true);
      if (arr.shape.length !== 2) {
        cx.abort('QNN020', `'${rel}' has shape ${shapeText(arr.shape)}; thresholds need [${channels}, ${need}] or [1, ${need}]`, at);
      }
      rows = [];
      for (let r = 0; r < arr.shape[0]; r++) rows.push(arr.data.slice(r * arr.shape[1], (r + 1) * arr.shape[1]));
    } catch (e) {
      if (e instanceof SourceError) cx.abort(e.code, e.message, at);
      throw e;
    }
  } else {
    cx.abort('QNN030', `thresholds takes a list [t1, t2, …], a list per channel, or thresholds("t.npy")`, nodeRange(v ?? a));
  }
  if (rows.length !== 1 && rows.length !== channels) {
    cx.abort('QNN020', `${rows.length} threshold rows for ${channels} channels: give one shared row or one per channel`, at);
  }
  if (biased) checkBiasedCounts(cx, rows, out, biased, at);
  rows.forEach((row, c) => {
    if (!biased && row.length !== need) {
      cx.abort(
        'QNN032',
        `out=${typeName(out)} needs ${need} threshold${need > 1 ? 's' : ''} per channel (2^B − 1), ${rows.length > 1 ? `channel ${c} has` : 'got'} ${row.length}`,
        at,
        { need },
      );
    }
    const nonInt = row.findIndex((t) => !Number.isInteger(t));
    if (nonInt >= 0) cx.abort('QNN030', `threshold ${row[nonInt]} is not an integer: thresholds compare with the integer accumulator`, at);
    const bad = row.findIndex((t, i) => i > 0 && t < row[i - 1]);
    if (bad >= 0) {
      cx.abort(
        'QNN033',
        `thresholds must be ascending: ${row[bad - 1]} comes before ${row[bad]}${rows.length > 1 ? ` in channel ${c}` : ''}`,
        at,
      );
    }
  });
  return rows.length === 1 ? Array.from({ length: channels }, () => rows[0]) : rows;
}

/** With a bias: every channel has the same N ≥ 1 thresholds and bias + 0 … bias + N fit `out`. */
function checkBiasedCounts(cx: Elab, rows: number[][], out: QType, biased: { bias: number; at: SrcRange }, at: SrcRange): void {
  const bias = biased.bias;
  const n = rows[0]?.length ?? 0;
  const other = rows.findIndex((r) => r.length !== n);
  if (other >= 0) {
    cx.abort(
      'QNN032',
      `every channel needs the same number of thresholds: channel 0 has ${n}, channel ${other} has ${rows[other].length}`,
      at,
    );
  }
  if (n < 1) cx.abort('QNN032', `threshold needs at least 1 threshold per channel`, at);
  const lo = typeMin(out);
  const hi = typeMax(out);
  // A bias outside the type is the bias's fault; a count past the top, the thresholds'.
  const outside = bias < lo || bias > hi ? bias : bias + n > hi ? bias + n : undefined;
  if (outside !== undefined) {
    cx.abort(
      'QNN030',
      `bias=${bias} with ${n} threshold${n > 1 ? 's' : ''} gives ${bias} … ${bias + n}, and ${outside} does not fit out=${typeName(out)} (${lo} … ${hi})`,
      outside === bias ? biased.at : at,
    );
  }
}
