/**
 * A parsed VCD (IEEE 1364 §18 value change dump): the header (timescale, scope tree,
 * variables) and, per signal, every change indexed for lookups by time. Built once by
 * parse.ts; the viewer and the stream decoder only query it.
 *
 * Storage is compact, because a `--vcd=all` dump of a few frames holds tens of millions
 * of changes: the distinct timestamps are one Float64Array shared by every signal, each
 * signal holds the index of its changes' timestamps (Uint32Array) and its values in a
 * typed array by kind — 1-bit signals one byte per change (0, 1, x, z), vectors
 * ⌈width/32⌉ 32-bit words per change (least significant word first), reals a Float64 —
 * and only values with x or z bits are kept as strings, in a sparse map.
 */

/** A value: known bits as a bigint; bits with x or z as a string of 0/1/x/z, most significant first, `width` long; a real; a string variable's text. */
export type VcdValue = bigint | string | number;

export type ValueKind = 'bits' | 'real' | 'string';

export interface VcdTimescale {
  /** 1, 10 or 100. */
  magnitude: number;
  unit: 's' | 'ms' | 'us' | 'ns' | 'ps' | 'fs';
  /** Seconds per time unit of the file. */
  seconds: number;
}

/** A `$var`: one name of a signal (several vars may share a signal: aliases with one identifier code). */
export interface VcdVar {
  /** The reference without its range: `c1_out_tdata`. */
  name: string;
  /** Scope path and name, dotted: `TOP.qnn_sim_tb.dut.c1_out_tdata`. */
  path: string;
  /** The scope's path. */
  scope: string;
  /** wire, reg, integer, real, parameter, event, … as the file says. */
  type: string;
  width: number;
  /** `[15:0]`, or '' when the file gives none. */
  range: string;
  /** Index of its signal in `Vcd.signals`. */
  signal: number;
}

export interface VcdScope {
  name: string;
  /** module, task, function, begin, fork, … */
  type: string;
  path: string;
  scopes: VcdScope[];
  vars: VcdVar[];
}

const X = 2;
const Z = 3;
const SCALAR_CHARS = '01xz';

/** Growable typed arrays (capacity doubles). */
function grow<T extends Uint8Array | Uint32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = Math.max(16, a.length);
  while (cap < need) cap *= 2;
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/** One signal (one identifier code) and its changes. */
export class VcdSignal {
  /** Changes so far. */
  count = 0;
  /** Per change: index into `Vcd.times`. */
  tix: Uint32Array = new Uint32Array(4);
  /** width 1: 0, 1, 2 (x), 3 (z). */
  private v8: Uint8Array | null = null;
  /** width > 1: `words` 32-bit words per change, least significant first (0 where the value has x/z). */
  private v32: Uint32Array | null = null;
  private vreal: Float64Array | null = null;
  private vstr: string[] | null = null;
  /** Changes whose value has x or z bits (width > 1): their bits. */
  private xz: Map<number, string> | null = null;
  readonly words: number;

  constructor(
    readonly id: number,
    /** The identifier code in the file. */
    readonly code: string,
    readonly width: number,
    readonly kind: ValueKind,
  ) {
    this.words = Math.max(1, Math.ceil(width / 32));
    if (kind === 'real') this.vreal = new Float64Array(4);
    else if (kind === 'string') this.vstr = [];
    else if (width === 1) this.v8 = new Uint8Array(4);
    else this.v32 = new Uint32Array(4 * this.words);
  }

  /** The slot for a change at time index `t`: a new one, or the last one when it is at the same time (the later value wins). */
  private slot(t: number): number {
    const n = this.count;
    if (n > 0 && this.tix[n - 1] === t) {
      this.xz?.delete(n - 1);
      return n - 1;
    }
    this.tix = grow(this.tix, n + 1);
    this.tix[n] = t;
    this.count = n + 1;
    return n;
  }

