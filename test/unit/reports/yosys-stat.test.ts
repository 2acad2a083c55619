/**
 * Yosys `stat` (text and -json) on samples this project generated (test/data/reports/,
 * README there): cells by type and the LUT/FF/BRAM18/DSP counts per family.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../server/src/flows/reports/detect.js';
import { countResources, parseYosysStatJson, parseYosysStatText } from '../../../server/src/flows/reports/yosys-stat.js';
import type { YosysStat } from '../../../server/src/flows/reports/types.js';

const data = (f: string): string => readFileSync(path.resolve(__dirname, '../../data/reports', f), 'utf8');
const stat = (f: string): YosysStat => {
  const r = parseReport(data(f));
  expect(r.kind).toBe('yosys-stat');
  return r as YosysStat;
};

describe('Yosys stat, iCE40 (synth_ice40 -dsp of tiny.v)', () => {
  it('text and -json agree: 22 SB_LUT4, 34 SB_DFF, 1 EBR, 1 SB_MAC16; SB_CARRY is not counted', () => {
    const text = stat('tiny-ice40.stat.txt');
    const json = stat('tiny-ice40.stat.json');
    expect(text.format).toBe('text');
    expect(json.format).toBe('json');
    for (const r of [text, json]) {
      expect(r).toMatchObject({
        top: 'tiny',
        family: 'ice40',
        num_cells: 64,
        lut: 22,
        ff: 34,
        bram18: 1,
        ebr: 1,
        dsp: 1,
        spram: 0,
        uram: null,
      });
      expect(r.cells).toEqual({ SB_CARRY: 6, SB_DFF: 34, SB_LUT4: 22, SB_MAC16: 1, SB_RAM40_4K: 1 });
      expect(r.uncounted).toEqual(['SB_CARRY']);
    }
  });

  it('-noflatten: the totals are the design hierarchy’s (the SB_MAC16 inside mac counts), per-module cells kept', () => {
    for (const f of ['tiny-ice40-noflatten.stat.txt', 'tiny-ice40-noflatten.stat.json']) {
      const r = stat(f);
      expect(r).toMatchObject({ top: 'tiny', lut: 22, ff: 34, bram18: 1, dsp: 1, num_cells: 64 });
      expect(r.cells.mac).toBeUndefined();
      expect(r.modules).toEqual({ mac: { SB_MAC16: 1 }, tiny: { SB_CARRY: 6, SB_DFF: 34, SB_LUT4: 22, SB_RAM40_4K: 1, mac: 1 } });
    }
  });
});

describe('Yosys stat, Xilinx (synth_xilinx -family xc7)', () => {
  it('tiny.v: the RAM becomes 8 RAM256X1S (4 LUTs each) plus an INV: 33 LUTs, 16 FDRE, 1 DSP48E1', () => {
    for (const f of ['tiny-xc7.stat.txt', 'tiny-xc7.stat.json']) {
      expect(stat(f)).toMatchObject({
        family: 'xilinx',
        lut: 8 * 4 + 1,
        ff: 16,
        bram18: 0,
        dsp: 1,
        uram: 0,
        uncounted: ['BUFG', 'CARRY4', 'IBUF', 'OBUF'],
      });
    }
  });

  it('the peak detector example: LUT1..6, INV and RAM32M (4 LUTs) are LUTs, FDRE+FDSE are FFs, 28 DSP48E1', () => {
    const text = stat('peak_detector-xc7.stat.txt');
    const json = stat('peak_detector-xc7.stat.json');
    expect(json).toEqual({ ...text, format: 'json' });
    const c = text.cells;
    expect(text.top).toBe('peak_detector_top');
    expect(text.lut).toBe(c.LUT2 + c.LUT3 + c.LUT4 + c.LUT5 + c.LUT6 + c.INV + 4 * c.RAM32M);
    expect(text.ff).toBe(c.FDRE + c.FDSE);
    expect(text.dsp).toBe(28);
    expect(text.num_cells).toBe(Object.values(c).reduce((a, b) => a + b, 0));
  });
});

describe('countResources', () => {
  it('a RAMB36 (or FIFO36) is 2 BRAM18, a RAMB18 (or FIFO18) 1; every FD*/LD* is a register; URAM288 counts', () => {
    const r = countResources({
      RAMB36E1: 3,
      RAMB18E1: 1,
      FIFO36E1: 1,
      FIFO18E1: 1,
      FDCE: 2,
      FDPE: 1,
      FDRE_1: 1,
      LDCE: 1,
      URAM288: 2,
      DSP48E2: 4,
      LUT6_2: 5,
      SRLC32E: 2,
    });
    expect(r).toMatchObject({ family: 'xilinx', bram18: 3 * 2 + 1 + 2 + 1, ff: 5, uram: 2, dsp: 4, lut: 7 });
  });

  it('iCE40 RAM variants are EBRs; SPRAM is counted apart', () => {
    expect(countResources({ SB_RAM40_4KNR: 2, SB_RAM40_4K: 1, SB_SPRAM256KA: 2, SB_DFFESR: 3, SB_DFF: 1 })).toMatchObject({
      family: 'ice40',
      ebr: 3,
      bram18: 3,
      spram: 2,
      ff: 4,
      lut: 0,
    });
  });

  it('a design not mapped to either family has no counts, never zeros', () => {
    expect(countResources({ $_AND_: 4, $_DFF_P_: 2 })).toEqual({
      family: null,
      lut: null,
      ff: null,
      bram18: null,
      dsp: null,
      uram: null,
      uncounted: ['$_AND_', '$_DFF_P_'],
    });
  });
});

// The layout of later Yosys releases (count before name), written here by hand after it.
const NEW_LAYOUT = `
=== counter ===

        8 wires
       17 wire bits
        3 ports
        6 port bits
       10 cells
        4   SB_DFF
        5   SB_LUT4
        1   SB_CARRY
`;

describe('Yosys stat text layouts', () => {
  it('the count-first layout of later releases reads the same', () => {
    expect(parseYosysStatText(NEW_LAYOUT)).toMatchObject({
      top: 'counter',
      num_cells: 10,
      cells: { SB_DFF: 4, SB_LUT4: 5, SB_CARRY: 1 },
      lut: 5,
      ff: 4,
    });
  });

  it('in a whole log the last statistics are the ones read', () => {
    const earlier = data('tiny-ice40.stat.txt').replace(/SB_LUT4\s+22/, 'SB_LUT4   999');
    const log = `${earlier}\n5. Executing something else.\n${data('tiny-ice40.stat.txt')}`;
    expect(parseYosysStatText(log).lut).toBe(22);
  });

  it('several modules without a design hierarchy: totals unknown (null), with the reason', () => {
    const text = data('tiny-ice40-noflatten.stat.txt').split('=== design hierarchy ===')[0];
    const r = parseYosysStatText(text);
    expect(r).toMatchObject({ top: null, lut: null, ff: null, num_cells: null, family: null });
    expect(r.note).toMatch(/no design hierarchy/);
    expect(Object.keys(r.modules!)).toEqual(['mac', 'tiny']);
  });

  it('a non-numeric count in -json is refused', () => {
    expect(() => parseYosysStatJson({ modules: { '\\t': { num_cells_by_type: { SB_LUT4: 'x' } } } })).toThrow(/not a number/);
  });
});
