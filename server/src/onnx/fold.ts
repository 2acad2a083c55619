/**
 * The folding rules of the importer, as pure functions: what lies between an integer
 * accumulator and the next quantizer (scales, bias, BatchNorm, ReLU, constants) becomes
 * integer thresholds on the accumulator, exactly over every value the accumulator can
 * reach. A channel whose chain decreases (γ < 0, a negative scale) has its weight row
 * negated; a channel whose output cannot change over the reachable range (γ ≈ 0) gets
 * thresholds that make it constant.
 */
import { typeMax, typeMin } from '../model/qtype.js';
import type { QType } from '../model/types.js';

/** One per-channel step after the accumulator, evaluated in double precision. */
export type Step =
  | { op: 'mul' | 'div' | 'add' | 'sub' | 'rsub'; k: number[] }
  | { op: 'relu' }
  | { op: 'bn'; gamma: number[]; beta: number[]; mean: number[]; variance: number[]; eps: number };

const at = (k: number[], c: number): number => (k.length === 1 ? k[0] : k[c]);

export function evalSteps(steps: readonly Step[], c: number, x: number): number {
  let v = x;
  for (const s of steps) {
    switch (s.op) {
      case 'mul':
        v *= at(s.k, c);
        break;
      case 'div':
        v /= at(s.k, c);
        break;
      case 'add':
        v += at(s.k, c);
        break;
      case 'sub':
        v -= at(s.k, c);
        break;
      case 'rsub':
        v = at(s.k, c) - v;
        break;
      case 'relu':
        v = Math.max(0, v);
        break;
      case 'bn':
        v = ((v - at(s.mean, c)) / Math.sqrt(at(s.variance, c) + s.eps)) * at(s.gamma, c) + at(s.beta, c);
        break;
    }
  }
  return v;
}

/** +1 when the chain never decreases with x, −1 when it never increases, 0 when it is constant. */
export function slopeSign(steps: readonly Step[], c: number): number {
  let sign = 1;
  for (const s of steps) {
    if (s.op === 'mul' || s.op === 'div') sign *= Math.sign(at(s.k, c));
    else if (s.op === 'rsub') sign = -sign;
    else if (s.op === 'bn') sign *= Math.sign(at(s.gamma, c));
  }
  return sign;
}

/**
 * A quantizer as the importer sees it: the integer level it gives a real value on channel
 * c, and its levels in ascending order (consecutive integers, or −1/+1 for bipolar).
 */
export interface LevelFn {
  levels: number[];
  level(v: number, c: number): number;
  /** The type of the integer levels. */
  type: QType;
}

/** QONNX's rounding modes (ROUND = HALF_EVEN; ROUND_TO_ZERO is Brevitas' name for DOWN). */
export const ROUNDINGS = ['ROUND', 'HALF_EVEN', 'FLOOR', 'CEIL', 'ROUND_TO_ZERO', 'DOWN', 'UP', 'HALF_UP', 'HALF_DOWN'] as const;
export type Rounding = (typeof ROUNDINGS)[number];

/** Round half to even (numpy / onnxruntime's Round). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function roundBy(mode: Rounding, x: number): number {
  if (mode === 'FLOOR') return Math.floor(x);
  if (mode === 'CEIL') return Math.ceil(x);
  if (mode === 'ROUND_TO_ZERO' || mode === 'DOWN') return Math.trunc(x);
  if (mode === 'UP') return Math.sign(x) * Math.ceil(Math.abs(x));
  if (mode === 'HALF_UP') return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
  if (mode === 'HALF_DOWN') return Math.sign(x) * Math.ceil(Math.abs(x) - 0.5);
  return roundHalfEven(x);
}

/** The integer range of QONNX's Quant(bitwidth, signed, narrow). */
export function quantRange(bits: number, signed: boolean, narrow: boolean): [number, number] {
  if (signed) return [-(2 ** (bits - 1)) + (narrow ? 1 : 0), 2 ** (bits - 1) - 1];
  return [0, 2 ** bits - 1 - (narrow ? 1 : 0)];
}

