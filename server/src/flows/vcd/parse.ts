/**
 * The VCD reader: a streaming tokenizer over chunks of the file (a 128 MB dump is never
 * one string), the header's commands ($timescale, $scope/$upscope, $var with aliases,
 * $date, $version, $comment and any other command skipped to its $end), then the value
 * changes (#time, scalar 0/1/x/z, b… vectors, r… reals, s… strings; $dumpvars, $dumpall,
 * $dumpon, $dumpoff blocks are plain changes). Whitespace is any of space, tab, CR, LF,
 * so CRLF files read like LF ones. A file that ends inside a command or a value change is
 * an error naming the line.
 */
import { open } from 'node:fs/promises';
import { Vcd, VcdSignal, type ValueKind, type VcdScope, type VcdTimescale, type VcdVar } from './vcd.js';

export class VcdError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'VcdError';
  }
}

const UNITS: Record<VcdTimescale['unit'], number> = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9, ps: 1e-12, fs: 1e-15 };
const MAX_WARNINGS = 20;

function parseTimescale(text: string, line: number): VcdTimescale {
  const m = /^(1|10|100)\s*(s|ms|us|ns|ps|fs)$/.exec(text.trim());
  if (!m) throw new VcdError(`$timescale "${text.trim()}" is not 1, 10 or 100 followed by s, ms, us, ns, ps or fs`, line);
  const unit = m[2] as VcdTimescale['unit'];
  const magnitude = Number(m[1]);
  return { magnitude, unit, seconds: magnitude * UNITS[unit] };
}

function kindOf(type: string): ValueKind {
  if (type === 'real' || type === 'realtime' || type === 'shortreal') return 'real';
  if (type === 'string') return 'string';
  return 'bits';
}

