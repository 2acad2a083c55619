/**
 * The .npy header: magic, version, header length, and the header dict.
 *
 * Layout (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *   bytes 0-5   "\x93NUMPY"
 *   byte  6, 7  major, minor version (1.0, 2.0 or 3.0)
 *   then        header length: uint16 LE (v1) or uint32 LE (v2, v3)
 *   then        the header: repr() of a dict, latin-1 (v1, v2) or UTF-8 (v3),
 *               padded with spaces and ended by '\n'
 *   then        the data
 */
import { NpyError } from './errors.js';
import { parseDescr, type Descr } from './dtype.js';
import { parsePyLiteral, type PyValue } from './pyliteral.js';

export const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  version: [number, number];
  descr: Descr;
  /** The descriptor string as written in the file, e.g. '<i4'. */
  descrText: string;
  fortranOrder: boolean;
  shape: number[];
  /** Number of elements (1 for a 0-d array). */
  count: number;
  /** Byte offset of the first data byte. */
  dataOffset: number;
}

export function readHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError('not a .npy file (bad magic): a .npy file starts with the bytes \\x93NUMPY; save the array with numpy.save');
  }
  const major = bytes[6] ?? 0;
  const minor = bytes[7] ?? 0;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new NpyError(`unsupported .npy format version ${major}.${minor}: versions 1.0, 2.0 and 3.0 are supported`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new NpyError('truncated: the file ends inside the header length');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const dataOffset = start + headerLen;
  if (dataOffset > bytes.length) {
    throw new NpyError(`truncated: the header should be ${headerLen} bytes, the file holds ${bytes.length - start}`);
  }
  // Version 3.0 exists only to allow UTF-8 in the header (field names).
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, dataOffset));
  return { version: [major, minor], dataOffset, ...parseHeaderDict(text) };
}

function parseHeaderDict(text: string): Omit<NpyHeader, 'version' | 'dataOffset'> {
  const dict = parsePyLiteral(text);
  if (dict === null || typeof dict !== 'object' || dict.kind !== 'dict') {
    throw new NpyError("malformed header: it is not a dict; expected {'descr': ..., 'fortran_order': ..., 'shape': ...}");
  }
  const get = (key: string): PyValue => {
    if (!dict.entries.has(key)) {
      throw new NpyError(`malformed header: the key '${key}' is missing; a header has 'descr', 'fortran_order' and 'shape'`);
    }
    return dict.entries.get(key) ?? null;
  };

  const descrValue = get('descr');
  if (typeof descrValue !== 'string') {
    // A list of (name, type) pairs: a record array.
    if (descrValue !== null && typeof descrValue === 'object' && descrValue.kind === 'list') {
      throw new NpyError(
        'unsupported dtype: a structured (record) dtype with named fields; save a plain integer or float array (e.g. one file per field)',
      );
    }
    throw new NpyError(`malformed header: 'descr' is not a dtype string; expected e.g. '<i4'`);
  }
  const descr = parseDescr(descrValue);

  const fortranOrder = get('fortran_order');
  if (typeof fortranOrder !== 'boolean') {
    throw new NpyError("malformed header: 'fortran_order' should be True or False");
  }

  const shapeValue = get('shape');
  const dims = shapeValue !== null && typeof shapeValue === 'object' && shapeValue.kind === 'tuple' ? shapeValue.items : undefined;
  if (!dims || !dims.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError("malformed header: 'shape' should be a tuple of non-negative integers, e.g. (2, 3)");
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count)) throw new NpyError(`array too large: shape (${dims.join(', ')})`);

  return { descr, descrText: descrValue, fortranOrder, shape: dims, count };
}

/**
 * Builds a version 1.0 header byte for byte as NumPy's `np.save` does: sorted
 * keys, `repr()` values, 21 - len(repr(shape[0])) spare spaces (room to grow
 * the first axis in place), then spaces and '\n' up to a multiple of 64 bytes
 * (the data then starts 64-byte aligned).
 * Falls back to version 2.0 for a header longer than 65535 bytes.
 */
export function formatHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));

  let major = 1;
  let lenBytes = 2;
  let total = 8 + lenBytes + dict.length + 1;
  // NumPy pads 1 to 64 bytes, never 0: an already aligned header gets 64 more.
  let pad = 64 - (total % 64);
  if (dict.length + pad + 1 > 0xffff) {
    major = 2;
    lenBytes = 4;
    total = 8 + lenBytes + dict.length + 1;
    pad = 64 - (total % 64);
  }
  const headerLen = dict.length + pad + 1;
  const out = new Uint8Array(8 + lenBytes + headerLen);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  const text = dict + ' '.repeat(pad) + '\n';
  for (let i = 0; i < text.length; i++) out[8 + lenBytes + i] = text.charCodeAt(i);
  return out;
}
