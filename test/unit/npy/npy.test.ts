/**
 * The .npy reader and writer against real NumPy: fixtures written by
 * scripts/gen-npy-fixtures.py (every dtype, byte order, memory order, format
 * version, and hand-made headers), malformed files, and files written by
 * writeNpy read back by numpy.load.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NpyError,
  SUPPORTED_DTYPES,
  integralValues,
  loadNpyFile,
  readNpy,
  readNpyHeader,
  writeNpy,
  type NpyDtype,
  type NpyWritable,
} from '../../../server/src/npy/npy.js';
import { runNumpyScript } from './numpy-script.js';

type Encoded = number | 'nan' | 'inf' | '-inf';
interface Good {
  file: string;
  dtype: string;
  descr: string;
  shape: number[];
  fortran_order: boolean;
  version: [number, number];
  data: Encoded[];
}
interface Manifest {
  numpy: string;
  good: Good[];
  bad: { file: string; kind: string }[];
}

const decode = (v: Encoded): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** Element-wise Object.is: NaN equals NaN, -0 differs from 0. Returns the first mismatch. */
function firstMismatch(got: readonly number[], want: readonly number[]): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  const i = got.findIndex((g, k) => !Object.is(g, want[k]));
  return i < 0 ? undefined : `index ${i}: got ${got[i]}, expected ${want[i]}`;
}

// Generated at collection time so every fixture is its own test. A machine
// without NumPy fails here, with the apt-get command in the message.
const dir = mkdtempSync(join(tmpdir(), 'qnn-npy-'));
runNumpyScript([dir]);
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (file: string): Uint8Array => readFileSync(join(dir, file));

/** A version 1.0 file with the given header text (128 bytes in all) and data bytes. */
function header(dict: string, data: readonly number[] = []): Uint8Array {
  const text = dict.padEnd(117, ' ') + '\n';
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0]);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  out.set(data, 10 + text.length);
  return out;
}

describe('fixtures cover what the reader claims', () => {
  it('every dtype, both byte orders, C and Fortran, 0-d to 4-D, versions 1-3', () => {
    const g = manifest.good;
    expect(new Set(g.map((f) => f.dtype))).toEqual(new Set(SUPPORTED_DTYPES));
    for (const dt of SUPPORTED_DTYPES.filter((d) => !/8$|bool/.test(d))) {
      expect(g.some((f) => f.dtype === dt && f.descr.startsWith('<'))).toBe(true);
      expect(g.some((f) => f.dtype === dt && f.descr.startsWith('>'))).toBe(true);
      expect(g.some((f) => f.dtype === dt && f.fortran_order && f.shape.length >= 2)).toBe(true);
    }
    for (const rank of [0, 1, 2, 3, 4]) expect(g.some((f) => f.shape.length === rank)).toBe(true);
    for (const major of [1, 2, 3]) expect(g.some((f) => f.version[0] === major)).toBe(true);
    expect(g.some((f) => f.shape.includes(0))).toBe(true);
  });
});

describe('readNpy reads what NumPy wrote', () => {
  it.each(manifest.good.map((g) => [g.file, g] as const))('%s', (_name, g) => {
    const arr = readNpy(bytesOf(g.file));
    expect(arr.dtype).toBe(g.dtype);
    expect(arr.shape).toEqual(g.shape);
    expect(firstMismatch(arr.data, g.data.map(decode))).toBeUndefined();
    const h = readNpyHeader(bytesOf(g.file));
    expect(h.fortranOrder).toBe(g.fortran_order);
    expect(h.version).toEqual(g.version);
  });
});

/** What each refused fixture's message must say. */
const BAD_MESSAGES: Record<string, RegExp> = {
  complex64: /^unsupported dtype '<c8' \(complex64\): use an integer or float dtype$/,
  complex128: /^unsupported dtype '>c16' \(complex128\): use an integer or float dtype$/,
  object: /^unsupported dtype '\|O' \(Python object\): use an integer or float dtype$/,
  structured: /^unsupported dtype: a structured \(record\) dtype with named fields/,
  unicode: /^unsupported dtype '<U2' \(unicode string\)/,
  bytes: /^unsupported dtype '\|S2' \(byte string\)/,
  datetime: /^unsupported dtype '<M8\[D\]' \(datetime64\)/,
  longdouble: /^unsupported dtype '<f16': floats of 16 bytes are not supported; use 2, 4 or 8 bytes$/,
  'unsafe-int64': /^int64 value 9007199254740992 at index \[1, 1\] is too large for a JavaScript number/,
  'unsafe-uint64': /^uint64 value 18446744073709551615 at index \[0\] is too large/,
  truncated: /^truncated: header says 1024 elements \(4096 bytes of int32\), file holds 1000;/,
  'missing-key': /^malformed header: the key 'fortran_order' is missing/,
  version: /^unsupported \.npy format version 4\.0: versions 1\.0, 2\.0 and 3\.0 are supported$/,
};

