/**
 * The estimate in words: the table `qnn estimate FILE` prints, and the `qnn/estimateView`
 * answer with which the editor shows the same text (status bar, its tooltip and the
 * "qnn Estimate" output). Written once here so that the terminal and the editor cannot
 * drift; it formats the estimate and computes nothing of its own.
 */
import type { Estimate, FifoEstimate, ResourceCounts } from '../protocol/estimate.js';
import type { EstimateView } from '../protocol/requests.js';
import { resourceLabel, utilisation } from '../cost/utilisation.js';
import { RESOURCE_KEYS } from '../cost/fabric.js';
import { formatSI } from '../model/numbers.js';

/** 12345 → "12,345"; non-integers keep up to 2 decimals (no locale dependence). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Frames per second, short: "19.5k". */
export function fpsText(est: Estimate): string {
  return formatSI(est.fps);
}

/** "✓ fps >= 5k" / "✗ fps >= 5k"; undefined without an `fps >=` target. */
export function fpsTargetText(est: Estimate): string | undefined {
  const t = est.target.fps_target;
  if (t === null) return undefined;
  return `${est.fps_met ? '✓' : '✗'} fps >= ${formatSI(t)}`;
}

/** A fixed-width text table: the first `leftColumns` columns left-aligned, the others right-aligned. */
export function textTable(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const resourceCells = (r: ResourceCounts): string[] => RESOURCE_KEYS.map((k) => formatCount(r[k]));

function summary(est: Estimate): string[] {
  const t = est.target;
  const rows: [string, string][] = [];
  const target = fpsTargetText(est);
  rows.push(['frames/s', `${formatCount(Math.round(est.fps * 100) / 100)} (${fpsText(est)})${target ? `; ${target}` : ''}`]);
  if (est.lanes > 1)
    rows.push(['lanes', `${est.lanes} copies of the pipeline, ${formatCount(Math.round(est.fps_per_lane * 100) / 100)} frames/s each`]);
  if (est.pixels_per_s > 0) rows.push(['pixels/s', `${formatCount(est.pixels_per_s)} input pixels per second`]);
  rows.push(['II', `${formatCount(est.ii_cycles)} cycles per frame`]);
  rows.push(['latency', `${formatCount(est.latency_cycles)} cycles (${formatCount(est.latency_us)} µs)`]);
  if (est.bottleneck) rows.push(['bottleneck', `${est.bottleneck.layer} (${formatCount(est.bottleneck.cycles)} cycles)`]);
  rows.push(['MACs/frame', formatCount(est.macs_per_frame)]);
  if (est.fifo_depths === 'pending')
    rows.push(['FIFO depths', 'pending: the schedule runs when the editor is idle; FIFOs are counted at their least depth until then']);
  const w = Math.max(...rows.map(([k]) => k.length));
  return [
    `${est.network} on ${t.device} @ ${t.clock_mhz} MHz${t.board ? ` (${t.board})` : ''}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
  ];
}

function resources(est: Estimate): string {
  const u = utilisation(est);
  if (!u.device_known)
    return `${u.resources.map((r) => `${r.label} ${formatCount(r.used)}`).join('  ')}  (${est.target.device}: device capacity unknown)`;
  return textTable(
    ['resource', 'estimate', 'device', 'used'],
    u.resources.map((r) => [
      r.label,
      formatCount(r.used),
      r.capacity === null ? '' : formatCount(r.capacity),
      `${r.pct_text ?? ''}${r.over ? ' !' : ''}`,
    ]),
  );
}

function layers(est: Estimate): string {
  const family = est.target.family;
  const header = [
    'layer',
    'op',
    'engine',
    'fold',
    'PE',
    'SIMD',
    'MMV',
    'mul',
    'NF',
    'SF',
    'cycles',
    'acc',
    'out',
    ...RESOURCE_KEYS.map((k) => resourceLabel(family, k)),
    'weights',
  ];
  const rows = est.layers.map((l) => [
    `${l.name}${l.bottleneck ? ' *' : ''}`,
    l.op,
    l.fused_into ? `(in ${l.fused_into})` : l.engine,
    l.fold_source,
    formatCount(l.pe),
    formatCount(l.simd),
    formatCount(l.mmv),
    l.multipliers ? `${l.multipliers.in}${l.multipliers.moved ? ' (auto)' : ''}` : '',
    formatCount(l.nf),
    formatCount(l.sf),
    formatCount(l.cycles),
    l.acc_bits === null ? '' : `i${l.acc_bits}`,
    `${l.out_type}[${l.out_shape.join(', ')}]`,
    ...resourceCells(l),
    l.weight_bits > 0 ? `${formatCount(l.weight_bits)} b ${l.weight_mem}` : '',
  ]);
  return textTable(header, rows, 4);
}

/** A FIFO's depth; one the schedule has not settled yet, or the FIFO check's override, says so. */
function depthText(f: FifoEstimate): string {
  return f.depth_source === 'analysis' ? String(f.depth) : `${f.depth} (${f.depth_source})`;
}

/** The width converters and FIFOs between engines (counted in the totals, not in any layer's row). */
function streams(est: Estimate): string {
  const family = est.target.family;
  const header = ['from', 'to', 'block', 'bits', 'depth', ...RESOURCE_KEYS.map((k) => resourceLabel(family, k))];
  const rows = [
    ...est.converters.map((c) => [c.from, c.to, 'converter', `${c.in_bits} → ${c.out_bits}`, '', ...resourceCells(c)]),
    ...est.fifos.map((f) => [f.from, f.to, `FIFO (${f.impl})`, String(f.width_bits), depthText(f), ...resourceCells(f)]),
  ];
  return textTable(header, rows, 3);
}

/** The text of `qnn estimate FILE`: summary, resources against the device, one row per layer, the streams. */
export function estimateTable(est: Estimate): string {
  const lines = [...summary(est), '', 'Resources', resources(est)];
  if (est.layers.length > 0) lines.push('', 'Layers (* bottleneck)', layers(est));
  if (est.converters.length + est.fifos.length > 0) lines.push('', 'Streams (width converters and FIFOs)', streams(est));
  return lines.join('\n');
}

/** The `qnn/estimateView` answer for an estimate. */
export function estimateView(est: Estimate): EstimateView {
  return {
    estimate: est,
    utilisation: utilisation(est),
    fps_text: fpsText(est),
    fps_target_text: fpsTargetText(est) ?? null,
    table: estimateTable(est),
  };
}
