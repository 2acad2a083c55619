/**
 * Where a FIFO's memory goes on iCE40 (cost/memory.ts, constants.ts `ebrBufferExtraCost`):
 * qnn_fifo synthesised with `synth_ice40` at widths and depths around the point where Yosys
 * moves it from registers to a 4-kbit EBR (79 bits in registers, 80 in an EBR; two EBRs
 * only past 159 bits), against the estimate's EBR count.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fifoResources } from '../../server/src/cost/resources.js';
import { findTool, runProcess } from '../../server/src/flows/tools.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'qnn-synth-fifo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// [WIDTH, DEPTH]: the memory holds DEPTH − 1 words of WIDTH + 1 bits (data and tlast).
const CASES: [number, number][] = [
  [2, 25], // 72 bits: registers
  [2, 26], // 75
  [12, 7], // 78
  [1, 41], // 80: one EBR
  [7, 11], // 80
  [8, 9], // 72 (9 × 8): registers
  [9, 9], // 80 (10 × 8): one EBR
  [16, 6], // 85, 17 bits wide (two EBRs): registers
  [16, 9], // 136: registers
  [16, 17], // 272: two EBRs
  [3, 24], // 92: one EBR
  [2, 33], // 96: one EBR
];

describe.skipIf(!findTool('yosys'))('qnn_fifo on iCE40: EBRs as estimated', () => {
  it('registers up to 79 bits, an EBR from 80, two only past 159', async () => {
    const results = await Promise.all(
      CASES.map(async ([w, d]) => {
        const stat = path.join(work, `w${w}d${d}.txt`);
        const script = `read_verilog -sv ${path.join(root, 'hw-templates/qnn_fifo.sv')}; chparam -set WIDTH ${w} -set DEPTH ${d} qnn_fifo; synth_ice40 -top qnn_fifo; tee -q -o ${stat} stat`;
        const r = await runProcess(findTool('yosys')!, ['-q', '-p', script], { cwd: work, timeoutMs: 120_000 });
        expect(r.code, r.stderr).toBe(0);
        const built = Number(/SB_RAM40_4K\s+(\d+)/.exec(readFileSync(stat, 'utf8'))?.[1] ?? 0);
        const estimated = fifoResources(d, w, { family: 'ice40', dspAvailable: true }).bram18;
        return `${w}×${d}: ${estimated} / ${built}`;
      }),
    );
    expect(results).toEqual(
      CASES.map(([w, d]) => {
        const est = fifoResources(d, w, { family: 'ice40', dspAvailable: true }).bram18;
        return `${w}×${d}: ${est} / ${est}`;
      }),
    );
  }, 600_000);
});
