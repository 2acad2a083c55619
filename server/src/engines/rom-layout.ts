/**
 * ROM contents of the MVAU and activation engines (hw-templates/qnn_mvau.sv,
 * qnn_requant.sv, qnn_threshold.sv): the single place the memory layouts live.
 * Files are read with `$readmemh`: one hex word per line, word 0 first, no `@` addresses.
 *
 * Weight ROM (MVAU): depth NF·SF (NF = MH/PE, SF = MW/SIMD), width PE·SIMD·W_BITS.
 *   Word a = nf·SF + sf holds at bits [(p·SIMD + s)·W_BITS +: W_BITS] the encoded weight
 *   of row r = nf·PE + p, column c = sf·SIMD + s of the MVAU matrix (types.ts `matrix`).
 * Activation ROM (MVAU fused activation, standalone requant/threshold): depth CH/PE
 *   (NF for the MVAU), word g holds PE entries, entry p for channel g·PE + p:
 *   requant   {S (SHIFT_BITS), M (MBITS, unsigned)} at [p·(MBITS+SHIFT_BITS) +: MBITS+SHIFT_BITS],
 *             M in the low bits;
 *   threshold N_THRESH thresholds of T bits (two's complement, ascending), threshold i at
 *             [(p·N_THRESH + i)·T +: T]; T = ACC_BITS for the MVAU, T_BITS standalone.
 */
import { encodeValue, fitsType, signedBitsFor, typeBits, typeName } from '../model/qtype.js';
import type { Activation, MvauLayer, QType, RequantParams, ThresholdParams } from '../model/types.js';

/** Kind parameter of the engines (IN_KIND, W_KIND, OUT_KIND): 0 uint, 1 int, 2 bipolar, 3 pow2. */
export function kindCode(t: QType): 0 | 1 | 2 | 3 {
  switch (t.kind) {
    case 'uint':
      return 0;
    case 'int':
      return 1;
    case 'bipolar':
      return 2;
    case 'pow2':
      return 3;
  }
}

/** Bits of the requant shift field: enough for the largest shift (at least 1). */
export function requantShiftBits(act: RequantParams): number {
  const maxShift = Math.max(0, ...act.shifts);
  let bits = 1;
  while (2 ** bits <= maxShift) bits++;
  return bits;
}

/** Thresholds per channel (every channel has the same count). */
export function thresholdCount(act: ThresholdParams): number {
  return act.thresholds[0]?.length ?? 0;
}

/**
 * The engine's thresholds, clipped to [min, max + 1] of the value they are compared with
 * (FINN does the same): a threshold at or below every reachable value always passes, one
 * above every reachable value never does, so clipping changes no output.
 */
export function clippedThresholds(act: ThresholdParams, min: number, max: number): number[][] {
  return act.thresholds.map((ts) => ts.map((t) => Math.min(max + 1, Math.max(min, t))));
}

/**
 * Signed bits of one threshold in the ROM and of the comparison: the MVAU's ACC_BITS (pass
 * the accumulator's width and bounds; the result may be one bit wider when a clipped
 * threshold is max + 1), or the standalone threshold engine's T_BITS (pass the input type's
 * bounds and its signed width).
 */
export function thresholdBits(act: ThresholdParams, min: number, max: number, bits: number): number {
  let lo = min;
  let hi = max;
  for (const ts of clippedThresholds(act, min, max)) {
    for (const t of ts) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
  }
  return Math.max(bits, signedBitsFor(lo, hi));
}

/** Options of activationMem. */
export interface ActivationMemOptions {
  /** Range of the compared value (the accumulator or the input); thresholds are clipped to [min, max + 1]. */
  min?: number;
  max?: number;
  /** Requant: SHIFT_BITS (default requantShiftBits(act)). */
  shiftBits?: number;
  /** Channels (default: one per entry of the activation's per-channel lists). */
  channels?: number;
}

/** Weight ROM of an MVAU (see the file comment for the layout). */
export function weightMem(layer: MvauLayer, pe: number, simd: number, wType: QType): string {
  const { mw, mh, matrix } = layer;
  if (mh % pe !== 0) throw new Error(`${layer.name}: PE=${pe} does not divide MH=${mh}`);
  if (mw % simd !== 0) throw new Error(`${layer.name}: SIMD=${simd} does not divide MW=${mw}`);
  if (matrix.length !== mh * mw) throw new Error(`${layer.name}: matrix has ${matrix.length} values, MH·MW = ${mh * mw}`);
  const nf = mh / pe;
  const sf = mw / simd;
  const wbits = typeBits(wType);
  const word = new WordBuilder(pe * simd * wbits);
  const words: bigint[] = [];
  for (let n = 0; n < nf; n++) {
    for (let f = 0; f < sf; f++) {
      word.clear();
      for (let p = 0; p < pe; p++) {
        const r = n * pe + p;
        for (let s = 0; s < simd; s++) {
          const c = f * simd + s;
          const v = matrix[r * mw + c];
          if (!fitsType(v, wType)) throw new Error(`${layer.name}: weight [${r}, ${c}] = ${v} is not a ${typeName(wType)} value`);
          word.set((p * simd + s) * wbits, wbits, BigInt(encodeValue(v, wType)));
        }
      }
      words.push(word.value());
    }
  }
  return memText({ width: word.width, words });
}

