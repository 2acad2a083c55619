/**
 * Every diagnostic code the model and the cost model produce (language.md §5), through the
 * built server: a text that triggers it, with the exact code and range (marked ⟦…⟧ in the
 * source), and a near miss — a one-token change — that does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { EXAMPLES, exampleNames, fileUri, LspClient, positionAt, rangeKey, readExample } from './lsp-client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

/** Documents live next to the peak detector's weights, so "weights/c1.npy" resolves. */
let counter = 0;
function uri(): string {
  return fileUri(path.join(EXAMPLES, 'peak_detector', `diag-${++counter}.qnn`));
}

/** Strips the ⟦ ⟧ markers; returns the text and the marked range. */
function marked(src: string): { text: string; start: number; end: number } {
  const s = src.indexOf('⟦');
  const e = src.indexOf('⟧');
  if (s < 0 || e < s) throw new Error('no ⟦…⟧ marker');
  return { text: src.slice(0, s) + src.slice(s + 1, e) + src.slice(e + 1), start: s, end: e - 1 };
}

async function diagnose(text: string): Promise<Diagnostic[]> {
  const u = uri();
  const ds = await client.open(u, text);
  await client.close(u);
  return ds;
}

const SEVERITY = { error: 1, warning: 2, info: 3, hint: 4 } as const;

interface Case {
  code: string;
  severity: keyof typeof SEVERITY;
  why: string;
  /** The triggering text, with the expected range marked ⟦…⟧. */
  bad: string;
  /** The near miss. */
  good: string;
  /** A fragment the message must contain. */
  says?: string | RegExp;
}

/** A small valid network around `layers` (input x: u8[32, 4]). */
function net(layers: string, opts: { target?: string; input?: string; output?: string; extra?: string } = {}): string {
  return `network t {
  target ${opts.target ?? 'xc7z020 @ 100 MHz'}
${opts.extra ?? ''}
  input x: ${opts.input ?? 'u8[32, 4]'}

${layers}

  output ${opts.output ?? 'out'}
}
`;
}

const CONV = 'layer out = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))';
const DENSE8 = (w: string) => `layer out = dense(x, units=2, weights=${w})`;

