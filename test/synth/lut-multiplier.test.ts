/**
 * The LUT multiplier's formula (cost/resources.ts `lutMultiplierLuts`: a·b + 2·(a − 2)·(b − 2)
 * LUT6) against what Yosys builds for a registered product alone (`synth_xilinx -nodsp`),
 * signed weights of 2 to 8 bits times signed and unsigned inputs of 2 to 8 bits, counted as
 * `qnn report` counts them (flows/reports/yosys-stat.ts), after the flow's commands that
 * follow synth_xilinx (rtl/yosys-script.ts). Measured with Yosys 0.23 (2026-12-04): median
 * |error| 8.2 %, worst +60 % (i3 × u4: 16 for 10 built); FINN-R's (2⌈(a+b)/6⌉ − 1)·(a+b),
 * the formula before, median 28.6 %, worst +88 % (i2 × u8: 30 for 16) and −47 % (i8 × i8:
 * 80 for 150). About 45 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lutMultiplierLuts } from '../../server/src/cost/resources.js';
import { parseYosysStatText } from '../../server/src/flows/reports/yosys-stat.js';
import { findTool, runProcess } from '../../server/src/flows/tools.js';
import { XILINX_AFTER_SYNTH } from '../../server/src/rtl/yosys-script.js';

/** [weight bits (signed), input bits, input signed]. */
const CASES: [number, number, boolean][] = [
  [2, 2, false],
  [2, 4, false],
  [3, 4, false],
  [4, 4, false],
  [3, 3, false],
  [2, 8, false],
  [3, 8, false],
  [4, 8, false],
  [8, 8, false],
  [5, 5, false],
  [6, 6, false],
  [3, 6, false],
  [2, 4, true],
  [3, 4, true],
  [4, 4, true],
  [4, 8, true],
  [8, 8, true],
];

const finnR = (a: number, b: number): number => (2 * Math.ceil((a + b) / 6) - 1) * (a + b);
const pctOff = (est: number, syn: number): number => (100 * Math.abs(est - syn)) / syn;
const median = (xs: number[]): number => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-synth-lutmul-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Yosys' LUT count for one registered w × a product in LUTs. */
async function synthLuts(w: number, a: number, signedIn: boolean): Promise<number> {
  const name = `m_${w}_${a}_${signedIn ? 's' : 'u'}`;
  const operand = signedIn ? '$signed(a)' : "$signed({1'b0, a})";
  writeFileSync(
    path.join(work, `${name}.sv`),
    `module ${name} (input logic clk, input logic signed [${w - 1}:0] w, input logic [${a - 1}:0] a, output logic signed [${w + a}:0] y);\n` +
      `  always_ff @(posedge clk) y <= w * ${operand};\nendmodule\n`,
  );
  const r = await runProcess(
    findTool('yosys')!,
    [
      '-q',
      '-p',
      `read_verilog -sv ${name}.sv; synth_xilinx -family xc7 -nodsp -flatten -top ${name}; ${XILINX_AFTER_SYNTH.join('; ')}; tee -q -o ${name}.txt stat`,
    ],
    { cwd: work, timeoutMs: 120_000 },
  );
  if (r.code !== 0) throw new Error(`yosys failed on ${name}:\n${r.stdout}${r.stderr}`);
  return parseYosysStatText(readFileSync(path.join(work, `${name}.txt`), 'utf8')).lut!;
}

describe.skipIf(!findTool('yosys'))('the LUT multiplier formula against Yosys (synth_xilinx -nodsp)', () => {
  it('follows what Yosys builds across 2- to 8-bit operands, closer than FINN-R’s formula', async () => {
    const rows: { what: string; syn: number; est: number; finn: number }[] = [];
    for (const [w, a, s] of CASES) {
      const syn = await synthLuts(w, a, s);
      rows.push({ what: `i${w} × ${s ? 'i' : 'u'}${a}`, syn, est: lutMultiplierLuts(w, a), finn: finnR(w, a) });
    }
    const errs = rows.map((r) => pctOff(r.est, r.syn));
    const finnErrs = rows.map((r) => pctOff(r.finn, r.syn));
    expect(median(errs), JSON.stringify(rows)).toBeLessThanOrEqual(10);
    expect(Math.max(...errs), JSON.stringify(rows)).toBeLessThanOrEqual(60);
    expect(median(errs)).toBeLessThan(median(finnErrs));
    console.log(rows.map((r) => `${r.what}: Yosys ${r.syn}, formula ${r.est}, FINN-R ${r.finn}`).join('\n'));
    console.log(`median |error|: formula ${median(errs).toFixed(1)} %, FINN-R ${median(finnErrs).toFixed(1)} %`);
  }, 600_000);
});