describe('readNpy refuses what it cannot represent, saying why', () => {
  it.each(manifest.bad.map((b) => [b.file, b.kind] as const))('%s', (file, kind) => {
    const want = BAD_MESSAGES[kind];
    expect(want, `no expected message for kind '${kind}'`).toBeDefined();
    expect(() => readNpy(bytesOf(file))).toThrow(NpyError);
    expect(() => readNpy(bytesOf(file))).toThrow(want as RegExp);
  });

  it.each([
    ['empty', new Uint8Array(0), /^not a \.npy file \(bad magic\): a \.npy file starts with the bytes \\x93NUMPY/],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]), /bad magic/],
    ['text', new TextEncoder().encode('1,2,3\n4,5,6\n'), /bad magic/],
    [
      'cut in the header',
      header("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }").subarray(0, 40),
      /^truncated: the header should be 118 bytes, the file holds 30$/,
    ],
    [
      'no data',
      header("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }"),
      /^truncated: header says 2 elements \(8 bytes of int32\), file holds 0;/,
    ],
    [
      'stray bytes',
      new Uint8Array([...header("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }"), 1, 2, 3, 4, 5]),
      /file holds 1 and 1 stray bytes/,
    ],
    ['not a dict', header('[1, 2]'), /^malformed header: it is not a dict/],
    [
      'garbage',
      header("{'descr': '<i4', 'fortran_order': Fals"),
      /^malformed header: unexpected character at offset 34 \(near 'Fals'\); expected a Python dict like \{'descr': '<i4', /,
    ],
    ['unclosed', header("{'descr': '<i4', 'fortran_order': False, 'shape': (2,"), /^malformed header: unexpected end/],
    ['float in shape', header("{'descr': '<i4', 'fortran_order': False, 'shape': (2.0,)}"), /^malformed header: bad number/],
    [
      'negative dim',
      header("{'descr': '<i4', 'fortran_order': False, 'shape': (-2,)}"),
      /'shape' should be a tuple of non-negative integers/,
    ],
    ['shape a list', header("{'descr': '<i4', 'fortran_order': False, 'shape': [2]}"), /'shape' should be a tuple/],
    ['order not bool', header("{'descr': '<i4', 'fortran_order': 0, 'shape': (2,)}"), /'fortran_order' should be True or False/],
    ['descr not str', header("{'descr': 4, 'fortran_order': False, 'shape': (2,)}"), /'descr' is not a dtype string/],
    [
      'int of 3 bytes',
      header("{'descr': '<i3', 'fortran_order': False, 'shape': (2,)}"),
      /^unsupported dtype '<i3': integers of 3 bytes are not supported; use 1, 2, 4 or 8 bytes$/,
    ],
    ['complex code', header("{'descr': 'D', 'fortran_order': False, 'shape': (2,)}"), /^unsupported dtype 'D' \(complex128\)/],
    [
      'version 1.1',
      (() => {
        const b = header("{'descr': '<i4', 'fortran_order': False, 'shape': ()}");
        b[7] = 1;
        return b;
      })(),
      /version 1\.1/,
    ],
  ])('%s', (_name, bytes, want) => {
    expect(() => readNpy(bytes)).toThrow(NpyError);
    expect(() => readNpy(bytes)).toThrow(want);
  });
});

