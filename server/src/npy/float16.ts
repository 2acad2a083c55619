/**
 * IEEE 754 binary16 ("half", NumPy float16) conversion. Node 20 has no
 * DataView.getFloat16, so it is done by hand.
 */

/** Decodes 16 bits to the exact number they represent. */
export function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Rounds half to even; exact here because x is a scaled double with few fraction bits. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Encodes a number to binary16, rounding to nearest even as NumPy does. */
export function numberToFloat16(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // Subnormal: a multiple of 2^-24. Rounding up to 1024 gives 0x0400, the
    // smallest normal, which is the right bit pattern.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  // log2 can be off by one near powers of two; fix it exactly.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00; // overflow: ≥ 65520 rounds to infinity
  return sign | ((e + 15) << 10) | m;
}
