/**
 * The estimate as the client sees it: the answer of the server's `qnn/analysis`
 * request (the `Estimate` of server/src/cost/estimate.ts, the same object as
 * `qnn estimate --json`), and the text the status bar and the estimate report show.
 *
 * The client declares only the fields it reads, all but `fps`, `totals` and
 * `device_capacity` optional, and checks them at run time: a server that adds or
 * drops a field does not break the client. Nothing here imports `vscode`.
 */

/** Resource counts by name (lut, ff, bram18, dsp); null where the device is unknown. */
export type ResourceCounts = Record<string, number | null | undefined>;

export interface EstimateLayer {
  name?: string;
  op?: string;
  engine?: string;
  fused_into?: string | null;
  fold_source?: string;
  pe?: number;
  simd?: number;
  nf?: number;
  sf?: number;
  cycles?: number;
  bottleneck?: boolean;
  acc_bits?: number | null;
  out_type?: string;
  out_shape?: number[];
  lut?: number;
  ff?: number;
  bram18?: number;
  dsp?: number;
  weight_bits?: number;
  weight_mem?: string;
  [field: string]: unknown;
}

export interface Estimate {
  network?: string;
  target?: { device?: string; clock_mhz?: number; board?: string | null; fps_target?: number | null; [field: string]: unknown };
  /** Frames per second at the target clock. */
  fps: number;
  /** Initiation interval: the slowest engine's cycles per frame (NaN when absent). */
  ii_cycles: number;
  /** null without an `fps >=` target. */
  fps_met?: boolean | null;
  latency_cycles?: number;
  latency_us?: number;
  bottleneck?: { layer: string; engine?: string; cycles?: number } | null;
  macs_per_frame?: number;
  /** Estimated resources of the whole network. */
  totals: ResourceCounts;
  /** The target device's capacity, same keys as `totals`. */
  device_capacity: ResourceCounts;
  layers: EstimateLayer[];
  [field: string]: unknown;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** The estimate, if `x` has the fields the client relies on; otherwise undefined. */
export function asEstimate(x: unknown): Estimate | undefined {
  if (!isRecord(x)) return undefined;
  if (typeof x.fps !== 'number' || !isRecord(x.totals) || !isRecord(x.device_capacity)) return undefined;
  return {
    ...x,
    fps: x.fps,
    ii_cycles: typeof x.ii_cycles === 'number' ? x.ii_cycles : NaN,
    totals: x.totals as ResourceCounts,
    device_capacity: x.device_capacity as ResourceCounts,
    target: isRecord(x.target) ? (x.target as Estimate['target']) : undefined,
    bottleneck: isRecord(x.bottleneck) && typeof x.bottleneck.layer === 'string' ? (x.bottleneck as Estimate['bottleneck']) : null,
    layers: Array.isArray(x.layers) ? (x.layers.filter(isRecord) as EstimateLayer[]) : [],
  };
}

const RESOURCE_LABELS: Record<string, string> = { lut: 'LUT', ff: 'FF', bram18: 'BRAM', dsp: 'DSP', uram: 'URAM', spram: 'SPRAM' };

/** Display name of a resource key (`bram18` → `BRAM`). */
export function resourceLabel(key: string): string {
  return RESOURCE_LABELS[key.toLowerCase()] ?? key.toUpperCase();
}

export interface Usage {
  resource: string;
  label: string;
  used: number;
  capacity: number;
  /** used / capacity (1 = full; above 1 does not fit). */
  fraction: number;
}

/** Usage of every resource the device has (capacity > 0), in the device's order. */
export function usages(e: Estimate): Usage[] {
  const out: Usage[] = [];
  for (const [resource, capacity] of Object.entries(e.device_capacity)) {
    const used = num(e.totals[resource]);
    if (capacity === null || capacity === undefined || !(capacity > 0) || used === undefined) continue;
    out.push({ resource, label: resourceLabel(resource), used, capacity, fraction: used / capacity });
  }
  return out;
}

/** The most used resource (ties: the first in the device's order, LUT before FF before BRAM before DSP). */
export function largestUsage(e: Estimate): Usage | undefined {
  let best: Usage | undefined;
  for (const u of usages(e)) if (!best || u.fraction > best.fraction) best = u;
  return best;
}

/** A rate with an SI suffix and about three significant digits: 950, 9.8k, 21.9k, 195k, 12.3M. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    if (Math.abs(value) >= scale * 0.9995) {
      const v = value / scale;
      if (Math.abs(v) >= 999.5 && suffix !== 'G') return `${trimNumber(v / 1000)}${suffix === 'k' ? 'M' : 'G'}`;
      return `${trimNumber(v)}${suffix}`;
    }
  }
  return trimNumber(value);
}

function trimNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 99.95) return String(Math.round(v));
  if (abs >= 1) return String(Math.round(v * 10) / 10);
  if (abs === 0) return '0';
  return String(Number(v.toPrecision(2)));
}

/** A percentage for the status bar: 12%, 3.4%, 0%, <0.1%, 140%. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (p < 0.1) return '<0.1%';
  if (p < 9.95) return `${Math.round(p * 10) / 10}%`;
  return `${Math.round(p)}%`;
}

/** A count with thousands separators (en-US, so it reads the same on every machine). */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The status bar text: `$(pulse) 9.8k fps · LUT 12%`. */
export function statusText(e: Estimate): string {
  const top = largestUsage(e);
  const rate = `$(pulse) ${formatRate(e.fps)} fps`;
  return top ? `${rate} · ${top.label} ${formatPercent(top.fraction)}` : rate;
}

/** `target 5k: met` / `target 5k: NOT met`, when the network has an `fps >=` target. */
export function fpsTargetText(e: Estimate): string | undefined {
  const t = num(e.target?.fps_target);
  if (t === undefined) return undefined;
  return `target ${formatRate(t)}: ${e.fps_met === false || (e.fps_met == null && e.fps < t) ? 'NOT met' : 'met'}`;
}

/** Name of the bottleneck layer, when the estimate says which one it is. */
export function bottleneckName(e: Estimate): string | undefined {
  if (e.bottleneck?.layer) return e.bottleneck.layer;
  const flagged = e.layers.find((l) => l.bottleneck === true);
  return typeof flagged?.name === 'string' ? flagged.name : undefined;
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

const str = (x: unknown): string => (x === undefined || x === null ? '' : typeof x === 'number' ? formatCount(x) : String(x));

/** One row per layer: the columns of `qnn estimate`, plus where the weights live. */
export function layerTable(e: Estimate): string {
  const header = [
    'layer',
    'op',
    'engine',
    'fold',
    'PE',
    'SIMD',
    'NF',
    'SF',
    'cycles',
    'acc',
    'out',
    'LUT',
    'FF',
    'BRAM18',
    'DSP',
    'weights',
  ];
  const rows = e.layers.map((l) => [
    `${str(l.name)}${l.bottleneck ? ' *' : ''}`,
    str(l.op),
    l.fused_into ? `(in ${l.fused_into})` : str(l.engine),
    str(l.fold_source),
    str(l.pe),
    str(l.simd),
    str(l.nf),
    str(l.sf),
    str(l.cycles),
    typeof l.acc_bits === 'number' ? `i${l.acc_bits}` : '',
    `${str(l.out_type)}${Array.isArray(l.out_shape) ? `[${l.out_shape.join(', ')}]` : ''}`,
    str(l.lut),
    str(l.ff),
    str(l.bram18),
    str(l.dsp),
    typeof l.weight_bits === 'number' && l.weight_bits > 0 ? `${formatCount(l.weight_bits)} b ${str(l.weight_mem)}`.trim() : '',
  ]);
  return textTable(header, rows, 4);
}

/** The whole estimate as text: summary, resources against the device, then one row per layer. */
export function estimateReport(e: Estimate, title: string): string {
  const lines: string[] = [title, ''];
  const t = e.target;
  if (e.network || t?.device) {
    const where = t?.device
      ? ` on ${t.device}${num(t.clock_mhz) !== undefined ? ` @ ${t.clock_mhz} MHz` : ''}${t.board ? ` (${t.board})` : ''}`
      : '';
    lines.push(`${e.network ?? 'network'}${where}`);
  }
  const summary: [string, string][] = [];
  const target = fpsTargetText(e);
  summary.push(['frames/s', `${formatCount(Math.round(e.fps * 100) / 100)} (${formatRate(e.fps)})${target ? `; ${target}` : ''}`]);
  if (Number.isFinite(e.ii_cycles)) summary.push(['II', `${formatCount(e.ii_cycles)} cycles per frame`]);
  if (num(e.latency_cycles) !== undefined)
    summary.push([
      'latency',
      `${formatCount(e.latency_cycles)} cycles${num(e.latency_us) !== undefined ? ` (${formatCount(e.latency_us)} µs)` : ''}`,
    ]);
  const b = bottleneckName(e);
  if (b)
    summary.push(['bottleneck', `${b}${num(e.bottleneck?.cycles) !== undefined ? ` (${formatCount(e.bottleneck?.cycles)} cycles)` : ''}`]);
  if (num(e.macs_per_frame) !== undefined) summary.push(['MACs/frame', formatCount(e.macs_per_frame)]);
  const w = Math.max(...summary.map(([k]) => k.length));
  for (const [k, v] of summary) lines.push(`  ${k.padEnd(w)}  ${v}`);

  const used = usages(e);
  lines.push('', 'Resources');
  if (used.length > 0) {
    lines.push(
      textTable(
        ['resource', 'estimate', 'device', 'used'],
        used.map((u) => [u.label, formatCount(u.used), formatCount(u.capacity), formatPercent(u.fraction)]),
      ),
    );
  } else {
    lines.push(
      Object.entries(e.totals)
        .map(([k, v]) => `${resourceLabel(k)} ${formatCount(v)}`)
        .join('  ') + '  (device capacity unknown)',
    );
  }
  if (e.layers.length > 0) lines.push('', 'Layers (* bottleneck)', layerTable(e));
  return lines.join('\n');
}