describe('loadNpyFile', () => {
  it('reads a file like readNpy reads its bytes', () => {
    const file = 'i2_le_F_2x3x4.npy';
    expect(loadNpyFile(join(dir, file))).toEqual(readNpy(bytesOf(file)));
  });

  it('names a missing file', () => {
    const path = join(dir, 'nope.npy');
    let err: unknown;
    try {
      loadNpyFile(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NpyError);
    expect((err as NpyError).message).toBe(`cannot read '${path}': no such file`);
    expect((err as NpyError).path).toBe(path);
  });

  it('says a directory is not a file', () => {
    expect(() => loadNpyFile(dir)).toThrow(/it is a directory, not a file/);
  });

  it('attaches the path to format errors', () => {
    const path = join(dir, 'bad_complex64.npy');
    let err: unknown;
    try {
      loadNpyFile(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NpyError);
    expect((err as NpyError).path).toBe(path);
  });
});

describe('readNpy details', () => {
  it('reads from a Uint8Array view that does not start at its buffer start', () => {
    const bytes = bytesOf('f8_be_F_2x3x4.npy');
    const big = new Uint8Array(bytes.length + 13);
    big.set(bytes, 5);
    expect(readNpy(big.subarray(5, 5 + bytes.length))).toEqual(readNpy(bytes));
  });

  it('Fortran to C order: element [i, j, k] of a 2x3x4 array', () => {
    // C value at [i, j, k] is 100i + 10j + k; Fortran order stores i fastest.
    const fileOrder: number[] = [];
    for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) fileOrder.push(100 * i + 10 * j + k);
    const arr = readNpy(header("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 4), }", fileOrder));
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) want.push(100 * i + 10 * j + k);
    expect(arr).toEqual({ shape: [2, 3, 4], dtype: 'uint8', data: want });
  });

  it('reports an unsafe int64 at its C index in a Fortran file', () => {
    const data = new Uint8Array(6 * 8);
    new DataView(data.buffer).setBigInt64(8 * 3, -(2n ** 60n), true); // file position 3 = [1, 1] of a 2x3 F array
    const bytes = header("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3), }", [...data]);
    expect(() => readNpy(bytes)).toThrow(/^int64 value -1152921504606846976 at index \[1, 1\] is too large/);
  });
});

describe('integralValues', () => {
  it('finds the first non-integral float', () => {
    expect(integralValues({ dtype: 'float32', data: [1, -2, 0, 2.5, 0.1] })).toBe(3);
    expect(integralValues({ dtype: 'float64', data: [1, NaN] })).toBe(1);
    expect(integralValues({ dtype: 'float16', data: [Infinity] })).toBe(0);
    expect(integralValues({ dtype: 'float64', data: [-0, 4, -8, 1e15] })).toBe(-1);
    expect(integralValues({ dtype: 'int8', data: [1, 2] })).toBe(-1);
  });

  it('on a NumPy float fixture with fractions', () => {
    const arr = readNpy(bytesOf('f4_le_C_3x4.npy'));
    expect(integralValues(arr)).toBe(0); // NaN first
  });
});

// ---------------------------------------------------------------------------

const EXTREMES: Record<NpyDtype, number[]> = {
  bool: [0, 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  float16: [NaN, Infinity, -Infinity, -0, 65504, 2 ** -24],
  float32: [NaN, -Infinity, -0, 3.4028234663852886e38, 2 ** -149],
  float64: [NaN, Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE],
};

/** Values the writer must round exactly as NumPy rounds a Python float. */
const F16_ROUNDING = [
  0.1,
  1 / 3,
  65519,
  65520,
  1e6,
  -1e6,
  2 ** -25,
  3 * 2 ** -25,
  2 ** -26,
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  2 ** -14 - 2 ** -25,
  2 ** -14 - 2 ** -26,
  2047.5,
  2049,
  1e-8,
  -1e-8,
  0.99951171875,
  0.999755859375,
];

function sampleArrays(): (NpyWritable & { name: string })[] {
  const out: (NpyWritable & { name: string })[] = [];
  for (const dtype of SUPPORTED_DTYPES) {
    const [lo, hi] = dtype.startsWith('float') ? [-1000, 1000] : (EXTREMES[dtype] as [number, number]);
    const ext = EXTREMES[dtype];
    const body = Array.from({ length: 24 - ext.length }, (_, i) =>
      dtype.startsWith('float') ? ((i * 37.3) % 200) - 100 : lo + Math.floor(((hi - lo) * ((i * 7919) % 101)) / 100),
    );
    out.push({ name: `${dtype}_2x3x4`, dtype, shape: [2, 3, 4], data: [...ext, ...body] });
    out.push({ name: `${dtype}_0d`, dtype, shape: [], data: [ext[1] ?? 0] });
    out.push({ name: `${dtype}_empty`, dtype, shape: [0, 3], data: [] });
  }
  out.push({ name: 'f16_rounding', dtype: 'float16', shape: [F16_ROUNDING.length], data: F16_ROUNDING });
  out.push({ name: 'f32_rounding', dtype: 'float32', shape: [3], data: [0.1, 1 / 3, 1e39] });
  // Headers of every length class (shape digits change the padding).
  out.push({ name: 'long_shape', dtype: 'int8', shape: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], data: [5] });
  out.push({ name: 'wide_first_dim', dtype: 'uint8', shape: [1000, 1], data: Array.from({ length: 1000 }, (_, i) => i % 256) });
  return out;
}

