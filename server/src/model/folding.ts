/** Legal folds (PE, SIMD) and FINN-style automatic folding. */
import { mvauCycles, streamingCycles } from '../cost/cycles.js';
import { buildEngines } from './engines.js';
import type { MvauLayer, Network } from './types.js';
import { product } from './shape.js';

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

export interface AutoFold {
  pe: number;
  simd: number;
  cycles: number;
  met: boolean;
}

/**
 * Automatic folding (language.md §6): among the legal (PE, SIMD) whose cycles per frame
 * meet `targetCycles`, the cheapest — the fewest PE·SIMD lanes, which is what LUTs scale
 * with — and on a tie the larger SIMD (FINN's SetFolding raises SIMD before PE). When no
 * fold meets the target, the fastest one (PE = MH, SIMD = the largest legal).
 */
export function autoFoldMvau(mh: number, mw: number, pixels: number, targetCycles: number, cin?: number): AutoFold {
  const simds = validSimds(mw, cin);
  let best: AutoFold | undefined;
  for (const pe of validPes(mh)) {
    for (const simd of simds) {
      const cycles = mvauCycles(mh, mw, pe, simd, pixels);
      if (cycles > targetCycles) continue;
      if (!best || pe * simd < best.pe * best.simd || (pe * simd === best.pe * best.simd && simd > best.simd)) {
        best = { pe, simd, cycles, met: true };
      }
    }
  }
  if (best) return best;
  const simd = simds[simds.length - 1];
  return { pe: mh, simd, cycles: mvauCycles(mh, mw, mh, simd, pixels), met: false };
}

/** requant / threshold / maxpool: raise PE through the divisors of the channel count. */
export function autoFoldStreaming(shape: number[], targetCycles: number): AutoFold {
  const channels = shape[shape.length - 1];
  const elements = product(shape);
  let pe = 1;
  for (const p of validPes(channels)) {
    pe = p;
    const c = streamingCycles(elements, p);
    if (c <= targetCycles) return { pe: p, simd: 1, cycles: c, met: true };
  }
  return { pe, simd: 1, cycles: streamingCycles(elements, pe), met: false };
}

/** Target cycles per frame from `fps >=` (undefined without one). */
export function targetCyclesOf(net: Network): number | undefined {
  const t = net.target;
  return t?.fps && t.clockHz ? Math.floor(t.clockHz / t.fps) : undefined;
}

/** Chooses the folds of layers marked 'auto' by elaboration, then rebuilds the engines. */
export function autoFoldNetwork(net: Network): void {
  const target = targetCyclesOf(net);
  if (target === undefined) return;
  let changed = false;
  for (const l of net.layers) {
    if (l.foldSource !== 'auto' || ('fusedInto' in l && l.fusedInto)) continue;
    if (l.op === 'conv1d' || l.op === 'conv2d' || l.op === 'dense') {
      const mv = l as MvauLayer;
      const af = autoFoldMvau(mv.mh, mv.mw, mv.pixels, target, mv.op === 'dense' ? undefined : mv.inShape[mv.inShape.length - 1]);
      mv.pe = af.pe;
      mv.simd = af.simd;
    } else l.pe = autoFoldStreaming(l.inShape, target).pe;
    changed = true;
  }
  if (changed) net.engines = buildEngines(net);
}
