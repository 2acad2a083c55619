/**
 * MVAU test configurations and their random data (weights, inputs, activation, golden
 * outputs), shared by the simulation tests (test/hw/engines/mvau.test.ts) and the
 * synthesis test (test/synth/engines.test.ts).
 */
import { activate, mvau } from '../../../server/src/golden/golden.js';
import { signedBitsFor, typeBits, typeMax, typeMin, typeName, typeValues } from '../../../server/src/model/qtype.js';
import type { Activation, MvauLayer, QType } from '../../../server/src/model/types.js';
import { kindCode } from '../../../server/src/engines/rom-layout.js';
import { pick, int, divisors, randomRequant, randomThresholds, rng } from './random-kit.js';

export const KIND_TYPE = ['uint', 'int', 'bipolar', 'pow2'] as const;
export function qtype(kind: number, bits: number): QType {
  const k = KIND_TYPE[kind]!;
  return k === 'bipolar' ? { kind: 'bipolar' } : { kind: k, bits };
}

// ---------------------------------------------------------------- configurations

export type Fold = 'general' | 'PE=MH' | 'SIMD=MW' | 'PE=SIMD=1' | 'PE=MH,SIMD=MW';
export const FOLDS: Fold[] = ['general', 'PE=MH', 'SIMD=MW', 'PE=SIMD=1', 'PE=MH,SIMD=MW'];

export interface MvauCfg {
  wT: QType;
  iT: QType;
  /** 0 none, 1 requant, 2 threshold. */
  act: 0 | 1 | 2;
  outT: QType;
  mw: number;
  mh: number;
  pe: number;
  simd: number;
  pixels: number;
  accBits: number;
  /** Weight values the random matrices draw from (a subset of wT's values for a tight accumulator). */
  wValues: number[];
  /** Bounds of any accumulator for these weight values and the input type. */
  accMin: number;
  accMax: number;
  mbits: number;
  shiftBits: number;
  zero: number;
  nThresh: number;
  /** The threshold's bias (ZERO), y = bias + count; 0 when not given. */
  bias?: number;
  fold: Fold;
  /** MUL_LUT = 1: every product (and the requant's) from LUTs (mul=lut). */
  mulLut?: boolean;
  /** HARD_WIRED = 1 (PE = MH, SIMD = MW): the weights are the WEIGHT_WORD parameter, one build per weight matrix. */
  hardWired?: boolean;
}

export const nf = (c: MvauCfg): number => c.mh / c.pe;
export const sf = (c: MvauCfg): number => c.mw / c.simd;
export const obits = (c: MvauCfg): number => (c.act === 0 ? c.accBits : typeBits(c.outT));
export const outType = (c: MvauCfg): QType => (c.act === 0 ? { kind: 'int', bits: c.accBits } : c.outT);
export const label = (c: MvauCfg): string =>
  `W ${typeName(c.wT)} × IN ${typeName(c.iT)} → ${['acc', 'requant', 'threshold'][c.act]} ${c.act ? typeName(c.outT) : `i${c.accBits}`}` +
  `${c.bias ? ` bias${c.bias}` : ''} MW${c.mw} MH${c.mh} PE${c.pe} SIMD${c.simd} PIX${c.pixels} (${c.fold})${c.mulLut ? ' MUL_LUT' : ''}${c.hardWired ? ' HARD_WIRED' : ''}`;

/** The template's parameters; `weightWord` (the weight ROM's one word, hex) for a hard-wired configuration. */
export function params(c: MvauCfg, weightWord?: string): Record<string, number | string | { sv: string }> {
  const p: Record<string, number | string | { sv: string }> = {
    MW: c.mw,
    MH: c.mh,
    PE: c.pe,
    SIMD: c.simd,
    IN_BITS: typeBits(c.iT),
    IN_KIND: kindCode(c.iT),
    W_BITS: typeBits(c.wT),
    W_KIND: kindCode(c.wT),
    ACC_BITS: c.accBits,
    PIXELS: c.pixels,
    ACT: c.act,
    WEIGHT_FILE: 'weights.mem',
  };
  if (c.act !== 0) Object.assign(p, { OUT_BITS: typeBits(c.outT), OUT_KIND: kindCode(c.outT), ACT_FILE: 'act.mem' });
  // SHIFT −1: each channel's S from the ROM (the random requants' S differ; a shared S is the activation and network tests').
  if (c.act === 1) Object.assign(p, { MBITS: c.mbits, SHIFT_BITS: c.shiftBits, SHIFT: -1, ZERO: c.zero });
  if (c.act === 2) Object.assign(p, { N_THRESH: c.nThresh, ZERO: c.bias ?? 0 });
  if (c.mulLut) p.MUL_LUT = 1;
  if (c.hardWired) {
    delete p.WEIGHT_FILE;
    p.HARD_WIRED = 1;
    p.WEIGHT_WORD = { sv: `${c.pe * c.simd * typeBits(c.wT)}'h${weightWord ?? '0'}` };
  }
  return p;
}

/** Extreme accumulator values over rows of `mw` weights drawn from `wValues`. */
export function accBounds(wValues: number[], iT: QType, mw: number): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const w of wValues) {
    const a = w * typeMin(iT);
    const b = w * typeMax(iT);
    lo = Math.min(lo, a, b);
    hi = Math.max(hi, a, b);
  }
  return [lo * mw, hi * mw];
}