const cases: Case[] = [
  {
    code: 'QNN001',
    severity: 'error',
    why: 'a syntax error (a missing comma)',
    bad: net('  layer out = conv1d(x ⟦filters⟧=8, kernel=3, weights=i4(random, seed=1))'),
    good: net(`  ${CONV}`),
    says: 'syntax error',
  },
  {
    code: 'QNN010',
    severity: 'error',
    why: 'an unknown producer',
    bad: net('  layer out = conv1d(⟦y⟧, filters=8, kernel=3, weights=i4(random, seed=1))'),
    good: net(`  ${CONV}`),
    says: "unknown name 'y'",
  },
  {
    code: 'QNN010',
    severity: 'error',
    why: 'an unknown argument',
    bad: net('  layer out = conv1d(x, filters=8, ⟦kernal⟧=3, kernel=3, weights=i4(random, seed=1))'),
    good: net(`  ${CONV}`),
    says: 'it takes filters, kernel, weights, stride, pad, acc',
  },
  {
    code: 'QNN011',
    severity: 'error',
    why: 'a duplicate layer name',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer ⟦c⟧ = maxpool(c, kernel=2)\n  layer out = maxpool(c, kernel=1)`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer d = maxpool(c, kernel=2)\n  layer out = maxpool(d, kernel=1)`,
    ),
    says: 'already declared on line 6',
  },
  {
    code: 'QNN012',
    severity: 'warning',
    why: 'a layer that never reaches the output',
    bad: net(`  ${CONV}\n  layer ⟦tail⟧ = maxpool(out, kernel=2)`),
    good: net(`  ${CONV}\n  layer tail = maxpool(out, kernel=2)`, { output: 'tail' }),
    says: "never reaches the output 'out'",
  },
  {
    code: 'QNN013',
    severity: 'error',
    why: 'a missing required argument',
    bad: net('  layer out = ⟦conv1d⟧(x, filters=8, weights=i4(random, seed=1))'),
    good: net(`  ${CONV}`),
    says: "conv1d needs 'kernel'",
  },
  {
    code: 'QNN014',
    severity: 'error',
    why: 'a branch (the core language is a chain)',
    bad: net(`  layer a = maxpool(x, kernel=2)\n  ⟦layer out = maxpool(x, kernel=4)⟧`),
    good: net(`  layer a = maxpool(x, kernel=2)\n  layer out = maxpool(a, kernel=4)`),
    says: "'x' already feeds 'a'",
  },
  {
    code: 'QNN020',
    severity: 'error',
    why: 'a kernel larger than the input',
    bad: net('  layer out = conv1d(x, filters=8, kernel=⟦33⟧, weights=i4(random, seed=1))'),
    good: net('  layer out = conv1d(x, filters=8, kernel=32, weights=i4(random, seed=1))'),
    says: 'kernel 33 is larger than the input (32)',
  },
  {
    code: 'QNN020',
    severity: 'error',
    why: 'a weight file of the wrong shape',
    bad: net('  layer out = conv1d(x, filters=16, kernel=5, weights=i4(⟦"weights/c1.npy"⟧))', { input: 'u8[64, 4]' }),
    good: net('  layer out = conv1d(x, filters=16, kernel=5, weights=i4("weights/c1.npy"))', { input: 'u8[64, 1]' }),
    says: "'weights/c1.npy' has shape [16, 1, 5]; this layer needs [16, 4, 5]",
  },
  {
    code: 'QNN022',
    severity: 'error',
    why: 'padding a bipolar tensor',
    bad: net('  layer out = conv1d(x, filters=8, kernel=3, pad=⟦1⟧, weights=bipolar(random, seed=1))', { input: 'bipolar[32, 4]' }),
    good: net('  layer out = conv1d(x, filters=8, kernel=3, pad=0, weights=bipolar(random, seed=1))', { input: 'bipolar[32, 4]' }),
    says: 'cannot pad a bipolar tensor',
  },
  {
    code: 'QNN030',
    severity: 'error',
    why: 'an inline weight that does not fit its type',
    bad: net(`  ${DENSE8('⟦i2([1, 0, -1, 1, 0, 0, 1, 2])⟧')}`, { input: 'u8[4]' }),
    good: net(`  ${DENSE8('i2([1, 0, -1, 1, 0, 0, 1, -2])')}`, { input: 'u8[4]' }),
    says: 'does not fit i2',
  },
  {
    code: 'QNN031',
    severity: 'error',
    why: 'a declared accumulator too narrow for the bound',
    // 4 inputs of u8 (≤ 255) times i2 weights (≥ −2): the bound is −2040 … 1020, i12.
    bad: net(`  layer out = dense(x, units=2, weights=i2(random, seed=1), acc=⟦i11⟧)`, { input: 'u8[4]' }),
    good: net(`  layer out = dense(x, units=2, weights=i2(random, seed=1), acc=i12)`, { input: 'u8[4]' }),
    says: 'it needs i12',
  },
  {
    code: 'QNN032',
    severity: 'error',
    why: 'a threshold count other than 2^B − 1',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=u2, thresholds=⟦[1, 2]⟧)`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=u2, thresholds=[1, 2, 3])`,
    ),
    says: 'out=u2 needs 3 thresholds',
  },
  {
    code: 'QNN032',
    severity: 'error',
    why: 'with a bias, channels with different threshold counts',
    bad: net(
      `  layer c = conv1d(x, filters=2, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=i3, bias=-2, thresholds=⟦[[1, 2], [3]]⟧)`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=2, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=i3, bias=-2, thresholds=[[1, 2], [3, 4]])`,
    ),
    says: 'every channel needs the same number of thresholds',
  },
  {
    code: 'QNN030',
    severity: 'error',
    why: 'a signed threshold out without a bias',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=⟦i2⟧, thresholds=[1, 2])`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=i2, bias=-1, thresholds=[1, 2])`,
    ),
    says: 'a signed out needs bias=',
  },
  {
    code: 'QNN030',
    severity: 'error',
    why: 'a biased threshold count that reaches past out',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=i2, bias=-1, thresholds=⟦[1, 2, 3]⟧)`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=i3, bias=-1, thresholds=[1, 2, 3])`,
    ),
    says: '2 does not fit out=i2',
  },
  {
    code: 'QNN033',
    severity: 'error',
    why: 'thresholds that do not ascend',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=u2, thresholds=⟦[1, 3, 2]⟧)`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = threshold(c, out=u2, thresholds=[1, 2, 3])`,
    ),
    says: 'thresholds must be ascending',
  },
  {
    code: 'QNN034',
    severity: 'error',
    why: 'a pow2 weight that is not 0 or ±2^e in range',
    bad: net(`  ${DENSE8('⟦pow2<3>([1, 0, -1, 2, 4, -4, 3, 0])⟧')}`, { input: 'u8[4]' }),
    good: net(`  ${DENSE8('pow2<3>([1, 0, -1, 2, 4, -4, 2, 0])')}`, { input: 'u8[4]' }),
    says: 'holds 3 at flat index 6',
  },
  {
    code: 'QNN035',
    severity: 'warning',
    why: 'an activation whose output is the same for every input it can receive',
    bad: net(`  layer ⟦out⟧ = requant(x, out=u4, scale=0.001)`),
    good: net(`  layer out = requant(x, out=u4, scale=0.01)`),
    says: "requant 'out' outputs 0 for every input: every input in [0, 255]",
  },
  {
    code: 'QNN040',
    severity: 'error',
    why: 'a SIMD that does not divide MW',
    bad: net(`  ${CONV} fold(pe=2, simd=⟦5⟧)`),
    good: net(`  ${CONV} fold(pe=2, simd=4)`),
    says: 'SIMD 5 does not divide the input width MW = 12',
  },
  {
    code: 'QNN041',
    severity: 'error',
    why: 'a PE that does not divide MH',
    bad: net(`  ${CONV} fold(pe=⟦3⟧, simd=4)`),
    good: net(`  ${CONV} fold(pe=4, simd=4)`),
    says: 'PE 3 does not divide the output width MH = 8',
  },
  {
    code: 'QNN042',
    severity: 'error',
    why: 'a conv SIMD that is neither a divisor of Cin nor a multiple of it dividing K·Cin',
    bad: net(`  ${CONV} fold(pe=2, simd=⟦6⟧)`),
    good: net(`  ${CONV} fold(pe=2, simd=12)`),
    says: 'SIMD 6 is neither a divisor of the 4 input channels',
  },
  {
    code: 'QNN043',
    severity: 'info',
    why: "a width converter (the producer's PE ≠ the consumer's SIMD)",
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1)) fold(pe=8, simd=4)\n  layer r = requant(c, out=u4, scale=0.01)\n  layer ⟦out⟧ = dense(r, units=4, weights=i4(random, seed=2)) fold(pe=1, simd=4)`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1)) fold(pe=8, simd=4)\n  layer r = requant(c, out=u4, scale=0.01)\n  layer out = dense(r, units=4, weights=i4(random, seed=2)) fold(pe=1, simd=8)`,
    ),
    says: "'c' writes 8 × u4 = 32-bit words, 'out' reads 4 × u4 = 16-bit words",
  },
  {
    code: 'QNN044',
    severity: 'hint',
    why: 'an over-provisioned fold (the dense layer sets the II)',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1)) ⟦fold(pe=8, simd=4)⟧\n  layer out = dense(c, units=4, weights=i4(random, seed=2))`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1))\n  layer out = dense(c, units=4, weights=i4(random, seed=2))`,
    ),
    says: "'c' is over-provisioned",
  },
  {
    code: 'QNN045',
    severity: 'warning',
    why: 'a fold on an activation fused into its MVAU',
    bad: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1)) fold(pe=2, simd=4)\n  layer out = requant(c, out=u4, scale=0.01) ⟦fold(pe=4)⟧`,
    ),
    good: net(
      `  layer c = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1)) fold(pe=2, simd=4)\n  layer out = requant(c, out=u4, scale=0.01)`,
    ),
    says: "'out' is fused into 'c' and runs in its 2 PE lane(s)",
  },
  {
    code: 'QNN047',
    severity: 'warning',
    why: 'mul= on a layer without multipliers (pow2 weights: shifts)',
    bad: net('  layer out = dense(x, units=2, weights=pow2<3>(random, seed=1), mul=⟦dsp⟧)'),
    good: net('  layer out = dense(x, units=2, weights=pow2<3>(random, seed=1), mul=auto)'),
    says: "mul=dsp has no effect on 'out': with pow2<3> weights and no fused requant it has no multipliers",
  },
  {
    code: 'QNN048',
    severity: 'info',
    why: "mul=auto moves a layer's multipliers to LUTs when the DSPs run out",
    bad: net('  layer ⟦out⟧ = conv1d(x, filters=8, kernel=3, weights=i8(random, seed=1)) fold(pe=8, simd=2)', {
      target: 'ice40up5k @ 12 MHz',
    }),
    good: net('  layer out = conv1d(x, filters=8, kernel=3, weights=i8(random, seed=1)) fold(pe=4, simd=2)', {
      target: 'ice40up5k @ 12 MHz',
    }),
    says: "mul=auto: 'out' multiplies in LUTs",
  },
  {
    code: 'QNN050',
    severity: 'error',
    why: 'more LUTs than the device has',
    bad: net(`  layer out = dense(x, units=64, weights=i4(random, seed=1)) fold(pe=16, simd=16)`, {
      input: 'u8[128]',
      target: 'ice40hx8k @ 48 MHz',
    }).replace('target ice40hx8k', '⟦target⟧ ice40hx8k'),
    good: net(`  layer out = dense(x, units=64, weights=i4(random, seed=1)) fold(pe=16, simd=16)`, {
      input: 'u8[128]',
      // (xc7z045: Yosys maps the 256 u8 × i4 products to DSP48s, more than an xc7z020's 220.)
      target: 'xc7z045 @ 48 MHz',
    }),
    says: /estimated [\d,]+ logic cells exceed ice40hx8k's 7,680/,
  },
  {
    code: 'QNN051',
    severity: 'warning',
    why: 'fps >= not met (on the bottleneck layer)',
    bad: net(`  layer ⟦out⟧ = dense(x, units=64, weights=i4(random, seed=1)) fold(pe=1, simd=1)`, {
      input: 'u8[128]',
      target: 'xc7z020 @ 100 MHz, fps >= 20k',
    }),
    good: net(`  layer out = dense(x, units=64, weights=i4(random, seed=1)) fold(pe=1, simd=1)`, {
      input: 'u8[128]',
      target: 'xc7z020 @ 100 MHz, fps >= 10k',
    }),
    says: "the bottleneck 'out' takes 8,192 cycles per frame",
  },
  {
    code: 'QNN052',
    severity: 'error',
    why: 'an unknown device',
    bad: net(`  ${CONV}`, { target: '⟦xc7z02⟧ @ 100 MHz' }),
    good: net(`  ${CONV}`, { target: 'xc7z020 @ 100 MHz' }),
    says: "unknown device 'xc7z02': did you mean 'xc7z020'",
  },
  {
    code: 'QNN060',
    severity: 'error',
    why: 'a missing weight file',
    bad: net('  layer out = conv1d(x, filters=16, kernel=5, weights=i4(⟦"weights/c9.npy"⟧))', { input: 'u8[64, 1]' }),
    good: net('  layer out = conv1d(x, filters=16, kernel=5, weights=i4("weights/c1.npy"))', { input: 'u8[64, 1]' }),
    says: "cannot read 'weights/c9.npy' (no such file)",
  },
];

