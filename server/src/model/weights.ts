/**
 * Integer tensors from weight sources: `.npy` files, seeded `random`, and inline lists.
 * Used for weights, thresholds, scales and test inputs. Reports QNN020 (shape), QNN030
 * (a value that does not fit its type), QNN034 (a bad pow2 value) and QNN060 (file problems).
 */
import * as path from 'node:path';
import { readNpy, NpyError, type NpyArray } from '../npy/npy.js';
import { readRegularFile, SourceFileError } from '../npy/read-file.js';
import { SeededRandom } from '../weights/random.js';
import { fitsType, typeName, typeValues } from './qtype.js';
import type { QType } from './types.js';

/**
 * Reads files for the elaborator; the language server caches, the CLI reads directly.
 * Only regular files within the size limit are read (npy/read-file.ts): anything else
 * throws a SourceFileError at once, never blocks.
 */
export interface FileAccess {
  readFile(absPath: string): Uint8Array;
}

export const nodeFileAccess: FileAccess = { readFile: (p) => readRegularFile(p) };

export class SourceError extends Error {
  constructor(
    readonly code: 'QNN020' | 'QNN030' | 'QNN034' | 'QNN060',
    message: string,
  ) {
    super(message);
  }
}

export function resolveSourcePath(file: string | undefined, rel: string): string {
  if (path.isAbsolute(rel)) return rel;
  if (!file) throw new SourceError('QNN060', `cannot resolve '${rel}': save the .qnn file first (paths are relative to it)`);
  return path.resolve(path.dirname(file), rel);
}

/** Loads a .npy file as numbers in C order. Floats must hold integral values when `integral`. */
export function loadNpy(files: FileAccess, absPath: string, shown: string, integral: boolean): NpyArray {
  if (!absPath.toLowerCase().endsWith('.npy')) {
    throw new SourceError(
      'QNN060',
      `'${shown}' is not a .npy file: save the array with numpy.save('${path.basename(shown, path.extname(shown))}.npy', a)`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = files.readFile(absPath);
  } catch (e) {
    const missing = e instanceof SourceFileError && e.code === 'ENOENT';
    const hint = missing ? '; the path is relative to the .qnn file' : '';
    throw new SourceError('QNN060', `cannot read '${shown}' (${(e as Error).message})${hint}`);
  }
  let arr: NpyArray;
  try {
    arr = readNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) throw new SourceError('QNN060', `'${shown}': ${e.message}`);
    throw e;
  }
  if (integral) {
    const bad = arr.data.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0) {
      throw new SourceError(
        'QNN030',
        `'${shown}' holds ${arr.data[bad]} at flat index ${bad}: weights must be integral values (quantize before saving)`,
      );
    }
  }
  return arr;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function shapeText(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** Checks every value against its type; pow2 violations are QNN034, the rest QNN030. */
export function checkValues(values: ArrayLike<number>, t: QType, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!fitsType(v, t)) {
      if (t.kind === 'pow2') {
        throw new SourceError(
          'QNN034',
          `${what} holds ${v} at flat index ${i}: a ${typeName(t)} weight is 0 or ±2^e with 0 ≤ e ≤ ${2 ** (t.bits - 1) - 2} (one of ${typeValues(t).join(', ')})`,
        );
      }
      const range = t.kind === 'bipolar' ? '−1 or +1' : `${typeValuesRange(t)}`;
      throw new SourceError('QNN030', `${what} holds ${v} at flat index ${i}, which does not fit ${typeName(t)} (${range})`);
    }
  }
}

function typeValuesRange(t: QType): string {
  const vs = typeValues(t);
  return `${vs[0]} … ${vs[vs.length - 1]}`;
}

/** Recently drawn tensors: re-analysing on every keystroke must not redraw a large layer. */
const drawn = new Map<string, Int32Array>();
/** Elements kept in the cache (the largest examples hold a few million weights). */
const DRAWN_MAX_ELEMENTS = 1 << 24;
let drawnElements = 0;

/**
 * `count` values drawn uniformly over the type's values with the documented generator.
 * The result is shared between callers (memoised): treat it as read-only.
 */
export function randomTensor(t: QType, count: number, seed: number): Int32Array {
  const key = `${typeName(t)}:${count}:${seed}`;
  const hit = drawn.get(key);
  if (hit) {
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const out = drawRandom(t, count, seed);
  drawn.set(key, out);
  drawnElements += out.length;
  while (drawnElements > DRAWN_MAX_ELEMENTS && drawn.size > 1) {
    const [oldKey, old] = drawn.entries().next().value!;
    drawn.delete(oldKey);
    drawnElements -= old.length;
  }
  return out;
}

function drawRandom(t: QType, count: number, seed: number): Int32Array {
  const values = typeValues(t);
  const rng = new SeededRandom(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = values[rng.intInRange(0, values.length - 1)];
  return out;
}
