/** Legal folds (PE, SIMD) of the language (language.md §6); auto-folding asks the engine descriptors (engines/auto-fold.ts). */
import type { Network } from './types.js';

export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/**
 * SIMD values the window generator can feed for a conv: a divisor of Cin, or a multiple
 * of Cin that divides K·Cin (whole kernel positions per word). For dense: divisors of MW.
 */
export function validSimds(mw: number, cin?: number): number[] {
  if (cin === undefined) return divisors(mw);
  return divisors(mw).filter((s) => cin % s === 0 || (s % cin === 0 && mw % s === 0));
}

export function validPes(mh: number): number[] {
  return divisors(mh);
}

/** The `count` legal values closest to `value`, ascending. */
export function nearest(valid: number[], value: number, count = 3): number[] {
  return [...valid]
    .sort((a, b) => Math.abs(a - value) - Math.abs(b - value) || a - b)
    .slice(0, count)
    .sort((a, b) => a - b);
}

/** Target cycles per frame from `fps >=` (undefined without one). */
export function targetCyclesOf(net: Network): number | undefined {
  const t = net.target;
  return t?.fps && t.clockHz ? Math.floor(t.clockHz / t.fps) : undefined;
}
