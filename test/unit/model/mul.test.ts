/**
 * `mul=auto|dsp|lut` (language.md §4, hardware.md §4): where an MVAU's multipliers go, in
 * the model, the estimate, the template parameters, the hover and QNN047 / QNN048.
 */
import { describe, expect, it } from 'vitest';
import { fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { descriptorOf } from '../../../server/src/engines/registry.js';
import { layerHover } from '../../../server/src/lsp/hover-content.js';
import { estimateTable } from '../../../server/src/report/estimate-text.js';
import type { MvauLayer } from '../../../server/src/model/types.js';
import { check, net } from './helpers.js';

/** The helpers' default target (xc7z020). */
const XC7 = fabricOf(findDevice('xc7z020'));

// u8 × i8 lanes (17-bit products: a DSP48 or SB_MAC16 each) and a fused requant.
const conv = (extra = '', fold = 'fold(pe=2, simd=2)') =>
  `layer c = conv1d(x, filters=4, kernel=3, pad=same, weights=i8(random, seed=1)${extra}) ${fold}
   layer r = requant(c, out=u8, scale=0.01)`;

describe('mul=', () => {
  it('defaults to auto: the DSP rule; lut puts every multiplier (lanes and requant) in LUTs', async () => {
    const auto = await check(net(conv()));
    const lut = await check(net(conv(', mul=lut')));
    expect(auto.codes.filter((c) => c < 'QNN050')).toEqual([]);
    expect(lut.codes.filter((c) => c < 'QNN050')).toEqual([]);
    const a = auto.analysis.estimate!.layers[0];
    const l = lut.analysis.estimate!.layers[0];
    // 4 lanes (PE·SIMD) and 2 requant multipliers.
    expect(a.dsp).toBe(6);
    expect(l.dsp).toBe(0);
    expect(l.lut).toBeGreaterThan(a.lut);
    expect(a.multipliers).toEqual({ declared: 'auto', in: 'dsp', moved: false });
    expect(l.multipliers).toEqual({ declared: 'lut', in: 'lut', moved: false });
    // The template builds them from LUTs exactly when the estimate does.
    const param = (r: typeof auto) => {
      const e = r.analysis.network.engines[0];
      return Object.fromEntries(descriptorOf(e).instances(e, XC7)[1].params).MUL_LUT;
    };
    expect(param(auto)).toBeUndefined();
    expect(param(lut)).toBe(1);
  });

  it('mul=dsp is the DSP rule as well (no QNN047 on products wide enough)', async () => {
    const dsp = await check(net(conv(', mul=dsp')));
    expect(dsp.codes).not.toContain('QNN047');
    expect(dsp.analysis.estimate!.layers[0].dsp).toBe(6);
  });

  it('an unknown choice is QNN010 with the valid ones, and the layer goes on at auto', async () => {
    const r = await check(net(conv(', mul=fast')));
    const d = r.diagnostics.find((x) => x.code === 'QNN010')!;
    expect(d.message).toBe("unknown multiplier choice 'fast': use auto, dsp, lut");
    expect((r.analysis.network.layers[0] as MvauLayer).mul).toBe('auto');
    expect(r.analysis.estimate!.layers[0].dsp).toBe(6);
  });

  it('QNN047: no multipliers, no DSP blocks on the part, products too narrow', async () => {
    const pow2 = await check(net('layer d = dense(x, units=4, weights=pow2<3>(random, seed=1), mul=dsp) fold(pe=2, simd=4)'));
    expect(pow2.diagnostics.find((x) => x.code === 'QNN047')!.message).toBe(
      "mul=dsp has no effect on 'd': with pow2<3> weights and no fused requant it has no multipliers",
    );
    const bip = await check(
      net('layer d = dense(x, units=4, weights=i4(random, seed=1), mul=lut) fold(pe=2, simd=4)', { input: 'bipolar[16]' }),
    );
    expect(bip.diagnostics.find((x) => x.code === 'QNN047')!.message).toContain('with a bipolar input');
    const hx = await check(net(conv(', mul=dsp'), { target: 'ice40hx8k @ 12 MHz' }));
    expect(hx.diagnostics.find((x) => x.code === 'QNN047')!.message).toBe(
      "mul=dsp has no effect on 'c': ice40hx8k has no DSP blocks, its multipliers are LUTs",
    );
    // u2 × i2 products (5 bits) are narrower than SB_MAC16's 11.
    const narrow = await check(
      net('layer d = dense(x, units=4, weights=i2(random, seed=1), mul=dsp) fold(pe=2, simd=4)', {
        input: 'u2[16]',
        target: 'ice40up5k @ 12 MHz',
      }),
    );
    expect(narrow.diagnostics.find((x) => x.code === 'QNN047')!.message).toBe(
      "mul=dsp has no effect on 'd': its i2 × u2 products are too narrow for a DSP (synthesis maps products of 11 bits or more), so they stay in LUTs",
    );
    // mul=auto never warns, and a fused requant is a multiplier.
    const fused = await check(net(conv().replace('i8(random', 'pow2<3>(random').replace('seed=1)', 'seed=1), mul=dsp)')));
    expect(fused.codes).not.toContain('QNN047');
  });

  it('mul=auto past the device: the layers cheapest per DSP freed move to LUTs until the DSPs fit (QNN048)', async () => {
    // ice40up5k has 8 SB_MAC16: a (u8 × i8 lanes), b (u8 × i2: products too narrow for a DSP,
    // only its requant's move) and c, with fused requants (two SB_MAC16 a lane: accumulator ×
    // 16-bit M) after a and b, need 12.
    const body = `layer a = dense(x, units=4, weights=i8(random, seed=1)) fold(pe=2, simd=2)
      layer ra = requant(a, out=u8, scale=0.001)
      layer b = dense(ra, units=4, weights=i2(random, seed=2)) fold(pe=2, simd=2)
      layer rb = requant(b, out=u8, scale=0.001)
      layer c = dense(rb, units=2, weights=i8(random, seed=3)) fold(pe=1, simd=2)`;
    const r = await check(net(body, { input: 'u8[8]', target: 'ice40up5k @ 12 MHz' }));
    const est = r.analysis.estimate!;
    expect(est.totals.dsp).toBeLessThanOrEqual(8);
    const moved = r.diagnostics.filter((x) => x.code === 'QNN048');
    expect(moved.length).toBeGreaterThan(0);
    const movedNames = est.layers.filter((l) => l.multipliers?.moved).map((l) => l.name);
    expect(moved.map((d) => /'(\w+)'/.exec(d.message)![1])).toEqual(movedNames);
    expect(moved[0].message).toMatch(
      /^mul=auto: '\w+' multiplies in LUTs \(\+[\d,]+ LUTs, \d+ SB_MAC16 DSPs freed\): the network needs \d+ SB_MAC16 DSPs and ice40up5k has 8$/,
    );
    // What moving each layer alone costs and frees (every other one pinned to DSPs); the
    // layers moved are the set that frees enough DSPs for the fewest LUTs.
    const names = ['a', 'b', 'c'];
    const pinned = (lutLayer?: string) =>
      names.reduce(
        (t, n) => t.replace(new RegExp(`(layer ${n} = dense\\([^)]*seed=\\d\\))`), `$1, mul=${n === lutLayer ? 'lut' : 'dsp'}`),
        body,
      );
    const at = { input: 'u8[8]', target: 'ice40up5k @ 12 MHz' };
    const base = (await check(net(pinned(), at))).analysis.estimate!;
    const move: Record<string, { lut: number; dsp: number }> = {};
    for (const n of names) {
      const one = (await check(net(pinned(n), at))).analysis.estimate!.layers;
      const [x, y] = [base.layers.find((l) => l.name === n)!, one.find((l) => l.name === n)!];
      move[n] = { lut: y.lut - x.lut, dsp: x.dsp - y.dsp };
    }
    let best: string[] = names;
    for (let mask = 1; mask < 8; mask++) {
      const set = names.filter((_, i) => mask & (1 << i));
      const freed = set.reduce((t, n) => t + move[n].dsp, 0);
      const lut = (ns: string[]) => ns.reduce((t, n) => t + move[n].lut, 0);
      if (base.totals.dsp - freed <= 8 && lut(set) < lut(best)) best = set;
    }
    expect(movedNames).toEqual(best);
    // Here two cheap layers (b and c) beat the one that frees as many DSPs alone (a).
    expect(best).toEqual(['b', 'c']);
    // Every layer with mul=lut or mul=dsp declared keeps it.
    const kept = await check(net(body.replace('seed=1))', 'seed=1), mul=dsp)'), { input: 'u8[8]', target: 'ice40up5k @ 12 MHz' }));
    expect(kept.analysis.estimate!.layers.find((l) => l.name === 'a')!.multipliers).toEqual({ declared: 'dsp', in: 'dsp', moved: false });
  });

  it('mul=auto moves a stand-alone requant too (it takes no mul=; its template gets MUL_LUT)', async () => {
    // 16 lanes of u8 × M after a max-pool: 16 SB_MAC16 or more, the UP5K has 8.
    const body = `layer p = maxpool(x, kernel=2) fold(pe=16)
      layer r = requant(p, out=u4, scale=0.01) fold(pe=16)`;
    const r = await check(net(body, { input: 'u8[8, 16]', target: 'ice40up5k @ 12 MHz' }));
    const d = r.diagnostics.find((x) => x.code === 'QNN048')!;
    expect(d.message).toMatch(/^mul=auto: 'r' multiplies in LUTs/);
    const le = r.analysis.estimate!.layers.find((l) => l.name === 'r')!;
    expect(le.multipliers).toEqual({ declared: 'auto', in: 'lut', moved: true });
    expect(le.dsp).toBe(0);
    const e = r.analysis.network.engines.find((x) => x.kind === 'requant')!;
    expect(Object.fromEntries(descriptorOf(e).instances(e, XC7)[0].params).MUL_LUT).toBe(1);
    expect(layerHover(r.analysis.network, r.analysis.network.layers[1], r.analysis.estimate)).toContain(
      '| multipliers | in LUTs (placed as `mul=auto` does: moved there, the device has too few DSP blocks for every layer) |',
    );
    // On the xc7z020 (220 DSPs) it stays in DSPs.
    const xc = await check(net(body, { input: 'u8[8, 16]' }));
    expect(xc.codes).not.toContain('QNN048');
    expect(xc.analysis.estimate!.layers.find((l) => l.name === 'r')!.multipliers).toEqual({ declared: 'auto', in: 'dsp', moved: false });
  });

  it('mul=auto counts the DSPs per lane: lanes N shares the device', async () => {
    // 4 + 2 = 6 DSPs a lane on the xc7z010 (80): 13 lanes fit (78), 14 do not.
    const fits = await check(net(conv(), { target: 'xc7z010 @ 100 MHz, lanes 13' }));
    expect(fits.codes).not.toContain('QNN048');
    const over = await check(net(conv(), { target: 'xc7z010 @ 100 MHz, lanes 14' }));
    expect(over.codes).toContain('QNN048');
    expect(over.diagnostics.find((x) => x.code === 'QNN048')!.message).toContain('per lane (14 lanes)');
    expect(over.analysis.estimate!.totals.dsp).toBeLessThanOrEqual(80);
  });

  it('the hover and qnn estimate say where the multipliers went', async () => {
    // On the UP5K: 4 lanes, and the requant's 2 × 2 (a 16 × 16 SB_MAC16 per slice of its product).
    const r = await check(net(conv(), { target: 'ice40up5k @ 12 MHz' }));
    const layer = r.analysis.network.layers[0];
    expect(layerHover(r.analysis.network, layer, r.analysis.estimate)).toContain('| multipliers | 8 DSP blocks (`mul=auto`) |');
    const lut = await check(net(conv(', mul=lut')));
    expect(layerHover(lut.analysis.network, lut.analysis.network.layers[0], lut.analysis.estimate)).toContain(
      '| multipliers | in LUTs (`mul=lut`) |',
    );
    const text = estimateTable(lut.analysis.estimate!);
    expect(text).toMatch(/\bmul\b/);
    expect(text.split('\n').find((s) => s.startsWith('c '))).toMatch(/\blut\b/);
  });
});
