import { describe, expect, it } from 'vitest';
import { check, net } from './helpers.js';
import { fixedPointScale, requantValue } from '../../../server/src/model/requant.js';
import { toMvauMatrix } from '../../../server/src/model/elaborate.js';
import { decodeValue, encodeValue, typeValues } from '../../../server/src/model/qtype.js';
import type { MvauLayer } from '../../../server/src/model/types.js';

describe('types and encodings', () => {
  it('pow2<3> holds {0, ±1, ±2, ±4} and encodes MSB sign, k = log2|v| + 1', () => {
    const t = { kind: 'pow2', bits: 3 } as const;
    expect(typeValues(t)).toEqual([-4, -2, -1, 0, 1, 2, 4]);
    expect(encodeValue(4, t)).toBe(0b011);
    expect(encodeValue(-1, t)).toBe(0b101);
    for (const v of typeValues(t)) expect(decodeValue(encodeValue(v, t), t)).toBe(v);
  });
  it('round-trips every value of i4, u3 and bipolar', () => {
    for (const t of [{ kind: 'int', bits: 4 }, { kind: 'uint', bits: 3 }, { kind: 'bipolar' }] as const) {
      for (const v of typeValues(t)) expect(decodeValue(encodeValue(v, t), t)).toBe(v);
    }
  });
});

describe('requant fixed point', () => {
  it('picks the closest M/2^S with M of at most mbits bits', () => {
    const f = fixedPointScale(0.0117, 16);
    expect(f.multiplier).toBeLessThan(2 ** 16);
    expect(Math.abs(f.multiplier / 2 ** f.shift - 0.0117)).toBeLessThan(1e-6);
    expect(fixedPointScale(0.5, 16).relError).toBe(0);
    expect(fixedPointScale(3, 2)).toEqual({ multiplier: 3, shift: 0, relError: 0 });
  });
  it('rounds half up with a flooring shift, no rounding term at S = 0', () => {
    expect(requantValue(3, 1, 1, 0, -100, 100)).toBe(2); // (3 + 1) >> 1
    expect(requantValue(-3, 1, 1, 0, -100, 100)).toBe(-1); // (-3 + 1) >> 1 = -1
    expect(requantValue(-5, 1, 0, 0, -100, 100)).toBe(-5);
    expect(requantValue(1000, 1, 0, 2, 0, 15)).toBe(15);
    expect(requantValue(-1000, 1, 0, 0, 0, 15)).toBe(0);
  });
});

describe('elaboration', () => {
  it('elaborates the conv chain: shapes, accumulator, fusion', async () => {
    const { analysis, codes } = await check(
      net(`layer c = conv1d(x, filters=8, kernel=3, pad=same, weights=i4(random, seed=1)) fold(pe=2, simd=4)
           layer r = requant(c, out=u4, scale=0.01)`),
    );
    expect(codes.filter((c) => c !== 'QNN043')).toEqual([]);
    const c = analysis.network.layers[0] as MvauLayer;
    expect(c.outShape).toEqual([16, 8]);
    expect(c.mw).toBe(12);
    expect(c.mh).toBe(8);
    // random i4 × u8: bound from the types: 12 · (−8 · 255) … 12 · (7 · 255)
    expect(c.acc.min).toBe(-24480);
    expect(c.acc.max).toBe(21420);
    expect(c.acc.bits).toBe(16);
    expect(analysis.network.engines.map((e) => e.layers)).toEqual([['c', 'r']]);
  });

  it('reorders PyTorch conv weights to kernel-position-major im2col columns', () => {
    // Cout=1, Cin=2, K=2: w[0, c, k] = 10c + k
    const m = toMvauMatrix(Int32Array.from([0, 1, 10, 11]), 'conv1d', 1, 2, [2]);
    expect([...m]).toEqual([0, 10, 1, 11]);
  });

  it('computes the exact accumulator bound from inline weights', async () => {
    const { analysis } = await check(net(`layer d = dense(x, units=2, weights=i4([[1, -2, 3, 0], [0, 0, 0, -8]]))`, { input: 'u2[4]' }));
    const d = analysis.network.layers[0] as MvauLayer;
    expect(d.acc.min).toBe(-24);
    expect(d.acc.max).toBe(12);
    expect(d.acc.bits).toBe(6);
  });

  it('auto-folds to meet fps and marks the fold as auto', async () => {
    const { analysis } = await check(
      net(`layer d = dense(x, units=64, weights=i2(random))`, { input: 'u2[64]', target: 'xc7z020 @ 100 MHz, fps >= 1M' }),
    );
    const d = analysis.network.layers[0] as MvauLayer;
    expect(d.foldSource).toBe('auto');
    expect((d.mh / d.pe) * (d.mw / d.simd)).toBeLessThanOrEqual(100);
  });
});
