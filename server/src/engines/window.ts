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

/**
 * Geometry of a conv in the generator's terms (1-D convs are one row). With MMV M > 1 the
 * generator works on "super-pixels": M consecutive pixels of a row (M·Cin elements, the
 * same element order), so it emits the M windows of a group of M output pixels as one
 * super-window per cycle. For padding P on a row, the group's windows span the super-pixels
 * from ceil(P/M) before it to floor((M + K − P − 2)/M) after it: the horizontal kernel KX
 * and padding PADX in super-pixels below; OFFSET = PADX·M − P is where pixel 0's window
 * starts inside the super-window (qnn_mvau_mmv selects the M windows from there).
 */
export interface WindowGeometry {
  dims: 1 | 2;
  inH: number;
  /** Input row width (1-D: the length), in super-pixels when mmv > 1. */
  inW: number;
  outW: number;
  /** Elements per (super-)pixel: Cin·M. */
  cin: number;
  /** The kernel along the column (2-D) or the length (1-D); kx: along the row (2-D), = k in 1-D. */
  k: number;
  kx: number;
  stride: number;
  /** Padding on each side along the column (2-D) and along the row (padX; 1-D: the length). */
  padTop: number;
  padX: number;
  mmv: number;
  /** pixel 0's first element position in a super-window row, in pixels (0 when mmv = 1). */
  offset: number;
}

export function windowGeometry(l: MvauLayer): WindowGeometry {
  const dims = l.kernel.length === 2 ? 2 : 1;
  const m = l.mmv ?? 1;
  const k = l.kernel[0];
  const p = dims === 2 ? l.pad[1][0] : l.pad[0][0];
  const padX = m > 1 ? Math.ceil(p / m) : p;
  const kx = m > 1 ? padX + Math.floor((m + k - p - 2) / m) + 1 : k;
  const inW = dims === 2 ? l.inShape[1] : l.inShape[0];
  const outW = dims === 2 ? l.outShape[1] : l.outShape[0];
  return {
    dims,
    inH: dims === 2 ? l.inShape[0] : 1,
    inW: inW / m,
    outW: outW / m,
    cin: channelsOf(l.inShape) * m,
    k: dims === 2 ? k : kx,
    kx,
    stride: l.stride[0],
    padTop: dims === 2 ? l.pad[0][0] : 0,
    padX,
    mmv: m,
    offset: padX * m - p,
  };
}

/** Elements of one output word: SIMD, or with MMV the whole super-window. */
export function windowOutElems(l: MvauLayer): number {
  const g = windowGeometry(l);
  return g.mmv > 1 ? (g.dims === 2 ? g.k : 1) * g.kx * g.cin : l.simd;
}

/**
 * Cycles per frame: the generator reads every input word once and writes SF words per
 * output pixel, one word per cycle on each side, concurrently, so it takes whichever is
 * longer. It only limits the engine when the MVAU behind it is faster (stride > 1 with NF = 1).
 */
export function windowCycles(l: MvauLayer, inElemsPerWord: number): number {
  const sf = l.mw / l.simd;
  return Math.max(Math.ceil(product(l.inShape) / inElemsPerWord), (l.pixels / (l.mmv ?? 1)) * sf);
}

/**
 * Latency terms: input (super-)pixels in before the first window is complete, and output
 * (super-)pixels still to come after the last input one (the windows that end in the padding).
 */
export function windowLatencyPixels(l: MvauLayer): { needPixels: number; afterPixels: number } {
  const g = windowGeometry(l);
  let needPixels = Math.max(1, g.kx - g.padX);
  let afterPixels = 1 + g.padX;
  if (g.dims === 2) {
    needPixels += Math.max(0, g.k - 1 - g.padTop) * g.inW;
    afterPixels += g.padTop * g.outW;
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
      outElems: windowOutElems(l),
      bits: typeBits(l.inType),
      // The line buffer's rows depend on them (qnn_window's rows_needed).
      rows: g.inH,
      stride: g.stride,
      pad: g.dims === 2 ? g.padTop : g.padX,
      ...(g.dims === 2 && g.mmv > 1 ? { kernelX: g.kx, padX: g.padX } : {}),
    },
    fab,
  );
}

/** Every parameter of qnn_window (KX and PADX only where they differ from K and PAD: MMV in 2-D). */
export function windowParams(l: MvauLayer, inElemsPerWord: number): TemplateParams {
  const g = windowGeometry(l);
  const pad = g.dims === 2 ? g.padTop : g.padX;
  return [
    ['DIMS', g.dims],
    ['IN_H', g.inH],
    ['IN_W', g.inW],
    ['CH', g.cin],
    ['K', g.k],
    ['STRIDE', g.stride],
    ['PAD', pad],
    ['BITS', typeBits(l.inType)],
    ['IN_ELEMS', inElemsPerWord],
    ['SIMD', windowOutElems(l)],
    ...(g.dims === 2 && (g.kx !== g.k || g.padX !== pad)
      ? ([
          ['KX', g.kx],
          ['PADX', g.padX],
        ] as TemplateParams)
      : []),
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
  const groups = l.pixels / g.mmv;
  const capacity = g.dims === 2 ? (g.k + 1) * g.inW : g.kx + 1 + g.stride;
  const memo = (f: (v: number) => number): ((v: number) => number) => {
    let lastV = -1;
    let lastR = 0;
    return (v) => (v === lastV ? lastR : ((lastV = v), (lastR = f(v))));
  };
  const lastNeeded = memo((v: number): number => {
    const f = Math.floor(v / groups);
    const p = v % groups;
    const oy = Math.floor(p / g.outW);
    const ox = p % g.outW;
    const y = Math.min(g.inH - 1, Math.max(0, oy * g.stride + kh - 1 - g.padTop));
    const x = Math.min(g.inW - 1, Math.max(0, ox * g.stride + g.kx - 1 - g.padX));
    const lastOfFrame = p === groups - 1 ? framePixels - 1 : y * g.inW + x;
    return f * framePixels + lastOfFrame;
  });
  const firstNeeded = memo((v: number): number => {
    const f = Math.floor(v / groups);
    const p = v % groups;
    const oy = Math.floor(p / g.outW);
    const ox = p % g.outW;
    const y = Math.max(0, oy * g.stride - g.padTop);
    const x = Math.max(0, ox * g.stride - g.padX);
    return f * framePixels + (g.dims === 2 ? y * g.inW : y * g.inW + x);
  });
  return { wordsPerPixel, framePixels, capacity, lastNeeded, firstNeeded, k: g.kx, stride: g.stride, groups };
}
