/**
 * A network with thresholds that carry a bias (issue 9, item 2), compiled to RTL and
 * simulated against the golden model under random backpressure, every output element
 * compared: a conv with a fused ternary threshold (out=i2, bias=-1), a max-pool, a
 * stand-alone signed threshold (out=i3, bias=-2) on the pooled ternary values, and a dense
 * layer with a fused unsigned threshold offset by 1 (out=u2, bias=1, two thresholds).
 * The golden trace is checked to reach every level, so the outputs are not constant; the
 * generated RTL lints clean.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { randomFrames } from '../../server/src/golden/frames.js';
import { runNetwork } from '../../server/src/golden/golden.js';
import { findTool } from '../../server/src/flows/tools.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';

const WORK = path.join(tmpdir(), 'qnn-fpga-hw-tests', 'threshold-bias');
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

const TEXT = `network ternary {
  target xc7z020 @ 100 MHz
  input x: u4[12, 4]
  layer c1 = conv1d(x, filters=6, kernel=3, weights=i2(random, seed=3)) fold(pe=3, simd=4)
  layer t1 = threshold(c1, out=i2, bias=-1, thresholds=[-8, 8])
  layer p1 = maxpool(t1, kernel=2)
  layer t2 = threshold(p1, out=i3, bias=-2, thresholds=[[0, 1], [-1, 1], [0, 0], [1, 1], [-1, 0], [0, 1]])
  layer d1 = dense(t2, units=4, weights=i2(random, seed=4))
  layer t3 = threshold(d1, out=u2, bias=1, thresholds=[-3, 3])
  output t3
}
`;

async function analysed() {
  const { analysis, diagnostics } = await check(TEXT);
  expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return analysis;
}

describe('thresholds with a bias in a network', () => {
  it('fuses t1 and t3 into their MVAUs, keeps t2 stand-alone, and every level is reached', async () => {
    const analysis = await analysed();
    const engines = analysis.network.engines.map((e) => e.layers);
    expect(engines).toContainEqual(['c1', 't1']);
    expect(engines).toContainEqual(['t2']);
    expect(engines).toContainEqual(['d1', 't3']);
    const seen = { t1: new Set<number>(), t2: new Set<number>(), t3: new Set<number>() };
    for (const f of randomFrames(analysis.network, 4, 7)) {
      const trace = runNetwork(analysis.network, f);
      for (const k of ['t1', 't2', 't3'] as const) for (const v of trace.layers.get(k)!) seen[k].add(v);
    }
    expect([...seen.t1].sort((a, b) => a - b)).toEqual([-1, 0, 1]);
    expect([...seen.t2].sort((a, b) => a - b)).toEqual([-2, -1, 0]);
    expect([...seen.t3].sort((a, b) => a - b)).toEqual([1, 2, 3]);
  });

  it.skipIf(!haveVerilator)(
    'compiles to RTL that is clean under verilator --lint-only -Wall',
    async () => {
      const c = compileNetwork(await analysed(), path.join(WORK, 'lint'), 'ternary.qnn');
      const lint = await lintVerilator({
        sources: c.files.filter((f) => f.endsWith('.sv')).map((f) => path.join(c.rtlDir, f)),
        top: c.top,
      });
      expect(lint.messages.map((m) => `${m.severity} ${m.code} ${m.file}:${m.line} ${m.message}`)).toEqual([]);
    },
    300_000,
  );

  it.skipIf(!haveVerilator)(
    'is bit-exact on Verilator under backpressure',
    async () => {
      const analysis = await analysed();
      const r = await simulateNetwork({
        analysis,
        sourceName: 'ternary.qnn',
        outDir: path.join(WORK, 'v'),
        simulator: 'verilator',
        frames: 4,
        seed: 7,
      });
      expect(r.stall).toBeNull();
      expect(r.first_mismatch).toBeNull();
      expect(r.mismatches).toBe(0);
    },
    300_000,
  );

  it.skipIf(!haveIcarus)(
    'is bit-exact on Icarus under backpressure',
    async () => {
      const analysis = await analysed();
      const r = await simulateNetwork({
        analysis,
        sourceName: 'ternary.qnn',
        outDir: path.join(WORK, 'i'),
        simulator: 'icarus',
        frames: 2,
        seed: 8,
      });
      expect(r.stall).toBeNull();
      expect(r.mismatches).toBe(0);
    },
    300_000,
  );
});
