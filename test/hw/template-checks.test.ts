/**
 * Templates that check themselves (docs/engines-contract.md, "Parameters and checks"):
 * an impossible parameter set stops Verilator (lint and the simulation build), Icarus
 * (at time 0) and Yosys (at elaboration) with the template's message; the templates read
 * with a plain `read_verilog -sv` in Yosys; `qnn compile` writes a file list and a Yosys
 * script that reads the generated RTL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findTool, runProcess } from '../../server/src/flows/tools.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { simulate, type Simulator } from '../../server/src/flows/sim/runner.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { FILE_LIST, parseFileList, synthTargetOf, YOSYS_SCRIPT, yosysScriptText } from '../../server/src/rtl/yosys-script.js';
import { findDevice } from '../../server/src/device/devices.js';
import { check } from '../unit/model/helpers.js';
import { templateClosure } from '../../server/src/rtl/templates.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hw = (f: string): string => path.join(root, 'hw-templates', f);
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;
const haveYosys = findTool('yosys') !== undefined;
const work = mkdtempSync(path.join(os.tmpdir(), 'qnn-template-checks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Params = Record<string, number | string>;
const MVAU_SRCS = templateClosure(['qnn_mvau']);
const ACT_SRCS = ['qnn_act_stream.sv', 'qnn_act_lane.sv', 'qnn_skid.sv'].map(hw);
const MVAU: Params = {
  MW: 8,
  MH: 4,
  PE: 2,
  SIMD: 2,
  IN_BITS: 4,
  IN_KIND: 0,
  W_BITS: 4,
  W_KIND: 1,
  ACC_BITS: 16,
  PIXELS: 1,
  ACT: 0,
  WEIGHT_FILE: 'w.mem',
};
const THRESHOLD: Params = {
  PE: 2,
  CH: 4,
  ELEMS_PER_FRAME: 8,
  IN_BITS: 8,
  IN_KIND: 1,
  OUT_BITS: 2,
  OUT_KIND: 0,
  N_THRESH: 3,
  T_BITS: 9,
  ACT_FILE: 'a.mem',
};
const REQUANT: Params = {
  PE: 2,
  CH: 4,
  ELEMS_PER_FRAME: 8,
  IN_BITS: 8,
  IN_KIND: 1,
  OUT_BITS: 4,
  OUT_KIND: 0,
  MBITS: 16,
  SHIFT_BITS: 5,
  SHIFT: -1,
  ZERO: 0,
  ACT_FILE: 'a.mem',
};
const WINDOW: Params = { DIMS: 2, IN_H: 6, IN_W: 6, CH: 4, K: 3, STRIDE: 1, PAD: 1, BITS: 4, IN_ELEMS: 2, SIMD: 4 };
const MAXPOOL: Params = { DIMS: 2, IN_H: 4, IN_W: 4, CH: 4, K: 2, STRIDE: 2, BITS: 4, KIND: 0, PE: 2 };
const without = (p: Params, k: string): Params => Object.fromEntries(Object.entries(p).filter(([n]) => n !== k));

/** One impossible parameter set per rule family, with the message (as Verilator and Icarus format it). */
const IMPOSSIBLE: { what: string; top: string; sources: string[]; params: Params; message: string }[] = [
  {
    what: 'MVAU: SIMD does not divide MW',
    top: 'qnn_mvau',
    sources: MVAU_SRCS,
    params: { ...MVAU, SIMD: 3 },
    message: 'qnn_mvau: SIMD (3) must divide MW (8)',
  },
  {
    what: 'MVAU: PE does not divide MH',
    top: 'qnn_mvau',
    sources: MVAU_SRCS,
    params: { ...MVAU, PE: 3 },
    message: 'qnn_mvau: PE (3) must divide MH (4)',
  },
  {
    what: 'MVAU: no WEIGHT_FILE',
    top: 'qnn_mvau',
    sources: MVAU_SRCS,
    params: without(MVAU, 'WEIGHT_FILE'),
    message: "qnn_mvau: WEIGHT_FILE (the weight ROM's .mem file) is required unless HARD_WIRED = 1",
  },
  {
    what: 'MVAU: hard-wired weights with more than one weight word (NF·SF > 1)',
    top: 'qnn_mvau',
    sources: MVAU_SRCS,
    params: { ...without(MVAU, 'WEIGHT_FILE'), HARD_WIRED: 1 },
    message: 'qnn_mvau: HARD_WIRED (1) must be 0, or 1 with PE = MH and SIMD = MW (PE 2, MH 4, SIMD 2, MW 8)',
  },
  {
    what: 'MVAU: more thresholds than the output type counts',
    top: 'qnn_mvau',
    sources: MVAU_SRCS,
    params: { ...MVAU, ACT: 2, OUT_BITS: 2, OUT_KIND: 0, N_THRESH: 4, ACT_FILE: 'a.mem' },
    message: 'qnn_act_lane: N_THRESH (4) thresholds count past what OUT_BITS (2) hold (at most 2^OUT_BITS - 1)',
  },
  {
    what: 'threshold: bias + count past a signed output',
    top: 'qnn_threshold',
    sources: [hw('qnn_threshold.sv'), ...ACT_SRCS],
    params: { ...THRESHOLD, OUT_KIND: 1, ZERO: -1, N_THRESH: 3 },
    message: 'qnn_act_lane: the bias ZERO (-1) plus 0 to N_THRESH (3) thresholds passed must lie in [-2, 1] (OUT_BITS 2, OUT_KIND 1)',
  },
  {
    what: 'threshold: PE does not divide CH',
    top: 'qnn_threshold',
    sources: [hw('qnn_threshold.sv'), ...ACT_SRCS],
    params: { ...THRESHOLD, CH: 6, PE: 4, ELEMS_PER_FRAME: 12 },
    message: 'qnn_act_stream: PE (4) must divide CH (6)',
  },
  {
    what: 'requant: no ZERO',
    top: 'qnn_requant',
    sources: [hw('qnn_requant.sv'), ...ACT_SRCS],
    params: without(REQUANT, 'ZERO'),
    message: 'qnn_act_lane: requant needs ZERO (the zero point; -2^31 means not given)',
  },
  {
    what: 'requant: no SHIFT',
    top: 'qnn_requant',
    sources: [hw('qnn_requant.sv'), ...ACT_SRCS],
    params: without(REQUANT, 'SHIFT'),
    message:
      'qnn_act_lane: requant SHIFT (-2) must be the S every channel shares (0 to 2^SHIFT_BITS - 1, SHIFT_BITS 5) or -1 when each channel has its own (-2 means not given)',
  },
  {
    what: 'requant: a shared SHIFT past what SHIFT_BITS holds',
    top: 'qnn_requant',
    sources: [hw('qnn_requant.sv'), ...ACT_SRCS],
    params: { ...REQUANT, SHIFT: 32 },
    message:
      'qnn_act_lane: requant SHIFT (32) must be the S every channel shares (0 to 2^SHIFT_BITS - 1, SHIFT_BITS 5) or -1 when each channel has its own (-2 means not given)',
  },
  {
    what: 'window: SIMD not a multiple of IN_ELEMS',
    top: 'qnn_window',
    sources: [hw('qnn_window.sv')],
    params: { ...WINDOW, SIMD: 3 },
    message: 'qnn_window: SIMD (3) must be a multiple of IN_ELEMS (2) that divides K*K*CH (2-D) or K*CH (1-D) (36)',
  },
  {
    what: 'maxpool: kernel wider than the input',
    top: 'qnn_maxpool',
    sources: [hw('qnn_maxpool.sv')],
    params: { ...MAXPOOL, K: 5 },
    message: 'qnn_maxpool: need 1 <= K (5) <= IN_W (4) (and IN_H (4) in 2-D) and STRIDE (2) >= 1',
  },
  {
    what: 'maxpool at MMV pixels: a 2-D pool with fewer rows than the kernel',
    top: 'qnn_maxpool_mmv',
    sources: [hw('qnn_maxpool_mmv.sv')],
    params: { DIMS: 2, IN_H: 1, IN_W: 4, CH: 2, K: 2, BITS: 4, KIND: 0, MMV: 2 },
    message: 'qnn_maxpool_mmv: DIMS (2) must be 1 (with IN_H = 1) or 2 (with IN_H (1) at least K (2))',
  },
  {
    what: 'width converter: frame not a multiple of the output word',
    top: 'qnn_dwc',
    sources: [hw('qnn_dwc.sv')],
    params: { IN_ELEMS: 4, OUT_ELEMS: 3, BITS: 4, FRAME_ELEMS: 8 },
    message: 'qnn_dwc: FRAME_ELEMS (8) must be a positive multiple of IN_ELEMS (4) and OUT_ELEMS (3)',
  },
  {
    what: 'FIFO: no DEPTH',
    top: 'qnn_fifo',
    sources: [hw('qnn_fifo.sv')],
    params: { WIDTH: 8 },
    message: 'qnn_fifo: DEPTH (0) must be at least 1',
  },
  {
    what: 'ROM: one word',
    top: 'qnn_rom',
    sources: [hw('qnn_rom.sv')],
    params: { WIDTH: 8, DEPTH: 1, FILE: 'r.mem' },
    message: 'qnn_rom: DEPTH (1) must be at least 2 and WIDTH (8) at least 1',
  },
];