describe('diagnostics over LSP (language.md §5)', () => {
  for (const c of cases) {
    it(`${c.code} (${c.severity}): ${c.why}`, async () => {
      const { text, start, end } = marked(c.bad);
      const ds = await diagnose(text);
      const hits = ds.filter((d) => d.code === c.code);
      const want = { start: positionAt(text, start), end: positionAt(text, end) };
      const at = hits.find((d) => rangeKey(d.range) === rangeKey(want));
      expect(
        at,
        `${c.code} at ${JSON.stringify(want)} ('${text.slice(start, end)}'); got ${JSON.stringify(ds.map((d) => [d.code, d.range, d.message]))}`,
      ).toBeDefined();
      expect(at!.severity).toBe(SEVERITY[c.severity]);
      expect(at!.source).toBe('qnn');
      if (c.says)
        expect(at!.message).toMatch(typeof c.says === 'string' ? new RegExp(c.says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : c.says);

      const near = await diagnose(c.good);
      expect(
        near.filter((d) => d.code === c.code),
        `near miss of ${c.code}: ${JSON.stringify(near.map((d) => [d.code, d.message]))}`,
      ).toEqual([]);
    });
  }

  it('a syntax error does not hide later errors (recovery)', async () => {
    const { text } = marked(
      net('  layer a = conv1d(x filters=8, kernel=3, weights=i4(random, seed=1))\n  layer ⟦out⟧ = maxpool(zz, kernel=2)'),
    );
    const ds = await diagnose(text);
    expect(ds.some((d) => d.code === 'QNN001')).toBe(true);
    expect(ds.some((d) => d.code === 'QNN010' && /unknown name 'zz'/.test(d.message))).toBe(true);
  });

  it('every example checks without errors', async () => {
    for (const name of exampleNames()) {
      const ex = readExample(name);
      const ds = await client.open(ex.uri, ex.text);
      await client.close(ex.uri);
      expect(
        ds.filter((d) => d.severity === 1),
        `${name}: ${JSON.stringify(ds.map((d) => [d.code, d.message]))}`,
      ).toEqual([]);
    }
  });
});
