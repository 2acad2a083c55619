/**
 * Engine templates in Yosys `synth_xilinx` (npm run test:synth; moved out of the
 * simulation tests, where Yosys took half a minute): the pow2 and bipolar MVAU variants
 * map to 0 DSPs, the i8 × i8 one to some; a deep FIFO infers block RAM, a register slice
 * no memory.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeBits } from '../../server/src/model/qtype.js';
import { findTool, runProcess } from '../../server/src/flows/tools.js';
import { activationMem, weightMem } from '../../server/src/engines/rom-layout.js';
import { rng } from '../hw/engines/random-kit.js';
import { makeCfg, obits, params, randomData, type MvauCfg } from '../hw/engines/mvau-kit.js';
import { templateClosure } from '../../server/src/rtl/templates.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRCS = templateClosure(['qnn_mvau']);
const haveYosys = findTool('yosys') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-synth-engines-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

/**
 * Synthesises several configurations in one Yosys run (its start-up dominates small
 * designs): each is wrapped in its own module marked keep_hierarchy, so `synth_xilinx
 * -flatten` flattens the engine into its wrapper and `stat` reports each wrapper's cells.
 */
async function synthStats(cfgs: MvauCfg[]): Promise<Record<string, number>[]> {
  const dir = path.join(work, 'mvau');
  mkdirSync(dir, { recursive: true });
  const wrappers: string[] = [];
  cfgs.forEach((c, k) => {
    const d = randomData(c, 1, 9000 + k);
    writeFileSync(path.join(dir, `w${k}.mem`), weightMem(d.layer, c.pe, c.simd, c.wT));
    if (d.act)
      writeFileSync(
        path.join(dir, `a${k}.mem`),
        activationMem(d.act, c.pe, c.accBits, { min: c.accMin, max: c.accMax, shiftBits: c.shiftBits }),
      );
    const ps = Object.entries({ ...params(c), WEIGHT_FILE: `w${k}.mem`, ...(c.act ? { ACT_FILE: `a${k}.mem` } : {}) })
      .map(([n, v]) => `.${n}(${typeof v === 'string' ? JSON.stringify(v) : v})`)
      .join(', ');
    const iw = c.simd * typeBits(c.iT);
    const ow = c.pe * obits(c);
    wrappers.push(
      `(* keep_hierarchy *)\nmodule syn_${k} (input logic clk, input logic rst_n, input logic [${iw - 1}:0] i_d, input logic i_v, output logic i_r,\n` +
        `  output logic [${ow - 1}:0] o_d, output logic o_v, input logic o_r, output logic o_l);\n` +
        `  qnn_mvau #(${ps}) u (.clk(clk), .rst_n(rst_n), .s_axis_tdata(i_d), .s_axis_tvalid(i_v), .s_axis_tready(i_r),\n` +
        `    .m_axis_tdata(o_d), .m_axis_tvalid(o_v), .m_axis_tready(o_r), .m_axis_tlast(o_l));\nendmodule\n`,
    );
  });
  const ports = cfgs.map((c, k) => {
    const iw = c.simd * typeBits(c.iT);
    const ow = c.pe * obits(c);
    return {
      k,
      decl: `input logic [${iw - 1}:0] i${k}_d, input logic i${k}_v, output logic i${k}_r, output logic [${ow - 1}:0] o${k}_d, output logic o${k}_v, input logic o${k}_r, output logic o${k}_l`,
    };
  });
  const top =
    `module syn_top (input logic clk, input logic rst_n, ${ports.map((p) => p.decl).join(', ')});\n` +
    ports
      .map(
        ({ k }) =>
          `  syn_${k} u${k} (.clk(clk), .rst_n(rst_n), .i_d(i${k}_d), .i_v(i${k}_v), .i_r(i${k}_r), .o_d(o${k}_d), .o_v(o${k}_v), .o_r(o${k}_r), .o_l(o${k}_l));\n`,
      )
      .join('') +
    'endmodule\n';
  writeFileSync(path.join(dir, 'syn_top.sv'), wrappers.join('') + top);
  const script = `read_verilog -defer -sv ${SRCS.join(' ')} syn_top.sv; synth_xilinx -flatten -top syn_top; tee -q -o stat.txt stat`;
  const res = await runProcess(findTool('yosys')!, ['-q', '-p', script], { cwd: dir, timeoutMs: 170_000 });
  expect(res.code, res.stderr + res.stdout).toBe(0);
  const text = readFileSync(path.join(dir, 'stat.txt'), 'utf8');
  return cfgs.map((_, k) => {
    const m = new RegExp(`^=== syn_${k} ===$([\\s\\S]*?)(?=^===|^design hierarchy)`, 'm').exec(text);
    if (!m) throw new Error(`no statistics for syn_${k} in:\n${text}`);
    const cells: Record<string, number> = {};
    for (const c of m[1]!.matchAll(/^\s+(\w+)\s+(\d+)\s*$/gm)) cells[c[1]!] = Number(c[2]);
    return cells;
  });
}

