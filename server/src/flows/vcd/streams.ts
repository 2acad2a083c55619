/**
 * The streams of a generated design read back from its waveform: every handshake
 * (tvalid ∧ tready sampled at a rising edge of `clk`) on a stream of the top level is a
 * transaction, decoded with what report.json says the stream carries (its tensor's shape,
 * element type and elements per word), e.g. `c1.out[pixel 12, ch 4..7] = 3, 0, 15, 2`.
 * A stream's signals are `<signal>_tdata/_tvalid/_tready/_tlast` in the DUT's scope.
 */
import { decodeElem } from '../sim/words.js';
import type { CompileReport, Mismatch, TopStream } from '../../protocol/results.js';
import type { Vcd, VcdScope, VcdSignal, VcdVar } from './vcd.js';

export interface StreamSignals {
  stream: TopStream;
  /** `c1.out`, `c2.in`, or `fifo_c1_c2.out` for a stream between a converter and a FIFO. */
  label: string;
  /** The engine it belongs to (the one it leaves or enters), or null between a converter and a FIFO. */
  engine: string | null;
  tdata: VcdVar;
  tvalid: VcdVar;
  tready: VcdVar;
  tlast: VcdVar | null;
}

export interface DesignStreams {
  /** The scope holding the streams (the DUT's top level). */
  scope: string;
  clock: VcdVar;
  streams: StreamSignals[];
  /** Streams of the report with no signals in the VCD. */
  missing: string[];
}

export interface Transaction {
  /** The handshake's number on its stream in this waveform (from 0). */
  index: number;
  /** Time of the rising clock edge that took the word (in the file's time units). */
  time: number;
  frame: number;
  /** Word of the frame. */
  word: number;
  /** The decoded elements, element 0 first; null where tdata has x/z bits. */
  values: (number | null)[];
  /** tlast at the handshake, or null without a tlast signal. */
  last: boolean | null;
  /** `c1.out[pixel 12, ch 4..7] = 3, 0, 15, 2`. */
  text: string;
  /** The position part: `pixel 12, ch 4..7`. */
  position: string;
}

/** The label of a stream: the engine it leaves (`c1.out`) or enters (`c2.in`), else its producer's output. */
export function streamLabel(s: TopStream, engines: ReadonlySet<string>): { label: string; engine: string | null } {
  if (engines.has(s.producer)) return { label: `${s.producer}.out`, engine: s.producer };
  if (engines.has(s.consumer)) return { label: `${s.consumer}.in`, engine: s.consumer };
  return { label: `${s.producer}.out`, engine: null };
}

function allScopes(scopes: VcdScope[], out: VcdScope[] = []): VcdScope[] {
  for (const s of scopes) {
    out.push(s);
    allScopes(s.scopes, out);
  }
  return out;
}

/**
 * Finds the design's streams in a VCD: the scope with the most of the report's
 * `<signal>_tdata` vars (the DUT's top level; the testbench has only s_axis and m_axis,
 * each engine its own two ports), and a `clk` there or in a scope above it.
 */
export function findStreams(vcd: Vcd, report: Pick<CompileReport, 'top_streams' | 'engines' | 'network'>): DesignStreams {
  if (!Array.isArray(report.top_streams))
    throw new Error(`report.json of ${report.network} lists no streams (top_streams): compile or simulate the network again`);
  let best: { scope: VcdScope; n: number } | undefined;
  for (const scope of allScopes(vcd.scopes)) {
    const names = new Set(scope.vars.map((v) => v.name));
    const n = report.top_streams.filter((s) => names.has(`${s.signal}_tdata`)).length;
    if (n > (best?.n ?? 0)) best = { scope, n };
  }
  if (!best) throw new Error(`no stream of ${report.network} (${report.top_streams.map((s) => s.signal).join(', ')}) is in this waveform`);
  const scope = best.scope;
  const byName = new Map(scope.vars.map((v) => [v.name, v]));
  let clock: VcdVar | undefined;
  for (
    let path: string | null = scope.path;
    path !== null && !clock;
    path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : null
  )
    clock = vcd.scope(path)?.vars.find((v) => v.name === 'clk' && v.width === 1);
  if (!clock) throw new Error(`no 1-bit clk in ${scope.path} or a scope above it: transactions are taken at its rising edges`);
  const engines = new Set(report.engines.map((e) => e.name));
  const streams: StreamSignals[] = [];
  const missing: string[] = [];
  for (const s of report.top_streams) {
    const tdata = byName.get(`${s.signal}_tdata`);
    const tvalid = byName.get(`${s.signal}_tvalid`);
    const tready = byName.get(`${s.signal}_tready`);
    if (!tdata || !tvalid || !tready) {
      missing.push(s.signal);
      continue;
    }
    streams.push({ stream: s, ...streamLabel(s, engines), tdata, tvalid, tready, tlast: byName.get(`${s.signal}_tlast`) ?? null });
  }
  return { scope: scope.path, clock, streams, missing };
}