/**
 * Activation ROM: requant {S, M} entries or threshold lists, PE entries per word, depth
 * channels/PE. `accBits` is the width T of one threshold (the MVAU's ACC_BITS, or the
 * standalone engine's T_BITS); it is ignored for requant.
 */
export function activationMem(act: Activation, pe: number, accBits: number, opts: ActivationMemOptions = {}): string {
  return memText(activationImage(act, pe, accBits, opts));
}

/** A ROM image as `$readmemh` reads it: one word a line, ⌈width/4⌉ hex digits, most significant first. */
function memText(image: RomImage): string {
  const digits = Math.ceil(image.width / 4);
  return image.words.map((w) => w.toString(16).padStart(digits, '0')).join('\n') + '\n';
}

/** A ROM's contents: one `width`-bit word per entry. */
export interface RomImage {
  width: number;
  words: bigint[];
}

/** The activation ROM's words (`activationMem` is their `.mem` text; the estimate counts their columns). */
export function activationImage(act: Activation, pe: number, accBits: number, opts: ActivationMemOptions = {}): RomImage {
  if (act.kind === 'requant') return requantImage(act, pe, opts);
  return thresholdImage(act, pe, accBits, opts);
}

function requantImage(act: RequantParams, pe: number, opts: ActivationMemOptions): RomImage {
  const channels = opts.channels ?? act.multipliers.length;
  checkFold(channels, pe);
  const sbits = opts.shiftBits ?? requantShiftBits(act);
  const mbits = act.mbits;
  const word = new WordBuilder(pe * (mbits + sbits));
  const words: bigint[] = [];
  for (let g = 0; g < channels / pe; g++) {
    word.clear();
    for (let p = 0; p < pe; p++) {
      const c = g * pe + p;
      const m = act.multipliers[c % act.multipliers.length];
      const s = act.shifts[c % act.shifts.length];
      if (!Number.isInteger(m) || m < 0 || m >= 2 ** mbits)
        throw new Error(`requant multiplier ${m} of channel ${c} does not fit ${mbits} unsigned bits`);
      if (!Number.isInteger(s) || s < 0 || s >= 2 ** sbits)
        throw new Error(`requant shift ${s} of channel ${c} does not fit ${sbits} bits`);
      const base = p * (mbits + sbits);
      word.set(base, mbits, BigInt(m));
      word.set(base + mbits, sbits, BigInt(s));
    }
    words.push(word.value());
  }
  return { width: word.width, words };
}

function thresholdImage(act: ThresholdParams, pe: number, tbits: number, opts: ActivationMemOptions): RomImage {
  const channels = opts.channels ?? act.thresholds.length;
  checkFold(channels, pe);
  const n = thresholdCount(act);
  if (n < 1) throw new Error('threshold activation without thresholds');
  const min = opts.min ?? -Infinity;
  const max = opts.max ?? Infinity;
  const lists = clippedThresholds(act, min, max);
  const lo = -(2n ** BigInt(tbits - 1));
  const hi = 2n ** BigInt(tbits - 1) - 1n;
  const word = new WordBuilder(pe * n * tbits);
  const words: bigint[] = [];
  for (let g = 0; g < channels / pe; g++) {
    word.clear();
    for (let p = 0; p < pe; p++) {
      const c = g * pe + p;
      const ts = lists[c % lists.length];
      if (ts.length !== n) throw new Error(`channel ${c} has ${ts.length} thresholds, channel 0 has ${n}`);
      for (let i = 0; i < n; i++) {
        const t = BigInt(ts[i]);
        if (t < lo || t > hi) throw new Error(`threshold ${ts[i]} of channel ${c} does not fit ${tbits} signed bits`);
        word.set((p * n + i) * tbits, tbits, BigInt.asUintN(tbits, t));
      }
    }
    words.push(word.value());
  }
  return { width: word.width, words };
}

function checkFold(channels: number, pe: number): void {
  if (!Number.isInteger(pe) || pe < 1 || channels % pe !== 0) throw new Error(`PE=${pe} does not divide ${channels} channels`);
}

/** A memory word assembled field by field; value() is the word (memText formats it). */
class WordBuilder {
  private readonly bits: Uint8Array;
  constructor(readonly width: number) {
    this.bits = new Uint8Array(Math.ceil(width / 4) * 4);
  }
  clear(): void {
    this.bits.fill(0);
  }
  /** Sets bits [offset, offset + width) to the low `width` bits of v (v ≥ 0). */
  set(offset: number, width: number, v: bigint): void {
    let x = v;
    for (let i = 0; i < width; i++) {
      this.bits[offset + i] = Number(x & 1n);
      x >>= 1n;
    }
  }
  value(): bigint {
    // Four bits at a time (a bit at a time is a BigInt operation per weight bit).
    let out = '0x0';
    for (let d = this.bits.length / 4 - 1; d >= 0; d--) {
      const b = d * 4;
      out += (this.bits[b] | (this.bits[b + 1] << 1) | (this.bits[b + 2] << 2) | (this.bits[b + 3] << 3)).toString(16);
    }
    return BigInt(out);
  }
}
