import { describe, expect, it } from 'vitest';
import { fabricOf, multiplierFabric, type Fabric } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import {
  ebrBlocks,
  ramb18Blocks,
  ramb18RomBlocks,
  ramCopiesWrittenTogether,
  ramCost,
  romCost,
  romImageColumns,
} from '../../../server/src/cost/memory.js';
import {
  accRegisterInDsp,
  adderTreeKey,
  adderTreeLuts,
  adderTreeLutsOn,
  constantMultiplier,
  constantMultiplierLuts,
  COST_CONSTANTS,
  converterResources,
  dspsPerMultiplier,
  fifoResources,
  hardWiredTreeLuts,
  narrowProductLuts,
  oddMagnitude,
  macLane,
  activationLane,
  laneCompareLuts,
  thresholdCountLuts,
  type ActivationLane,
  requantClamp,
  activationResources,
  type ActivationCostParams,
  type RequantCostParams,
  type MulOperand,
  multiplierDsps,
  multiplierSliceLuts,
  multiplierUsesDsp,
  mvauResources,
  poolResources,
  maxUnitLuts,
  mmvPoolMaxLuts,
  skidResources,
  windowResources,
  wrapAddLuts,
  lutMultiplierKey,
  lutMultiplierLuts,
  lutMultiplierLutsOn,
  windowRows,
  type MacOperands,
  type WindowCostParams,
  type MvauCostParams,
} from '../../../server/src/cost/resources.js';
import { bracket, interpolate } from '../../../server/src/cost/interpolate.js';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { i, NetBuilder, pow2, u, bipolar } from './net-builder.js';
import { macOperands } from '../../../server/src/engines/mvau.js';
import type { MvauLayer } from '../../../server/src/model/types.js';

const xilinx = fabricOf(findDevice('xc7z020'));
const up5k = fabricOf(findDevice('ice40up5k'));
const hx8k = fabricOf(findDevice('ice40hx8k'));
/** An MVAU at its full fold (NF = SF = 1: MH = PE, MW = SIMD). */
const fullFold = (pe: number, simd: number, operands: MacOperands, accBits: number, outBits: number): MvauCostParams => ({
  pe,
  simd,
  mh: pe,
  mw: simd,
  operands,
  accBits,
  outBits,
});

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

describe('a ROM in RAMB18s as memory_libmap lays it out: depth segments side by side across the width', () => {
  it.each([
    // [depth, width, blocks]: CNV's weight ROMs, measured with Yosys 0.23 (synth_xilinx).
    [1152, 256, 22], // c3: 11 RAMB36 in 512 × 72, 3 segments (block per segment: 24 at best)
    [9216, 64, 32], // c4
    [65536, 4, 15], // d6 (with its other memory, 16 built)
    [65536, 8, 29], // d7: 32 segments of 2K × 9, 8 bits each, across 9-bit blocks
    [512, 36, 1],
    [100, 8, 1],
  ])('%i × %i bits → %i RAMB18', (d, w, blocks) => {
    expect(ramb18RomBlocks(d, w)).toBe(blocks);
    expect(blocks).toBeLessThanOrEqual(ramb18Blocks(d, w));
  });

  it('the weight ROM of a network takes that count', () => {
    expect(romCost(1152, 256, xilinx)).toMatchObject({ kind: 'bram', bram18: 22 });
  });
});

describe('MVAU adder trees as Yosys builds them (the measured table, adderTreeLutsOn)', () => {
  const T = COST_CONSTANTS.adderTrees.xilinx;
  it('reads the grid, interpolates between its points and extrapolates past its 64 leaves', () => {
    expect(adderTreeLutsOn(xilinx, 32, 4)).toBe(T[adderTreeKey(32, 4)]);
    expect(adderTreeLutsOn(xilinx, 1, 8)).toBe(0);
    // 5 leaves: halfway between 4 and 6; 5 bits: halfway between 4 and 6.
    expect(adderTreeLutsOn(xilinx, 5, 4)).toBeCloseTo((T['4x4'] + T['6x4']) / 2, 9);
    expect(adderTreeLutsOn(xilinx, 8, 5)).toBeCloseTo((T['8x4'] + T['8x6']) / 2, 9);
    // 128 leaves: the slope from 32 to 64 leaves, continued.
    expect(adderTreeLutsOn(xilinx, 128, 4)).toBeCloseTo(T['64x4'] + 2 * (T['64x4'] - T['32x4']), 9);
    // Past a handful of leaves a carry-save tree: more than a binary tree of carry-chain adders.
    expect(adderTreeLutsOn(xilinx, 32, 4)).toBeGreaterThan(1.3 * adderTreeLuts(32, 4));
  });

  it('each coefficient set has its own table', () => {
    expect(adderTreeLutsOn(up5k, 32, 4)).toBe(COST_CONSTANTS.adderTrees.ice40['32x4']);
    expect(Object.keys(COST_CONSTANTS.adderTrees.xcup).length).toBe(Object.keys(T).length);
  });
});

