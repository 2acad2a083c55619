/**
 * NumPy dtype descriptors (`'<i4'`, `'|b1'`, `'>f8'`, …) and the subset of
 * them that the reader supports: every integer, bool and float dtype.
 */
import { NpyError } from './errors.js';

/** Normalized names of the supported dtypes. */
export type NpyDtype =
  'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float16' | 'float32' | 'float64';

export type DtypeKind = 'b' | 'i' | 'u' | 'f';

export interface DtypeInfo {
  name: NpyDtype;
  kind: DtypeKind;
  /** Bytes per element. */
  size: number;
}

/** A parsed descriptor: the dtype and the byte order of the stored data. */
export interface Descr extends DtypeInfo {
  littleEndian: boolean;
}

const TABLE: readonly DtypeInfo[] = [
  { name: 'bool', kind: 'b', size: 1 },
  { name: 'int8', kind: 'i', size: 1 },
  { name: 'uint8', kind: 'u', size: 1 },
  { name: 'int16', kind: 'i', size: 2 },
  { name: 'uint16', kind: 'u', size: 2 },
  { name: 'int32', kind: 'i', size: 4 },
  { name: 'uint32', kind: 'u', size: 4 },
  { name: 'int64', kind: 'i', size: 8 },
  { name: 'uint64', kind: 'u', size: 8 },
  { name: 'float16', kind: 'f', size: 2 },
  { name: 'float32', kind: 'f', size: 4 },
  { name: 'float64', kind: 'f', size: 8 },
];

export function dtypeInfo(name: NpyDtype): DtypeInfo {
  const info = TABLE.find((d) => d.name === name);
  if (!info) throw new NpyError(`unknown dtype '${String(name)}'`);
  return info;
}

export const SUPPORTED_DTYPES: readonly NpyDtype[] = TABLE.map((d) => d.name);

/** The byte order of this machine, used for NumPy's "native" order `=`. */
const NATIVE_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What NumPy calls the dtypes we refuse, so the message can name them. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  c: 'complex',
  F: 'complex64',
  D: 'complex128',
  G: 'complex256',
  g: 'long double',
  O: 'Python object',
  U: 'unicode string',
  S: 'byte string',
  a: 'byte string',
  V: 'void/raw bytes',
  M: 'datetime64',
  m: 'timedelta64',
};

/**
 * NumPy's one-letter type codes (`np.dtype('h')` is int16). Files written by
 * NumPy never use them, but hand-made headers may. `l`/`L` are left out: their
 * size depends on the platform that wrote the file.
 */
const CHAR_CODES: Record<string, NpyDtype> = {
  b: 'int8',
  B: 'uint8',
  h: 'int16',
  H: 'uint16',
  i: 'int32',
  I: 'uint32',
  q: 'int64',
  Q: 'uint64',
  e: 'float16',
  f: 'float32',
  d: 'float64',
};

const HINT = 'use an integer or float dtype';

/**
 * Parses a simple descriptor string as found in an .npy header.
 * Accepts an optional byte-order character (`<` `>` `|` `=`; none means
 * native, as in NumPy), then a kind and an item size (`i4`, `f2`, `b1`), or
 * the single-character bool code `?`.
 */
export function parseDescr(descr: string): Descr {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(.*)$/.exec(descr);
  if (!m) throw new NpyError(`unsupported dtype '${descr}': ${HINT}`);
  const order = m[1] ?? '';
  const kind = m[2] ?? '';
  const sizeText = m[3] ?? '';
  const rest = m[4] ?? '';

  const unsupported = UNSUPPORTED_KINDS[kind];
  if (unsupported !== undefined) {
    const bits = kind === 'c' && sizeText ? `${unsupported}${Number(sizeText) * 8}` : unsupported;
    throw new NpyError(`unsupported dtype '${descr}' (${bits}): ${HINT}`);
  }
  if (rest !== '') throw new NpyError(`unsupported dtype '${descr}': ${HINT}`);

  let info: DtypeInfo | undefined;
  if (kind === '?' && (sizeText === '' || sizeText === '1')) {
    info = dtypeInfo('bool');
  } else if (sizeText === '' && CHAR_CODES[kind] !== undefined) {
    info = dtypeInfo(CHAR_CODES[kind]);
  } else if (kind === 'b' || kind === 'i' || kind === 'u' || kind === 'f') {
    const size = Number(sizeText);
    info = TABLE.find((d) => d.kind === kind && d.size === size);
    if (!info) {
      const what = kind === 'f' ? 'floats' : kind === 'b' ? 'bools' : 'integers';
      const sizes = TABLE.filter((d) => d.kind === kind).map((d) => d.size);
      const list = sizes.length > 1 ? `${sizes.slice(0, -1).join(', ')} or ${sizes[sizes.length - 1]}` : `${sizes[0]}`;
      throw new NpyError(
        `unsupported dtype '${descr}': ${what} of ${sizeText || 'unspecified'} bytes are not supported; use ${list} bytes`,
      );
    }
  }
  if (!info) throw new NpyError(`unsupported dtype '${descr}': ${HINT}`);

  // Single-byte types have no byte order; '<' / '>' on them is harmless.
  const littleEndian = order === '<' ? true : order === '>' ? false : NATIVE_LITTLE;
  return { ...info, littleEndian };
}

/** The descriptor `writeNpy` stores: little-endian, `|` for single bytes (as NumPy writes). */
export function descrOf(name: NpyDtype): string {
  const info = dtypeInfo(name);
  return `${info.size === 1 ? '|' : '<'}${info.kind}${info.size}`;
}
