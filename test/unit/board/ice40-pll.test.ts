/**
 * ice40Pll against IceStorm's own `icepll` (installed with fpga-icestorm): the same
 * DIVR/DIVF/DIVQ/FILTER_RANGE and achieved frequency for outputs across the range, and
 * the cases where they differ on purpose (icepll's choice just outside 16–275 MHz).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ICE40_PLL_LIMITS, ice40FilterRange, ice40Pll } from '../../../server/src/flows/board/ice40-pll.js';
import { whichSync } from '../../../server/src/flows/tools.js';

const icepll = whichSync('icepll');

interface IcepllAnswer {
  achievedMHz: number;
  divr: number;
  divf: number;
  divq: number;
  filterRange: number;
}

/** icepll's printed configuration for `-i inMHz -o outMHz`. */
function askIcepll(inMHz: number, outMHz: number): IcepllAnswer {
  const text = execFileSync(icepll!, ['-i', String(inMHz), '-o', String(outMHz)], { encoding: 'utf8' });
  const num = (re: RegExp): number => {
    const m = re.exec(text);
    if (!m) throw new Error(`icepll printed no ${re.source}:\n${text}`);
    return Number(m[1]);
  };
  return {
    achievedMHz: num(/F_PLLOUT:\s*([\d.]+) MHz \(achieved\)/),
    divr: num(/DIVR:\s*(\d+)/),
    divf: num(/DIVF:\s*(\d+)/),
    divq: num(/DIVQ:\s*(\d+)/),
    filterRange: num(/FILTER_RANGE:\s*(\d+)/),
  };
}

// Round figures, figures with no exact setting, and both ends of the range.
const OUTPUTS = [
  16.5, 17, 18, 20, 24, 25, 30, 33.333, 36, 40, 42, 48, 50, 54, 60, 64, 65, 72, 75, 80, 90, 96, 100, 108, 120, 125, 133, 150, 180, 200, 204,
  250, 270,
];

describe.skipIf(!icepll)('ice40Pll matches icepll (12 MHz in, SIMPLE feedback)', () => {
  for (const f of OUTPUTS) {
    it(`${f} MHz`, () => {
      const want = askIcepll(12, f);
      const got = ice40Pll(12, f);
      expect(got).not.toBeNull();
      expect({ divr: got!.divr, divf: got!.divf, divq: got!.divq, filterRange: got!.filterRange }).toEqual({
        divr: want.divr,
        divf: want.divf,
        divq: want.divq,
        filterRange: want.filterRange,
      });
      // icepll prints three decimals.
      expect(got!.achievedMHz).toBeCloseTo(want.achievedMHz, 3);
      expect(got!.achievedMHz).toBeCloseTo((12 / (got!.divr + 1)) * (got!.divf + 1) * 2 ** -got!.divq, 9);
    });
  }

  it('from another reference clock (icepll -i 25)', () => {
    for (const f of [40, 48, 100, 125]) {
      const want = askIcepll(25, f);
      const got = ice40Pll(25, f)!;
      expect([got.divr, got.divf, got.divq, got.filterRange], `${f} MHz`).toEqual([want.divr, want.divf, want.divq, want.filterRange]);
    }
  });

  it('keeps the achieved output inside 16–275 MHz where icepll steps just outside', () => {
    // icepll checks only the request: 16 → 15.938, 275 → 276 MHz.
    expect(askIcepll(12, 16).achievedMHz).toBeLessThan(16);
    expect(askIcepll(12, 275).achievedMHz).toBeGreaterThan(275);
    const lo = ice40Pll(12, 16)!;
    const hi = ice40Pll(12, 275)!;
    expect(lo.achievedMHz).toBeCloseTo(16.125, 9);
    expect(hi.achievedMHz).toBeCloseTo(270, 9);
    for (const p of [lo, hi]) {
      expect(p.achievedMHz).toBeGreaterThanOrEqual(16);
      expect(p.achievedMHz).toBeLessThanOrEqual(275);
    }
  });

  it('has no configuration where icepll has none (outside 16–275 MHz)', () => {
    for (const f of [10, 12, 15, 15.99, 275.5, 300]) {
      expect(spawnSync(icepll!, ['-i', '12', '-o', String(f)]).status, `icepll -o ${f}`).not.toBe(0);
      expect(ice40Pll(12, f), `${f} MHz`).toBeNull();
    }
  });
});

describe('ice40Pll limits', () => {
  it('rejects a reference outside 10–133 MHz and non-numbers', () => {
    expect(ice40Pll(8, 48)).toBeNull();
    expect(ice40Pll(140, 48)).toBeNull();
    expect(ice40Pll(12, Number.NaN)).toBeNull();
    expect(ice40Pll(12, Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('every setting it returns is within every limit, and closest among all settings', () => {
    const L = ICE40_PLL_LIMITS;
    // Every output a 12 MHz reference can make (PFD 12 MHz: DIVR 0 only), enumerated apart.
    const outputs: number[] = [];
    for (let divf = 0; divf <= 127; divf++)
      for (let divq = 1; divq <= 6; divq++) {
        const vco = 12 * (divf + 1);
        if (vco >= L.vco.min && vco <= L.vco.max && vco / 2 ** divq >= L.out.min && vco / 2 ** divq <= L.out.max)
          outputs.push(vco / 2 ** divq);
      }
    for (let f = 16; f <= 275; f += 3.7) {
      const p = ice40Pll(12, f)!;
      const pfd = 12 / (p.divr + 1);
      const vco = pfd * (p.divf + 1);
      expect(pfd).toBeGreaterThanOrEqual(L.pfd.min);
      expect(pfd).toBeLessThanOrEqual(L.pfd.max);
      expect(vco).toBeGreaterThanOrEqual(L.vco.min);
      expect(vco).toBeLessThanOrEqual(L.vco.max);
      expect(p.achievedMHz).toBeGreaterThanOrEqual(L.out.min);
      expect(p.achievedMHz).toBeLessThanOrEqual(L.out.max);
      expect(p.filterRange).toBe(ice40FilterRange(pfd));
      expect(Math.abs(p.achievedMHz - f)).toBeCloseTo(Math.min(...outputs.map((o) => Math.abs(o - f))), 12);
    }
  });

  it('filter range from the PFD frequency, as icepll', () => {
    expect([10, 16.9, 17, 25.9, 26, 43.9, 44, 65.9, 66, 100.9, 101, 133].map(ice40FilterRange)).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    ]);
  });
});
