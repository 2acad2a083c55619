/**
 * The estimate as the client shows it: the server's `qnn/estimateView` answer
 * (server/src/protocol/requests.ts), in which the server has already computed and worded
 * everything — utilisation, largest use, frames/s, the table of `qnn estimate`. The
 * client only lays it out. Nothing here imports `vscode`.
 */
import type { EstimateView } from '../../server/src/protocol/requests.js';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The view, if `x` has the fields the client reads (a server of another version may
 * answer differently: then the status bar says so instead of failing); otherwise undefined.
 */
export function asEstimateView(x: unknown): EstimateView | undefined {
  if (!isRecord(x) || !isRecord(x.estimate) || !isRecord(x.utilisation)) return undefined;
  if (typeof x.fps_text !== 'string' || typeof x.table !== 'string') return undefined;
  const e = x.estimate;
  const u = x.utilisation;
  if (typeof e.fps !== 'number' || typeof e.ii_cycles !== 'number' || !Array.isArray(u.resources) || typeof u.largest_text !== 'string')
    return undefined;
  return x as unknown as EstimateView;
}

/** A count with thousands separators (en-US, so it reads the same on every machine). */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The status bar text: `$(pulse) 9.8k fps · LUT 12.3 %` (the largest use, as the code lens words it). */
export function statusText(v: EstimateView): string {
  return `$(pulse) ${v.fps_text} fps · ${v.utilisation.largest_text}`;
}

/** Whether the estimate exceeds the device (the status bar turns red). */
export function overCapacity(v: EstimateView): boolean {
  return v.utilisation.fits === false;
}

/** The lines of the status bar's tooltip, in Markdown. */
export function tooltipMarkdown(v: EstimateView): string {
  const e = v.estimate;
  const parts: string[] = ['**qnn estimate**', ''];
  const target = v.fps_target_text ? `, ${v.fps_target_text}` : '';
  parts.push(`${formatCount(Math.round(e.fps))} frames/s (${v.fps_text})${target} · II ${formatCount(e.ii_cycles)} cycles`, '');
  if (e.bottleneck) parts.push(`Bottleneck: \`${e.bottleneck.layer}\``, '');
  if (e.fifo_depths === 'pending') parts.push('FIFO depths pending (scheduled when the editor is idle).', '');
  const known = v.utilisation.resources.filter((r) => r.capacity !== null);
  if (known.length > 0) {
    parts.push('| resource | estimate | device | used |', '|---|---:|---:|---:|');
    for (const r of known) parts.push(`| ${r.label} | ${formatCount(r.used)} | ${formatCount(r.capacity)} | ${r.pct_text ?? ''} |`);
    parts.push('');
  } else parts.push(`${v.utilisation.largest_text}`, '');
  parts.push('Click to show the estimate per layer.');
  return parts.join('\n');
}

/** The text of the "qnn Estimate" output: a title, then the table of `qnn estimate FILE`. */
export function estimateReport(v: EstimateView, title: string): string {
  return `${title}\n\n${v.table}`;
}
