/**
 * Pixel parallelism (`fold(…, mmv=M)`, QNN046) and replicated pipelines (`target …, lanes N`)
 * in the model and the cost model: the legal M of each operator, the full fold M > 1 needs,
 * stream words of M whole pixels, cycles per frame divided by M, resources and frames/s
 * multiplied by N, and auto-folding's budget shared by the lanes.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { descriptorOf } from '../../../server/src/engines/registry.js';
import { check, net } from './helpers.js';

/** The helpers' default target (xc7z020). */
const XC7 = fabricOf(findDevice('xc7z020'));

const conv = (fold: string) => `layer c = conv1d(x, filters=4, kernel=5, pad=same, weights=i2(random, seed=1)) ${fold}`;

describe('fold(mmv=M)', () => {
  it('takes M pixels per cycle on a fully unrolled conv: words of M whole pixels, cycles / M', async () => {
    // x: u8[16, 4]; MW = 5·4 = 20, MH = 4. (A part whose DSPs hold all four copies' products.)
    const big = { target: 'xczu9eg @ 100 MHz' };
    const one = await check(net(conv('fold(pe=4, simd=20)'), big));
    const four = await check(net(conv('fold(pe=4, simd=20, mmv=4)'), big));
    expect(four.codes.filter((c) => c < 'QNN043')).toEqual([]);
    const e1 = one.analysis.network.engines[0];
    const e4 = four.analysis.network.engines[0];
    expect(e4.mmv).toBe(4);
    expect([e4.inElemsPerWord, e4.outElemsPerWord]).toEqual([16, 16]);
    expect(descriptorOf(e1).timing(e1).cycles).toBe(16);
    expect(descriptorOf(e4).timing(e4).cycles).toBe(4);
    expect(four.analysis.estimate!.ii_cycles).toBe(4);
    // Four copies of the hard-wired PE × SIMD array, their control (counters) counted once.
    const lut = (p: typeof one) => p.analysis.estimate!.layers[0].breakdown.mvau.lut;
    const ratio = lut(four) / lut(one);
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(4);
    // Flip-flops: each copy keeps its own input register (the overlapping taps are not merged:
    // each copy's enable comes from its own skid buffer) and valid flags; only the counters
    // are shared (measured: held_mmv0 keeps 4 × 40 input bits).
    const ff = (p: typeof one) => p.analysis.estimate!.layers[0].breakdown.mvau.ff;
    expect(ff(four) - 4 * ff(one)).toBeLessThan(0);
    expect(ff(four) - 4 * ff(one)).toBeGreaterThanOrEqual(-3 * 8);
  });

  it('QNN046: an M that does not divide the row, and a conv with stride > 1', async () => {
    const bad = await check(net(conv('fold(pe=4, simd=20, mmv=3)')));
    const d = bad.diagnostics.find((x) => x.code === 'QNN046')!;
    expect(d.message).toContain("mmv=3 is not legal for 'c'");
    expect(d.message).toContain('valid mmv values are 1, 2, 4, 8, 16');
    expect(bad.analysis.network.engines[0].mmv).toBe(1);
    const strided = await check(
      net('layer c = conv1d(x, filters=4, kernel=2, stride=2, weights=i2(random, seed=1)) fold(pe=4, simd=8, mmv=2)'),
    );
    expect(strided.diagnostics.find((x) => x.code === 'QNN046')!.message).toContain('stride > 1 takes only mmv=1');
    const dense = await check(net('layer d = dense(x, units=4, weights=i2(random, seed=1)) fold(pe=4, simd=64, mmv=2)'));
    expect(dense.diagnostics.find((x) => x.code === 'QNN046')!.message).toContain('one vector per frame');
  });

  it('conv2d: the window generator on super-pixel rows, with the row kernel and padding M needs', async () => {
    const c2 = (k: number, pad: string, mmv: number) =>
      net(`layer c = conv2d(x, filters=2, kernel=${k}, pad=${pad}, weights=i3(random, seed=1)) fold(pe=2, simd=${k * k * 2}, mmv=${mmv})`, {
        input: 'u4[8, 8, 2]',
      });
    const params = async (k: number, pad: string, mmv: number) => {
      const r = await check(c2(k, pad, mmv));
      expect(r.codes.filter((c) => c < 'QNN043')).toEqual([]);
      const e = r.analysis.network.engines[0];
      return Object.fromEntries(descriptorOf(e).instances(e, XC7)[0].params);
    };
    // 3×3 same at M = 4: 2 super-pixels of 4 a row, the kernel stays 3×3 (one super-pixel each side).
    const three = await params(3, 'same', 4);
    expect([three.IN_W, three.CH, three.K, three.PAD, three.SIMD, three.KX]).toEqual([2, 8, 3, 1, 72, undefined]);
    // 5×5 same at M = 2: 5 rows × 3 super-pixels, padding 2 rows and 1 super-pixel.
    const five = await params(5, 'same', 2);
    expect([five.IN_W, five.CH, five.K, five.PAD, five.KX, five.PADX, five.SIMD]).toEqual([4, 4, 5, 2, 3, 1, 60]);
    // 3×3 without padding at M = 2: 3 rows × 2 super-pixels.
    const valid = await params(3, 'valid', 2);
    expect([valid.K, valid.PAD, valid.KX, valid.PADX]).toEqual([3, 0, 2, 0]);
  });

  it('QNN046: M > 1 on an engine not yet at one pixel per cycle names the fold it needs', async () => {
    const r = await check(net(conv('fold(pe=2, simd=20, mmv=2)')));
    const d = r.diagnostics.find((x) => x.code === 'QNN046')!;
    expect(d.message).toContain('fold(pe=4, simd=20, mmv=2)');
    expect((d.data as { fold: string }).fold).toBe('fold(pe=4, simd=20, mmv=2)');
  });

  it('max-pool: 1-D, stride = kernel, M a multiple of the kernel; its output word holds M/K pixels', async () => {
    const body = `${conv('fold(pe=4, simd=20, mmv=4)')}
      layer r = requant(c, out=u4, scale=0.05)
      layer p = maxpool(r, kernel=2) fold(pe=4, mmv=4)`;
    const ok = await check(net(body));
    expect(ok.codes.filter((c) => c < 'QNN043')).toEqual([]);
    const pool = ok.analysis.network.engines.find((e) => e.kind === 'maxpool')!;
    expect([pool.inElemsPerWord, pool.outElemsPerWord]).toEqual([16, 8]);
    expect(descriptorOf(pool).timing(pool).cycles).toBe(4);
    const odd = await check(net(body.replace('mmv=4)', 'mmv=1)').replace('fold(pe=4, mmv=4)', 'fold(pe=4, mmv=3)')));
    expect(odd.diagnostics.find((x) => x.code === 'QNN046')!.message).toContain('multiple of the kernel 2');
  });

  it('max-pool 2-D: square, stride = kernel, M a multiple of the kernel dividing the row; K rows merge into one', async () => {
    const input = 'u4[6, 8, 2]';
    const ok = await check(net('layer p = maxpool(x, kernel=2) fold(pe=2, mmv=4)', { input }));
    expect(ok.codes.filter((c) => c < 'QNN043')).toEqual([]);
    const pool = ok.analysis.network.engines[0];
    expect([pool.inElemsPerWord, pool.outElemsPerWord]).toEqual([8, 4]);
    // 6 rows × 2 words of 4 pixels: a word in per cycle, the words of every 2nd row complete one out.
    expect(descriptorOf(pool).timing(pool).cycles).toBe(12);
    const t = descriptorOf(pool).tokens(pool, 1);
    expect(t.outWords).toBe(6);
    const params = Object.fromEntries(descriptorOf(pool).instances(pool, XC7)[0].params);
    expect([params.DIMS, params.IN_H, params.IN_W, params.MMV]).toEqual([2, 6, 8, 4]);
    const bad = await check(net('layer p = maxpool(x, kernel=2) fold(pe=2, mmv=3)', { input }));
    expect(bad.diagnostics.find((x) => x.code === 'QNN046')!.message).toMatch(/multiple of the kernel 2 that divides the row's 8 pixels/);
    const strided = await check(net('layer p = maxpool(x, kernel=3, stride=2) fold(pe=2, mmv=2)', { input }));
    expect(strided.diagnostics.find((x) => x.code === 'QNN046')!.message).toContain('stride = kernel');
  });

  it('a stand-alone requant at M pixels per word repeats its per-channel constants M times', async () => {
    const r = await check(
      net(`layer p = maxpool(x, kernel=2) fold(pe=4, mmv=2)
           layer q = requant(p, out=u4, scale=0.5) fold(pe=4, mmv=2)`),
    );
    expect(r.codes.filter((c) => c < 'QNN043')).toEqual([]);
    const q = r.analysis.network.engines[1];
    const params = Object.fromEntries(descriptorOf(q).instances(q, XC7)[0].params);
    expect([params.PE, params.CH]).toEqual([8, 8]);
    expect(descriptorOf(q).timing(q).cycles).toBe(4);
  });

  it('QNN044 offers a smaller M that keeps the II', async () => {
    const body = `${conv('fold(pe=4, simd=20, mmv=4)')}
      layer r = requant(c, out=u4, scale=0.05)
      layer p = maxpool(r, kernel=2) fold(pe=4, mmv=4)
      layer c2 = conv1d(p, filters=2, kernel=3, pad=same, weights=i2(random, seed=2)) fold(pe=2, simd=12, mmv=4)`;
    const r = await check(net(body));
    const hint = r.analysis.diagnostics.find((x) => x.code === 'QNN044' && x.message.includes("'c2'"))!;
    expect(hint.data!.fold).toBe('fold(pe=2, simd=12, mmv=2)');
  });
});

describe('target …, lanes N', () => {
  const body = `${conv('fold(pe=4, simd=20)')}`;
  it('multiplies resources and frames/s by N; one lane keeps its II; pixels/s counts every lane', async () => {
    // (A part whose DSPs hold three lanes, so mul=auto keeps every lane's products in DSPs.)
    const one = (await check(net(body, { target: 'xczu9eg @ 100 MHz' }))).analysis.estimate!;
    const three = (await check(net(body, { target: 'xczu9eg @ 100 MHz, lanes 3' }))).analysis.estimate!;
    expect(three.lanes).toBe(3);
    expect(three.ii_cycles).toBe(one.ii_cycles);
    expect(three.fps_per_lane).toBe(one.fps);
    expect(three.fps).toBeCloseTo(3 * one.fps, 3);
    expect(three.pixels_per_s).toBe(Math.round(3 * one.fps * 16));
    for (const k of ['lut', 'ff', 'bram18', 'dsp'] as const) expect(three.totals[k]).toBe(3 * one.totals[k]);
    expect(three.layers[0].lut).toBe(one.layers[0].lut);
    expect(three.roofline.ceilings.design_lanes).toBe(3 * one.roofline.ceilings.design_lanes);
  });

  it('fps >= is the design’s: auto-folding gives each lane the budget f·N / fps', async () => {
    const auto = 'layer c = conv1d(x, filters=4, kernel=5, pad=same, weights=i2(random, seed=1))';
    // 100 MHz / 2.5M fps = 40 cycles for one lane; with 4 lanes, 160.
    const one = (await check(net(auto, { target: 'xc7z020 @ 100 MHz, fps >= 2.5M' }))).analysis.estimate!;
    const four = (await check(net(auto, { target: 'xc7z020 @ 100 MHz, fps >= 2.5M, lanes 4' }))).analysis.estimate!;
    expect(one.ii_cycles).toBeLessThanOrEqual(40);
    expect(four.ii_cycles).toBeLessThanOrEqual(160);
    expect(four.ii_cycles).toBeGreaterThan(40);
    expect(four.fps_met).toBe(true);
  });

  it('lanes is not a keyword (a name valid before stays valid); a misspelt option is QNN010', async () => {
    const named = await check(net('layer lanes = maxpool(x, kernel=2)', { target: 'xc7z020 @ 100 MHz, lanes 2' }));
    expect(named.codes.filter((c) => c < 'QNN043')).toEqual([]);
    expect(named.analysis.estimate!.lanes).toBe(2);
    const typo = await check(net(body, { target: 'xc7z020 @ 100 MHz, lane 2' }));
    expect(typo.diagnostics.find((x) => x.code === 'QNN010')!.message).toContain("unknown target option 'lane'");
  });

  it('QNN030 on lanes 0', async () => {
    const r = await check(net(body, { target: 'xc7z020 @ 100 MHz, lanes 0' }));
    expect(r.diagnostics.find((x) => x.code === 'QNN030')!.message).toContain('lanes must be an integer of at least 1');
  });
});

describe('auto-folding past one pixel per cycle', () => {
  it('raises M on the full fold, the smallest M that meets fps >=', async () => {
    // x: u8[16, 4] → 16 pixels; one pixel per cycle is 16 cycles a frame; 100 MHz / 20M fps = 5 cycles: M = 4.
    const auto = 'layer c = conv1d(x, filters=4, kernel=5, pad=same, weights=i2(random, seed=1))';
    const r = await check(net(auto, { target: 'xc7z020 @ 100 MHz, fps >= 20M' }));
    const e = r.analysis.network.engines[0];
    expect([e.pe, e.simd, e.mmv]).toEqual([4, 20, 4]);
    expect(r.analysis.estimate!.ii_cycles).toBe(4);
    expect(r.analysis.estimate!.fps_met).toBe(true);
    // Beyond 16 pixels per cycle nothing meets it: the fastest (M = 16) and QNN051.
    const over = await check(net(auto, { target: 'xc7z020 @ 100 MHz, fps >= 200M' }));
    expect(over.analysis.network.engines[0].mmv).toBe(16);
    expect(over.codes).toContain('QNN051');
    // …and says how many lanes would: 100 MHz / 1 cycle = 100M frames/s a lane, so 2. With
    // i2 constants (0, ±1, −2) are wiring and negations, no multipliers. With i4 constants
    // the products Yosys keeps (u8 × 3, × 5, …: the template multiplies by |w|, and equal odd
    // magnitudes in a column are one product) are DSPs under mul=dsp, and 2 lanes of them do
    // not fit.
    expect(over.diagnostics.find((x) => x.code === 'QNN051')!.message).toContain(
      '`lanes 2` (2 copies of the pipeline as it is now, each on its own stream) would meet it and the device holds them',
    );
    const dsp = await check(
      net(auto.replace('i2(random, seed=1))', 'i4(random, seed=1), mul=dsp)'), { target: 'xc7z020 @ 100 MHz, fps >= 200M' }),
    );
    expect(dsp.diagnostics.find((x) => x.code === 'QNN051')!.message).toContain(
      '`lanes 2` (2 copies of the pipeline as it is now, each on its own stream) would meet it, but the device does not hold them: its DSPs run out (960 of 220)',
    );
    // Shifts instead of multipliers: the two lanes fit.
    const shifts = await check(net(auto.replace('i2(random', 'pow2<3>(random'), { target: 'xc7z020 @ 100 MHz, fps >= 200M' }));
    expect(shifts.diagnostics.find((x) => x.code === 'QNN051')!.message).toContain(
      '`lanes 2` (2 copies of the pipeline as it is now, each on its own stream) would meet it and the device holds them',
    );
  });
});

describe('examples/peak_detector_4g', () => {
  it('4.0 Gpixel/s; with its folds removed and fps >= 3906250, auto-folding chooses the same folds', async () => {
    const file = path.resolve(__dirname, '../../../examples/peak_detector_4g/peak_detector_4g.qnn');
    const text = readFileSync(file, 'utf8');
    const given = await check(text, file);
    expect(given.codes.filter((c) => c < 'QNN043')).toEqual([]);
    expect(given.analysis.estimate!.pixels_per_s).toBe(4e9);
    const auto = await check(text.replace(/ fold\([^)]*\)/g, '').replace('@ 250 MHz, lanes 4', '@ 250 MHz, fps >= 3906250, lanes 4'), file);
    const folds = (p: typeof given) => p.analysis.network.engines.map((e) => [e.pe, e.simd, e.mmv]);
    expect(auto.analysis.estimate!.fps_met).toBe(true);
    expect(folds(auto)).toEqual(folds(given));
  });
});
