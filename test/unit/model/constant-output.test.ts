/**
 * QNN035: an activation whose output does not depend on its input over the whole range it
 * can receive (the fused accumulator's exact bounds, or the input type's), and the
 * threshold lane's estimate, which builds only the comparators that are not constant where
 * synthesis sees the constants (here a u4 input: up to 6 bits on Xilinx; wider ones,
 * test/unit/cost/threshold-compare.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { check, net } from './helpers.js';
import { activationLane, activationResources } from '../../../server/src/cost/resources.js';
import { fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { activationCostParams } from '../../../server/src/engines/activation.js';
import type { Activation } from '../../../server/src/model/types.js';

const warnings = async (text: string) => (await check(text)).diagnostics.filter((d) => d.code === 'QNN035');

describe('QNN035: an activation with one output for every input', () => {
  it('a stand-alone requant whose scale rounds the whole input range to 0', async () => {
    const ds = await warnings(net('layer r = requant(x, out=u4, scale=0.001)'));
    expect(ds).toHaveLength(1);
    expect(ds[0].severity).toBe(2);
    expect(ds[0].message).toContain("requant 'r' outputs 0 for every input: every input in [0, 255]");
    // 255 × 0.002 = 0.51 rounds to 1: the top of the range differs.
    expect(await warnings(net('layer r = requant(x, out=u4, scale=0.002)'))).toHaveLength(0);
  });

  it('thresholds all outside the input range, per channel or shared', async () => {
    const shared = await warnings(net('layer t = threshold(x, out=u1, thresholds=[300])'));
    expect(shared[0].message).toContain("threshold 't' outputs 0 for every input");
    // Channel 0 always passes its threshold, the others never: constant, one value per channel.
    const rows = '[[0], [256], [300], [999]]';
    const per = await warnings(net(`layer t = threshold(x, out=u1, thresholds=${rows})`));
    expect(per[0].message).toContain('outputs one value per channel');
    expect(await warnings(net('layer t = threshold(x, out=u1, thresholds=[255])'))).toHaveLength(0);
  });

  it('fused after an MVAU, the accumulator bounds decide, not its type', async () => {
    // u2 inputs × these i2 rows: the accumulator reaches [-9, 9]; its i5 type holds up to 15, so a
    // threshold at 12 is never passed, which only the exact bounds show.
    const dense = 'layer d = dense(x, units=2, weights=i2([1, -2, 1, 1, -1, 0, -2, 1]))';
    const ds = await warnings(net(`${dense}\nlayer t = threshold(d, out=bipolar, thresholds=[12])`, { input: 'u2[4]' }));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toContain("every threshold lies at or below -9 or above 9 (the accumulator of 'd')");
    expect(await warnings(net(`${dense}\nlayer t = threshold(d, out=bipolar, thresholds=[9])`, { input: 'u2[4]' }))).toHaveLength(0);
  });

  it('is not reported on a network with errors (its ranges are not known)', async () => {
    const r = await check(net('layer r = requant(y, out=u4, scale=0.001)'));
    expect(r.codes).toContain('QNN010');
    expect(r.codes).not.toContain('QNN035');
  });
});

describe('threshold lane estimate with shared thresholds', () => {
  const fab = fabricOf(findDevice('xc7z020')!);
  const act = (ts: number[]): Activation =>
    ({ kind: 'threshold', thresholds: [ts], bias: 0, out: { kind: 'uint', bits: 2 } }) as Activation;
  const u4 = { min: 0, max: 15, bits: 5 };

  it('counts only distinct thresholds inside (min, max]', () => {
    expect(activationCostParams(act([0, 7, 7]), u4, 1)).toMatchObject({ perChannel: false, distinct: 1 });
    expect(activationCostParams(act([1, 15, 16]), u4, 1)).toMatchObject({ distinct: 2 });
  });

  it('a lane of equal or out-of-range thresholds costs what its distinct ones cost; none, nothing', () => {
    const lane = (ts: number[]) => activationLane(activationCostParams(act(ts), u4, 1), 4, 2, 1, fab);
    expect(lane([3, 3, 9])).toEqual(lane([3, 9, 99]));
    expect(lane([3, 9, 12]).lut).toBeGreaterThan(lane([3, 9, 9]).lut);
    expect(lane([3, 9, 12]).ff).toBe(3 + 2);
    expect(lane([-5, 0, 40])).toMatchObject({ lut: 0, ff: 0 });
  });
});

describe('a per-channel activation ROM is estimated from its image', () => {
  const fab = fabricOf(findDevice('xc7z020')!);
  const perChannel = (rows: number[][]): Activation =>
    ({ kind: 'threshold', thresholds: rows, bias: 0, out: { kind: 'uint', bits: 1 } }) as Activation;
  const i8 = { min: -128, max: 127, bits: 8 };

  it('counts the distinct non-constant bit columns of the PE-wide words', () => {
    // PE 2: words {ch0, ch1} and {ch2, ch3}; equal words make every column constant.
    expect(activationCostParams(perChannel([[-5], [3], [-5], [3]]), i8, 2)).toMatchObject({ perChannel: true, romColumns: 0 });
    // Channel 0's -5 (11111011) against channel 2's 4 (00000100): seven equal columns and one
    // complement of them; channels 1 and 3 are equal, their columns constant.
    const cols = activationCostParams(perChannel([[-5], [3], [4], [3]]), i8, 2);
    expect(cols).toMatchObject({ romColumns: 2 });
  });

  it('a ROM of constant columns costs no LUTs or registers of its own', () => {
    const cost = (rows: number[][]) => activationResources(activationCostParams(perChannel(rows), i8, 2), 8, 1, 4, 2, fab).mem;
    expect(cost([[-5], [3], [-5], [3]])).toMatchObject({ lut: 0, ff: 0 });
    expect(cost([[-5], [3], [4], [3]])).toMatchObject({ lut: 2, ff: 2 });
  });
});

describe('a per-channel requant shifter: its levels', () => {
  const requantOf = (shifts: number[]): Activation =>
    ({
      kind: 'requant',
      scales: shifts.map(() => 0.1),
      multipliers: shifts.map(() => 205),
      shifts,
      zero: 0,
      mbits: 16,
      out: { kind: 'uint', bits: 4 },
    }) as unknown as Activation;
  const acc = { min: -32768, max: 32767, bits: 16 };

  it('stand-alone: no more than picking one of the distinct S needs; after an MVAU: every bit of S that varies', () => {
    // One lane (PE 1) over channels with S 23 to 26: bits 0 to 3 vary, four distinct values.
    const p = activationCostParams(requantOf([23, 24, 25, 26]), acc, 1);
    expect(p).toMatchObject({ kind: 'requant', variableShift: true, shiftLevels: 2, shiftVaryingBits: 4 });
  });
});
