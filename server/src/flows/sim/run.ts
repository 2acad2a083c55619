/**
 * One run of a built simulator (build.ts): writes the input words, passes the run's
 * settings as plusargs (testbench.ts), runs it, and turns what the testbench wrote into
 * words, tlast, cycle stamps, frame timing (latency, II) and stall reports.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CancelledError, runProcess, type RunProcessResult } from '../tools.js';
import { backendOf, type SimBuild } from './build.js';
import type { Simulator } from './backend.js';
import { SimulationError } from './sim-error.js';
import { parseTestbenchOutput, testbenchPlusargs, type StallSide } from './testbench.js';
import { readHexFile, writeHexFile } from './words.js';

const TEN_MINUTES = 600_000;

export interface StallOptions {
  /** Probability that the testbench withholds s_axis_tvalid on a cycle it could present a word (default 0.3). */
  inValid?: number;
  /** Probability that m_axis_tready is low on a cycle (default 0.3). */
  outReady?: number;
  /** Seed of the stall generators (default 1); same seed → same pattern on both simulators. */
  seed?: number;
}

export interface SimRunOptions {
  /** The run's folder (input.hex, output.txt, sim.log); created. A concurrent run of this process that asked for the same folder gets `<runDir>-2`, ... */
  runDir: string;
  /** Input words (written to `<runDir>/input.hex`) ... */
  input?: readonly bigint[];
  /** ... or an existing file with one hex word per line. */
  inputFile?: string;
  /** Number of output words to receive. */
  expected: number;
  /** Input words per frame, for frameStarts (default: all input is one frame). */
  inputWordsPerFrame?: number;
  /** Output words per frame, for frameEnds when the DUT has no tlast. */
  outputWordsPerFrame?: number;
  /** Random stalls (on by default: 0.3/0.3, seed 1). */
  stall?: StallOptions;
  /** Switch random stalls off (input always valid when it has data, output always ready). */
  noStall?: boolean;
  /** Report a stall after this many cycles without any handshake (default 20000). */
  stallCycles?: number;
  /** Cycles run after the expected words to catch extra ones (default 16). */
  drainCycles?: number;
  /** Dump a VCD: true → `<runDir>/wave.vcd`, or a path. The build must support waveforms (SimBuild.waveforms). */
  vcd?: boolean | string;
  /** Hierarchy levels in the VCD below the testbench (0 or absent: everything). */
  vcdDepth?: number;
  /** Working folder of the simulation process (relative $readmemh paths resolve here); default the run folder. */
  runCwd?: string;
  signal?: AbortSignal;
  /** Limit for the run (default 10 minutes). */
  timeoutMs?: number;
  /** Every line the simulation prints, as it comes. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface StallReport {
  /**
   * input: the DUT held s_axis_tready low with input waiting (and produced no output);
   * output: the DUT produced no output word (all input consumed, or none presented);
   * testbench: the testbench withheld valid/ready (stall probability 1);
   * unknown: a control signal was X/Z (Icarus).
   */
  side: StallSide | 'unknown';
  /** Cycle at which the run stopped. */
  cycle: number;
  /** Cycle of the last handshake before it. */
  lastProgressCycle: number;
  message: string;
}

export interface SimulateResult {
  simulator: Simulator;
  /** Every output word received, in order (more than `expected` if the DUT produced extra words in the drain cycles). */
  outputs: bigint[];
  tlast: boolean[];
  /** Cycle each output word was accepted. */
  outCycles: number[];
  /** Cycles from cycle 0 through the last expected output word (0 if stalled before). */
  cycles: number;
  inputWords: number;
  inputsAccepted: number;
  /** Cycle the first word of each input frame was accepted. */
  frameStarts: number[];
  /** Cycle of each tlast output word (or of each outputWordsPerFrame-th word without tlast). */
  frameEnds: number[];
  /** frameEnds[0] − frameStarts[0], or null. */
  latency: number | null;
  /** frameEnds[k] − frameEnds[k−1]. */
  frameIntervals: number[];
  /** Steady-state frame interval: mean of frameIntervals after the first (the only one if there is one), or null with < 2 frames. */
  ii: number | null;
  stalled: StallReport | null;
  /** outputs.length − expected, when positive. */
  extraOutputs: number;
  /** Indices of output words with X/Z bits (Icarus). */
  unknownWords: number[];
  /** Warnings the simulator printed while building. */
  warnings: string[];
  buildMs: number;
  runMs: number;
  /** The build came from the cache. */
  cached: boolean;
  buildDir: string;
  runDir: string;
  outputFile: string;
  waveform?: string;
}

