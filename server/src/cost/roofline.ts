/**
 * The roofline of a network (hardware.md §6; attainable = min(peak compute, bandwidth ×
 * operational intensity)).
 *
 * - Ops: 2 per MAC (multiply + add), only MVAUs count (pooling and activations are not MACs).
 * - The pipelined design moves only its input and output off chip (weights are on chip):
 *   intensity = ops per frame ÷ (input + output bytes per frame), with bytes = bits / 8 of
 *   the packed elements (a bipolar element is 1 bit), fractional bytes kept.
 * - For contrast, each MVAU layer run on its own, layer by layer through DRAM: ops ÷ (its
 *   input + output + weight bytes). Its output is the engine's (after a fused requant or
 *   threshold, at the activation's precision), since that is what the layer hands on.
 * - Ceilings: the bandwidth line (the target's `bandwidth`, else the board default from the
 *   device database; iCE40 boards have no DDR — frames come through the UART shell — so
 *   there is no bandwidth line: `bandwidth_gbs` is null and attainable values are
 *   compute-bound only); the device's peak compute at the network's precision (the
 *   precision of the MVAU with the most MACs; its LUT and DSP budget as MAC lanes by the
 *   resource model, × 2 × f_clk; null for an unknown device); the configured design's
 *   compute (Σ PE·SIMD × 2 × f_clk); the device's compute with DSP multipliers only and with
 *   LUT multipliers only (the two roofs the resource model gives); and the stream ports'
 *   bandwidth ((input + output word bits) ÷ 8 × f_clk), what the accelerator can take in
 *   and give out.
 * - Points: the design (f_clk / II × ops per frame) and each MVAU layer twice: in the
 *   pipeline (ops ÷ its input + output bytes, weights on chip) and on its own, layer by
 *   layer (weights through DRAM too); at its own intensity, its attainable (min of the device peak and bandwidth × intensity), what it
 *   achieves inside the pipeline (its ops × frames/s) and its engine's peak (2·PE·SIMD·f_clk).
 */
import { typeBits } from '../model/qtype.js';
import type { Engine, Network } from '../model/types.js';
import { product } from '../model/shape.js';
import type { Device } from '../device/devices.js';
import { descriptorOf } from '../engines/registry.js';
import type { Fabric } from './fabric.js';
import { peakMacLanes } from './resources.js';
import type { Roofline, RooflineLayer } from '../protocol/estimate.js';

export type { Roofline, RooflineLayer } from '../protocol/estimate.js';

export interface RooflineInputs {
  clockHz: number;
  iiCycles: number;
  /** Copies of the pipeline (`lanes N`; default 1). */
  lanes?: number;
  device?: Device;
  fabric: Fabric;
  bandwidthGBs?: number;
}

const bytes = (elements: number, bits: number): number => (elements * bits) / 8;
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const safeDiv = (a: number, b: number): number => (b > 0 ? a / b : 0);

function minOf(...xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.min(...v) : null;
}

