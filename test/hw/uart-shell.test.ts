/**
 * The iCEBreaker board shell end to end, through its pins only: a compiled network inside
 * qnn_icebreaker_top (flows/board/icebreaker.ts, hw-templates/qnn_uart_*.sv), driven by the
 * host testbench of `qnn sim --board` (flows/board/shell-sim.ts,
 * hw-templates/tb/qnn_uart_host_tb.sv) that sends input bytes bit by bit on RX with random
 * idle gaps and sub-half-bit glitches, follows the host rule (a frame, then its whole
 * answer), and decodes TX. Every byte received must equal the golden model's output turned
 * into bytes by uart-frames.ts; the LEDs must say what docs/board-icebreaker.md says. The
 * CLI (`qnn sim FILE --board`, out/cli/qnn.cjs) is tested on the iCEBreaker example.
 *
 * The UART runs at 8 cycles a bit (the simulation's default) to keep the simulations
 * short; the shell's logic is the same at any CLKS_PER_BIT ≥ 4.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../server/src/analysis/analyze.js';
import { icebreakerShellTemplateFiles } from '../../server/src/flows/board/icebreaker.js';
import {
  boardSimDesign,
  buildHostSim,
  compareAnswers,
  hostTestbenchFile,
  inputBytesToValues,
  runHostSim,
  SIM_CLKS_PER_BIT,
  simulateBoardShell,
  type BoardSimDesign,
  type HostRun,
  type HostSim,
} from '../../server/src/flows/board/shell-sim.js';
import { bytesToOutputValues, inputFrameToBytes, outputValuesToBytes } from '../../server/src/flows/board/uart-frames.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { findTool, requireTool, runProcess } from '../../server/src/flows/tools.js';
import { randomFrames } from '../../server/src/golden/frames.js';
import { runNetwork } from '../../server/src/golden/golden.js';
import type { BoardSimResult } from '../../server/src/protocol/results.js';
import { templatesDir } from '../../server/src/rtl/templates.js';
import { ensureBuilt } from '../lsp/lsp-client.js';
import { check } from '../unit/model/helpers.js';

const haveVerilator = findTool('verilator') !== undefined;
const haveYosys = findTool('yosys') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;
const ROOT = path.resolve(__dirname, '../..');
const WORK = path.join(tmpdir(), 'qnn-fpga-hw-tests', 'uart-shell');
const CLI = path.join(ROOT, 'out/cli/qnn.cjs');
const PEAK = path.join(ROOT, 'examples/peak_detector_icebreaker/peak_detector_icebreaker.qnn');
/** UART bit in clock cycles for the simulations. */
const CPB = SIM_CLKS_PER_BIT;

/**
 * A synthetic network whose words are not whole bytes and take more than one: input u4 in
 * words of 3 (12 bits, 2 bytes), output i5 × PE 2 (10 bits, 2 bytes), 4 words in and 3
 * out per frame.
 */
const SYNTHETIC = `network syn {
  target ice40up5k @ 12 MHz, board icebreaker
  input x: u4[12]
  layer d = dense(x, units=6, weights=i3(random, seed=2)) fold(pe=2, simd=3)
  layer r = requant(d, out=i5, scale=0.05)
  output r
}
`;

