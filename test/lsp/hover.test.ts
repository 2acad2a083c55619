/**
 * Hovers (language.md §7) through the built server. Every number is checked against the
 * estimate the server itself returns for `qnn/analysis`: one model, not copies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Estimate, LayerEstimate } from '../../server/src/cost/estimate.js';
import { fixedPointScale } from '../../server/src/model/requant.js';
import { num } from '../../server/src/lsp/hover-content.js';
import { LspClient, posOf, rangeText, readExample } from './lsp-client.js';

let client: LspClient;
let est: Estimate;
const ex = readExample('peak_detector');

/** The hovers' number format (integers grouped: 12,345). */
const n = num;

beforeAll(async () => {
  client = await LspClient.start();
  await client.open(ex.uri, ex.text);
  est = (await client.analysis(ex.uri)) as Estimate;
});
afterAll(async () => {
  await client?.stop();
});

async function hoverText(needle: string, delta = 0, uri = ex.uri, text = ex.text): Promise<string> {
  const h = await client.hover(uri, posOf(text, needle, delta));
  expect(h, `hover at '${needle}'+${delta}`).not.toBeNull();
  const c = h!.contents as { kind: string; value: string };
  expect(c.kind).toBe('markdown');
  return c.value;
}

function layer(name: string): LayerEstimate {
  const l = est.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no estimate for ${name}`);
  return l;
}

describe('hover on a layer', () => {
  it('shows op, engine and fusion, output, accumulator, MACs, fold, cycles, resources, memory and streams', async () => {
    const h = await hoverText('layer c1', 6);
    const c1 = layer('c1');
    expect(h).toContain('**layer `c1`** · `conv1d` → window generator + MVAU with `r1` (requant) fused');
    expect(h).toContain(`| output | \`${c1.out_type}[1024, 16]\` (accumulator) |`);
    expect(h).toContain('| engine output | `u4[1024, 16]` |');
    expect(h).toContain(`| accumulator | i${c1.acc_bits} (inferred), exact bound ${n(c1.acc_min!)} … ${n(c1.acc_max!)}`);
    expect(h).toContain(`| MACs / frame | ${n(c1.macs)} |`);
    expect(h).toContain(`| fold | PE ${c1.pe} × SIMD ${c1.simd} → NF ${c1.nf} × SF ${c1.sf} |`);
    expect(h).toContain(`| cycles / frame | ${n(c1.cycles)}`);
    expect(h).not.toContain('the bottleneck');
    expect(h).toContain(`| weight memory | ${n(c1.weight_bits)} bits in LUTRAM |`);
    expect(h).toContain(`| streams | in ${c1.stream_in_bits} bits/word, out ${c1.stream_out_bits} bits/word |`);
    expect(h).toContain('| | LUT | FF | BRAM18 | DSP |');
    expect(h).toContain(`| \`c1\` | ${n(c1.lut)} | ${n(c1.ff)} | ${n(c1.bram18)} | ${n(c1.dsp)} |`);
    expect(h).toContain(`| % of xc7z020 | ${c1.device_pct.lut!.toFixed(2)} % |`);
  });

  it('works anywhere on the layer line and marks the bottleneck', async () => {
    expect(est.bottleneck?.layer).toBe('c2');
    const h = await hoverText('pad=same, weights=i4("weights/c2', 1);
    expect(h).toMatch(/^\*\*layer `c2`\*\*/);
    expect(h).toMatch(new RegExp(`\\| cycles / frame \\| ${n(layer('c2').cycles)}( \\(.*\\))? — \\*\\*the bottleneck\\*\\* \\|`));
  });

  it('on a reference to a layer shows that layer', async () => {
    const h = await hoverText('output t3', 8);
    expect(h).toMatch(/^\*\*layer `t3`\*\* · `threshold` fused into the MVAU of `c3`/);
    expect(h).toContain('resources: counted in `c3`');
    expect(h).toContain('threshold: `y = Σ [acc ≥ T]`, 1 per channel, shared: [12]');
  });

  it('on an auto-folded layer says so', async () => {
    const h = await hoverText('layer p1', 6);
    const p1 = layer('p1');
    expect(p1.fold_source).toBe('auto');
    expect(h).toContain(`| fold | PE ${p1.pe} (auto-chosen for \`fps >=\`) → NF ${p1.nf} × SF 1 |`);
  });

  it('before a layer with an error: says where the chain to the output is broken, not that it is off the path', async () => {
    // c2's weights do not fit i2: c2 leaves the model (r2 after it hands on a stand-in), so c1 and r1 have no engine.
    const text = ex.text.replace('weights=i4("weights/c2.npy")', 'weights=i2("weights/c2.npy")');
    const uri = ex.uri.replace('peak_detector.qnn', 'broken_chain.qnn');
    await client.open(uri, text);
    const h = await hoverText('layer c1', 6, uri, text);
    expect(h).toContain(
      '| hardware | none yet: a layer between this one and the output has an error (see Problems); it is costed once that is fixed |',
    );
    expect(h).not.toContain('not on the path to the output');
  });
});