describe('writeNpy', () => {
  it.each(sampleArrays().map((a) => [a.name, a] as const))('round-trips %s', (_name, a) => {
    const bytes = writeNpy(a);
    const h = readNpyHeader(bytes);
    expect(h.version).toEqual([1, 0]);
    expect(h.dataOffset % 64).toBe(0);
    const back = readNpy(bytes);
    expect(back.dtype).toBe(a.dtype);
    expect(back.shape).toEqual(a.shape);
    if (a.dtype === 'float16' || a.dtype === 'float32') return; // rounded: checked against NumPy below
    expect(firstMismatch(back.data, a.data)).toBeUndefined();
  });

  it('round-trips any integer array (property)', () => {
    const intTypes = SUPPORTED_DTYPES.filter((d) => !d.startsWith('float'));
    const arb = fc
      .record({
        dtype: fc.constantFrom(...intTypes),
        shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
      })
      .chain(({ dtype, shape }) => {
        const [lo, hi] = EXTREMES[dtype] as [number, number];
        const n = shape.reduce((p, d) => p * d, 1);
        return fc
          .array(fc.integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(hi, 2 ** 31 - 1) }), { minLength: n, maxLength: n })
          .map((data) => ({ dtype, shape, data }));
      });
    fc.assert(
      fc.property(arb, (a) => {
        const back = readNpy(writeNpy(a));
        expect(back).toEqual(a);
      }),
    );
  });

  it('float16 values round-trip exactly, for all 65536 bit patterns', () => {
    // Every pattern as uint16, then relabel the header '<u2' -> '<f2' (same length).
    const bits = writeNpy({ dtype: 'uint16', shape: [65536], data: Array.from({ length: 65536 }, (_, h) => h) });
    const at = new TextDecoder('latin1').decode(bits).indexOf("'<u2'");
    bits[at + 2] = 'f'.charCodeAt(0);
    const data = readNpy(bits).data;
    expect(data[0x3c00]).toBe(1);
    expect(data[0xc000]).toBe(-2);
    expect(data[0x7bff]).toBe(65504);
    expect(data[0x0001]).toBe(2 ** -24);
    expect(data[0x7c00]).toBe(Infinity);
    expect(Object.is(data[0x8000], -0)).toBe(true);
    const back = readNpy(writeNpy({ dtype: 'float16', shape: [65536], data })).data;
    expect(firstMismatch(back, data)).toBeUndefined();
  });

  it.each([
    [{ dtype: 'int8', shape: [2], data: [1, 128] }, /^value 128 at index 1 does not fit int8 \(an integer in -128\.\.127\)$/],
    [{ dtype: 'uint8', shape: [1], data: [-1] }, /does not fit uint8 \(an integer in 0\.\.255\)/],
    [{ dtype: 'int32', shape: [1], data: [1.5] }, /value 1\.5 at index 0 does not fit int32/],
    [{ dtype: 'int16', shape: [1], data: [NaN] }, /value NaN/],
    [{ dtype: 'bool', shape: [1], data: [2] }, /does not fit bool \(an integer in 0\.\.1\)/],
    [{ dtype: 'int64', shape: [1], data: [2 ** 53] }, /does not fit int64/],
    [{ dtype: 'int8', shape: [2, 3], data: [1, 2] }, /^shape \[2, 3\] needs 6 values, 2 were given$/],
    [{ dtype: 'int8', shape: [-1], data: [] }, /^bad shape \[-1\]/],
  ] as [NpyWritable, RegExp][])('refuses %o', (a, want) => {
    expect(() => writeNpy(a)).toThrow(NpyError);
    expect(() => writeNpy(a)).toThrow(want);
  });

  it('NumPy reads what writeNpy writes, and the bytes equal numpy.save', () => {
    const out = mkdtempSync(join(tmpdir(), 'qnn-npy-written-'));
    try {
      const arrays = sampleArrays();
      const listing = arrays.map((a) => {
        const file = `${a.name}.npy`;
        writeFileSync(join(out, file), writeNpy(a));
        const data = a.data.map((v) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v));
        return { file, dtype: a.dtype, shape: a.shape, data };
      });
      // JSON.stringify writes -0 as 0; NumPy then compares bytes, so keep -0 explicit.
      writeFileSync(
        join(out, 'written.json'),
        JSON.stringify(listing, (_k, v: unknown) => (Object.is(v, -0) ? '-0' : v)).replaceAll('"-0"', '-0.0'),
      );
      const report = JSON.parse(runNumpyScript(['--check', out])) as { results: { file: string; problems: string[] }[] };
      expect(report.results).toHaveLength(arrays.length);
      expect(report.results.filter((r) => r.problems.length > 0)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
