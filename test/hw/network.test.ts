/**
 * The differential suite: random networks (random-network.ts) and every example, compiled
 * to RTL and simulated against the golden model under random backpressure — every output
 * element compared. A subset also runs on Icarus, and without backpressure the measured II
 * and latency must be within 2 % of the analysis, from both sides (no deadlock with the
 * analysed FIFO depths, no slack the model does not know of).
 * Every generated design is lint-clean under `verilator --lint-only -Wall`.
 * QNN_HW_CASES sets the number of random networks (12 by default). QNN_HW_EXAMPLES picks the
 * examples: `small` (the default, in npm test), `large` (npm run test:hw:large, which .ci/run
 * also runs) or `all`. Large is a big model or a long run: more than LARGE_LANES parallel lanes
 * (sfc_w1a1: its Verilator model alone is about 4 min of a 2-core machine's npm test), or
 * frames of more than LONG_RUN simulated cycles (cnv_w2a2: about 100 CPU-seconds cold,
 * peak_detector_icebreaker, whose bitstream's shell test/hw/uart-shell.test.ts runs in npm test).
 */
import { describe, expect, it, vi } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { expectBitExactThenFree } from './bit-exact.js';
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

/**
 * Two networks at a time, and each one's lint beside its first simulation (in a folder of
 * its own): Verilator's front end and the simulations are single-threaded, and a 2-core
 * machine otherwise idles a core through most of this file.
 */
vi.setConfig({ maxConcurrency: 2 });

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
 * Without backpressure the RTL keeps the analysis' timing from both sides: measured II
 * within 2 % of the estimate, and latency within `latencyTolerance` (cost/latency.ts from
 * the engine descriptors' stages).
 */
function expectTiming(
  r: { ii: { expected: number; measured: number | null }; latency: { expected: number; measured: number | null } },
  what: string,
  latencyTolerance: (expected: number) => number,
): void {
  expect(r.ii.measured, what).not.toBeNull();
  expect(r.latency.measured, what).not.toBeNull();
  const ii = r.ii.measured! / r.ii.expected;
  expect(ii, `II measured ${r.ii.measured} vs ${r.ii.expected}\n${what}`).toBeGreaterThanOrEqual(0.98);
  expect(ii, `II measured ${r.ii.measured} vs ${r.ii.expected}\n${what}`).toBeLessThanOrEqual(1.02);
  const off = Math.abs(r.latency.measured! - r.latency.expected);
  expect(off, `latency measured ${r.latency.measured} vs ${r.latency.expected}\n${what}`).toBeLessThanOrEqual(
    latencyTolerance(r.latency.expected),
  );
}

/**
 * Random networks: 2 % or one cycle (a 35-cycle network cannot be within 2 % without being
 * exact; 20 seeds probed: 17 exact, 3 one cycle off, with a width converter next to a pool
 * or an MVAU).
 */
const RANDOM_LATENCY = (expected: number): number => Math.max(1, 0.02 * expected);
/**
 * The examples: 2 % or two cycles. Measured this way: peak_detector 20,532 vs 20,532,
 * tfc_w1a1 204 vs 201, sfc_w1a1 71 vs 69, pow2_net 3,809 vs 3,808, cnv_w2a2 395,978 vs
 * 397,224 (0.3 %). A conv behind a slower producer runs at its own rate once its first
 * window is in (the stage's `sustain`); without that term pow2_net was 5.3 % and CNV 11.6 %
 * short.
 */
const EXAMPLE_LATENCY = (expected: number): number => Math.max(2, 0.02 * expected);

// vitest fails on an empty suite, so none when QNN_HW_CASES=0 (npm run test:hw:large).
if (CASES > 0) {
  describe.concurrent('random networks against the golden model', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const { text, description } = randomNetwork(seed);
      it(`#${seed}: ${description}`, async () => {
        const analysis = await analysed(text);
        const dir = path.join(WORK, `rnd${seed}`);
        const [, stalled] = await Promise.all([
          lintClean(analysis, path.join(dir, 'lint')),
          simulateNetwork({ analysis, sourceName: 'rnd.qnn', outDir: dir, simulator: 'verilator' }),
        ]);
        const free = await expectBitExactThenFree(stalled, { analysis, sourceName: 'rnd.qnn', outDir: dir, text, icarus: seed % 3 === 0 });
        expect(free.ii.measured, text).not.toBeNull();
        expectTiming(free, text, RANDOM_LATENCY);
      }, 300_000);
    }
  });
}

/**
 * Every example, the largest design first: its Verilator build is the longest job. Size:
 * the parallel lanes (Σ PE·SIMD), which the generated C++ grows with (sfc_w1a1's 20,896
 * XNOR lanes make ~90 MB of it).
 */