/** Icarus: compile with the parameters on the root module, run; the check is a $fatal at time 0. */
async function icarus(top: string, sources: string[], params: Params): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(path.join(work, 'icarus-'));
  const vvp = path.join(dir, 'sim.vvp');
  const ps = Object.entries(params).map(([k, v]) => `-P${top}.${k}=${typeof v === 'string' ? JSON.stringify(v) : v}`);
  const c = await runProcess(findTool('iverilog')!, ['-g2012', '-s', top, '-o', vvp, ...ps, ...sources], { cwd: dir, timeoutMs: 60_000 });
  if (c.code !== 0) return { code: c.code, output: c.stdout + c.stderr };
  const r = await runProcess(findTool('vvp')!, ['-n', vvp], { cwd: dir, timeoutMs: 60_000 });
  return { code: r.code, output: r.stdout + r.stderr };
}

/** Yosys: a top that instantiates the template with the parameters, read and elaborated. */
function yosysElaborate(top: string, sources: string[], params: Params): { code: number | null; output: string } {
  const dir = mkdtempSync(path.join(work, 'yosys-'));
  const ps = Object.entries(params).map(([k, v]) => `.${k}(${typeof v === 'string' ? JSON.stringify(v) : v})`);
  writeFileSync(path.join(dir, 'check_top.sv'), `module check_top;\n  ${top} #(${ps.join(', ')}) dut ();\nendmodule\n`);
  // Yosys reads the ROMs while it elaborates: the files named must exist.
  for (const v of Object.values(params)) if (typeof v === 'string') writeFileSync(path.join(dir, v), '0\n');
  const r = spawnSync(
    findTool('yosys')!,
    ['-q', '-p', `read_verilog -sv ${sources.join(' ')} check_top.sv; hierarchy -check -top check_top`],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: r.status, output: r.stdout + r.stderr };
}

