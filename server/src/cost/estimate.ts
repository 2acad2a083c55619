/**
 * The estimate of a network: cycles, frame interval, frames/s, latency, resources per layer
 * and in total, device capacity and the roofline. Every number a hover, diagnostic, view or
 * `qnn estimate --json` shows comes from here; `JSON.stringify(estimateNetwork(net))` IS
 * the CLI's JSON, so the keys are snake_case.
 *
 * Attribution: one entry per layer on the live chain. An MVAU's entry carries its whole
 * engine — window generator (convs) and fused requant/threshold included (`breakdown`
 * splits it); a fused activation has its own entry with `engine` = the MVAU's name,
 * `fused_into` set and zero resources, and the MVAU's `fused` lists it. Width converters
 * and FIFOs between engines are listed on their own (`converters`, `fifos`) and counted in
 * `totals`.
 */
import { isMvau, streamLinks } from '../model/engines.js';
import { hasMultipliers } from '../engines/mul-alloc.js';
import { typeName } from '../model/qtype.js';
import type { ActivationLayer, Engine, LayerModel, Network } from '../model/types.js';
import { findDevice } from '../device/devices.js';
import { engineCost, type EngineCost } from './engine-cost.js';
import {
  addResources,
  capacityUse,
  fabricOf,
  logicUse,
  RESOURCE_KEYS,
  scaleResources,
  zeroResources,
  type Family,
  type Resources,
} from './fabric.js';
import { product } from '../model/shape.js';
import { pipelineLatency, pipelineStages } from './latency.js';
import { fifoSchedule, scheduleCycles } from './fifo-sizing.js';
import { fifoDescriptor } from '../engines/fifo.js';
import { fifoName } from '../engines/names.js';
import { converterOf, fifoOf, type ConverterEstimate, type FifoEstimate } from './links.js';
import { computeRoofline } from './roofline.js';
import { ESTIMATE_SCHEMA_VERSION } from '../protocol/estimate.js';
import type { Estimate, LayerEstimate, ResourceCounts, ResourceMaybe } from '../protocol/estimate.js';

// The shapes live in the wire contract (protocol/estimate.ts); re-exported for the server's readers.
export type {
  ConverterEstimate,
  Estimate,
  FifoEstimate,
  LayerEstimate,
  ResourceCounts,
  ResourceMaybe,
  Roofline,
  RooflineLayer,
  StageTiming,
} from '../protocol/estimate.js';

