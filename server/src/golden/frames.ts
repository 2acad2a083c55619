/** Input frames for the golden model and simulation: from a .npy file, or seeded random. */
import { loadNpyFile, NpyError, type NpyArray } from '../npy/npy.js';
import { product } from '../model/shape.js';
import { fitsType, typeName } from '../model/qtype.js';
import { randomTensor } from '../model/weights.js';
import type { Network } from '../model/types.js';

export class FramesError extends Error {}

export interface Frames {
  frames: Int32Array[];
  /** True when the file had a leading frame dimension. */
  batched: boolean;
}

/** Frames from x.npy: one frame shaped like the input, or [N, ...input shape]. Values must fit the input type. */
export function loadInputFrames(net: Network, file: string, opts: { flatten?: boolean } = {}): Frames {
  let arr;
  try {
    arr = loadNpyFile(file);
  } catch (e) {
    throw new FramesError(e instanceof NpyError ? `${file}: ${e.message}` : `cannot read ${file}: ${(e as Error).message}`);
  }
  return inputFrames(net, arr, file, opts);
}

/**
 * Frames from an array (see loadInputFrames). With `flatten`, a flat input of S elements
 * also takes [N, …] whose trailing dimensions hold S elements in C order, e.g. MNIST
 * images [N, 28, 28] or [N, 1, 28, 28] for an input [784] imported from ONNX.
 */
export function inputFrames(net: Network, arr: NpyArray, file: string, opts: { flatten?: boolean } = {}): Frames {
  const input = net.input!;
  const per = product(input.shape);
  const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  let batched: boolean;
  let n: number;
  if (same(arr.shape, input.shape)) {
    batched = false;
    n = 1;
  } else if (arr.shape.length === input.shape.length + 1 && same(arr.shape.slice(1), input.shape)) {
    batched = true;
    n = arr.shape[0];
  } else if (opts.flatten && input.shape.length === 1 && arr.shape.length >= 2 && product(arr.shape.slice(1)) === per) {
    batched = true;
    n = arr.shape[0];
  } else
    throw new FramesError(
      `${file} has shape [${arr.shape.join(', ')}]; ${input.name} frames are [${input.shape.join(', ')}] (or [N, ${input.shape.join(', ')}] for N frames)`,
    );
  const bad = arr.data.findIndex((v) => !fitsType(v, input.type));
  if (bad >= 0) throw new FramesError(`${file} holds ${arr.data[bad]} at flat index ${bad}, which is not a ${typeName(input.type)} value`);
  const frames: Int32Array[] = [];
  for (let i = 0; i < n; i++) frames.push(Int32Array.from(arr.data.slice(i * per, (i + 1) * per)));
  return { frames, batched };
}

/** `count` frames of seeded random input, uniform over the input type (the weights' generator). */
export function randomFrames(net: Network, count: number, seed: number): Int32Array[] {
  const per = product(net.input!.shape);
  const all = randomTensor(net.input!.type, per * count, seed);
  return Array.from({ length: count }, (_, i) => all.slice(i * per, (i + 1) * per));
}
