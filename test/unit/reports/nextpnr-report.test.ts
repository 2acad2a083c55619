/** nextpnr-ice40 `--report` JSON (samples generated here: test/data/reports/README.md). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../server/src/flows/reports/detect.js';
import { parseNextpnrReport } from '../../../server/src/flows/reports/nextpnr-report.js';
import type { NextpnrReport } from '../../../server/src/flows/reports/types.js';

const read = (f: string): NextpnrReport =>
  parseReport(readFileSync(path.resolve(__dirname, '../../data/reports', f), 'utf8')) as NextpnrReport;

describe('nextpnr-ice40 --report', () => {
  it('at 48 MHz: fmax 99.35 MHz passes; logic cells, EBRs and SB_MAC16 of the UP5K with their capacities', () => {
    const r = read('tiny-up5k-48mhz.nextpnr.json');
    expect(r.kind).toBe('nextpnr-report');
    expect(r.arch).toBe('ice40');
    expect(r.clocks).toEqual([{ name: 'clk$SB_IO_IN_$glb_clk', fmax_mhz: 99.354, constraint_mhz: 48, met: true }]);
    expect(r.met).toBe(true);
    expect(r).toMatchObject({ lut: 50, ff: null, bram18: 1, dsp: 1, uram: null });
    expect(r.available).toEqual({ lut: 5280, ff: null, bram18: 30, dsp: 8, uram: null });
  });

  it('at 150 MHz the same design fails: met false', () => {
    const r = read('tiny-up5k-150mhz.nextpnr.json');
    expect(r.clocks[0]).toMatchObject({ constraint_mhz: 150, met: false });
    expect(r.met).toBe(false);
  });

  it('critical paths: one per clock pair, delay the sum of their steps, the register-to-register one within 1/fmax', () => {
    const r = read('tiny-up5k-48mhz.nextpnr.json');
    expect(r.critical_paths.map((p) => [p.from, p.to])).toEqual([
      ['posedge clk$SB_IO_IN_$glb_clk', 'posedge clk$SB_IO_IN_$glb_clk'],
      ['<async>', 'posedge clk$SB_IO_IN_$glb_clk'],
      ['posedge clk$SB_IO_IN_$glb_clk', '<async>'],
    ]);
    for (const p of r.critical_paths)
      expect(p.delay_ns).toBeCloseTo(
        p.steps.reduce((a, s) => a + s.delay_ns, 0),
        2,
      );
    const reg = r.critical_paths[0];
    expect(reg.steps.map((s) => s.type)).toEqual(['clk-to-q', 'routing', 'logic', 'routing', 'logic', 'routing', 'setup']);
    expect(reg.delay_ns).toBeCloseTo(1000 / 99.354, 1);
  });

  it('a clock without a constraint: met null; a non-iCE40 report: no LUT/BRAM/DSP mapping', () => {
    const r = parseNextpnrReport({
      fmax: { clk: { achieved: 120.5 } },
      utilization: { TRELLIS_SLICE: { used: 3, available: 100 } },
      critical_paths: [],
    });
    expect(r).toMatchObject({ arch: null, met: null, lut: null, bram18: null, dsp: null, available: null });
    expect(r.clocks[0]).toEqual({ name: 'clk', fmax_mhz: 120.5, constraint_mhz: null, met: null });
  });

  it('a malformed utilisation entry is refused, not read as zero', () => {
    expect(() => parseNextpnrReport({ fmax: {}, utilization: { ICESTORM_LC: { used: '5' } } })).toThrow(/numeric/);
  });
});