  /** A scalar change: `c` is the character code of 0, 1, x/X or z/Z (others are rejected by the parser). */
  setScalar(t: number, c: number): void {
    const code = c === 48 ? 0 : c === 49 ? 1 : c === 120 || c === 88 ? X : Z;
    if (this.v8) {
      const i = this.slot(t);
      this.v8 = grow(this.v8, i + 1);
      this.v8[i] = code;
    } else this.setBits(t, SCALAR_CHARS[code]!);
  }

  /** A vector change: `bits` are 0/1/x/z digits, most significant first, possibly shorter than the width (IEEE 1364 §18.2.1: extended with 0, or with x/z when the first digit is x/z). */
  setBits(t: number, bits: string): void {
    if (this.kind === 'real') return this.setReal(t, Number.parseInt(bits, 2));
    if (this.kind === 'string') return this.setString(t, bits);
    if (this.v8) {
      const last = bits.charCodeAt(bits.length - 1) | 0x20; // lower case
      return this.setScalar(t, last === 48 || last === 49 || last === 120 ? last : 122);
    }
    const i = this.slot(t);
    const k = this.words;
    const v = (this.v32 = grow(this.v32!, (i + 1) * k));
    const base = i * k;
    if (/^[01]+$/.test(bits)) {
      // Known bits: 32 digits at a time from the least significant end (parseInt is exact below 2^53).
      const len = bits.length;
      for (let w = 0; w < k; w++) {
        const hi = len - 32 * w;
        if (hi <= 0) {
          v[base + w] = 0;
          continue;
        }
        let word = Number.parseInt(bits.slice(Math.max(0, hi - 32), hi), 2);
        if (w === k - 1 && this.width % 32 !== 0) word %= 2 ** (this.width % 32); // digits above the width
        v[base + w] = word;
      }
      return;
    }
    for (let w = 0; w < k; w++) v[base + w] = 0;
    const lower = bits.toLowerCase();
    const fill = lower[0] === 'x' || lower[0] === 'z' ? lower[0] : '0';
    const full = lower.length >= this.width ? lower.slice(lower.length - this.width) : fill.repeat(this.width - lower.length) + lower;
    if (/^[01]+$/.test(full)) return this.setBits(t, full); // the x/z digits were above the width
    (this.xz ??= new Map()).set(i, full);
  }

  setReal(t: number, x: number): void {
    if (!this.vreal) return this.setBits(t, Number.isFinite(x) ? Math.trunc(x).toString(2) : 'x');
    const i = this.slot(t);
    this.vreal = grow(this.vreal, i + 1);
    this.vreal[i] = x;
  }

  setString(t: number, s: string): void {
    if (!this.vstr) return this.setBits(t, s);
    const i = this.slot(t);
    this.vstr[i] = s;
  }

  /** Drops spare capacity once the file is read. */
  trim(): void {
    const n = this.count;
    this.tix = this.tix.slice(0, n);
    if (this.v8) this.v8 = this.v8.slice(0, n);
    if (this.v32) this.v32 = this.v32.slice(0, n * this.words);
    if (this.vreal) this.vreal = this.vreal.slice(0, n);
  }

  /** True when change `i` has x or z bits. */
  isXz(i: number): boolean {
    if (this.v8) return this.v8[i]! >= X;
    return this.xz?.has(i) ?? false;
  }

  /** The value of change `i`. */
  value(i: number): VcdValue {
    if (this.v8) {
      const c = this.v8[i]!;
      return c < X ? BigInt(c) : c === X ? 'x' : 'z';
    }
    if (this.vreal) return this.vreal[i]!;
    if (this.vstr) return this.vstr[i]!;
    const s = this.xz?.get(i);
    if (s !== undefined) return s;
    const k = this.words;
    const v = this.v32!;
    if (k === 1) return BigInt(v[i]!);
    if (k === 2) return (BigInt(v[i * 2 + 1]!) << 32n) | BigInt(v[i * 2]!);
    let r = 0n;
    for (let w = k - 1; w >= 0; w--) r = (r << 32n) | BigInt(v[i * k + w]!);
    return r;
  }

