/**
 * NumPy .npy reading and writing for weight, threshold and scale files
 * (language spec §4) and for the CLI's outputs.
 *
 * Reads format versions 1.0, 2.0 and 3.0; every integer, bool and float dtype
 * in either byte order; C or Fortran order (always returned in C order).
 * Values come back as plain JS numbers, so a 64-bit integer outside
 * ±(2^53 − 1) is an error rather than a silently rounded weight.
 */
import { NpyError } from './errors.js';
import { descrOf, dtypeInfo, type Descr, type NpyDtype } from './dtype.js';
import { float16ToNumber, numberToFloat16 } from './float16.js';
import { formatHeader, readHeader, type NpyHeader } from './header.js';
import { readRegularFile } from './read-file.js';

export { NpyError } from './errors.js';
export { SUPPORTED_DTYPES, type NpyDtype } from './dtype.js';
export type { NpyHeader } from './header.js';

export interface NpyArray {
  shape: number[];
  /** Normalized dtype name: 'int8', 'uint16', 'float32', 'bool', … */
  dtype: NpyDtype;
  /** Elements in C (row-major) order; bools as 0/1. */
  data: number[];
}

/** What `writeNpy` takes: any supported dtype; values must fit it. */
export interface NpyWritable {
  shape: readonly number[];
  dtype: NpyDtype;
  data: readonly number[];
}

/** Reads just the header (dtype, shape, order), e.g. to check a shape cheaply. */
export function readNpyHeader(bytes: Uint8Array): NpyHeader {
  return readHeader(bytes);
}

export function readNpy(bytes: Uint8Array): NpyArray {
  const h = readHeader(bytes);
  const { descr, count, shape } = h;
  const need = count * descr.size;
  const avail = bytes.length - h.dataOffset;
  if (avail < need) {
    const held = Math.floor(avail / descr.size);
    throw new NpyError(
      `truncated: header says ${count} elements (${need} bytes of ${descr.name}), file holds ${held}` +
        (avail % descr.size ? ` and ${avail % descr.size} stray bytes` : '') +
        '; the file was cut short, re-save it with numpy.save',
    );
  }
  // Bytes after the data are ignored, as numpy.load does.
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, need);
  const read = elementReader(descr);
  const fileOrder = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = read(view, i * descr.size);
    if (Number.isNaN(v) && descr.kind !== 'f') throw unsafeInt(view, i, descr, shape, h.fortranOrder);
    fileOrder[i] = v;
  }
  const data = h.fortranOrder && shape.length > 1 ? fortranToC(fileOrder, shape) : fileOrder;
  return { shape: [...shape], dtype: descr.name, data };
}

/** Reads a .npy file synchronously. Errors (including a missing file) are NpyErrors carrying `path`. */
export function loadNpyFile(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    // Regular files only: a named pipe or a device would block or never end.
    bytes = readRegularFile(path);
  } catch (e) {
    throw new NpyError(`cannot read '${path}': ${(e as Error).message}`, path);
  }
  try {
    return readNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) e.path = path;
    throw e;
  }
}

/**
 * Index of the first element that is not an integral number (a fraction, NaN
 * or ±Infinity), or -1 when all are integral. Weight files may be float, but
 * their values must be integers (spec §4). Integer and bool arrays give -1.
 */
export function integralValues(arr: { dtype: string; data: readonly number[] }): number {
  if (!arr.dtype.startsWith('float')) return -1;
  return arr.data.findIndex((v) => !Number.isInteger(v));
}

/**
 * Writes an array as NumPy's `np.save` does for a C-contiguous little-endian
 * array: version 1.0, header padded to 64 bytes. The output is byte-identical
 * to `np.save`'s. Throws NpyError if a value does not fit the dtype.
 */
export function writeNpy(arr: NpyWritable): Uint8Array {
  const info = dtypeInfo(arr.dtype);
  if (!arr.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError(`bad shape [${arr.shape.join(', ')}]: dimensions must be non-negative integers`);
  }
  const count = arr.shape.reduce((a, b) => a * b, 1);
  if (arr.data.length !== count) {
    throw new NpyError(`shape [${arr.shape.join(', ')}] needs ${count} values, ${arr.data.length} were given`);
  }
  const header = formatHeader(descrOf(arr.dtype), arr.shape);
  const out = new Uint8Array(header.length + count * info.size);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  const write = elementWriter(arr.dtype);
  const [lo, hi] = intRange(arr.dtype);
  arr.data.forEach((v, i) => {
    if (info.kind !== 'f' && !(Number.isInteger(v) && v >= lo && v <= hi)) {
      throw new NpyError(`value ${v} at index ${i} does not fit ${arr.dtype} (an integer in ${lo}..${hi})`);
    }
    write(view, i * info.size, v);
  });
  return out;
}

// ---------------------------------------------------------------------------

type Reader = (view: DataView, offset: number) => number;
type Writer = (view: DataView, offset: number, v: number) => void;

