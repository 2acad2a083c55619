/**
 * Diagnostics that come from the estimate (language.md §5):
 * - QNN050 error, one per resource (LUT, FF, BRAM18, DSP) over the device's capacity, on
 *   `target`, naming the largest consumers.
 * - QNN051 warning, `fps >=` not met: on the bottleneck layer's name (where the fix is
 *   made — its fold), naming its cycles and the cheapest legal fold of it that meets the
 *   target (or the fastest, when none does).
 * - QNN043 info, a width converter is inserted: on the consumer layer's name, with the
 *   converter's widths and cost.
 * - QNN044 hint, an over-provisioned layer: only for explicit folds; a fold with fewer
 *   PE·SIMD whose cycles stay within the network's II, with fewer LUTs and no more BRAM or
 *   DSPs (counting the engine, the converters on both of its streams and its output FIFO).
 *   The cheapest such fold (fewest LUTs) is offered; on `fold(…)`, data = { pe, simd,
 *   lutSaved, … } (simd is null for maxpool/requant/threshold, whose fold takes only pe).
 */
import { streamLinks } from '../model/engines.js';
import { legalMmvs, mmvBaseFold, targetCyclesOf } from '../model/folding.js';
import type { Fold } from '../engines/descriptor.js';
import { atFold, descriptorOf, foldText } from '../engines/registry.js';
import { fifoDescriptor } from '../engines/fifo.js';
import { typeName } from '../model/qtype.js';
import type { Network, QnnDiagnostic } from '../model/types.js';
import { engineCost } from './engine-cost.js';
import type { Estimate } from './estimate.js';
import {
  addResources,
  capacityUse,
  networkFabric,
  RESOURCE_KEYS,
  zeroResources,
  type Fabric,
  type Family,
  type ResourceKey,
  type Resources,
} from './fabric.js';
import { converterOf, fifoOf, linkBetween } from './links.js';
import { utilisation } from './utilisation.js';

export function costDiagnostics(net: Network, est: Estimate): QnnDiagnostic[] {
  const fab = networkFabric(net);
  return [...deviceFit(net, est), ...frameRate(net, est, fab), ...converters(net, est), ...overProvisioned(net, est, fab)];
}

// ---- formatting ---------------------------------------------------------------------------

