/**
 * Property: whatever text arrives (random token soup, or an example mutated by random
 * edits), parsing and analysis never throw and never hang; they answer with diagnostics.
 * QNN_FUZZ_RUNS sets the number of cases (10,000 by default, as CI runs it).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument, coreServices } from '../../../server/src/language/parse.js';

const RUNS = Number(process.env.QNN_FUZZ_RUNS ?? 10_000);
const root = path.resolve(__dirname, '../../..');

function examples(): { file: string; text: string }[] {
  const dir = path.join(root, 'examples');
  const out: { file: string; text: string }[] = [];
  for (const d of readdirSync(dir)) {
    const sub = path.join(dir, d);
    if (!statSync(sub).isDirectory()) continue;
    for (const f of readdirSync(sub))
      if (f.endsWith('.qnn')) out.push({ file: path.join(sub, f), text: readFileSync(path.join(sub, f), 'utf8') });
  }
  return out;
}

const TOKENS = [
  'network',
  'target',
  'const',
  'input',
  'layer',
  'output',
  'test',
  'fold',
  'pe',
  'simd',
  'random',
  'seed',
  'bipolar',
  'pow2',
  'conv1d',
  'conv2d',
  'dense',
  'maxpool',
  'requant',
  'threshold',
  'filters',
  'kernel',
  'weights',
  'units',
  'stride',
  'pad',
  'same',
  'valid',
  'acc',
  'out',
  'scale',
  'zero',
  'mbits',
  'thresholds',
  'scales',
  'u1',
  'u4',
  'u8',
  'i2',
  'i4',
  'i17',
  'u0',
  'xc7z020',
  'ice40up5k',
  'xc7z999',
  '@',
  'MHz',
  'GHz',
  'fps',
  '>=',
  'GB/s',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '<',
  '>',
  ',',
  '=',
  ':',
  '+',
  '-',
  '*',
  '/',
  '0',
  '1',
  '3',
  '16',
  '5k',
  '2.5M',
  '0.0117',
  '1e-3',
  '"w.npy"',
  '"weights/c1.npy"',
  'x',
  'c1',
  'F',
  '//c\n',
  '/* c */',
  '\n',
  ' ',
  '"unterminated',
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((ts) => ts.join(' '));

type Edit = { kind: 'insert' | 'delete' | 'replace'; pos: number; len: number; text: string };
const edit = fc.record({
  kind: fc.constantFrom<'insert' | 'delete' | 'replace'>('insert', 'delete', 'replace'),
  pos: fc.nat(),
  len: fc.nat({ max: 12 }),
  text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })),
});

function mutate(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const pos = t.length ? e.pos % (t.length + 1) : 0;
    if (e.kind === 'insert') t = t.slice(0, pos) + e.text + t.slice(pos);
    else if (e.kind === 'delete') t = t.slice(0, pos) + t.slice(pos + e.len);
    else t = t.slice(0, pos) + e.text + t.slice(pos + e.len);
  }
  return t;
}

async function analyseWithin(text: string, file: string | undefined, ms: number): Promise<number> {
  // Let the test runner's RPC breathe between cases.
  await new Promise((r) => setImmediate(r));
  const start = performance.now();
  const doc = await parseDocument(text, file);
  // The analysis is what hovers and the qnn/analysis request use too.
  coreServices().qnn.analysis.AnalysisCache.get(doc);
  const took = performance.now() - start;
  expect(took, `analysis took ${took.toFixed(0)} ms on:\n${text}`).toBeLessThan(ms);
  expect(Array.isArray(doc.diagnostics)).toBe(true);
  const internal = doc.diagnostics!.find((d) => d.code === 'QNN999');
  expect(internal?.message, `internal error on:\n${text}`).toBeUndefined();
  return doc.diagnostics!.length;
}

describe('the analysis never throws or hangs', () => {
  const ex = examples();

  it(`on ${Math.round(RUNS / 2)} token soups`, async () => {
    await fc.assert(
      fc.asyncProperty(tokenSoup, async (text) => {
        await analyseWithin(text, undefined, 5_000);
      }),
      { numRuns: Math.round(RUNS / 2), seed: 42 },
    );
  }, 600_000);

  it(`on ${Math.round(RUNS / 2)} mutated examples`, async () => {
    expect(ex.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: ex.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), async (i, edits) => {
        // Keep the real path so weight files resolve, as they do in the editor.
        await analyseWithin(mutate(ex[i].text, edits), ex[i].file, 5_000);
      }),
      { numRuns: Math.round(RUNS / 2), seed: 7 },
    );
  }, 600_000);

  it('reports a syntax error with recovery: later errors are still found', async () => {
    const text =
      'network n {\n  target xc7z020 @ 100 MHz\n  input x: u8[4]\n  layer a = dense(x, units=2 weights=i4(random))\n  layer b = dense(x, units=2, weights=i4(random), bogus=1)\n  output b\n}\n';
    const doc = await parseDocument(text);
    const codes = doc.diagnostics!.map((d) => d.code);
    expect(codes).toContain('QNN001');
    expect(codes).toContain('QNN010');
  });
});
