/**
 * Multiplier allocation (hardware.md §4, FINN's `resType`): where each MVAU's multipliers
 * go. `mul=dsp` leaves them to synthesis' DSP rule (a product too narrow for a DSP stays in
 * LUTs); `mul=lut` builds every one from LUTs (the template's MUL_LUT). `mul=auto`, the
 * default, is `dsp` until the network needs more DSP blocks than one lane of the device
 * has: then the `auto` layers move to LUTs that free enough DSPs for the fewest added LUTs
 * (an exhaustive choice for up to 14 such layers, cheapest per DSP freed first beyond), and
 * each gets a QNN048 info. What is still over after every `auto` layer moved is QNN050's.
 * Stand-alone requant engines take no `mul=`: they are `auto`, candidates like the MVAUs.
 *
 * QNN047 warns where `mul=` cannot do what it says: a layer without multipliers (pow2 or
 * bipolar weights and no fused requant), `mul=dsp` on a device without DSP blocks, or
 * products too narrow for the DSP mapping.
 */
import { fmt } from '../cost/checks.js';
import { engineCost, type EngineCost } from '../cost/engine-cost.js';
import { fabricOf, type Fabric } from '../cost/fabric.js';
import { dspMappingOf } from '../cost/resources.js';
import { findDevice } from '../device/devices.js';
import { isMvau } from '../model/engines.js';
import { typeName } from '../model/qtype.js';
import type { ActivationLayer, Engine, MvauLayer, Network, QnnDiagnostic } from '../model/types.js';

/** Whether the engine has multipliers at all: int × int MAC lanes, a fused or a stand-alone requant. */
export function hasMultipliers(e: Engine): boolean {
  if (e.kind === 'requant') return true;
  if (!isMvau(e.layer)) return false;
  const l = e.layer;
  const intLanes = l.weights.type.kind !== 'pow2' && l.weights.type.kind !== 'bipolar' && l.inType.kind !== 'bipolar';
  return intLanes || e.activation?.kind === 'requant';
}

/** The layer that carries an engine's multiplier choice: an MVAU's, or a stand-alone requant's. */
type MulLayer = MvauLayer | ActivationLayer;

/** DSPs and LUTs of an engine with its multipliers in DSPs (where they map) or in LUTs. */
function costAs(e: Engine, style: 'dsp' | 'lut', fab: Fabric): { dsp: number; lut: number } {
  const l = e.layer as MulLayer;
  const was = l.multipliers;
  l.multipliers = style;
  try {
    const t = engineCost(e, fab).total;
    return { dsp: t.dsp, lut: t.lut };
  } finally {
    l.multipliers = was;
  }
}

/** What the allocation decided beside the layers' `multipliers`. */
export interface MulAllocation {
  /** QNN047 (a `mul=` that cannot take effect) and QNN048 (a layer moved to LUTs). */
  diagnostics: QnnDiagnostic[];
  /**
   * Each engine's cost with its final multipliers, on the target's fabric: computed here to
   * count the DSPs, and handed to the estimate, which would compute the same again (half of
   * the cost model's time on a 500-layer file). Absent without a known device.
   */
  costs?: Map<Engine, EngineCost>;
}

