/**
 * What the waveform view computes, kept pure for tests (test/unit/media/waveform-model.test.ts):
 * the time ↔ pixel mapping with zoom and pan, time axis ticks and time text in the file's
 * timescale, each row's segments clipped to the view, values in a radix (hex, unsigned
 * and signed decimal, binary; x and z kept), a searched value parsed to bits, the signal
 * tree filtered by name, and which stream or engine a signal or layer belongs to. The
 * data comes from the VCD worker (protocol/waveform.ts); the renderer is waveform-view.ts.
 */
import type { WaveRow, WaveSignal, WaveStream, WaveTimescale, WaveTreeNode, WaveValueKind } from '../../server/src/protocol/waveform.js';

export type Radix = 'hex' | 'dec' | 'signed' | 'bin';
export const RADIXES: readonly Radix[] = ['hex', 'dec', 'signed', 'bin'];

/** The visible time range [t0, t1] (file time units) over `width` pixels. */
export interface Viewport {
  t0: number;
  t1: number;
  width: number;
}

export const timeToX = (v: Viewport, t: number): number => ((t - v.t0) / (v.t1 - v.t0)) * v.width;
export const xToTime = (v: Viewport, x: number): number => v.t0 + (x / v.width) * (v.t1 - v.t0);

/** The whole file in view (a span of at least one time unit). */
export function fit(start: number, end: number, width: number): Viewport {
  return { t0: start, t1: Math.max(end, start + 1), width };
}

/** Keeps a view inside [start, end] (shifted, not shrunk, unless wider than the file). */
export function clampView(v: Viewport, start: number, end: number): Viewport {
  const total = Math.max(end - start, 1);
  const span = Math.min(v.t1 - v.t0, total);
  let t0 = v.t0;
  if (t0 < start) t0 = start;
  if (t0 + span > start + total) t0 = start + total - span;
  return { t0, t1: t0 + span, width: v.width };
}

/**
 * Zoom by `factor` (< 1 in, > 1 out) keeping the time under pixel `atX` where it is; no
 * closer than `minPxPerUnit` pixels per time unit would make pointless (default 64 px per unit).
 */
export function zoom(v: Viewport, factor: number, atX: number, start: number, end: number, maxPxPerUnit = 64): Viewport {
  const at = xToTime(v, atX);
  const minSpan = v.width / maxPxPerUnit;
  const span = Math.max(minSpan, Math.min((v.t1 - v.t0) * factor, Math.max(end - start, 1)));
  const t0 = at - (atX / v.width) * span;
  return clampView({ t0, t1: t0 + span, width: v.width }, start, end);
}

/** Pan by dx pixels (positive: later times come into view). */
export function pan(v: Viewport, dx: number, start: number, end: number): Viewport {
  const dt = (dx / v.width) * (v.t1 - v.t0);
  return clampView({ t0: v.t0 + dt, t1: v.t1 + dt, width: v.width }, start, end);
}

/** The same span, centred on t. */
export function centerOn(v: Viewport, t: number, start: number, end: number): Viewport {
  const half = (v.t1 - v.t0) / 2;
  return clampView({ t0: t - half, t1: t + half, width: v.width }, start, end);
}

const UNITS: [string, number][] = [
  ['s', 1],
  ['ms', 1e-3],
  ['us', 1e-6],
  ['ns', 1e-9],
  ['ps', 1e-12],
  ['fs', 1e-15],
];

/** A time (file units) as text in the largest unit that keeps it ≥ 1: `12.5 ns`, `1.2345 us`. */
export function formatTime(t: number, ts: WaveTimescale, digits = 4): string {
  const sec = t * ts.seconds;
  if (sec === 0) return `0 ${ts.unit}`;
  const a = Math.abs(sec);
  const [unit, scale] = UNITS.find(([, s]) => a >= s * (1 - 1e-12)) ?? UNITS[UNITS.length - 1]!;
  const v = sec / scale;
  // At most `digits` decimals, trailing zeros dropped; never more precise than the file's unit.
  const places = Math.max(0, Math.min(digits, Math.round(Math.log10(scale / ts.seconds))));
  return `${Number(v.toFixed(places))} ${unit}`;
}

