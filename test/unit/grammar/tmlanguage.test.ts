/**
 * The TextMate grammar (grammar/qnn.tmLanguage.json) and the language configuration.
 *
 * vscode-textmate + vscode-oniguruma are not dependencies of this project, so the
 * grammar is run here by a small tokenizer that follows vscode-textmate's rules
 * (at each position the pattern whose match starts first wins, ties go to the
 * pattern listed first, a begin/end rule's end pattern is tried before its
 * inner patterns) with JavaScript RegExps. The grammar keeps to the regex syntax
 * that Oniguruma and JavaScript share; a pattern that uses an Oniguruma-only
 * construct is reported and skipped by the compile check instead of failing it.
 * The real engine is checked end to end (token colours in VS Code) by test/e2e.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (p: string): string => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

interface Captures {
  [index: string]: { name?: string };
}
interface RawRule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: RawRule[];
  include?: string;
  comment?: string;
  applyEndPatternLast?: boolean | number;
}
interface RawGrammar extends RawRule {
  scopeName: string;
  repository: Record<string, RawRule>;
}

const grammar = JSON.parse(readFileSync(root('grammar/qnn.tmLanguage.json'), 'utf8')) as RawGrammar;
const langConfig = JSON.parse(readFileSync(root('grammar/language-configuration.json'), 'utf8')) as {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: { beforeText: string; afterText?: string; previousLineText?: string }[];
  wordPattern: string;
};
const PEAK = readFileSync(root('examples/peak_detector/peak_detector.qnn'), 'utf8');

/** Oniguruma constructs without a JavaScript equivalent (or with a different meaning). */
const ONIG_ONLY: [RegExp, string][] = [
  [/\\[hHAzZGK]/, '\\h, \\H, \\A, \\z, \\Z, \\G or \\K'],
  [/\(\?>/, 'atomic group (?>…)'],
  [/[*+?}][+]/, 'possessive quantifier'],
  [/\(\?[imx]+[-:)]/, 'inline flags (?i) / (?x)'],
  [/\\p\{\^/, 'negated property \\p{^…}'],
  [/\(\?~/, 'absent operator (?~…)'],
];

function onigOnly(src: string): string | undefined {
  return ONIG_ONLY.find(([re]) => re.test(src))?.[1];
}

/** Every regex in the grammar with where it sits, e.g. `repository.numbers.match`. */
function allRegexes(): { where: string; src: string }[] {
  const out: { where: string; src: string }[] = [];
  const walk = (rule: RawRule, where: string): void => {
    for (const key of ['match', 'begin', 'end'] as const) {
      const src = rule[key];
      if (src !== undefined) out.push({ where: `${where}.${key}`, src });
    }
    rule.patterns?.forEach((p, i) => walk(p, `${where}.patterns[${i}]`));
  };
  walk(grammar, '$self');
  for (const [name, rule] of Object.entries(grammar.repository)) walk(rule, `repository.${name}`);
  return out;
}

/** Every scope name the grammar can assign. */
function allScopeNames(): Set<string> {
  const names = new Set<string>();
  const addCaps = (c?: Captures): void => {
    for (const v of Object.values(c ?? {})) if (v.name) names.add(v.name);
  };
  const walk = (rule: RawRule): void => {
    if (rule.name) names.add(rule.name);
    if (rule.contentName) names.add(rule.contentName);
    addCaps(rule.captures);
    addCaps(rule.beginCaptures);
    addCaps(rule.endCaptures);
    rule.patterns?.forEach(walk);
  };
  grammar.patterns?.forEach(walk); // (the grammar's own `name` is its display name, not a scope)
  Object.values(grammar.repository).forEach(walk);
  return names;
}

// ---------------------------------------------------------------------------------------
// A small TextMate tokenizer (enough for this grammar: match, begin/end, captures, include).

type Compiled =
  { kind: 'match'; re: RegExp; rule: RawRule } | { kind: 'begin'; re: RegExp; rule: RawRule; end: string; patterns: Compiled[] };

const compileCache = new Map<RawRule, Compiled[]>();

function jsRegex(src: string): RegExp {
  return new RegExp(src, 'gd');
}

function resolve(rule: RawRule): RawRule[] {
  if (rule.include === undefined) return [rule];
  if (rule.include === '$self' || rule.include === '$base') return grammar.patterns ?? [];
  if (rule.include.startsWith('#')) {
    const target = grammar.repository[rule.include.slice(1)];
    if (!target) throw new Error(`unresolved include ${rule.include}`);
    return resolve(target);
  }
  throw new Error(`unsupported include ${rule.include}`);
}

function compilePatterns(patterns: RawRule[] | undefined): Compiled[] {
  const out: Compiled[] = [];
  for (const p of patterns ?? []) {
    for (const r of resolve(p)) {
      if (r.match !== undefined) out.push({ kind: 'match', re: jsRegex(r.match), rule: r });
      else if (r.begin !== undefined && r.end !== undefined)
        out.push({ kind: 'begin', re: jsRegex(r.begin), rule: r, end: r.end, patterns: compiledOf(r) });
      else if (r.patterns) out.push(...compilePatterns(r.patterns));
    }
  }
  return out;
}

function compiledOf(rule: RawRule): Compiled[] {
  let c = compileCache.get(rule);
  if (!c) {
    c = [];
    compileCache.set(rule, c); // set first: recursive includes
    c.push(...compilePatterns(rule.patterns));
  }
  return c;
}

interface Frame {
  rule: RawRule;
  end: RegExp;
  patterns: Compiled[];
  scopes: string[];
}

/** Scopes per character of each line: scopes[line][column] = scope stack (without source.qnn). */
function tokenize(text: string): { lines: string[]; scopes: string[][][] } {
  const lines = text.split(/\r?\n/);
  const rootPatterns = compilePatterns(grammar.patterns);
  const stack: Frame[] = [];
  const result: string[][][] = [];
  for (const line of lines) {
    const cols: string[][] = Array.from({ length: line.length }, () => []);
    const paint = (from: number, to: number, scopes: string[]): void => {
      for (let i = from; i < to; i++) cols[i] = [...scopes];
    };
    const paintCaptures = (m: RegExpExecArray, caps: Captures | undefined): void => {
      if (!caps || !m.indices) return;
      for (const [k, v] of Object.entries(caps)) {
        const span = m.indices[Number(k)];
        if (!span || !v.name) continue;
        for (let i = span[0]; i < span[1]; i++) cols[i] = [...cols[i], v.name];
      }
    };
    let pos = 0;
    for (let guard = 0; pos <= line.length && guard < 10_000; guard++) {
      const top = stack[stack.length - 1];
      const base = top ? top.scopes : [];
      const candidates: { m: RegExpExecArray; c: Compiled | 'end' }[] = [];
      if (top) {
        top.end.lastIndex = pos;
        const m = top.end.exec(line);
        if (m) candidates.push({ m, c: 'end' });
      }
      for (const c of top ? top.patterns : rootPatterns) {
        c.re.lastIndex = pos;
        const m = c.re.exec(line);
        if (m) candidates.push({ m, c });
      }
      // Earliest start wins; ties keep list order (end pattern first).
      let best: (typeof candidates)[number] | undefined;
      for (const cand of candidates) if (!best || cand.m.index < best.m.index) best = cand;
      if (!best) {
        paint(pos, line.length, base);
        break;
      }
      const { m, c } = best;
      const start = m.index;
      const stop = start + m[0].length;
      paint(pos, start, base);
      if (c === 'end') {
        paint(start, stop, base);
        paintCaptures(m, top!.rule.endCaptures ?? top!.rule.captures);
        stack.pop();
        pos = stop;
        if (start === stop && m.index === line.length) break;
        continue;
      }
      const scopes = c.rule.name ? [...base, c.rule.name] : base;
      paint(start, stop, scopes);
      if (c.kind === 'match') {
        paintCaptures(m, c.rule.captures);
        pos = stop > pos ? stop : pos + 1;
      } else {
        paintCaptures(m, c.rule.beginCaptures ?? c.rule.captures);
        const inner = c.rule.contentName ? [...scopes, c.rule.contentName] : scopes;
        stack.push({ rule: c.rule, end: jsRegex(c.end), patterns: c.patterns, scopes: inner });
        pos = stop;
      }
      if (pos >= line.length) {
        // Let a zero-width end pattern (`$`) close the rule at the end of the line.
        const t = stack[stack.length - 1];
        if (t) {
          t.end.lastIndex = line.length;
          const e = t.end.exec(line);
          if (e && e.index === line.length) stack.pop();
        }
        break;
      }
    }
    result.push(cols);
  }
  return { lines, scopes: result };
}

/** The scope stack of the `nth` occurrence of `needle` on the line containing `lineHint`. */
function scopesOf(text: string, lineHint: string, needle: string, nth = 0): string[] {
  const { lines, scopes } = tokenize(text);
  const li = lines.findIndex((l) => l.includes(lineHint));
  if (li < 0) throw new Error(`no line contains ${JSON.stringify(lineHint)}`);
  let col = -1;
  for (let i = 0; i <= nth; i++) {
    col = lines[li].indexOf(needle, col + 1);
    if (col < 0) throw new Error(`${JSON.stringify(needle)} (#${nth}) not on line ${JSON.stringify(lines[li])}`);
  }
  // Every character of the needle must carry the same scopes (one token).
  const first = scopes[li][col];
  for (let i = col; i < col + needle.length; i++) {
    expect(scopes[li][i], `${needle} at column ${i} of ${JSON.stringify(lines[li])}`).toEqual(first);
  }
  return first;
}

function hitScopes(text: string): Set<string> {
  const hit = new Set<string>();
  for (const line of tokenize(text).scopes) for (const col of line) for (const s of col) hit.add(s);
  return hit;
}

// Lines that use what the peak detector does not (board, bandwidth, readers, escapes, …).
const EXTRA = `/* A block comment
   over two lines */
network extras {
  target xc7z010 @ 100 MHz, fps >= 2.5M, board pynq-z2, bandwidth 4.2 GB/s
  input img: bipolar[28, 28, 1]
  layer d1 = dense(img, units=64, weights=bipolar("w \\"d1\\".npy"))
  layer q1 = requant(d1, out=i8, scale=scales("s.npy"), mbits=12)
  layer t1 = threshold(q1, out=u2, thresholds=thresholds("t.npy"))
  layer m1 = maxpool(t1, kernel=2, stride=2, pad=valid)
  layer c2 = conv2d(m1, filters=8, kernel=3, weights=i2(random, seed=1e-3 * 4 + 1)) fold(pe=2, simd=2)
  output c2
}`;

// ---------------------------------------------------------------------------------------

describe('tmLanguage: structure', () => {
  it('has the scope source.qnn and resolves every include', () => {
    expect(grammar.scopeName).toBe('source.qnn');
    const includes: string[] = [];
    const walk = (r: RawRule): void => {
      if (r.include) includes.push(r.include);
      r.patterns?.forEach(walk);
    };
    walk(grammar);
    Object.values(grammar.repository).forEach(walk);
    for (const inc of includes) {
      expect(inc === '$self' || inc === '$base' || (inc.startsWith('#') && inc.slice(1) in grammar.repository), inc).toBe(true);
    }
  });

  it('every regex compiles as a JavaScript RegExp (unless it needs Oniguruma-only syntax)', () => {
    const skipped: string[] = [];
    for (const { where, src } of allRegexes()) {
      const onig = onigOnly(src);
      if (onig) {
        skipped.push(`${where}: ${onig}`);
        continue;
      }
      expect(() => new RegExp(src), `${where}: ${src}`).not.toThrow();
    }
    // Today the grammar keeps to the shared syntax; if this changes, the tokenizer
    // below can no longer run those rules.
    expect(skipped).toEqual([]);
  });

  it('uses only fixed-length lookbehind (Oniguruma rejects variable-length lookbehind)', () => {
    for (const { where, src } of allRegexes()) {
      const lb = src.match(/\(\?<[=!]([^)]*)\)/g) ?? [];
      for (const l of lb) expect(/[*+?{]/.test(l), `${where}: ${l}`).toBe(false);
    }
  });

  it('declares every scope name with the .qnn suffix', () => {
    for (const s of allScopeNames()) expect(s.endsWith('.qnn'), s).toBe(true);
  });
});

describe('tmLanguage: the peak-detector example', () => {
  const has = (scopes: string[], prefix: string): boolean => scopes.some((s) => s === prefix || s.startsWith(`${prefix}.`));
  const cases: [lineHint: string, needle: string, scope: string, nth?: number][] = [
    ['// Peak detector', 'Peak detector for 1-D scanlines', 'comment.line.double-slash'],
    ['// Peak detector', '//', 'punctuation.definition.comment'],
    ['network peak_detector', 'network', 'keyword.other'],
    ['network peak_detector', 'peak_detector', 'entity.name.type'],
    ['target xc7z020', 'target', 'keyword.other'],
    ['target xc7z020', 'xc7z020', 'support.constant.device'],
    ['target xc7z020', '@', 'keyword.operator'],
    ['target xc7z020', '200', 'constant.numeric'],
    ['target xc7z020', 'MHz', 'keyword.other.unit.frequency'],
    ['target xc7z020', 'fps', 'keyword.other'],
    ['target xc7z020', '>=', 'keyword.operator.comparison'],
    ['target xc7z020', '5', 'constant.numeric'],
    ['target xc7z020', 'k', 'constant.numeric'],
    ['target xc7z020', 'k', 'keyword.other.unit.suffix'],
    ['const F', 'const', 'keyword.other'],
    ['const F', 'F', 'entity.name'],
    ['const F', '16', 'constant.numeric'],
    ['input scan', 'input', 'keyword.other'],
    ['input scan', 'scan', 'entity.name'],
    ['input scan', 'u8', 'storage.type'],
    ['input scan', '1024', 'constant.numeric'],
    ['layer c1', 'layer', 'keyword.other'],
    ['layer c1', 'c1', 'entity.name.function'],
    ['layer c1', 'conv1d', 'support.function'],
    ['layer c1', 'filters', 'variable.parameter'],
    ['layer c1', 'kernel', 'variable.parameter'],
    ['layer c1', 'same', 'constant.language'],
    ['layer c1', 'weights', 'variable.parameter'],
    ['layer c1', 'i4', 'storage.type'],
    ['layer c1', 'weights/c1.npy', 'string.quoted.double'],
    ['layer c1', '"', 'punctuation.definition.string.begin'],
    ['layer c1', 'fold', 'keyword.other.fold'],
    ['layer c1', 'pe', 'variable.parameter'],
    ['layer c1', 'simd', 'variable.parameter'],
    ['layer r1', 'requant', 'support.function'],
    ['layer r1', 'u4', 'storage.type'],
    ['layer r1', '0.0117', 'constant.numeric'],
    ['layer r2', 'zero', 'variable.parameter'],
    ['layer p1', 'maxpool', 'support.function'],
    ['layer c3', 'pow2', 'storage.type'],
    ['layer c3', '<', 'storage.type'],
    ['layer c3', 'random', 'keyword.other'],
    ['layer c3', 'seed', 'keyword.other'],
    ['layer t3', 'threshold', 'support.function'],
    ['layer t3', 'u1', 'storage.type'],
    ['layer t3', 'thresholds', 'variable.parameter'],
    ['layer t3', '12', 'constant.numeric'],
    ['output t3', 'output', 'keyword.other'],
    ['test "random', 'test', 'keyword.other'],
    ['test "random', 'random frames', 'string.quoted.double'],
    ['test "random', 'frames', 'variable.parameter', 1],
    ['test "random', 'seed', 'variable.parameter'],
  ];
  it.each(cases)('%s: %s is %s', (lineHint, needle, scope, nth) => {
    const scopes = scopesOf(PEAK, lineHint, needle, nth ?? 0);
    expect(has(scopes, scope), `${needle}: ${scopes.join(' ')}`).toBe(true);
  });

  it('does not colour names inside identifiers or keywords inside strings', () => {
    expect(scopesOf(PEAK, 'layer c1', 'scan')).toEqual(['variable.other.qnn']);
    expect(scopesOf(PEAK, 'test "random', 'random')).toEqual(['string.quoted.double.qnn']);
    expect(scopesOf('layer conv1d_x = dense(u8_in, units=3)', 'layer', 'u8_in')).toEqual(['variable.other.qnn']);
    expect(scopesOf('const i1 = 2', 'const', '2')).toContain('constant.numeric.decimal.qnn');
    expect(scopesOf('x = i1 + u17 + u0', 'x', 'i1')).toEqual(['variable.other.qnn']); // outside the type ranges
  });

  it('hits the core scopes on the example alone', () => {
    const hit = hitScopes(PEAK);
    for (const s of [
      'comment.line.double-slash.qnn',
      'string.quoted.double.qnn',
      'constant.numeric.decimal.qnn',
      'keyword.other.unit.suffix.qnn',
      'keyword.other.unit.frequency.qnn',
      'keyword.other.qnn',
      'support.function.layer.qnn',
      'storage.type.integer.qnn',
      'storage.type.pow2.qnn',
      'variable.parameter.qnn',
      'entity.name.type.network.qnn',
      'entity.name.function.layer.qnn',
      'entity.name.variable.constant.qnn',
      'entity.name.variable.input.qnn',
    ]) {
      expect(hit.has(s), s).toBe(true);
    }
  });

  it('hits every scope of the grammar on the example plus the extra sample lines', () => {
    const hit = new Set([...hitScopes(PEAK), ...hitScopes(EXTRA)]);
    const missing = [...allScopeNames()].filter((s) => !hit.has(s));
    expect(missing).toEqual([]);
  });

  it('colours a block comment over several lines, board names, bandwidth and escapes', () => {
    expect(scopesOf(EXTRA, 'over two lines', 'over two lines')).toEqual(['comment.block.qnn']);
    expect(scopesOf(EXTRA, 'target', 'pynq-z2')).toContain('support.constant.board.qnn');
    expect(scopesOf(EXTRA, 'target', 'GB/s')).toContain('keyword.other.unit.bandwidth.qnn');
    expect(scopesOf(EXTRA, 'target', '2.5')).toContain('constant.numeric.decimal.qnn');
    expect(scopesOf(EXTRA, 'target', 'M', 1)).toEqual(['constant.numeric.decimal.qnn', 'keyword.other.unit.suffix.qnn']);
    expect(scopesOf(EXTRA, 'layer d1', '\\"')).toContain('constant.character.escape.qnn');
    expect(scopesOf(EXTRA, 'layer d1', 'bipolar')).toContain('storage.type.bipolar.qnn');
    expect(scopesOf(EXTRA, 'layer q1', 'scales')).toContain('support.function.reader.qnn');
    expect(scopesOf(EXTRA, 'layer t1', 'thresholds', 1)).toContain('support.function.reader.qnn');
    expect(scopesOf(EXTRA, 'layer c2', '1e-3')).toContain('constant.numeric.decimal.qnn');
  });

  it('ends an unterminated string at the end of its line', () => {
    const text = 'layer a = conv1d(x, weights=i4("oops)\nlayer b = dense(a, units=2)';
    expect(scopesOf(text, 'layer b', 'layer')).toContain('keyword.other.layer.qnn');
  });
});

describe('language configuration', () => {
  it('declares comments, brackets, auto-closing and surrounding pairs', () => {
    expect(langConfig.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    expect(langConfig.brackets).toEqual([
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ]);
    const opens = langConfig.autoClosingPairs.map((p) => p.open);
    expect(opens).toEqual(expect.arrayContaining(['{', '[', '(', '"']));
    expect(langConfig.surroundingPairs).toEqual(expect.arrayContaining([['"', '"']]));
  });

  it('indents after { and outdents at }', () => {
    const inc = new RegExp(langConfig.indentationRules.increaseIndentPattern);
    const dec = new RegExp(langConfig.indentationRules.decreaseIndentPattern);
    expect(inc.test('network peak_detector {')).toBe(true);
    expect(inc.test('  test "random frames" {')).toBe(true);
    expect(inc.test('  test "random frames" { frames=32, seed=7 }')).toBe(false);
    expect(inc.test('// network a {')).toBe(false);
    expect(dec.test('}')).toBe(true);
    expect(dec.test('  }')).toBe(true);
    expect(dec.test('  layer a = dense(x, units=1)')).toBe(false);
    for (const r of langConfig.onEnterRules) {
      for (const src of [r.beforeText, r.afterText, r.previousLineText]) if (src) expect(() => new RegExp(src)).not.toThrow();
    }
  });

  it('selects numbers with SI suffixes and identifiers as words', () => {
    const word = new RegExp(langConfig.wordPattern, 'g');
    expect('fps >= 5k'.match(word)).toEqual(['fps', '5k']);
    expect('scale=0.0117, x=1e-3'.match(word)).toEqual(['scale', '0.0117', 'x', '1e-3']);
    expect('layer c_1 = conv1d(scan'.match(word)).toEqual(['layer', 'c_1', 'conv1d', 'scan']);
  });
});