describe('hover on a requant', () => {
  it('shows M, S and the relative error of the scale', async () => {
    const h = await hoverText('layer r1', 6);
    const f = fixedPointScale(0.0117, 16);
    expect(h).toContain('requant: `y = clamp(((acc·M + 2^(S−1)) >> S) + 0, 0, 15)`, M ≤ 16 bits');
    expect(h).toContain(
      `| all | 0.0117 | ${n(f.multiplier)} | ${f.shift} | ${(f.multiplier / 2 ** f.shift).toPrecision(7)} | ${f.relError.toExponential(2)} |`,
    );
    expect(h).toContain('fused into the MVAU of `c1`');
    // The hover of the scale argument is the same.
    expect(await hoverText('scale=0.0117', 7)).toBe(h);
  });
});

describe('hover on target', () => {
  it('shows capacity, totals and % used, frames/s and latency, the bottleneck and the roofline', async () => {
    const h = await hoverText('target xc7z020', 2);
    expect(h).toMatch(/^\*\*target `xc7z020`\*\* @ 200 MHz · zynq7, xc7z020clg400-1/);
    expect(h).toContain(`| used | ${n(est.totals.lut)} | ${n(est.totals.ff)} | ${n(est.totals.bram18)} | ${n(est.totals.dsp)} |`);
    expect(h).toContain('| capacity | 53,200 | 106,400 | 280 | 220 |');
    expect(h).toContain(`| % used | ${est.device_pct.lut!.toFixed(est.device_pct.lut! < 10 ? 2 : 1)} % |`);
    expect(h).toContain(`(II = ${n(est.ii_cycles)} cycles) — meets \`fps >= 5000\``);
    expect(h).toContain(`| latency | ${n(est.latency_us)} µs (${n(est.latency_cycles)} cycles) |`);
    expect(h).toContain(`| bottleneck | \`c2\`, ${n(est.bottleneck!.cycles)} cycles/frame |`);
    expect(h).toContain(`| roofline | intensity ${n(est.roofline.intensity)} ops/byte;`);
    expect(h).toMatch(/compute-bound|bandwidth-bound/);
    expect(h).toContain('bandwidth 4.2 GB/s (board)');
    // The device, clock and fps of the target line hover the same.
    expect(await hoverText('200 MHz', 1)).toBe(h);
  });
});

describe('hover on an iCE40 target', () => {
  it('the LUT4s, and under them the logic cells that the capacity and % used count', async () => {
    const ice = readExample('peak_detector_icebreaker');
    await client.open(ice.uri, ice.text);
    const h = await hoverText('target ice40up5k', 2, ice.uri, ice.text);
    expect(h).toMatch(/\| \| LUT4 \| flip-flops \| EBRs \| SB_MAC16 \|/);
    const cells = /\| logic cells \(LUT4s \+ flip-flops packed\) \| ([\d,]+) \| — \| — \| — \|/.exec(h)!;
    expect(cells).not.toBeNull();
    const used = Number(cells[1].replace(/,/g, ''));
    expect(h).toContain('| capacity | 5,280 | 5,280 | 30 | 8 |');
    // The row shows the logic cells' share (from the unrounded count, so within rounding of this one).
    const pct = Number(/\| % used \| ([\d.]+) % \|/.exec(h)![1]);
    expect(Math.abs(pct - (100 * used) / 5280)).toBeLessThan(0.06);
  });
});

