/**
 * The differential suite: random networks (random-network.ts) and every example, compiled
 * to RTL and simulated against the golden model under random backpressure — every output
 * element compared. A subset also runs on Icarus, and without backpressure the measured II
 * and latency must be within 2 % of the analysis, from both sides (no deadlock with the
 * analysed FIFO depths, no slack the model does not know of).
 * Every generated design is lint-clean under `verilator --lint-only -Wall`.
 * QNN_HW_CASES sets the number of random networks (12 by default).
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { check } from '../unit/model/helpers.js';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { randomNetwork } from './random-network.js';
import type { Analysis } from '../../server/src/analysis/analyze.js';
import { readFileSync } from 'node:fs';

const CASES = Number(process.env.QNN_HW_CASES ?? 12);
const WORK = path.join(tmpdir(), 'qnn-fpga-hw-tests');
const ROOT = path.resolve(__dirname, '../..');

async function analysed(text: string, file?: string): Promise<Analysis> {
  const { analysis, diagnostics } = await check(text, file);
  const errors = diagnostics.filter((d) => d.severity === 1);
  expect(
    errors.map((d) => `${d.code} ${d.message}`),
    text,
  ).toEqual([]);
  return analysis;
}

async function lintClean(analysis: Analysis, dir: string): Promise<void> {
  const c = compileNetwork(analysis, dir, 'test.qnn');
  const lint = await lintVerilator({
    sources: c.files.filter((f) => f.endsWith('.sv')).map((f) => path.join(c.rtlDir, f)),
    top: c.top,
    timeoutMs: 900_000,
  });
  expect(lint.messages.map((m) => `${m.severity} ${m.code} ${m.file}:${m.line} ${m.message}`)).toEqual([]);
}

/**
 * Without backpressure the RTL keeps the analysis' timing from both sides: measured II and
 * latency within 2 % of the estimate (cost/latency.ts, the engine descriptors' stages).
 */
function expectTiming(
  r: { ii: { expected: number; measured: number | null }; latency: { expected: number; measured: number | null } },
  what: string,
): void {
  expect(r.ii.measured, what).not.toBeNull();
  expect(r.latency.measured, what).not.toBeNull();
  const ii = r.ii.measured! / r.ii.expected;
  const lat = r.latency.measured! / r.latency.expected;
  expect(ii, `II measured ${r.ii.measured} vs ${r.ii.expected}\n${what}`).toBeGreaterThanOrEqual(0.98);
  expect(ii, `II measured ${r.ii.measured} vs ${r.ii.expected}\n${what}`).toBeLessThanOrEqual(1.02);
  expect(lat, `latency measured ${r.latency.measured} vs ${r.latency.expected}\n${what}`).toBeGreaterThanOrEqual(0.98);
  expect(lat, `latency measured ${r.latency.measured} vs ${r.latency.expected}\n${what}`).toBeLessThanOrEqual(1.02);
}

describe('random networks against the golden model', () => {
  for (let seed = 1; seed <= CASES; seed++) {
    const { text, description } = randomNetwork(seed);
    it(`#${seed}: ${description}`, async () => {
      const analysis = await analysed(text);
      const dir = path.join(WORK, `rnd${seed}`);
      await lintClean(analysis, dir);
      const stalled = await simulateNetwork({ analysis, sourceName: 'rnd.qnn', outDir: dir, simulator: 'verilator' });
      expect(stalled.stall, text).toBeNull();
      expect(stalled.first_mismatch, text).toBeNull();
      expect(stalled.mismatches).toBe(0);
      if (seed % 3 === 0) {
        const ic = await simulateNetwork({ analysis, sourceName: 'rnd.qnn', outDir: dir, simulator: 'icarus', frames: 2 });
        expect(ic.stall, text).toBeNull();
        expect(ic.mismatches, text).toBe(0);
      }
      const free = await simulateNetwork({
        analysis,
        sourceName: 'rnd.qnn',
        outDir: dir,
        simulator: 'verilator',
        noStall: true,
        frames: 4,
      });
      expect(free.mismatches).toBe(0);
      expect(free.ii.measured, text).not.toBeNull();
      expectTiming(free, text);
    }, 300_000);
  }
});

describe('every example on the generated RTL', () => {
  const dir = path.join(ROOT, 'examples');
  const examples = readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(dir, d))
        .filter((f) => f.endsWith('.qnn'))
        .map((f) => path.join(dir, d, f)),
    );
  for (const file of examples) {
    const name = path.basename(file, '.qnn');
    it(`${name}: lint-clean, bit-exact under backpressure, II within 2 %`, async () => {
      const analysis = await analysed(readFileSync(file, 'utf8'), file);
      const out = path.join(WORK, name);
      await lintClean(analysis, out);
      // Big networks: few frames (the CNV II is ~10^5 cycles per frame).
      const frames = analysis.estimate!.ii_cycles > 50_000 ? 2 : 3;
      const r = await simulateNetwork({ analysis, sourceName: path.basename(file), outDir: out, simulator: 'verilator', frames, seed: 5 });
      expect(r.stall).toBeNull();
      expect(r.mismatches).toBe(0);
      const free = await simulateNetwork({
        analysis,
        sourceName: path.basename(file),
        outDir: out,
        simulator: 'verilator',
        noStall: true,
        frames: 3,
        seed: 6,
      });
      expect(free.mismatches).toBe(0);
      expectTiming(free, name);
    }, 600_000);
  }
});
