/**
 * The requantizer's fixed-point scale (language.md §3): s > 0 becomes an integer
 * multiplier M of at most `mbits` bits and a shift S, with M/2^S the closest such value to s.
 */

export interface FixedScale {
  multiplier: number;
  shift: number;
  /** (M/2^S − s) / s */
  relError: number;
}

/** Largest shift considered; keeps acc·M + 2^(S−1) well inside exact integer range. */
export const MAX_SHIFT = 40;

const fixedCache = new Map<string, FixedScale>();

/** Memoised: a network repeats the same few scales over many channels and keystrokes. */
export function fixedPointScale(scale: number, mbits: number): FixedScale {
  const key = `${scale}/${mbits}`;
  let hit = fixedCache.get(key);
  if (!hit) {
    hit = searchFixedPointScale(scale, mbits);
    if (fixedCache.size > 4096) fixedCache.clear();
    fixedCache.set(key, hit);
  }
  return hit;
}

function searchFixedPointScale(scale: number, mbits: number): FixedScale {
  let best: FixedScale | undefined;
  const mmax = 2 ** mbits - 1;
  for (let shift = 0; shift <= MAX_SHIFT; shift++) {
    const m = Math.round(scale * 2 ** shift);
    if (m > mmax) break;
    if (m < 1) continue;
    const err = Math.abs(m / 2 ** shift - scale);
    // Strictly better only: ties keep the smaller shift.
    if (!best || err < Math.abs(best.relError * scale)) {
      best = { multiplier: m, shift, relError: (m / 2 ** shift - scale) / scale };
    }
  }
  if (!best) {
    // s below 2^−MAX_SHIFT or ≥ 2^mbits: the nearest representable value.
    const shift = scale < 1 ? MAX_SHIFT : 0;
    const m = Math.min(mmax, Math.max(1, Math.round(scale * 2 ** shift)));
    best = { multiplier: m, shift, relError: (m / 2 ** shift - scale) / scale };
  }
  return best;
}

/** y = clamp(((acc·M + 2^(S−1)) >> S) + z, lo, hi), with a flooring shift and no rounding term when S = 0. */
export function requantValue(acc: number, m: number, s: number, zero: number, lo: number, hi: number): number {
  const prod = BigInt(acc) * BigInt(m) + (s > 0 ? 1n << BigInt(s - 1) : 0n);
  const shifted = Number(prod >> BigInt(s)) + zero;
  return Math.min(hi, Math.max(lo, shifted));
}
