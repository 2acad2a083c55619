/**
 * Automatic folding (language.md §6), FINN's SetFolding asked of the descriptors: for each
 * engine whose layer has no `fold(…)` under a target with `fps >=`, the legal fold with the
 * fewest PE·SIMD lanes (what LUTs scale with) whose cycles per frame — window generator
 * included — meet the target, and on a tie the larger SIMD (SetFolding raises SIMD before
 * PE). Past one pixel per cycle (the target needs more than the full fold gives), the
 * full fold at the smallest legal MMV that meets it (M copies of the lanes: cheapest
 * first). When nothing meets it, the fastest (then the fewest lanes).
 */
import { legalMmvs, mmvBaseFold, targetCyclesOf } from '../model/folding.js';
import type { Engine, Network } from '../model/types.js';
import type { Fold } from './descriptor.js';
import { atFold, descriptorOf, rebuildEngines } from './registry.js';

export interface AutoFold extends Fold {
  cycles: number;
  met: boolean;
}

export function autoFoldEngine(e: Engine, targetCycles: number): AutoFold {
  const d = descriptorOf(e);
  let best: AutoFold | undefined;
  let fastest: AutoFold | undefined;
  for (const f of d.legalFolds(e)) {
    const lanes = f.pe * f.simd;
    if (best && lanes > best.pe * best.simd) continue;
    // The compute's cycles bound the engine's from below: skip the timing when they already miss.
    const cycles = d.computeCycles(e, f) > targetCycles ? Infinity : d.timing(atFold(e, f)).cycles;
    if (cycles <= targetCycles) {
      if (!best || lanes < best.pe * best.simd || (lanes === best.pe * best.simd && f.simd > best.simd)) best = { ...f, cycles, met: true };
    }
  }
  if (best) return best;
  const base = mmvBaseFold(e.layer);
  const wider: Fold[] = legalMmvs(e.layer)
    .values.filter((m) => m > 1)
    .map((mmv) => ({ ...base, mmv }));
  for (const f of wider) {
    const cycles = d.timing(atFold(e, f)).cycles;
    if (cycles <= targetCycles) return { ...f, cycles, met: true };
  }
  for (const f of [...d.legalFolds(e), ...wider]) {
    const cycles = d.timing(atFold(e, f)).cycles;
    if (!fastest || cycles < fastest.cycles || (cycles === fastest.cycles && f.pe * f.simd < fastest.pe * fastest.simd))
      fastest = { ...f, cycles, met: false };
    else if (cycles === fastest.cycles && (f.mmv ?? 1) < (fastest.mmv ?? 1)) fastest = { ...f, cycles, met: false };
  }
  return fastest!;
}

/** Chooses the folds of the layers elaboration marked 'auto', then rebuilds the engines. */
export function autoFoldNetwork(net: Network): void {
  const target = targetCyclesOf(net);
  if (target === undefined) return;
  let changed = false;
  for (const e of net.engines) {
    if (e.layer.foldSource !== 'auto') continue;
    const f = autoFoldEngine(e, target);
    e.layer.pe = f.pe;
    if (descriptorOf(e).foldArgs.includes('simd')) e.layer.simd = f.simd;
    e.layer.mmv = f.mmv ?? 1;
    changed = true;
  }
  if (changed) rebuildEngines(net);
}
