/**
 * The iCEBreaker board shell end to end on Verilator, through its pins only: a compiled
 * network inside qnn_icebreaker_top (flows/board/icebreaker.ts, hw-templates/qnn_uart_*.sv),
 * driven by a host testbench (uart-shell-tb.sv) that sends input bytes bit by bit on RX
 * with random idle gaps and sub-half-bit glitches, follows the host rule (a frame, then its
 * whole answer), and decodes TX. Every byte received must equal the golden model's output
 * turned into bytes by uart-frames.ts; the LEDs must say what docs/board-icebreaker.md says.
 *
 * The UART runs at 8 cycles a bit (clksPerBitOverride) to keep the simulations short; the
 * shell's logic is the same at any CLKS_PER_BIT ≥ 4.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../server/src/analysis/analyze.js';
import { icebreakerShell, icebreakerShellTemplateFiles, type IcebreakerShell } from '../../server/src/flows/board/icebreaker.js';
import {
  bytesToOutputValues,
  inputFrameToBytes,
  outputValuesToBytes,
  uartFrameLayout,
  type UartFrameLayout,
} from '../../server/src/flows/board/uart-frames.js';
import { cachedFolder, fileDigest, hashOf } from '../../server/src/flows/sim/build-cache.js';
import { BUILD_CACHE_ENV } from '../../server/src/flows/sim/build.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { findTool, requireTool, runProcess, toolVersion } from '../../server/src/flows/tools.js';
import { randomFrames } from '../../server/src/golden/frames.js';
import { runNetwork } from '../../server/src/golden/golden.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import type { HardwarePlan } from '../../server/src/rtl/plan.js';
import { FILE_LIST } from '../../server/src/rtl/yosys-script.js';
import { check } from '../unit/model/helpers.js';

const haveVerilator = findTool('verilator') !== undefined;
const haveYosys = findTool('yosys') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;
const ROOT = path.resolve(__dirname, '../..');
const WORK = path.join(tmpdir(), 'qnn-fpga-hw-tests', 'uart-shell');
const TB = path.join(__dirname, 'uart-shell-tb.sv');
const TB_TOP = 'uart_shell_tb';
/** UART bit in clock cycles for the simulations. */
const CPB = 8;

/**
 * A synthetic network whose words are not whole bytes and take more than one: input u4 in
 * words of 3 (12 bits, 2 bytes), output i5 × PE 2 (10 bits, 2 bytes), 4 words in and 3
 * out per frame.
 */
const SYNTHETIC = `network syn {
  target ice40up5k @ 12 MHz
  input x: u4[12]
  layer d = dense(x, units=6, weights=i3(random, seed=2)) fold(pe=2, simd=3)
  layer r = requant(d, out=i5, scale=0.05)
  output r
}
`;

interface ShellDesign {
  analysis: Analysis;
  plan: HardwarePlan;
  layout: UartFrameLayout;
  shell: IcebreakerShell;
  rtlDir: string;
  /** Every source, absolute, in read order (accelerator, shell templates, shell top). */
  sources: string[];
}

async function analysed(text: string, file?: string): Promise<Analysis> {
  const { analysis, diagnostics } = await check(text, file);
  expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return analysis;
}

/** Compiles the network and writes the shell (at `clockMHz`, default the target's) beside its RTL. */
async function shellDesign(name: string, text: string, file?: string, clockMHz?: number, sim = true): Promise<ShellDesign> {
  const analysis = await analysed(text, file);
  const net = analysis.network;
  const dir = path.join(WORK, name);
  const compiled = compileNetwork(analysis, dir, `${name}.qnn`);
  const layout = uartFrameLayout(net, compiled.plan);
  const shell = icebreakerShell({
    accelTop: compiled.top,
    inWidth: layout.inWidth,
    outWidth: layout.outWidth,
    inWordsPerFrame: layout.inWordsPerFrame,
    clockMHz: clockMHz ?? net.target!.clockHz / 1e6,
    clksPerBitOverride: sim ? CPB : undefined,
  });
  for (const f of shell.files) writeFileSync(path.join(compiled.rtlDir, f.name), f.text);
  const templates = icebreakerShellTemplateFiles();
  for (const t of templates) copyFileSync(t, path.join(compiled.rtlDir, path.basename(t)));
  const accel = readFileSync(path.join(compiled.rtlDir, FILE_LIST), 'utf8').split('\n').filter(Boolean);
  const sources = [...accel, ...templates.map((t) => path.basename(t)), ...shell.files.map((f) => f.name)].map((f) =>
    path.join(compiled.rtlDir, f),
  );
  return { analysis, plan: compiled.plan, layout, shell, rtlDir: compiled.rtlDir, sources };
}

/**
 * `verilator --binary --timing` of the testbench and the design, in the tests' shared
 * build cache (content-keyed: a design already built is reused).
 */
