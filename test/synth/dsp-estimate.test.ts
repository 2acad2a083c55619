/**
 * The estimate's DSP and block-RAM counts are what Yosys builds (hardware.md §4: "BRAM and
 * DSP exact"): small networks whose multipliers sit on both sides of the DSP thresholds —
 * u4 × i4 MVAU lanes (8-bit products, LUTs), u8 × i4 lanes (12 bits: DSP48 and SB_MAC16),
 * the requant multiplier fused and stand-alone, hard-wired weights — synthesised with the
 * flow's commands (flows/synth-check.ts) for both families.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { yosysSynth, type SynthFamily } from '../../server/src/flows/synth-check.js';
import { findTool } from '../../server/src/flows/tools.js';

const WORK = path.join(tmpdir(), 'qnn-fpga-synth-dsp');

const NETS: Record<string, string> = {
  // The int4 MLP with requant between the layers: only the requant multipliers (14-bit
  // accumulator × 16-bit M) are DSPs.
  mlp_int4: `
  input x: u4[64]
  layer d1 = dense(x, units=32, weights=i4(random, seed=1)) fold(pe=2, simd=4)
  layer r1 = requant(d1, out=u4, scale=0.01)
  layer d2 = dense(r1, units=10, weights=i4(random, seed=2)) fold(pe=1, simd=4)
  layer r2 = requant(d2, out=i4, scale=0.02)
  output r2`,
  // u8 × i4 conv lanes are DSPs, and so is the fused requant's multiplier.
  conv_u8: `
  input x: u8[16, 2]
  layer c1 = conv1d(x, filters=4, kernel=3, pad=same, weights=i4(random, seed=3)) fold(pe=2, simd=2)
  layer r1 = requant(c1, out=u4, scale=0.01)
  layer p1 = maxpool(r1, kernel=2)
  output p1`,
  // mul=lut: the same conv with every multiplier (lanes and requant) built from LUTs.
  conv_u8_lut: `
  input x: u8[16, 2]
  layer c1 = conv1d(x, filters=4, kernel=3, pad=same, weights=i4(random, seed=3), mul=lut) fold(pe=2, simd=2)
  layer r1 = requant(c1, out=u4, scale=0.01)
  layer p1 = maxpool(r1, kernel=2)
  output p1`,
  // mul=auto past the device's DSPs: on the UP5K (8 SB_MAC16) c1's 8 lanes and 4 requant
  // multipliers do not fit beside c2's, so c1 moves to LUTs; the xc7z020 holds them all.
  auto_moves: `
  input x: u8[16, 2]
  layer c1 = conv1d(x, filters=8, kernel=3, pad=same, weights=i6(random, seed=5)) fold(pe=4, simd=2)
  layer r1 = requant(c1, out=u8, scale=0.01)
  layer c2 = conv1d(r1, filters=2, kernel=3, pad=same, weights=i8(random, seed=6)) fold(pe=2, simd=1)
  output c2`,
  // A stand-alone requant (after a max-pool): one multiplier per PE lane.
  standalone_requant: `
  input x: u4[16, 2]
  layer c1 = conv1d(x, filters=4, kernel=3, pad=same, weights=i4(random, seed=3)) fold(pe=2, simd=2)
  layer p1 = maxpool(c1, kernel=2)
  layer r1 = requant(p1, out=u4, scale=0.01) fold(pe=2)
  output r1`,
  // 16 stand-alone requant lanes: DSPs on the xc7z020; on the UP5K mul=auto moves them to LUTs.
  standalone_moved: `
  input x: u8[8, 16]
  layer p1 = maxpool(x, kernel=2) fold(pe=16)
  layer r1 = requant(p1, out=u4, scale=0.01) fold(pe=16)
  output r1`,
  // NF·SF = 1: the weights are constants (WEIGHT_WORD); u8 × each: a DSP unless what
  // wreduce leaves of the constant is too narrow (0, ±2^e, u8 × 3 on iCE40).
  hard_wired: `
  input x: u8[4]
  layer d1 = dense(x, units=2, weights=i4(random, seed=4)) fold(pe=2, simd=4)
  output d1`,
};

const TARGETS: [SynthFamily, string][] = [
  ['xilinx', 'xc7z020'],
  ['ice40', 'ice40up5k'],
];

function blocks(cells: Record<string, number>, family: SynthFamily): { dsp: number; bram18: number } {
  const n = (k: string) => cells[k] ?? 0;
  return family === 'xilinx'
    ? { dsp: n('DSP48E1'), bram18: n('RAMB18E1') + 2 * n('RAMB36E1') }
    : { dsp: n('SB_MAC16'), bram18: n('SB_RAM40_4K') };
}

describe.skipIf(!findTool('yosys'))('DSPs and block RAMs: estimate = Yosys', () => {
  for (const [name, body] of Object.entries(NETS)) {
    for (const [family, device] of TARGETS) {
      it(`${name} on ${device}`, async () => {
        const text = `network ${name} {\n  target ${device} @ 50 MHz\n${body}\n}\n`;
        const { analysis, codes } = await check(text, path.join(WORK, `${name}.qnn`));
        expect(codes.filter((c) => c === 'QNN050')).toEqual([]);
        const c = compileNetwork(analysis, path.join(WORK, `${name}-${family}`), `${name}.qnn`);
        const r = await yosysSynth(c.rtlDir, c.top, family);
        expect(r.ok, r.log.slice(-3000)).toBe(true);
        const est = analysis.estimate!.totals;
        expect(blocks(r.cells, family), JSON.stringify(r.cells)).toEqual({ dsp: est.dsp, bram18: est.bram18 });
      }, 600_000);
    }
  }

  it('the networks straddle the thresholds (some DSPs, some without)', async () => {
    const dsp = async (name: string) => {
      const { analysis } = await check(`network ${name} {\n  target xc7z020 @ 50 MHz\n${NETS[name]}\n}\n`);
      return analysis.estimate!.totals.dsp;
    };
    // mlp_int4: the three requant lanes only; conv_u8: 4 lanes + 2 requant lanes; the
    // stand-alone requant: its 2 lanes (the u4 × i4 conv lanes are LUTs); hard_wired: 3 of its
    // 8 constants (seed 4: the others are 0, ±1, ±2^e or, on iCE40, too narrow).
    expect(await dsp('mlp_int4')).toBe(3);
    expect(await dsp('conv_u8')).toBe(6);
    expect(await dsp('standalone_requant')).toBe(2);
    expect(await dsp('hard_wired')).toBe(3);
    expect(await dsp('conv_u8_lut')).toBe(0);
    expect(await dsp('auto_moves')).toBeGreaterThan(8);
    const up5k = await check(`network auto_moves {\n  target ice40up5k @ 50 MHz\n${NETS.auto_moves}\n}\n`);
    expect(up5k.codes).toContain('QNN048');
    expect(up5k.analysis.estimate!.totals.dsp).toBeLessThanOrEqual(8);
  });
});
