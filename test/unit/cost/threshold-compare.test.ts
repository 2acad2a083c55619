/**
 * A threshold lane as synthesis builds its comparators. On Xilinx, priced from the
 * thresholds' bits (resources.ts `laneCompareLuts`, `chunkLuts`): the figures below are LUTs
 * per lane measured with Yosys 0.23 on qnn_threshold blocks of 16 lanes (synth_xilinx -family
 * xc7 and xcup alike, the block less its 27 LUTs of skid and control, divided by 16), one
 * threshold each. On iCE40, x − T on the carry chain (the template's CMP_CARRY,
 * `ice40LaneCompare`).
 */
import { describe, expect, it } from 'vitest';
import {
  activationLane,
  activationResources,
  ice40LaneCompare,
  laneCompareLuts,
  skidResources,
  thresholdCountLuts,
} from '../../../server/src/cost/resources.js';
import { COST_CONSTANTS } from '../../../server/src/cost/constants.js';
import { fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { activationCostParams } from '../../../server/src/engines/activation.js';
import type { Activation } from '../../../server/src/model/types.js';

const xc7 = fabricOf(findDevice('xc7z020')!);
const up5k = fabricOf(findDevice('ice40up5k')!);
const threshold = (rows: number[][], out: Activation['out'] = { kind: 'bipolar' } as Activation['out']): Activation =>
  ({ kind: 'threshold', thresholds: rows, bias: 0, out }) as Activation;
const i12 = { min: -2048, max: 2047, bits: 12 };

describe('x ≥ T against a constant, as cmp2lcu cuts it into 3-bit chunks', () => {
  /** One comparator of a `width`-bit signed x against the constant t. */
  const constantCompareLuts = (width: number, t: number): number => laneCompareLuts(width, width, [[t]]);
  // [signed width of the comparison, T, measured LUTs]; a uB input compares on B + 1 bits.
  const measured: [number, number, number][] = [
    [12, 2047, 4],
    [12, 1755, 4],
    [12, -1, 5],
    [12, 1515, 6],
    [12, 855, 7],
    [12, 1536, 7],
    [12, -853, 7],
    [12, 853, 8],
    [12, 0, 8],
    [12, 1, 8],
    [12, -1024, 8],
    [8, 127, 3],
    [8, 1, 5],
    [10, 511, 3],
    [10, 256, 7],
    [16, 32767, 5],
    [16, 12482, 11],
    [7, 63, 2], // u6
    [7, 32, 5],
    [9, 255, 3], // u8
  ];
  it.each(measured)('width %i, T = %i: %i LUTs', (width, t, luts) => {
    expect(constantCompareLuts(width, t)).toBe(luts);
  });
});

describe("a lane's comparators", () => {
  it('share the chunks whose bits they have in common', () => {
    // 853 = 001 101 010 101 and 855 = 001 101 010 111: only the low chunk differs (111: a propagate, no generate).
    expect(laneCompareLuts(12, 12, [[853], [855]])).toBe(laneCompareLuts(12, 12, [[853]]) + 1);
    expect(laneCompareLuts(12, 12, [[853], [853]])).toBe(8);
  });

  it('against a per-channel ROM: a chunk that varies over the channels has both LUTs, the others are priced as constants', () => {
    expect(laneCompareLuts(12, 12, [[853, 855]])).toBe(6 + 2);
  });

  it('up to 6 bits: one LUT6 per comparator while x and the varying threshold bits fit in it', () => {
    // u4 (4 bits of x) on 5 bits; 3 and 5 differ in two bits (two columns): 6 inputs.
    expect(laneCompareLuts(5, 4, [[3, 5]])).toBe(1);
    // Eight channels 0 … 7: three varying columns, 7 inputs.
    expect(laneCompareLuts(5, 4, [[0, 1, 2, 3, 4, 5, 6, 7]])).toBe(2);
  });

  it('are counted by a measured chain of 1-bit adds', () => {
    expect(thresholdCountLuts(1, 'xilinx')).toBe(0);
    expect(thresholdCountLuts(15, 'xilinx')).toBe(14);
    expect(thresholdCountLuts(11, 'xilinx')).toBe(9);
  });
});

describe('the stand-alone engine on Xilinx', () => {
  it('passes the thresholds the RTL holds (clipped, each value once) and the comparison width', () => {
    expect(activationCostParams(threshold([[-3000, 853, 853, 3000]], { kind: 'uint', bits: 2 }), i12, 1)).toMatchObject({
      perChannel: false,
      distinct: 1,
      compareBits: 13,
      comparators: [[[-2048], [853], [2048]]],
    });
    const perChannel = activationCostParams(threshold([[1], [2], [3], [4]]), i12, 2);
    expect(perChannel).toMatchObject({ perChannel: true, compareBits: 12, comparators: [[[1, 3]], [[2, 4]]] });
  });

  it('builds the thresholds synthesis could see are constant as comparators when the comparison is wider than 6 bits', () => {
    const params = activationCostParams(threshold([[-3000, 853, 3000]], { kind: 'uint', bits: 2 }), i12, 1);
    const lane = activationLane(params, 12, 2, 1, xc7);
    expect(lane.ff).toBe(3 + 2);
    expect(lane.lut).toBe(laneCompareLuts(13, 12, [[-2048], [853], [2048]]) + thresholdCountLuts(3, 'xilinx'));
    // The whole lane, comparators and count, is priced under `compare` (one lane, one channel, one element: no counters).
    const k = COST_CONSTANTS.fit.xilinx.threshold.lut;
    expect(activationResources(params, 12, 2, 1, 1, xc7).total.lut).toBeCloseTo(
      k.c0 + k.compare * lane.lut + k.out * skidResources(2).lut,
      9,
    );
  });

  it('prices a threshold by its bits: i12, 16 lanes, T = 1515 two LUTs a lane under T = 853 (measured: 123 and 155)', () => {
    const block = (t: number) => activationResources(activationCostParams(threshold([[t]]), i12, 16), 12, 1, 16, 16, xc7, 64).total.lut;
    expect(block(853) - block(1515)).toBeCloseTo(16 * 2 * COST_CONSTANTS.fit.xilinx.threshold.lut.compare, 9);
  });

  it('prices thresholds fused after an MVAU the same way (the same qnn_act_lane)', () => {
    const at = (t: number, fused = false) => activationLane(activationCostParams(threshold([[t]]), i12, 1), 12, 1, 1, xc7, fused);
    expect(at(853, true).lut - at(1515, true).lut).toBe(2);
    expect(at(853, true)).toEqual(at(853));
  });
});

describe('a lane on iCE40: x − T on the carry chain', () => {
  it("costs the sign's LUT4 a comparison, whatever the constant's bits", () => {
    const at = (t: number) => activationLane(activationCostParams(threshold([[t]]), i12, 1), 12, 1, 1, up5k);
    expect(at(853).lut).toBe(1);
    expect(at(1515).lut).toBe(1);
  });

  it('builds no comparator for a threshold at either end of the clip range (always or never passed)', () => {
    expect(ice40LaneCompare([[-16], [1], [16]], [-16, 16])).toEqual({ luts: 1, comparators: 1 });
  });

  it('counts equal constants as one comparator but two bits of the count; per channel a comparator each (~T is the ROM term)', () => {
    // Three comparators, four bits the count adds: 3 LUT4s.
    const lane = [
      [1, 5],
      [2, 2],
      [2, 2],
      [3, 7],
    ];
    expect(ice40LaneCompare(lane, [-16, 16])).toEqual({ luts: 3 + 3, comparators: 3 });
  });

  it('has no sign LUT4 where x cannot be negative (a stand-alone uB input): the sign is the carry', () => {
    const lane = [
      [1, 5],
      [3, 7],
    ];
    expect(ice40LaneCompare(lane, [0, 16], false)).toEqual({ luts: 1, comparators: 2 });
  });

  it('counts with a measured table of LUT4s', () => {
    expect(thresholdCountLuts(3, 'ice40')).toBe(2);
    expect(thresholdCountLuts(15, 'ice40')).toBe(17);
  });
});
