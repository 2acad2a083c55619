/**
 * MVAU adder trees against Yosys (a registered tree of n signed w-bit leaves, written as
 * qnn_mvau writes its own; test/synth/calibration/adder-trees.ts synthesises it, cached):
 *
 * - on the measured grid (2 to 64 leaves of 1 to 16 bits, calibration.json `adderTrees`,
 *   written by `npm run calibrate`): the committed counts are what this Yosys builds, on
 *   every coefficient set, checked on a sample; a table from another Yosys, or edited by
 *   hand, fails here;
 * - between and beyond its points (cost/resources.ts `adderTreeLutsOn`, linear): within
 *   10 % of Yosys on xc7 (Yosys 0.23, 2026-12-04: 20 × 7 bits 275 LUT6 built, 275 read off
 *   the table), where a binary tree of carry-chain adders (`adderTreeLuts`, the estimate
 *   before the table) is about 40 % under past 20 leaves (168), because alumacc merges the
 *   tree into one $macc, a carry-save tree of full adders.
 *
 * Under a minute cold on 2 cores once `npm run calibrate` has measured the table (its
 * syntheses are cached); about 7 min with nothing cached.
 */
import { describe, expect, it } from 'vitest';
import { fabricOf } from '../../server/src/cost/fabric.js';
import { adderTreeKey, adderTreeLuts, adderTreeLutsOn, COST_CONSTANTS } from '../../server/src/cost/resources.js';
import { findDevice } from '../../server/src/device/devices.js';
import { findTool } from '../../server/src/flows/tools.js';
import { treeLuts } from './calibration/adder-trees.js';
import type { SynthFamily } from './calibration/synth.js';

/** [leaves, bits]: on the grid. */
const GRID_SAMPLE: [number, number][] = [
  [2, 4],
  [3, 8],
  [6, 2],
  [8, 6],
  [16, 1],
  [24, 12],
  [32, 4],
];

/** [leaves, bits]: between the grid's points, and past its 64 leaves. */
const OFF_GRID: [number, number][] = [
  [5, 5],
  [10, 3],
  [20, 7],
  [40, 5],
  [96, 4],
];

const pctOff = (est: number, syn: number): number => (100 * Math.abs(est - syn)) / syn;

describe.skipIf(!findTool('yosys'))('MVAU adder trees against Yosys', () => {
  for (const family of ['xilinx', 'xcup', 'ice40'] as SynthFamily[]) {
    it(`the measured table (${family}) is what Yosys builds`, async () => {
      const table = COST_CONSTANTS.adderTrees[family];
      const built = await Promise.all(GRID_SAMPLE.map(([n, w]) => treeLuts(n, w, family)));
      const rows = GRID_SAMPLE.map(([n, w], i) => ({ key: adderTreeKey(n, w), table: table[adderTreeKey(n, w)], yosys: built[i] }));
      expect(rows.filter((r) => r.table !== r.yosys)).toEqual([]);
    }, 600_000);
  }

  it('between and beyond the grid the interpolation follows Yosys (xc7); a binary tree does not', async () => {
    const fab = fabricOf(findDevice('xc7z020')!);
    const built = await Promise.all(OFF_GRID.map(([n, w]) => treeLuts(n, w, 'xilinx')));
    const rows = OFF_GRID.map(([n, w], i) => ({
      what: `${n} × ${w} bits`,
      syn: built[i],
      est: Math.round(adderTreeLutsOn(fab, n, w)),
      binary: adderTreeLuts(n, w),
    }));
    console.log(rows.map((r) => `${r.what}: Yosys ${r.syn}, table ${r.est}, binary tree ${r.binary}`).join('\n'));
    for (const r of rows) expect(pctOff(r.est, r.syn), JSON.stringify(r)).toBeLessThanOrEqual(10);
    const wide = rows.filter((_, i) => OFF_GRID[i][0] >= 20);
    for (const r of wide) expect(pctOff(r.binary, r.syn), JSON.stringify(r)).toBeGreaterThan(25);
  }, 600_000);
});
