/**
 * The byte layout of the UART board shell (hw-templates/qnn_uart_bridge.sv,
 * docs/board-icebreaker.md): each stream word is ceil(width/8) bytes, least significant
 * byte first, the top byte's bits above the width 0. The words themselves are the
 * compiled design's stream words (words.ts: element i of a word at bits [i·BITS, (i+1)·BITS),
 * with the plan's elements per word and bits per element), so a network's frame goes to
 * bytes as: values → packWords → frameToBytes, and back: bytesToWords → unpackWords.
 */
import { product } from '../../model/shape.js';
import type { Network, QType } from '../../model/types.js';
import { streamWidth, type HardwarePlan } from '../../rtl/plan.js';
import { packWords, unpackWords } from '../sim/words.js';

/** Bytes a word of `width` bits takes on the UART. */
export function bytesPerWord(width: number): number {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`a word width must be a positive integer, not ${width}`);
  return Math.ceil(width / 8);
}

/** Stream words of `width` bits → the bytes the UART carries, each word least significant byte first. */
export function frameToBytes(words: readonly bigint[], width: number): Uint8Array {
  const n = bytesPerWord(width);
  const out = new Uint8Array(words.length * n);
  words.forEach((word, w) => {
    if (word < 0n || word >> BigInt(width) !== 0n) throw new RangeError(`word ${w} (0x${word.toString(16)}) does not fit in ${width} bits`);
    let x = word;
    for (let b = 0; b < n; b++) {
      out[w * n + b] = Number(x & 0xffn);
      x >>= 8n;
    }
  });
  return out;
}

/**
 * Bytes from the UART → stream words of `width` bits. The byte count must be whole words,
 * and a top byte's bits above the width must be 0 (the shell sends 0 there: anything else
 * is a corrupted or misaligned link).
 */
export function bytesToWords(bytes: ArrayLike<number>, width: number): bigint[] {
  const n = bytesPerWord(width);
  if (bytes.length % n !== 0) throw new RangeError(`${bytes.length} bytes are not whole words of ${n} bytes (${width} bits)`);
  const words: bigint[] = [];
  for (let w = 0; w < bytes.length / n; w++) {
    let word = 0n;
    for (let b = n - 1; b >= 0; b--) {
      const v = bytes[w * n + b];
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`byte ${w * n + b} is ${v}, not a byte`);
      word = (word << 8n) | BigInt(v);
    }
    if (word >> BigInt(width) !== 0n)
      throw new RangeError(
        `word ${w} (0x${word.toString(16)}) has bits set above its ${width} bits: the byte stream is corrupted or misaligned`,
      );
    words.push(word);
  }
  return words;
}

/** How a network's frames travel over the UART shell. */
export interface UartFrameLayout {
  /** Stream word widths, bits (the bridge's IN_W and OUT_W). */
  inWidth: number;
  outWidth: number;
  inBytesPerWord: number;
  outBytesPerWord: number;
  inWordsPerFrame: number;
  outWordsPerFrame: number;
  /** What the host sends for one frame, and what it then reads back. */
  inBytesPerFrame: number;
  outBytesPerFrame: number;
}

function outputType(net: Network): { shape: number[]; type: QType } {
  const out = net.layers.find((l) => l.name === net.output);
  if (!out) throw new Error(`network ${net.name} has no output layer`);
  return { shape: out.outShape, type: out.outType };
}

/** The frame layout of a compiled network (`plan` from buildPlan / compileNetwork). */
export function uartFrameLayout(net: Network, plan: HardwarePlan): UartFrameLayout {
  if (!net.input) throw new Error(`network ${net.name} has no input`);
  const inWidth = streamWidth(plan.input);
  const outWidth = streamWidth(plan.output);
  // As the simulation counts them (network-sim.ts): values per frame over elements per word.
  const inWordsPerFrame = product(net.input.shape) / plan.input.elems;
  const outWordsPerFrame = product(outputType(net).shape) / plan.output.elems;
  const inBytesPerWord = bytesPerWord(inWidth);
  const outBytesPerWord = bytesPerWord(outWidth);
  return {
    inWidth,
    outWidth,
    inBytesPerWord,
    outBytesPerWord,
    inWordsPerFrame,
    outWordsPerFrame,
    inBytesPerFrame: inWordsPerFrame * inBytesPerWord,
    outBytesPerFrame: outWordsPerFrame * outBytesPerWord,
  };
}

/** One input frame (the input's values, channels-last) → the bytes the host sends. */
export function inputFrameToBytes(net: Network, plan: HardwarePlan, values: ArrayLike<number>): Uint8Array {
  if (!net.input) throw new Error(`network ${net.name} has no input`);
  const per = product(net.input.shape);
  if (values.length !== per) throw new RangeError(`an input frame of ${net.name} has ${per} values, not ${values.length}`);
  const words = packWords(Array.from(values), plan.input.elemBits, plan.input.elems, net.input.type);
  return frameToBytes(words, streamWidth(plan.input));
}

/** Output values (whole frames, e.g. the golden model's) → the bytes the shell sends for them. */
export function outputValuesToBytes(net: Network, plan: HardwarePlan, values: ArrayLike<number>): Uint8Array {
  const per = product(outputType(net).shape);
  if (values.length % per !== 0) throw new RangeError(`${values.length} values are not whole output frames of ${per}`);
  const words = packWords(Array.from(values), plan.output.elemBits, plan.output.elems, outputType(net).type);
  return frameToBytes(words, streamWidth(plan.output));
}

/** Bytes the host read back (whole output frames) → the output's values, channels-last, frame after frame. */
export function bytesToOutputValues(net: Network, plan: HardwarePlan, bytes: ArrayLike<number>): number[] {
  const perFrame = uartFrameLayout(net, plan).outBytesPerFrame;
  if (bytes.length % perFrame !== 0) throw new RangeError(`${bytes.length} bytes are not whole output frames of ${perFrame} bytes`);
  const words = bytesToWords(bytes, streamWidth(plan.output));
  return unpackWords(words, plan.output.elemBits, plan.output.elems, outputType(net).type);
}