/** Times of the clock's rising edges (0 → 1). */
export function risingEdges(vcd: Vcd, clock: VcdVar): number[] {
  const s = vcd.signalOf(clock);
  const out: number[] = [];
  let prev = NaN;
  for (let i = 0; i < s.count; i++) {
    const v = s.number(i);
    if (v === 1 && prev === 0) out.push(vcd.timeOf(s, i));
    prev = v;
  }
  return out;
}

/** Walks a signal's changes forwards: the change in effect just before each (ascending) time. */
class Before {
  private i = -1;
  constructor(
    private readonly vcd: Vcd,
    readonly s: VcdSignal,
  ) {}
  /** Index of the last change strictly before t, or −1. */
  at(t: number): number {
    const s = this.s;
    while (this.i + 1 < s.count && this.vcd.timeOf(s, this.i + 1) < t) this.i++;
    return this.i;
  }
}

/** `pixel 12, ch 4..7` (or `y 3, x 5, ch 0..3`; `ch 4..7` for a vector) for elements [first, last] of a tensor, channels last. */
export function positionText(shape: readonly number[], first: number, last: number): string {
  const c = shape[shape.length - 1] ?? 1;
  const spatial = shape.slice(0, -1);
  const where = (pix: number): string => {
    if (spatial.length === 0) return '';
    if (spatial.length === 1) return `pixel ${pix}`;
    const parts: string[] = [];
    let rest = pix;
    for (let d = spatial.length - 1; d >= 0; d--) {
      parts.unshift(String(rest % spatial[d]!));
      rest = Math.floor(rest / spatial[d]!);
    }
    return spatial.length === 2 ? `y ${parts[0]}, x ${parts[1]}` : `pixel (${parts.join(', ')})`;
  };
  const p0 = Math.floor(first / c);
  const p1 = Math.floor(last / c);
  const c0 = first % c;
  const c1 = last % c;
  if (p0 === p1) {
    const ch = c0 === c1 ? `ch ${c0}` : `ch ${c0}..${c1}`;
    const w = where(p0);
    return w ? `${w}, ${ch}` : ch;
  }
  // A word across pixels: both ends.
  return `${where(p0)} ch ${c0} .. ${where(p1)} ch ${c1}`;
}

/** The elements of a tdata value (bigint, or 0/1/x/z text). */
export function decodeWord(value: bigint | string, s: Pick<TopStream, 'elems' | 'elem_bits' | 'elem_kind'>): (number | null)[] {
  const out: (number | null)[] = [];
  const b = s.elem_bits;
  if (typeof value === 'bigint') {
    const mask = (1n << BigInt(b)) - 1n;
    for (let i = 0; i < s.elems; i++) out.push(decodeElem(Number((value >> BigInt(i * b)) & mask), b, s.elem_kind));
    return out;
  }
  // Bits as text, most significant first (extended like a VCD value: a leading x/z fills): element i is the digits [len − (i+1)·b, len − i·b).
  const need = s.elems * b;
  const lead = value[0] === 'x' || value[0] === 'z' ? value[0] : '0';
  if (value.length < need) value = lead.repeat(need - value.length) + value;
  const len = value.length;
  for (let i = 0; i < s.elems; i++) {
    const digits = value.slice(Math.max(0, len - (i + 1) * b), Math.max(0, len - i * b)).padStart(b, '0');
    out.push(/^[01]+$/.test(digits) ? decodeElem(Number.parseInt(digits, 2), b, s.elem_kind) : null);
  }
  return out;
}