async function buildVerilator(d: ShellDesign): Promise<HostSim> {
  const verilator = requireTool('verilator');
  const version = await toolVersion(verilator);
  const key = hashOf({ v: 1, version, tb: fileDigest(TB), sources: d.sources.map((s) => [path.basename(s), fileDigest(s)]) }).slice(0, 16);
  const root = process.env[BUILD_CACHE_ENV] ?? path.join(WORK, 'builds');
  const b = await cachedFolder({
    root,
    name: `verilator-${TB_TOP}`,
    key,
    reuse: true,
    make: async (dir) => {
      const obj = path.join(dir, 'obj');
      const r = await runProcess(
        verilator,
        [
          '--binary',
          '--timing',
          '-Wno-fatal',
          '-Werror-USERERROR',
          '--top-module',
          TB_TOP,
          '--Mdir',
          obj,
          '-j',
          '2',
          // -O1: a build of a few seconds; the 650,000-cycle peak-detector run takes well under one.
          '-MAKEFLAGS',
          'OPT_FAST=-O1',
          TB,
          ...d.sources,
        ],
        { cwd: dir, timeoutMs: 300_000 },
      );
      if (r.code !== 0) throw new Error(`verilator failed:\n${r.stdout}\n${r.stderr}`);
      copyFileSync(path.join(obj, `V${TB_TOP}`), path.join(dir, 'sim'));
      rmSync(obj, { recursive: true, force: true });
      return { built: true };
    },
  });
  return { cmd: path.join(b.dir, 'sim'), args: [] };
}