async function analysed(text: string, file?: string): Promise<Analysis> {
  const { analysis, diagnostics } = await check(text, file);
  expect(diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return analysis;
}

/** Compiles the network and writes the shell (at `clockMHz`, default the target's; sim: 8 cycles a bit, else the real baud divisor). */
async function shellDesign(name: string, text: string, file?: string, clockMHz?: number, sim = true): Promise<BoardSimDesign> {
  const analysis = await analysed(text, file);
  // One source name for every design of a network: the generated headers name it, and equal sources share a build.
  const sourceName = file ? path.basename(file) : `${analysis.network.name}.qnn`;
  return boardSimDesign(analysis, path.join(WORK, name), { sourceName, clockMHz, clksPerBit: sim ? CPB : null });
}

/** Simulates `frames` random frames and checks every byte, the decoded values and the LEDs. */
async function endToEnd(d: BoardSimDesign, sim: HostSim, nFrames: number, seed: number, maxGap: number): Promise<HostRun> {
  const net = d.analysis.network;
  const frames = randomFrames(net, nFrames, seed);
  const golden = frames.map((f) => [...runNetwork(net, f).output]);
  const expected = [...outputValuesToBytes(net, d.plan, golden.flat())];
  const bytes = Uint8Array.from(frames.flatMap((f) => [...inputFrameToBytes(net, d.plan, f)]));
  const run = await runHostSim(d, sim, { bytes, maxGap, seed });
  expect(run.error).toBeNull();
  const got = [...run.bytes];
  expect(got.length).toBe(nFrames * d.layout.outBytesPerFrame);
  const firstBad = got.findIndex((b, i) => b !== expected[i]);
  expect(firstBad, `first wrong byte at ${firstBad}: got ${got[firstBad]}, expected ${expected[firstBad]}`).toBe(-1);
  expect(got).toEqual(expected);
  // And back to values (the host's decoding).
  expect(bytesToOutputValues(net, d.plan, got)).toEqual(golden.flat());
  // LEDs: green toggled once per answered frame; red lit while frames were in flight, off at the end.
  expect(run.greenToggles).toBe(nFrames);
  expect(run.redCycles).toBeGreaterThan(0);
  expect(run.redAtEnd).toBe(false);
  // The receiver saw (and ignored) glitches shorter than half a bit.
  expect(run.glitches).toBeGreaterThan(0);
  return run;
}

describe.skipIf(!haveVerilator)('the iCEBreaker UART shell on Verilator, through RX/TX only', () => {
  it('a synthetic network with 12-bit input and 10-bit output words (2 bytes each): 12 frames bit-exact', async () => {
    const d = await shellDesign('syn', SYNTHETIC);
    expect([d.layout.inWidth, d.layout.outWidth, d.layout.inBytesPerWord, d.layout.outBytesPerWord]).toEqual([12, 10, 2, 2]);
    // Long gaps: the accelerator waits on the UART (it idles between words).
    await endToEnd(d, await buildHostSim(d, 'verilator'), 12, 3, 6 * CPB);
  }, 180_000);

  it('examples/peak_detector_icebreaker: 2 frames of 1,024 bytes in, 512 out, bit-exact', async () => {
    const d = await shellDesign('peak_detector_icebreaker', readFileSync(PEAK, 'utf8'), PEAK);
    expect(d.layout).toMatchObject({ inBytesPerFrame: 1024, outBytesPerFrame: 512 });
    // The whole input frame is buffered: here the UART (80 cycles a byte) outruns the
    // accelerator (320 cycles a word), so most of a frame waits in the bridge's FIFO.
    expect(d.shell.fifoBytes).toBe(1024);
    const run = await endToEnd(d, await buildHostSim(d, 'verilator'), 2, 7, 2 * CPB);
    // The frame time is the accelerator's, not the UART's.
    expect(run.cycles).toBeGreaterThan(2 * d.analysis.estimate!.ii_cycles);
    expect(run.last - run.first).toBeGreaterThan(2 * d.analysis.estimate!.ii_cycles);
  }, 180_000);

  it('a wrong accelerator is caught: one weight bit flipped in the ROM gives answers that differ from the golden model', async () => {
    const d = await shellDesign('syn-mutated', SYNTHETIC);
    const sim = await buildHostSim(d, 'verilator');
    // The ROM is read at run time from the RTL folder: the same build runs the wrong weights.
    const rom = path.join(d.rtlDir, 'd_weights.mem');
    const lines = readFileSync(rom, 'utf8').split('\n');
    lines[0] = (parseInt(lines[0]!, 16) ^ 1).toString(16).padStart(lines[0]!.length, '0');
    writeFileSync(rom, lines.join('\n'));
    const net = d.analysis.network;
    const frames = randomFrames(net, 4, 5);
    const bytes = Uint8Array.from(frames.flatMap((f) => [...inputFrameToBytes(net, d.plan, f)]));
    const run = await runHostSim(d, sim, { bytes });
    expect(run.error).toBeNull();
    expect(run.bytes.length).toBe(4 * d.layout.outBytesPerFrame);
    const expected = outputValuesToBytes(
      net,
      d.plan,
      frames.flatMap((f) => [...runNetwork(net, f).output]),
    );
    const c = compareAnswers(expected, run.bytes, d.layout.outBytesPerFrame);
    expect(c.mismatches).toBeGreaterThan(0);
    expect(c.first).not.toBeNull();
    expect(run.bytes[c.first!.frame * d.layout.outBytesPerFrame + c.first!.byte]).toBe(c.first!.got);
    expect(c.first!.got).not.toBe(c.first!.expected);
  }, 120_000);

  it('simulateBoardShell on raw bytes: bits above the 12-bit words are ignored by the shell and by the golden side alike; result.json', async () => {
    const analysis = await analysed(SYNTHETIC);
    const out = path.join(WORK, 'syn-raw');
    const d = boardSimDesign(analysis, out, { sourceName: 'syn.qnn' });
    const frames = randomFrames(analysis.network, 3, 9);
    const clean = Uint8Array.from(frames.flatMap((f) => [...inputFrameToBytes(analysis.network, d.plan, f)]));
    expect(inputBytesToValues(d, clean)).toEqual(frames);
    // Each word's top byte carries 4 bits of the word and 4 above it: set those.
    const dirty = clean.map((b, i) => (i % 2 === 1 ? b | 0xf0 : b));
    expect(inputBytesToValues(d, dirty)).toEqual(frames);
    const { result, bytesOut } = await simulateBoardShell(analysis, out, {
      sourceName: 'syn.qnn',
      simulator: 'verilator',
      inputBytes: dirty,
    });
    expect(result).toMatchObject({
      network: 'syn',
      board: 'icebreaker',
      frames: 3,
      input: 'raw bytes',
      bytes_in: 24,
      bytes_out: 18,
      mismatches: 0,
      first_mismatch: null,
      error: null,
      clks_per_bit: 8,
      leds: { green_toggles: 3, red_at_end: false },
    });
    const golden = frames.flatMap((f) => [...runNetwork(analysis.network, f).output]);
    expect([...bytesOut]).toEqual([...outputValuesToBytes(analysis.network, d.plan, golden)]);
    // A frame's time: its 8 bytes in and 6 out at 10 bits of 8 cycles, and the accelerator's pipeline.
    expect(result.cycles_per_frame).toBeGreaterThan(14 * 10 * CPB);
    expect(result.cycles_per_frame).toBeLessThan(
      14 * 10 * CPB + 2 * (analysis.estimate!.ii_cycles + analysis.estimate!.latency_cycles) + 200,
    );
    const written = JSON.parse(readFileSync(path.join(out, 'board-sim', 'result.json'), 'utf8')) as BoardSimResult;
    expect(written).toEqual(result);
    await expect(
      simulateBoardShell(analysis, out, { sourceName: 'syn.qnn', simulator: 'verilator', inputBytes: clean.subarray(0, 7) }),
    ).rejects.toThrow('7 input bytes are not whole frames of syn (8 bytes a frame)');
  }, 120_000);

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

describe('what the board simulation needs', () => {
  it('the host testbench ships with the templates (hw-templates/tb/)', () => {
    expect(hostTestbenchFile()).toBe(path.join(templatesDir(), 'tb', 'qnn_uart_host_tb.sv'));
    expect(existsSync(hostTestbenchFile())).toBe(true);
  });

  it('a network without `board icebreaker` is refused with what to add', async () => {
    const analysis = await analysed(SYNTHETIC.replace(', board icebreaker', ''));
    await expect(
      simulateBoardShell(analysis, path.join(WORK, 'no-board'), { sourceName: 'x.qnn', simulator: 'verilator' }),
    ).rejects.toThrow('syn has no board to simulate: add `, board icebreaker` to its target');
  });

  it('compareAnswers counts differing, missing and surplus bytes and names the first by frame and byte', () => {
    expect(compareAnswers([1, 2, 3, 4], [1, 2, 3, 4], 2)).toEqual({ mismatches: 0, first: null });
    expect(compareAnswers([1, 2, 3, 4], [1, 2, 9, 8], 2)).toEqual({ mismatches: 2, first: { frame: 1, byte: 0, expected: 3, got: 9 } });
    expect(compareAnswers([1, 2, 3, 4], [1, 2, 3], 2)).toEqual({ mismatches: 1, first: { frame: 1, byte: 1, expected: 4, got: null } });
    expect(compareAnswers([1, 2], [1, 2, 5], 2)).toEqual({ mismatches: 1, first: null });
  });
});

describe.skipIf(!haveVerilator)('qnn sim FILE --board (out/cli/qnn.cjs)', () => {
  beforeAll(() => ensureBuilt(), 180_000);
  const qnn = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

  it('the iCEBreaker peak detector, 1 frame: bit-exact, the summary line, board-sim/result.json', () => {
    const out = path.join(WORK, 'cli-peak');
    const r = qnn('sim', PEAK, '--board', '--frames', '1', '-o', out);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'board shell (icebreaker UART, 8 cycles a bit): 1 frame, 1,024 bytes in, 512 bytes out, bit-exact with the golden model',
    );
    const res = JSON.parse(readFileSync(path.join(out, 'board-sim', 'result.json'), 'utf8')) as BoardSimResult;
    expect(res).toMatchObject({
      network: 'peak_detector',
      simulator: 'verilator',
      frames: 1,
      bytes_in: 1024,
      bytes_out: 512,
      mismatches: 0,
    });
    expect(res.leds).toEqual({ green_toggles: 1, red_cycles: expect.any(Number) as number, red_at_end: false });
    // The accelerator sets the pace (327,680 cycles a frame), not the UART (81,920 for the input).
    expect(res.cycles_per_frame).toBeGreaterThan(327_680);
    expect(res.cycles_per_frame).toBeLessThan(327_680 + 5_000);
    expect(existsSync(path.join(out, 'rtl', 'peak_detector_top.sv'))).toBe(true);
  }, 120_000);

  it('--input-bytes/--output-bytes: raw bytes in, the answer bytes out; --json', () => {
    const out = path.join(WORK, 'cli-syn');
    mkdirSync(out, { recursive: true });
    const qnnFile = path.join(out, 'syn.qnn');
    writeFileSync(qnnFile, SYNTHETIC);
    const input = Buffer.from([0x21, 0x03, 0x54, 0x06, 0x87, 0x09, 0xba, 0x0c, 0xff, 0x0f, 0x00, 0x00, 0x0a, 0x0d, 0x11, 0x03]);
    writeFileSync(path.join(out, 'in.bin'), input);
    const r = qnn(
      'sim',
      qnnFile,
      '--board',
      '--input-bytes',
      path.join(out, 'in.bin'),
      '--output-bytes',
      path.join(out, 'out.bin'),
      '--json',
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as BoardSimResult;
    expect(res).toMatchObject({ frames: 2, input: 'raw bytes', bytes_in: 16, bytes_out: 12, mismatches: 0 });
    expect(readFileSync(path.join(out, 'out.bin')).length).toBe(12);
  }, 120_000);

  it('usage errors: no board, --input-bytes without --board, --vcd with --board', () => {
    const plain = path.join(ROOT, 'examples/peak_detector/peak_detector.qnn');
    const r = qnn('sim', plain, '--board', '-o', path.join(WORK, 'cli-no-board'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('add `, board icebreaker` to its target');
    expect(qnn('sim', PEAK, '--input-bytes', 'x.bin').status).toBe(2);
    const v = qnn('sim', PEAK, '--board', '--vcd');
    expect(v.status).toBe(2);
    expect(v.stderr).toContain('--vcd is not available with --board');
  });
});

describe.skipIf(!haveIcarus)('the same testbench on Icarus', () => {
  it('the synthetic network: 6 frames bit-exact', async () => {
    const d = await shellDesign('syn-icarus', SYNTHETIC);
    await endToEnd(d, await buildHostSim(d, 'icarus'), 6, 4, 3 * CPB);
  }, 120_000);
});

describe.skipIf(!haveYosys)('the shell in Yosys', () => {
  it('reads and checks with the PLL (SB_PLL40_PAD from the cell library, the preamble the shell gives)', async () => {
    const d = await shellDesign('syn-yosys', SYNTHETIC, undefined, 48, false);
    expect(d.shell.clock.pll).not.toBeNull();
    const script = [...d.shell.yosysPreamble, `read_verilog -sv ${d.sources.join(' ')}`, `hierarchy -check -top ${d.shell.top}`, 'stat'];
    const r = await runProcess(requireTool('yosys'), ['-p', script.join('; ')], { cwd: d.dir, timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SB_PLL40_PAD\s+1/);
    expect(r.stdout + r.stderr).not.toMatch(/Warning/);
  }, 120_000);
});
