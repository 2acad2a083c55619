/**
 * One open waveform for the viewer: the VCD parsed and indexed once, the design's streams
 * found with the report.json beside it, and the answers to the viewer's requests
 * (protocol/waveform.ts): rows of the shown signals over the shown time range (at most a
 * change per pixel), values at the cursor, a stream's transactions page by page, the next
 * change to a value. Runs in the VCD worker (worker.ts); tested directly.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildFiles, SIM_FOLDER } from '../../protocol/build-folder.js';
import type { CompileReport, SimResult } from '../../protocol/results.js';
import type { WaveMismatch, WaveOverview, WaveRow, WaveSignal, WaveTransaction, WaveTreeNode } from '../../protocol/waveform.js';
import { loadVcd, type LoadOptions } from './parse.js';
import { findStreams, handshakes, mismatchHandshake, risingEdges, transactionOf, type Handshakes, type StreamSignals } from './streams.js';
import type { Vcd, VcdScope, VcdSignal, VcdVar } from './vcd.js';

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The build folder's report.json and sim/result.json when the VCD lies in its sim/ folder. */
function buildFilesOf(vcdFile: string): { report: CompileReport | null; result: SimResult | null } {
  const simFolder = path.dirname(vcdFile);
  if (path.basename(simFolder) !== SIM_FOLDER) return { report: null, result: null };
  const files = buildFiles(path.dirname(simFolder));
  return { report: readJson<CompileReport>(files.report), result: readJson<SimResult>(files.simResult) };
}

export class WaveformSession {
  private readonly varIndex = new Map<string, number>();
  private streams: StreamSignals[] = [];
  private clockVar: VcdVar | null = null;
  private edges: number[] | null = null;
  private readonly hsCache = new Map<string, { st: StreamSignals; hs: Handshakes }>();
  readonly overview: WaveOverview;

  private constructor(
    readonly file: string,
    readonly vcd: Vcd,
    heapMB: number,
  ) {
    vcd.header.vars.forEach((v, i) => this.varIndex.set(v.path, i));
    const signals: WaveSignal[] = vcd.header.vars.map((v, id) => {
      const s = vcd.signalOf(v);
      return { id, name: v.name, path: v.path, width: v.width, kind: s.kind, type: v.type, range: v.range, changes: s.count };
    });
    const { report, result } = buildFilesOf(file);
    let streamsNote: string | null = null;
    let network: string | null = null;
    let clock: number | null = null;
    const tree: WaveTreeNode[] = [];
    if (!report) streamsNote = 'No report.json beside this waveform (build/<name>/report.json): the streams are not decoded.';
    else {
      try {
        const found = findStreams(vcd, report);
        this.streams = found.streams;
        this.clockVar = found.clock;
        network = report.network;
        clock = this.varIndex.get(found.clock.path) ?? null;
        if (found.missing.length) streamsNote = `Not in this waveform: ${found.missing.join(', ')}.`;
        tree.push(this.streamTree(report));
      } catch (e) {
        streamsNote = e instanceof Error ? e.message : String(e);
      }
    }
    tree.push(...vcd.scopes.map((s) => this.scopeTree(s)));
    if (this.clockVar) this.edges = risingEdges(vcd, this.clockVar);
    this.overview = {
      file,
      timescale: { ...vcd.timescale },
      start: vcd.times.length ? vcd.times[0]! : 0,
      end: vcd.endTime,
      signals,
      tree,
      streams: this.streams.map((s) => ({
        signal: s.stream.signal,
        label: s.label,
        engine: s.engine,
        tensor: s.stream.tensor,
        shape: s.stream.shape,
        type: s.stream.type,
        elems: s.stream.elems,
        tdata: this.id(s.tdata.path),
        tvalid: this.id(s.tvalid.path),
        tready: this.id(s.tready.path),
        tlast: s.tlast ? this.id(s.tlast.path) : null,
        transactions: this.handshakesOf(s.stream.signal).hs.count,
      })),
      network,
      streamsNote,
      mismatch: result && network === result.network && sameFile(result.waveform, file) ? this.mismatch(result) : null,
      clock,
      period: this.edges ? commonPeriod(this.edges) : null,
      stats: { bytes: vcd.stats.bytes, changes: vcd.stats.changes, parseMs: vcd.stats.ms, heapMB },
      warnings: vcd.warnings,
    };
  }

