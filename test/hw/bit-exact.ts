/**
 * The differential check both network suites run (network.test.ts, mmv.test.ts) after their
 * first, stalled Verilator run: that run had no stall and no mismatch; on `icarus` the design
 * also runs on Icarus (2 frames) without either; then a run without backpressure, which must
 * match too and is returned for the suite's own timing checks.
 */
import * as path from 'node:path';
import { expect } from 'vitest';
import { simulateNetwork, type NetworkSimResult } from '../../server/src/flows/sim/network-sim.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { compileNetwork, type CompileResult } from '../../server/src/rtl/compile.js';
import type { Analysis } from '../../server/src/analysis/analyze.js';

export async function expectBitExactThenFree(
  stalled: NetworkSimResult,
  o: { analysis: Analysis; sourceName: string; outDir: string; text: string; icarus: boolean },
): Promise<NetworkSimResult> {
  expect(stalled.stall, o.text).toBeNull();
  expect(stalled.first_mismatch, o.text).toBeNull();
  expect(stalled.mismatches).toBe(0);
  const base = { analysis: o.analysis, sourceName: o.sourceName, outDir: o.outDir };
  if (o.icarus) {
    const ic = await simulateNetwork({ ...base, simulator: 'icarus', frames: 2 });
    expect(ic.stall, o.text).toBeNull();
    expect(ic.mismatches, o.text).toBe(0);
  }
  const free = await simulateNetwork({ ...base, simulator: 'verilator', noStall: true, frames: 4 });
  expect(free.mismatches).toBe(0);
  return free;
}

/**
 * The check of a network whose RTL takes a template option (mul-lut.test.ts,
 * ice40-compare.test.ts): compiled into `outDir/lint`, lint-clean on Verilator, bit-exact
 * under random backpressure on Verilator (`frames`) and, with `icarus`, on Icarus (2
 * frames). Returns the compiled design, for the test to read its wrappers.
 */
export async function expectCompiledBitExact(o: {
  analysis: Analysis;
  name: string;
  outDir: string;
  frames: number;
  icarus?: boolean;
}): Promise<CompileResult> {
  const sourceName = `${o.name}.qnn`;
  const c = compileNetwork(o.analysis, path.join(o.outDir, 'lint'), sourceName);
  const [lint, sim] = await Promise.all([
    lintVerilator({ sources: c.files.filter((f) => f.endsWith('.sv')).map((f) => path.join(c.rtlDir, f)), top: c.top }),
    simulateNetwork({ analysis: o.analysis, sourceName, outDir: o.outDir, simulator: 'verilator', frames: o.frames }),
  ]);
  expect(lint.messages.map((m) => `${m.severity} ${m.code} ${m.file}:${m.line} ${m.message}`)).toEqual([]);
  expect(sim.stall).toBeNull();
  expect(sim.first_mismatch).toBeNull();
  expect(sim.mismatches).toBe(0);
  if (o.icarus) {
    const ic = await simulateNetwork({ analysis: o.analysis, sourceName, outDir: o.outDir, simulator: 'icarus', frames: 2 });
    expect(ic.mismatches).toBe(0);
  }
  return c;
}
