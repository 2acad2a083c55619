/**
 * The differential check both network suites run (network.test.ts, mmv.test.ts) after their
 * first, stalled Verilator run: that run had no stall and no mismatch; on `icarus` the design
 * also runs on Icarus (2 frames) without either; then a run without backpressure, which must
 * match too and is returned for the suite's own timing checks.
 */
import { expect } from 'vitest';
import { simulateNetwork, type NetworkSimResult } from '../../server/src/flows/sim/network-sim.js';
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
