/**
 * The host's side of import.json: an imported network's integer output back to the model's
 * floats, and the class where the model ended in an arg-max (TopK k=1) or is a classifier.
 */
import type { ImportInfo } from './import.js';

type OutputMap = Pick<ImportInfo['output'], 'scale' | 'offset' | 'acc_offset'>;

const at = (a: readonly number[], c: number): number => a[a.length === 1 ? 0 : c];

/** The true accumulator: value + acc_offset[c] (integers, so ties stay ties). */
export function trueOutput(map: OutputMap, values: ArrayLike<number>): number[] {
  return Array.from(values, (v, c) => v + (map.acc_offset ? map.acc_offset[c] : 0));
}

/** The model's float output: (value + acc_offset[c]) · scale[c] + offset[c]. */
export function floatOutput(map: OutputMap, values: ArrayLike<number>): number[] {
  return trueOutput(map, values).map((v, c) => v * at(map.scale, c) + at(map.offset, c));
}

/** The index of the largest output (the first on a tie, as numpy and onnxruntime's TopK). */
export function classOf(map: OutputMap, values: ArrayLike<number>): number {
  // One positive scale: compare the integers, whose ties are exact.
  const v = map.scale.length === 1 && map.scale[0] > 0 ? trueOutput(map, values) : floatOutput(map, values);
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