/** Run folders in use by this process: a concurrent run with the same name gets `<name>-2`, `-3`, ... */
const activeRunDirs = new Set<string>();

function claimRunDir(base: string): string {
  let dir = base;
  for (let k = 2; activeRunDirs.has(dir); k++) dir = `${base}-${k}`;
  activeRunDirs.add(dir);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs a built simulator once. */
export async function runSimulation(build: SimBuild, opts: SimRunOptions): Promise<SimulateResult> {
  if (opts.signal?.aborted) throw new CancelledError('The simulation');
  if (!Number.isInteger(opts.expected) || opts.expected < 0)
    throw new RangeError(`expected must be a non-negative integer, not ${opts.expected}`);
  if ((opts.input === undefined) === (opts.inputFile === undefined))
    throw new Error('runSimulation: give exactly one of input and inputFile');
  const wantVcd = opts.vcd !== undefined && opts.vcd !== false;
  if (wantVcd && !build.waveforms)
    throw new Error(`the Verilator build of ${build.top} has no waveform support: build it with trace: true to dump a VCD`);
  const runDir = claimRunDir(path.resolve(opts.runDir));
  try {
    return await runIn(build, opts, runDir, wantVcd);
  } finally {
    activeRunDirs.delete(runDir);
  }
}

async function runIn(build: SimBuild, opts: SimRunOptions, runDir: string, wantVcd: boolean): Promise<SimulateResult> {
  const outputFile = path.join(runDir, 'output.txt');
  rmSync(outputFile, { force: true });
  let inputFile: string;
  let inputWords: number;
  if (opts.input) {
    inputFile = path.join(runDir, 'input.hex');
    writeHexFile(inputFile, opts.input, build.inWidth);
    inputWords = opts.input.length;
  } else {
    inputFile = path.resolve(opts.inputFile!);
    inputWords = readHexFile(inputFile).length;
  }
  const waveform = wantVcd ? (typeof opts.vcd === 'string' ? path.resolve(opts.vcd) : path.join(runDir, 'wave.vcd')) : undefined;
  if (waveform) rmSync(waveform, { force: true });

  const noStall = opts.noStall === true;
  const plusargs = testbenchPlusargs({
    inputFile,
    outputFile,
    expected: opts.expected,
    inputWordsPerFrame: opts.inputWordsPerFrame,
    inStall: noStall ? 0 : (opts.stall?.inValid ?? 0.3),
    outStall: noStall ? 0 : (opts.stall?.outReady ?? 0.3),
    seed: opts.stall?.seed ?? 1,
    stallCycles: opts.stallCycles,
    drainCycles: opts.drainCycles,
    vcdFile: waveform,
    vcdDepth: opts.vcdDepth,
  });
  const backend = backendOf(build.simulator);
  const { cmd, args } = backend.runCommand(build.artifact, plusargs, build.toolPaths);
  const timeoutMs = opts.timeoutMs ?? TEN_MINUTES;
  const r = await runProcess(cmd, args, {
    cwd: opts.runCwd ? path.resolve(opts.runCwd) : runDir,
    timeoutMs,
    signal: opts.signal,
    onLine: opts.onLine,
  });
  // What the simulation printed ($display, final blocks), stdout then stderr.
  writeFileSync(path.join(runDir, 'sim.log'), r.stdout + (r.stderr && !r.stdout.endsWith('\n') && r.stdout ? '\n' : '') + r.stderr);
  if (r.cancelled) throw new CancelledError('The simulation');
  const outText = existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '';
  const what = `${backend.title} simulation of ${build.top}`;
  if (r.timedOut) {
    throw new SimulationError(`${what} timed out after ${Math.round(timeoutMs / 1000)} s` + detailLines(r, outText), r.stdout + r.stderr);
  }
  const parsed = parseTestbenchOutput(outText);
  const finished = parsed.done !== undefined || parsed.stall !== undefined || parsed.unknownControl !== undefined;
  if (r.code !== 0 || !finished) {
    const why =
      r.code !== 0 ? (r.code === null ? `was killed by ${r.exitSignal}` : `exited with code ${r.code}`) : 'ended without finishing';
    throw new SimulationError(`${what} ${why}` + detailLines(r, outText), r.stdout + r.stderr);
  }

  const frameEnds: number[] = [];
  const expectedOut = parsed.outCycles.slice(0, opts.expected);
  if (build.tlast) {
    parsed.tlast.slice(0, opts.expected).forEach((t, i) => t && frameEnds.push(expectedOut[i]!));
  } else if (opts.outputWordsPerFrame && opts.outputWordsPerFrame > 0) {
    for (let i = opts.outputWordsPerFrame - 1; i < expectedOut.length; i += opts.outputWordsPerFrame) frameEnds.push(expectedOut[i]!);
  }
  const frameIntervals = frameEnds.slice(1).map((e, i) => e - frameEnds[i]!);
  const steady = frameIntervals.length > 1 ? frameIntervals.slice(1) : frameIntervals;
  const ii = steady.length > 0 ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
  const latency = frameEnds.length > 0 && parsed.frameStarts.length > 0 ? frameEnds[0]! - parsed.frameStarts[0]! : null;

  return {
    simulator: build.simulator,
    outputs: parsed.outputs,
    tlast: parsed.tlast,
    outCycles: parsed.outCycles,
    cycles: parsed.done?.cycles ?? 0,
    inputWords,
    inputsAccepted: parsed.done?.inputsAccepted ?? parsed.stall?.inputsAccepted ?? parsed.unknownControl?.inputsAccepted ?? 0,
    frameStarts: parsed.frameStarts,
    frameEnds,
    latency,
    frameIntervals,
    ii,
    stalled: stallReport(build.top, parsed, inputWords, opts.expected),
    extraOutputs: Math.max(0, parsed.outputs.length - opts.expected),
    unknownWords: parsed.unknownWords,
    warnings: build.warnings,
    buildMs: build.buildMs,
    runMs: r.durationMs,
    cached: build.cached,
    buildDir: build.dir,
    runDir,
    outputFile,
    waveform: waveform && existsSync(waveform) ? waveform : undefined,
  };
}

function stallReport(
  top: string,
  parsed: ReturnType<typeof parseTestbenchOutput>,
  inputWords: number,
  expected: number,
): StallReport | null {
  if (parsed.unknownControl) {
    const u = parsed.unknownControl;
    return {
      side: 'unknown',
      cycle: u.cycle,
      lastProgressCycle: u.cycle,
      message: `${u.signal} of ${top} is X/Z at cycle ${u.cycle} (a register without reset?); stopped after ${parsed.outputs.length} of ${expected} output words`,
    };
  }
  if (!parsed.stall) return null;
  const s = parsed.stall;
  const idle = s.cycle - s.lastProgressCycle;
  const what =
    s.side === 'input'
      ? `the DUT held s_axis_tready low with input waiting and produced no output`
      : s.side === 'output'
        ? `the DUT produced no output word (m_axis_tvalid low) after accepting ${s.inputsAccepted} of ${inputWords} input words`
        : `the testbench withheld valid/ready (stall probability 1?)`;
  return {
    side: s.side,
    cycle: s.cycle,
    lastProgressCycle: s.lastProgressCycle,
    message: `${top} stalled on the ${s.side} side: for ${idle} cycles (from cycle ${s.lastProgressCycle}) ${what}; received ${s.outputsReceived} of ${expected} output words`,
  };
}

function detailLines(r: RunProcessResult, outText: string): string {
  const lines = (r.stdout + '\n' + r.stderr)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^- .*Verilog \$finish/.test(l) && !/\$finish called at/.test(l));
  const interesting = lines.filter((l) => /error|fatal|assert|ERROR|%Warning|cannot|Segmentation/i.test(l));
  const shown = (interesting.length > 0 ? interesting : lines).slice(-30);
  const tail = outText.trim().split(/\r?\n/).slice(-3).filter(Boolean);
  return (shown.length ? `:\n${shown.join('\n')}` : '.') + (tail.length ? `\nLast testbench records:\n${tail.join('\n')}` : '');
}