/** A code of up to 6 characters as a number (printable ASCII, base 95: distinct for distinct codes of any length). */
function codeKey(code: string): number {
  let key = 0;
  for (let k = 0; k < code.length; k++) key = key * 95 + (code.charCodeAt(k) - 32);
  return key;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** Feeds text in any chunks; `end()` gives the index. */
export class VcdParser {
  private line = 1;
  /** A token cut by the end of the last chunk. */
  private carry = '';
  // Header state.
  private cmd: string | null = null;
  private cmdTokens: string[] = [];
  private cmdLine = 0;
  private inDefinitions = true;
  private readonly top: VcdScope[] = [];
  private readonly stack: VcdScope[] = [];
  private readonly vars: VcdVar[] = [];
  private readonly byCode = new Map<string, VcdSignal>();
  private readonly byKey = new Map<number, VcdSignal>();
  private readonly signals: VcdSignal[] = [];
  private timescale: VcdTimescale = { magnitude: 1, unit: 's', seconds: 1 };
  private version = '';
  private date = '';
  // Value-change state.
  private times: Float64Array = new Float64Array(1024);
  private nTimes = 0;
  /** Time index of the current #time (−1 before the first). */
  private tIndex = -1;
  private lastTime = -Infinity;
  /** A `b…`/`r…`/`s…` value waiting for its identifier code. */
  private pending: string | null = null;
  private pendingLine = 0;
  private changes = 0;
  private unknown = 0;
  private readonly warnings: string[] = [];
  private bytes = 0;
  private endsWithNewline = false;
  private readonly started = Date.now();

  push(chunk: string): void {
    this.bytes += chunk.length;
    if (chunk.length) this.endsWithNewline = chunk.charCodeAt(chunk.length - 1) === 10;
    const s = this.carry ? this.carry + chunk : chunk;
    this.carry = '';
    const n = s.length;
    let i = 0;
    for (;;) {
      // Skip whitespace, counting lines.
      let c = 0;
      while (i < n) {
        c = s.charCodeAt(i);
        if (!isSpace(c)) break;
        if (c === 10) this.line++;
        i++;
      }
      if (i >= n) return;
      let j = i + 1;
      while (j < n && !isSpace(s.charCodeAt(j))) j++;
      if (j >= n) {
        // The token may go on in the next chunk.
        this.carry = s.slice(i);
        return;
      }
      this.token(s, i, j, c);
      i = j;
    }
  }

  /** The whole file has been pushed: the index, or an error if it was cut short. */
  end(): Vcd {
    if (this.carry) {
      const s = this.carry;
      this.carry = '';
      this.token(s, 0, s.length, s.charCodeAt(0));
    }
    if (this.cmd !== null)
      throw new VcdError(`the file ends inside $${this.cmd} (opened on line ${this.cmdLine}, no $end): it is cut short`, this.line);
    if (this.pending !== null)
      throw new VcdError(`the file ends after the value "${this.pending}" without its identifier code: it is cut short`, this.pendingLine);
    if (this.inDefinitions) throw new VcdError('the file ends before $enddefinitions: it is cut short or not a VCD', this.line);
    for (const sig of this.signals) sig.trim();
    if (this.unknown > MAX_WARNINGS) this.warnings.push(`… ${this.unknown - MAX_WARNINGS} more value changes of unknown identifier codes`);
    const times = this.times.slice(0, this.nTimes);
    return new Vcd(
      { version: this.version, date: this.date, timescale: this.timescale, scopes: this.top, vars: this.vars },
      this.signals,
      times,
      this.nTimes ? times[this.nTimes - 1]! : 0,
      this.warnings,
      { bytes: this.bytes, lines: this.endsWithNewline ? this.line - 1 : this.line, changes: this.changes, ms: Date.now() - this.started },
    );
  }

  private token(s: string, i: number, j: number, c: number): void {
    if (this.cmd !== null) {
      // Inside a command: collect its words up to $end.
      if (c === 36 && j - i === 4 && s.startsWith('$end', i)) this.command();
      else if (this.cmd !== 'comment') this.cmdTokens.push(s.slice(i, j));
      return;
    }
    if (this.pending !== null) {
      const v = this.pending;
      this.pending = null;
      this.change(v, s, i, j);
      return;
    }
    if (c === 36 /* $ */) return this.keyword(s.slice(i + 1, j));
    if (this.inDefinitions) throw new VcdError(`"${s.slice(i, j)}" in the header, where a $command was expected`, this.line);
    if (c === 35 /* # */) return this.time(s.slice(i + 1, j));
    // Scalar: 0 1 x X z Z followed by the code.
    if (c === 48 || c === 49 || c === 120 || c === 88 || c === 122 || c === 90) {
      if (j - i < 2) throw new VcdError(`the value change "${s.slice(i, j)}" has no identifier code`, this.line);
      const sig = this.signalAt(s, i + 1, j);
      if (sig) {
        sig.setScalar(this.timeIndex(), c);
        this.changes++;
      }
      return;
    }
    // Vector, real or string: the value, then the code as the next token.
    if (c === 98 || c === 66 || c === 114 || c === 82 || c === 115 || c === 83) {
      this.pending = s.slice(i, j);
      this.pendingLine = this.line;
      return;
    }
    throw new VcdError(`"${s.slice(i, j)}" is not a value change, a #time or a $command`, this.line);
  }

  private keyword(word: string): void {
    if (!this.inDefinitions) {
      // Value section: dump blocks hold ordinary changes; $end closes them.
      if (word === 'dumpvars' || word === 'dumpall' || word === 'dumpon' || word === 'dumpoff' || word === 'end') return;
    } else if (word === 'end') throw new VcdError('$end without a command to close', this.line);
    this.cmd = word;
    this.cmdTokens = [];
    this.cmdLine = this.line;
  }

  /** A header command's $end. */
  private command(): void {
    const cmd = this.cmd!;
    const t = this.cmdTokens;
    this.cmd = null;
    this.cmdTokens = [];
    switch (cmd) {
      case 'timescale':
        this.timescale = parseTimescale(t.join(''), this.cmdLine);
        return;
      case 'version':
        this.version = t.join(' ');
        return;
      case 'date':
        this.date = t.join(' ');
        return;
      case 'scope': {
        const parent = this.stack[this.stack.length - 1];
        const name = t[1] ?? t[0] ?? '';
        const scope: VcdScope = {
          name,
          type: t.length > 1 ? t[0]! : 'module',
          path: parent ? `${parent.path}.${name}` : name,
          scopes: [],
          vars: [],
        };
        (parent ? parent.scopes : this.top).push(scope);
        this.stack.push(scope);
        return;
      }
      case 'upscope':
        if (!this.stack.pop()) throw new VcdError('$upscope without an open $scope', this.cmdLine);
        return;
      case 'var':
        return this.variable(t);
      case 'enddefinitions':
        this.inDefinitions = false;
        return;
      default:
        // $comment and commands of other tools ($attrbegin, …): nothing to keep.
        return;
    }
  }

  private variable(t: string[]): void {
    if (t.length < 4) throw new VcdError(`$var needs a type, a size, an identifier code and a name; got "${t.join(' ')}"`, this.cmdLine);
    const [type, size, code] = t as [string, string, string];
    const width = Number(size);
    if (!Number.isInteger(width) || width < 1) throw new VcdError(`$var ${t[3]}: size "${size}" is not a positive integer`, this.cmdLine);
    // The reference: `name`, `name [7:0]`, or `name[7:0]`.
    let ref = t.slice(3).join(' ');
    let range = '';
    const m = /^(.*?)\s*(\[[^\]]*\])$/.exec(ref);
    if (m && m[1]) {
      ref = m[1];
      range = m[2]!;
    }
    const scope = this.stack[this.stack.length - 1];
    let sig = this.byCode.get(code);
    if (!sig) {
      sig = new VcdSignal(this.signals.length, code, width, kindOf(type));
      this.signals.push(sig);
      this.byCode.set(code, sig);
      if (code.length <= 6) this.byKey.set(codeKey(code), sig);
    } else if (sig.width !== width && this.warnings.length < MAX_WARNINGS) {
      this.warnings.push(`line ${this.cmdLine}: ${ref} shares code ${code} with a ${sig.width}-bit signal but says ${width} bits`);
    }
    const v: VcdVar = {
      name: ref,
      path: scope ? `${scope.path}.${ref}` : ref,
      scope: scope?.path ?? '',
      type,
      width,
      range,
      signal: sig.id,
    };
    this.vars.push(v);
    (scope ?? this.root()).vars.push(v);
  }

  /** Vars outside any scope go into a scope of their own. */
  private root(): VcdScope {
    let r = this.top.find((s) => s.path === '');
    if (!r) {
      r = { name: '', type: 'module', path: '', scopes: [], vars: [] };
      this.top.unshift(r);
    }
    return r;
  }

  private time(text: string): void {
    const t = Number(text);
    if (text === '' || !Number.isSafeInteger(t) || t < 0) throw new VcdError(`"#${text}" is not a time`, this.line);
    if (t < this.lastTime) throw new VcdError(`time #${t} is earlier than #${this.lastTime}`, this.line);
    if (t === this.lastTime) return;
    this.lastTime = t;
    this.times = this.nTimes < this.times.length ? this.times : growF64(this.times);
    this.times[this.nTimes] = t;
    this.tIndex = this.nTimes++;
  }

  /** The current time's index; changes before any #time are at time 0. */
  private timeIndex(): number {
    if (this.tIndex < 0) this.time('0');
    return this.tIndex;
  }

  /** The signal of the code s[i, j): short codes through a numeric key (no string is cut for most changes). */
  private signalAt(s: string, i: number, j: number): VcdSignal | undefined {
    if (j - i > 6) return this.signal(s.slice(i, j));
    let key = 0;
    for (let k = i; k < j; k++) key = key * 95 + (s.charCodeAt(k) - 32);
    const sig = this.byKey.get(key);
    return sig ?? this.signal(s.slice(i, j));
  }

  private signal(code: string): VcdSignal | undefined {
    const sig = this.byCode.get(code);
    if (!sig) {
      if (this.unknown++ < MAX_WARNINGS)
        this.warnings.push(`line ${this.line}: a value change of code "${code}", which no $var declares (skipped)`);
    }
    return sig;
  }

  private change(value: string, s: string, i: number, j: number): void {
    const sig = this.signalAt(s, i, j);
    if (!sig) return;
    const kind = value.charCodeAt(0) | 0x20;
    const body = value.slice(1);
    const t = this.timeIndex();
    if (kind === 98 /* b */) {
      if (!/^[01]+$/.test(body) && !/^[01xXzZ]+$/.test(body)) throw new VcdError(`"${value}" is not a binary value`, this.pendingLine);
      sig.setBits(t, body);
    } else if (kind === 114 /* r */) {
      const x = Number(body);
      if (body === '' || Number.isNaN(x)) throw new VcdError(`"${value}" is not a real value`, this.pendingLine);
      sig.setReal(t, x);
    } else sig.setString(t, body);
    this.changes++;
  }
}

function growF64(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** Parses a whole VCD held in a string (tests, small files). */
export function parseVcd(text: string): Vcd {
  const p = new VcdParser();
  p.push(text);
  return p.end();
}

export interface LoadOptions {
  /** Bytes per read (default 4 MiB). */
  chunkBytes?: number;
  /** Called after each chunk with the bytes read so far and the file's size. */
  onProgress?: (read: number, size: number) => void;
  signal?: AbortSignal;
}

/**
 * Reads a VCD file in chunks and indexes it. Bytes are read as Latin-1 (one character
 * per byte: identifier codes are printable ASCII, and a chunk boundary can never split a
 * character).
 */
export async function loadVcd(file: string, opts: LoadOptions = {}): Promise<Vcd> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(opts.chunkBytes ?? 4 << 20);
    const p = new VcdParser();
    let read = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      read += bytesRead;
      p.push(buf.toString('latin1', 0, bytesRead));
      opts.onProgress?.(read, size);
    }
    return p.end();
  } finally {
    await fh.close();
  }
}