export function computeRoofline(net: Network, inp: RooflineInputs): Roofline {
  const es = net.engines;
  const f = inp.clockHz;
  // `lanes N`: N copies of the pipeline, each on its own frames: N times the work per second,
  // the stream bandwidth and the configured compute.
  const copies = inp.lanes ?? 1;
  const fps = safeDiv(f, inp.iiCycles) * copies;
  const notes: string[] = [];
  // The engines with weights, and their MAC work (their descriptors').
  const work = new Map(es.flatMap((e) => (descriptorOf(e).macs ? [[e, descriptorOf(e).macs!(e)] as const] : [])));
  const mvaus = [...work.keys()];
  const macsOf = (e: Engine): number => work.get(e)?.macs ?? 0;
  const macs = mvaus.reduce((s, e) => s + macsOf(e), 0);
  const ops = 2 * macs;
  const first = es[0];
  const last = es[es.length - 1];
  const inB = first ? bytes(product(first.inShape), typeBits(first.inType)) : 0;
  const outB = last ? bytes(product(last.outShape), typeBits(last.outType)) : 0;
  const intensity = safeDiv(ops, inB + outB);
  const streamBits =
    (first ? first.inElemsPerWord * typeBits(first.inType) : 0) + (last ? last.outElemsPerWord * typeBits(last.outType) : 0);

  let bw: number | null = null;
  let bwSource: Roofline['bandwidth_source'] = 'none';
  if (inp.bandwidthGBs !== undefined) {
    bw = inp.bandwidthGBs;
    bwSource = 'target';
  } else if (inp.device?.ddrGBs != null) {
    bw = inp.device.ddrGBs;
    bwSource = 'board';
  } else {
    notes.push(
      inp.device?.family === 'ice40'
        ? 'no DDR on iCE40 boards (frames come through the UART shell): no bandwidth ceiling; attainable values are compute-bound only'
        : 'no bandwidth known: add `bandwidth N GB/s` to the target for a bandwidth ceiling',
    );
  }
  const bwBytes = bw === null ? null : bw * 1e9;

  // Device peak at the precision of the MVAU with the most MACs (the first on ties).
  let peak: number | null = null;
  let dspPeak: number | null = null;
  let lutPeak: number | null = null;
  let lanes: number | null = null;
  let precision: string | null = null;
  const heaviest = mvaus.reduce<Engine | undefined>((best, e) => (!best || macsOf(e) > macsOf(best) ? e : best), undefined);
  const heavy = heaviest && work.get(heaviest);
  if (heavy) {
    precision = heavy.precision;
    if (inp.device) {
      // A device full of this layer's lanes would not be hard-wired: the general multiplier.
      lanes = peakMacLanes({ ...heavy.operands, hardWired: undefined }, inp.fabric, {
        lut: inp.device.lut,
        dsp: inp.device.dsp,
      });
      peak = lanes * 2 * f;
      const general = { ...heavy.operands, hardWired: undefined };
      const dspLanes = peakMacLanes(general, inp.fabric, { lut: 0, dsp: inp.device.dsp });
      dspPeak = dspLanes > 0 ? dspLanes * 2 * f : null;
      if (dspLanes === 0) notes.push(`no DSP roof: ${precision} products are built from LUTs on this device`);
      lutPeak = peakMacLanes(general, inp.fabric, { lut: inp.device.lut, dsp: 0 }) * 2 * f;
    } else notes.push('unknown device: no device peak compute');
  }
  const designLanes = copies * mvaus.reduce((s, e) => s + e.pe * e.simd * e.mmv, 0);

  const layers: RooflineLayer[] = mvaus.map((e) => {
    const l = e.layer;
    const w = (work.get(e)?.weightBits ?? 0) / 8;
    const i = bytes(product(e.inShape), typeBits(e.inType));
    const o = bytes(product(e.outShape), typeBits(e.outType));
    const lops = 2 * macsOf(e);
    const li = safeDiv(lops, i + o + w);
    const pi = safeDiv(lops, i + o);
    return {
      name: l.name,
      engine: e.name,
      ops: lops,
      input_bytes: round(i, 3),
      output_bytes: round(o, 3),
      weight_bytes: round(w, 3),
      intensity: round(li, 4),
      attainable_ops_s: nullableRound(minOf(peak, bwBytes === null ? null : bwBytes * li)),
      pipelined_intensity: round(pi, 4),
      pipelined_attainable_ops_s: nullableRound(minOf(peak, bwBytes === null ? null : bwBytes * pi)),
      achieved_ops_s: Math.round(lops * fps),
      peak_ops_s: Math.round(2 * e.pe * e.simd * e.mmv * copies * f),
    };
  });

  return {
    macs_per_frame: macs,
    ops_per_frame: ops,
    input_bytes: round(inB, 3),
    output_bytes: round(outB, 3),
    offchip_bytes_per_frame: round(inB + outB, 3),
    intensity: round(intensity, 4),
    bandwidth_gbs: bw,
    bandwidth_source: bwSource,
    ceilings: {
      bandwidth_bytes_s: bwBytes,
      device_peak_ops_s: nullableRound(peak),
      device_peak_lanes: lanes,
      precision,
      design_peak_ops_s: Math.round(designLanes * 2 * f),
      design_lanes: designLanes,
      dsp_peak_ops_s: nullableRound(dspPeak),
      lut_peak_ops_s: nullableRound(lutPeak),
      stream_bytes_s: Math.round((copies * streamBits * f) / 8),
    },
    design: {
      intensity: round(intensity, 4),
      ops_s: Math.round(ops * fps),
      attainable_ops_s: nullableRound(minOf(peak, bwBytes === null ? null : bwBytes * intensity)),
    },
    layers,
    notes,
  };
}

function nullableRound(x: number | null): number | null {
  return x === null ? null : Math.round(x);
}