/** Decides `multipliers` of every MVAU and stand-alone requant. */
export function allocateMultipliers(net: Network): MulAllocation {
  const mvaus = net.engines.filter((e) => isMvau(e.layer));
  const requants = net.engines.filter((e) => e.kind === 'requant');
  for (const e of mvaus) {
    const l = e.layer as MvauLayer;
    l.multipliers = l.mul === 'lut' ? 'lut' : 'dsp';
    l.mulMoved = undefined;
  }
  for (const e of requants) {
    const l = e.layer as ActivationLayer;
    l.multipliers = 'dsp';
    l.mulMoved = undefined;
  }
  const device = net.target ? findDevice(net.target.device) : undefined;
  if (!device) return { diagnostics: [] };
  const fab = fabricOf(device);
  const out: QnnDiagnostic[] = [...declaredChoices(mvaus, fab, device.name)];
  const lanes = net.target?.lanes ?? 1;
  const budget = Math.floor(device.dsp / lanes);
  const costs = new Map(net.engines.map((e) => [e, engineCost(e, fab)]));
  let total = [...costs.values()].reduce((s, c) => s + c.total.dsp, 0);
  if (total <= budget) return { diagnostics: out, costs };

  const need = total;
  // Every MVAU at mul=auto, and the stand-alone requants (which take no mul=: always auto).
  const candidates = [...mvaus.filter((e) => (e.layer as MvauLayer).mul === 'auto'), ...requants]
    .map((e) => {
      const dsp = costAs(e, 'dsp', fab);
      const lut = costAs(e, 'lut', fab);
      return { e, freed: dsp.dsp - lut.dsp, extraLut: lut.lut - dsp.lut };
    })
    .filter((c) => c.freed > 0)
    .sort((a, b) => a.extraLut / a.freed - b.extraLut / b.freed || a.e.layer.index - b.e.layer.index);
  const moved = chooseMoves(candidates, total - budget);
  for (const c of moved) {
    (c.e.layer as MulLayer).multipliers = 'lut';
    total -= c.freed;
    costs.set(c.e, engineCost(c.e, fab));
  }
  const perLane = lanes > 1 ? ` per lane (${lanes} lanes)` : '';
  const dspName = fab.family === 'ice40' ? 'SB_MAC16 DSPs' : 'DSPs';
  for (const c of moved) {
    const l = c.e.layer as MulLayer;
    l.mulMoved = true;
    out.push({
      code: 'QNN048',
      severity: 'info',
      message:
        `mul=auto: '${l.name}' multiplies in LUTs (+${fmt(c.extraLut)} LUTs, ${fmt(c.freed)} ${dspName} freed): ` +
        `the network needs ${fmt(need)} ${dspName}${perLane} and ${device.name} has ${fmt(budget)}` +
        (total > budget ? `; still ${fmt(total)} after every mul=auto layer moved (QNN050)` : ''),
      range: ('mul' in l ? l.ranges.mul : undefined) ?? l.ranges.name,
      data: { moved: true, extraLut: c.extraLut, freedDsp: c.freed },
    });
  }
  return { diagnostics: out, costs };
}

/** Exhaustive up to this many candidates (2^n subsets); greedy beyond. */
const EXACT_LIMIT = 14;

/**
 * The layers to move: among the subsets that free at least `excess` DSPs, the one adding
 * the fewest LUTs (then the fewest layers); every candidate when none frees enough.
 * Candidates come sorted cheapest per DSP first, which is also the greedy order used past
 * EXACT_LIMIT candidates.
 */
function chooseMoves<T extends { freed: number; extraLut: number }>(candidates: T[], excess: number): T[] {
  const freedAll = candidates.reduce((s, c) => s + c.freed, 0);
  if (freedAll <= excess) return candidates;
  if (candidates.length > EXACT_LIMIT) {
    const out: T[] = [];
    let left = excess;
    for (const c of candidates) {
      if (left <= 0) break;
      out.push(c);
      left -= c.freed;
    }
    return out;
  }
  let best = -1;
  let bestLut = Infinity;
  let bestCount = Infinity;
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    let freed = 0;
    let lut = 0;
    let count = 0;
    for (let i = 0; i < candidates.length; i++) {
      if (mask & (1 << i)) {
        freed += candidates[i].freed;
        lut += candidates[i].extraLut;
        count++;
      }
    }
    if (freed >= excess && (lut < bestLut || (lut === bestLut && count < bestCount))) {
      best = mask;
      bestLut = lut;
      bestCount = count;
    }
  }
  return candidates.filter((_, i) => best & (1 << i));
}

/** QNN047 warnings where a declared `mul=` cannot take effect. */
function declaredChoices(mvaus: Engine[], fab: Fabric, device: string): QnnDiagnostic[] {
  const out: QnnDiagnostic[] = [];
  for (const e of mvaus) {
    const l = e.layer as MvauLayer;
    if (l.mul === 'auto') continue;
    const warn = (message: string): void => {
      out.push({
        code: 'QNN047',
        severity: 'warning',
        message,
        range: l.ranges.mul ?? l.ranges.name,
        // The quick fix removes the argument.
        data: { mul: l.mul, argRange: l.ranges.mulArg ?? null },
      });
    };
    if (!hasMultipliers(e)) {
      const why = l.inType.kind === 'bipolar' ? 'a bipolar input' : `${typeName(l.weights.type)} weights`;
      warn(`mul=${l.mul} has no effect on '${l.name}': with ${why} and no fused requant it has no multipliers`);
      continue;
    }
    if (l.mul !== 'dsp') continue;
    if (!fab.dspAvailable) {
      warn(`mul=dsp has no effect on '${l.name}': ${device} has no DSP blocks, its multipliers are LUTs`);
    } else if (costAs(e, 'dsp', fab).dsp === 0) {
      const rule = dspMappingOf(fab);
      warn(
        `mul=dsp has no effect on '${l.name}': its ${typeName(l.weights.type)} × ${typeName(l.inType)} products are too narrow for a DSP ` +
          `(synthesis maps products of ${rule.minProductBits} bits or more), so they stay in LUTs`,
      );
    }
  }
  return out;
}
