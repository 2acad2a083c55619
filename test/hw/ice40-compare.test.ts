/**
 * The comparisons in the forms iCE40 builds best (hardware.md §4): thresholds on the carry
 * chain (qnn_act_lane's CMP_CARRY: x ≥ T as the sign of the CW+1-bit difference x − T) and
 * a requant's clamp bounds at powers of two as tests of the value's top bits (CLAMP_TEST).
 * Networks with stand-alone shared and per-channel thresholds (thresholds at the ends of a
 * 16-bit input's range, where the difference needs its extra bit), bipolar outputs,
 * thresholds fused into an MVAU and into MMV copies, and requants with unsigned and signed
 * outputs, with and without a zero point, stand-alone and fused, are bit-exact with the golden
 * model under random backpressure on Verilator (two on Icarus too), lint-clean, and take
 * each option exactly where the target is an iCE40.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { writeNpy, type NpyWritable } from '../../server/src/npy/npy.js';
import { expectCompiledBitExact } from './bit-exact.js';

const WORK = path.join(tmpdir(), 'qnn-fpga-ice40-compare-tests');

/** `engines`: the layers whose wrappers must pass the option (CMP_CARRY for thresholds, CLAMP_TEST for requants). */
const CASES: {
  name: string;
  body: string;
  engines: string[];
  option: 'CMP_CARRY' | 'CLAMP_TEST';
  icarus?: boolean;
  /** .npy files beside the .qnn. */
  files?: Record<string, NpyWritable>;
}[] = [
  {
    // i16 against its own extremes: x − T spans 17 bits.
    name: 'edges_i16',
    icarus: true,
    engines: ['t'],
    option: 'CMP_CARRY',
    body: `input x: i16[6, 4]
  layer t = threshold(x, out=u3, thresholds=[-32768, -32767, -1, 0, 1, 32766, 32767]) fold(pe=2)
  output t`,
  },
  {
    // Per-channel thresholds (from the ROM), a bipolar output and a signed count with a bias.
    name: 'per_channel',
    engines: ['a', 'b'],
    option: 'CMP_CARRY',
    body: `input x: i8[5, 4]
  layer a = threshold(x, out=i2, bias=-1, thresholds=[[-100, 0], [-5, 5], [0, 0], [-128, 127]]) fold(pe=4)
  layer b = threshold(a, out=bipolar, thresholds=[[0], [-1], [1], [-2]]) fold(pe=1)
  output b`,
  },
  {
    // Fused after a dense MVAU: the comparison is as wide as the accumulator.
    name: 'fused_dense',
    engines: ['d'],
    option: 'CMP_CARRY',
    body: `input x: u4[16]
  layer d = dense(x, units=6, weights=i3(random, seed=2)) fold(pe=3, simd=4)
  layer t = threshold(d, out=u2, thresholds=[-20, 0, 20])
  output t`,
  },
  {
    // Fused into MMV copies of a conv (qnn_mvau_mmv passes CMP_CARRY on).
    name: 'fused_mmv',
    engines: ['c'],
    option: 'CMP_CARRY',
    body: `input x: u2[8, 2]
  layer c = conv1d(x, filters=4, kernel=3, pad=same, weights=i2(random, seed=5)) fold(pe=4, simd=6, mmv=2)
  layer t = threshold(c, out=u2, thresholds=[-2, 0, 3])
  output t`,
  },
  {
    // Stand-alone requants without a zero point: u8 → u4 (0 is the value's sign) on a DSP,
    // and per-channel scales (a shifter) to i4 (−8 and 7: top-bit tests).
    name: 'requant_pow2',
    engines: ['a', 'b'],
    option: 'CLAMP_TEST',
    icarus: true,
    body: `input x: u8[6, 4]
  layer a = requant(x, out=u4, scale=0.0353) fold(pe=2)
  layer b = requant(a, out=i4, scale=scales("b_s.npy")) fold(pe=1)
  output b`,
    files: { 'b_s.npy': { shape: [4], dtype: 'float64', data: [0.3, 0.7, 1.9, 0.05] } },
  },
  {
    // A zero point (bounds that are no power of two), and a requant fused after a dense MVAU.
    name: 'requant_fused',
    engines: ['a', 'd'],
    option: 'CLAMP_TEST',
    body: `input x: i8[4, 8]
  layer a = requant(x, out=u4, scale=0.1, zero=3) fold(pe=4)
  layer d = dense(a, units=6, weights=i3(random, seed=4)) fold(pe=3, simd=4)
  layer r = requant(d, out=u3, scale=0.05)
  output r`,
  },
];

/** The .qnn's path in a folder of its own, with `files` written beside it. */
function withFiles(name: string, files: Record<string, NpyWritable> | undefined): string {
  const dir = path.join(WORK, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, arr] of Object.entries(files ?? {})) writeFileSync(path.join(dir, f), writeNpy(arr));
  return path.join(dir, `${name}.qnn`);
}

describe("iCE40's comparison forms against the golden model", () => {
  for (const { name, body, engines, option, icarus, files } of CASES) {
    it(
      name,
      async () => {
        const text = `network ${name} {\n  target ice40up5k @ 12 MHz\n  ${body}\n  test "t" { frames=4, seed=11 }\n}\n`;
        const { analysis, diagnostics } = await check(text, withFiles(name, files));
        expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
        const c = await expectCompiledBitExact({ analysis, name, outDir: path.join(WORK, name), frames: 4, icarus });
        for (const e of engines)
          expect(readFileSync(path.join(c.rtlDir, `${name}_${e}.sv`), 'utf8'), e).toMatch(new RegExp(`\\.${option}\\(1\\)`));
      },
      300_000,
    );
  }

  it('takes CMP_CARRY and CLAMP_TEST only on iCE40: the same networks for a Xilinx part write x >= T, < and >', async () => {
    const wrapper = async (target: string, body: string, layer: string): Promise<string> => {
      const files = CASES.find((c) => c.body === body)!.files;
      const { analysis } = await check(`network e {\n  target ${target}\n  ${body}\n}\n`, withFiles(`wrapper_${layer}`, files));
      const c = compileNetwork(analysis, path.join(WORK, `target_${target.split(' ')[0]}_${layer}`), 'e.qnn');
      return readFileSync(path.join(c.rtlDir, `e_${layer}.sv`), 'utf8');
    };
    const threshold = CASES.find((c) => c.name === 'edges_i16')!.body;
    const requant = CASES.find((c) => c.name === 'requant_pow2')!.body;
    expect(await wrapper('ice40up5k @ 12 MHz', threshold, 't')).toMatch(/\.CMP_CARRY\(1\)/);
    expect(await wrapper('xc7z020 @ 100 MHz', threshold, 't')).not.toMatch(/CMP_CARRY/);
    expect(await wrapper('ice40up5k @ 12 MHz', requant, 'a')).toMatch(/\.CLAMP_TEST\(1\)/);
    expect(await wrapper('xc7z020 @ 100 MHz', requant, 'a')).not.toMatch(/CLAMP_TEST/);
  });
});
