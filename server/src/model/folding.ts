/** Legal folds (PE, SIMD) of the language (language.md §6); auto-folding asks the engine descriptors (engines/auto-fold.ts). */
import { isMvau } from './engines.js';
import type { LayerModel, Network } from './types.js';

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

/** Target cycles per frame of one lane from `fps >=` (the design's frames/s, shared by its `lanes`; undefined without one). */
export function targetCyclesOf(net: Network): number | undefined {
  const t = net.target;
  return t?.fps && t.clockHz ? Math.floor((t.clockHz * (t.lanes ?? 1)) / t.fps) : undefined;
}

/**
 * Legal MMV values of a layer (pixels per cycle, `fold(mmv=M)`), with the reason the list
 * is what it is. A conv's engine views M consecutive pixels of a row as one "super-pixel"
 * (its window generator then emits one super-window of M windows per cycle), so M divides
 * the row's input and output widths and the stride is 1. A max-pool with stride = kernel
 * pools whole windows of a row inside a word of M pixels (2-D: and merges K rows), so the
 * kernel divides M and M the row. An
 * elementwise requant / threshold takes any divisor of its pixels. Dense has one pixel.
 */
export function legalMmvs(m: LayerModel): { values: number[]; rule: string } {
  const px = (shape: number[]) => (shape.length > 1 ? shape[shape.length - 2] : 1);
  if (isMvau(m)) {
    if (m.op === 'dense') return { values: [1], rule: 'a dense layer computes one vector per frame' };
    if (m.stride.some((s) => s !== 1)) return { values: [1], rule: 'a conv with stride > 1 takes only mmv=1' };
    const w = px(m.inShape);
    const ow = px(m.outShape);
    return { values: divisors(gcd(w, ow)), rule: `M divides the row's input width ${w} and output width ${ow}` };
  }
  if (m.op === 'maxpool') {
    const k = m.kernel[0];
    if (m.stride.some((st) => st !== k) || m.kernel.some((kk) => kk !== k))
      return { values: [1], rule: 'only a max-pool with stride = kernel takes mmv > 1' };
    const w = m.kernel.length === 2 ? m.inShape[1] : m.inShape[0];
    return {
      values: divisors(w).filter((d) => d % k === 0 || d === 1),
      rule: `M is a multiple of the kernel ${k} that divides the row's ${w} pixels`,
    };
  }
  const pixels = m.outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { values: divisors(pixels), rule: `M divides the ${pixels} pixels` };
}

/** The fold an MMV > 1 needs first: one whole pixel per cycle (MVAU: NF = SF = 1; streaming engines: PE = channels). */
export function mmvBaseFold(m: LayerModel): { pe: number; simd: number } {
  if (isMvau(m)) return { pe: m.mh, simd: m.mw };
  const c = m.inShape[m.inShape.length - 1];
  return { pe: c, simd: c };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
