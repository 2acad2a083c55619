/**
 * Yosys accepts every example: `synth_xilinx` and `synth_ice40` on the compiled RTL.
 * (The resource calibration against these counts is a separate script.)
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { yosysSynth } from '../../server/src/flows/synth-check.js';

const ROOT = path.resolve(__dirname, '../..');
const WORK = path.join(tmpdir(), 'qnn-fpga-synth-tests');
const dir = path.join(ROOT, 'examples');
// QNN_SYNTH_EXAMPLES=a,b limits the run (Yosys takes minutes per large example: CI runs
// peak_detector; the full set is for a machine with time to spare).
const only = process.env.QNN_SYNTH_EXAMPLES?.split(',').filter(Boolean);
const examples = readdirSync(dir)
  .filter((d) => statSync(path.join(dir, d)).isDirectory() && (!only || only.includes(d)))
  .flatMap((d) =>
    readdirSync(path.join(dir, d))
      .filter((f) => f.endsWith('.qnn'))
      .map((f) => path.join(dir, d, f)),
  );

describe('Yosys synthesises every example', () => {
  for (const file of examples) {
    const name = path.basename(file, '.qnn');
    for (const family of ['xilinx', 'ice40'] as const) {
      it(`${name}: synth_${family}`, async () => {
        const { analysis } = await check(readFileSync(file, 'utf8'), file);
        const c = compileNetwork(analysis, path.join(WORK, `${name}-${family}`), path.basename(file));
        const r = await yosysSynth(c.rtlDir, c.top, family);
        expect(r.ok, r.log.slice(-3000)).toBe(true);
        const luts = Object.entries(r.cells)
          .filter(([k]) => /LUT/.test(k))
          .reduce((a, [, v]) => a + v, 0);
        expect(luts).toBeGreaterThan(0);
      }, 1_800_000);
    }
  }
});