describe('hover on types and weight sources', () => {
  it('on a type: value range and encoding', async () => {
    const input = await hoverText('u8[1024', 1);
    expect(input).toContain('**`u8`** — type of input `scan`');
    expect(input).toContain('| values | 0 … 255 |');
    const out = await hoverText('out=u4', 5);
    expect(out).toContain('**`u4`** — output type of `r1`');
    expect(out).toContain('| values | 0 … 15 |');
  });

  it('on a file weight source: range, file shape and memory', async () => {
    const h = await hoverText('i4("weights/c1.npy")', 1);
    expect(h).toContain('**weights of `c1`**');
    expect(h).toContain('| type | `i4`: -8 … 7 |');
    expect(h).toContain('| file | `weights/c1.npy` |');
    expect(h).toContain('| file shape | `[16, 1, 5]` [Cout, Cin, K] |');
    expect(h).toContain(`| memory | ${n(layer('c1').weight_bits)} bits in LUTRAM |`);
  });

  it('on a pow2 random source: the power-of-two values', async () => {
    const h = await hoverText('pow2<3>(random', 2);
    expect(h).toContain('**weights of `c3`**');
    expect(h).toContain('| type | `pow2<3>`: {0, ±1, ±2, ±4} |');
    expect(h).toContain('seeded random (seed 3), uniform over the 7 values');
    expect(h).toContain('| shape | `[1, 16, 3]` [Cout, Cin, K] |');
  });

  it('on the input and on a const', async () => {
    const input = await hoverText('input scan', 7);
    expect(input).toContain('**input `scan`**');
    expect(input).toContain(`| bytes / frame in | ${n(est.roofline.input_bytes)} |`);
    expect(await hoverText('filters=F', 8)).toBe('**const `F`** = `16`');
  });

  it('nothing on punctuation between members or in comments', async () => {
    expect(await client.hover(ex.uri, posOf(ex.text, 'Peak detector', 2))).toBeNull();
  });
});

describe('hover range', () => {
  it('is the hovered token', async () => {
    const h = await client.hover(ex.uri, posOf(ex.text, 'layer c2', 7));
    expect(rangeText(ex.text, h!.range!)).toBe('c2');
  });
});

describe('hover on scale and threshold files', () => {
  it('shows the file, its values per channel, and the layer they belong to', async () => {
    const pow2 = readExample('pow2_net');
    await client.open(pow2.uri, pow2.text);
    const scales = await hoverText('scales("weights/s2.npy")', 2, pow2.uri, pow2.text);
    expect(scales).toMatch(/^file `weights\/s2\.npy`: 32 scales \(one per channel\), [\d.]+ … [\d.]+\n\n\*\*layer `r2`\*\*/);
    expect(scales).toContain('| channel | scale | M | S | M/2^S | rel. error |');
    expect(scales).toContain('24 more channels; largest |rel. error|');

    const acc = await hoverText('acc=i16)', 5, pow2.uri, pow2.text);
    expect(acc).toMatch(/^\*\*`i16`\*\* — accumulator of `d3` \(the bound -?[\d,]+ … [\d,]+ needs i\d+\)/);
    expect(acc).toContain('| values | -32,768 … 32,767 |');

    const cnv = readExample('cnv_w2a2');
    await client.open(cnv.uri, cnv.text);
    const th = await hoverText('thresholds("weights/t0.npy")', 2, cnv.uri, cnv.text);
    expect(th).toMatch(
      /^file `weights\/t0\.npy`: 3 thresholds per channel \(2\^B − 1 for out=u2\), one row (shared by|for each of) the 64 channels/,
    );
    expect(th).toContain('**layer `a0`** · `threshold` fused into the MVAU of `c0`');
  });
});
