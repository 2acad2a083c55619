/**
 * Thresholds on iCE40 compare on the carry chain (qnn_act_lane's CMP_CARRY: x ≥ T as the
 * sign of the CW+1-bit difference x − T, hardware.md §4). Networks with stand-alone shared
 * and per-channel thresholds (thresholds at the ends of a 16-bit input's range, where the
 * difference needs its extra bit), bipolar outputs, thresholds fused into an MVAU and into
 * MMV copies, are bit-exact with the golden model under random backpressure on Verilator
 * (one on Icarus too), lint-clean, and take CMP_CARRY exactly where the target is an iCE40.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { expectCompiledBitExact } from './bit-exact.js';

const WORK = path.join(tmpdir(), 'qnn-fpga-carry-compare-tests');

const CASES: { name: string; body: string; thresholds: string[]; icarus?: boolean }[] = [
  {
    // i16 against its own extremes: x − T spans 17 bits.
    name: 'edges_i16',
    icarus: true,
    thresholds: ['t'],
    body: `input x: i16[6, 4]
  layer t = threshold(x, out=u3, thresholds=[-32768, -32767, -1, 0, 1, 32766, 32767]) fold(pe=2)
  output t`,
  },
  {
    // Per-channel thresholds (from the ROM), a bipolar output and a signed count with a bias.
    name: 'per_channel',
    thresholds: ['a', 'b'],
    body: `input x: i8[5, 4]
  layer a = threshold(x, out=i2, bias=-1, thresholds=[[-100, 0], [-5, 5], [0, 0], [-128, 127]]) fold(pe=4)
  layer b = threshold(a, out=bipolar, thresholds=[[0], [-1], [1], [-2]]) fold(pe=1)
  output b`,
  },
  {
    // Fused after a dense MVAU: the comparison is as wide as the accumulator.
    name: 'fused_dense',
    thresholds: ['d'],
    body: `input x: u4[16]
  layer d = dense(x, units=6, weights=i3(random, seed=2)) fold(pe=3, simd=4)
  layer t = threshold(d, out=u2, thresholds=[-20, 0, 20])
  output t`,
  },
  {
    // Fused into MMV copies of a conv (qnn_mvau_mmv passes CMP_CARRY on).
    name: 'fused_mmv',
    thresholds: ['c'],
    body: `input x: u2[8, 2]
  layer c = conv1d(x, filters=4, kernel=3, pad=same, weights=i2(random, seed=5)) fold(pe=4, simd=6, mmv=2)
  layer t = threshold(c, out=u2, thresholds=[-2, 0, 3])
  output t`,
  },
];

describe('thresholds on the iCE40 carry chain against the golden model', () => {
  for (const { name, body, thresholds, icarus } of CASES) {
    it(
      name,
      async () => {
        const text = `network ${name} {\n  target ice40up5k @ 12 MHz\n  ${body}\n  test "t" { frames=4, seed=11 }\n}\n`;
        const { analysis, diagnostics } = await check(text);
        expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
        const c = await expectCompiledBitExact({ analysis, name, outDir: path.join(WORK, name), frames: 4, icarus });
        for (const e of thresholds) expect(readFileSync(path.join(c.rtlDir, `${name}_${e}.sv`), 'utf8'), e).toMatch(/\.CMP_CARRY\(1\)/);
      },
      300_000,
    );
  }

  it('takes CMP_CARRY only on iCE40: the same network for a Xilinx part writes x >= T', async () => {
    const body = CASES[0].body;
    const wrapper = async (target: string): Promise<string> => {
      const { analysis } = await check(`network e {\n  target ${target}\n  ${body}\n}\n`);
      const c = compileNetwork(analysis, path.join(WORK, `target_${target.split(' ')[0]}`), 'e.qnn');
      return readFileSync(path.join(c.rtlDir, 'e_t.sv'), 'utf8');
    };
    expect(await wrapper('ice40up5k @ 12 MHz')).toMatch(/\.CMP_CARRY\(1\)/);
    expect(await wrapper('xc7z020 @ 100 MHz')).not.toMatch(/CMP_CARRY/);
  });
});
