/**
 * Automatic folding (language.md §6), FINN's SetFolding asked of the descriptors: for each
 * engine whose layer has no `fold(…)` under a target with `fps >=`, the legal fold with the
 * fewest PE·SIMD lanes (what LUTs scale with) whose cycles per frame — window generator
 * included — meet the target, and on a tie the larger SIMD (SetFolding raises SIMD before
 * PE). When no fold meets it, the fastest one (then the fewest lanes).
 */
import { targetCyclesOf } from '../model/folding.js';
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
  for (const f of d.legalFolds(e)) {
    const cycles = d.timing(atFold(e, f)).cycles;
    if (!fastest || cycles < fastest.cycles || (cycles === fastest.cycles && f.pe * f.simd < fastest.pe * fastest.simd))
      fastest = { ...f, cycles, met: false };
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
    changed = true;
  }
  if (changed) rebuildEngines(net);
}
