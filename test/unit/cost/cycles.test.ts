/**
 * Cycles, II and frames/s against FINN's analytical model (NF·SF·pixels, II = max) on
 * FINN's own MLPs, and the latency model's sanity bounds.
 */
import { describe, expect, it } from 'vitest';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { i, NetBuilder, u } from './net-builder.js';
import { sfcMax, tfc } from './networks.js';

describe('FINN cycle model', () => {
  it('TFC at FINN’s folding: 64 cycles for fc0–fc2, 8 for fc3, II 64', () => {
    const e = estimateNetwork(tfc());
    const cycles = Object.fromEntries(e.layers.filter((l) => l.fused_into === null).map((l) => [l.name, [l.nf, l.sf, l.cycles]]));
    expect(cycles).toEqual({ fc0: [4, 16, 64], fc1: [8, 8, 64], fc2: [8, 8, 64], fc3: [1, 8, 8] });
    expect(e.ii_cycles).toBe(64);
    expect(e.fps).toBe(1_562_500);
    expect(e.bottleneck).toEqual({ layer: 'fc0', engine: 'fc0', cycles: 64 });
  });

  it('SFC-max: II 16, 12.5 M frames/s at 200 MHz, within 2 % of FINN’s measured 12.3 M', () => {
    const e = estimateNetwork(sfcMax());
    expect(e.ii_cycles).toBe(16);
    expect(e.fps).toBe(12_500_000);
    expect(Math.abs(e.fps - 12.3e6) / 12.3e6).toBeLessThan(0.02);
    expect(e.macs_per_frame).toBe(784 * 256 + 256 * 256 * 2 + 256 * 10);
  });

  it('II is never below the hard bound max ⌈MACs/(PE·SIMD)⌉, and meets it for MLPs', () => {
    for (const net of [tfc(), sfcMax()]) {
      const e = estimateNetwork(net);
      const bound = Math.max(...e.layers.filter((l) => l.macs > 0).map((l) => Math.ceil(l.macs / (l.pe * l.simd))));
      expect(e.ii_cycles).toBe(bound);
    }
  });

  it('a conv MVAU spends NF·SF per output pixel', () => {
    // conv2d 3×3 on [32, 32, 3] (valid) → 30×30 pixels, MW = 27, MH = 16; PE 4, SIMD 3 → NF 4, SF 9.
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [32, 32, 3], type: u(8) } })
      .conv('c', { filters: 16, kernel: 3, w: i(4), fold: { pe: 4, simd: 3 } })
      .build();
    const l = estimateNetwork(net).layers[0];
    expect([l.nf, l.sf, l.compute_cycles, l.cycles]).toEqual([4, 9, 4 * 9 * 900, 4 * 9 * 900]);
    expect(l.window_cycles).toBe(Math.max(1024, 900 * 9));
  });

  it('a window generator slower than its MVAU (1×1, stride 2) sets the engine’s cycles', () => {
    // Input [8, 8, 4]: 64 words of 4 elements to read; the MVAU needs only 16 pixels · NF·SF = 16 cycles.
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [8, 8, 4], type: u(4) } })
      .conv('c', { filters: 4, kernel: 1, stride: 2, w: i(4), fold: { pe: 4, simd: 4 } })
      .build();
    const e = estimateNetwork(net);
    expect(e.layers[0].compute_cycles).toBe(16);
    expect(e.layers[0].window_cycles).toBe(64);
    expect(e.ii_cycles).toBe(64);
  });

  it('streaming engines take elements / PE', () => {
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [64, 16], type: u(4) } })
      .maxpool('p', 2, { fold: { pe: 4 } })
      .requant('r', u(2), 0.5, { fold: { pe: 2 } })
      .build();
    const e = estimateNetwork(net);
    expect(e.layers.map((l) => [l.name, l.cycles])).toEqual([
      ['p', (64 * 16) / 4],
      ['r', (32 * 16) / 2],
    ]);
    expect(e.ii_cycles).toBe(256);
  });

  it('frames/s scales with the clock', () => {
    expect(estimateNetwork(tfc({ clockMhz: 200 })).fps).toBe(3_125_000);
  });
});

describe('latency model', () => {
  it('an MLP: at least the sum of the SF input reads, and within a small multiple of it', () => {
    const e = estimateNetwork(sfcMax());
    const sumSf = 16 * 4;
    expect(e.latency_cycles).toBeGreaterThan(sumSf);
    expect(e.latency_cycles).toBeLessThan(2 * sumSf);
    expect(e.latency_us).toBeCloseTo(e.latency_cycles / 200, 3);
    // The schedule is monotone: each stage starts no earlier than the one before it.
    const s = e.latency_schedule;
    for (let k = 1; k < s.length; k++) {
      expect(s[k].first_in).toBeGreaterThanOrEqual(s[k - 1].first_in);
      expect(s[k].last_out).toBeGreaterThanOrEqual(s[k - 1].last_out);
    }
  });

  it('a pipeline is never faster than its bottleneck’s frame', () => {
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [1024, 1], type: u(8) } })
      .conv('c1', { filters: 16, kernel: 5, pad: 2, w: i(4), fold: { pe: 4, simd: 5 } })
      .requant('r1', u(4), 0.01)
      .conv('c2', { filters: 16, kernel: 5, pad: 2, w: i(4), fold: { pe: 4, simd: 16 } })
      .build();
    const e = estimateNetwork(net);
    expect(e.latency_cycles).toBeGreaterThan(e.ii_cycles);
    expect(e.latency_cycles).toBeLessThan(e.ii_cycles * 1.1);
  });
});
