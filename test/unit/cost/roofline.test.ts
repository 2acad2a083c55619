/** The roofline (hardware.md §6) on a network small enough to compute by hand. */
import { describe, expect, it } from 'vitest';
import { COST_CONSTANTS } from '../../../server/src/cost/constants.js';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { i, NetBuilder, u } from './net-builder.js';

/** u8[16] → dense 8 (i4 weights, PE 2, SIMD 4) → threshold to u2 (fused), 100 MHz. */
function small(device = 'xc7z020', bandwidthGBs?: number) {
  return new NetBuilder({ device, clockMhz: 100, bandwidthGBs, input: { shape: [16], type: u(8) } })
    .dense('fc', 8, i(4), { pe: 2, simd: 4 })
    .threshold('t', u(2))
    .build();
}

describe('roofline', () => {
  it('matches the hand computation', () => {
    const e = estimateNetwork(small());
    const r = e.roofline;
    // 8·16 = 128 MACs, 256 ops; off chip 16 B in (u8) + 8·2 bits = 2 B out.
    expect(r.macs_per_frame).toBe(128);
    expect(r.ops_per_frame).toBe(256);
    expect(r.offchip_bytes_per_frame).toBe(18);
    expect(r.intensity).toBeCloseTo(256 / 18, 4);
    // NF·SF = 4·4 = 16 cycles → 6.25 M frames/s → 1.6 G ops/s; 8 lanes × 2 × 100 MHz = 1.6 G ops/s.
    expect(e.ii_cycles).toBe(16);
    expect(r.design.ops_s).toBe(1.6e9);
    expect(r.ceilings.design_peak_ops_s).toBe(1.6e9);
    expect(r.ceilings.design_lanes).toBe(8);
    // PYNQ board default 4.2 GB/s.
    expect(r.bandwidth_source).toBe('board');
    expect(r.ceilings.bandwidth_bytes_s).toBe(4.2e9);
    // Device peak at i4 × u8 (a 12-bit product: Yosys maps it to a DSP48): 220 DSP lanes, each
    // with its leaf of a wide adder tree (the measured trees' slope from 32 to 64 leaves of
    // 12 bits, × the fitted tree coefficient); the other 53,200 LUTs less those leaves hold
    // LUT lanes of an i4 × u8 LUT multiplier, 60 LUTs as Yosys builds it (the measured table,
    // lutMultipliers), × mulInt, + the leaf.
    const k = COST_CONSTANTS.fit.xilinx.mvau.lut;
    expect(COST_CONSTANTS.lutMultipliers.xilinx['4x8u']).toBe(60);
    const T = COST_CONSTANTS.adderTrees.xilinx;
    const leaf = (k.tree * (T['64x12'] - T['32x12'])) / 32;
    const lanes = 220 + Math.floor((53200 - 220 * leaf) / (60 * k.mulInt + leaf));
    expect(r.ceilings.precision).toBe('i4 × u8');
    expect(r.ceilings.device_peak_lanes).toBe(lanes);
    expect(r.ceilings.device_peak_ops_s).toBe(lanes * 2 * 100e6);
    // Attainable: bandwidth-bound, 4.2e9 × 256/18.
    expect(r.design.attainable_ops_s).toBe(Math.round((4.2e9 * 256) / 18));
    // Layer by layer: 16 B in + 2 B out + 128·4 bits = 64 B of weights.
    expect(r.layers).toHaveLength(1);
    expect(r.layers[0]).toMatchObject({ name: 'fc', ops: 256, input_bytes: 16, output_bytes: 2, weight_bytes: 64 });
    expect(r.layers[0].intensity).toBeCloseTo(256 / 82, 4);
    expect(r.layers[0].attainable_ops_s).toBe(Math.round((4.2e9 * 256) / 82));
    expect(r.layers[0].achieved_ops_s).toBe(1.6e9);
    // Pipelining raises the intensity above the layer-by-layer one.
    expect(r.intensity).toBeGreaterThan(r.layers[0].intensity);
    // The same layer in the pipeline: weights on chip, 256 ops over 18 B.
    expect(r.layers[0].pipelined_intensity).toBeCloseTo(256 / 18, 4);
    expect(r.layers[0].pipelined_attainable_ops_s).toBe(Math.round((4.2e9 * 256) / 18));
    // Roofs by multiplier kind: 220 DSP48 lanes; LUT-only lanes, fewer than the mixed peak's.
    expect(r.ceilings.dsp_peak_ops_s).toBe(220 * 2 * 100e6);
    const lutLanes = r.ceilings.lut_peak_ops_s! / (2 * 100e6);
    expect(Number.isInteger(lutLanes)).toBe(true);
    expect(lutLanes).toBeGreaterThan(0);
    expect(lutLanes).toBeLessThan(r.ceilings.device_peak_lanes!);
    // Stream ports: 4 × u8 in (32 bits) + 2 × u2 out (4 bits) at 100 MHz = 450 MB/s.
    expect(r.ceilings.stream_bytes_s).toBe(450e6);
  });

  it('the target’s bandwidth overrides the board default', () => {
    const r = estimateNetwork(small('xc7z020', 10)).roofline;
    expect(r.bandwidth_source).toBe('target');
    expect(r.ceilings.bandwidth_bytes_s).toBe(10e9);
  });

  it('iCE40: no DDR, no bandwidth line; attainable is the compute peak', () => {
    const r = estimateNetwork(small('ice40hx8k')).roofline;
    expect(r.bandwidth_gbs).toBeNull();
    expect(r.bandwidth_source).toBe('none');
    expect(r.notes.join(' ')).toMatch(/UART/);
    expect(r.design.attainable_ops_s).toBe(r.ceilings.device_peak_ops_s);
    expect(r.ceilings.device_peak_lanes).toBeGreaterThan(0);
  });

  it('bipolar elements count one bit off chip', () => {
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [784], type: { kind: 'bipolar' } } })
      .dense('fc', 10, { kind: 'bipolar' }, { pe: 10, simd: 49 })
      .build();
    const r = estimateNetwork(net).roofline;
    // 784 bits in = 98 B; 10 outputs of the i-typed accumulator out.
    expect(r.input_bytes).toBe(98);
  });
});