  static async open(file: string, opts: LoadOptions = {}): Promise<WaveformSession> {
    const vcd = await loadVcd(file, opts);
    const m = process.memoryUsage();
    return new WaveformSession(file, vcd, Math.round((m.heapUsed + m.arrayBuffers) / 1e6));
  }

  private id(varPath: string): number {
    return this.varIndex.get(varPath)!;
  }

  /** The design's streams first, grouped by engine (its input and output), then the streams between converters and FIFOs. */
  private streamTree(report: CompileReport): WaveTreeNode {
    const node = (s: StreamSignals): WaveTreeNode => ({
      label: `${s.label}  (${s.stream.signal}: ${s.stream.elems} × ${s.stream.type})`,
      kind: 'stream',
      key: s.stream.signal,
      children: [],
      signals: [s.tvalid, s.tready, s.tdata, ...(s.tlast ? [s.tlast] : [])].map((v) => this.id(v.path)),
    });
    const engines: WaveTreeNode[] = report.engines.map((e) => ({
      label: `${e.name}  (${e.layers.join(' + ')}, ${e.kind})`,
      kind: 'engine',
      key: e.name,
      layers: e.layers,
      children: this.streams.filter((s) => s.engine === e.name).map(node),
      signals: [],
    }));
    const between = this.streams.filter((s) => s.engine === null);
    if (between.length) engines.push({ label: 'converters and FIFOs', kind: 'group', children: between.map(node), signals: [] });
    return { label: `streams of ${report.network}`, kind: 'group', children: engines, signals: [] };
  }

  private scopeTree(s: VcdScope): WaveTreeNode {
    return {
      label: s.name || '(no scope)',
      kind: 'scope',
      key: s.path,
      children: s.scopes.map((c) => this.scopeTree(c)),
      signals: s.vars.map((v) => this.id(v.path)),
    };
  }

  private mismatch(result: SimResult): WaveMismatch | null {
    const m = result.first_mismatch;
    if (!m) return null;
    const text = `${m.layer}, frame ${m.frame}, element ${m.index} (ch ${m.channel}${m.position.length ? `, position ${m.position.join(', ')}` : ''}): expected ${m.expected}, got ${m.got}`;
    const out = this.streams.find((s) => s.stream.signal === 'm_axis') ?? this.streams[this.streams.length - 1];
    if (!out) return { time: null, stream: 'm_axis', transaction: null, text, reason: 'the output stream is not in this waveform' };
    const { hs } = this.handshakesOf(out.stream.signal);
    const at = mismatchHandshake(out, hs.count, m);
    return at.handshake !== null
      ? { time: hs.times[at.handshake]!, stream: out.stream.signal, transaction: at.handshake, text, reason: null }
      : { time: null, stream: out.stream.signal, transaction: null, text, reason: at.reason };
  }

  /** A stream's handshakes (found once, kept compact; decoded a page at a time). */
  private handshakesOf(stream: string): { st: StreamSignals; hs: Handshakes } {
    let h = this.hsCache.get(stream);
    if (!h) {
      const st = this.streams.find((s) => s.stream.signal === stream);
      if (!st || !this.clockVar) throw new Error(`no stream ${stream} in this waveform`);
      this.edges ??= risingEdges(this.vcd, this.clockVar);
      h = { st, hs: handshakes(this.vcd, st, this.edges) };
      this.hsCache.set(stream, h);
    }
    return h;
  }

  private signal(id: number): VcdSignal {
    const v = this.vcd.header.vars[id];
    if (!v) throw new Error(`no signal ${id}`);
    return this.vcd.signalOf(v);
  }

  private text(s: VcdSignal, i: number): string {
    return s.bits(i);
  }

