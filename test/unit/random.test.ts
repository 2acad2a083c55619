/**
 * The `random, seed=s` generator is a contract: users reproduce weights
 * outside the tool from the algorithm in server/src/weights/random.ts. The
 * golden values below pin it; if one of these tests fails, the generator
 * changed and every random network's weights changed with it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SEED, SeededRandom, randomValues } from '../../server/src/weights/random.js';

const words = (seed: number, n: number): number[] => {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => r.nextU32());
};

describe('golden values (do not update: a change here changes users’ weights)', () => {
  it('nextU32, first 8 words', () => {
    expect(words(0, 8)).toEqual([3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335, 104831812, 1587294886]);
    expect(words(1, 8)).toEqual([2442144158, 3238099751, 3819917871, 2104621829, 2021136066, 4223536128, 1515984730, 2298887649]);
    expect(words(42, 8)).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688]);
    expect(words(MAX_SEED, 8)).toEqual([835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718, 3677392737, 2464361898]);
  });

  it('randomValues for an i4 weight (seed 3) and a 3-value range (seed 7)', () => {
    expect(randomValues(3, 16, -8, 7)).toEqual([-1, 1, -3, 3, 2, 4, 5, 1, 3, -7, 6, -4, 0, -7, 2, 0]);
    expect(randomValues(7, 16, 0, 2)).toEqual([0, 2, 2, 2, 1, 0, 2, 2, 2, 2, 1, 0, 0, 0, 1, 2]);
  });

  it('a range where rejection happens often (n = 3·2^30, seed 1 rejects words 2, 3, 6, 10 and 12)', () => {
    const v = randomValues(1, 8, 0, 3 * 2 ** 30 - 1);
    expect(v).toEqual([2442144158, 2104621829, 2021136066, 1515984730, 2298887649, 1445082595, 2160875214, 2623305997]);
    // The values are the accepted words themselves (u mod n = u below n).
    const w = words(1, 20);
    expect(w.filter((u) => u < 3 * 2 ** 30).slice(0, 8)).toEqual(v);
    expect(w.slice(0, 8)).not.toEqual(v);
  });

  it('xoshiro128** matches the reference C code from state {1, 2, 3, 4}', () => {
    const r = SeededRandom.fromState([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => r.nextU32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });
});

describe('the documented Python reference gives the same numbers', () => {
  // The Python block in random.ts's header comment is what users copy; run it.
  const source = readFileSync(fileURLToPath(new URL('../../server/src/weights/random.ts', import.meta.url)), 'utf8');
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

  it('first words and i4 values', () => {
    const block = source.slice(source.indexOf(' *     M = 0xFFFFFFFF'), source.indexOf(' */'));
    const code = block
      .split('\n')
      .map((l) => l.replace(/^ \* {5}/, ''))
      .join('\n');
    expect(code).toContain('def int_in_range');
    const program = `${code}
import json
s = state(42); w = [next_u32(s) for _ in range(8)]
s = state(3); v = [int_in_range(s, -8, 7) for _ in range(16)]
s = state(1); b = [int_in_range(s, 0, 3 * 2**30 - 1) for _ in range(8)]
print(json.dumps([w, v, b]))`;
    const r = spawnSync(python, ['-c', program], { encoding: 'utf8' });
    expect(r.error, `cannot run ${python}: apt-get install python3`).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([words(42, 8), randomValues(3, 16, -8, 7), randomValues(1, 8, 0, 3 * 2 ** 30 - 1)]);
  });
});

