/** Shared helpers of the engine tests: a seeded generator for random cases and a job limiter. */
import { typeMax, typeMin } from '../../../server/src/model/qtype.js';
import type { Activation, QType } from '../../../server/src/model/types.js';

/** mulberry32: a small seeded generator for test cases (not the weights' generator). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** Runs at most n jobs at once (simulator builds are CPU-bound; the machine has 2 cores). */
export function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((res) => queue.push(res));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * A random requant of `channels` channels for inputs in [lo, hi]: multipliers of up to
 * `mbits` bits (now and then the largest), each shift within ±3 of the one that maps the
 * input range onto the output's, clamped to what `shiftBits` can hold.
 */
export function randomRequant(
  r: () => number,
  o: {
    channels: number;
    lo: number;
    hi: number;
    out: QType;
    mbits: number;
    shiftBits: number;
    zero: number;
    /** One S for every channel: this one, or 'shared' (channel 0's random S). */
    shift?: number | 'shared';
  },
): Activation {
  const outRange = typeMax(o.out) - typeMin(o.out) + 1;
  const mag = Math.max(1, -o.lo, o.hi);
  const multipliers: number[] = [];
  const shifts: number[] = [];
  for (let ch = 0; ch < o.channels; ch++) {
    const m = r() < 0.1 ? 2 ** o.mbits - 1 : int(r, 1, 2 ** o.mbits - 1);
    const s0 = Math.round(Math.log2((mag * m) / outRange));
    multipliers.push(m);
    const s = Math.max(0, Math.min(2 ** o.shiftBits - 1, 40, s0 + int(r, -3, 3)));
    shifts.push(typeof o.shift === 'number' ? o.shift : o.shift === 'shared' && ch > 0 ? shifts[0]! : s);
  }
  return {
    kind: 'requant',
    scales: multipliers.map((m, i) => m / 2 ** shifts[i]!),
    multipliers,
    shifts,
    zero: o.zero,
    mbits: o.mbits,
    out: o.out,
  };
}

/**
 * Random sorted thresholds, `count` per channel: most within ±1 of a value from `near`
 * (so outputs spread), a few below `lo` or above `hi` by up to `outside`.
 */
export function randomThresholds(
  r: () => number,
  o: { channels: number; count: number; lo: number; hi: number; near: readonly number[]; outside: number; out: QType; bias?: number },
): Activation {
  const thresholds: number[][] = [];
  for (let ch = 0; ch < o.channels; ch++) {
    const ts: number[] = [];
    for (let i = 0; i < o.count; i++) {
      const u = r();
      if (u < 0.08) ts.push(o.lo - int(r, 0, o.outside));
      else if (u < 0.16) ts.push(o.hi + int(r, 0, o.outside));
      else ts.push(pick(r, o.near) + int(r, -1, 1));
    }
    thresholds.push(ts.sort((a, b) => a - b));
  }
  return { kind: 'threshold', thresholds, bias: o.bias ?? 0, out: o.out };
}