/**
 * The handshakes of one stream, compact (a long waveform has hundreds of thousands): per
 * handshake its time, the tdata change in effect (−1: none yet) and tlast (−1 without a
 * tlast signal). `edges` are the clock's rising edges (risingEdges).
 */
export interface Handshakes {
  count: number;
  times: Float64Array;
  data: Int32Array;
  last: Int8Array;
}

export function handshakes(vcd: Vcd, st: StreamSignals, edges: readonly number[]): Handshakes {
  const valid = new Before(vcd, vcd.signalOf(st.tvalid));
  const ready = new Before(vcd, vcd.signalOf(st.tready));
  const data = new Before(vcd, vcd.signalOf(st.tdata));
  const last = st.tlast ? new Before(vcd, vcd.signalOf(st.tlast)) : null;
  const times: number[] = [];
  const di: number[] = [];
  const li: number[] = [];
  for (const t of edges) {
    const vi = valid.at(t);
    if (vi < 0 || valid.s.number(vi) !== 1) continue;
    const ri = ready.at(t);
    if (ri < 0 || ready.s.number(ri) !== 1) continue;
    times.push(t);
    di.push(data.at(t));
    const l = last ? last.at(t) : -1;
    li.push(last ? (l >= 0 && last.s.number(l) === 1 ? 1 : 0) : -1);
  }
  return { count: times.length, times: Float64Array.from(times), data: Int32Array.from(di), last: Int8Array.from(li) };
}

/** Handshake k decoded: its elements by type, its position in the frame, its text. */
export function transactionOf(vcd: Vcd, st: StreamSignals, hs: Handshakes, k: number): Transaction {
  const s = st.stream;
  const d = hs.data[k]!;
  const tdata = vcd.signalOf(st.tdata);
  const raw = d < 0 ? 'x' : tdata.value(d);
  const values = decodeWord(typeof raw === 'number' ? BigInt(Math.trunc(raw)) : raw, s);
  const frame = Math.floor(k / s.words_per_frame);
  const word = k % s.words_per_frame;
  const first = word * s.elems;
  const position = positionText(s.shape, first, first + s.elems - 1);
  const frameText = frame > 0 ? `frame ${frame}, ` : '';
  const l = hs.last[k]!;
  return {
    index: k,
    time: hs.times[k]!,
    frame,
    word,
    values,
    last: l < 0 ? null : l === 1,
    position,
    text: `${st.label}[${frameText}${position}] = ${values.map((v) => (v === null ? 'x' : String(v))).join(', ')}`,
  };
}

/** Every handshake of one stream, in order, decoded. `edges` are the clock's rising edges (risingEdges). */
export function transactions(vcd: Vcd, st: StreamSignals, edges: readonly number[]): Transaction[] {
  const hs = handshakes(vcd, st, edges);
  const out: Transaction[] = [];
  for (let k = 0; k < hs.count; k++) out.push(transactionOf(vcd, st, hs, k));
  return out;
}

/** Where `qnn sim`'s first mismatch is in the waveform: which of the output stream's `count` handshakes carried it, and its element. */
export function mismatchHandshake(
  output: StreamSignals,
  count: number,
  m: Mismatch,
): { handshake: number; element: number } | { handshake: null; reason: string } {
  const s = output.stream;
  const k = m.frame * s.words_per_frame + Math.floor(m.index / s.elems);
  if (k >= count) {
    const frames = Math.floor(count / s.words_per_frame);
    return {
      handshake: null,
      reason: `the first mismatch is in frame ${m.frame}, and the waveform holds ${frames === 0 ? 'no whole frame' : `frame${frames > 1 ? 's' : ''} 0${frames > 1 ? `..${frames - 1}` : ''}`}`,
    };
  }
  return { handshake: k, element: m.index % s.elems };
}