/** Returns NaN for a 64-bit integer that is not a safe JS integer (the caller reports it). */
function elementReader(d: Descr): Reader {
  const le = d.littleEndian;
  const safe = (b: bigint): number => (b >= -MAX_SAFE && b <= MAX_SAFE ? Number(b) : NaN);
  switch (d.name) {
    case 'bool':
      return (v, o) => (v.getUint8(o) !== 0 ? 1 : 0);
    case 'int8':
      return (v, o) => v.getInt8(o);
    case 'uint8':
      return (v, o) => v.getUint8(o);
    case 'int16':
      return (v, o) => v.getInt16(o, le);
    case 'uint16':
      return (v, o) => v.getUint16(o, le);
    case 'int32':
      return (v, o) => v.getInt32(o, le);
    case 'uint32':
      return (v, o) => v.getUint32(o, le);
    case 'int64':
      return (v, o) => safe(v.getBigInt64(o, le));
    case 'uint64':
      return (v, o) => safe(v.getBigUint64(o, le));
    case 'float16':
      return (v, o) => float16ToNumber(v.getUint16(o, le));
    case 'float32':
      return (v, o) => v.getFloat32(o, le);
    case 'float64':
      return (v, o) => v.getFloat64(o, le);
  }
}

function elementWriter(name: NpyDtype): Writer {
  switch (name) {
    case 'bool':
    case 'uint8':
      return (v, o, x) => v.setUint8(o, x);
    case 'int8':
      return (v, o, x) => v.setInt8(o, x);
    case 'int16':
      return (v, o, x) => v.setInt16(o, x, true);
    case 'uint16':
      return (v, o, x) => v.setUint16(o, x, true);
    case 'int32':
      return (v, o, x) => v.setInt32(o, x, true);
    case 'uint32':
      return (v, o, x) => v.setUint32(o, x, true);
    case 'int64':
      return (v, o, x) => v.setBigInt64(o, BigInt(x), true);
    case 'uint64':
      return (v, o, x) => v.setBigUint64(o, BigInt(x), true);
    case 'float16':
      return (v, o, x) => v.setUint16(o, numberToFloat16(x), true);
    case 'float32':
      return (v, o, x) => v.setFloat32(o, x, true);
    case 'float64':
      return (v, o, x) => v.setFloat64(o, x, true);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Inclusive value range of an integer dtype, clipped to safe JS integers. */
function intRange(name: NpyDtype): [number, number] {
  const { kind, size } = dtypeInfo(name);
  if (kind === 'b') return [0, 1];
  if (kind === 'f') return [-Infinity, Infinity];
  const bits = size * 8;
  const lo = kind === 'i' ? -(2 ** (bits - 1)) : 0;
  const hi = kind === 'i' ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return [Math.max(lo, -Number.MAX_SAFE_INTEGER), Math.min(hi, Number.MAX_SAFE_INTEGER)];
}

function unsafeInt(view: DataView, i: number, d: Descr, shape: readonly number[], fortran: boolean): NpyError {
  const raw = d.name === 'int64' ? view.getBigInt64(i * d.size, d.littleEndian) : view.getBigUint64(i * d.size, d.littleEndian);
  return new NpyError(
    `${d.name} value ${raw} at ${unravel(i, shape, fortran)} is too large for a JavaScript number ` +
      `(safe integers are within ±${Number.MAX_SAFE_INTEGER}); weights must be small integers`,
  );
}

/** "[i, j, k]" for the element at position `i` of the file's data. */
function unravel(i: number, shape: readonly number[], fortran: boolean): string {
  if (shape.length === 0) return 'the single element';
  const idx = new Array<number>(shape.length).fill(0);
  let rest = i;
  const axes = shape.map((_, k) => k);
  for (const k of fortran ? axes : axes.reverse()) {
    const n = shape[k] ?? 1;
    idx[k] = rest % n;
    rest = Math.floor(rest / n);
  }
  return `index [${idx.join(', ')}]`;
}

/**
 * Reorders column-major (Fortran) data to row-major (C). Walks the C order
 * with an odometer over the multi-index, keeping the matching Fortran offset
 * (strides 1, n0, n0·n1, …) up to date instead of recomputing it.
 */
function fortranToC(src: readonly number[], shape: readonly number[]): number[] {
  const n = shape.length;
  const out = new Array<number>(src.length);
  if (src.length === 0) return out;
  const stride = new Array<number>(n);
  let s = 1;
  for (let k = 0; k < n; k++) {
    stride[k] = s;
    s *= shape[k] ?? 1;
  }
  const idx = new Array<number>(n).fill(0);
  let off = 0;
  for (let c = 0; c < src.length; c++) {
    out[c] = src[off] ?? 0;
    for (let k = n - 1; k >= 0; k--) {
      const st = stride[k] ?? 0;
      const dim = shape[k] ?? 1;
      const next = (idx[k] ?? 0) + 1;
      if (next < dim) {
        idx[k] = next;
        off += st;
        break;
      }
      off -= st * (dim - 1);
      idx[k] = 0;
    }
  }
  return out;
}
