/** The Estimate is the `qnn estimate --json` output: its shape, attribution and determinism. */
import { describe, expect, it } from 'vitest';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { COST_CONSTANTS } from '../../../server/src/cost/constants.js';
import { utilisation } from '../../../server/src/cost/utilisation.js';
import { i, NetBuilder, u } from './net-builder.js';
import { sfcMax, tfc } from './networks.js';

function peakDetector(device = 'xc7z020') {
  return new NetBuilder({ name: 'peak_detector', device, clockMhz: 200, fps: 5000, input: { shape: [1024, 1], type: u(8) } })
    .conv('c1', { filters: 16, kernel: 5, pad: 2, w: i(4), fold: { pe: 4, simd: 5 } })
    .requant('r1', u(4), 0.0117)
    .conv('c2', { filters: 16, kernel: 5, pad: 2, w: i(4), fold: { pe: 4, simd: 16 } })
    .requant('r2', u(4), 0.0078)
    .maxpool('p1', 2)
    .conv('c3', { filters: 1, kernel: 3, pad: 1, w: { kind: 'pow2', bits: 3 }, fold: { pe: 1, simd: 16 } })
    .threshold('t3', u(1))
    .build();
}

describe('estimate JSON', () => {
  it('has the keys `qnn estimate --json` prints, and survives JSON unchanged', () => {
    const e = estimateNetwork(peakDetector());
    for (const k of ['network', 'target', 'ii_cycles', 'fps', 'latency_cycles', 'totals', 'device_capacity', 'roofline', 'layers'])
      expect(e).toHaveProperty(k);
    expect(Object.keys(e.target)).toEqual(expect.arrayContaining(['device', 'clock_mhz']));
    for (const k of ['lut', 'ff', 'bram18', 'dsp']) {
      expect(e.totals).toHaveProperty(k);
      expect(e.device_capacity).toHaveProperty(k);
    }
    const layerKeys = [
      'name',
      'op',
      'engine',
      'fused',
      'pe',
      'simd',
      'nf',
      'sf',
      'cycles',
      'acc_bits',
      'out_type',
      'out_shape',
      'lut',
      'ff',
      'bram18',
      'dsp',
      'weight_bits',
    ];
    for (const l of e.layers) expect(Object.keys(l)).toEqual(expect.arrayContaining(layerKeys));
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    expect(e.network).toBe('peak_detector');
    expect(e.target).toMatchObject({ device: 'xc7z020', clock_mhz: 200 });
  });

  it('counts are whole numbers and repeat exactly', () => {
    const a = estimateNetwork(peakDetector());
    const b = estimateNetwork(peakDetector());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    for (const l of a.layers)
      for (const k of ['lut', 'ff', 'bram18', 'dsp', 'cycles', 'weight_bits'] as const) expect(Number.isInteger(l[k])).toBe(true);
    for (const k of ['lut', 'ff', 'bram18', 'dsp'] as const) expect(Number.isInteger(a.totals[k])).toBe(true);
    expect(Number.isInteger(a.ii_cycles) && Number.isInteger(a.latency_cycles)).toBe(true);
  });

  it('one entry per layer; a fused activation is its own entry, costed in its MVAU', () => {
    const e = estimateNetwork(peakDetector());
    expect(e.layers.map((l) => [l.name, l.engine])).toEqual([
      ['c1', 'c1'],
      ['r1', 'c1'],
      ['c2', 'c2'],
      ['r2', 'c2'],
      ['p1', 'p1'],
      ['c3', 'c3'],
      ['t3', 'c3'],
    ]);
    const c1 = e.layers[0];
    const r1 = e.layers[1];
    expect(c1.fused).toEqual(['r1']);
    expect(c1).toMatchObject({ op: 'conv1d', out_type: 'i15', out_shape: [1024, 16], acc_bits: 15 });
    expect(r1).toMatchObject({
      fused: [],
      fused_into: 'c1',
      lut: 0,
      ff: 0,
      bram18: 0,
      dsp: 0,
      out_type: 'u4',
      acc_bits: null,
      cycles: c1.cycles,
    });
    // A conv's entry includes its window generator.
    expect(c1.lut).toBe(c1.breakdown.mvau.lut + c1.breakdown.window.lut);
  });

  it('totals are the layers plus converters plus FIFOs', () => {
    const e = estimateNetwork(peakDetector());
    for (const k of ['lut', 'ff', 'bram18', 'dsp'] as const) {
      const sum =
        e.layers.reduce((s, l) => s + l[k], 0) + e.converters.reduce((s, c) => s + c[k], 0) + e.fifos.reduce((s, f) => s + f[k], 0);
      expect(e.totals[k]).toBe(sum);
    }
    expect(e.fifos).toHaveLength(3); // between c1, c2, p1, c3
    expect(e.converters.map((c) => [c.from, c.to, c.in_bits, c.out_bits])).toEqual([
      ['c1', 'c2', 16, 64],
      ['c2', 'p1', 16, 4],
      ['p1', 'c3', 4, 64],
    ]);
  });

  it('FIFO depths come from the schedule, at the consumer’s width (after the converter); an override replaces one', () => {
    const d = estimateNetwork(peakDetector());
    // c1 writes 4 × u4, c2 reads 16 × u4: the FIFO sits after the width converter, 64 bits wide.
    expect(d.fifos[0]).toMatchObject({
      name: 'fifo_c1_c2',
      from: 'c1',
      to: 'c2',
      depth: 2,
      depth_source: 'analysis',
      width_bits: 64,
      impl: 'registers',
    });
    expect(d.fifos[0].reason).toMatch(/word\(s\) wait/);
    const e = estimateNetwork(peakDetector(), { fifoOverrides: { fifo_c1_c2: 1024 } });
    // 1024 × 64 bits: ⌈1024/1024⌉·⌈64/18⌉ = 4 RAMB18.
    expect(e.fifos[0]).toMatchObject({ depth: 1024, depth_source: 'override', impl: 'bram', bram18: 4 });
    expect(e.fifos[0].reason).toMatch(/^depth set to 1024 \(the analysis gives 2:/);
    expect(e.totals.bram18).toBe(d.totals.bram18 + 4);
  });

  it('the bottleneck, frames/s, the fps target and device percentages', () => {
    const e = estimateNetwork(peakDetector());
    expect(e.bottleneck).toEqual({ layer: 'c2', engine: 'c2', cycles: 4 * 5 * 1024 });
    expect(e.layers.filter((l) => l.bottleneck).map((l) => l.name)).toEqual(['c2', 'r2']);
    expect(e.fps).toBe(200e6 / 20480);
    expect(e.fps_met).toBe(true);
    expect(e.device_pct.lut).toBeCloseTo((100 * e.totals.lut) / 53200, 2);
  });

  it('an unknown device still gets an estimate, with null capacities', () => {
    const e = estimateNetwork(peakDetector('xc7z999'));
    expect(e.target).toMatchObject({ device: 'xc7z999', device_known: false });
    expect(e.device_capacity).toEqual({ lut: null, ff: null, bram18: null, dsp: null });
    expect(e.device_pct.lut).toBeNull();
    expect(e.totals.lut).toBeGreaterThan(0);
    expect(e.roofline.ceilings.device_peak_ops_s).toBeNull();
  });

  it('iCE40: the same network in logic cells and EBRs, on the family’s own rules', () => {
    const x = estimateNetwork(peakDetector('xc7z020'));
    const ice = estimateNetwork(peakDetector('ice40up5k'));
    expect(ice.target.family).toBe('ice40');
    expect(ice.device_capacity).toEqual({ lut: 5280, ff: 5280, bram18: 30, dsp: 8 });
    expect(ice.totals.lut).toBeGreaterThan(x.totals.lut);
    expect(ice.ii_cycles).toBe(x.ii_cycles);
  });

  it('iCE40: the device fills with logic cells, LUT4s and flip-flops as nextpnr packs them; Xilinx with LUTs', () => {
    const ice = estimateNetwork(peakDetector('ice40up5k'));
    const k = COST_CONSTANTS.ice40LogicCells;
    expect(ice.logic_cells).toBe(Math.round(k.lut * ice.totals.lut + k.ff * ice.totals.ff));
    expect(ice.logic_cells!).toBeGreaterThan(ice.totals.lut);
    expect(ice.device_pct.lut).toBeCloseTo((100 * ice.logic_cells!) / 5280, 2);
    const lcRow = utilisation(ice).resources.find((r) => r.resource === 'lut')!;
    expect(lcRow).toMatchObject({ label: 'logic cells', used: ice.logic_cells, capacity: 5280 });
    // Per layer too: its share of the logic cells.
    const c2 = ice.layers.find((l) => l.name === 'c2')!;
    expect(c2.logic_cells).toBe(Math.round(k.lut * c2.lut + k.ff * c2.ff));
    expect(c2.device_pct.lut).toBeCloseTo((100 * c2.logic_cells!) / 5280, 2);
    const x = estimateNetwork(peakDetector('xc7z020'));
    expect(x.logic_cells).toBeNull();
    expect(x.layers.every((l) => l.logic_cells === null)).toBe(true);
    expect(utilisation(x).resources[0].used).toBe(x.totals.lut);
  });

  it('layers off the output chain get no entry', () => {
    const net = tfc();
    net.output = 't1';
    net.engines = net.engines.slice(0, 2);
    const e = estimateNetwork(net);
    expect(e.layers.map((l) => l.name)).toEqual(['fc0', 't0', 'fc1', 't1']);
  });

  it('big binarized MLP: plausible totals next to FINN’s SFC-max on the ZC706 (no BRAM, no DSP)', () => {
    const e = estimateNetwork(sfcMax());
    expect(e.totals.dsp).toBe(0);
    expect(e.totals.bram18).toBe(0);
    expect(e.totals.lut).toBeGreaterThan(40_000);
    expect(e.totals.lut).toBeLessThan(150_000);
  });
});