async function examplesLargestFirst(): Promise<{ file: string; lanes: number; cycles: number }[]> {
  const dir = path.join(ROOT, 'examples');
  const files = readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(dir, d))
        .filter((f) => f.endsWith('.qnn'))
        .map((f) => path.join(dir, d, f)),
    );
  const sizes = new Map<string, { lanes: number; cycles: number }>();
  for (const f of files) {
    const { network, estimate } = (await check(readFileSync(f, 'utf8'), f)).analysis;
    sizes.set(f, {
      lanes: network.layers.reduce((n, l) => n + l.pe * l.simd, 0),
      cycles: longRunCycles(estimate!),
    });
  }
  return files.map((file) => ({ file, ...sizes.get(file)! })).sort((a, b) => b.lanes - a.lanes);
}
/** The cycles an example's runs simulate for their first frame and a second one (latency + 2 II). */
const longRunCycles = (e: { latency_cycles: number; ii_cycles: number }): number => e.latency_cycles + 2 * e.ii_cycles;
const LARGE_LANES = 10_000;
const LONG_RUN = 200_000;
const isLarge = ({ lanes, cycles }: { lanes: number; cycles: number }): boolean => lanes > LARGE_LANES || cycles > LONG_RUN;
const EXAMPLE_SET = process.env.QNN_HW_EXAMPLES ?? 'small';
if (!['small', 'large', 'all'].includes(EXAMPLE_SET)) throw new Error(`QNN_HW_EXAMPLES=${EXAMPLE_SET}: small, large or all`);
const EXAMPLES = (await examplesLargestFirst()).filter((x) => EXAMPLE_SET === 'all' || isLarge(x) === (EXAMPLE_SET === 'large'));

// See above: no example in the set (QNN_HW_EXAMPLES) is no suite.
if (EXAMPLES.length > 0) {
  describe.concurrent('every example on the generated RTL', () => {
    for (const { file } of EXAMPLES) {
      const name = path.basename(file, '.qnn');
      it(`${name}: lint-clean, bit-exact under backpressure, II within 2 %`, async () => {
        const analysis = await analysed(readFileSync(file, 'utf8'), file);
        const out = path.join(WORK, name);
        // Big networks: few frames (the CNV II is ~10^5 cycles per frame).
        const frames = analysis.estimate!.ii_cycles > 50_000 ? 2 : 3;
        // The tests build at -O0 (vitest.config.ts); a model that simulates ~10^6 cycles here
        // (CNV) is faster overall at -O1 (a -O0 model runs ~8x slower).
        const opt = longRunCycles(analysis.estimate!) > LONG_RUN ? '-O1' : undefined;
        const [, r] = await Promise.all([
          lintClean(analysis, path.join(out, 'lint')),
          simulateNetwork({ analysis, sourceName: path.basename(file), outDir: out, simulator: 'verilator', frames, seed: 5, opt }),
        ]);
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
          opt,
        });
        expect(free.mismatches).toBe(0);
        expectTiming(free, name, EXAMPLE_LATENCY);
      }, 1_200_000);
    }
  });
}

/**
 * A conv whose window generator is bound by its input (more input words than MVAU cycles:
 * the full fold of an unpadded conv) runs at the pace of its input; the latency counts the
 * words before the first window once (it counted them twice: 57 for 43 measured here).
 */
describe('latency of a conv paced by its input', () => {
  const nets: [string, string][] = [
    [
      '2-D 3×3 valid at the full fold',
      'input x: u4[6, 6, 2]\n  layer c = conv2d(x, filters=3, kernel=3, weights=i3(random, seed=1)) fold(pe=3, simd=18)',
    ],
    [
      '1-D k5 valid at the full fold',
      'input x: i4[20, 3]\n  layer c = conv1d(x, filters=2, kernel=5, weights=i3(random, seed=2)) fold(pe=2, simd=15)',
    ],
  ];
  for (const [what, body] of nets) {
    it(
      what,
      async () => {
        const text = `network paced {\n  target xc7z020 @ 100 MHz\n  ${body}\n  layer r = requant(c, out=u4, scale=0.05)\n  output r\n}\n`;
        const analysis = await analysed(text, 'paced.qnn');
        const r = await simulateNetwork({
          analysis,
          sourceName: 'paced.qnn',
          outDir: path.join(WORK, `paced-${what.slice(0, 3)}`),
          simulator: 'verilator',
          noStall: true,
          frames: 3,
        });
        expect(r.mismatches).toBe(0);
        expect(r.ii.measured).toBe(r.ii.expected);
        expect(r.latency.measured, what).toBe(r.latency.expected);
      },
      300_000,
    );
  }
});
