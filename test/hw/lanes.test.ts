/**
 * Replicated pipelines (`target …, lanes N`) in the RTL and the simulation: the design's
 * top holds N copies of the one-lane top with flattened ports (and a one-lane design is
 * generated exactly as before); simulated behind one stream (frame f on lane f mod N,
 * each lane with its own random valid gaps and ready stalls), every output word of every
 * lane is compared with the golden model, on Verilator and Icarus.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { parseFileList } from '../../server/src/rtl/yosys-script.js';

const WORK = path.join(tmpdir(), 'qnn-fpga-lanes-tests');

const NET = (lanes: string) => `network ln {
  target xc7z020 @ 100 MHz${lanes}
  input x: u4[16, 2]
  layer c = conv1d(x, filters=3, kernel=3, pad=same, weights=i3(random, seed=1)) fold(pe=3, simd=2)
  layer r = requant(c, out=u3, scale=0.05)
  layer p = maxpool(r, kernel=2)
  layer t3 = threshold(p, out=u1, thresholds=[3])
  output t3
  test "t" { frames=7, seed=3 }
}
`;

async function analysed(text: string) {
  const { analysis, diagnostics } = await check(text);
  expect(diagnostics.filter((d) => d.severity === 1).map((d) => d.message)).toEqual([]);
  return analysis;
}

describe('lanes in the RTL', () => {
  it('one lane: no lanes module, the top as before; three: <net>_lanes with three lanes and flattened ports', async () => {
    const one = compileNetwork(await analysed(NET('')), path.join(WORK, 'one'), 'ln.qnn');
    expect(one.top).toBe('ln_top');
    expect(one.files.some((f) => f.includes('lanes'))).toBe(false);
    expect(one.report.lanes).toBeUndefined();
    const three = compileNetwork(await analysed(NET(', lanes 3')), path.join(WORK, 'three'), 'ln.qnn');
    expect(three.top).toBe('ln_lanes');
    expect(three.report.top).toBe('ln_lanes');
    expect(three.report.lanes).toBe(3);
    // The one-lane modules are the same files with the same contents.
    for (const f of one.files.filter((x) => /\.(sv|mem)$/.test(x)))
      expect(readFileSync(path.join(three.rtlDir, f), 'utf8'), f).toBe(readFileSync(path.join(one.rtlDir, f), 'utf8'));
    const lanes = readFileSync(path.join(three.rtlDir, 'ln_lanes.sv'), 'utf8');
    expect(lanes.match(/\bln_top lane\d\b/g)).toEqual(['ln_top lane0', 'ln_top lane1', 'ln_top lane2']);
    expect(lanes).toContain('input  logic [2:0] s_axis_tvalid');
    expect(lanes).toContain('.s_axis_tdata(s_axis_tdata[8 +: 8])');
    // Synthesis reads the lanes top; the simulation-only harness is not in the file list.
    const list = parseFileList(readFileSync(path.join(three.rtlDir, 'files.f'), 'utf8'));
    expect(list[list.length - 1]).toBe('ln_lanes.sv');
    expect(list).not.toContain('ln_lanes_sim.sv');
    const lint = await lintVerilator({ sources: list.map((f) => path.join(three.rtlDir, f)), top: 'ln_lanes' });
    expect(lint.messages.map((m) => `${m.code} ${m.message}`)).toEqual([]);
  });
});

describe('lanes against the golden model', () => {
  for (const simulator of ['verilator', 'icarus'] as const) {
    it(`three lanes on ${simulator}: every lane bit-exact under its own stalls`, async () => {
      const analysis = await analysed(NET(', lanes 3'));
      const r = await simulateNetwork({ analysis, sourceName: 'ln.qnn', outDir: path.join(WORK, simulator), simulator });
      expect(r.lanes).toBe(3);
      expect(r.frames).toBe(7);
      expect(r.stall).toBeNull();
      expect(r.mismatches).toBe(0);
    }, 120_000);
  }

  it('without stalls, frames go through one stream at least as fast as one lane, and at most N times', async () => {
    const analysis = await analysed(NET(', lanes 3'));
    const r = await simulateNetwork({
      analysis,
      sourceName: 'ln.qnn',
      outDir: path.join(WORK, 'free'),
      simulator: 'verilator',
      noStall: true,
    });
    expect(r.mismatches).toBe(0);
    // The lanes overlap: a compute-bound lane (II 48, 16 input words) lets the stream move
    // a frame more often than one lane's II, never more than three times as often.
    expect(r.ii.measured).toBeLessThanOrEqual(r.ii.expected);
    expect(r.ii.measured).toBeGreaterThanOrEqual(Math.ceil(r.ii.expected / 3));
  }, 120_000);
});
