/**
 * The board shell simulated end to end (`qnn sim FILE --board`, docs/board-icebreaker.md):
 * the compiled accelerator inside its board's shell (icebreaker.ts), driven through the
 * UART pins only by a host testbench (hw-templates/tb/qnn_uart_host_tb.sv) that sends each
 * frame's bytes bit by bit, keeps to the host rule (a frame, then its whole answer) and
 * decodes TX. Every answer byte is compared with the golden model's output in the shell's
 * byte layout (uart-frames.ts). The UART runs at a few clock cycles a bit (8 by default)
 * so that a simulation takes about as many cycles as the accelerator needs; the shell's
 * logic is the same at any CLKS_PER_BIT ≥ 4.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Analysis } from '../../analysis/analyze.js';
import { loadInputFrames, randomFrames } from '../../golden/frames.js';
import { runNetwork } from '../../golden/golden.js';
import { compileNetwork } from '../../rtl/compile.js';
import type { HardwarePlan } from '../../rtl/plan.js';
import { templatesDir } from '../../rtl/templates.js';
import { FILE_LIST, parseFileList } from '../../rtl/yosys-script.js';
import { buildFiles } from '../../protocol/build-folder.js';
import type { BoardSimMismatch, BoardSimResult, Simulator } from '../../protocol/results.js';
import { CancelledError, requireTool, runProcess, toolVersion, whichSync } from '../tools.js';
import { cachedFolder, fileDigest, hashOf } from '../sim/build-cache.js';
import { defaultBuildRoot, OPT_ENV } from '../sim/build.js';
import { SimulationError } from '../sim/sim-error.js';
import { unpackWords } from '../sim/words.js';
import { makeSafe } from '../sim/verilator.js';
import { icebreakerShell, icebreakerShellTemplateFiles, type IcebreakerShell } from './icebreaker.js';
import { inputFrameToBytes, outputValuesToBytes, uartFrameLayout, type UartFrameLayout } from './uart-frames.js';

export type { BoardSimResult, BoardSimMismatch } from '../../protocol/results.js';

/** The host testbench's module (and file) name. */
export const HOST_TB = 'qnn_uart_host_tb';
/** Clock cycles a UART bit in a board simulation unless asked otherwise. */
export const SIM_CLKS_PER_BIT = 8;
/** Bumped when what a host-testbench build folder holds changes (part of the cache key). */
const HOST_BUILD_VERSION = 1;
/** Cycles before the first byte: the testbench waits out the shell's power-on reset. */
const RESET_CYCLES = 400;

/** A board simulation that cannot start (no board, input bytes that are not whole frames); the message says what to do. */
export class BoardSimError extends Error {
  override readonly name = 'BoardSimError';
}

/** hw-templates/tb/qnn_uart_host_tb.sv, found like the engine templates (source tree, out/ bundle, installed package). */
export function hostTestbenchFile(): string {
  const f = path.join(templatesDir(), 'tb', `${HOST_TB}.sv`);
  if (!existsSync(f)) throw new Error(`cannot find the host testbench ${f}: reinstall qnn-fpga`);
  return f;
}

/** The board a network's target names, checked for a simulation (only the iCEBreaker has a shell). */
export function simulatedBoard(analysis: Analysis): 'icebreaker' {
  const net = analysis.network;
  const board = net.target?.board;
  if (!board)
    throw new BoardSimError(
      `${net.name} has no board to simulate: add \`, board icebreaker\` to its target (target ice40up5k @ 12 MHz, board icebreaker) for the iCEBreaker's UART shell`,
    );
  if (board !== 'icebreaker')
    throw new BoardSimError(`qnn has no board shell for '${board}' to simulate: the iCEBreaker's (board icebreaker) is the one there is`);
  if (net.target!.device !== 'ice40up5k')
    throw new BoardSimError(
      `the iCEBreaker carries an ice40up5k, not ${net.target!.device}: make the target \`ice40up5k\` or remove \`board icebreaker\``,
    );
  return board;
}

