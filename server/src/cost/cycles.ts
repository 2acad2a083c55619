/**
 * Cycles per frame of each engine kind (hardware.md §2). FINN's model: an MVAU spends
 * NF·SF cycles per output pixel; engines that stream elements spend one cycle per PE
 * elements. The window generator, width converters and FIFOs are sized never to be
 * slower than the engine they feed, so they do not appear here.
 */

export function mvauCycles(mh: number, mw: number, pe: number, simd: number, pixels: number): number {
  return (mh / pe) * (mw / simd) * pixels;
}

/** requant, threshold and maxpool consume `elements` per frame, PE per cycle. */
export function streamingCycles(elements: number, pe: number): number {
  return Math.ceil(elements / pe);
}

/**
 * A conv's window generator reads every input word once and writes SF words per output
 * pixel, one word per cycle on each side, concurrently: it takes whichever is longer. It
 * only limits the engine when the MVAU behind it is faster (e.g. stride > 1 with NF = 1).
 */
export function windowCycles(inElements: number, inElemsPerWord: number, pixels: number, sf: number): number {
  return Math.max(Math.ceil(inElements / inElemsPerWord), pixels * sf);
}

/** A width converter passes `elements` per frame, reading and writing one word per cycle. */
export function converterCycles(elements: number, inElems: number, outElems: number): number {
  return Math.max(Math.ceil(elements / inElems), Math.ceil(elements / outElems));
}