export function foldDims(r: () => number, fold: Fold): { mw: number; mh: number; pe: number; simd: number } {
  const mw = pick(r, [1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24]);
  const mh = pick(r, [1, 2, 3, 4, 6, 8, 12]);
  const proper = (n: number): number[] => (divisors(n).length > 2 ? divisors(n).slice(1, -1) : divisors(n));
  switch (fold) {
    case 'general':
      return { mw, mh, pe: pick(r, proper(mh)), simd: pick(r, proper(mw)) };
    case 'PE=MH':
      return { mw, mh, pe: mh, simd: pick(r, proper(mw)) };
    case 'SIMD=MW':
      return { mw, mh, pe: pick(r, proper(mh)), simd: mw };
    case 'PE=SIMD=1':
      return { mw, mh, pe: 1, simd: 1 };
    case 'PE=MH,SIMD=MW':
      return { mw, mh, pe: mh, simd: mw };
  }
}

export function makeCfg(
  wT: QType,
  iT: QType,
  act: 0 | 1 | 2,
  dims: { mw: number; mh: number; pe: number; simd: number },
  r: () => number,
  fold: Fold,
  over: Partial<MvauCfg> = {},
): MvauCfg {
  const wValues = over.wValues ?? typeValues(wT);
  const [accMin, accMax] = accBounds(wValues, iT, dims.mw);
  let outT: QType = { kind: 'int', bits: 2 };
  let nThresh = 1;
  if (act === 1) outT = r() < 0.5 ? { kind: 'uint', bits: int(r, 1, 8) } : { kind: 'int', bits: int(r, 2, 8) };
  if (act === 2) {
    // A BNN (bipolar × bipolar) usually thresholds to bipolar; otherwise pick.
    outT =
      kindCode(wT) === 2 && kindCode(iT) === 2
        ? { kind: 'bipolar' }
        : r() < 0.25
          ? { kind: 'bipolar' }
          : { kind: 'uint', bits: int(r, 1, 4) };
    nThresh = outT.kind === 'bipolar' ? 1 : 2 ** outT.bits - 1;
  }
  // Thresholds are clipped to [accMin, accMax + 1]: the accumulator width must hold accMax + 1.
  const accBits = act === 2 ? signedBitsFor(accMin, accMax + 1) : signedBitsFor(accMin, accMax);
  return {
    wT,
    iT,
    act,
    outT,
    ...dims,
    pixels: int(r, 1, 3),
    accBits,
    wValues,
    accMin,
    accMax,
    mbits: int(r, 1, 16),
    shiftBits: pick(r, [5, 6]),
    zero: int(r, -5, 5),
    nThresh,
    fold,
    ...over,
  };
}

// ---------------------------------------------------------------- random data

export interface RunData {
  layer: MvauLayer;
  act?: Activation;
  input: number[];
  expected: number[];
}

export function makeLayer(c: MvauCfg, matrix: Int32Array): MvauLayer {
  // A 1×1 conv1d: each pixel's input vector is one MVAU vector.
  return {
    name: 'mvau_test',
    op: 'conv1d',
    mw: c.mw,
    mh: c.mh,
    pixels: c.pixels,
    matrix,
    kernel: [1],
    stride: [1],
    pad: [[0, 0]],
    inShape: [c.pixels, c.mw],
    outShape: [c.pixels, c.mh],
    inType: c.iT,
    outType: outType(c),
    pe: c.pe,
    simd: c.simd,
  } as unknown as MvauLayer;
}

/** Random weights, inputs and activation constants; the weights from `weightSeed` when given (a hard-wired build shared by runs). */
export function randomData(c: MvauCfg, frames: number, seed: number, weightSeed?: number): RunData {
  const r = rng(seed);
  const iv = typeValues(c.iT);
  const rw = weightSeed === undefined ? r : rng(weightSeed);
  const matrix = Int32Array.from({ length: c.mh * c.mw }, () => pick(rw, c.wValues));
  const layer = makeLayer(c, matrix);
  const input: number[] = [];
  const accs: number[] = [];
  for (let f = 0; f < frames; f++) {
    const x = Int32Array.from({ length: c.pixels * c.mw }, () => pick(r, iv));
    input.push(...x);
    accs.push(...mvau(layer, x));
  }
  for (const a of accs) if (a < c.accMin || a > c.accMax) throw new Error(`test bug: accumulator ${a} outside the bounds`);
  // Requant around the shift that maps the accumulator range onto the output range;
  // thresholds near real accumulator values (so outputs spread), plus a few out of range.
  const act: Activation | undefined =
    c.act === 1
      ? randomRequant(r, { channels: c.mh, lo: c.accMin, hi: c.accMax, out: c.outT, mbits: c.mbits, shiftBits: c.shiftBits, zero: c.zero })
      : c.act === 2
        ? randomThresholds(r, {
            channels: c.mh,
            count: c.nThresh,
            lo: c.accMin,
            hi: c.accMax,
            near: accs,
            outside: 5,
            out: c.outT,
            bias: c.bias,
          })
        : undefined;
  const expected = act ? Array.from(activate(act, Int32Array.from(accs), c.mh)) : accs;
  return { layer, act, input, expected };
}