/** The accelerator compiled into outDir/rtl and its shell written into outDir/board-sim. */
export interface BoardSimDesign {
  analysis: Analysis;
  plan: HardwarePlan;
  layout: UartFrameLayout;
  shell: IcebreakerShell;
  rtlDir: string;
  /** outDir/board-sim: the shell's sources, the runs and result.json. */
  dir: string;
  /** Every source, absolute, in read order: the accelerator, the shell's templates, the shell's top. */
  sources: string[];
}

export interface BoardSimDesignOptions {
  /** Name of the .qnn file (for the generated headers). */
  sourceName: string;
  /** Cycles a UART bit (a simulation setting), or null for the divisor of the real baud rate (lint, synthesis checks). Default 8. */
  clksPerBit?: number | null;
  /** The accelerator clock, MHz; default the target's (another one checks the shell through the PLL). */
  clockMHz?: number;
}

/** Compiles the network (outDir/rtl, as `qnn compile`) and writes its board's shell beside it, in outDir/board-sim. */
export function boardSimDesign(analysis: Analysis, outDir: string, opts: BoardSimDesignOptions): BoardSimDesign {
  simulatedBoard(analysis);
  const net = analysis.network;
  const compiled = compileNetwork(analysis, outDir, opts.sourceName);
  const layout = uartFrameLayout(net, compiled.plan);
  const clksPerBit = opts.clksPerBit === undefined ? SIM_CLKS_PER_BIT : opts.clksPerBit;
  let shell: IcebreakerShell;
  try {
    shell = icebreakerShell({
      accelTop: compiled.top,
      inWidth: layout.inWidth,
      outWidth: layout.outWidth,
      inWordsPerFrame: layout.inWordsPerFrame,
      clockMHz: opts.clockMHz ?? net.target!.clockHz / 1e6,
      clksPerBitOverride: clksPerBit ?? undefined,
    });
  } catch (e) {
    // A clock or baud rate the board cannot make: the same message as `qnn build`'s.
    throw new BoardSimError((e as Error).message);
  }
  const dir = buildFiles(outDir).boardSimFolder;
  mkdirSync(dir, { recursive: true });
  const templates = icebreakerShellTemplateFiles().map((src) => {
    const to = path.join(dir, path.basename(src));
    copyFileSync(src, to);
    return to;
  });
  const tops = shell.files.map((f) => {
    const to = path.join(dir, f.name);
    writeFileSync(to, f.text);
    return to;
  });
  const accel = parseFileList(readFileSync(path.join(compiled.rtlDir, FILE_LIST), 'utf8')).map((f) => path.join(compiled.rtlDir, f));
  return { analysis, plan: compiled.plan, layout, shell, rtlDir: compiled.rtlDir, dir, sources: [...accel, ...templates, ...tops] };
}

/** A built host testbench: the command that runs it, before the plusargs. */
export interface HostSim {
  simulator: Simulator;
  cmd: string;
  args: string[];
  buildMs: number;
  cached: boolean;
}

