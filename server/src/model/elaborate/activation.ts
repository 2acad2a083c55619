/**
 * requant and threshold: the activation's parameters (requant: fixed-point multipliers and
 * shifts per channel; threshold: an ascending list per channel). The output has the input's
 * shape and the declared `out=` type, which is also the stand-in when a parameter is wrong.
 */
import * as ast from '../../language/generated/ast.js';
import { argSpec, type OperatorSpec } from '../operators.js';
import { typeName } from '../qtype.js';
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
  if (op === 'threshold' && out.kind === 'int') {
    cx.abort(
      'QNN030',
      `threshold's out must be uB or bipolar (it counts thresholds passed), not ${typeName(out)}`,
      nodeRange(outArg.value),
    );
  }
  draft.uncertain = false;
  if (src.type.kind === 'bipolar' && !src.uncertain) {
    cx.abort('QNN030', `${op} takes an integer input; '${src.name}' is bipolar`, propRange(l, 'input'));
  }
  const activation: Activation =
    op === 'requant'
      ? requantParams(cx, spec, args, out, channels)
      : { kind: 'threshold', thresholds: thresholds(cx, args.need('thresholds'), out, channels), out };
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

/** 2^B − 1 ascending integer thresholds per channel (1 for bipolar): a list, a list per channel, or a file. */
function thresholds(cx: Elab, a: ast.Arg, out: QType, channels: number): number[][] {
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
  rows.forEach((row, c) => {
    if (row.length !== need) {
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