  /**
   * A row over [t0, t1] for a view `px` pixels wide: every change when there are few, else
   * per pixel column either its one change or the start of a band of many (value null),
   * closed by the value the band ends on.
   */
  row(id: number, t0: number, t1: number, px: number): WaveRow {
    const s = this.signal(id);
    const vcd = this.vcd;
    const segments: [number, string | null][] = [];
    const before = vcd.indexAt(s, t0);
    const i0 = Math.max(0, before);
    const i1 = vcd.indexAt(s, t1);
    if (i1 < i0) {
      if (before >= 0) segments.push([vcd.timeOf(s, before), this.text(s, before)]);
      return { id, segments };
    }
    if (i1 - i0 + 1 <= 2 * px) {
      for (let i = i0; i <= i1; i++) segments.push([vcd.timeOf(s, i), this.text(s, i)]);
      return { id, segments };
    }
    if (before >= 0) segments.push([vcd.timeOf(s, before), this.text(s, before)]);
    const dt = (t1 - t0) / px;
    let j0 = before >= 0 ? before + 1 : i0;
    let run = -1;
    for (let c = 0; c < px && j0 <= i1; c++) {
      const tb = c === px - 1 ? t1 + 1 : t0 + (c + 1) * dt;
      const j1 = Math.min(i1 + 1, lowerBoundFrom(vcd, s, tb, j0));
      const k = j1 - j0;
      if (k === 0) {
        if (run >= 0) segments.push([vcd.timeOf(s, run), this.text(s, run)]);
        run = -1;
      } else if (k === 1 && run < 0) segments.push([vcd.timeOf(s, j0), this.text(s, j0)]);
      else {
        if (run < 0) segments.push([vcd.timeOf(s, j0), null]);
        run = j1 - 1;
      }
      j0 = j1;
    }
    if (run >= 0) segments.push([vcd.timeOf(s, run), this.text(s, run)]);
    return { id, segments };
  }

  rows(ids: number[], t0: number, t1: number, px: number): WaveRow[] {
    const w = Math.max(1, Math.min(8192, Math.round(px)));
    return ids.map((id) => this.row(id, t0, Math.max(t1, t0), w));
  }

  values(ids: number[], t: number): (string | null)[] {
    return ids.map((id) => {
      const s = this.signal(id);
      const i = this.vcd.indexAt(s, t);
      return i < 0 ? null : this.text(s, i);
    });
  }

  transactions(stream: string, from: number, count: number): { total: number; items: WaveTransaction[] } {
    const { st, hs } = this.handshakesOf(stream);
    const items: WaveTransaction[] = [];
    const start = Math.max(0, from);
    for (let k = start; k < Math.min(hs.count, start + Math.max(0, Math.min(count, 5000))); k++) {
      const t = transactionOf(this.vcd, st, hs, k);
      items.push({ ...t, values: t.values.map((v) => (v === null ? 'x' : String(v))) });
    }
    return { total: hs.count, items };
  }

  /** The last transaction at or before t (0 when t is before the first; −1 when there is none). */
  transactionAt(stream: string, t: number): number {
    const { hs } = this.handshakesOf(stream);
    let lo = 0;
    let hi = hs.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hs.times[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return hs.count === 0 ? -1 : Math.max(0, lo - 1);
  }

  /** The next (dir 1: after `from`) or previous (dir −1: before `from`) change of a signal to the value `bits`. */
  search(id: number, bits: string, from: number, dir: 1 | -1): number | null {
    const s = this.signal(id);
    const vcd = this.vcd;
    const want = bits.toLowerCase();
    // Compare as numbers where the value fits; as text otherwise.
    const n = s.kind === 'bits' && s.width <= 53 && /^[01]+$/.test(want) ? Number.parseInt(want, 2) : NaN;
    const same = (i: number): boolean => (Number.isNaN(n) ? this.text(s, i) === want : s.number(i) === n);
    if (dir === 1) {
      for (let i = lowerBoundFrom(vcd, s, from, 0); i < s.count; i++) {
        if (vcd.timeOf(s, i) > from && same(i)) return vcd.timeOf(s, i);
      }
    } else {
      for (let i = vcd.indexAt(s, from); i >= 0; i--) {
        if (vcd.timeOf(s, i) < from && same(i)) return vcd.timeOf(s, i);
      }
    }
    return null;
  }
}

/** First change of s at or after t, searching from index lo. */
function lowerBoundFrom(vcd: Vcd, s: VcdSignal, t: number, lo: number): number {
  let hi = s.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (vcd.timeOf(s, mid) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameFile(a: string | null, b: string): boolean {
  return a !== null && path.resolve(a) === path.resolve(b);
}

/** The most common distance between consecutive rising edges. */
function commonPeriod(edges: readonly number[]): number | null {
  const count = new Map<number, number>();
  for (let i = 1; i < edges.length; i++) {
    const d = edges[i]! - edges[i - 1]!;
    count.set(d, (count.get(d) ?? 0) + 1);
  }
  let best: number | null = null;
  let n = 0;
  for (const [d, c] of count) {
    if (c > n) [best, n] = [d, c];
  }
  return best;
}