export interface HostBuildOptions {
  /** Folder of the cached builds; default $QNN_SIM_BUILD_CACHE, else <board-sim>/build. */
  buildRoot?: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

const TEN_MINUTES = 600_000;

/** Verilator's C++ optimisation: $QNN_SIM_OPT (the tests' -O0) or -O1, as for `qnn sim`. */
function verilatorOpt(): string {
  const v = process.env[OPT_ENV];
  if (v === undefined || v === '') return '-O1';
  if (!['-O0', '-O1', '-O2', '-Os'].includes(v))
    throw new Error(`${OPT_ENV}=${v} is not a C++ optimisation level: use -O0, -O1, -O2 or -Os`);
  return v;
}

async function step(what: string, cmd: string, args: string[], cwd: string, log: string, opts: HostBuildOptions): Promise<string> {
  const r = await runProcess(cmd, args, { cwd, timeoutMs: TEN_MINUTES, signal: opts.signal, onLine: opts.onLine });
  const out = `${r.stdout}${r.stderr}`;
  writeFileSync(log, `$ ${[cmd, ...args].join(' ')}\n${out}\n`, { flag: 'a' });
  if (r.cancelled) throw new CancelledError('The board simulation build');
  if (r.timedOut) throw new SimulationError(`${what}: timed out after ${Math.round(r.durationMs / 1000)} s`, out);
  if (r.code !== 0) {
    const errors = out.split(/\r?\n/).filter((l) => /^%Error|error|Unknown module|syntax/i.test(l));
    throw new SimulationError(`${what}:\n${(errors.length > 0 ? errors : out.split(/\r?\n/)).slice(0, 40).join('\n')}`, out);
  }
  return out;
}

/**
 * Builds the host testbench with the design, or reuses the cached build of the same
 * content (build-cache.ts; the key is the testbench, every source, the tool's version and,
 * for Verilator, the C++ optimisation). Verilator: `--cc --exe --main --timing` and make;
 * Icarus: `iverilog -g2012` into a .vvp.
 */
export async function buildHostSim(d: BoardSimDesign, simulator: Simulator, opts: HostBuildOptions = {}): Promise<HostSim> {
  const tb = hostTestbenchFile();
  const exe = simulator === 'verilator' ? requireTool('verilator') : requireTool('iverilog');
  const vvp = simulator === 'icarus' ? requireTool('vvp') : undefined;
  const version = await toolVersion(exe, simulator === 'verilator' ? '--version' : '-V');
  const opt = simulator === 'verilator' ? verilatorOpt() : '';
  const key = hashOf({
    HOST_BUILD_VERSION,
    simulator,
    version,
    opt,
    tb: fileDigest(tb),
    sources: d.sources.map((s) => [path.basename(s), fileDigest(s)]),
  }).slice(0, 16);
  const b = await cachedFolder({
    root: opts.buildRoot ?? defaultBuildRoot(d.dir),
    name: `${simulator}-${HOST_TB}`,
    key,
    reuse: true,
    make: async (dir) => {
      const log = path.join(dir, 'build.log');
      if (simulator === 'icarus') {
        await step(
          `Icarus (iverilog) could not compile the ${d.shell.top} host testbench`,
          exe,
          ['-g2012', '-o', path.join(dir, 'sim.vvp'), '-s', HOST_TB, tb, ...d.sources],
          dir,
          log,
          opts,
        );
        return { simulator };
      }
      await buildVerilator(exe, tb, d.sources, dir, opt, log, opts);
      return { simulator };
    },
  });
  const cmd = simulator === 'icarus' ? vvp! : path.join(b.dir, `V${HOST_TB}`);
  const args = simulator === 'icarus' ? ['-n', path.join(b.dir, 'sim.vvp')] : [];
  return { simulator, cmd, args, buildMs: b.buildMs, cached: b.cached };
}

/** Verilator in a make-safe folder (verilator.ts: GNU make cannot take every path), the executable copied into `dir`. */
async function buildVerilator(
  exe: string,
  tb: string,
  sources: string[],
  dir: string,
  opt: string,
  log: string,
  opts: HostBuildOptions,
): Promise<void> {
  const cxx = process.env.CXX ?? 'g++';
  if (!whichSync('make') || !whichSync(cxx))
    throw new SimulationError(
      `Verilator builds need make and a C++ compiler (${cxx}): install them with \`sudo apt-get install make g++\`.`,
    );
  const scratch = makeSafe(dir) ? undefined : mkdtempSync(path.join(os.tmpdir(), 'qnn-verilator-'));
  if (scratch && !makeSafe(scratch))
    throw new SimulationError(
      `Verilator cannot build in ${dir} (GNU make takes only letters, digits and - _ . / + , @ = ~ in a path), and the temporary folder ${os.tmpdir()} has other characters too: set TMPDIR to a folder such as /tmp.`,
    );
  const obj = path.join(scratch ?? dir, 'obj');
  try {
    await step(
      `Verilator could not build the host testbench`,
      exe,
      [
        '--cc',
        '--exe',
        '--main',
        '--timing',
        '-Wno-fatal',
        // A template's parameter check ($error at elaboration) stops the build.
        '-Werror-USERERROR',
        '--top-module',
        HOST_TB,
        '--Mdir',
        obj,
        tb,
        ...sources,
      ],
      dir,
      log,
      opts,
    );
    // The dependency file names the sources for Verilator's own rebuilds; make would trip over a `$` in their paths.
    rmSync(path.join(obj, `V${HOST_TB}__ver.d`), { force: true });
    const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
    await step(
      `The C++ compile of the host testbench failed`,
      'make',
      ['-s', '-C', obj, '-f', `V${HOST_TB}.mk`, `-j${jobs}`, `OPT_FAST=${opt}`, 'OPT_SLOW=-O0'],
      dir,
      log,
      opts,
    );
    copyFileSync(path.join(obj, `V${HOST_TB}`), path.join(dir, `V${HOST_TB}`));
    chmodSync(path.join(dir, `V${HOST_TB}`), 0o755);
  } finally {
    rmSync(scratch ?? obj, { recursive: true, force: true });
  }
}

export interface HostRunOptions {
  /** Whole input frames, the bytes the host sends. */
  bytes: Uint8Array;
  /** Idle cycles between bytes, random in 0..maxGap (gaps of two bits or more sometimes carry a glitch shorter than half a bit). Default 0. */
  maxGap?: number;
  /** The testbench's random seed (gaps and glitches). Default 1. */
  seed?: number;
  /** Where in.hex and out.hex go; default <board-sim>/<simulator>. */
  runDir?: string;
  signal?: AbortSignal;
  /** Wall-clock limit; default ten minutes per frame. */
  timeoutMs?: number;
}

/** What the host testbench saw. */
export interface HostRun {
  /** Every byte that came back on TX. */
  bytes: Uint8Array;
  /** UART_TB_ERROR's message (a timeout, a bad stop bit), or null. */
  error: string | null;
  cycles: number;
  /** Cycle of the first input byte's start bit and of the last answer byte. */
  first: number;
  last: number;
  greenToggles: number;
  redCycles: number;
  redAtEnd: boolean;
  glitches: number;
  runMs: number;
}

/** Runs the built testbench over whole input frames; returns what came back on TX. */
export async function runHostSim(d: BoardSimDesign, sim: HostSim, opts: HostRunOptions): Promise<HostRun> {
  const { inBytesPerFrame, outBytesPerFrame } = d.layout;
  if (opts.bytes.length === 0 || opts.bytes.length % inBytesPerFrame !== 0)
    throw new BoardSimError(
      `${opts.bytes.length} bytes are not whole input frames of ${d.analysis.network.name} (${inBytesPerFrame} bytes a frame)`,
    );
  const frames = opts.bytes.length / inBytesPerFrame;
  const maxGap = opts.maxGap ?? 0;
  const cpb = d.shell.clksPerBit;
  const runDir = opts.runDir ?? path.join(d.dir, sim.simulator);
  mkdirSync(runDir, { recursive: true });
  const inFile = path.join(runDir, 'in.hex');
  const outFile = path.join(runDir, 'out.hex');
  writeFileSync(inFile, [...opts.bytes].map((b) => b.toString(16).padStart(2, '0') + '\n').join(''));
  rmSync(outFile, { force: true });
  // Generous: every byte both ways with its largest gap, and twice the accelerator's frame time.
  const est = d.analysis.estimate!;
  const maxCycles =
    RESET_CYCLES + 1000 + frames * (2 * (est.ii_cycles + est.latency_cycles) + (inBytesPerFrame + outBytesPerFrame) * (11 * cpb + maxGap));
  const r = await runProcess(
    sim.cmd,
    [
      ...sim.args,
      `+in=${inFile}`,
      `+out=${outFile}`,
      `+cpb=${cpb}`,
      `+in_frame=${inBytesPerFrame}`,
      `+out_frame=${outBytesPerFrame}`,
      `+frames=${frames}`,
      `+max_gap=${maxGap}`,
      `+seed=${opts.seed ?? 1}`,
      `+max_cycles=${maxCycles}`,
    ],
    // The accelerator reads its ROM files from the RTL folder.
    { cwd: d.rtlDir, timeoutMs: opts.timeoutMs ?? frames * TEN_MINUTES, signal: opts.signal },
  );
  const out = r.stdout + r.stderr;
  writeFileSync(path.join(runDir, 'sim.log'), out);
  if (r.cancelled) throw new CancelledError('The board simulation');
  if (r.timedOut) throw new SimulationError(`the board simulation timed out after ${Math.round(r.durationMs / 1000)} s`, out);
  const error = /UART_TB_ERROR (.*)/.exec(out)?.[1]?.trim() ?? null;
  const done = /UART_TB_DONE (.*)/.exec(out);
  if (!done && !error)
    throw new SimulationError(
      `the host testbench ended without a result (exit ${r.code ?? r.exitSignal}):\n${out.split(/\r?\n/).slice(-20).join('\n')}`,
      out,
    );
  const s: Record<string, number> = done
    ? Object.fromEntries(
        done[1]!
          .trim()
          .split(/\s+/)
          .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]),
      )
    : {};
  const bytes = existsSync(outFile)
    ? Uint8Array.from(
        readFileSync(outFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((h) => parseInt(h, 16)),
      )
    : new Uint8Array();
  return {
    bytes,
    error,
    cycles: s.cycles ?? 0,
    first: s.first ?? 0,
    last: s.last ?? 0,
    greenToggles: s.green_toggles ?? 0,
    redCycles: s.red_cycles ?? 0,
    redAtEnd: s.red_end === 1,
    glitches: s.glitches ?? 0,
    runMs: r.durationMs,
  };
}

