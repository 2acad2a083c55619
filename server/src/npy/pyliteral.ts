/**
 * A parser for the small subset of Python literal syntax that appears in .npy
 * headers: dicts, tuples, lists, strings, ints, True/False/None.
 *
 * The header is `repr()` of a dict (e.g. `{'descr': '<i4', 'fortran_order':
 * False, 'shape': (2, 3), }`), and NumPy reads it with `ast.literal_eval`, so
 * any spacing, comment, quote style, key order, trailing comma, or Python 2
 * long suffix (`3L`) that Python accepts here is accepted too. Nothing is evaluated.
 */
import { NpyError } from './errors.js';

export type PyValue =
  | string
  | number
  | boolean
  | null
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: Map<string, PyValue> };

export function parsePyLiteral(text: string): PyValue {
  const p = new Parser(text);
  const v = p.value();
  p.skipSpace();
  if (!p.atEnd()) p.fail('unexpected text after the header dict');
  return v;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  fail(what: string): never {
    const near = this.s.slice(this.i, this.i + 20).trim();
    throw new NpyError(
      `malformed header: ${what} at offset ${this.i}${near ? ` (near '${near}')` : ''}; ` +
        `expected a Python dict like {'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)}`,
    );
  }

  /** Skips whitespace and `#` comments (literal_eval allows both). */
  skipSpace(): void {
    for (;;) {
      const c = this.s[this.i] ?? '';
      if (c !== '' && /\s/.test(c)) this.i++;
      else if (c === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      else return;
    }
  }

  private peek(): string {
    this.skipSpace();
    return this.s[this.i] ?? '';
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}'`);
    this.i++;
  }

  value(): PyValue {
    const c = this.peek();
    if (c === '{') return this.dict();
    if (c === '(') return this.sequence('(', ')');
    if (c === '[') return this.sequence('[', ']');
    if (c === "'" || c === '"') return this.string();
    if (/[-+0-9]/.test(c)) return this.number();
    const word = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      this.i += word.length;
      return word === 'None' ? null : word === 'True';
    }
    return this.fail(c === '' ? 'unexpected end' : 'unexpected character');
  }

  private dict(): PyValue {
    this.expect('{');
    const entries = new Map<string, PyValue>();
    while (this.peek() !== '}') {
      const key = this.value();
      if (typeof key !== 'string') this.fail('dict key is not a string');
      this.expect(':');
      entries.set(key, this.value());
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== '}') this.fail("expected ',' or '}'");
    }
    this.i++;
    return { kind: 'dict', entries };
  }

  /** Tuples and lists. `(3)` is just 3 in Python; `(3,)` is a tuple. */
  private sequence(open: string, close: string): PyValue {
    this.expect(open);
    const items: PyValue[] = [];
    let sawComma = false;
    while (this.peek() !== close) {
      items.push(this.value());
      if (this.peek() === ',') {
        this.i++;
        sawComma = true;
      } else if (this.peek() !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.i++;
    if (open === '(' && items.length === 1 && !sawComma) return items[0] ?? null;
    return { kind: open === '(' ? 'tuple' : 'list', items };
  }

  private string(): string {
    const q = this.s[this.i];
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === q) return out;
      if (c === '\\') {
        const e = this.s[this.i++] ?? '';
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
        out += simple[e] ?? e;
      } else out += c;
    }
  }

  /** Integers only (with Python 2's `L` suffix): a header holds no floats. */
  private number(): number {
    const m = /^[-+]?\d+[lL]?(?![\w.])/.exec(this.s.slice(this.i));
    if (!m) return this.fail('bad number (only integers belong in a header)');
    this.i += m[0].length;
    return Number(m[0].replace(/[lL]$/, ''));
  }
}