describe('memory placement: the cheapest of logic, LUTRAM and block RAM by Yosys memory_libmap’s costs', () => {
  // Each case measured with Yosys 0.23 on a registered-read ROM ($readmemh of random words)
  // or a simple dual-port RAM.
  it('Xilinx ROMs stay in LUT6 logic (64 entries per LUT6) until they fill about half of their RAMB18s', () => {
    expect(romCost(256, 32, xilinx)).toMatchObject({ kind: 'lutram', lut: 128, bram18: 0 }); // 8 kbit: 128 LUT6 + MUXF7/F8
    expect(romCost(512, 16, xilinx)).toMatchObject({ kind: 'lutram', lut: 144 });
    expect(romCost(256, 36, xilinx)).toMatchObject({ kind: 'bram', lut: 0, bram18: 1 });
    expect(romCost(512, 18, xilinx)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(romCost(1024, 9, xilinx)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(romCost(1, 64, xilinx)).toMatchObject({ kind: 'logic', lut: 0, ff: 0, bram18: 0 });
  });

  it('a ROM in block RAM whose depth is cut into segments reads them through an output mux with a registered select', () => {
    // 576 × 256 fits one segment (1K × 18): no mux.
    expect(romCost(576, 256, xilinx)).toMatchObject({ kind: 'bram', bram18: 15, lut: 0, ff: 0 });
    // 1,152 × 256 in 512-deep blocks: three segments, a 3:1 mux (one LUT6) per bit, 2 select bits.
    expect(romCost(1152, 256, xilinx)).toMatchObject({ kind: 'bram', bram18: 22, lut: 256, ff: 2 });
    // 73,728 × 16: 64 RAMB18, as 32 RAMB36 of 4K × 9 (18 segments, not 36 of 2K × 9).
    expect(romCost(73728, 16, xilinx)).toMatchObject({ kind: 'bram', bram18: 64, lut: 16 * 6, ff: 5 });
    // 32,768 × 4: 4 RAMB36 of 32K × 1, one segment.
    expect(romCost(32768, 4, xilinx)).toMatchObject({ kind: 'bram', bram18: 8, lut: 0 });
    // iCE40: 1,152 × 3 in one EBR of 256 × 16, five segments: four LUT4 2:1 muxes per bit.
    expect(romCost(1152, 3, up5k)).toMatchObject({ kind: 'bram', bram18: 1, lut: 12, ff: 3 });
  });

  it('a ROM in logic keeps only its image’s distinct non-constant bit columns (Yosys drops and merges the rest)', () => {
    // Bits 0 and 2 are the same column, bit 1 its complement, bit 3 constant 1, bit 4 constant 0.
    const image = [0b01010n, 0b01101n, 0b01010n, 0b01101n];
    expect(romImageColumns(image, 5)).toBe(2);
    expect(romImageColumns([0b101n, 0b101n], 3)).toBe(0);
    // The activation ROM of held_act1 (4 words of two i12 thresholds, measured with Yosys 0.23):
    // 20 of its 24 columns vary, 10 of them distinct; the depth alone bounds it at 2^4 − 2 = 14.
    const act1 = [0xfeef3cn, 0x161f6en, 0x0e1074n, 0xf7ffb0n];
    expect(romImageColumns(act1, 24)).toBe(10);
    expect(romCost(4, 24, xilinx)).toMatchObject({ kind: 'lutram', lut: 14, ff: 14 });
    expect(romCost(4, 24, xilinx, romImageColumns(act1, 24))).toMatchObject({ kind: 'lutram', lut: 10, ff: 10 });
    expect(romCost(4, 24, up5k, 0)).toMatchObject({ kind: 'logic', lut: 0, ff: 0 });
    // The count only lowers the bound: it does not move a ROM out of block RAM.
    expect(romCost(1024, 9, xilinx, 3)).toMatchObject({ kind: 'bram', bram18: 1 });
  });

  it('Xilinx RAMs take RAM32M / RAM64M until about 16 of them cost more than a RAMB18', () => {
    expect(ramCost(16, 16, xilinx)).toMatchObject({ kind: 'lutram', lut: 12 }); // 3 RAM32M
    expect(ramCost(64, 12, xilinx)).toMatchObject({ kind: 'lutram', lut: 16 }); // RAM64M: 4 LUTs per 64×3
    expect(ramCost(256, 8, xilinx)).toMatchObject({ kind: 'lutram', lut: 12 * 4 + 8 }); // 12 RAM64M + the 4:1 read mux
    expect(ramCost(64, 64, xilinx)).toMatchObject({ kind: 'lutram', bram18: 0 }); // 22 RAM64M < 2 RAMB18
    expect(ramCost(512, 8, xilinx)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(ramCost(128, 36, xilinx)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(ramCost(2000, 18, xilinx)).toMatchObject({ kind: 'bram', bram18: 2 });
  });

  it('a Xilinx RAM read where it is written (single port) takes RAM64X1S / RAM128X1S, cheaper than RAM64M', () => {
    // CNV's input buffers, measured with Yosys 0.23: c3's 72 × 32 is 32 RAM128X1S (cost 128,
    // a RAMB18 129), c4's 144 × 16 is 48 RAM64X1S and a 3:1 read mux per bit.
    expect(ramCost(72, 32, xilinx, { ports: 'sp' })).toMatchObject({ kind: 'lutram', lut: 64, bram18: 0 });
    expect(ramCost(144, 16, xilinx, { ports: 'sp' })).toMatchObject({ kind: 'lutram', lut: 48 + 16, bram18: 0 });
    // With a read address of its own the same buffer costs RAM64Ms enough to take a RAMB18.
    expect(ramCost(72, 32, xilinx)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(ramCost(144, 16, xilinx)).toMatchObject({ kind: 'bram', bram18: 1 });
  });

  it('iCE40 has no LUTRAM: ROMs in LUT4 logic up to 1 kbit per EBR, RAMs in registers up to 64 bits', () => {
    expect(romCost(16, 4, up5k)).toMatchObject({ kind: 'logic', lut: 4 });
    expect(romCost(128, 8, up5k)).toMatchObject({ kind: 'logic', bram18: 0 });
    expect(romCost(256, 4, up5k)).toMatchObject({ kind: 'logic', bram18: 0 });
    expect(romCost(128, 16, up5k)).toMatchObject({ kind: 'bram', bram18: 1 });
    // Depth segments share an EBR's width: a 1,152 × 3 ROM is five 256-deep segments in one
    // 256 × 16 EBR (sweep conv15's weights, measured: its MVAU has 2 EBRs with the input buffer).
    expect(romCost(1152, 3, up5k)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(ramCost(8, 8, up5k)).toMatchObject({ kind: 'logic', bram18: 0, ff: 72 });
    // Their LUT4s as synth_ice40 builds a register file (measured: 16 × 1 bits 31 LUT4, 4 × 2
    // bits 8, 32 × 2 bits 87): fewer than a 2:1 mux per entry and bit, as a LUT4 holds more.
    expect(ramCost(16, 1, up5k).lut).toBe(31);
    expect(ramCost(4, 2, up5k).lut).toBe(8);
    expect(ramCost(32, 2, up5k).lut).toBe(87);
    // Between measured depths, linear: 10 entries between 8 (5 + 8) and 12 (9 + 15).
    expect(ramCost(10, 1, up5k).lut).toBe(7 + 12);
    expect(ramCost(16, 4, up5k)).toMatchObject({ kind: 'logic', bram18: 0 });
    expect(ramCost(16, 8, up5k)).toMatchObject({ kind: 'bram', bram18: 1 });
    expect(ramCost(64, 8, up5k)).toMatchObject({ kind: 'bram', bram18: 1 });
    // A FIFO's EBRs (sweep fifo10, 128 × 33 bits in three 256 × 16 EBRs, measured): the read
    // port Yosys emulates delays the write (data and address) and keeps a bypass word and two flags.
    const fifoMem = ramCost(128, 33, up5k, { ebrEmulatedRead: true });
    expect(fifoMem).toMatchObject({ kind: 'bram', bram18: 3, ff: 2 * 33 + 7 + 2 });
    // Without it, the 16-bit configuration's register per data bit.
    expect(ramCost(128, 33, up5k).ff).toBe(33);
  });
});

// qnn_act_lane multiplies x (the accumulator, or a standalone engine's input) by {0, M}, M of MBITS bits.
const requant = (mbits: number, over: Partial<RequantCostParams> = {}): RequantCostParams => ({
  kind: 'requant',
  multiplierBits: mbits,
  multiplierOnes: 2,
  perChannel: false,
  variableShift: false,
  maxShift: 8,
  zero: 0,
  outSigned: false,
  mbits,
  ...over,
});

describe('DSP rule: what Yosys mul2dsp maps (synth_xilinx -family xc7, synth_ice40 -dsp)', () => {
  const sgn = (bits: number): MulOperand => ({ bits, signed: true });
  const uns = (bits: number): MulOperand => ({ bits, signed: false });

  it('Xilinx DSP48E1: both operands ≥ 2 bits and a product ≥ 9 bits; 25 × 18 per DSP, wider ones in 18 × 18 slices', () => {
    // Measured with Yosys 0.23 on a registered a*b (signed operands, full product).
    expect(multiplierDsps(sgn(4), sgn(4), 8, xilinx)).toBe(0); // UG901: 4 × 4 stays in LUTs
    expect(multiplierDsps(sgn(4), sgn(4), 9, xilinx)).toBe(0); // the product has at most 8 bits
    expect(multiplierDsps(sgn(4), sgn(5), 9, xilinx)).toBe(1);
    expect(multiplierDsps(sgn(8), sgn(2), 10, xilinx)).toBe(1);
    expect(multiplierDsps(sgn(1), sgn(16), 17, xilinx)).toBe(0);
    expect(multiplierDsps(sgn(14), sgn(17), 31, xilinx)).toBe(1);
    expect(multiplierDsps(sgn(26), sgn(18), 44, xilinx)).toBe(2);
    expect(multiplierDsps(sgn(25), sgn(19), 44, xilinx)).toBe(2);
    expect(multiplierDsps(sgn(26), sgn(26), 52, xilinx)).toBe(4);
    // UltraScale+ (xczu*: synth_xilinx -family xcup): DSP48E2, 27 × 18.
    const zu = fabricOf(findDevice('xczu9eg'));
    expect(multiplierDsps(sgn(27), sgn(18), 45, zu)).toBe(1);
    expect(multiplierDsps(sgn(27), sgn(18), 45, xilinx)).toBe(2);
    expect(multiplierDsps(sgn(28), sgn(18), 46, zu)).toBe(2);
    expect(multiplierDsps(sgn(30), sgn(30), 60, zu)).toBe(4);
    // An unsigned operand is zero-extended (one bit wider) unless both are unsigned.
    expect(multiplierDsps(uns(4), sgn(4), 8, xilinx)).toBe(0); // u4 × i4: an 8-bit product
    expect(multiplierDsps(uns(4), uns(4), 9, xilinx)).toBe(0); // u4 × u4: 8 bits after wreduce
    expect(multiplierDsps(uns(5), uns(5), 10, xilinx)).toBe(1);
    expect(multiplierDsps(uns(1), sgn(8), 9, xilinx)).toBe(1); // u1 → 2 signed bits
    expect(multiplierDsps(uns(1), uns(8), 9, xilinx)).toBe(0); // a 1-bit operand
    expect(multiplierUsesDsp(8, 2, xilinx)).toBe(true);
    expect(multiplierUsesDsp(4, 4, xilinx)).toBe(false);
    expect(dspsPerMultiplier(16, 16, xilinx)).toBe(1);
  });

  it('iCE40 SB_MAC16 (UP5K): operands ≥ 2 bits, product ≥ 11 bits, 16 × 16 slices; none on HX8K', () => {
    expect(multiplierDsps(sgn(5), sgn(5), 10, up5k)).toBe(0);
    expect(multiplierDsps(sgn(5), sgn(6), 11, up5k)).toBe(1);
    expect(multiplierDsps(sgn(2), sgn(9), 11, up5k)).toBe(1);
    expect(multiplierDsps(sgn(17), sgn(17), 34, up5k)).toBe(1); // the 1-bit leftover slices stay in LUTs
    expect(multiplierDsps(sgn(33), sgn(16), 49, up5k)).toBe(2);
    expect(multiplierDsps(uns(8), uns(4), 12, up5k)).toBe(1);
    expect(multiplierDsps(sgn(8), sgn(8), 16, hx8k)).toBe(0);
    expect(multiplierUsesDsp(4, 8, up5k)).toBe(true);
    expect(multiplierUsesDsp(4, 6, up5k)).toBe(false);
  });

  it('a multiplier cut into DSP slices adds the adders joining them (iCE40: a 17-bit M on a 16-bit SB_MAC16)', () => {
    // 17 × 17: A cut into 16 + 1 (a 1 × 17 AND row joined by an 18-bit adder), then the
    // 16 × 17 slice's B into 16 + 1 (a 17-bit adder): 35 LUTs besides the one SB_MAC16.
    expect(multiplierSliceLuts(sgn(17), sgn(17), 34, up5k)).toBe(35);
    // The requant's accumulator × M (u16 → 17 signed bits): the same cut.
    expect(multiplierSliceLuts(sgn(20), uns(16), 37, up5k)).toBeGreaterThan(0);
    // One DSP, a LUT multiplier, and the same 17 × 17 on a DSP48 (25 × 18): no slices.
    expect(multiplierSliceLuts(sgn(16), sgn(16), 32, up5k)).toBe(0);
    expect(multiplierSliceLuts(sgn(4), sgn(4), 8, up5k)).toBe(0);
    expect(multiplierSliceLuts(sgn(17), sgn(17), 34, xilinx)).toBe(0);
    expect(multiplierSliceLuts(sgn(26), sgn(18), 44, xilinx)).toBeGreaterThan(0);
  });

  const mv = (op: MacOperands, pe = 4, simd = 8): MvauCostParams => ({ pe, simd, mh: 16, mw: 32, operands: op, accBits: 20, outBits: 20 });
  it.each([
    ['i8 × u8', 32, { weightKind: 'int', weightBits: 8, inputBits: 8, inputBipolar: false }],
    ['i4 × u8', 32, { weightKind: 'int', weightBits: 4, inputBits: 8, inputBipolar: false }],
    ['i2 × u8', 32, { weightKind: 'int', weightBits: 2, inputBits: 8, inputBipolar: false }],
    ['i4 × u4', 0, { weightKind: 'int', weightBits: 4, inputBits: 4, inputBipolar: false }],
    ['u4 × u4', 0, { weightKind: 'int', weightBits: 4, inputBits: 4, inputBipolar: false, weightSigned: false }],
    ['i5 × i4', 32, { weightKind: 'int', weightBits: 5, inputBits: 4, inputBipolar: false, inputSigned: true }],
    ['pow2<4> × u8', 0, { weightKind: 'pow2', weightBits: 4, inputBits: 8, inputBipolar: false }],
    ['bipolar × u8', 0, { weightKind: 'bipolar', weightBits: 1, inputBits: 8, inputBipolar: false }],
    ['bipolar × bipolar', 0, { weightKind: 'bipolar', weightBits: 1, inputBits: 1, inputBipolar: true }],
  ] as [string, number, MacOperands][])('MVAU %s, PE 4 × SIMD 8 → %i DSPs on Xilinx', (_n, dsp, op) => {
    expect(mvauResources(mv(op), xilinx).total.dsp).toBe(dsp);
  });

  it('the product is capped at the accumulator: i8 × u8 into an 8-bit accumulator is an 8-bit product, in LUTs', () => {
    const op: MacOperands = { weightKind: 'int', weightBits: 8, inputBits: 8, inputBipolar: false };
    expect(mvauResources({ ...mv(op), accBits: 8, outBits: 8 }, xilinx).total.dsp).toBe(0);
  });

  it('the same i8 × u8 MVAU on iCE40: SB_MAC16s on UP5K, LUTs on HX8K', () => {
    const op: MacOperands = { weightKind: 'int', weightBits: 8, inputBits: 8, inputBipolar: false };
    expect(mvauResources(mv(op), up5k).total.dsp).toBe(32);
    const h = mvauResources(mv(op), hx8k).total;
    expect(h.dsp).toBe(0);
    expect(h.lut).toBeGreaterThan(mvauResources(mv(op), xilinx).total.lut);
  });

  it('requant: x × M is a multiplier too — an i4 × 8-bit M is a DSP on Xilinx (13-bit product), an i2 × 4-bit M is not (7 bits)', () => {
    expect(activationLane(requant(8), 4, 4, 1, xilinx).dsp).toBe(1);
    expect(activationLane(requant(4), 2, 2, 1, xilinx).dsp).toBe(0);
    // iCE40 UP5K: 13 bits ≥ 11 maps; i2 × 6-bit M (9 bits) does not.
    expect(activationLane(requant(8), 4, 4, 1, up5k).dsp).toBe(1);
    expect(activationLane(requant(6), 2, 2, 1, up5k).dsp).toBe(0);
    expect(activationLane(requant(8), 4, 4, 1, hx8k).dsp).toBe(0);
  });

  it('requant: one DSP per PE lane even when M and S are shared (Yosys maps it before the ROM turns constant)', () => {
    // A 14-bit accumulator × the default 16-bit M: 14 × 17 signed → one DSP48 (two slices on iCE40, one a 1-bit leftover).
    const shared = requant(15, { multiplierOnes: 7, maxShift: 20, mbits: undefined });
    const withAct = (fab: Fabric) =>
      mvauResources(
        {
          pe: 2,
          simd: 4,
          mh: 32,
          mw: 64,
          operands: { weightKind: 'int', weightBits: 4, inputBits: 4, inputBipolar: false },
          accBits: 14,
          outBits: 4,
          activation: shared,
        },
        fab,
      ).total.dsp;
    expect(withAct(xilinx)).toBe(2);
    expect(withAct(up5k)).toBe(2);
    expect(withAct(hx8k)).toBe(0);
    expect(activationResources(requant(16), 15, 4, 16, 1, xilinx).total.dsp).toBe(1);
  });
});

describe('logic estimates', () => {
  it('adder tree: one LUT per result bit per level', () => {
    expect(adderTreeLuts(1, 8)).toBe(0);
    expect(adderTreeLuts(2, 8)).toBe(9);
    expect(adderTreeLuts(4, 8)).toBe(2 * 9 + 10);
    expect(adderTreeLuts(3, 4)).toBe(5 + 6);
  });

  it('with nothing to accumulate (NF·SF = 1) the accumulator register is the requant DSP input register on Xilinx', () => {
    // held_mmv1 (u2 × u4, requant on DSPs): no accumulator register left in any copy.
    const p: MvauCostParams = {
      ...fullFold(4, 6, { weightKind: 'int', weightBits: 4, inputBits: 2, inputBipolar: false }, 10, 4),
      activation: requant(16),
    };
    const act = activationLane(requant(16), 10, 4, 1, xilinx);
    expect(act.dsp).toBe(1);
    expect(accRegisterInDsp(p, 1, act, xilinx)).toBe(true);
    expect(accRegisterInDsp(p, 2, act, xilinx)).toBe(false); // it accumulates
    expect(accRegisterInDsp(p, 1, activationLane(requant(16), 10, 4, 1, up5k), up5k)).toBe(false);
    expect(accRegisterInDsp({ ...p, activation: undefined }, 1, undefined, xilinx)).toBe(false);
  });

  it('with nothing to accumulate (SF = 1) the accumulator has no adder: its LUTs do not depend on ACC_BITS', () => {
    const op: MacOperands = { weightKind: 'pow2', weightBits: 3, inputBits: 4, inputBipolar: false };
    // Wider than the tree's root (4 + 3 + 2 bits), so ACC_BITS caps nothing.
    const lut = (p: MvauCostParams) => mvauResources(p, xilinx).total.lut;
    expect(lut(fullFold(2, 4, op, 16, 16)) - lut(fullFold(2, 4, op, 12, 16))).toBe(0);
    // NF = 4, SF = 1: each output still takes one step (the template's first1 = sf == 0).
    const rows = (acc: number): MvauCostParams => ({ ...fullFold(2, 4, op, acc, 16), mh: 8, operands: op });
    expect(lut(rows(16)) - lut(rows(12))).toBe(0);
    // Folded (SF = 2) it accumulates: acc·PE per accumulator bit.
    const folded = (acc: number): MvauCostParams => ({ ...fullFold(2, 4, op, acc, 16), mw: 8 });
    const k = COST_CONSTANTS.fit.xilinx.mvau.lut.acc;
    expect(lut(folded(16)) - lut(folded(12))).toBeCloseTo(k * 2 * 4, 9);
  });

  it('on 7-series parts a tree of DSP products is priced by treeDsp (post-adders, cascades); elsewhere by tree', () => {
    const zu = fabricOf(findDevice('xczu9eg'));
    // u8 × i4 lanes are DSPs on both parts; u2 × i2 lanes stay in LUTs.
    const dspLanes = fullFold(2, 8, { weightKind: 'int', weightBits: 4, inputBits: 8, inputBipolar: false }, 20, 20);
    const lutLanes = fullFold(2, 8, { weightKind: 'int', weightBits: 2, inputBits: 2, inputBipolar: false }, 10, 10);
    expect(mvauResources(dspLanes, xilinx).total.dsp).toBe(16);
    expect(mvauResources(lutLanes, xilinx).total.dsp).toBe(0);
    const rec = COST_CONSTANTS.fit.xilinx.mvau.lut;
    const zuRec = COST_CONSTANTS.fit.xcup.mvau.lut;
    const lut = (p: MvauCostParams, fab: Fabric) => mvauResources(p, fab).total.lut;
    const before = [lut(dspLanes, xilinx), lut(lutLanes, xilinx), lut(dspLanes, zu)];
    const saved = [rec.treeDsp, zuRec.treeDsp];
    try {
      rec.treeDsp += 1;
      zuRec.treeDsp += 1;
      expect(lut(dspLanes, xilinx)).toBeGreaterThan(before[0]!);
      expect(lut(lutLanes, xilinx)).toBe(before[1]);
      expect(lut(dspLanes, zu)).toBe(before[2]);
    } finally {
      [rec.treeDsp, zuRec.treeDsp] = saved as [number, number];
    }
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

  it('each family (and UltraScale+) has its own fitted coefficients: the same structure, priced by the device’s set', () => {
    // NF = SF = 1: hard-wired weights, no input buffer, no memories, no DSPs on either part.
    const p = fullFold(4, 8, { weightKind: 'int', weightBits: 3, inputBits: 4, inputBipolar: false }, 10, 10);
    // Runs `f` with set `to` reading set `from`'s coefficients (and its measured tables).
    const sets = COST_CONSTANTS.fit as Record<'xilinx' | 'ice40' | 'xcup', unknown>;
    const tables = COST_CONSTANTS.lutMultipliers as Record<keyof typeof sets, unknown>;
    const trees = COST_CONSTANTS.adderTrees as Record<keyof typeof sets, unknown>;
    const borrowing = (to: keyof typeof sets, from: keyof typeof sets, f: () => void): void => {
      const own = [sets[to], tables[to], trees[to]];
      try {
        sets[to] = sets[from];
        tables[to] = tables[from];
        trees[to] = trees[from];
        f();
      } finally {
        [sets[to], tables[to], trees[to]] = own;
      }
    };
    const ice40 = mvauResources(p, hx8k).total;
    // The Xilinx formula with iCE40's coefficients is the iCE40 estimate.
    borrowing('xilinx', 'ice40', () => expect(mvauResources(p, xilinx).total).toEqual(ice40));
    expect(mvauResources(p, xilinx).total.lut).not.toBeCloseTo(ice40.lut, 0);
    // UltraScale+ parts (zynqmp: synth_xilinx -family xcup) read their own set, fitted beside the 7-series one.
    const zu = fabricOf(findDevice('xczu7ev'));
    expect(zu.xilinxArch).toBe('xcup');
    const xc7 = mvauResources(p, xilinx).total;
    borrowing('xcup', 'xilinx', () => expect(mvauResources(p, zu).total).toEqual(xc7));
    expect(mvauResources(p, zu).total.lut).not.toBeCloseTo(xc7.lut, 0);
    // DSP lanes: Yosys packs a SIMD-1 lane's accumulator into its DSP48E1 (P = P + A·B) and a
    // tree's first adder into the post-adder; with -family xcup it builds both in fabric
    // (measured on a u8 × i2 MAC: SIMD 1 is one DSP48E1 alone, one DSP48E2 plus a 20-bit
    // accumulator and its carry chain).
    const dspLanes = (simd: number): MvauCostParams => ({
      ...p,
      simd,
      mw: 4 * simd,
      operands: { weightKind: 'int', weightBits: 8, inputBits: 8, inputBipolar: false },
      accBits: 20,
      outBits: 20,
    });
    borrowing('xcup', 'xilinx', () => {
      for (const simd of [1, 2]) {
        const a = mvauResources(dspLanes(simd), xilinx).total;
        const b = mvauResources(dspLanes(simd), zu).total;
        expect(b.dsp).toBe(a.dsp);
        expect(b.lut).toBeGreaterThan(a.lut);
      }
      expect(mvauResources(dspLanes(1), zu).total.ff).toBeGreaterThan(mvauResources(dspLanes(1), xilinx).total.ff);
    });
  });

  it('window generator: the template’s line buffer (rows_needed rows of W pixels), one copy per lane', () => {
    // Rows as qnn_window.sv computes them (ROWS printed by Icarus for these parameters).
    const rows: [WindowCostParams, number][] = [
      [{ dims: 2, rows: 8, rowWidth: 8, channels: 1, kernel: 3, stride: 1, pad: 1, bits: 8, inElems: 1, outElems: 9 }, 5],
      [{ dims: 2, rows: 4, rowWidth: 4, channels: 8, kernel: 3, stride: 1, pad: 0, bits: 8, inElems: 8, outElems: 8 }, 6],
      [{ dims: 2, rows: 32, rowWidth: 32, channels: 16, kernel: 3, stride: 1, pad: 1, bits: 8, inElems: 16, outElems: 16 }, 4],
      [{ dims: 1, rowWidth: 1024, channels: 1, kernel: 5, stride: 1, pad: 2, bits: 8, inElems: 1, outElems: 5 }, 10],
      [{ dims: 1, rowWidth: 512, channels: 16, kernel: 5, stride: 1, pad: 2, bits: 8, inElems: 4, outElems: 16 }, 11],
      [{ dims: 2, rows: 16, rowWidth: 16, channels: 4, kernel: 3, stride: 2, pad: 1, bits: 8, inElems: 4, outElems: 4 }, 5],
      [{ dims: 2, rows: 10, rowWidth: 10, channels: 3, kernel: 5, stride: 1, pad: 5, bits: 8, inElems: 3, outElems: 15 }, 24],
      [{ dims: 1, rowWidth: 64, channels: 8, kernel: 3, stride: 2, pad: 0, bits: 8, inElems: 8, outElems: 24 }, 8],
    ];
    for (const [p, r] of rows) expect(windowRows(p)).toBe(r);
    // 8×8×1, K = 3, SIMD 9 from 1-element words: 9 lanes, each 5 rows × 8 pixels of 8 bits.
    const w = windowResources(rows[0][0], xilinx);
    expect(w.buffer).toMatchObject({ depth: 40, width: 8, bits: 9 * 40 * 8, lut: 9 * ramCost(40, 8, xilinx).lut });
    // A large one goes to block RAM, per lane.
    const big = windowResources({ dims: 2, kernel: 3, rowWidth: 224, channels: 64, inElems: 8, outElems: 8, bits: 8, pad: 1 }, xilinx);
    expect(big.buffer.kind).toBe('bram');
    const rowsBig = windowRows({ dims: 2, kernel: 3, rowWidth: 224, channels: 64, inElems: 8, outElems: 8, bits: 8, pad: 1 });
    expect(big.total.bram18).toBe(ramb18Blocks(rowsBig * 224 * 8, 64));
  });

  it('width converters: max(in, out) bits for integer ratios, lcm otherwise', () => {
    expect(converterResources(256, 16, xilinx).bufferBits).toBe(256);
    expect(converterResources(16, 64, xilinx).bufferBits).toBe(64);
    expect(converterResources(12, 16, xilinx).bufferBits).toBe(48);
  });

  it('width converters keep the input words before the last and the whole lcm-wide group (qnn_dwc)', () => {
    // 8 → 16 bits, 8 output words per frame: hold 16 + collect 8 + counters 1 + 3 + hold_valid (Yosys: 29 FFs).
    expect(converterResources(8, 16, xilinx, 8).ff).toBe(29);
  });

  it('width converters: collected words cost no LUTs; the output select is LUT6 4:1 muxes on Xilinx, LUT4 2:1 on iCE40', () => {
    // 48 → 6 bits: eight output slices, a 3-bit slice counter.
    for (const [fab, muxPerBit] of [
      [xilinx, 3],
      [up5k, 7],
    ] as const) {
      const k = COST_CONSTANTS.fit[fab.family === 'ice40' ? 'ice40' : 'xilinx'].converter.lut;
      expect(converterResources(48, 6, fab).lut).toBeCloseTo(k.c0 + 3 * k.control + 6 * muxPerBit * k.mux, 9);
      // 6 → 48 bits collects eight words: only its counter beside c0.
      expect(converterResources(6, 48, fab).lut).toBeCloseTo(k.c0 + 3 * k.control, 9);
    }
  });

  it('FIFOs (qnn_fifo): a register slice, a skid buffer, else a (depth − 1)-word memory of width + tlast', () => {
    // Depth 2, 16 bits: output and skid registers of 17 bits and two valid flags (Yosys: 36 FFs).
    expect(fifoResources(2, 16, xilinx)).toMatchObject({ impl: 'registers', ff: 36 });
    expect(fifoResources(1, 16, xilinx)).toMatchObject({ impl: 'registers', ff: 18 });
    expect(fifoResources(32, 32, xilinx)).toMatchObject({ impl: 'lutram', lut: expect.any(Number) });
    expect(fifoResources(32, 32, xilinx).lut).toBeGreaterThanOrEqual(ramCost(31, 33, xilinx).lut);
    // 99 × 33 bits: 22 RAM64M cost more than 1 RAMB18 (512 × 36).
    expect(fifoResources(100, 32, xilinx)).toMatchObject({ impl: 'bram', bram18: 1 });
    expect(fifoResources(100, 8, xilinx).impl).toBe('lutram');
    // 1023 words of 33 bits: ⌈1023/1024⌉·⌈33/18⌉ = 2 RAMB18.
    expect(fifoResources(1024, 32, xilinx)).toMatchObject({ impl: 'bram', bram18: 2 });
  });
});

describe('every template structure has its term', () => {
  const op: MacOperands = { weightKind: 'int', weightBits: 4, inputBits: 4, inputBipolar: false };
  const base: MvauCostParams = { pe: 2, simd: 4, mh: 32, mw: 64, operands: op, accBits: 14, outBits: 14 };

  it('MVAU: one weight ROM of PE·SIMD weights per word, the skid buffer, the pixel counter', () => {
    const r = mvauResources(base, xilinx);
    expect(r.weightMem).toMatchObject({ depth: 16 * 16, width: 2 * 4 * 4 });
    const noSkid = r.total.ff - skidResources(2 * 14).ff;
    expect(noSkid).toBeGreaterThan(0);
    expect(mvauResources({ ...base, pixels: 1024 }, xilinx).total.ff - r.total.ff).toBeCloseTo(10, 9);
  });

  /** A shared set of thresholds as activationCostParams gives it: one lane of its values. */
  const shared = (values: number[], compareBits: number, distinct = values.length): ActivationCostParams => ({
    kind: 'threshold',
    count: values.length,
    perChannel: false,
    distinct,
    compareBits,
    comparators: [values.map((t) => [t])],
    clip: [-(2 ** (compareBits - 1)), 2 ** (compareBits - 1)],
  });

  it('threshold lanes register their comparisons (one FF per threshold)', () => {
    // Per channel, one lane over 8 channels: comparator i holds i·8 + c on channel c.
    const rows = (count: number) => Array.from({ length: count }, (_, i) => Array.from({ length: 8 }, (_, c) => i * 8 + c));
    const t = (count: number) =>
      activationLane(
        { kind: 'threshold', count, perChannel: true, compareBits: 10, comparators: [rows(count)], clip: [-512, 512] },
        10,
        2,
        8,
        xilinx,
      );
    expect(t(3).ff - t(1).ff).toBe(2);
    expect(t(3).memWidth).toBe(30);
  });

  it('threshold against constants: on Xilinx up to 6 bits one LUT6 per distinct comparator, wider the comparators from their bits; on iCE40 a sign LUT4 per distinct comparator (x − T on the carry chain); with the count under `compare`', () => {
    const count3 = thresholdCountLuts(3, 'xilinx');
    // u6 compared on 6 bits: three 1-LUT comparators and their count.
    expect(activationLane(shared([10, 20, 40], 6), 6, 2, 1, xilinx).lut).toBe(3 + count3);
    // A stand-alone u6 input is compared as a 7-bit signed value (qnn_act_stream widens it
    // with a 0): cmp2lcu's chunks, priced from the thresholds' bits.
    const wide = activationLane(shared([10, 20, 40], 7), 6, 2, 1, xilinx);
    expect(wide.lut).toBe(laneCompareLuts(7, 6, [[10], [20], [40]]) + count3);
    expect(wide.lut).toBeGreaterThan(3 + count3);
    // iCE40: x − T on the carry chain for any width, its sign bit a LUT4 (equal constants
    // one), and the count of three (two LUT4s: a full adder).
    expect(thresholdCountLuts(3, 'ice40')).toBe(2);
    expect(activationLane(shared([1, 2, 3], 5), 4, 2, 1, up5k).lut).toBe(3 + 2);
    // Equal thresholds are one comparator but two bits of the count: 4 bits of 3 comparisons,
    // each of the count's 3 bits one LUT4 of them.
    expect(activationLane(shared([1, 2, 3, 3], 12, 3), 4, 2, 1, up5k).lut).toBe(3 + 3);
    // The stand-alone engine prices the whole lane, comparators and count, with `compare`.
    const k = COST_CONSTANTS.fit.xilinx.threshold.lut;
    const a = (inBits: number) => activationResources(shared([1, 2, 3], inBits), inBits, 2, 4, 4, xilinx).total.lut;
    expect(a(6) - a(5)).toBeCloseTo(0, 9); // both 1-LUT comparators
    expect(a(6)).toBeCloseTo(k.c0 + 4 * k.compare * (3 + count3) + k.out * skidResources(4 * 2).lut, 9);
  });

  it('requant clamp: only the compares the shifted value can fail, as wide as synthesis sees it (qnn_act_lane, SHIFT), and the output bits that are registers', () => {
    // u8 × a 16-bit M >>> 21 is at most 2^(8 + 16 + 1 − 21) − 1 = 15: a u6 output holds it, no
    // compare, and only its 4 low bits are registers (the other 2 are always 0).
    const rnd7004 = requant(16, { maxShift: 21, inputSigned: false });
    expect(requantClamp(rnd7004, 8, 6, 1)).toEqual({ lut: 0, liveBits: 4 });
    // Into u3 it can overflow: the upper compare on 4 bits (2 LUT6) and the output mux.
    expect(requantClamp(rnd7004, 8, 3, 1).lut).toBe(2 + 3);
    // Signed (−8 … 7 after the shift), into u2: below 0 and above 3, both compares.
    expect(requantClamp({ ...rnd7004, inputSigned: true }, 8, 2, 1).lut).toBe(2 * 2 + 2);
    // A zero point moves the range by −ZERO (u6 from 60: 0 − 60 … 63 − 60, so 4 bits can
    // overflow; compared on 7 bits) and adds an OUT_BITS adder.
    expect(requantClamp({ ...rnd7004, zero: 60 }, 8, 6, 1).lut).toBe(4 + 6 + 6);
    // A per-channel S is applied by a shifter: the compares see all 8 + 16 + 1 bits; a lane
    // serving one channel reads a one-entry ROM, a constant S, and sees the narrow value.
    const perChannel = { ...rnd7004, inputSigned: true, variableShift: true, perChannel: true };
    expect(requantClamp(perChannel, 8, 2, 4).lut).toBe(2 * 13 + 2);
    expect(requantClamp(perChannel, 8, 2, 1).lut).toBe(2 * 2 + 2);
  });

  it("requant clamp on iCE40 (CLAMP_TEST): a bound at a power of two is a test of the value's top bits, a LUT4 tree", () => {
    // Stand-alone, the template's value is a bit wider than x · M needs (x widened by a sign bit).
    const alone = { widened: true };
    // i8 × a 16-bit M >>> 21: a 4-bit value, −8 … 7. Into u2 (0 … 3): below 0 is its sign (no
    // LUT), above 3 its sign clear and bit 2 set (one LUT4), and the output mux; on Xilinx two
    // 2-LUT compares.
    const q = requant(16, { maxShift: 21, inputSigned: true });
    expect(requantClamp(q, 8, 2, 1, alone).lut).toBe(0 + 1 + 2);
    expect(requantClamp(q, 8, 2, 1).lut).toBe(2 * 2 + 2);
    // Into i3 (−4 … 3): bit 2 against the sign, for each bound.
    expect(requantClamp({ ...q, outSigned: true }, 8, 3, 1, alone).lut).toBe(1 + 1 + 3);
    // After a per-channel shifter the value has all 8 + 1 + 16 + 1 bits: above 15 is the sign
    // clear and any of bits 4 … 24 set, 22 inputs, a tree of 7 LUT4s.
    const perChannel = { ...q, variableShift: true, perChannel: true };
    expect(requantClamp(perChannel, 8, 4, 4, alone).lut).toBe(0 + 7 + 4);
    // A zero point moves the bounds off the powers of two (u4 from 3: −3 … 12, which the
    // value passes only below): `<`, a 5-bit subtraction on the carry chain, a LUT4 a bit;
    // then the output mux and the zero point's adder.
    expect(requantClamp({ ...q, zero: 3 }, 8, 4, 1, alone).lut).toBe(5 + 4 + 4);
  });

  it('requant on a Xilinx DSP: the post-adder takes a constant 2^(S−1), not one from an S read from the ROM (held_act5)', () => {
    const shared = requant(16, { maxShift: 12, inputSigned: false });
    const perChannel = { ...shared, variableShift: true, perChannel: true };
    const lane = (a: RequantCostParams, channels: number) => activationLane(a, 8, 4, channels, xilinx);
    expect(lane(shared, 16).dsp).toBe(1);
    expect(lane(perChannel, 16).dsp).toBe(1);
    expect(lane(shared, 16).roundLut).toBe(0);
    // The template's PW = 8 + 1 + 16 + 1, every bit read after a per-channel shifter.
    expect(lane(perChannel, 16).roundLut).toBe(8 + 1 + 16 + 1);
    // A lane of one channel reads a one-entry ROM: a constant S, known only after the DSP is
    // mapped, so the add stays, without its 11 bits below S − 1.
    expect(lane(perChannel, 1).roundLut).toBe(8 + 1 + 16 + 1 - 11);
  });

  it("requant on a DSP with a zero point: synthesis cannot see the product's sign, so the lower compare is built too (held_rq1)", () => {
    // u4 × an 8-bit M, u4 out from ZERO = 1: −1 … 14 before the zero point.
    const q = requant(8, { maxShift: 7, inputSigned: false, zero: 1 });
    const clampLuts = (fab: Fabric) => {
      const l = activationLane(q, 4, 4, 1, fab);
      return l.lut - l.mulLut - l.shiftLut;
    };
    expect(activationLane(q, 4, 4, 1, xilinx).dsp).toBe(1);
    expect(clampLuts(xilinx)).toBe(requantClamp({ ...q, inputSigned: true }, 4, 4, 1).lut);
    expect(clampLuts(xilinx)).toBeGreaterThan(requantClamp(q, 4, 4, 1).lut);
    // The same on iCE40's SB_MAC16, whose clamp tests its bounds (CLAMP_TEST; −1 and 14 are
    // no powers of two, so `<` and `>` as on Xilinx).
    expect(activationLane(q, 4, 4, 1, up5k).dsp).toBe(1);
    expect(clampLuts(up5k)).toBe(requantClamp({ ...q, inputSigned: true }, 4, 4, 1, { widened: true }).lut);
    // Without a zero point the lower compare is the sign bit, counted as none.
    const z0 = { ...q, zero: 0 };
    const l0 = activationLane(z0, 4, 4, 1, xilinx);
    expect(l0.lut - l0.mulLut - l0.shiftLut).toBe(requantClamp(z0, 4, 4, 1).lut);
    // In LUTs (mul=lut) the product is visible: x·M ≥ 0 never fails the lower compare, and
    // the zero point adds only the upper compare's change and its adder.
    const lutFab = multiplierFabric(xilinx, 'lut');
    const lz = activationLane(q, 4, 4, 1, lutFab);
    const lz0 = activationLane(z0, 4, 4, 1, lutFab);
    expect(lz.dsp).toBe(0);
    expect(lz.lut - lz0.lut).toBe(requantClamp(q, 4, 4, 1).lut - requantClamp(z0, 4, 4, 1).lut);
  });

  it("requant rounding adder on iCE40's SB_MAC16: in LUTs for a signed x, from bit S − 1 up (the bits below add 0 and are not read); priced with its own coefficient", () => {
    // i8 × a 16-bit M, S = 9: the template's product is 9 + 16 + 1 = 26 bits; 8 are below S − 1.
    const q = requant(16, { maxShift: 9, inputSigned: true, outSigned: true });
    const lane = activationLane(q, 8, 8, 1, up5k);
    expect(lane.dsp).toBe(1);
    expect(lane.roundLut).toBe(26 - 8);
    // An unsigned x: the MAC's own adder takes the rounding add.
    expect(activationLane({ ...q, inputSigned: false }, 8, 8, 1, up5k).roundLut).toBe(0);
    // A per-channel S read from a ROM of several entries keeps every bit; a lane that serves
    // one channel reads a one-entry ROM, a constant S, as a shared S.
    const perChannel = { ...q, perChannel: true, variableShift: true };
    expect(activationLane(perChannel, 8, 8, 4, up5k).roundLut).toBe(26);
    expect(activationLane(perChannel, 8, 8, 1, up5k).roundLut).toBe(26 - 8);
    // The stand-alone engine prices it with requant.round.
    const fit = COST_CONSTANTS.fit.ice40.requant.lut;
    const k = fit.round;
    const lut = () => activationResources(q, 8, 8, 4, 1, up5k).total.lut;
    const priced = lut();
    try {
      fit.round = 0;
      expect(priced - lut()).toBeCloseTo(k * (26 - 8), 9);
    } finally {
      fit.round = k;
    }
  });

  it('requant per-channel S: a shifter level per bit of S that differs between channels, none for a one-channel lane', () => {
    const q = requant(16, { perChannel: true, variableShift: true, maxShift: 20 });
    const lane = (levels: number, channelsPerLane: number) =>
      activationLane({ ...q, shiftLevels: levels }, 8, 4, channelsPerLane, xilinx).lut;
    // S ∈ {16, 20}: one bit differs, one 2:1 level (a LUT6 holds two) over the 8 + 16-bit product.
    expect(lane(5, 2) - lane(1, 2)).toBe((8 + 16) * (3 - 1));
    expect(lane(1, 1)).toBe(lane(5, 1));
    // After an MVAU S comes through the activation ROM's pipeline registers, and synthesis
    // builds a level for every bit of S that varies (held_dense6's S of 23 to 26: four), not
    // only for picking one of its distinct S (two).
    const fused = (levels: number, varying: number) =>
      activationLane({ ...q, shiftLevels: levels, shiftVaryingBits: varying, inputSigned: true }, 8, 4, 2, xilinx, true).lut;
    expect(fused(2, 4) - fused(2, 2)).toBe((8 + 16) * (2 - 1));
    // A LUT4 holds one 2:1 level (a 4:1 mux needs six inputs).
    const lane4 = (levels: number) => activationLane({ ...q, shiftLevels: levels }, 8, 4, 2, hx8k).lut;
    expect(lane4(5) - lane4(1)).toBe((8 + 16) * (5 - 1));
  });

  it('an MVAU prices its requant’s x · M in LUTs with requantMul (per-channel M or one M alike), the rest of the lane at the requant coefficient', () => {
    const k = COST_CONSTANTS.fit.ice40.mvau.lut as Record<string, number>;
    // Bipolar weights: the MAC lanes themselves have no multiplier.
    const op: MacOperands = { weightKind: 'bipolar', weightBits: 1, inputBits: 4, inputBipolar: false };
    for (const act of [requant(6, { perChannel: true }), requant(16, { multiplierOnes: 5 })]) {
      const total = () =>
        mvauResources({ pe: 2, simd: 4, mh: 8, mw: 16, operands: op, accBits: 12, outBits: 4, activation: act }, hx8k).total.lut;
      const lane = activationLane({ ...act, inputSigned: true }, 12, 4, 4, hx8k, true);
      expect(lane.dsp).toBe(0);
      expect(lane.mulLut).toBeGreaterThan(0);
      const requantMul = k.requantMul;
      const priced = total();
      k.requantMul = k.requant;
      const atRequant = total();
      k.requantMul = requantMul;
      expect(priced - atRequant).toBeCloseTo(2 * (requantMul - k.requant) * lane.mulLut, 6);
    }
  });

  it('one M in LUTs: a full adder a bit per term beyond two (two LUT4s on iCE40, one LUT6 on Xilinx) and the PW-bit carry-chain add', () => {
    // A 10-bit accumulator × an M of 9 set bits (held_mmv1): 7 terms of 11 bits reduced, a 27-bit add (fused: PW = 10 + 16 + 1).
    const q = requant(16, { multiplierOnes: 9, maxShift: 17 });
    expect(activationLane(q, 10, 4, 1, hx8k, true).mulLut).toBe(2 * 7 * 11 + 27);
    expect(activationLane(q, 10, 4, 1, multiplierFabric(xilinx, 'lut'), true).mulLut).toBe(7 * 11 + 27);
    // One set bit is a shift: no LUT.
    expect(activationLane({ ...q, multiplierOnes: 1 }, 10, 4, 1, hx8k, true).mulLut).toBe(0);
  });

  it('a per-channel requant multiplier in LUTs is priced like an MVAU lane: the measured table, the formula beyond', () => {
    // x · M with M unsigned (zero-extended, as qnn_act_lane writes it): hx8k has no DSPs.
    const T = COST_CONSTANTS.lutMultipliers;
    const narrow = activationLane({ ...requant(6, { perChannel: true }), inputSigned: false }, 4, 4, 8, hx8k);
    expect(narrow.mulLut).toBe(T.ice40[lutMultiplierKey(6, false, 4, false)]);
    const wide = activationLane(requant(16, { perChannel: true }), 10, 4, 8, hx8k);
    expect(wide.mulLut).toBe(lutMultiplierLuts(16, 10));
  });

  it('a requant multiplier in LUTs registers its product; in a DSP it does not', () => {
    const q = requant(6, { multiplierOnes: 3, perChannel: true, variableShift: true });
    expect(activationLane(q, 10, 4, 8, xilinx)).toMatchObject({ dsp: 1, ff: 4 + 5 }); // y, shift_q
    expect(activationLane(q, 10, 4, 8, hx8k)).toMatchObject({ dsp: 0, ff: 4 + 16 + 5 }); // + shift_q
    // One S for every channel (8): the product's bits below S − 1 reach nothing, and a
    // stand-alone lane drops their registers; after an MVAU's accumulator they stay.
    const shared = { ...q, variableShift: false };
    expect(activationLane(shared, 10, 4, 8, hx8k)).toMatchObject({ dsp: 0, ff: 4 + 16 - 7 });
    expect(activationLane({ ...shared, inputSigned: true }, 10, 4, 8, hx8k, true).ff).toBe(4 + 16);
  });

  it('requant after an MVAU vs stand-alone (measured, Yosys 0.23): where the rounding add and the product register go', () => {
    const q = requant(16, { multiplierOnes: 8, maxShift: 21 });
    const xczu7ev = fabricOf(findDevice('xczu7ev'));
    // iCE40, one SB_MAC16: a stand-alone lane's MAC adds 2^(S−1) itself on an unsigned x; a
    // fused one (after the accumulator) leaves the add in LUTs and its product register in
    // flip-flops (held_mmv2: 10 bits a lane, by name), and so does a stand-alone lane on a
    // signed x (the add only). The add is as wide as the template's product PW, to which the
    // product is sign-extended: ACC_BITS + MBITS + 1, where a stand-alone engine's ACC_BITS
    // is its input widened by a bit (9 + 1 + 16 + 1; fused, 9 + 16 + 1). Stand-alone, with
    // one S, its bits below S − 1 add 0 and are not read (20 of them here); fused, they stay.
    const unsigned = { ...q, inputSigned: false };
    const alone = activationLane(unsigned, 9, 6, 1, up5k);
    const signedAlone = activationLane(q, 9, 6, 1, up5k);
    const fused = activationLane(q, 9, 6, 1, up5k, true);
    expect(alone.dsp).toBe(1);
    // Beside the multiplier and the clamp (a signed value also has a lower compare).
    // (iCE40's clamp: CLAMP_TEST, on the template's value, widened by a bit stand-alone.)
    const rest = (l: ActivationLane, c: RequantCostParams, widened = true) =>
      l.lut - l.mulLut - l.shiftLut - requantClamp(c, 9, 6, 1, { widened }).lut;
    expect(rest(signedAlone, q) - rest(alone, unsigned)).toBe(9 + 1 + 16 + 1 - 20);
    expect(signedAlone.roundLut).toBe(9 + 1 + 16 + 1 - 20);
    expect(fused.roundLut).toBe(9 + 16 + 1);
    expect(rest(fused, q, false) - rest(signedAlone, q)).toBe(fused.roundLut - signedAlone.roundLut);
    expect(fused.ff - signedAlone.ff).toBe(9 + 16);
    // UltraScale+: after the accumulator the product register stays in fabric; 7-series packs it.
    expect(activationLane(q, 9, 6, 1, xczu7ev, true).ff - activationLane(q, 9, 6, 1, xczu7ev).ff).toBe(9 + 16);
    expect(activationLane(q, 9, 6, 1, xilinx, true).ff).toBe(activationLane(q, 9, 6, 1, xilinx).ff);
  });

  it('a requant product in LUTs is rounded over the template width PW it is sign-extended to', () => {
    // i4 × 3 (M = 3 of a 16-bit MBITS, S = 1) on a fabric without DSPs: the product is 4 + 2
    // bits, but rounded = prod + 1 is a (4 + 1 + 16 + 1)-bit carry chain (Yosys 0.23 keeps
    // the sign extension; the same lane with S = 14 rounds bits 13 and up only).
    const noDsp: Fabric = { family: 'ice40', dspAvailable: false };
    const lane = (maxShift: number) => activationLane(requant(16, { multiplierBits: 2, maxShift }), 4, 4, 1, noDsp);
    const round = (maxShift: number) => {
      const l = lane(maxShift);
      return l.lut - l.mulLut - requantClamp(requant(16, { multiplierBits: 2, maxShift }), 4, 4, 1, { widened: true }).lut;
    };
    expect(lane(1).dsp).toBe(0);
    expect(round(1)).toBe(4 + 1 + 16 + 1);
    expect(round(14)).toBe(4 + 1 + 16 + 1 - 13);
  });

  it('standalone activation: one ROM of PE entries per word, the frame counter', () => {
    const q: ActivationCostParams = {
      kind: 'threshold',
      count: 3,
      perChannel: true,
      compareBits: 8,
      comparators: [[[1, 2, 3, 4]]],
      clip: [-128, 128],
    };
    const a = activationResources(q, 8, 2, 16, 4, xilinx);
    expect(a.mem).toMatchObject({ depth: 4, width: 4 * 3 * 8 });
    expect(activationResources(q, 8, 2, 16, 4, xilinx, 16 * 64).total.ff - a.total.ff).toBeCloseTo(6, 9);
  });

  it('qnn_window: copies written together share their storage in registers; a read mux spans the words its address reaches', () => {
    // Two lanes of 6 words × 18 bits in registers (rnd7005's l2: one window per frame, whose
    // addresses step only by the frame's 2 words): 163 flip-flops in Yosys, 6 · 18 stored once.
    const p: WindowCostParams = { dims: 1, rowWidth: 2, channels: 6, kernel: 2, stride: 1, pad: 0, bits: 3, inElems: 6, outElems: 12 };
    const w = windowResources(p, up5k);
    expect(w.buffer).toMatchObject({ kind: 'logic', depth: 6, width: 18, ff: 6 * 18 + 2 * 18 });
    expect(w.registers + w.buffer.ff).toBeGreaterThanOrEqual(155);
    expect(w.registers + w.buffer.ff).toBeLessThanOrEqual(170);
    // The low address bit is constant: the read mux is over 3 words, not 6.
    const full = ramCost(6, 18, up5k, { ebrEmulatedRead: true });
    const half = ramCost(6, 18, up5k, { ebrEmulatedRead: true, readWords: 3 });
    expect(half.lut).toBeLessThan(full.lut);
    // Two read muxes over 3 words and one write decoder between them.
    expect(w.buffer.lut).toBeGreaterThan(half.lut);
    expect(w.buffer.lut).toBeLessThan(2 * half.lut);
    // Block RAM and LUTRAM copies stay one per lane.
    expect(ramCopiesWrittenTogether(64, 8, xilinx, {}, 3)).toMatchObject({
      lut: 3 * ramCost(64, 8, xilinx).lut,
      ff: 3 * ramCost(64, 8, xilinx).ff,
    });
    // iCE40 EBRs with an emulated read port share it but for each copy's two flags.
    const ebr = ramCost(512, 8, up5k, { ebrEmulatedRead: true });
    expect(ebr.kind).toBe('bram');
    expect(ramCopiesWrittenTogether(512, 8, up5k, { ebrEmulatedRead: true }, 9)).toMatchObject({
      bram18: 9 * ebr.bram18,
      ff: ebr.ff + 8 * 2,
    });
  });

  it('qnn_window: a dimension with one window (OW = 1 in 1-D, OH = 1) costs no logic of its own', () => {
    // The same 1-D line, one window per frame (OH = 1) against several (OH = 5): no origin,
    // need / oldest-pixel sums or row tracking for the first.
    const one = windowResources(
      { dims: 1, rowWidth: 4, channels: 2, kernel: 4, stride: 1, pad: 0, bits: 4, inElems: 2, outElems: 8 },
      xilinx,
    );
    const five = windowResources(
      { dims: 1, rowWidth: 8, channels: 2, kernel: 4, stride: 1, pad: 0, bits: 4, inElems: 2, outElems: 8 },
      xilinx,
    );
    expect(one.registers).toBeLessThan(five.registers - 3 * 4);
    expect(one.total.lut).toBeLessThan(five.total.lut);
    // 2-D, one window per row (a 3-wide image, K = 3, OW = 1; rnd7008's l0 has such a row):
    // no x0 and no column step, but x still moves inside the window (SF > 1).
    const narrow = windowResources(
      { dims: 2, rowWidth: 3, rows: 8, channels: 2, kernel: 3, stride: 1, pad: 0, bits: 4, inElems: 1, outElems: 1 },
      xilinx,
    );
    const wide = windowResources(
      { dims: 2, rowWidth: 4, rows: 8, channels: 2, kernel: 3, stride: 1, pad: 0, bits: 4, inElems: 1, outElems: 1 },
      xilinx,
    );
    expect(narrow.registers).toBeLessThan(wide.registers); // no x0, no ox
    expect(narrow.total.lut).toBeLessThan(wide.total.lut);
  });

  it("qnn_window's registers as synth_xilinx keeps them (counted by name in its netlists)", () => {
    // Held-out windows of the calibration, each kept as a block of its network (synth_xilinx
    // -family xc7 and the flow's opt_merge; the template that reads a one-value counter as
    // constant and builds no padding mask without padding): flip-flops Yosys kept. The
    // structural count plus the line buffer's registers lands within 6 % of each (a fitted
    // formula was up to 37 % off: conv4).
    const w = (
      dims: 1 | 2,
      hw: number,
      ch: number,
      k: number,
      stride: number,
      pad: number,
      bits: number,
      ie: number,
      simd: number,
    ): WindowCostParams => ({
      dims,
      rowWidth: hw,
      rows: dims === 2 ? hw : undefined,
      channels: ch,
      kernel: k,
      stride,
      pad,
      bits,
      inElems: ie,
      outElems: simd,
    });
    const measured: [WindowCostParams, number][] = [
      [w(1, 8, 2, 1, 1, 0, 1, 2, 2), 33], // held_conv0 (no padding: no mask, no trackers' y, x)
      [w(2, 8, 4, 3, 1, 1, 1, 2, 2), 97], // held_conv1
      [w(2, 12, 4, 2, 2, 0, 4, 4, 4), 107], // held_conv2 (no padding)
      [w(1, 32, 8, 5, 1, 0, 1, 2, 2), 67], // held_conv3: 1-D, no column logic, no padding (no y0)
      [w(1, 16, 2, 3, 2, 0, 1, 2, 6), 42], // held_conv4: 1-D, one word per window, no padding (no y0, x0, bases)
      [w(1, 64, 3, 5, 1, 2, 4, 3, 3), 85], // held_conv5
      [w(1, 16, 8, 3, 1, 1, 2, 8, 24), 101], // held_mmv1: three lanes, one tracked
      [w(2, 28, 3, 3, 1, 1, 2, 3, 3), 131], // held_lwin1
      [w(2, 30, 32, 3, 1, 1, 8, 32, 32), 128], // held_lwin2: the line buffer in block RAM
      [w(2, 32, 3, 3, 1, 0, 2, 3, 3), 124], // the sweep's lwin7: no padding (139 with the mask, y and x)
    ];
    for (const [p, ff] of measured) {
      const r = windowResources(p, xilinx);
      expect(Math.abs(r.registers + r.buffer.ff - ff) / ff, JSON.stringify(p)).toBeLessThanOrEqual(0.06);
    }
  });

  it('memory read at a counter (the max-pool running maxima): a synchronous, write-transparent read port', () => {
    // synth_xilinx keeps up to 24 bits of it in registers (2 × 8 here, with a copy of the
    // address register) and prices LUTRAM as SDP plus the emulation beyond (4 × 8 bits: two
    // RAM32M of 6 bits, and the address copy). Read where it is written with a data register
    // after it (the MVAU's input buffer), the same 4 × 8 bits are one single-port RAM32M.
    expect(ramCost(2, 8, xilinx, { ports: 'sp', syncRead: true })).toMatchObject({ kind: 'logic', ff: 2 * 8 + 1 });
    expect(ramCost(4, 8, xilinx, { ports: 'sp', syncRead: true })).toMatchObject({ kind: 'lutram', lut: 8, ff: 2 });
    expect(ramCost(4, 8, xilinx, { ports: 'sp' })).toMatchObject({ kind: 'lutram', lut: 4, ff: 8 });
    // In a max-pool: 4 channels of u4 in 2 groups (PE 2) stay in registers, 16 bits.
    const pool = poolResources(
      { dims: 1, kernel: 4, stride: 4, rowWidth: 16, outRowWidth: 4, channels: 4, pe: 2, bits: 4, bipolar: false },
      xilinx,
    );
    expect(pool.buffer).toMatchObject({ kind: 'logic', ff: 17 });
  });

  it('a one-bit MMV max-pool is one OR per output element: the window bits, the running bit and the first-row flag', () => {
    // K = 2 in 2-D: four inputs, one LUT on both families (held_mmvpool1, bipolar, 8 output
    // elements: 39 LUT6 built, 48 estimated when each max step was a unit of its own).
    expect(mmvPoolMaxLuts(2, 8, 1, true, xilinx)).toBe(8);
    expect(mmvPoolMaxLuts(2, 8, 1, true, up5k)).toBe(8);
    // K = 4: six inputs, one LUT6 or two LUT4s; in 1-D four inputs.
    expect(mmvPoolMaxLuts(4, 8, 1, true, xilinx)).toBe(8);
    expect(mmvPoolMaxLuts(4, 8, 1, true, up5k)).toBe(16);
    expect(mmvPoolMaxLuts(4, 8, 1, false, up5k)).toBe(8);
    // Wider elements: a compare-and-select unit per step.
    expect(mmvPoolMaxLuts(2, 8, 4, true, xilinx)).toBe(8 * 2 * maxUnitLuts(4, xilinx));
  });

  it('iCE40: an EBR whose read may meet its write has its read port emulated, shared by copies written alike', () => {
    // One 16-bit lane (held_nint0's line buffer, measured: 16 + 18 + 4 registers).
    const one = ramCost(14, 16, up5k, { ebrEmulatedRead: true });
    expect(one).toMatchObject({ kind: 'bram', ff: 2 * 16 + 4 + 2 });
    // A window of nine lanes of 8 bits, each its own copy of the line buffer: one delayed
    // write and bypass word for all, two flags per copy (measured on held_mmv2's nine lanes).
    const win = windowResources(
      { dims: 2, kernel: 3, rowWidth: 64, rows: 64, channels: 1, inElems: 1, outElems: 9, bits: 8, pad: 1 },
      up5k,
    );
    const lane = ramCost(win.buffer.depth, 8, up5k, { ebrEmulatedRead: true });
    expect(lane.kind).toBe('bram');
    expect(win.buffer.ff).toBe(lane.ff + 8 * 2);
  });

  it('a line-buffer address step modulo a power-of-two depth is one adder, else two', () => {
    // wrap_add(a, b): a + b and a + b − DEPTH (AW + 2 bits each); with DEPTH = 2^AW both
    // have the same low AW bits (held_lwin0's 256-word buffer; held_lwin2's is 120).
    expect(wrapAddLuts(256, 8)).toBe(8);
    expect(wrapAddLuts(120, 7)).toBe(2 * 9);
    // held_lwin0's window (16 × 16 × 128 u8, SIMD 32: 256 words) and the same on 15 × 15
    // (240 words): the smaller image costs more, its seven address steps two adders each.
    const at = (side: number) =>
      windowResources({ dims: 2, kernel: 3, rowWidth: side, rows: side, channels: 128, inElems: 32, outElems: 32, bits: 8, pad: 1 }, up5k);
    const p2 = at(16);
    const other = at(15);
    expect([p2.buffer.depth, other.buffer.depth]).toEqual([256, 240]);
    expect(other.total.lut).toBeGreaterThan(p2.total.lut);
  });

  it('a LUT multiplier is priced from the measured table per coefficient set, the formula beyond it', () => {
    const xcup = fabricOf(findDevice('xczu7ev'));
    const T = COST_CONSTANTS.lutMultipliers;
    // Every product of 2- to 8-bit signed and unsigned weights by 1- to 8-bit inputs is measured, per set.
    for (const set of ['xilinx', 'ice40', 'xcup'] as const) expect(Object.keys(T[set]).length).toBe(2 * 7 * (1 + 7 * 2));
    // held_nint2's lane, i3 × u4: the table's count (what synth_xilinx -nodsp builds), not the formula's 16.
    const lane = macLane(
      { weightKind: 'int', weightBits: 3, weightSigned: true, inputBits: 4, inputSigned: false, inputBipolar: false },
      xilinx,
    );
    expect(lane.lut).toBe(T.xilinx[lutMultiplierKey(3, true, 4, false)]);
    expect(lane.lut).toBeLessThan(lutMultiplierLuts(3, 4));
    // A signed input has its own entry, and so has an unsigned weight; a 1-bit input is unsigned.
    expect(lutMultiplierLutsOn(xilinx, 4, true, 6, true)).toBe(T.xilinx['4x6s']);
    expect(lutMultiplierLutsOn(xilinx, 4, false, 6, false)).toBe(T.xilinx['u4x6u']);
    expect(lutMultiplierKey(3, true, 1, true)).toBe('3x1u');
    // Zero-extended, an unsigned weight is cheaper than a signed one a bit wider, whose top bit varies.
    expect(lutMultiplierLutsOn(xcup, 4, false, 4, false)).toBeLessThan(T.xcup['5x4u']);
    // Each set reads its own table (UltraScale+ and iCE40 LUT4s build these differently).
    expect(lutMultiplierLutsOn(xcup, 5, true, 4, false)).toBe(T.xcup['5x4u']);
    expect(lutMultiplierLutsOn(up5k, 5, true, 4, false)).toBe(T.ice40['5x4u']);
    // Beyond the table: the formula.
    expect(lutMultiplierLutsOn(xilinx, 10, true, 8, false)).toBe(lutMultiplierLuts(10, 8));
    expect(lutMultiplierLutsOn(xilinx, 4, true, 12, true)).toBe(lutMultiplierLuts(4, 12));
  });

  it('max pooling: a running maximum per open window and, in 2-D, the partial output rows', () => {
    const p = poolResources(
      { dims: 2, kernel: 2, stride: 2, rowWidth: 8, outRowWidth: 4, channels: 8, pe: 1, bits: 4, bipolar: false },
      xilinx,
    );
    expect(p.buffer.bits).toBe(8 * 4 + 4 * 8 * 4);
    const one = poolResources(
      { dims: 1, kernel: 2, stride: 2, rowWidth: 8, outRowWidth: 4, channels: 8, pe: 1, bits: 4, bipolar: false },
      xilinx,
    );
    expect(one.buffer.bits).toBe(8 * 4);
  });

  it('a compare-and-select of narrow values is a LUT6 per output bit on Xilinx; iCE40 keeps the compare', () => {
    // u2 and u3: both operands' bits fit one LUT6; u4: a compare (2 LUTs) and 4 muxes.
    expect([1, 2, 3, 4, 8].map((b) => maxUnitLuts(b, xilinx))).toEqual([1, 2, 3, 6, 12]);
    expect([1, 2, 4].map((b) => maxUnitLuts(b, up5k))).toEqual([2, 3, 6]);
  });
});

describe('hard-wired weights (NF·SF = 1)', () => {
  it("a PE's tree of constant pow2 products adds only the non-zero ones, each as wide as its odd part needs", () => {
    // u2 inputs; one PE of 4 products: x·4 and −x·1 are x's 2 bits (and a sign for −x); the zeros drop out.
    const pe = (w: number[]) => hardWiredTreeLuts(xilinx, Int32Array.from(w), w.length, 2, false);
    expect(pe([4, 0, -1, 0])).toBe(adderTreeLuts(2, 3)); // (2 + 3) / 2 rounds to 3
    expect(pe([2, 1, 1, 8])).toBe(adderTreeLuts(4, 2));
    expect(pe([0, 0, 2, 0])).toBe(0); // one product: no adder
    // Two PEs: the mean of their trees; a signed input has its sign bit in every product.
    expect(hardWiredTreeLuts(xilinx, Int32Array.from([1, 1, 0, 0]), 2, 4, true)).toBe(adderTreeLuts(2, 5) / 2);
  });

  it('a bipolar input picks +w or −w: no lane logic, and the tree adds 1-bit-signed constants', () => {
    const matrix = Int32Array.from([4, -2, 0, 1, -8, 2, 1, 0]);
    const op: MacOperands = {
      weightKind: 'pow2',
      weightBits: 4,
      inputBits: 1,
      inputBipolar: true,
      hardWired: { products: [4, -2, 1, -8, 2, 1], negativeProducts: [-2, -8], lanes: 8, matrix },
    };
    expect(macLane(op, xilinx)).toMatchObject({ lut: 0, dsp: 0, variant: 'const' });
    expect(macLane(op, xilinx).negates).toBeUndefined();
    // Folded (weights from a ROM), the same lane decodes and complements the weight.
    const folded = macLane({ ...op, hardWired: undefined }, xilinx);
    expect(folded).toMatchObject({ variant: 'neg', negates: true });
    expect(folded.lut).toBeGreaterThan(0);
    const mv = (o: MacOperands) => mvauResources({ pe: 1, simd: 8, mh: 1, mw: 8, operands: o, accBits: 8, outBits: 8 }, xilinx).total.lut;
    expect(mv(op)).toBeLessThan(mv({ ...op, hardWired: undefined }));
  });

  it('int weights on a 2-bit input: the products are wiring, the tree adds them narrowed (full width where a constant is negative)', () => {
    // One PE of four u2 × constant products, the template's product 2 + 4 bits.
    const op = (w: number[]): MacOperands => ({
      weightKind: 'int',
      weightBits: 4,
      weightSigned: w.some((x) => x < 0),
      inputBits: 2,
      inputBipolar: false,
      hardWired: { products: w, negativeProducts: w.filter((x) => x < 0), lanes: w.length, matrix: Int32Array.from(w) },
    });
    const positive = [7, 5, 0, 3];
    const mixed = [7, -5, 0, 3];
    expect(macLane(op(positive), xilinx)).toMatchObject({ lut: 0, variant: 'const', productBits: 6 });
    // 3·7 = 21 needs 5 bits, 3·5 = 15 and 3·3 = 9 need 4: (5 + 4 + 4) / 3 rounds to 4; x·−5 is sign-extended to 6.
    // On a LUT6 fabric narrowed leaves are a binary tree of carry-chain adders; full-width
    // sign-extended ones (x·−5) are Yosys' carry-save $macc, the fabric's measured table. On
    // iCE40 both are the $macc (its full adders are two LUT4s a bit).
    for (const fab of [xilinx, up5k]) {
      expect(hardWiredTreeLuts(fab, Int32Array.from(mixed), 4, 2, false, 6)).toBe(adderTreeLutsOn(fab, 3, 6));
    }
    expect(hardWiredTreeLuts(xilinx, Int32Array.from(positive), 4, 2, false, 6)).toBe(adderTreeLuts(3, 4));
    expect(hardWiredTreeLuts(up5k, Int32Array.from(positive), 4, 2, false, 6)).toBe(adderTreeLutsOn(up5k, 3, 4));
    // qnn_mvau negating the negative constants' leaves (~(x·5), the +1 at the root): x·−5 is
    // as narrow as x·5 plus its sign, (5 + 5 + 4) / 3 rounds to 5; with a complemented leaf
    // the tree is the $macc on a LUT6 fabric too.
    for (const fab of [xilinx, up5k]) {
      expect(hardWiredTreeLuts(fab, Int32Array.from(mixed), 4, 2, false, 6, true)).toBe(adderTreeLutsOn(fab, 3, 5));
    }
    expect(adderTreeLutsOn(xilinx, 3, 5)).toBeLessThan(adderTreeLutsOn(xilinx, 3, 6));
    // A PE without a negative constant is the narrowed binary tree, negated leaves or not.
    expect(hardWiredTreeLuts(xilinx, Int32Array.from(positive), 4, 2, false, 6, true)).toBe(adderTreeLuts(3, 4));
    // A signed input's products are sign-extended all the same.
    expect(hardWiredTreeLuts(xilinx, Int32Array.from(mixed), 4, 2, true, 6, true)).toBe(adderTreeLutsOn(xilinx, 3, 6));
    // iCE40: the product bits that are not wires are LUT4s (an SB_CARRY takes nets): u2 · 7 is
    // {0, 7, 14, 21}, bit 0 is x0 and four other bits are functions of both (x0 ^ x1, …);
    // u2 · 5 is x0, x1, x0, x1; u2 · 3 has three. On Xilinx the adders' LUT6s take them.
    expect(narrowProductLuts(7, { bits: 2, signed: false }, 6)).toBe(4);
    expect(narrowProductLuts(5, { bits: 2, signed: false }, 6)).toBe(0);
    expect(narrowProductLuts(-3, { bits: 2, signed: false }, 6)).toBe(3); // counted on |w|
    // i2 · 3 over x = −2..1 is −6, −3, 0, 3: bits 1 and 2 are LUTs, bit 0 is x0, the rest x1.
    expect(narrowProductLuts(3, { bits: 2, signed: true }, 6)).toBe(2);
    expect(macLane(op(positive), up5k).carryOperands).toBeCloseTo((4 + 0 + 0 + 3) / 4, 9);
    expect(macLane(op(positive), xilinx).carryOperands ?? 0).toBe(0);
    // Past a handful of leaves the $macc takes about two LUTs per leaf bit, a binary tree one.
    const twenty = Int32Array.from({ length: 20 }, (_, j) => (j % 2 ? -3 : 5));
    expect(hardWiredTreeLuts(xilinx, twenty, 20, 2, false, 6)).toBeGreaterThan(adderTreeLuts(20, 6));
    const tree = (w: number[]) =>
      mvauResources({ pe: 1, simd: 4, mh: 1, mw: 4, operands: op(w), accBits: 8, outBits: 8 }, xilinx).total.lut;
    expect(tree(mixed)).toBeGreaterThan(tree(positive));
    // A 4-bit input is a shift-and-add multiplier per product, as before.
    expect(macLane({ ...op(positive), inputBits: 4 }, xilinx).lut).toBeGreaterThan(0);
  });

  it('hard-wired signed int weights have negated leaves where the template multiplies them (not mul=lut, not on a bipolar input)', () => {
    const layer = (w: ReturnType<typeof i>, input = u(4), multipliers: MvauLayer['multipliers'] = 'dsp'): MvauLayer => {
      const l = new NetBuilder({ device: 'xc7z020', input: { shape: [8], type: input } }).dense('d', 2, w, { pe: 2, simd: 8 })
        .layers[0] as MvauLayer;
      return { ...l, multipliers };
    };
    expect(macOperands(layer(i(4))).hardWired?.negatedLeaves).toBe(true);
    expect(macOperands(layer(i(4), u(4), 'lut')).hardWired?.negatedLeaves).toBe(false);
    expect(macOperands(layer(i(4), bipolar)).hardWired?.negatedLeaves).toBe(false);
    expect(macOperands(layer(u(4))).hardWired?.negatedLeaves).toBe(false);
    expect(macOperands(layer(pow2(3))).hardWired?.negatedLeaves).toBe(false);
  });

  it("iCE40: a hard-wired negative constant on an unsigned input costs an inverter per input bit (the SB_CARRY's operands come straight from the LUT inputs)", () => {
    const w = [3, -3, 0, 5, -1, 2];
    const op: MacOperands = {
      weightKind: 'int',
      weightBits: 4,
      weightSigned: true,
      inputBits: 4,
      inputBipolar: false,
      hardWired: { products: w, negativeProducts: w.filter((x) => x < 0), lanes: w.length, matrix: Int32Array.from(w) },
    };
    // Two of six lanes are negative: 2/6 of 4 bits each, on average.
    expect(macLane(op, up5k, 12).carryOperands).toBeCloseTo((2 / 6) * 4, 9);
    expect(macLane(op, xilinx, 12).carryOperands).toBe(0); // the carry chain's LUT inverts it
    expect(macLane({ ...op, inputSigned: true }, up5k, 12).carryOperands).toBe(0);
    // pow2 weights: the one's complement of a negative one, the same inverters.
    const p2: MacOperands = {
      ...op,
      weightKind: 'pow2',
      weightBits: 3,
      hardWired: { products: [4, -2, 1], negativeProducts: [-2], lanes: 3, matrix: Int32Array.from([4, -2, 1]) },
    };
    expect(macLane(p2, up5k).carryOperands).toBeCloseTo((1 / 3) * 4, 9);
    // The MVAU prices them with carryOperand, per lane: PE·SIMD·carryOperands.
    const fit = COST_CONSTANTS.fit.ice40.mvau.lut;
    const k = fit.carryOperand;
    expect(k).toBeGreaterThan(0.5); // fitted near one LUT4 an inverted bit
    const lut = () => mvauResources(fullFold(1, 6, op, 12, 12), up5k).total.lut;
    const priced = lut();
    try {
      fit.carryOperand = 0;
      expect(priced - lut()).toBeCloseTo(k * 6 * (2 / 6) * 4, 9);
    } finally {
      fit.carryOperand = k;
    }
  });

  it('a constant multiply costs one adder per canonical signed digit after the first', () => {
    expect([0, 1, -1, 4, -8].map((w) => constantMultiplierLuts(w, 8))).toEqual([0, 0, 0, 0, 0]);
    expect(constantMultiplierLuts(3, 8)).toBe(8 + 2); // 4 − 1
    expect(constantMultiplierLuts(-7, 8)).toBe(8 + 3); // −(8 − 1)
    expect(constantMultiplierLuts(5, 8)).toBe(8 + 3); // 4 + 1
    expect(constantMultiplierLuts(11, 8)).toBe(2 * (8 + 4)); // 16 − 4 − 1
  });

  it('a constant multiply is a DSP where Yosys maps what wreduce leaves of it (measured, Yosys 0.23 synth_ice40 -dsp)', () => {
    // u8 × each i4 constant, the template's product (12 bits): SB_MAC16 or not, as built.
    const u8 = { bits: 8, signed: false };
    const built = {
      '-8': 0,
      '-7': 1,
      '-6': 1,
      '-5': 1,
      '-4': 0,
      '-3': 1,
      '-2': 0,
      '-1': 0,
      0: 0,
      1: 0,
      2: 0,
      3: 0,
      4: 0,
      5: 1,
      6: 0,
      7: 1,
    };
    for (const [w, dsp] of Object.entries(built)) expect(constantMultiplier(Number(w), u8, 12, up5k).dsp, `u8 × ${w}`).toBe(dsp);
    // u4 × i4 (8 bits): under SB_MAC16's 11-bit product, every constant is LUTs.
    for (let w = -8; w < 8; w++) expect(constantMultiplier(w, { bits: 4, signed: false }, 8, up5k).dsp).toBe(0);
    // A constant in LUTs costs its shift-and-add; one in a DSP none.
    expect(constantMultiplier(3, u8, 12, up5k).lut).toBe(constantMultiplierLuts(3, 8));
    expect(constantMultiplier(5, u8, 12, up5k).lut).toBe(0);
  });

  it('a fully unfolded layer: each lane a multiply by its own constant, DSPs only where the constant maps to one', () => {
    const build = (w: ReturnType<typeof i>, inBits: number, pe: number, simd: number) =>
      new NetBuilder({ device: 'xc7z045', input: { shape: [32], type: u(inBits) } }).dense('fc', 16, w, { pe, simd }).build();
    // u8 × i8: the layer's DSPs are those of its products, counted one by one; the same
    // input times the same constant in two rows is one product (Yosys merges them), and the
    // template multiplies by |w| (complementing the leaf of a negative w), whose trailing
    // zeros are a shift: x·−3, x·3 and x·6 are one product.
    const net = build(i(8), 8, 16, 32);
    const matrix = (net.layers[0] as { matrix: Int32Array }).matrix;
    matrix.forEach((_, k) => (matrix[k] = ((k * 37) % 256) - 128)); // each column: 8 values, twice each
    const wired = estimateNetwork(net).layers[0];
    expect(wired.weight_mem).toBe('logic');
    const xc7045 = fabricOf(findDevice('xc7z045'));
    expect([-12, 6, 5, 0].map(oddMagnitude)).toEqual([3, 3, 5, 0]);
    let dsps = 0;
    for (let j = 0; j < 32; j++)
      for (const m of new Set(Array.from({ length: 16 }, (_, r) => oddMagnitude(matrix[r * 32 + j]))))
        dsps += constantMultiplier(m, { bits: 8, signed: false }, 16, xc7045).dsp;
    expect(wired.dsp).toBe(dsps);
    expect(dsps).toBeGreaterThan(8 * 32 * 0.8); // most i8 constants are not 0 or ±2^e
    expect(dsps).toBeLessThanOrEqual(8 * 32);
    // Every weight 5: one product per input, shared by the 16 rows.
    const fives = build(i(8), 8, 16, 32);
    (fives.layers[0] as { matrix: Int32Array }).matrix.fill(5);
    expect(estimateNetwork(fives).layers[0].dsp).toBe(32);
    // Folded, the same layer is a general u8 × i8 multiplier per lane: one DSP48 each.
    expect(estimateNetwork(build(i(8), 8, 16, 16)).layers[0].dsp).toBe(16 * 16);
    // u4 × i4: an 8-bit product stays in LUTs; constants are cheaper than general multipliers.
    const wired4 = estimateNetwork(build(i(4), 4, 16, 32)).layers[0];
    const folded4 = estimateNetwork(build(i(4), 4, 16, 16)).layers[0];
    expect(wired4.dsp).toBe(0);
    expect(wired4.lut).toBeLessThan(folded4.lut);
  });
});

describe('MVAU weight memory in a network', () => {
  it('per-PE ROMs of depth NF·SF and width SIMD·wbits, plus the input buffer', () => {
    // dense 1024 → 64, i4 weights, PE 2, SIMD 2: NF·SF = 32·512 = 16384 words of 2 × 2 × 4 bits,
    // 8 segments of 2K × 9 laid across the width (8 × 16 bits over 9-bit blocks) → 15 RAMB18,
    // and the input buffer (SF = 512 words of 2 × u8) one more.
    const net = new NetBuilder({ device: 'xc7z020', input: { shape: [1024], type: u(8) } })
      .dense('fc', 64, i(4), { pe: 2, simd: 2 })
      .build();
    const l = estimateNetwork(net).layers[0];
    expect(l.weight_mem).toBe('bram');
    expect(l.weight_bits).toBe(1024 * 64 * 4);
    expect(l.bram18).toBe(15 + 1);
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

describe('linear interpolation on the measured tables (cost/interpolate.ts)', () => {
  it('is exact at the points, linear between them and along the last two beyond them', () => {
    const xs = [2, 4, 8];
    const ys = [1, 5, 9];
    expect(interpolate(xs, ys, 4)).toBe(5);
    expect(interpolate(xs, ys, 3)).toBe(3);
    expect(interpolate(xs, ys, 6)).toBe(7);
    expect(interpolate(xs, ys, 16)).toBe(17);
    expect(interpolate(xs, ys, 1)).toBe(-1);
    expect(bracket(xs, 6)).toEqual([4, 8, 0.5]);
  });
});
