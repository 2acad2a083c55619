/** Integer types of the language (language.md §3): names, ranges and encodings. */
import type { QType } from './types.js';

/** Parses `u8`, `i4`, `bipolar`, `pow2<3>`; returns undefined for anything else. */
export function parseTypeName(name: string): QType | undefined {
  const m = /^([ui])([0-9]+)$/.exec(name);
  if (!m) return name === 'bipolar' ? { kind: 'bipolar' } : undefined;
  const bits = Number(m[2]);
  return m[1] === 'u' ? { kind: 'uint', bits } : { kind: 'int', bits };
}

/** Widest pow2 weight type: pow2<5> holds 0 and ±2^0 … ±2^14. */
export const MAX_POW2_BITS = 5;
/** Widest declared accumulator (`acc=iK`): values stay exact integers in the golden model. */
export const MAX_ACC_BITS = 48;

/** Why a type is out of the language's range (uN: 1..16, iN: 2..16, pow2<N>: 2..16), or undefined. */
export function typeRangeError(t: QType): string | undefined {
  switch (t.kind) {
    case 'uint':
      return t.bits >= 1 && t.bits <= 16 ? undefined : `u${t.bits} is out of range: uN takes N from 1 to 16`;
    case 'int':
      return t.bits >= 2 && t.bits <= 16 ? undefined : `i${t.bits} is out of range: iN takes N from 2 to 16`;
    case 'pow2':
      // pow2<6> would already reach 2^30: exponents that large are no longer a shift-add.
      return t.bits >= 2 && t.bits <= MAX_POW2_BITS
        ? undefined
        : `pow2<${t.bits}> is out of range: pow2<N> takes N from 2 to ${MAX_POW2_BITS} (magnitudes up to 2^${2 ** (MAX_POW2_BITS - 1) - 2})`;
    case 'bipolar':
      return undefined;
  }
}

export function typeName(t: QType): string {
  switch (t.kind) {
    case 'uint':
      return `u${t.bits}`;
    case 'int':
      return `i${t.bits}`;
    case 'bipolar':
      return 'bipolar';
    case 'pow2':
      return `pow2<${t.bits}>`;
  }
}

/** Bits of one element on a stream or in a memory. */
export function typeBits(t: QType): number {
  return t.kind === 'bipolar' ? 1 : t.bits;
}

export function typeMin(t: QType): number {
  switch (t.kind) {
    case 'uint':
      return 0;
    case 'int':
      return -(2 ** (t.bits - 1));
    case 'bipolar':
      return -1;
    case 'pow2':
      return -pow2MaxMagnitude(t.bits);
  }
}

export function typeMax(t: QType): number {
  switch (t.kind) {
    case 'uint':
      return 2 ** t.bits - 1;
    case 'int':
      return 2 ** (t.bits - 1) - 1;
    case 'bipolar':
      return 1;
    case 'pow2':
      return pow2MaxMagnitude(t.bits);
  }
}

/** pow2<N>: magnitudes 2^e for 0 ≤ e ≤ r−1 with r = 2^(N−1)−1. */
export function pow2MaxMagnitude(bits: number): number {
  const r = 2 ** (bits - 1) - 1;
  return 2 ** (r - 1);
}

export function isSigned(t: QType): boolean {
  return t.kind !== 'uint';
}

/** Whether v is a value of type t (for pow2: 0 or ±2^e in range; bipolar: ±1). */
export function fitsType(v: number, t: QType): boolean {
  if (!Number.isInteger(v)) return false;
  if (t.kind === 'bipolar') return v === 1 || v === -1;
  if (t.kind === 'pow2') return v === 0 || (isPowerOfTwo(Math.abs(v)) && Math.abs(v) <= pow2MaxMagnitude(t.bits));
  return v >= typeMin(t) && v <= typeMax(t);
}

/** v is 2^k for an integer k ≥ 0. */
export function isPowerOfTwo(v: number): boolean {
  return v >= 1 && Number.isInteger(Math.log2(v));
}

/** Every value of a type, ascending (used by seeded random weights: uniform over these). */
export function typeValues(t: QType): number[] {
  if (t.kind === 'bipolar') return [-1, 1];
  if (t.kind === 'pow2') {
    const mags: number[] = [];
    for (let m = 1; m <= pow2MaxMagnitude(t.bits); m *= 2) mags.push(m);
    return [...mags.map((m) => -m).reverse(), 0, ...mags];
  }
  const out: number[] = [];
  for (let v = typeMin(t); v <= typeMax(t); v++) out.push(v);
  return out;
}

/** The bit pattern of value v of type t (an unsigned integer of typeBits(t) bits). */
export function encodeValue(v: number, t: QType): number {
  const bits = typeBits(t);
  switch (t.kind) {
    case 'bipolar':
      return v > 0 ? 1 : 0;
    case 'pow2': {
      if (v === 0) return 0;
      const k = Math.log2(Math.abs(v)) + 1;
      return (v < 0 ? 1 << (bits - 1) : 0) | k;
    }
    case 'uint':
      return v;
    case 'int':
      return v < 0 ? v + 2 ** bits : v;
  }
}

/** The value of bit pattern p of type t (inverse of encodeValue). */
export function decodeValue(p: number, t: QType): number {
  const bits = typeBits(t);
  switch (t.kind) {
    case 'bipolar':
      return p & 1 ? 1 : -1;
    case 'pow2': {
      const k = p & ((1 << (bits - 1)) - 1);
      const mag = k === 0 ? 0 : 2 ** (k - 1);
      return p >> (bits - 1) ? -mag : mag;
    }
    case 'uint':
      return p;
    case 'int':
      return p >= 2 ** (bits - 1) ? p - 2 ** bits : p;
  }
}

/** Smallest signed width holding [min, max]. */
export function signedBitsFor(min: number, max: number): number {
  let bits = 2;
  while (-(2 ** (bits - 1)) > min || 2 ** (bits - 1) - 1 < max) bits++;
  return bits;
}

export function sameType(a: QType, b: QType): boolean {
  return typeName(a) === typeName(b);
}
