/**
 * LUT multipliers against Yosys (a registered w × a product alone, written as qnn_mvau
 * writes its int lanes; test/synth/calibration/multipliers.ts synthesises it, cached):
 *
 * - inside the measured table (signed and unsigned weights of 2 to 8 bits times inputs of 1 to 8 bits,
 *   calibration.json `lutMultipliers`, written by `npm run calibrate`): the committed counts
 *   are what this Yosys builds, on every coefficient set, checked on a sample of products;
 *   a table from another Yosys, or edited by hand, fails here;
 * - beyond it, the formula (cost/resources.ts `lutMultiplierLuts`: a·b + 2·(a − 2)·(b − 2)
 *   LUT6), which prices the wider products (a per-channel requant's x · M, a slice left over
 *   from a DSP split, a wide `mul=lut` lane). Measured with Yosys 0.23 (2026-12-04, xc7):
 *   within 13 % on the cases below (i16 × i16: 648 for 571 built); FINN-R's
 *   (2⌈(a+b)/6⌉ − 1)·(a+b) is 38 % under on i16 × i16 (352).
 *
 * About 3 min cold (71 small syntheses on 2 cores; 2.5 min for 59, measured beside another Yosys job).
 */
import { describe, expect, it } from 'vitest';
import { COST_CONSTANTS, lutMultiplierKey, lutMultiplierLuts } from '../../server/src/cost/resources.js';
import { findTool } from '../../server/src/flows/tools.js';
import { productLuts } from './calibration/multipliers.js';
import type { SynthFamily } from './calibration/synth.js';

/** [weight bits, input bits, input signed, weight signed (default true)]: inside the table. */
const TABLE_SAMPLE: [number, number, boolean, boolean?][] = [
  [4, 4, false, false],
  [2, 6, true, false],
  [5, 3, false, false],
  [8, 8, true, false],
  [2, 1, false],
  [2, 4, false],
  [3, 4, false],
  [3, 3, true],
  [3, 8, false],
  [4, 4, false],
  [4, 4, true],
  [4, 8, true],
  [5, 4, false],
  [5, 5, false],
  [6, 6, true],
  [7, 3, false],
  [8, 2, false],
  [8, 5, true],
  [8, 8, false],
  [8, 8, true],
  [6, 7, false],
];

/** Beyond the table, where the formula prices the product. */
const WIDE: [number, number, boolean][] = [
  [4, 12, false],
  [8, 12, true],
  [10, 8, false],
  [12, 12, true],
  [16, 4, false],
  [16, 16, true],
  [3, 16, false],
  [9, 9, true],
];

const finnR = (a: number, b: number): number => (2 * Math.ceil((a + b) / 6) - 1) * (a + b);
const pctOff = (est: number, syn: number): number => (100 * Math.abs(est - syn)) / syn;
const median = (xs: number[]): number => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

describe.skipIf(!findTool('yosys'))('LUT multipliers against Yosys', () => {
  for (const family of ['xilinx', 'xcup', 'ice40'] as SynthFamily[]) {
    it(`the measured table (${family}) is what Yosys builds`, async () => {
      const table = COST_CONSTANTS.lutMultipliers[family];
      const built = await Promise.all(TABLE_SAMPLE.map(([w, a, s, ws = true]) => productLuts(w, ws, a, s, family)));
      const rows = TABLE_SAMPLE.map(([w, a, s, ws = true], i) => ({
        key: lutMultiplierKey(w, ws, a, s),
        table: table[lutMultiplierKey(w, ws, a, s)],
        yosys: built[i],
      }));
      expect(rows.filter((r) => r.table !== r.yosys)).toEqual([]);
    }, 600_000);
  }

  it('beyond the table the formula follows Yosys (synth_xilinx -nodsp), FINN-R’s does not', async () => {
    const built = await Promise.all(WIDE.map(([w, a, s]) => productLuts(w, true, a, s, 'xilinx')));
    const rows = WIDE.map(([w, a, s], i) => ({
      what: `i${w} × ${s ? 'i' : 'u'}${a}`,
      syn: built[i],
      est: lutMultiplierLuts(w, a),
      finn: finnR(w, a),
    }));
    const errs = rows.map((r) => pctOff(r.est, r.syn));
    const finnErrs = rows.map((r) => pctOff(r.finn, r.syn));
    console.log(rows.map((r) => `${r.what}: Yosys ${r.syn}, formula ${r.est}, FINN-R ${r.finn}`).join('\n'));
    expect(median(errs), JSON.stringify(rows)).toBeLessThanOrEqual(10);
    expect(Math.max(...errs), JSON.stringify(rows)).toBeLessThanOrEqual(15);
    expect(median(errs)).toBeLessThan(median(finnErrs));
  }, 600_000);
});