/** Whole input frames as bytes → the input values they carry (the bits above a word's width ignored, as the shell does). */
export function inputBytesToValues(d: Pick<BoardSimDesign, 'analysis' | 'plan' | 'layout'>, bytes: Uint8Array): Int32Array[] {
  const net = d.analysis.network;
  const { inBytesPerWord, inWidth, inBytesPerFrame } = d.layout;
  const mask = (1n << BigInt(inWidth)) - 1n;
  const frames: Int32Array[] = [];
  for (let f = 0; f < bytes.length / inBytesPerFrame; f++) {
    const words: bigint[] = [];
    for (let off = f * inBytesPerFrame; off < (f + 1) * inBytesPerFrame; off += inBytesPerWord) {
      let w = 0n;
      for (let b = inBytesPerWord - 1; b >= 0; b--) w = (w << 8n) | BigInt(bytes[off + b]!);
      words.push(w & mask);
    }
    frames.push(Int32Array.from(unpackWords(words, d.plan.input.elemBits, d.plan.input.elems, net.input!.type)));
  }
  return frames;
}

export interface BoardSimOptions {
  /** Name of the .qnn file (for the generated headers). */
  sourceName: string;
  simulator: Simulator;
  /** Random frames (default: the network's first test block, else 4) with `seed` (default: the test block's, else 1). */
  frames?: number;
  seed?: number;
  /** Frames from an .npy file (one frame, or [N, ...]); `frames` takes the first N. */
  inputFile?: string;
  /** Raw bytes for the host to send instead (whole input frames, e.g. what `qnn run-board` wrote). */
  inputBytes?: Uint8Array;
  /** Cycles a UART bit; default 8. */
  clksPerBit?: number;
  /** The host's idle gaps between bytes (see HostRunOptions). Default 0: bytes back to back. */
  maxGap?: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

/** The frames to send and where they came from (as `qnn sim` chooses them), or the raw bytes given. */
function hostInput(d: BoardSimDesign, opts: BoardSimOptions): { bytes: Uint8Array; frames: Int32Array[]; from: string } {
  const net = d.analysis.network;
  if (opts.inputBytes) {
    const n = opts.inputBytes.length;
    if (n === 0 || n % d.layout.inBytesPerFrame !== 0)
      throw new BoardSimError(`${n} input bytes are not whole frames of ${net.name} (${d.layout.inBytesPerFrame} bytes a frame)`);
    return { bytes: opts.inputBytes, frames: inputBytesToValues(d, opts.inputBytes), from: 'raw bytes' };
  }
  let frames: Int32Array[];
  let from: string;
  const test = net.tests[0];
  const file = opts.inputFile ?? (opts.frames === undefined && opts.seed === undefined ? test?.inputPath : undefined);
  if (file) {
    const all = loadInputFrames(net, file).frames;
    frames = all.slice(0, opts.frames ?? all.length);
    from = path.basename(file);
  } else {
    const seed = opts.seed ?? test?.seed ?? 1;
    frames = randomFrames(net, opts.frames ?? test?.frames ?? 4, seed);
    from = `random (seed ${seed})`;
  }
  const bytes = new Uint8Array(frames.length * d.layout.inBytesPerFrame);
  frames.forEach((f, i) => bytes.set(inputFrameToBytes(net, d.plan, f), i * d.layout.inBytesPerFrame));
  return { bytes, frames, from };
}

/**
 * The answer bytes against the expected ones: how many differ (a missing or a surplus byte
 * counts too) and the first that differs, by frame and byte within its answer.
 */
export function compareAnswers(
  expected: ArrayLike<number>,
  got: ArrayLike<number>,
  bytesPerFrame: number,
): { mismatches: number; first: BoardSimMismatch | null } {
  let mismatches = 0;
  let first: BoardSimMismatch | null = null;
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const g = i < got.length ? got[i]! : null;
    if (i < expected.length && g === expected[i]) continue;
    mismatches++;
    // A surplus byte (beyond the expected answers) has no expected value: it counts, unnamed.
    if (!first && i < expected.length)
      first = { frame: Math.floor(i / bytesPerFrame), byte: i % bytesPerFrame, expected: expected[i]!, got: g };
  }
  return { mismatches, first };
}

