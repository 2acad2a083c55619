/**
 * The estimate as the client sees it: the answer of the server's `qnn/analysis`
 * request (server/src/cost/estimate.ts, the same object as `qnn estimate --json`),
 * and the text the status bar and the estimate table show.
 *
 * The client reads only a few fields by name (`fps`, `ii_cycles`, `totals`,
 * `device_capacity`, `layers`) and shows everything else generically, so the
 * server can add fields without a client change. Nothing here imports `vscode`.
 */

/** Resource counts by name (lut, ff, bram18, dsp, and on some parts uram, spram). */
export type ResourceCounts = Record<string, number | undefined>;

export interface EstimateLayer {
  name?: string;
  [field: string]: unknown;
}

export interface Estimate {
  /** Frames per second at the target clock. */
  fps: number;
  /** Initiation interval of the pipeline: cycles per frame of the slowest engine. */
  ii_cycles: number;
  /** Estimated resources of the whole network. */
  totals: ResourceCounts;
  /** The target device's capacity, same keys as `totals`. */
  device_capacity: ResourceCounts;
  layers: EstimateLayer[];
  [field: string]: unknown;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

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
    layers: Array.isArray(x.layers) ? (x.layers.filter(isRecord) as EstimateLayer[]) : [],
  };
}

const RESOURCE_LABELS: Record<string, string> = {
  lut: 'LUT',
  ff: 'FF',
  bram18: 'BRAM',
  bram: 'BRAM',
  dsp: 'DSP',
  uram: 'URAM',
  spram: 'SPRAM',
};

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

/** Usage of every resource the device has (capacity > 0), largest first. */
export function usages(e: Estimate): Usage[] {
  const out: Usage[] = [];
  for (const [resource, capacity] of Object.entries(e.device_capacity)) {
    if (typeof capacity !== 'number' || !(capacity > 0)) continue;
    const used = e.totals[resource];
    if (typeof used !== 'number' || !Number.isFinite(used)) continue;
    out.push({ resource, label: resourceLabel(resource), used, capacity, fraction: used / capacity });
  }
  // Stable: ties keep the device's order (LUT before FF before BRAM before DSP).
  return out.map((u, i) => ({ u, i })).sort((a, b) => b.u.fraction - a.u.fraction || a.i - b.i).map((x) => x.u);
}

export function largestUsage(e: Estimate): Usage | undefined {
  return usages(e)[0];
}

/** A rate with an SI suffix and about three significant digits: 950, 9.8k, 21.9k, 195k, 12.3M. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    if (abs >= scale * 0.9995) {
      const v = value / scale;
      if (Math.abs(v) >= 999.5 && suffix !== 'G') continue; // rounding would print 1000k: use the next unit up
      return `${trimNumber(v)}${suffix}`;
    }
  }
  return trimNumber(value);
}

function trimNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 100) return String(Math.round(v));
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

/** A count with thousands separators (en-US, so it is the same on every machine). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The status bar text: `$(pulse) 9.8k fps · LUT 12%`. */
export function statusText(e: Estimate): string {
  const top = largestUsage(e);
  const rate = `$(pulse) ${formatRate(e.fps)} fps`;
  return top ? `${rate} · ${top.label} ${formatPercent(top.fraction)}` : rate;
}

/** Name of the bottleneck layer, when the estimate says which one it is. */
export function bottleneckName(e: Estimate): string | undefined {
  const b = e.bottleneck;
  if (typeof b === 'string') return b;
  if (isRecord(b) && typeof b.name === 'string') return b.name;
  if (isRecord(b) && typeof b.layer === 'string') return b.layer;
  const flagged = e.layers.find((l) => l.bottleneck === true || l.is_bottleneck === true);
  return typeof flagged?.name === 'string' ? flagged.name : undefined;
}

/** A fixed-width text table (first column left-aligned, numbers right-aligned). */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-+<~]?[0-9.,]+[kMG%]?$|^—$|^$/.test(r[i] ?? '')));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** Preferred column order for the per-layer table; other scalar fields follow in the order the server sends them. */
const LAYER_COLUMN_ORDER = [
  'name',
  'op',
  'kind',
  'engine',
  'fused',
  'out_type',
  'out_shape',
  'pe',
  'simd',
  'nf',
  'sf',
  'cycles',
  'cycles_per_frame',
  'bottleneck',
  'lut',
  'ff',
  'bram18',
  'dsp',
];

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return formatCount(v);
  if (typeof v === 'boolean') return v ? 'yes' : '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || typeof x === 'string')) return `[${v.join(', ')}]`;
  return JSON.stringify(v);
}

/** Flattens one level of nested objects of scalars (`resources: { lut }` → `lut`), so they become columns. */
function flattenLayer(l: EstimateLayer): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l)) {
    if (isRecord(v) && Object.values(v).every((x) => typeof x !== 'object' || x === null)) {
      for (const [k2, v2] of Object.entries(v)) flat[k2 in l ? `${k}.${k2}` : k2] = v2;
    } else if (!isRecord(v) && !(Array.isArray(v) && v.some((x) => typeof x === 'object'))) {
      flat[k] = v;
    }
  }
  return flat;
}

/** The per-layer table: every scalar field the server sends, known ones first. */
export function layerTable(e: Estimate): string {
  const rows = e.layers.map(flattenLayer);
  const keys: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  const rank = (k: string): number => {
    const i = LAYER_COLUMN_ORDER.indexOf(k);
    return i < 0 ? LAYER_COLUMN_ORDER.length + keys.indexOf(k) : i;
  };
  keys.sort((a, b) => rank(a) - rank(b));
  return textTable(
    keys.map((k) => (k in RESOURCE_LABELS ? resourceLabel(k) : k)),
    rows.map((r) => keys.map((k) => cell(r[k]))),
  );
}

/** The whole estimate as text: summary, resources against the device, then one row per layer. */
export function estimateReport(e: Estimate, title: string): string {
  const lines: string[] = [title, ''];
  const summary: [string, string][] = [];
  summary.push(['frames/s', `${formatCount(Math.round(e.fps * 100) / 100)} (${formatRate(e.fps)})`]);
  if (Number.isFinite(e.ii_cycles)) summary.push(['II', `${formatCount(e.ii_cycles)} cycles per frame`]);
  const bottleneck = bottleneckName(e);
  if (bottleneck) summary.push(['bottleneck', bottleneck]);
  const known = new Set(['fps', 'ii_cycles', 'totals', 'device_capacity', 'layers', 'bottleneck']);
  for (const [k, v] of Object.entries(e)) {
    if (known.has(k) || v === undefined || v === null) continue;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') summary.push([k, cell(v)]);
    else if (isRecord(v) && Object.values(v).every((x) => typeof x !== 'object' || x === null)) {
      summary.push([k, Object.entries(v).map(([k2, v2]) => `${k2}=${cell(v2)}`).join(', ')]);
    }
  }
  const w = Math.max(...summary.map(([k]) => k.length));
  for (const [k, v] of summary) lines.push(`${k.padEnd(w)}  ${v}`);

  lines.push('', 'Resources');
  const used = usages(e);
  const order = Object.keys(e.device_capacity).filter((k) => used.some((u) => u.resource === k));
  lines.push(
    textTable(
      ['resource', 'estimate', 'device', 'used'],
      order.map((k) => {
        const u = used.find((x) => x.resource === k)!;
        return [u.label, formatCount(u.used), formatCount(u.capacity), formatPercent(u.fraction)];
      }),
    ),
  );
  if (e.layers.length > 0) lines.push('', 'Layers', layerTable(e));
  return lines.join('\n');
}