/** The same testbench on Icarus (`iverilog -g2012`, then `vvp`). */
async function buildIcarus(d: ShellDesign): Promise<HostSim> {
  const vvp = path.join(path.dirname(d.rtlDir), 'uart_shell_tb.vvp');
  const r = await runProcess(requireTool('iverilog'), ['-g2012', '-o', vvp, '-s', TB_TOP, TB, ...d.sources], { timeoutMs: 120_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return { cmd: requireTool('vvp'), args: ['-n', vvp] };
}

/** A built testbench: the command that runs it, before the plusargs. */
interface HostSim {
  cmd: string;
  args: string[];
}

interface HostRun {
  bytes: number[];
  summary: Record<string, number>;
}

/** Runs the host testbench over `frames` (the network's input values); returns what came back on TX. */
async function runHost(d: ShellDesign, sim: HostSim, frames: Int32Array[], opts: { maxGap: number; seed: number }): Promise<HostRun> {
  const net = d.analysis.network;
  const runDir = path.join(path.dirname(d.rtlDir), 'uart');
  mkdirSync(runDir, { recursive: true });
  const input = frames.flatMap((f) => [...inputFrameToBytes(net, d.plan, f)]);
  const inFile = path.join(runDir, 'in.hex');
  const outFile = path.join(runDir, 'out.hex');
  writeFileSync(inFile, input.map((b) => b.toString(16).padStart(2, '0') + '\n').join(''));
  rmSync(outFile, { force: true });
  // Generous: every byte both ways with its largest gap, plus twice the frame interval.
  const ii = d.analysis.estimate!.ii_cycles + d.analysis.estimate!.latency_cycles;
  const maxCycles = 1000 + frames.length * (2 * ii + (d.layout.inBytesPerFrame + d.layout.outBytesPerFrame) * (11 * CPB + opts.maxGap));
  const r = await runProcess(
    sim.cmd,
    [
      ...sim.args,
      `+in=${inFile}`,
      `+out=${outFile}`,
      `+cpb=${CPB}`,
      `+in_frame=${d.layout.inBytesPerFrame}`,
      `+out_frame=${d.layout.outBytesPerFrame}`,
      `+frames=${frames.length}`,
      `+max_gap=${opts.maxGap}`,
      `+seed=${opts.seed}`,
      `+max_cycles=${maxCycles}`,
    ],
    // The accelerator's ROMs are read from the RTL folder.
    { cwd: d.rtlDir, timeoutMs: 120_000 },
  );
  const out = r.stdout + r.stderr;
  expect(out).not.toMatch(/UART_TB_ERROR/);
  const done = /UART_TB_DONE (.*)/.exec(out);
  expect(done, out).not.toBeNull();
  const summary = Object.fromEntries(done![1].split(' ').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]));
  const bytes = readFileSync(outFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((h) => parseInt(h, 16));
  return { bytes, summary };
}

/** Simulates `frames` random frames and checks every byte, the decoded values and the LEDs. */
async function endToEnd(d: ShellDesign, sim: HostSim, nFrames: number, seed: number, maxGap: number): Promise<HostRun> {
  const net = d.analysis.network;
  const frames = randomFrames(net, nFrames, seed);
  const golden = frames.map((f) => [...runNetwork(net, f).output]);
  const expected = [...outputValuesToBytes(net, d.plan, golden.flat())];
  const run = await runHost(d, sim, frames, { maxGap, seed });
  expect(run.bytes.length).toBe(nFrames * d.layout.outBytesPerFrame);
  const firstBad = run.bytes.findIndex((b, i) => b !== expected[i]);
  expect(firstBad, `first wrong byte at ${firstBad}: got ${run.bytes[firstBad]}, expected ${expected[firstBad]}`).toBe(-1);
  expect(run.bytes).toEqual(expected);
  // And back to values (the host's decoding).
  expect(bytesToOutputValues(net, d.plan, run.bytes)).toEqual(golden.flat());
  // LEDs: green toggled once per answered frame; red lit while frames were in flight, off at the end.
  expect(run.summary.green_toggles).toBe(nFrames);
  expect(run.summary.red_cycles).toBeGreaterThan(0);
  expect(run.summary.red_end).toBe(0);
  // The receiver saw (and ignored) glitches shorter than half a bit.
  expect(run.summary.glitches).toBeGreaterThan(0);
  return run;
}

describe.skipIf(!haveVerilator)('the iCEBreaker UART shell on Verilator, through RX/TX only', () => {
  it('a synthetic network with 12-bit input and 10-bit output words (2 bytes each): 12 frames bit-exact', async () => {
    const d = await shellDesign('syn', SYNTHETIC);
    expect([d.layout.inWidth, d.layout.outWidth, d.layout.inBytesPerWord, d.layout.outBytesPerWord]).toEqual([12, 10, 2, 2]);
    // Long gaps: the accelerator waits on the UART (it idles between words).
    await endToEnd(d, await buildVerilator(d), 12, 3, 6 * CPB);
  }, 180_000);

  it('examples/peak_detector_icebreaker: 2 frames of 1,024 bytes in, 512 out, bit-exact', async () => {
    const file = path.join(ROOT, 'examples/peak_detector_icebreaker/peak_detector_icebreaker.qnn');
    const d = await shellDesign('peak_detector_icebreaker', readFileSync(file, 'utf8'), file);
    expect(d.layout).toMatchObject({ inBytesPerFrame: 1024, outBytesPerFrame: 512 });
    // The whole input frame is buffered: here the UART (80 cycles a byte) outruns the
    // accelerator (320 cycles a word), so most of a frame waits in the bridge's FIFO.
    expect(d.shell.fifoBytes).toBe(1024);
    const run = await endToEnd(d, await buildVerilator(d), 2, 7, 2 * CPB);
    // The frame time is the accelerator's, not the UART's.
    expect(run.summary.cycles).toBeGreaterThan(2 * d.analysis.estimate!.ii_cycles);
  }, 180_000);

  it('the shell and its templates are lint-clean (verilator --lint-only -Wall), the clock through the PLL too', async () => {
    for (const [name, mhz] of [
      ['syn-lint', 12],
      ['syn-lint-pll', 48],
    ] as const) {
      const d = await shellDesign(name, SYNTHETIC, undefined, mhz, false);
      const lint = await lintVerilator({ sources: d.sources, top: d.shell.top });
      expect(lint.messages.map((m) => `${m.code} ${m.file}:${m.line} ${m.message}`)).toEqual([]);
    }
  }, 120_000);

  it('the templates reject impossible parameters', async () => {
    const templates = icebreakerShellTemplateFiles();
    const cases: [string, Record<string, number>, RegExp][] = [
      ['qnn_uart_rx', { CLKS_PER_BIT: 3 }, /qnn_uart_rx: CLKS_PER_BIT \(3\) must be at least 4/],
      ['qnn_uart_tx', { CLKS_PER_BIT: 0 }, /qnn_uart_tx: CLKS_PER_BIT \(0\) must be at least 4/],
      ['qnn_uart_bridge', { IN_W: 0, OUT_W: 8, CLKS_PER_BIT: 8, FIFO_BYTES: 4 }, /IN_W \(0\) and OUT_W \(8\) must be at least 1/],
      ['qnn_uart_bridge', { IN_W: 12, OUT_W: 8, CLKS_PER_BIT: 8, FIFO_BYTES: 1 }, /FIFO_BYTES \(1\) must hold a word \(2 bytes\)/],
    ];
    for (const [top, params, msg] of cases) {
      const lint = await lintVerilator({ sources: templates, top, params });
      expect(lint.clean, top).toBe(false);
      expect(lint.output).toMatch(msg);
    }
  }, 60_000);
});

describe.skipIf(!haveIcarus)('the same testbench on Icarus', () => {
  it('the synthetic network: 6 frames bit-exact', async () => {
    const d = await shellDesign('syn-icarus', SYNTHETIC);
    await endToEnd(d, await buildIcarus(d), 6, 4, 3 * CPB);
  }, 120_000);
});

describe.skipIf(!haveYosys)('the shell in Yosys', () => {
  it('reads and checks with the PLL (SB_PLL40_PAD from the cell library, the preamble the shell gives)', async () => {
    const d = await shellDesign('syn-yosys', SYNTHETIC, undefined, 48, false);
    expect(d.shell.clock.pll).not.toBeNull();
    const script = [
      ...d.shell.yosysPreamble,
      `read_verilog -sv ${d.sources.map((s) => path.basename(s)).join(' ')}`,
      `hierarchy -check -top ${d.shell.top}`,
      'stat',
    ];
    const r = await runProcess(requireTool('yosys'), ['-p', script.join('; ')], { cwd: d.rtlDir, timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SB_PLL40_PAD\s+1/);
    expect(r.stdout + r.stderr).not.toMatch(/Warning/);
  }, 120_000);
});
