import { describe, expect, it } from 'vitest';
import { fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { ebrBlocks, ramb18Blocks, ramCost, romCost } from '../../../server/src/cost/memory.js';
import {
  adderTreeLuts,
  constantMultiplierLuts,
  COST_CONSTANTS,
  converterResources,
  dspsPerMultiplier,
  fifoResources,
  multiplierUsesDsp,
  mvauResources,
  windowResources,
  type MacOperands,
  type MvauCostParams,
} from '../../../server/src/cost/resources.js';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { i, NetBuilder, pow2, u, bipolar } from './net-builder.js';

const xilinx = fabricOf(findDevice('xc7z020'));
const up5k = fabricOf(findDevice('ice40up5k'));
const hx8k = fabricOf(findDevice('ice40hx8k'));

describe('RAMB18 aspect-ratio table (hardware.md §4)', () => {
  it.each([
    // [depth, width, blocks]
    [16384, 1, 1],
    [16385, 1, 2],
    [8192, 2, 1],
    [8193, 2, 2],
    [4096, 3, 1],
    [4097, 4, 2],
    [2048, 9, 1],
    [4096, 8, 2],
    [2048, 10, 2], // 10 bits > 9: the 1K×18 row
    [1024, 18, 1],
    [1500, 16, 2],
    [512, 36, 1],
    [512, 72, 2],
    [600, 36, 2], // d > 512: back to 1K×18, ⌈600/1024⌉·⌈36/18⌉
    [256, 64, 2],
    [0, 8, 0],
  ])('%i × %i bits → %i', (d, w, n) => {
    expect(ramb18Blocks(d, w)).toBe(n);
  });

  it('iCE40 EBRs take the best of 256×16, 512×8, 1024×4, 2048×2', () => {
    expect(ebrBlocks(256, 16)).toBe(1);
    expect(ebrBlocks(2048, 2)).toBe(1);
    expect(ebrBlocks(1024, 8)).toBe(2);
    expect(ebrBlocks(300, 4)).toBe(1); // 1024×4
    expect(ebrBlocks(200, 32)).toBe(2);
  });
});

describe('memory placement', () => {
  it('≤ 128 deep in LUTRAM (64 entries per LUT6 for a ROM), deeper in BRAM, depth 1 hard-wired', () => {
    expect(romCost(128, 8, xilinx)).toMatchObject({ kind: 'lutram', lut: 16, bram18: 0 });
    expect(romCost(129, 8, xilinx)).toMatchObject({ kind: 'bram', lut: 0, bram18: 1 });
    expect(romCost(1, 64, xilinx)).toMatchObject({ kind: 'logic', lut: 0, ff: 0, bram18: 0 });
    expect(ramCost(64, 12, xilinx)).toMatchObject({ kind: 'lutram', lut: 16 }); // RAM64M: 4 LUTs per 64×3
    expect(ramCost(2000, 18, xilinx)).toMatchObject({ kind: 'bram', bram18: 2 });
  });

  it('iCE40 has no LUTRAM: ROMs in LUT4 logic, small RAMs in registers, larger ones in EBRs', () => {
    expect(romCost(16, 4, up5k)).toMatchObject({ kind: 'logic', lut: 4 });
    expect(ramCost(8, 8, up5k)).toMatchObject({ kind: 'logic', bram18: 0, ff: 72 });
    expect(ramCost(64, 8, up5k)).toMatchObject({ kind: 'bram', bram18: 1 });
  });
});

describe('DSP rule', () => {
  it('Xilinx: int × int with both operands wider than 4 bits', () => {
    expect(multiplierUsesDsp(8, 8, xilinx)).toBe(true);
    expect(multiplierUsesDsp(5, 5, xilinx)).toBe(true);
    expect(multiplierUsesDsp(4, 8, xilinx)).toBe(false);
    expect(dspsPerMultiplier(16, 16, xilinx)).toBe(1);
  });

  it('iCE40: Yosys synth_ice40 -dsp thresholds on UP5K (product ≥ 11 bits); none on HX8K', () => {
    expect(multiplierUsesDsp(4, 8, up5k)).toBe(true);
    expect(multiplierUsesDsp(4, 6, up5k)).toBe(false);
    expect(multiplierUsesDsp(8, 8, hx8k)).toBe(false);
  });

  const mv = (op: MacOperands, pe = 4, simd = 8): MvauCostParams => ({ pe, simd, mh: 16, mw: 32, operands: op, accBits: 20, outBits: 20 });
  it.each([
    ['i8 × u8', { weightKind: 'int', weightBits: 8, inputBits: 8, inputBipolar: false }, 32],
    ['i4 × u8', { weightKind: 'int', weightBits: 4, inputBits: 8, inputBipolar: false }, 0],
    ['pow2<4> × u8', { weightKind: 'pow2', weightBits: 4, inputBits: 8, inputBipolar: false }, 0],
    ['bipolar × u8', { weightKind: 'bipolar', weightBits: 1, inputBits: 8, inputBipolar: false }, 0],
    ['bipolar × bipolar', { weightKind: 'bipolar', weightBits: 1, inputBits: 1, inputBipolar: true }, 0],
  ] as [string, MacOperands, number][])('MVAU %s, PE 4 × SIMD 8 → %i DSPs on Xilinx', (_n, op, dsp) => {
    expect(mvauResources(mv(op), xilinx).total.dsp).toBe(dsp);
  });

  it('the same i8 × u8 MVAU on iCE40: SB_MAC16s on UP5K, LUTs on HX8K', () => {
    const op: MacOperands = { weightKind: 'int', weightBits: 8, inputBits: 8, inputBipolar: false };
    expect(mvauResources(mv(op), up5k).total.dsp).toBe(32);
    const h = mvauResources(mv(op), hx8k).total;
    expect(h.dsp).toBe(0);
    expect(h.lut).toBeGreaterThan(mvauResources(mv(op), xilinx).total.lut);
  });
});

describe('logic estimates', () => {
  it('adder tree: one LUT per result bit per level', () => {
    expect(adderTreeLuts(1, 8)).toBe(0);
    expect(adderTreeLuts(2, 8)).toBe(9);
    expect(adderTreeLuts(4, 8)).toBe(2 * 9 + 10);
    expect(adderTreeLuts(3, 4)).toBe(5 + 6);
  });

  it('LUT grows with PE·SIMD and is cheapest for bipolar, then pow2, then int', () => {
    const base = { pe: 4, simd: 8, mh: 16, mw: 32, accBits: 16, outBits: 16 };
    const lut = (op: MacOperands, p = base) => mvauResources({ ...p, operands: op }, xilinx).total.lut;
    const int4: MacOperands = { weightKind: 'int', weightBits: 4, inputBits: 4, inputBipolar: false };
    const p2: MacOperands = { weightKind: 'pow2', weightBits: 3, inputBits: 4, inputBipolar: false };
    const bin: MacOperands = { weightKind: 'bipolar', weightBits: 1, inputBits: 1, inputBipolar: true };
    expect(lut(bin)).toBeLessThan(lut(p2));
    expect(lut(p2)).toBeLessThan(lut(int4));
    expect(lut(int4, { ...base, pe: 8 })).toBeGreaterThan(lut(int4));
    expect(lut(int4, { ...base, simd: 16 })).toBeGreaterThan(lut(int4));
  });

  it('iCE40 logic is ice40LutFactor × the Xilinx LUT6 logic (no memories, no DSPs)', () => {
    // NF = SF = 1: hard-wired weights, no input buffer.
    const p: MvauCostParams = {
      pe: 4,
      simd: 8,
      mh: 4,
      mw: 8,
      operands: { weightKind: 'int', weightBits: 3, inputBits: 4, inputBipolar: false },
      accBits: 10,
      outBits: 10,
    };
    expect(mvauResources(p, hx8k).total.lut).toBeCloseTo(mvauResources(p, xilinx).total.lut * COST_CONSTANTS.ice40LutFactor, 6);
  });

  it('window generator: (K−1) rows + the window, in input words', () => {
    const w2 = windowResources({ dims: 2, kernel: 3, rowWidth: 32, channels: 16, inElems: 16, outElems: 16, bits: 4 }, xilinx);
    expect(w2.buffer).toMatchObject({ depth: (2 * 32 * 16 + 9 * 16) / 16, width: 64, kind: 'lutram' });
    const w1 = windowResources({ dims: 1, kernel: 5, rowWidth: 1024, channels: 1, inElems: 1, outElems: 5, bits: 8 }, xilinx);
    expect(w1.buffer).toMatchObject({ depth: 4 + 5, width: 8 });
    const big = windowResources({ dims: 2, kernel: 3, rowWidth: 224, channels: 64, inElems: 8, outElems: 8, bits: 8 }, xilinx);
    expect(big.buffer.kind).toBe('bram');
    expect(big.total.bram18).toBe(ramb18Blocks(Math.ceil((2 * 224 * 64 + 9 * 64) / 8), 64));
  });

  it('width converters: max(in, out) bits for integer ratios, lcm otherwise', () => {
    expect(converterResources(256, 16, xilinx).bufferBits).toBe(256);
    expect(converterResources(16, 64, xilinx).bufferBits).toBe(64);
    expect(converterResources(12, 16, xilinx).bufferBits).toBe(48);
  });

  it('FIFOs: registers, SRL, LUTRAM, BRAM by depth', () => {
    expect(fifoResources(2, 32, xilinx).impl).toBe('registers');
    expect(fifoResources(32, 32, xilinx).impl).toBe('srl');
    expect(fifoResources(100, 32, xilinx).impl).toBe('lutram');
    expect(fifoResources(1024, 32, xilinx)).toMatchObject({ impl: 'bram', bram18: 2 });
  });
});

describe('hard-wired weights (NF·SF = 1)', () => {
  it('a constant multiply costs one adder per canonical signed digit after the first', () => {
    expect([0, 1, -1, 4, -8].map((w) => constantMultiplierLuts(w, 8))).toEqual([0, 0, 0, 0, 0]);
    expect(constantMultiplierLuts(3, 8)).toBe(8 + 2); // 4 − 1
    expect(constantMultiplierLuts(-7, 8)).toBe(8 + 3); // −(8 − 1)
    expect(constantMultiplierLuts(5, 8)).toBe(8 + 3); // 4 + 1
    expect(constantMultiplierLuts(11, 8)).toBe(2 * (8 + 4)); // 16 − 4 − 1
  });

  it('a fully unfolded layer folds its weights into the lanes: no DSPs, far fewer LUTs than general multipliers', () => {
    const build = (pe: number, simd: number) =>
      new NetBuilder({ device: 'xc7z045', input: { shape: [32], type: u(8) } }).dense('fc', 16, i(8), { pe, simd }).build();
    const wired = estimateNetwork(build(16, 32)).layers[0];
    const folded = estimateNetwork(build(16, 16)).layers[0];
    expect(wired.dsp).toBe(0);
    expect(wired.weight_mem).toBe('logic');
    expect(folded.dsp).toBe(16 * 16);
  });
});

describe('MVAU weight memory in a network', () => {
  it('per-PE ROMs of depth NF·SF and width SIMD·wbits, plus the input buffer', () => {
    // dense 1024 → 64, i4 weights, PE 2, SIMD 2: each PE's ROM is 32·512 = 16384 × 8 bits → 8 RAMB18,
    // and the input buffer (SF = 512 words of 2 × u8) one more.
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [1024], type: u(8) } })
      .dense('fc', 64, i(4), { pe: 2, simd: 2 })
      .build();
    const l = estimateNetwork(net).layers[0];
    expect(l.weight_mem).toBe('bram');
    expect(l.weight_bits).toBe(1024 * 64 * 4);
    expect(l.bram18).toBe(2 * 8 + 1);
  });

  it('a shallow ROM stays in LUTRAM (and pow2 weights never use DSPs)', () => {
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [64], type: u(8) } })
      .dense('fc', 16, pow2(4), { pe: 4, simd: 8 })
      .build();
    const l = estimateNetwork(net).layers[0];
    expect(l.weight_mem).toBe('lutram');
    expect(l.bram18).toBe(0);
    expect(l.dsp).toBe(0);
  });

  it('bipolar weights and activations: XNOR-popcount, no DSPs', () => {
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [64], type: bipolar } })
      .dense('fc', 16, bipolar, { pe: 16, simd: 64 })
      .build();
    const l = estimateNetwork(net).layers[0];
    expect(l.dsp).toBe(0);
    expect(l.weight_mem).toBe('logic'); // NF·SF = 1: hard-wired
  });
});
