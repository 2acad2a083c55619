import * as os from 'node:os';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Suites: `unit` (npm test: unit, LSP, CLI and hardware tests), `synth` (npm run test:synth:
// Yosys synthesis of every example and of the engine templates) and `fixtures` (npm run
// test:fixtures: the parsers against real files in ../shared/fixtures).

// Simulator builds are cached by content in one folder for every test file (and kept for
// the next run), so a design two tests simulate is built once; Verilator models are
// compiled at -O0 (half the build time of -O1; the test runs are short). Each can be
// overridden from the environment (e.g. a fresh cache folder to time a cold run).
const simCache = path.resolve(__dirname, 'node_modules/.cache/qnn-sim');
const simEnv = {
  QNN_SIM_BUILD_CACHE: process.env.QNN_SIM_BUILD_CACHE ?? path.join(simCache, 'builds'),
  QNN_SIM_CACHE: process.env.QNN_SIM_CACHE ?? path.join(simCache, 'runtime'),
  QNN_SIM_OPT: process.env.QNN_SIM_OPT ?? '-O0',
};

/**
 * The hardware tests first, the differential suite (the longest file, mostly single-threaded
 * Verilator runs) before all: on a 2-core machine the other worker meanwhile runs the rest.
 * Within each group, vitest's own order (failed, then slowest of the last run first).
 */
class HardwareFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number =>
      /test[\\/]hw[\\/]network\.test/.test(f.moduleId) ? 0 : /test[\\/]hw[\\/]/.test(f.moduleId) ? 1 : 2;
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    // At least two test files at a time: Verilator's front end and the simulations are
    // single-threaded, so one worker leaves a core of a 2-core machine idle (vitest's own
    // default is cores − 1).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: HardwareFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/lsp/**/*.test.ts', 'test/hw/**/*.test.ts', 'test/cli/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: simEnv,
        },
      },
      {
        test: {
          name: 'synth',
          include: ['test/synth/**/*.test.ts'],
          testTimeout: 1_800_000,
          env: simEnv,
        },
      },
      {
        // npm run test:accuracy: imported QONNX models on the 10,000 MNIST test images
        // against onnxruntime, and on Verilator.
        test: {
          name: 'accuracy',
          include: ['test/accuracy/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          env: simEnv,
        },
      },
      {
        test: {
          name: 'fixtures',
          include: ['test/fixtures/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