const cellCount = (cells: Record<string, number>, re: RegExp): number =>
  Object.entries(cells)
    .filter(([k]) => re.test(k))
    .reduce((a, [, v]) => a + v, 0);

describe.skipIf(!haveYosys)('qnn_mvau in Yosys synth_xilinx', () => {
  const dims = { mw: 8, mh: 4, pe: 2, simd: 4 };
  const SYN: [string, MvauCfg, 'zero' | 'some'][] = [
    ['pow2<4> × i8, no activation', makeCfg({ kind: 'pow2', bits: 4 }, { kind: 'int', bits: 8 }, 0, dims, rng(7), 'general'), 'zero'],
    ['pow2<3> × u4, threshold', makeCfg({ kind: 'pow2', bits: 3 }, { kind: 'uint', bits: 4 }, 2, dims, rng(8), 'general'), 'zero'],
    ['pow2<4> × bipolar', makeCfg({ kind: 'pow2', bits: 4 }, { kind: 'bipolar' }, 0, dims, rng(12), 'general'), 'zero'],
    [
      'bipolar × bipolar (XNOR), threshold',
      makeCfg({ kind: 'bipolar' }, { kind: 'bipolar' }, 2, { mw: 32, mh: 4, pe: 2, simd: 16 }, rng(9), 'general'),
      'zero',
    ],
    ['bipolar × u8 (±a)', makeCfg({ kind: 'bipolar' }, { kind: 'uint', bits: 8 }, 0, dims, rng(10), 'general'), 'zero'],
    ['i4 × bipolar (±w)', makeCfg({ kind: 'int', bits: 4 }, { kind: 'bipolar' }, 0, dims, rng(13), 'general'), 'zero'],
    [
      'i8 × i8 (multipliers: DSPs expected, so the check can fail)',
      makeCfg({ kind: 'int', bits: 8 }, { kind: 'int', bits: 8 }, 0, dims, rng(11), 'general'),
      'some',
    ],
  ];
  it('maps the pow2 and bipolar variants to 0 DSPs (and the i8 × i8 one to some)', async () => {
    const stats = await synthStats(SYN.map((s) => s[1]));
    SYN.forEach(([name, , want], k) => {
      const cells = stats[k]!;
      const dsp = cellCount(cells, /^DSP48/);
      if (want === 'zero') expect(dsp, `${name}: ${JSON.stringify(cells)}`).toBe(0);
      else expect(dsp, `${name}: ${JSON.stringify(cells)}`).toBeGreaterThan(0);
      expect(cellCount(cells, /^LUT\d$/), `${name}: ${JSON.stringify(cells)}`).toBeGreaterThan(0);
    });
  }, 180_000);
});

describe.skipIf(!haveYosys)('qnn_fifo in Yosys', () => {
  it('infers block RAM for a deep FIFO and no memory cells for a register slice', async () => {
    const src = path.join(root, 'hw-templates', 'qnn_fifo.sv');
    const stat = async (width: number, depth: number): Promise<string> => {
      const out = path.join(work, `fifo-${width}-${depth}.txt`);
      const r = await runProcess(
        findTool('yosys')!,
        [
          '-q',
          '-p',
          `read_verilog -sv ${src}; chparam -set WIDTH ${width} -set DEPTH ${depth} qnn_fifo; synth_xilinx -top qnn_fifo; tee -q -o ${out} stat`,
        ],
        { timeoutMs: 120_000 },
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return readFileSync(out, 'utf8');
    };
    const deep = await stat(16, 1024);
    expect(deep).toMatch(/RAMB18E1\s+1\b/);
    const slice = await stat(8, 1);
    expect(slice).not.toMatch(/RAM/);
  });
});
