/**
 * Stream words (docs/engines-contract.md): a word carries `elemsPerWord`
 * elements of `elemBits` bits, element 0 in the least significant bits
 * (element i is tdata[i*BITS +: BITS]). Words are bigints, so any width works.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeValue, encodeValue } from '../../model/qtype.js';
import type { QType } from '../../model/types.js';

/** How an element's bits encode its value (language.md §3): `uint` unsigned, `int` two's complement, `bipolar` 1 bit (0 → −1, 1 → +1), `pow2` sign + exponent code. */
export type ElemEncoding = 'uint' | 'int' | 'bipolar' | 'pow2';

function qtypeOf(encode: ElemEncoding | QType, elemBits: number): QType {
  const kind = typeof encode === 'string' ? encode : encode.kind;
  switch (kind) {
    case 'bipolar':
      if (elemBits !== 1) throw new RangeError(`bipolar elements are 1 bit wide, not ${elemBits}`);
      return { kind: 'bipolar' };
    case 'uint':
    case 'int':
    case 'pow2':
      return { kind, bits: elemBits };
  }
}

function checkShape(elemBits: number, elemsPerWord: number): void {
  if (!Number.isInteger(elemBits) || elemBits < 1 || elemBits > 53)
    throw new RangeError(`elemBits must be an integer from 1 to 53, not ${elemBits}`);
  if (!Number.isInteger(elemsPerWord) || elemsPerWord < 1)
    throw new RangeError(`elemsPerWord must be a positive integer, not ${elemsPerWord}`);
}

/** Bit pattern (0 ≤ p < 2^bits) of one element; throws RangeError if v is not a value of the encoding. */
export function encodeElem(v: number, elemBits: number, encode: ElemEncoding | QType = 'int'): number {
  if (!Number.isInteger(v)) throw new RangeError(`${v} is not an integer`);
  const t = qtypeOf(encode, elemBits);
  const lim = 2 ** elemBits;
  let ok: boolean;
  switch (t.kind) {
    case 'uint':
      ok = v >= 0 && v < lim;
      break;
    case 'int':
      ok = v >= -lim / 2 && v < lim / 2;
      break;
    case 'bipolar':
      ok = v === 1 || v === -1;
      break;
    case 'pow2': {
      const a = Math.abs(v);
      const maxK = 2 ** (elemBits - 1) - 1; // codes 1..maxK are magnitudes 2^(k-1)
      ok = v === 0 || (Number.isInteger(Math.log2(a)) && Math.log2(a) + 1 <= maxK);
      break;
    }
  }
  if (!ok) throw new RangeError(`${v} is not a ${t.kind === 'bipolar' ? 'bipolar' : `${t.kind}${elemBits}`} value`);
  return encodeValue(v, t);
}

/** The value of an element's bit pattern. */
export function decodeElem(p: number, elemBits: number, encode: ElemEncoding | QType = 'int'): number {
  return decodeValue(p, qtypeOf(encode, elemBits));
}

/**
 * Packs decoded element values into stream words: word w holds values
 * [w·E, (w+1)·E), value w·E + i in bits [i·elemBits, (i+1)·elemBits).
 * `values.length` must be a multiple of `elemsPerWord`.
 */
export function packWords(
  values: readonly number[],
  elemBits: number,
  elemsPerWord: number,
  encode: ElemEncoding | QType = 'int',
): bigint[] {
  checkShape(elemBits, elemsPerWord);
  if (values.length % elemsPerWord !== 0) {
    throw new RangeError(`${values.length} values do not fill whole words of ${elemsPerWord} elements`);
  }
  const out: bigint[] = [];
  const b = BigInt(elemBits);
  for (let w = 0; w < values.length / elemsPerWord; w++) {
    let word = 0n;
    for (let i = elemsPerWord - 1; i >= 0; i--) {
      const k = w * elemsPerWord + i;
      let p: number;
      try {
        p = encodeElem(values[k]!, elemBits, encode);
      } catch (e) {
        throw new RangeError(`value ${k}: ${(e as Error).message}`);
      }
      word = (word << b) | BigInt(p);
    }
    out.push(word);
  }
  return out;
}

/** Inverse of {@link packWords}: decoded element values, word 0 element 0 first. */
export function unpackWords(
  words: readonly bigint[],
  elemBits: number,
  elemsPerWord: number,
  encode: ElemEncoding | QType = 'int',
): number[] {
  checkShape(elemBits, elemsPerWord);
  const t = qtypeOf(encode, elemBits);
  const b = BigInt(elemBits);
  const mask = (1n << b) - 1n;
  const out: number[] = [];
  for (const word of words) {
    if (word < 0n) throw new RangeError(`stream words are unsigned, got ${word}`);
    let x = word;
    for (let i = 0; i < elemsPerWord; i++) {
      out.push(decodeValue(Number(x & mask), t));
      x >>= b;
    }
  }
  return out;
}

/** Hex digits of a word zero-padded to `width` bits (no prefix). */
export function wordToHex(word: bigint, width: number): string {
  if (word < 0n || word >> BigInt(width) !== 0n) throw new RangeError(`word 0x${word.toString(16)} does not fit in ${width} bits`);
  return word.toString(16).padStart(Math.max(1, Math.ceil(width / 4)), '0');
}

/** A `$readmemh`/testbench input file: one hex word per line, word 0 first. */
export function writeHexFile(file: string, words: readonly bigint[], width: number): void {
  writeFileSync(file, words.map((w) => wordToHex(w, width) + '\n').join(''));
}

/** Reads one hex word per line (blank lines and `//` comments skipped). */
export function readHexFile(file: string): bigint[] {
  const out: bigint[] = [];
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw
      .replace(/\/\/.*$/, '')
      .trim()
      .replace(/_/g, '');
    if (line === '') continue;
    if (!/^[0-9a-fA-F]+$/.test(line)) throw new Error(`${file}: "${raw}" is not a hex word`);
    out.push(BigInt('0x' + line));
  }
  return out;
}
