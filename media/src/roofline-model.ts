/**
 * What the roofline view draws (hardware.md §6), from the estimate the server computed:
 * the roofs (bandwidth lines and compute ceilings) and the points (the design, and each
 * MVAU layer in the pipeline and on its own), on log–log axes. Nothing here computes a
 * figure of its own: every value is a field of the estimate; this places them.
 */
import type { Estimate } from '../../server/src/protocol/estimate.js';

/** A roof: a bandwidth line (ops/s = bytes/s × intensity) or a compute ceiling (flat). */
export interface Roof {
  id: 'ddr' | 'stream' | 'device' | 'dsp' | 'lut' | 'design';
  kind: 'bandwidth' | 'compute';
  label: string;
  /** Bytes/s for a bandwidth roof, ops/s for a compute roof. */
  value: number;
}

export interface RooflinePoint {
  id: string;
  kind: 'design' | 'pipelined' | 'layer-by-layer';
  /** The layer (for a click to reveal it), or null for the design. */
  layer: string | null;
  label: string;
  intensity: number;
  opsPerSecond: number;
  /** Hover rows: label and value, already worded. */
  details: [string, string][];
}

export interface RooflineModel {
  title: string;
  roofs: Roof[];
  points: RooflinePoint[];
  /** Axis ranges (decades wide enough for every roof crossing and point). */
  x: [number, number];
  y: [number, number];
  notes: string[];
}

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** 1.23 G (three significant digits and an SI prefix). */
export function si(x: number, unit = ''): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return `0${unit ? ` ${unit}` : ''}`;
  let k = 0;
  let v = Math.abs(x);
  while (v >= 1000 && k < SI.length - 1) {
    v /= 1000;
    k++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${x < 0 ? '-' : ''}${v.toFixed(digits)}${unit || SI[k] ? ' ' : ''}${SI[k]}${unit}`;
}

/** The roof a point at `intensity` is bound by: the lowest of the roofs there. */
export function bindingRoof(roofs: readonly Roof[], intensity: number): Roof | undefined {
  const ceilings = roofs.filter((r) => r.id !== 'design' && r.id !== 'dsp' && r.id !== 'lut');
  let best: Roof | undefined;
  let bestValue = Infinity;
  for (const r of ceilings) {
    const v = r.kind === 'bandwidth' ? r.value * intensity : r.value;
    if (v < bestValue) {
      bestValue = v;
      best = r;
    }
  }
  return best;
}

function decadeRange(values: number[], padBelow: number, padAbove: number): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length === 0) return [1, 10];
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...pos) / padBelow)));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...pos) * padAbove)));
  return [lo, hi > lo ? hi : lo * 10];
}

export function rooflineModel(e: Estimate): RooflineModel {
  const r = e.roofline;
  const c = r.ceilings;
  const roofs: Roof[] = [];
  if (c.bandwidth_bytes_s !== null)
    roofs.push({
      id: 'ddr',
      kind: 'bandwidth',
      label: `DRAM ${si(c.bandwidth_bytes_s, 'B/s')} (${r.bandwidth_source})`,
      value: c.bandwidth_bytes_s,
    });
  roofs.push({ id: 'stream', kind: 'bandwidth', label: `stream ports ${si(c.stream_bytes_s, 'B/s')}`, value: c.stream_bytes_s });
  if (c.device_peak_ops_s !== null)
    roofs.push({
      id: 'device',
      kind: 'compute',
      label: `${e.target.device} peak ${si(c.device_peak_ops_s, 'op/s')} (${c.precision}${c.dsp_peak_ops_s === null ? ', LUT MACs' : ''})`,
      value: c.device_peak_ops_s,
    });
  if (c.dsp_peak_ops_s !== null)
    roofs.push({ id: 'dsp', kind: 'compute', label: `DSP MACs ${si(c.dsp_peak_ops_s, 'op/s')}`, value: c.dsp_peak_ops_s });
  // Without DSP lanes the device peak is the LUT roof: one line, not two on top of each other.
  if (c.lut_peak_ops_s !== null && c.lut_peak_ops_s !== c.device_peak_ops_s)
    roofs.push({ id: 'lut', kind: 'compute', label: `LUT MACs ${si(c.lut_peak_ops_s, 'op/s')}`, value: c.lut_peak_ops_s });
  roofs.push({
    id: 'design',
    kind: 'compute',
    label: `this design ${si(c.design_peak_ops_s, 'op/s')} (${c.design_lanes} lanes)`,
    value: c.design_peak_ops_s,
  });

  const bound = (i: number): string => {
    const b = bindingRoof(roofs, i);
    return b ? `${b.kind === 'bandwidth' ? 'bandwidth' : 'compute'}: ${b.label}` : '–';
  };
  const points: RooflinePoint[] = [
    {
      id: 'design',
      kind: 'design',
      layer: null,
      label: `${e.network} (pipelined design)`,
      intensity: r.design.intensity,
      opsPerSecond: r.design.ops_s,
      details: [
        ['ops / frame', si(r.ops_per_frame)],
        ['off-chip bytes / frame', si(r.offchip_bytes_per_frame, 'B')],
        ['intensity', `${r.design.intensity} op/B`],
        ['achieved', si(r.design.ops_s, 'op/s')],
        ['attainable', r.design.attainable_ops_s === null ? '–' : si(r.design.attainable_ops_s, 'op/s')],
        ['bound by', bound(r.design.intensity)],
      ],
    },
  ];
  for (const l of r.layers) {
    const bytes = (w: boolean): string => si(l.input_bytes + l.output_bytes + (w ? l.weight_bytes : 0), 'B');
    points.push({
      id: `${l.name}:pipelined`,
      kind: 'pipelined',
      layer: l.name,
      label: `${l.name}, in the pipeline (weights on chip)`,
      intensity: l.pipelined_intensity,
      opsPerSecond: l.achieved_ops_s,
      details: [
        ['ops / frame', si(l.ops)],
        ['bytes / frame', `${bytes(false)} (input + output)`],
        ['intensity', `${l.pipelined_intensity} op/B`],
        ['achieved', si(l.achieved_ops_s, 'op/s')],
        ['attainable', l.pipelined_attainable_ops_s === null ? '–' : si(l.pipelined_attainable_ops_s, 'op/s')],
        ['bound by', bound(l.pipelined_intensity)],
      ],
    });
    points.push({
      id: `${l.name}:layer`,
      kind: 'layer-by-layer',
      layer: l.name,
      label: `${l.name}, layer by layer (weights through DRAM)`,
      intensity: l.intensity,
      opsPerSecond: l.attainable_ops_s ?? l.peak_ops_s,
      details: [
        ['ops / frame', si(l.ops)],
        ['bytes / frame', `${bytes(true)} (input + output + weights)`],
        ['intensity', `${l.intensity} op/B`],
        ['attainable', l.attainable_ops_s === null ? '–' : si(l.attainable_ops_s, 'op/s')],
        ["its engine's peak", si(l.peak_ops_s, 'op/s')],
        ['bound by', bound(l.intensity)],
      ],
    });
  }
  const xs = points.map((p) => p.intensity);
  // Where each bandwidth roof meets the highest ceiling, so the knee is on the chart.
  const top = Math.max(...roofs.filter((x) => x.kind === 'compute').map((x) => x.value), ...points.map((p) => p.opsPerSecond));
  for (const b of roofs.filter((x) => x.kind === 'bandwidth')) xs.push(top / b.value);
  const x = decadeRange(xs, 2, 2);
  const ys = [...points.map((p) => p.opsPerSecond), ...roofs.filter((q) => q.kind === 'compute').map((q) => q.value)];
  for (const b of roofs.filter((q) => q.kind === 'bandwidth')) ys.push(b.value * x[0]);
  const y = decadeRange(ys, 2, 3);
  return { title: `${e.network} on ${e.target.device} @ ${e.target.clock_mhz} MHz`, roofs, points, x, y, notes: r.notes };
}
