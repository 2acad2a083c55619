/**
 * The sliding-window generator (hw-templates/qnn_window.sv) in front of a conv's MVAU:
 * it turns the input stream (channels-last pixels, IN_ELEMS per word) into im2col vectors
 * of K·Cin elements, SIMD per word, kernel position major and channel minor. The MVAU
 * descriptor (mvau.ts) composes it for conv1d / conv2d.
 */
import type { Fabric } from '../cost/fabric.js';
import { windowResources } from '../cost/resources.js';
import { typeBits } from '../model/qtype.js';
import { channelsOf, product } from '../model/shape.js';
import type { MvauLayer } from '../model/types.js';
import type { TemplateParams } from './descriptor.js';

/**
 * Elements per input word: SIMD when SIMD divides Cin, else whole pixels (Cin), which the
 * generator packs into kernel positions. (model/engines.ts decides the stream words with
 * the same rule, `windowInElems`.)
 */
export { windowInElems } from '../model/engines.js';

/** Geometry of a conv in the generator's terms (1-D convs are one row). */
export interface WindowGeometry {
  dims: 1 | 2;
  inH: number;
  inW: number;
  outW: number;
  cin: number;
  k: number;
  stride: number;
  padTop: number;
  padLeft: number;
  padBefore: number;
  padAfter: number;
}

export function windowGeometry(l: MvauLayer): WindowGeometry {
  const dims = l.kernel.length === 2 ? 2 : 1;
  return {
    dims,
    inH: dims === 2 ? l.inShape[0] : 1,
    inW: dims === 2 ? l.inShape[1] : l.inShape[0],
    outW: dims === 2 ? l.outShape[1] : l.outShape[0],
    cin: channelsOf(l.inShape),
    k: l.kernel[0],
    stride: l.stride[0],
    padTop: dims === 2 ? l.pad[0][0] : 0,
    padLeft: dims === 2 ? l.pad[1][0] : l.pad[0][0],
    padBefore: l.pad[0]?.[0] ?? 0,
    padAfter: l.pad[0]?.[1] ?? 0,
  };
}

/**
 * Cycles per frame: the generator reads every input word once and writes SF words per
 * output pixel, one word per cycle on each side, concurrently, so it takes whichever is
 * longer. It only limits the engine when the MVAU behind it is faster (stride > 1 with NF = 1).
 */
export function windowCycles(l: MvauLayer, inElemsPerWord: number): number {
  const sf = l.mw / l.simd;
  return Math.max(Math.ceil(product(l.inShape) / inElemsPerWord), l.pixels * sf);
}

/**
 * Latency terms: input pixels in before the first window is complete, and output pixels
 * still to come after the last input pixel (the windows that end in the padding).
 */
export function windowLatencyPixels(l: MvauLayer): { needPixels: number; afterPixels: number } {
  const g = windowGeometry(l);
  let needPixels = Math.max(1, g.k - g.padBefore);
  let afterPixels = 1 + g.padAfter;
  if (g.dims === 2) {
    needPixels += Math.max(0, g.k - 1 - g.padBefore) * g.inW;
    afterPixels += g.padAfter * g.outW;
  }
  return { needPixels, afterPixels };
}

export function windowCost(l: MvauLayer, inElemsPerWord: number, fab: Fabric) {
  const g = windowGeometry(l);
  return windowResources(
    {
      dims: g.dims,
      kernel: g.k,
      rowWidth: g.inW,
      channels: g.cin,
      inElems: inElemsPerWord,
      outElems: l.simd,
      bits: typeBits(l.inType),
      // The line buffer's rows depend on them (qnn_window's rows_needed).
      rows: g.inH,
      stride: g.stride,
      pad: l.pad[0][0],
    },
    fab,
  );
}

/** Every parameter of qnn_window. */
export function windowParams(l: MvauLayer, inElemsPerWord: number): TemplateParams {
  const g = windowGeometry(l);
  return [
    ['DIMS', g.dims],
    ['IN_H', g.inH],
    ['IN_W', g.inW],
    ['CH', g.cin],
    ['K', g.k],
    ['STRIDE', g.stride],
    ['PAD', l.pad[0][0]],
    ['BITS', typeBits(l.inType)],
    ['IN_ELEMS', inElemsPerWord],
    ['SIMD', l.simd],
  ];
}

/**
 * The generator's token behaviour for the FIFO schedule: a line buffer of K rows (+1 being
 * written; 1-D: K + 1 + stride positions) takes input while it has room ahead of the oldest
 * pixel in use, and output pixel v's vector can start once the last input pixel of its
 * window is in. `lastNeeded(v)` / `firstNeeded(v)` index pixels across frames.
 */
export function windowTokens(l: MvauLayer, inElemsPerWord: number) {
  const g = windowGeometry(l);
  const wordsPerPixel = g.cin / inElemsPerWord;
  const framePixels = g.inH * g.inW;
  const kh = g.dims === 2 ? g.k : 1;
  const capacity = g.dims === 2 ? (g.k + 1) * g.inW : g.k + 1 + g.stride;
  const memo = (f: (v: number) => number): ((v: number) => number) => {
    let lastV = -1;
    let lastR = 0;
    return (v) => (v === lastV ? lastR : ((lastV = v), (lastR = f(v))));
  };
  const lastNeeded = memo((v: number): number => {
    const f = Math.floor(v / l.pixels);
    const p = v % l.pixels;
    const oy = Math.floor(p / g.outW);
    const ox = p % g.outW;
    const y = Math.min(g.inH - 1, Math.max(0, oy * g.stride + kh - 1 - g.padTop));
    const x = Math.min(g.inW - 1, Math.max(0, ox * g.stride + g.k - 1 - g.padLeft));
    const lastOfFrame = p === l.pixels - 1 ? framePixels - 1 : y * g.inW + x;
    return f * framePixels + lastOfFrame;
  });
  const firstNeeded = memo((v: number): number => {
    const f = Math.floor(v / l.pixels);
    const p = v % l.pixels;
    const oy = Math.floor(p / g.outW);
    const ox = p % g.outW;
    const y = Math.max(0, oy * g.stride - g.padTop);
    const x = Math.max(0, ox * g.stride - g.padLeft);
    return f * framePixels + (g.dims === 2 ? y * g.inW : y * g.inW + x);
  });
  return { wordsPerPixel, framePixels, capacity, lastNeeded, firstNeeded, k: g.k, stride: g.stride };
}
