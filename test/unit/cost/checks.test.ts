/** The cost diagnostics: each code on a case that triggers it and a near miss that does not. */
import { describe, expect, it } from 'vitest';
import { costDiagnostics } from '../../../server/src/cost/checks.js';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import type { Network, QnnDiagnostic } from '../../../server/src/model/types.js';
import { i, lineOf, NetBuilder, TARGET_RANGE, u } from './net-builder.js';
import { tfc } from './networks.js';

const diags = (net: Network, code: string): QnnDiagnostic[] => costDiagnostics(net, estimateNetwork(net)).filter((d) => d.code === code);

describe('QNN050 device capacity', () => {
  // i8 × u8 products go to DSPs: PE·SIMD DSPs; the xc7z010 has 80.
  const dsps = (pe: number) =>
    new NetBuilder({ device: 'xc7z010', input: { shape: [64], type: u(8) } }).dense('fc', 80, i(8), { pe, simd: 8 }).build();

  it('one error per exceeded resource, on target, with estimate, capacity and the largest consumers', () => {
    const d = diags(dsps(16), 'QNN050');
    expect(d).toHaveLength(1);
    expect(d[0].severity).toBe('error');
    expect(d[0].range).toEqual(TARGET_RANGE);
    expect(d[0].message).toMatch(/estimated 128 DSP exceed xc7z010's 80 \(160 %\): largest 'fc' 128/);
    expect(d[0].data).toMatchObject({ resource: 'dsp', estimate: 128, capacity: 80 });
  });

  it('exactly at capacity is fine', () => {
    expect(estimateNetwork(dsps(10)).totals.dsp).toBe(80);
    expect(diags(dsps(10), 'QNN050')).toEqual([]);
  });

  it('an unknown device is not checked (QNN052 reports it)', () => {
    const net = dsps(16);
    net.target!.device = 'xc7z999';
    expect(diags(net, 'QNN050')).toEqual([]);
  });

  it('iCE40 fills with logic cells: 4,764 LUT4s and 876 flip-flops do not fit a UP5K’s 5,280 once packed', () => {
    // u4 × i4 products are LUT multipliers on iCE40 (under SB_MAC16's 11-bit product).
    const net = new NetBuilder({ device: 'ice40up5k', input: { shape: [64], type: u(4) } })
      .dense('fc', 48, i(4), { pe: 2, simd: 32 })
      .build();
    const est = estimateNetwork(net);
    expect(est.totals.lut).toBeLessThan(5280);
    expect(est.logic_cells!).toBeGreaterThan(5280);
    const d = diags(net, 'QNN050').find((x) => x.data?.resource === 'lut')!;
    expect(d.message).toContain(`estimated ${est.logic_cells!.toLocaleString('en-US')} logic cells exceed ice40up5k's 5,280 (`);
    expect(d.message).toContain(
      `(${Math.round((100 * est.logic_cells!) / 5280)} %): largest 'fc' ${est.logic_cells!.toLocaleString('en-US')}`,
    );
    expect(d.data).toMatchObject({ resource: 'lut', estimate: est.logic_cells, capacity: 5280 });
  });

  it('iCE40 names its own resources', () => {
    const net = new NetBuilder({ device: 'ice40up5k', input: { shape: [64], type: u(8) } })
      .dense('fc', 16, i(8), { pe: 4, simd: 8 })
      .build();
    const d = diags(net, 'QNN050');
    expect(d.map((x) => x.data?.resource)).toContain('dsp');
    expect(d.find((x) => x.data?.resource === 'dsp')!.message).toMatch(/estimated 32 SB_MAC16 exceed ice40up5k's 8 \(400 %\)/);
  });
});

describe('QNN051 frame rate', () => {
  // TFC at 100 MHz: II 64 → 1,562,500 frames/s.
  it('a missed target names the bottleneck, its cycles and a fold that meets it', () => {
    const net = tfc({ fps: 1.6e6 });
    const d = diags(net, 'QNN051');
    expect(d).toHaveLength(1);
    expect(d[0].severity).toBe('warning');
    expect(d[0].range).toEqual(net.layers[0].ranges.name); // fc0, the first of the 64-cycle layers
    expect(d[0].message).toMatch(
      /^1,562,500 frames\/s misses fps >= 1,600,000: the bottleneck 'fc0' takes 64 cycles per frame, and 100 MHz needs at most 62\./,
    );
    expect(d[0].message).toMatch(/Also over 62 cycles: 'fc1' \(64\), 'fc2' \(64\)/);
    const s = d[0].data!.suggestion as { pe: number; simd: number; cycles: number; met: boolean };
    expect(s.met).toBe(true);
    expect(s.cycles).toBeLessThanOrEqual(62);
    expect(d[0].message).toContain(`fold(pe=${s.pe}, simd=${s.simd})`);
    expect(d[0].data).toMatchObject({ bottleneck: 'fc0', cycles: 64, targetCycles: 62 });
  });

  it('a target met exactly is no warning', () => {
    expect(diags(tfc({ fps: 1_562_500 }), 'QNN051')).toEqual([]);
  });

  it('says when no fold of the bottleneck can reach the target', () => {
    const d = diags(tfc({ fps: 1e9 }), 'QNN051');
    expect(d[0].message).toMatch(/No legal fold of 'fc0' reaches it/);
    expect((d[0].data!.suggestion as { met: boolean }).met).toBe(false);
  });
});

describe('QNN043 width converters', () => {
  it('on the consumer’s name, with widths and cost', () => {
    // fc0 writes PE 16 bipolar elements; fc1 reads SIMD 8.
    const net = tfc();
    const d = diags(net, 'QNN043');
    expect(d).toHaveLength(1);
    expect(d[0].severity).toBe('info');
    expect(d[0].range.start.line).toBe(lineOf(2)); // fc1
    expect(d[0].message).toMatch(
      /'fc0' writes 16 × bipolar = 16-bit words, 'fc1' reads 8 × bipolar = 8-bit words; it costs about \d+ LUTs and \d+ FFs/,
    );
    expect(d[0].data).toMatchObject({ from: 'fc0', to: 'fc1', inBits: 16, outBits: 8 });
  });

  it('matching widths need none', () => {
    expect(diags(tfc({ fc0Pe: 8 }), 'QNN043')).toEqual([]);
  });
});

describe('QNN044 over-provisioned folds', () => {
  /** a: dense 8 → 8 at the given fold; b: dense 8 → 16 setting the II. */
  const pair = (aFold: { pe: number; simd: number } | undefined, bFold: { pe: number; simd: number }) =>
    new NetBuilder({ device: 'xc7z020', input: { shape: [8], type: u(4) } })
      .dense('a', 8, i(4), aFold)
      .requant('ra', u(4), 0.1)
      .dense('b', 16, i(4), bFold)
      .build();

  it('offers the cheapest smaller fold that keeps the II, on fold(…), with LUTs saved', () => {
    // a: PE 4 × SIMD 4 → 4 cycles; b: PE 1 × SIMD 1 → 128 cycles = II.
    const net = pair({ pe: 4, simd: 4 }, { pe: 1, simd: 1 });
    const d = diags(net, 'QNN044');
    expect(d).toHaveLength(1);
    expect(d[0].severity).toBe('hint');
    expect(d[0].range).toEqual(net.layers[0].ranges.fold);
    const data = d[0].data as { pe: number; simd: number; lutSaved: number; cycles: number };
    expect(data.pe * data.simd).toBeLessThan(16);
    expect(data.cycles).toBeLessThanOrEqual(128);
    expect(data.lutSaved).toBeGreaterThan(0);
    expect(d[0].message).toContain(`fold(pe=${data.pe}, simd=${data.simd})`);
    expect(d[0].message).toContain(`saves about ${data.lutSaved.toLocaleString('en-US')} LUTs`);
  });

  it('not for the bottleneck itself: every smaller fold is slower than the II', () => {
    // Both at 4 cycles: any fewer lanes for a takes ≥ 8 cycles > II 4.
    expect(diags(pair({ pe: 4, simd: 4 }, { pe: 8, simd: 4 }), 'QNN044')).toEqual([]);
  });

  it('not for folds the user did not write', () => {
    expect(diags(pair(undefined, { pe: 1, simd: 1 }), 'QNN044')).toEqual([]);
  });

  it('maxpool: pe only (simd null in data)', () => {
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [64, 16], type: u(4) } })
      .maxpool('p', 2, { fold: { pe: 16 } })
      .conv('c', { filters: 4, kernel: 1, w: i(4), fold: { pe: 1, simd: 1 } })
      .build();
    const d = diags(net, 'QNN044');
    expect(d).toHaveLength(1);
    expect(d[0].data).toMatchObject({ simd: null });
    expect(d[0].message).toMatch(/fold\(pe=\d+\) keeps/);
  });
});
