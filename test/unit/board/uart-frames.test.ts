/**
 * The UART shell's byte layout (uart-frames.ts): words ↔ bytes, least significant byte
 * first, and a network's frames ↔ bytes through the plan's stream words.
 */
import { describe, expect, it } from 'vitest';
import { finalEstimate } from '../../../server/src/analysis/analyze.js';
import {
  bytesPerWord,
  bytesToOutputValues,
  bytesToWords,
  frameToBytes,
  inputFrameToBytes,
  outputValuesToBytes,
  uartFrameLayout,
} from '../../../server/src/flows/board/uart-frames.js';
import { buildPlan } from '../../../server/src/rtl/plan.js';
import { SeededRandom } from '../../../server/src/weights/random.js';
import { check } from '../model/helpers.js';

describe('words and bytes', () => {
  it('a word is ceil(width/8) bytes, least significant first, unused top bits 0', () => {
    expect([1, 7, 8, 9, 16, 17, 64].map(bytesPerWord)).toEqual([1, 1, 1, 2, 2, 3, 8]);
    expect([...frameToBytes([0xabcn, 0x123n], 12)]).toEqual([0xbc, 0x0a, 0x23, 0x01]);
    expect([...frameToBytes([1n, 0n, 1n], 1)]).toEqual([1, 0, 1]);
    expect([...frameToBytes([0x1_0203_0405n], 33)]).toEqual([5, 4, 3, 2, 1]);
    expect([...frameToBytes([], 8)]).toEqual([]);
  });

  it('bytesToWords inverts frameToBytes for any width', () => {
    const r = new SeededRandom(11);
    for (let width = 1; width <= 70; width++) {
      const words = Array.from({ length: 5 }, () => {
        let w = 0n;
        for (let b = 0; b < width; b++) w = (w << 1n) | BigInt(r.intInRange(0, 1));
        return w;
      });
      words.push((1n << BigInt(width)) - 1n, 0n);
      const bytes = frameToBytes(words, width);
      expect(bytes.length).toBe(words.length * Math.ceil(width / 8));
      expect(bytesToWords(bytes, width), `width ${width}`).toEqual(words);
    }
  });

  it('rejects what is not a word or not whole words', () => {
    expect(() => frameToBytes([0x1000n], 12)).toThrow(/does not fit in 12 bits/);
    expect(() => frameToBytes([-1n], 12)).toThrow(/does not fit/);
    expect(() => bytesToWords([1, 2, 3], 12)).toThrow(/not whole words of 2 bytes/);
    // 0x10 in the top byte of a 12-bit word: bit 12 set.
    expect(() => bytesToWords([0xff, 0x10], 12)).toThrow(/bits set above its 12 bits/);
    expect(() => bytesToWords([256], 8)).toThrow(/not a byte/);
    expect(() => bytesPerWord(0)).toThrow(RangeError);
  });
});

// Input u4[12] in words of 3 elements (12 bits, 2 bytes); output i5 × PE 2 (10 bits, 2 bytes).
const SYN = `network syn {
  target ice40up5k @ 12 MHz
  input x: u4[12]
  layer d = dense(x, units=6, weights=i3(random, seed=2)) fold(pe=2, simd=3)
  layer r = requant(d, out=i5, scale=0.05)
  output r
}
`;

describe('a network frame over the UART', async () => {
  const { analysis, diagnostics } = await check(SYN);
  const net = analysis.network;
  const plan = buildPlan(net, finalEstimate(analysis)!);

  it('compiles', () => {
    expect(diagnostics.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('has the layout of its stream words', () => {
    expect(uartFrameLayout(net, plan)).toEqual({
      inWidth: 12,
      outWidth: 10,
      inBytesPerWord: 2,
      outBytesPerWord: 2,
      inWordsPerFrame: 4,
      outWordsPerFrame: 3,
      inBytesPerFrame: 8,
      outBytesPerFrame: 6,
    });
  });

  it('input values → bytes: element 0 in the low bits, low byte first', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15];
    // Word 0 = 0x321, word 1 = 0x654, word 2 = 0x987, word 3 = 0xfba.
    expect([...inputFrameToBytes(net, plan, values)]).toEqual([0x21, 0x03, 0x54, 0x06, 0x87, 0x09, 0xba, 0x0f]);
    expect(() => inputFrameToBytes(net, plan, values.slice(1))).toThrow(/12 values, not 11/);
    expect(() => inputFrameToBytes(net, plan, [...values.slice(1), 16])).toThrow(/16 is not a uint4 value/);
  });

  it('bytes → output values, signed, frame after frame', () => {
    // i5: -1 = 0x1f, 5 = 0x05 → word 0x1f | 5 << 5 = 0xbf; -16 = 0x10, 15 = 0x0f → 0x1f0.
    const frame = [0xbf, 0x00, 0xf0, 0x01, 0x00, 0x00];
    expect(bytesToOutputValues(net, plan, frame)).toEqual([-1, 5, -16, 15, 0, 0]);
    expect([...outputValuesToBytes(net, plan, [-1, 5, -16, 15, 0, 0])]).toEqual(frame);
    expect(() => outputValuesToBytes(net, plan, [-1, 5, -16])).toThrow(/not whole output frames of 6/);
    expect(() => outputValuesToBytes(net, plan, [16, 0, 0, 0, 0, 0])).toThrow(/16 is not a int5 value/);
    expect(bytesToOutputValues(net, plan, [...frame, ...frame])).toHaveLength(12);
    expect(() => bytesToOutputValues(net, plan, frame.slice(2))).toThrow(/whole output frames of 6 bytes/);
    // Bit 10 of a 10-bit word: the link is misaligned.
    expect(() => bytesToOutputValues(net, plan, [0, 0x04, 0, 0, 0, 0])).toThrow(/bits set above/);
  });
});