describe.skipIf(!haveVerilator)('impossible parameter sets: Verilator', () => {
  it('lint stops each with the template message (an elaboration-time $error)', async () => {
    const results = await Promise.all(IMPOSSIBLE.map((c) => lintVerilator({ sources: c.sources, top: c.top, params: c.params })));
    results.forEach((r, i) => {
      const c = IMPOSSIBLE[i]!;
      expect(r.clean, c.what).toBe(false);
      expect(
        r.messages.some((m) => m.code === 'USERERROR' && m.message === c.message),
        `${c.what}:\n${r.output}`,
      ).toBe(true);
    });
  });

  it('and their valid neighbours lint clean', async () => {
    const valid: [string, string[], Params][] = [
      ['qnn_mvau', MVAU_SRCS, MVAU],
      ['qnn_threshold', [hw('qnn_threshold.sv'), ...ACT_SRCS], THRESHOLD],
      ['qnn_threshold', [hw('qnn_threshold.sv'), ...ACT_SRCS], { ...THRESHOLD, OUT_KIND: 1, ZERO: -1, N_THRESH: 2 }],
      ['qnn_requant', [hw('qnn_requant.sv'), ...ACT_SRCS], REQUANT],
      ['qnn_window', [hw('qnn_window.sv')], WINDOW],
      ['qnn_maxpool', [hw('qnn_maxpool.sv')], MAXPOOL],
    ];
    const results = await Promise.all(valid.map(([top, sources, params]) => lintVerilator({ sources, top, params })));
    results.forEach((r, i) => expect(r.output, valid[i]![0]).toBe(''));
  });

  it('the simulation build (-Wno-fatal) still stops', async () => {
    const c = IMPOSSIBLE[0]!;
    await expect(
      simulate({
        simulator: 'verilator',
        sources: c.sources,
        top: c.top,
        params: c.params,
        inWidth: 3 * 4,
        outWidth: 2 * 16,
        workDir: path.join(work, 'sim-verilator'),
        input: [0n],
        expected: 1,
      }),
    ).rejects.toThrow(c.message);
  });
});