  /** Change `i` as a number when it fits (width ≤ 53, no x/z); NaN otherwise. Cheaper than value() for clocks and handshakes. */
  number(i: number): number {
    if (this.v8) {
      const c = this.v8[i]!;
      return c < X ? c : NaN;
    }
    if (this.vreal) return this.vreal[i]!;
    if (this.vstr || this.width > 53 || this.xz?.has(i)) return NaN;
    const k = this.words;
    return k === 1 ? this.v32![i]! : this.v32![i * 2 + 1]! * 2 ** 32 + this.v32![i * 2]!;
  }

  /** Change `i` as text: a real's or string's own text, else the bits (0/1/x/z, most significant first, `width` digits). */
  bits(i: number): string {
    const v = this.value(i);
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    return v.toString(2).padStart(this.width, '0');
  }
}

export interface VcdHeader {
  /** `$version` and `$date` text ('' when absent). */
  version: string;
  date: string;
  timescale: VcdTimescale;
  /** Top-level scopes in file order. */
  scopes: VcdScope[];
  /** Every $var in file order (aliases included). */
  vars: VcdVar[];
}

/** A VCD read and indexed (parse.ts builds it). */
export class Vcd {
  constructor(
    readonly header: VcdHeader,
    readonly signals: VcdSignal[],
    /** The distinct timestamps, ascending. */
    readonly times: Float64Array,
    /** The last timestamp of the file (0 without any). */
    readonly endTime: number,
    /** Things the parser skipped (value changes of unknown codes), worded with their line. */
    readonly warnings: string[],
    readonly stats: { bytes: number; lines: number; changes: number; ms: number },
  ) {}

  get timescale(): VcdTimescale {
    return this.header.timescale;
  }
  get scopes(): VcdScope[] {
    return this.header.scopes;
  }

  private byPath?: Map<string, VcdVar>;
  /** A var by its dotted path. */
  find(path: string): VcdVar | undefined {
    this.byPath ??= new Map(this.header.vars.map((v) => [v.path, v]));
    return this.byPath.get(path);
  }

  /** A scope by its dotted path. */
  scope(path: string): VcdScope | undefined {
    const walk = (ss: VcdScope[]): VcdScope | undefined => {
      for (const s of ss) {
        if (s.path === path) return s;
        if (path.startsWith(s.path + '.')) return walk(s.scopes);
      }
      return undefined;
    };
    return walk(this.header.scopes);
  }

  signalOf(v: VcdVar | VcdSignal | number): VcdSignal {
    return typeof v === 'number' ? this.signals[v]! : v instanceof VcdSignal ? v : this.signals[v.signal]!;
  }

  /** Time of change `i` of a signal. */
  timeOf(s: VcdSignal, i: number): number {
    return this.times[s.tix[i]!]!;
  }

  /** First change of `s` at or after time t (s.count when none). */
  lowerBound(s: VcdSignal, t: number): number {
    let lo = 0;
    let hi = s.count;
    const tix = s.tix;
    const times = this.times;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[tix[mid]!]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The change of `s` in effect at time t (the last at or before t), or −1 before the first. */
  indexAt(sig: VcdVar | VcdSignal | number, t: number): number {
    const s = this.signalOf(sig);
    let lo = 0;
    let hi = s.count;
    const tix = s.tix;
    const times = this.times;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[tix[mid]!]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The value at time t (after every change at t), or undefined before the signal's first change. */
  valueAt(sig: VcdVar | VcdSignal | number, t: number): VcdValue | undefined {
    const s = this.signalOf(sig);
    const i = this.indexAt(s, t);
    return i < 0 ? undefined : s.value(i);
  }

  /** The changes with t0 ≤ time ≤ t1, in order. */
  changesIn(sig: VcdVar | VcdSignal | number, t0: number, t1: number): { time: number; value: VcdValue }[] {
    const s = this.signalOf(sig);
    const out: { time: number; value: VcdValue }[] = [];
    for (let i = this.lowerBound(s, t0); i < s.count; i++) {
      const t = this.timeOf(s, i);
      if (t > t1) break;
      out.push({ time: t, value: s.value(i) });
    }
    return out;
  }
}
