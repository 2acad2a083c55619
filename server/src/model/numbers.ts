/** Number literals of the language: decimals with an optional SI suffix (k, M, G). */

const SI: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9 };

/** Value of a NUMBER token such as `5k`, `0.0117`, `2.5M`, `1e-3`. */
export function parseNumberLiteral(text: string): number {
  const last = text[text.length - 1];
  const mult = SI[last];
  const base = mult ? text.slice(0, -1) : text;
  const v = Number(base);
  // 2.5M must be exactly 2500000, not 2499999.9999999995.
  return mult ? Math.round(v * mult * 1e6) / 1e6 : v;
}

export const FREQ_UNITS: Record<string, number> = { Hz: 1, kHz: 1e3, MHz: 1e6, GHz: 1e9 };

/** Compact human form: 5000 → "5k", 12300000 → "12.3M". */
export function formatSI(v: number, digits = 3): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(digits)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(digits)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(digits)}k`;
  return `${+v.toPrecision(Math.max(digits, 4))}`;
}
