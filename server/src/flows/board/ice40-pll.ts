/**
 * The iCE40 PLL (SB_PLL40_PAD / SB_PLL40_CORE) in SIMPLE feedback: the divider settings
 * for an output clock, searched as IceStorm's `icepll` searches them (the same loops in
 * the same order, the same floating-point arithmetic, the first closest output kept).
 *
 *   f_pfd = f_in / (DIVR + 1)        10 … 133 MHz
 *   f_vco = f_pfd · (DIVF + 1)       533 … 1066 MHz
 *   f_out = f_vco / 2^DIVQ           16 … 275 MHz
 *
 * One difference: icepll checks only the *requested* output against 16–275 MHz and may
 * then pick an achieved output just outside it (16 MHz from 12 MHz: icepll gives
 * 15.9375); here the achieved output must be inside too (16.125 MHz), as the iCE40 sysCLOCK
 * PLL guide requires.
 */

export interface Ice40Pll {
  /** Reference divider, 0–15 (DIVR). */
  divr: number;
  /** Feedback divider, 0–127 (DIVF). */
  divf: number;
  /** Output divider exponent, 1–6 (DIVQ). */
  divq: number;
  /** Loop filter setting, 1–6 (FILTER_RANGE), from the PFD frequency. */
  filterRange: number;
  /** The output frequency these settings give, MHz. */
  achievedMHz: number;
}

/** The PLL's limits, MHz (iCE40 sysCLOCK PLL design guide; icepll's constants). */
export const ICE40_PLL_LIMITS = {
  in: { min: 10, max: 133 },
  pfd: { min: 10, max: 133 },
  vco: { min: 533, max: 1066 },
  out: { min: 16, max: 275 },
} as const;

const inside = (f: number, r: { min: number; max: number }): boolean => f >= r.min && f <= r.max;

/** icepll's filter range for a PFD frequency. */
export function ice40FilterRange(pfdMHz: number): number {
  return pfdMHz < 17 ? 1 : pfdMHz < 26 ? 2 : pfdMHz < 44 ? 3 : pfdMHz < 66 ? 4 : pfdMHz < 101 ? 5 : 6;
}

/**
 * The SIMPLE-feedback settings whose output is closest to `outMHz` from an `inMHz`
 * reference, or null when the PLL cannot make it: the input outside 10–133 MHz, the
 * requested output outside 16–275 MHz, or no setting within every limit.
 */
export function ice40Pll(inMHz: number, outMHz: number): Ice40Pll | null {
  const L = ICE40_PLL_LIMITS;
  if (!Number.isFinite(inMHz) || !Number.isFinite(outMHz)) return null;
  if (!inside(inMHz, L.in) || !inside(outMHz, L.out)) return null;
  let best: Omit<Ice40Pll, 'filterRange'> | null = null;
  for (let divr = 0; divr <= 15; divr++) {
    const pfd = inMHz / (divr + 1);
    if (!inside(pfd, L.pfd)) continue;
    for (let divf = 0; divf <= 127; divf++) {
      const vco = pfd * (divf + 1);
      if (!inside(vco, L.vco)) continue;
      for (let divq = 1; divq <= 6; divq++) {
        const out = vco * 2 ** -divq;
        if (!inside(out, L.out)) continue;
        // Strictly closer: ties keep the first found, as icepll does.
        if (best === null || Math.abs(out - outMHz) < Math.abs(best.achievedMHz - outMHz)) best = { divr, divf, divq, achievedMHz: out };
      }
    }
  }
  if (best === null) return null;
  return { ...best, filterRange: ice40FilterRange(inMHz / (best.divr + 1)) };
}