/** Ticks of the time axis: a 1-2-5 step giving at least `minPx` pixels between labels. */
export function ticks(v: Viewport, ts: WaveTimescale, minPx = 90): { t: number; x: number; label: string }[] {
  const span = v.t1 - v.t0;
  const raw = (span * minPx) / Math.max(v.width, 1);
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-12))));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p);
  const out: { t: number; x: number; label: string }[] = [];
  for (let t = Math.ceil(v.t0 / step) * step; t <= v.t1; t += step) out.push({ t, x: timeToX(v, t), label: formatTime(t, ts) });
  return out;
}

export function defaultRadix(s: Pick<WaveSignal, 'width' | 'kind'>): Radix {
  return s.kind === 'bits' && s.width > 1 ? 'hex' : 'bin';
}

/** Groups of `n` digits from the least significant end. */
function groups(bits: string, n: number): string[] {
  const out: string[] = [];
  for (let end = bits.length; end > 0; end -= n) out.unshift(bits.slice(Math.max(0, end - n), end));
  return out;
}

/**
 * A value in a radix. Bits are 0/1/x/z text, most significant first. With x/z: binary
 * keeps them; hex gives x (or z) for a digit all x (z) and X (Z) for a digit only partly
 * so; decimal gives x, or z when every bit is z. Reals and strings are shown as they are.
 */
export function formatValue(bits: string, radix: Radix, kind: WaveValueKind = 'bits'): string {
  if (kind !== 'bits') return bits;
  if (radix === 'bin') return bits;
  if (/^[01]+$/.test(bits)) {
    const v = BigInt('0b' + bits);
    if (radix === 'hex') return v.toString(16).padStart(Math.ceil(bits.length / 4), '0');
    if (radix === 'dec') return v.toString(10);
    const signBit = 1n << BigInt(bits.length - 1);
    return (v & signBit ? v - (signBit << 1n) : v).toString(10);
  }
  if (radix !== 'hex') return /^z+$/.test(bits) ? 'z' : 'x';
  return groups(bits, 4)
    .map((g) => {
      if (/^[01]+$/.test(g)) return Number.parseInt(g, 2).toString(16);
      if (/^x+$/.test(g)) return 'x';
      if (/^z+$/.test(g)) return 'z';
      return g.includes('x') ? 'X' : 'Z';
    })
    .join('');
}

/**
 * A value typed in the search box, in a radix, as the bits the worker compares (`width`
 * digits). Hex and binary take x/z digits; a 0x/0b prefix overrides the radix; decimal
 * must fit (signed: two's complement).
 */
export function parseValue(text: string, radix: Radix, width: number): { bits: string } | { error: string } {
  let t = text.trim().toLowerCase().replace(/_/g, '');
  let r = radix;
  if (t.startsWith('0x')) [r, t] = ['hex', t.slice(2)];
  else if (t.startsWith('0b')) [r, t] = ['bin', t.slice(2)];
  if (t === '') return { error: 'type a value' };
  let bits: string;
  if (r === 'hex') {
    if (!/^[0-9a-fxz]+$/.test(t)) return { error: `${text} is not a hex value` };
    bits = [...t].map((c) => (c === 'x' || c === 'z' ? c.repeat(4) : Number.parseInt(c, 16).toString(2).padStart(4, '0'))).join('');
  } else if (r === 'bin') {
    if (!/^[01xz]+$/.test(t)) return { error: `${text} is not a binary value` };
    bits = t;
  } else {
    if (!/^-?\d+$/.test(t)) return { error: `${text} is not a decimal value` };
    let v = BigInt(t);
    const lim = 1n << BigInt(width);
    if (r === 'dec' && (v < 0n || v >= lim)) return { error: `${text} does not fit in ${width} unsigned bits` };
    if (r === 'signed' && (v < -(lim >> 1n) || v >= lim >> 1n)) return { error: `${text} does not fit in ${width} signed bits` };
    if (v < 0n) v += lim;
    return { bits: v.toString(2).padStart(width, '0') };
  }
  // Wider than the signal: only leading zeros may go.
  if (bits.length > width) {
    const extra = bits.slice(0, bits.length - width);
    if (/[^0]/.test(extra)) return { error: `${text} is wider than ${width} bits` };
    bits = bits.slice(bits.length - width);
  }
  const fill = bits[0] === 'x' || bits[0] === 'z' ? bits[0] : '0';
  return { bits: fill.repeat(width - bits.length) + bits };
}

