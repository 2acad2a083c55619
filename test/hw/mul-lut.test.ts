/**
 * `mul=lut` in the RTL (hardware.md §4): qnn_mvau's MUL_LUT builds every product from
 * partial products (over the narrower operand: the weight or the input) and the fused
 * requant's accumulator × M from shifted adds. Networks covering signed and unsigned
 * operands on both sides, products capped by a narrow accumulator, a fused requant with a
 * zero point, hard-wired weights and MMV copies are bit-exact with the golden model under
 * random backpressure on Verilator (and on Icarus), lint-clean, and take MUL_LUT exactly
 * where the layer's multipliers are in LUTs (mul=lut, or mul=auto moved there).
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { expectCompiledBitExact } from './bit-exact.js';

const WORK = path.join(tmpdir(), 'qnn-fpga-mul-lut-tests');

const CASES: { name: string; body: string; icarus?: boolean }[] = [
  {
    // u8 × i8 lanes (by the weight: WVW 8 < AVW 9) and the requant's i19 × M, signed out with a zero point.
    name: 'dense_u8_i8_requant',
    icarus: true,
    body: `input x: u8[12]
  layer d = dense(x, units=6, weights=i8(random, seed=1), mul=lut) fold(pe=3, simd=4)
  layer r = requant(d, out=i5, scale=0.003, zero=-2)
  output r`,
  },
  {
    // i6 input × u3 weights (unsigned weights: WVW 4 < AVW 6), then u2 input × i7 weights (by the input: AVW 3 < WVW 7).
    name: 'conv_mixed_signs',
    body: `input x: i6[10, 3]
  layer c = conv1d(x, filters=4, kernel=3, pad=same, weights=u3(random, seed=2), mul=lut) fold(pe=2, simd=3)
  layer t = threshold(c, out=u2, thresholds=[-20, 0, 25])
  layer d = conv1d(t, filters=2, kernel=2, weights=i7(random, seed=3), mul=lut) fold(pe=1, simd=2)
  output d`,
  },
  {
    // MW = 1: the accumulator is as narrow as one product (PRODW = ACC_BITS).
    name: 'narrow_acc',
    body: `input x: u3[1]
  layer d = dense(x, units=4, weights=i3(random, seed=4), mul=lut) fold(pe=2, simd=1)
  output d`,
  },
  {
    // NF·SF = 1: hard-wired weights, the partial products fold to constants.
    name: 'hard_wired',
    icarus: true,
    body: `input x: i8[4]
  layer d = dense(x, units=3, weights=i5(random, seed=5), mul=lut) fold(pe=3, simd=4)
  layer r = requant(d, out=u6, scale=0.02)
  output r`,
  },
  {
    // MMV: qnn_mvau_mmv passes MUL_LUT to its copies.
    name: 'mmv',
    body: `input x: u6[8, 2]
  layer c = conv1d(x, filters=2, kernel=3, pad=same, weights=i4(random, seed=6), mul=lut) fold(pe=2, simd=6, mmv=2)
  layer r = requant(c, out=u4, scale=0.01)
  output r`,
  },
];

describe('mul=lut against the golden model', () => {
  for (const { name, body, icarus } of CASES) {
    it(
      name,
      async () => {
        const text = `network ${name} {\n  target xc7z020 @ 100 MHz\n  ${body}\n  test "t" { frames=5, seed=7 }\n}\n`;
        const { analysis, diagnostics } = await check(text);
        expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
        expect(analysis.estimate!.totals.dsp).toBe(0);
        const c = await expectCompiledBitExact({ analysis, name, outDir: path.join(WORK, name), frames: 5, icarus });
        // Every MVAU instance takes MUL_LUT (mul=lut on every MVAU of these networks).
        const mvaus = analysis.network.engines.filter((e) => e.kind === 'mvau');
        for (const e of mvaus) expect(readFileSync(path.join(c.rtlDir, `${name}_${e.name}.sv`), 'utf8'), e.name).toMatch(/\.MUL_LUT\(1\)/);
      },
      300_000,
    );
  }

  it('a stand-alone requant moved to LUTs by mul=auto (UP5K) is bit-exact', async () => {
    const text = `network sreq {
  target ice40up5k @ 12 MHz
  input x: i8[8, 16]
  layer p = maxpool(x, kernel=2) fold(pe=16)
  layer r = requant(p, out=i4, scale=0.013, zero=1) fold(pe=16)
  output r
}
`;
    const { analysis, codes } = await check(text);
    expect(codes).toContain('QNN048');
    expect(analysis.estimate!.totals.dsp).toBe(0);
    const dir = path.join(WORK, 'sreq');
    const c = compileNetwork(analysis, path.join(dir, 'lint'), 'sreq.qnn');
    expect(readFileSync(path.join(c.rtlDir, 'sreq_r.sv'), 'utf8')).toMatch(/\.MUL_LUT\(1\)/);
    const [lint, sim] = await Promise.all([
      lintVerilator({ sources: c.files.filter((f) => f.endsWith('.sv')).map((f) => path.join(c.rtlDir, f)), top: c.top }),
      simulateNetwork({ analysis, sourceName: 'sreq.qnn', outDir: dir, simulator: 'verilator', frames: 4 }),
    ]);
    expect(lint.messages.map((m) => `${m.code} ${m.message}`)).toEqual([]);
    expect(sim.mismatches).toBe(0);
    expect(sim.stall).toBeNull();
  }, 300_000);

  it('MUL_LUT only where the multipliers are in LUTs: not on mul=auto that fits, yes on mul=auto moved', async () => {
    const net = (target: string) => `network m {
  target ${target} @ 12 MHz
  input x: u8[16, 2]
  layer c = conv1d(x, filters=8, kernel=3, pad=same, weights=i6(random, seed=5)) fold(pe=4, simd=2)
  layer r = requant(c, out=u8, scale=0.01)
  layer c2 = conv1d(r, filters=2, kernel=3, pad=same, weights=i8(random, seed=6)) fold(pe=2, simd=1)
  output c2
}
`;
    const params = async (target: string) => {
      const { analysis } = await check(net(target));
      const c = compileNetwork(analysis, path.join(WORK, `auto-${target}`), 'm.qnn');
      return ['c', 'c2'].map((n) => /\.MUL_LUT\(1\)/.test(readFileSync(path.join(c.rtlDir, `m_${n}.sv`), 'utf8')));
    };
    expect(await params('xc7z020')).toEqual([false, false]);
    expect(await params('ice40up5k')).toEqual([true, false]);
  });
});