/** The smallest language type holding [lo, hi]: uB when lo ≥ 0, else iB. */
export function typeFor(lo: number, hi: number): QType {
  if (lo >= 0) {
    let b = 1;
    while (2 ** b - 1 < hi) b++;
    return { kind: 'uint', bits: b };
  }
  let b = 2;
  while (-(2 ** (b - 1)) > lo || 2 ** (b - 1) - 1 < hi) b++;
  return { kind: 'int', bits: b };
}

export function bipolarLevels(): LevelFn {
  return { levels: [-1, 1], level: (v) => (v >= 0 ? 1 : -1), type: { kind: 'bipolar' } };
}

export function quantLevels(scale: number[], bits: number, signed: boolean, narrow: boolean, rounding: Rounding): LevelFn {
  const [lo, hi] = quantRange(bits, signed, narrow);
  const levels = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return {
    levels,
    level: (v, c) => Math.min(hi, Math.max(lo, roundBy(rounding, v / at(scale, c)))),
    type: signed ? { kind: 'int', bits } : { kind: 'uint', bits },
  };
}

/** FINN's MultiThreshold: n = Σ [v ≥ T_c,i]; the level is n + bias (or ±1 for bipolar). */
export function multiThresholdLevels(thresholds: number[][], bias: number, bipolar: boolean): LevelFn {
  const n = thresholds[0].length;
  const count = (v: number, c: number): number => {
    let k = 0;
    for (const t of thresholds.length === 1 ? thresholds[0] : thresholds[c]) if (v >= t) k++;
    return k;
  };
  if (bipolar) return { levels: [-1, 1], level: (v, c) => (count(v, c) > 0 ? 1 : -1), type: { kind: 'bipolar' } };
  const levels = Array.from({ length: n + 1 }, (_, i) => bias + i);
  return { levels, level: (v, c) => bias + count(v, c), type: typeFor(bias, bias + n) };
}

export interface ChannelFold {
  /** Ascending integer thresholds on the (possibly negated) accumulator, one per level step. */
  thresholds: number[];
  /** The weight row is negated (the chain decreases). */
  negated: boolean;
  /** The output is the same for every reachable accumulator: this level. */
  constant?: number;
}

/**
 * Thresholds for one channel: T_k is the smallest accumulator value in [lo, hi] whose level
 * is at least levels[k] (hi + 1 when none is), found by bisection on the monotone chain.
 */
export function foldChannel(steps: readonly Step[], q: LevelFn, c: number, lo: number, hi: number): ChannelFold {
  const g0 = (a: number): number => q.level(evalSteps(steps, c, a), c);
  const atLo = g0(lo);
  const atHi = g0(hi);
  const K = q.levels.length - 1;
  if (atLo === atHi) {
    const idx = q.levels.indexOf(atLo);
    return { thresholds: Array.from({ length: K }, (_, k) => (k < idx ? lo : hi + 1)), negated: false, constant: atLo };
  }
  const negated = slopeSign(steps, c) < 0 || atLo > atHi;
  const g = negated ? (a: number) => g0(-a) : g0;
  const [l, h] = negated ? [-hi, -lo] : [lo, hi];
  const thresholds: number[] = [];
  for (let k = 1; k <= K; k++) {
    const want = q.levels[k];
    if (g(l) >= want) {
      thresholds.push(l);
      continue;
    }
    if (g(h) < want) {
      thresholds.push(h + 1);
      continue;
    }
    let a = l; // g(a) < want
    let b = h; // g(b) >= want
    while (b - a > 1) {
      const m = Math.floor((a + b) / 2);
      if (g(m) >= want) b = m;
      else a = m;
    }
    thresholds.push(b);
  }
  return { thresholds, negated };
}

/** Exact accumulator bounds of each row of an [mh, mw] integer matrix for inputs of type t. */
export function rowBounds(matrix: ArrayLike<number>, mh: number, mw: number, t: QType): { lo: number[]; hi: number[] } {
  const amin = t.kind === 'bipolar' ? -1 : typeMin(t);
  const amax = t.kind === 'bipolar' ? 1 : typeMax(t);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let r = 0; r < mh; r++) {
    let l = 0;
    let h = 0;
    for (let j = 0; j < mw; j++) {
      const w = matrix[r * mw + j];
      const p = w * amin;
      const q = w * amax;
      l += Math.min(p, q);
      h += Math.max(p, q);
    }
    lo.push(l);
    hi.push(h);
  }
  return { lo, hi };
}