export interface EstimateOptions {
  /**
   * FIFO depths that replace the schedule's, by FIFO instance name (`fifo_<from>_<to>`,
   * rtl/plan.ts): `qnn fifo-check` halves one FIFO at a time.
   */
  fifoOverrides?: Readonly<Record<string, number>>;
  /**
   * Engine-steps the FIFO schedule may take (default: no limit). Over it, and not cached,
   * the FIFOs are reported pending at the least depth (the editor's analysis runs the
   * schedule when idle and analyses again).
   */
  fifoBudgetSteps?: number;
  /**
   * The engines' costs where the caller has them, at their current fold and multipliers on
   * this network's fabric (mul-alloc's): used instead of computing them again.
   */
  engineCosts?: ReadonlyMap<Engine, EngineCost>;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Percent of the device per resource; the `lut` capacity is filled by `logicUse` (iCE40: packed logic cells). */
function pct(r: ResourceCounts, cap: ResourceMaybe, family: Family): ResourceMaybe {
  const out: ResourceMaybe = { lut: null, ff: null, bram18: null, dsp: null };
  for (const k of RESOURCE_KEYS) {
    const c = cap[k];
    const used = capacityUse(r, k, family);
    out[k] = c === null ? null : c > 0 ? round((100 * used) / c, 2) : used > 0 ? 100 : 0;
  }
  return out;
}

/** Where a layer's multipliers went (an MVAU's `mul=`, or a stand-alone requant: always auto). */
function multipliersOf(l: LayerModel): LayerEstimate['multipliers'] {
  if (isMvau(l)) return { declared: l.mul, in: l.multipliers, moved: l.mulMoved === true };
  const a = l as ActivationLayer;
  return { declared: 'auto', in: a.multipliers ?? 'dsp', moved: a.mulMoved === true };
}

export function estimateNetwork(net: Network, opts: EstimateOptions = {}): Estimate {
  const device = net.target ? findDevice(net.target.device) : undefined;
  const fab = fabricOf(device);
  const clockHz = net.target && net.target.clockHz > 0 ? net.target.clockHz : 0;
  const capacity: ResourceMaybe = device
    ? { lut: device.lut, ff: device.ff, bram18: device.bram18, dsp: device.dsp }
    : { lut: null, ff: null, bram18: null, dsp: null };

  const costs: EngineCost[] = net.engines.map((e) => opts.engineCosts?.get(e) ?? engineCost(e, fab));
  const links = streamLinks(net);
  const converters: ConverterEstimate[] = [];
  for (const link of links) {
    const c = converterOf(link, fab);
    if (c) converters.push(c);
  }

  // Frame interval: the slowest engine (converters are never slower than both neighbours,
  // but they are included so a model error there would show).
  let ii = 0;
  let bottleneckIdx = -1;
  costs.forEach((c, i) => {
    if (c.cycles > ii) {
      ii = c.cycles;
      bottleneckIdx = i;
    }
  });
  for (const c of converters) ii = Math.max(ii, c.cycles);
  // `lanes N`: N copies of the whole pipeline side by side, each on its own stream. Frames/s
  // and resources are the design's (all lanes); the layer table is one lane's.
  const lanes = net.target?.lanes ?? 1;
  const fpsPerLane = ii > 0 ? clockHz / ii : 0;
  const fps = fpsPerLane * lanes;
  const framePixels = net.input ? product(net.input.shape.slice(0, -1)) : 0;

  // The schedule's length from the latency at the least FIFO depths (a FIFO deeper than 2 adds a cycle).
  const shallow = pipelineLatency(pipelineStages(net, links, costs));

  // FIFO depths from the token schedule at this II (cost/fifo-sizing.ts): the same depths
  // the compiler builds, so the editor, `qnn estimate` and report.json show one total.
  const schedule = fifoSchedule(net, ii, scheduleCycles(shallow.cycles, ii), opts.fifoBudgetSteps);
  const fifos: FifoEstimate[] = links.map((link, i) => {
    const name = fifoName(link.from, link.to);
    const override = opts.fifoOverrides?.[name];
    if (schedule.status === 'pending') {
      const depth = override ?? fifoDescriptor.minDepth();
      const reason = `pending: the FIFO schedule (about ${schedule.steps.toExponential(1)} engine-steps) runs when the editor is idle`;
      return { ...fifoOf(link, fab, depth), name, depth_source: override === undefined ? 'pending' : 'override', max_occupancy: 0, reason };
    }
    const s = schedule.sizing[i];
    return {
      ...fifoOf(link, fab, override ?? s.depth),
      name,
      depth_source: override === undefined ? 'analysis' : 'override',
      max_occupancy: s.maxOccupancy,
      reason: override === undefined ? s.reason : `depth set to ${override} (the analysis gives ${s.depth}: ${s.reason})`,
    };
  });

  const latency = pipelineLatency(
    pipelineStages(
      net,
      links,
      costs,
      fifos.map((f) => f.depth),
    ),
  );

  const byName = new Map(net.layers.map((l) => [l.name, l]));
  const layers: LayerEstimate[] = [];
  net.engines.forEach((e, i) => {
    const c = costs[i];
    e.layers.forEach((name, j) => {
      const l = byName.get(name) ?? e.layer;
      const owner = j === 0;
      const res: ResourceCounts = owner ? c.total : zeroResources();
      const mv = owner && 'acc' in l ? l.acc : undefined;
      layers.push({
        name,
        op: l.op,
        engine: e.name,
        fused: owner ? e.layers.slice(1) : [],
        fused_into: owner ? null : e.name,
        fold_source: owner ? l.foldSource : e.layer.foldSource,
        pe: e.pe,
        simd: e.simd,
        mmv: e.mmv,
        multipliers: !owner || !hasMultipliers(e) ? null : multipliersOf(l),
        nf: c.nf,
        sf: c.sf,
        cycles: c.cycles,
        compute_cycles: c.computeCycles,
        window_cycles: c.windowCycles,
        bottleneck: i === bottleneckIdx,
        macs: owner ? c.macs : 0,
        ops: owner ? 2 * c.macs : 0,
        acc_bits: mv ? mv.bits : null,
        acc_min: mv ? mv.min : null,
        acc_max: mv ? mv.max : null,
        out_type: typeName(l.outType),
        out_shape: [...l.outShape],
        ...res,
        logic_cells: fab.family === 'ice40' ? logicUse(res, 'ice40') : null,
        device_pct: pct(res, capacity, fab.family),
        breakdown: owner ? c.parts : {},
        weight_bits: owner ? c.weightBits : 0,
        weight_mem: owner ? c.weightMem : 'none',
        stream_in_bits: c.streamInBits,
        stream_out_bits: c.streamOutBits,
      });
    });
  });

  const lane: Resources = addResources(...costs.map((c) => c.total), ...converters, ...fifos);
  const totals: Resources = lanes > 1 ? scaleResources(lane, lanes) : lane;
  const roofline = computeRoofline(net, {
    clockHz,
    iiCycles: ii,
    lanes,
    device,
    fabric: fab,
    bandwidthGBs: net.target?.bandwidthGBs,
  });
  const b = bottleneckIdx >= 0 ? net.engines[bottleneckIdx] : undefined;
  const fpsTarget = net.target?.fps ?? null;
  const clockMhz = clockHz / 1e6;
  return {
    schema_version: ESTIMATE_SCHEMA_VERSION,
    network: net.name,
    target: {
      device: device?.name ?? net.target?.device ?? '',
      clock_mhz: clockMhz,
      board: net.target?.board ?? null,
      fps_target: fpsTarget,
      device_known: device !== undefined,
      family: fab.family,
    },
    ii_cycles: ii,
    fps: round(fps, 3),
    lanes,
    fps_per_lane: round(fpsPerLane, 3),
    pixels_per_s: Math.round(fps * framePixels),
    fps_met: fpsTarget === null ? null : fps >= fpsTarget,
    latency_cycles: latency.cycles,
    latency_us: clockMhz > 0 ? round(latency.cycles / clockMhz, 4) : 0,
    bottleneck: b ? { layer: b.layer.name, engine: b.name, cycles: costs[bottleneckIdx].cycles } : null,
    macs_per_frame: roofline.macs_per_frame,
    totals: { lut: totals.lut, ff: totals.ff, bram18: totals.bram18, dsp: totals.dsp },
    logic_cells: fab.family === 'ice40' ? logicUse(totals, 'ice40') : null,
    device_capacity: capacity,
    device_pct: pct(totals, capacity, fab.family),
    roofline,
    layers,
    converters,
    fifos,
    latency_schedule: latency.timeline,
    fifo_depths: schedule.status,
  };
}