/** A segment of a row on screen: [x0, x1) in pixels, its value (null: a band of many changes). */
export interface DrawSegment {
  x0: number;
  x1: number;
  value: string | null;
}

/** A row's segments clipped to the view; each lasts until the next one (the last until `end`). */
export function drawSegments(row: WaveRow, v: Viewport, end: number): DrawSegment[] {
  const out: DrawSegment[] = [];
  const segs = row.segments;
  for (let i = 0; i < segs.length; i++) {
    const [t, value] = segs[i]!;
    const tNext = i + 1 < segs.length ? segs[i + 1]![0] : Math.max(end, v.t1);
    if (tNext < v.t0 || t > v.t1) continue;
    const x0 = Math.max(0, timeToX(v, t));
    const x1 = Math.min(v.width, timeToX(v, tNext));
    if (x1 < x0) continue;
    out.push({ x0, x1, value });
  }
  return out;
}

/** Text cut to fit `px` pixels at `charPx` per character ('' when not even one character and the ellipsis fit). */
export function fitText(text: string, px: number, charPx: number): string {
  const n = Math.floor(px / charPx);
  if (n >= text.length) return text;
  if (n < 2) return '';
  return text.slice(0, n - 1) + '…';
}

/** The value in effect at t in a row (the last segment at or before t), null inside a band, undefined before the first. */
export function valueInRow(row: WaveRow, t: number): string | null | undefined {
  let found: string | null | undefined;
  for (const [st, v] of row.segments) {
    if (st > t) break;
    found = v;
  }
  return found;
}

/**
 * The tree with only what matches a name filter: a signal whose name or path contains
 * every word of the query (case-insensitive), and the nodes leading to one. A node whose
 * own label matches keeps all it holds. An empty query keeps everything.
 */
export function filterTree(tree: readonly WaveTreeNode[], signals: readonly WaveSignal[], query: string): WaveTreeNode[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...tree];
  const hit = (text: string): boolean => {
    const t = text.toLowerCase();
    return words.every((w) => t.includes(w));
  };
  const walk = (n: WaveTreeNode): WaveTreeNode | null => {
    if (hit(n.label)) return n;
    const children = n.children.map(walk).filter((c): c is WaveTreeNode => c !== null);
    const sigs = n.signals.filter((id) => hit(signals[id]!.path));
    return children.length || sigs.length ? { ...n, children, signals: sigs } : null;
  };
  return tree.map(walk).filter((c): c is WaveTreeNode => c !== null);
}

/** The stream a signal belongs to (any of its tdata/tvalid/tready/tlast). */
export function streamOfSignal(streams: readonly WaveStream[], id: number): WaveStream | undefined {
  return streams.find((s) => s.tdata === id || s.tvalid === id || s.tready === id || s.tlast === id);
}

/** The engine node computing a layer (its key), searched through the whole tree. */
export function engineOfLayer(tree: readonly WaveTreeNode[], layer: string): WaveTreeNode | undefined {
  for (const n of tree) {
    if (n.kind === 'engine' && (n.key === layer || n.layers?.includes(layer))) return n;
    const c = engineOfLayer(n.children, layer);
    if (c) return c;
  }
  return undefined;
}

/** Every signal under a node, in order. */
export function signalsUnder(n: WaveTreeNode): number[] {
  return [...n.signals, ...n.children.flatMap(signalsUnder)];
}

/** Text of a marker pair: `Δ m2 − m1 = 40 ns (4 cycles)` when the clock period is known. */
export function deltaText(m1: number, m2: number, ts: WaveTimescale, period: number | null): string {
  const d = m2 - m1;
  const cycles = period ? ` (${Number((d / period).toFixed(2))} cycles)` : '';
  return `Δ = ${d < 0 ? '−' : ''}${formatTime(Math.abs(d), ts)}${cycles}`;
}