describe('SeededRandom', () => {
  it('is deterministic per seed, and seeds differ', () => {
    expect(words(12345, 1000)).toEqual(words(12345, 1000));
    const firsts = new Set(Array.from({ length: 1000 }, (_, s) => words(s, 2).join(',')));
    expect(firsts.size).toBe(1000);
  });

  it.each([-1, 1.5, 2 ** 32, NaN, Infinity])('refuses seed %s', (seed) => {
    expect(() => new SeededRandom(seed)).toThrow(RangeError);
    expect(() => new SeededRandom(seed)).toThrow(/seed must be an integer from 0 to 4294967295/);
  });

  it('refuses a bad range', () => {
    const r = new SeededRandom(1);
    expect(() => r.intInRange(3, 2)).toThrow(/lo <= hi/);
    expect(() => r.intInRange(0.5, 2)).toThrow(RangeError);
    expect(() => r.intInRange(-(2 ** 53) + 1, 2 ** 53 - 1)).toThrow(/more than 2\^53 values/);
    expect(() => r.choice([])).toThrow(/empty/);
  });

  it('lo = hi gives lo and still draws one word', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    expect(a.intInRange(5, 5)).toBe(5);
    b.nextU32();
    expect(a.nextU32()).toBe(b.nextU32());
  });

  it('stays within [lo, hi] (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SEED }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 34 }),
        (seed, lo, span) => {
          const r = new SeededRandom(seed);
          for (let i = 0; i < 20; i++) {
            const v = r.intInRange(lo, lo + span);
            if (!Number.isInteger(v) || v < lo || v > lo + span) return false;
          }
          return true;
        },
      ),
    );
  });

  it('choice picks from the list, uniformly indexed', () => {
    const pow2 = [-4, -2, -1, 0, 1, 2, 4];
    const r = new SeededRandom(3);
    const picks = Array.from({ length: 7000 }, () => r.choice(pow2));
    for (const v of pow2) expect(picks.filter((p) => p === v).length).toBeGreaterThan(850);
  });
});

/** Pearson's chi-square statistic of counts against a uniform expectation. */
function chiSquare(values: number[], lo: number, hi: number): number {
  const k = hi - lo + 1;
  const counts = new Array<number>(k).fill(0);
  for (const v of values) counts[v - lo] = (counts[v - lo] ?? 0) + 1;
  const e = values.length / k;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}

describe('uniformity (deterministic samples, so these never flake)', () => {
  // Critical values at p = 0.001: df 15 → 37.70, df 5 → 20.52, df 1 → 10.83.
  it('i4 range [-8, 7]: chi-square over 160000 draws', () => {
    expect(chiSquare(randomValues(12345, 160_000, -8, 7), -8, 7)).toBeLessThan(37.7);
  });

  it('a non-power-of-two range [0, 5]: chi-square over 60000 draws', () => {
    expect(chiSquare(randomValues(2024, 60_000, 0, 5), 0, 5)).toBeLessThan(20.52);
  });

  it('bipolar [0, 1] over many seeds', () => {
    const firsts = Array.from({ length: 20_000 }, (_, s) => randomValues(s, 1, 0, 1)[0] ?? -1);
    expect(chiSquare(firsts, 0, 1)).toBeLessThan(10.83);
  });

  it('no modulo bias: n = 3·2^30, where u mod n would put half the values below 2^30', () => {
    const v = randomValues(99, 30_000, 0, 3 * 2 ** 30 - 1);
    const low = v.filter((x) => x < 2 ** 30).length / v.length;
    expect(Math.abs(low - 1 / 3)).toBeLessThan(0.015);
  });

  it('the 53-bit path (n > 2^32) reaches the whole range evenly', () => {
    const n = 3 * 2 ** 40;
    const v = randomValues(5, 30_000, 0, n - 1);
    expect(Math.max(...v)).toBeGreaterThan(n * 0.999);
    expect(Math.min(...v)).toBeLessThan(n * 0.001);
    const thirds = [0, 1, 2].map((t) => v.filter((x) => Math.floor(x / 2 ** 40) === t));
    expect(
      chiSquare(
        v.map((x) => Math.floor(x / 2 ** 40)),
        0,
        2,
      ),
    ).toBeLessThan(13.82); // df 2
    expect(thirds.every((t) => t.length > 9000)).toBe(true);
  });

  it('every bit of nextU32 is a fair coin', () => {
    const w = words(77, 20_000);
    for (let b = 0; b < 32; b++) {
      const ones = w.filter((x) => (x >>> b) & 1).length;
      expect(Math.abs(ones - 10_000)).toBeLessThan(4 * Math.sqrt(5_000)); // 4 sigma
    }
  });
});
