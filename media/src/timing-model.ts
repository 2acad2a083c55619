/**
 * What the timing view shows (hardware.md §2): every engine's cycles per frame as a bar
 * against the II, the bottleneck, FIFO depths, latency and frames/s from the estimate;
 * after `qnn sim`, the measured II and latency beside it; after `qnn build`, Fmax against
 * the clock, the slack, the critical path's ends and resources used against estimated.
 * Every figure is a field of those results, worded here.
 */
import type { Estimate } from '../../server/src/protocol/estimate.js';
import type { BuildReport, SimResult } from '../../server/src/protocol/results.js';
import { si } from './roofline-model.js';

export interface TimingBar {
  engine: string;
  /** The layers the engine computes (the first is what a click reveals). */
  layers: string[];
  op: string;
  cycles: number;
  /** cycles ÷ II, 0..1: the bar's length. */
  share: number;
  bottleneck: boolean;
  /** "MVAU 16,384, window generator 20,480" where the two differ. */
  detail: string;
  fold: string;
}

export interface TimingModel {
  title: string;
  summary: [string, string][];
  bars: TimingBar[];
  fifos: { name: string; depth: number; reason: string }[];
  measured: [string, string][] | null;
  build: [string, string][] | null;
  notes: string[];
}

const n = (x: number): string => x.toLocaleString('en-US');

export function timingModel(e: Estimate, sim?: SimResult | null, build?: BuildReport | null): TimingModel {
  const ii = e.ii_cycles;
  const bars: TimingBar[] = e.layers
    .filter((l) => l.fused_into === null)
    .map((l) => ({
      engine: l.engine,
      layers: [l.name, ...l.fused],
      op: l.op + (l.fused.length ? ` + ${l.fused.length} fused` : ''),
      cycles: l.cycles,
      share: ii > 0 ? Math.min(1, l.cycles / ii) : 0,
      bottleneck: l.bottleneck,
      detail:
        l.window_cycles !== null && l.window_cycles !== l.compute_cycles
          ? `MVAU ${n(l.compute_cycles)}, window generator ${n(l.window_cycles)}`
          : '',
      fold: `PE ${l.pe}${l.op === 'dense' || l.op === 'conv1d' || l.op === 'conv2d' ? ` × SIMD ${l.simd}` : ''} (NF ${n(l.nf)} × SF ${n(l.sf)})`,
    }));
  const summary: [string, string][] = [
    ['II', `${n(ii)} cycles per frame`],
    [
      'frames/s',
      `${si(e.fps)} at ${e.target.clock_mhz} MHz${e.fps_met === null ? '' : e.fps_met ? ' (meets fps >=)' : ' (misses fps >=)'}`,
    ],
    ['latency', `${n(e.latency_cycles)} cycles (${e.latency_us.toFixed(2)} µs)`],
    ['bottleneck', e.bottleneck ? `${e.bottleneck.layer} (${n(e.bottleneck.cycles)} cycles)` : '–'],
  ];
  const notes: string[] = [];
  if (e.fifo_depths === 'pending') notes.push('FIFO depths are being analysed (the least depth is shown until then).');
  let measured: TimingModel['measured'] = null;
  if (sim && sim.network === e.network) {
    measured = [
      ['simulator', `${sim.simulator}, ${sim.frames} frame(s), ${sim.mismatches === 0 ? 'bit-exact' : `${sim.mismatches} mismatch(es)`}`],
      [
        'II measured',
        `${sim.ii.measured === null ? '–' : n(sim.ii.measured)} (estimate ${n(sim.ii.expected)})${sim.stalls_enabled ? ', with random backpressure' : ''}`,
      ],
      ['latency measured', `${sim.latency.measured === null ? '–' : n(sim.latency.measured)} (estimate ${n(sim.latency.expected)})`],
    ];
    if (sim.ii.expected !== ii)
      notes.push('The simulation is of an earlier version of the network (its estimated II differs): simulate again.');
  }
  let buildRows: TimingModel['build'] = null;
  if (build && build.network === e.network) {
    const u = build.resources.used;
    const est = build.resources.estimated;
    const cp = build.timing.critical_path;
    const res = (k: 'lut' | 'ff' | 'bram18' | 'dsp'): string =>
      `${u?.[k] === null || u === null ? '–' : n(u[k]!)} / ${est[k] === null ? '–' : n(est[k]!)}`;
    buildRows = [
      [
        'build',
        build.ok
          ? `${build.flow} flow, ${build.device}${build.board ? ` (${build.board})` : ''}`
          : `failed in ${build.failed_phase}: ${build.first_error}`,
      ],
      [
        'Fmax',
        build.fmax_mhz === null
          ? '–'
          : `${build.fmax_mhz.toFixed(2)} MHz for ${build.clock_mhz} MHz (${build.clock_met ? 'met' : 'NOT met'})`,
      ],
      [
        'WNS',
        build.timing.wns_ns === null
          ? '–'
          : `${build.timing.wns_ns.toFixed(2)} ns${build.timing.tns_ns === null ? '' : `, TNS ${build.timing.tns_ns.toFixed(2)} ns`}`,
      ],
      ['critical path', cp.length ? `${cp[0].from} → ${cp[cp.length - 1].to}` : '–'],
      // The device family's names (iCE40: logic cells, flip-flops, EBRs, SB_MAC16).
      ...(['lut', 'ff', 'bram18', 'dsp'] as const).map((k): [string, string] => [`${build.resources.labels[k]} used / estimated`, res(k)]),
      ['phases', build.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')],
    ];
  }
  return {
    title: `${e.network} on ${e.target.device} @ ${e.target.clock_mhz} MHz`,
    summary,
    bars,
    fifos: e.fifos.map((f) => ({ name: f.name, depth: f.depth, reason: f.reason })),
    measured,
    build: buildRows,
    notes,
  };
}