/** A board simulation's result and the bytes that came back (for `--output-bytes`). */
export interface BoardSimRun {
  result: BoardSimResult;
  bytesOut: Uint8Array;
}

/**
 * `qnn sim FILE --board`: compile, wrap in the board's shell, simulate it through its
 * UART pins and compare every answer byte with the golden model. Writes
 * outDir/board-sim/result.json.
 */
export async function simulateBoardShell(analysis: Analysis, outDir: string, opts: BoardSimOptions): Promise<BoardSimRun> {
  const board = simulatedBoard(analysis);
  const net = analysis.network;
  const d = boardSimDesign(analysis, outDir, { sourceName: opts.sourceName, clksPerBit: opts.clksPerBit ?? SIM_CLKS_PER_BIT });
  const input = hostInput(d, opts);
  const sim = await buildHostSim(d, opts.simulator, { signal: opts.signal, onLine: opts.onLine });
  const maxGap = opts.maxGap ?? 0;
  const run = await runHostSim(d, sim, { bytes: input.bytes, maxGap, signal: opts.signal });
  const expected = outputValuesToBytes(
    net,
    d.plan,
    input.frames.flatMap((f) => [...runNetwork(net, f).output]),
  );
  const { mismatches, first } = compareAnswers(expected, run.bytes, d.layout.outBytesPerFrame);
  const frames = input.frames.length;
  const result: BoardSimResult = {
    network: net.name,
    board,
    simulator: opts.simulator,
    frames,
    input: input.from,
    bytes_in: input.bytes.length,
    bytes_out: run.bytes.length,
    mismatches,
    first_mismatch: first,
    error: run.error,
    cycles: run.cycles,
    cycles_per_frame: run.last > run.first ? Math.round((run.last - run.first) / frames) : 0,
    clks_per_bit: d.shell.clksPerBit,
    host: { max_gap_cycles: maxGap, glitches: run.glitches },
    leds: { green_toggles: run.greenToggles, red_cycles: run.redCycles, red_at_end: run.redAtEnd },
    build_ms: Math.round(sim.buildMs),
    run_ms: Math.round(run.runMs),
  };
  writeFileSync(buildFiles(outDir).boardSimResult, JSON.stringify(result, null, 2) + '\n');
  return { result, bytesOut: run.bytes };
}