/** 12345 → "12,345" (no locale dependence); non-integers keep one decimal. */
export function fmt(n: number): string {
  const s = Number.isInteger(n) ? String(n) : n.toFixed(1);
  const [int, frac] = s.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

/** Frames/s for a message: whole frames (rounded down, so a miss never prints as the target) from 100 up. */
function fmtFps(n: number): string {
  return n >= 100 ? fmt(Math.floor(n)) : fmt(n);
}

/** "1 cycle", "1,024 cycles". */
function cycles(n: number): string {
  return `${fmt(n)} cycle${n === 1 ? '' : 's'}`;
}

const LABELS: Record<Family, Record<ResourceKey, string>> = {
  xilinx: { lut: 'LUTs', ff: 'FFs', bram18: 'BRAM18s', dsp: 'DSPs' },
  ice40: {
    lut: 'logic cells (LUT4s and flip-flops as nextpnr packs them)',
    ff: 'flip-flops',
    bram18: 'EBRs (4 kbit)',
    dsp: 'SB_MAC16 DSPs',
  },
};

// ---- QNN050: device fit --------------------------------------------------------------------

function deviceFit(net: Network, est: Estimate): QnnDiagnostic[] {
  if (!net.target || !est.target.device_known) return [];
  const out: QnnDiagnostic[] = [];
  // Names and percentages as every view words them (utilisation.ts).
  for (const { resource: k, label, used, capacity: cap, over, pct_text } of utilisation(est).resources) {
    if (cap === null || !over) continue;
    // In the unit the capacity counts (iCE40 logic cells for `lut`).
    const fill = (r: Resources): number => capacityUse(r, k, est.target.family);
    const consumers = [
      ...est.layers.filter((l) => l.fused_into === null).map((l) => ({ name: `'${l.name}'`, value: fill(l) })),
      { name: 'width converters', value: fill(addResources(zeroResources(), ...est.converters)) },
      { name: 'FIFOs', value: fill(addResources(zeroResources(), ...est.fifos)) },
    ]
      .filter((c) => c.value > 0)
      .sort((a, b) => b.value - a.value)
      .slice(0, 3);
    const pct = cap > 0 ? pct_text : 'the device has none';
    out.push({
      code: 'QNN050',
      severity: 'error',
      message:
        `estimated ${fmt(used)} ${label} exceed ${est.target.device}'s ${fmt(cap)} (${pct})` +
        (consumers.length ? `: largest ${consumers.map((c) => `${c.name} ${fmt(c.value)}`).join(', ')}` : ''),
      range: net.target.range,
      data: { resource: k, estimate: used, capacity: cap, largest: consumers },
    });
  }
  return out;
}

// ---- local cost of an engine at another fold ----------------------------------------------------

interface FoldOption extends Resources {
  pe: number;
  simd: number;
  mmv: number;
  cycles: number;
}

/**
 * The engine at a fold with what changes with it: its own resources, the width converters
 * on both of its streams, and the FIFO in front of it (which holds its input words, at
 * the depth the schedule gave it).
 */
function evaluateFold(net: Network, est: Estimate, i: number, f: Fold, fab: Fabric): FoldOption {
  const e = atFold(net.engines[i], f);
  const c = engineCost(e, fab);
  const parts: Resources[] = [c.total];
  const prev = net.engines[i - 1];
  const next = net.engines[i + 1];
  if (prev) {
    const link = linkBetween(prev, e);
    const depth = est.fifos[i - 1]?.depth ?? fifoDescriptor.minDepth();
    parts.push(converterOf(link, fab) ?? zeroResources(), fifoOf(link, fab, depth));
  }
  if (next) parts.push(converterOf(linkBetween(e, next), fab) ?? zeroResources());
  const r = addResources(...parts);
  return { pe: f.pe, simd: f.simd, mmv: f.mmv ?? 1, cycles: c.cycles, lut: r.lut, ff: r.ff, bram18: r.bram18, dsp: r.dsp };
}

// ---- QNN051: frame rate -------------------------------------------------------------------------

/**
 * Past the fastest fold of the bottleneck: the lanes (copies of the pipeline, each on its
 * own stream) that would meet `fps >=` with every engine at its fastest, and whether the
 * device holds them — or which resource ends it. Counted from the lanes as they are now
 * (frames/s and resources of one lane), so it is what it takes at the current folds.
 */
function lanesAdvice(est: Estimate, fps: number, clockHz: number): string {
  const lanesNow = est.lanes;
  const perLane = est.fps_per_lane;
  if (!(perLane > 0) || !(clockHz > 0)) return ' Raise the clock or lower the target.';
  const needed = Math.ceil(fps / perLane);
  if (needed <= lanesNow) return ' Raise the clock or lower the target.';
  const oneLane = (k: ResourceKey): number => capacityUse(est.totals, k, est.target.family) / lanesNow;
  const short = RESOURCE_KEYS.filter((k) => est.device_capacity[k] !== null && oneLane(k) * needed > est.device_capacity[k]!);
  const lanesText = `\`lanes ${needed}\` (${needed} copies of the pipeline as it is now, each on its own stream)`;
  if (short.length === 0) return ` ${lanesText} would meet it and the device holds them; or raise the clock.`;
  const k = short[0]!;
  return ` ${lanesText} would meet it, but the device does not hold them: its ${LABELS[est.target.family][k]} run out (${fmt(Math.round(oneLane(k) * needed))} of ${fmt(est.device_capacity[k]!)}). Raise the clock, or lower the target.`;
}

function frameRate(net: Network, est: Estimate, fab: Fabric): QnnDiagnostic[] {
  const t = net.target;
  if (!t?.fps || !est.bottleneck || est.ii_cycles <= 0 || est.fps >= t.fps) return [];
  const idx = net.engines.findIndex((e) => e.name === est.bottleneck!.engine);
  if (idx < 0) return [];
  const e = net.engines[idx];
  const targetCycles = targetCyclesOf(net) ?? 0; // 0 without a clock
  // Past one pixel per cycle: the full fold at every legal MMV.
  const base = mmvBaseFold(e.layer);
  const wider: Fold[] = legalMmvs(e.layer)
    .values.filter((m) => m > 1)
    .map((mmv) => ({ ...base, mmv }));
  const options = [...descriptorOf(e).legalFolds(e), ...wider].map((f) => evaluateFold(net, est, idx, f, fab));
  const meeting = options
    .filter((o) => o.cycles <= targetCycles)
    .sort((a, b) => a.lut - b.lut || a.mmv * a.pe * a.simd - b.mmv * b.pe * b.simd || a.pe - b.pe);
  const fastest = [...options].sort((a, b) => a.cycles - b.cycles || a.lut - b.lut || a.pe - b.pe)[0];
  const pick = meeting[0] ?? fastest;
  const met = meeting.length > 0;
  const name = e.layer.name;
  let advice: string;
  if (!pick) advice = '';
  else if (met)
    advice = ` ${foldText(e, pick)} would take ${cycles(pick.cycles)} (about ${fmt(pick.lut)} ${LABELS[est.target.family].lut} with its streams).`;
  else
    advice = ` No legal fold of '${name}' reaches it (the fastest, ${foldText(e, pick)}, takes ${cycles(pick.cycles)}).${lanesAdvice(est, t.fps, t.clockHz)}`;
  const others = est.layers
    .filter((l) => l.fused_into === null && l.engine !== e.name && l.cycles > targetCycles)
    .map((l) => `'${l.name}' (${fmt(l.cycles)})`);
  const also = others.length ? ` Also over ${cycles(targetCycles)}: ${others.join(', ')}.` : '';
  return [
    {
      code: 'QNN051',
      severity: 'warning',
      message:
        `${fmtFps(est.fps)} frames/s misses fps >= ${fmt(t.fps)}: the bottleneck '${name}' takes ${cycles(est.bottleneck.cycles)} per frame, ` +
        `and ${fmt(est.target.clock_mhz)} MHz${est.lanes > 1 ? ` with ${est.lanes} lanes` : ''} needs at most ${fmt(targetCycles)}.${advice}${also}`,
      range: e.layer.ranges.name,
      data: {
        fps: est.fps,
        fpsTarget: t.fps,
        bottleneck: name,
        cycles: est.bottleneck.cycles,
        targetCycles,
        suggestion: pick
          ? { pe: pick.pe, simd: descriptorOf(e).foldArgs.includes('simd') ? pick.simd : null, mmv: pick.mmv, cycles: pick.cycles, met }
          : null,
      },
    },
  ];
}

// ---- QNN043: width converters ----------------------------------------------------------------------

function converters(net: Network, est: Estimate): QnnDiagnostic[] {
  const out: QnnDiagnostic[] = [];
  const byName = new Map(net.layers.map((l) => [l.name, l]));
  const engines = new Map(net.engines.map((e) => [e.name, e]));
  for (const link of streamLinks(net)) {
    if (!link.needsConverter) continue;
    const consumer = byName.get(link.to);
    const c = est.converters.find((x) => x.from === link.from && x.to === link.to);
    const producer = engines.get(link.from);
    if (!consumer || !c || !producer) continue;
    const t = typeName(producer.outType);
    out.push({
      code: 'QNN043',
      severity: 'info',
      message:
        `width converter inserted: '${link.from}' writes ${link.producerElems} × ${t} = ${c.in_bits}-bit words, ` +
        `'${link.to}' reads ${link.consumerElems} × ${t} = ${c.out_bits}-bit words; it costs about ${fmt(c.lut)} ${LABELS[est.target.family].lut} and ${fmt(c.ff)} ${LABELS[est.target.family].ff}` +
        ` (none is needed when '${link.from}' writes as many elements per word as '${link.to}' reads)`,
      range: consumer.ranges.name,
      data: { from: link.from, to: link.to, inBits: c.in_bits, outBits: c.out_bits, lut: c.lut, ff: c.ff },
    });
  }
  return out;
}

// ---- QNN044: over-provisioned folds -------------------------------------------------------------------

function overProvisioned(net: Network, est: Estimate, fab: Fabric): QnnDiagnostic[] {
  const out: QnnDiagnostic[] = [];
  const ii = est.ii_cycles;
  if (ii <= 0) return out;
  net.engines.forEach((e, i) => {
    const l = e.layer;
    if (l.foldSource !== 'explicit' || !l.ranges.fold) return;
    const lanes = e.pe * e.simd;
    // Cheap first: a fold whose compute alone exceeds the II can never keep the frame rate
    // (most layers of a balanced network have no candidate, and cost nothing more here).
    const d = descriptorOf(e);
    // With MMV M > 1 the fold is full (QNN046): the candidates are the smaller legal M.
    const candidates: Fold[] =
      e.mmv > 1
        ? legalMmvs(l)
            .values.filter((m) => m < e.mmv)
            .map((mmv) => ({ pe: e.pe, simd: e.simd, mmv }))
        : d.legalFolds(e).filter((f) => f.pe * f.simd < lanes && d.computeCycles(e, f) <= ii);
    if (candidates.length === 0) return;
    const cur = evaluateFold(net, est, i, e, fab);
    const best = candidates
      .map((f) => evaluateFold(net, est, i, f, fab))
      .filter((o) => o.cycles <= ii && o.lut < cur.lut && o.bram18 <= cur.bram18 && o.dsp <= cur.dsp)
      .sort((a, b) => a.lut - b.lut || a.mmv * a.pe * a.simd - b.mmv * b.pe * b.simd || a.pe - b.pe)[0];
    if (!best) return;
    const lutSaved = cur.lut - best.lut;
    const text = foldText(e, best);
    const bn = est.bottleneck?.layer ?? '';
    out.push({
      code: 'QNN044',
      severity: 'hint',
      message:
        `'${l.name}' is over-provisioned: ${text} keeps the frame rate (${cycles(best.cycles)} per frame, ` +
        `within the II of ${fmt(ii)} set by '${bn}') and saves about ${fmt(lutSaved)} ${LABELS[est.target.family].lut}`,
      range: l.ranges.fold,
      data: {
        pe: best.pe,
        simd: d.foldArgs.includes('simd') ? best.simd : null,
        lutSaved,
        fold: text,
        cycles: best.cycles,
        ii,
        bottleneck: bn,
      },
    });
  });
  return out;
}
