/**
 * Deterministic random weights for `weights=T(random, seed=s)`.
 *
 * CONTRACT. The same seed gives the same values in every run, on every
 * machine and every Node version: only 32-bit integer arithmetic is used
 * (Math.imul, shifts, `>>> 0`), never Math.random or floating point. Changing
 * anything below changes users' weights; the golden values in
 * test/unit/random.test.ts pin it.
 *
 * ALGORITHM (all arithmetic mod 2^32, on unsigned 32-bit words):
 *
 * 1. Seeding. The seed is an integer 0 ≤ s < 2^32. Four state words s0..s3
 *    are the first four outputs of splitmix32 started at x = s:
 *        x = x + 0x9E3779B9
 *        z = x
 *        z = (z ^ (z >>> 16)) * 0x85EBCA6B
 *        z = (z ^ (z >>> 13)) * 0xC2B2AE35
 *        z =  z ^ (z >>> 16)          → next state word
 *    (the finalizer is a bijection, so at most one word is 0 and the state
 *    is never all zero.)
 *
 * 2. Generator: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/).
 *    Each nextU32():
 *        result = rotl(s1 * 5, 7) * 9
 *        t  = s1 << 9
 *        s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3
 *        s2 ^= t;   s3 = rotl(s3, 11)
 *        return result
 *
 * 3. Integers in [lo, hi] (inclusive), by rejection so there is no modulo
 *    bias. With n = hi − lo + 1:
 *      - n ≤ 2^32: draw u = nextU32(); accept if u < limit where
 *        limit = floor(2^32 / n) · n, else draw again; return lo + (u mod n).
 *      - 2^32 < n ≤ 2^53: the same with 53-bit draws
 *        u = (nextU32() >>> 11) · 2^32 + nextU32() and limit = floor(2^53 / n) · n.
 *    Every call draws at least once, also when lo = hi.
 *
 * 4. randomValues(seed, count, lo, hi) = count successive intInRange(lo, hi)
 *    from one fresh generator. A weight tensor takes its values in C order
 *    (row-major) of its PyTorch/ONNX layout (spec §4), each the element
 *    intInRange(0, len − 1) of the type's values in ascending order — for
 *    iB/uB that equals intInRange(min, max); for pow2<N> the list is
 *    −2^k … −1, 0, 1 … 2^k and for bipolar it is −1, +1 (see `choice`).
 *
 * Reference implementation in Python (gives the same numbers):
 *
 *     M = 0xFFFFFFFF
 *     def rotl(x, k): return ((x << k) | (x >> (32 - k))) & M
 *     def state(seed):
 *         x, s = seed, []
 *         for _ in range(4):
 *             x = (x + 0x9E3779B9) & M
 *             z = ((x ^ (x >> 16)) * 0x85EBCA6B) & M
 *             z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M
 *             s.append(z ^ (z >> 16))
 *         return s
 *     def next_u32(s):
 *         r = (rotl((s[1] * 5) & M, 7) * 9) & M
 *         t = (s[1] << 9) & M
 *         s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
 *         s[2] ^= t; s[3] = rotl(s[3], 11)
 *         return r
 *     def int_in_range(s, lo, hi):   # ranges up to 2^32 values
 *         n = hi - lo + 1
 *         limit = (2**32 // n) * n
 *         while True:
 *             u = next_u32(s)
 *             if u < limit: return lo + u % n
 */

const TWO32 = 2 ** 32;
const TWO53 = 2 ** 53;

/** Largest accepted seed. */
export const MAX_SEED = TWO32 - 1;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed an integer in 0 ..= 2^32 − 1 */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
    }
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /**
   * A generator with the given xoshiro128** state (not all zero), skipping the
   * seeding step. For checking against the published test vectors.
   */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    if (state.every((w) => w >>> 0 === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    const rng = new SeededRandom(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    return rng;
  }

  /** The next 32-bit word, an integer in 0 ..= 2^32 − 1 (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in lo ..= hi (both inclusive; at most 2^53 values). */
  intInRange(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) {
      throw new RangeError(`intInRange needs integers lo <= hi, got ${lo}, ${hi}`);
    }
    const n = hi - lo + 1;
    if (n <= TWO32) {
      // Rejection sampling: drop the last TWO32 mod n words so every residue
      // is equally likely. At most half the draws are rejected.
      const limit = Math.floor(TWO32 / n) * n;
      for (;;) {
        const u = this.nextU32();
        if (u < limit) return lo + (u % n);
      }
    }
    if (n > TWO53) throw new RangeError(`intInRange: range ${lo}..${hi} holds more than 2^53 values`);
    const limit = Math.floor(TWO53 / n) * n;
    for (;;) {
      const u = (this.nextU32() >>> 11) * TWO32 + this.nextU32();
      if (u < limit) return lo + (u % n);
    }
  }

  /** One element of `values`, uniformly (index by intInRange(0, length − 1)). */
  choice<T>(values: readonly T[]): T {
    if (values.length === 0) throw new RangeError('choice from an empty list');
    return values[this.intInRange(0, values.length - 1)] as T;
  }
}

/** `count` uniform integers in lo ..= hi from a fresh generator seeded with `seed`. */
export function randomValues(seed: number, count: number, lo: number, hi: number): number[] {
  const rng = new SeededRandom(seed);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = rng.intInRange(lo, hi);
  return out;
}