describe.skipIf(!haveIcarus)('impossible parameter sets: Icarus', () => {
  it.each(IMPOSSIBLE.map((c) => [c.what, c] as const))('%s: stops at time 0 with the message', async (_w, c) => {
    const r = await icarus(c.top, c.sources, c.params);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain(`FATAL: `);
    expect(r.output).toContain(c.message);
  });

  it('the simulation run stops too', async () => {
    const c = IMPOSSIBLE[0]!;
    const sim: Simulator = 'icarus';
    await expect(
      simulate({
        simulator: sim,
        sources: c.sources,
        top: c.top,
        params: c.params,
        inWidth: 3 * 4,
        outWidth: 2 * 16,
        workDir: path.join(work, 'sim-icarus'),
        input: [0n],
        expected: 1,
      }),
    ).rejects.toThrow(c.message);
  });
});

describe.skipIf(!haveYosys)('Yosys', () => {
  it('reads every template with a plain read_verilog -sv, without a warning', () => {
    const all = readdirSync(path.join(root, 'hw-templates'))
      .filter((f) => f.endsWith('.sv'))
      .map(hw);
    const r = spawnSync(findTool('yosys')!, ['-p', `read_verilog -sv ${all.join(' ')}`], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/warning/i);
  });

  it('stops an instance with impossible parameters at elaboration, with the message', () => {
    // Yosys 0.23 prints the message unformatted (%0d), so the test matches its start.
    for (const c of [IMPOSSIBLE[0]!, IMPOSSIBLE[2]!, IMPOSSIBLE[6]!, IMPOSSIBLE[9]!]) {
      const r = yosysElaborate(c.top, c.sources, c.params);
      expect(r.code, c.what).not.toBe(0);
      expect(r.output, c.what).toContain(`ERROR: ${c.message.split(' (')[0]}`);
    }
    const ok = yosysElaborate('qnn_mvau', MVAU_SRCS, MVAU);
    expect(ok.code, ok.output).toBe(0);
  });
});

describe('qnn compile: file list and Yosys script', () => {
  it('synth.ys synthesises for the target family', () => {
    const ice = yosysScriptText(['a.sv', 'top.sv'], 'top', synthTargetOf(findDevice('ice40up5k')!), 'x');
    expect(ice).toContain('synth_ice40 -top top -dsp');
    const zu = yosysScriptText(['a.sv', 'top.sv'], 'top', synthTargetOf(findDevice('xczu3eg')!), 'x');
    expect(zu).toContain(
      'synth:\nsetattr -set keep_hierarchy 1 t:*\\qnn_rom\nsynth_xilinx -family xcup -top top -flatten\nopt_merge -share_all\nclean\nstat\n',
    );
    expect(ice).not.toContain('opt_merge');
    expect(zu).toContain('read:\nread_verilog -sv a.sv top.sv\nhierarchy -check -top top\nsynth:\n');
  });

  it.skipIf(!haveYosys)(
    'the peak detector: files.f lists every source in dependency order and synth.ys reads them in Yosys',
    async () => {
      const file = path.join(root, 'examples', 'peak_detector', 'peak_detector.qnn');
      const { analysis } = await check(readFileSync(file, 'utf8'), file);
      const c = compileNetwork(analysis, path.join(work, 'peak'), 'peak_detector.qnn');
      expect(c.report.files).toContain(FILE_LIST);
      expect(c.report.files).toContain(YOSYS_SCRIPT);
      const list = parseFileList(readFileSync(path.join(c.rtlDir, FILE_LIST), 'utf8'));
      expect([...list].sort()).toEqual(c.files.filter((f) => f.endsWith('.sv')));
      // Each module after the modules it instantiates; the top last.
      const at = (f: string): number => list.indexOf(f);
      expect(at('qnn_skid.sv')).toBeLessThan(at('qnn_mvau.sv'));
      expect(at('qnn_act_lane.sv')).toBeLessThan(at('qnn_mvau.sv'));
      expect(at('qnn_mvau.sv')).toBeLessThan(at('peak_detector_c1.sv'));
      expect(list[list.length - 1]).toBe(`${c.top}.sv`);
      const script = readFileSync(path.join(c.rtlDir, YOSYS_SCRIPT), 'utf8');
      expect(script).toContain(`read_verilog -sv ${list.join(' ')}\n`);
      expect(script).toContain(`synth_xilinx -family xc7 -top ${c.top} -flatten`); // xc7z020
      // The script's read section: a plain read_verilog -sv of every source, hierarchy -check.
      // (The synthesis itself is in test:synth: minutes on a 2-core machine.)
      const r = spawnSync(findTool('yosys')!, ['-q', '-p', `script ${YOSYS_SCRIPT} read`], {
        cwd: c.rtlDir,
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    },
    300_000,
  );
});
