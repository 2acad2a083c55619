/**
 * Simulation runner: builds a DUT with the stream testbench on Verilator or
 * Icarus, runs it, and parses what came out (words, tlast, cycle stamps,
 * stalls). Builds are cached by a hash of everything that changes the
 * hardware; inputs, stall settings and seeds are runtime arguments and never
 * cause a rebuild.
 *
 * Verilator builds are made fast by a shared runtime cache (default
 * `$TMPDIR/qnn-fpga-sim-cache`): the Verilator runtime objects, the C++ main
 * and a precompiled verilated.h are built once per Verilator/compiler/flags
 * combination and reused by every design, so a new design compiles only its
 * own generated C++.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  mkdtempSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
  utimesSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, requireTool, runProcess, toolVersion, whichSync, type RunProcessResult, type ToolPaths } from '../tools.js';
import {
  TB_ICARUS_TOP,
  TB_MODULE,
  TB_VERSION,
  generateIcarusTop,
  generateTestbench,
  generateVerilatorMain,
  parseTestbenchOutput,
  testbenchPlusargs,
  type ParamValue,
  type StallSide,
} from './testbench.js';
import { readHexFile, writeHexFile } from './words.js';

export type Simulator = 'verilator' | 'icarus';

/** C++ optimisation of the Verilator model: build speed versus run speed (see the report in sim-runner.test.ts). */
export type VerilatorOpt = '-O0' | '-O1' | '-O2' | '-Os';

export interface StallOptions {
  /** Probability that the testbench withholds s_axis_tvalid on a cycle it could present a word (default 0.3). */
  inValid?: number;
  /** Probability that m_axis_tready is low on a cycle (default 0.3). */
  outReady?: number;
  /** Seed of the stall generators (default 1); same seed → same pattern on both simulators. */
  seed?: number;
}

export interface SimulateOptions {
  simulator: Simulator;
  /** SystemVerilog source files of the DUT (and what it instantiates). */
  sources: readonly string[];
  /** DUT module name. */
  top: string;
  /** DUT parameter overrides. */
  params?: Readonly<Record<string, ParamValue>>;
  /** s_axis_tdata and m_axis_tdata widths in bits. */
  inWidth: number;
  outWidth: number;
  /** Whether the DUT has m_axis_tlast (default true). */
  tlast?: boolean;
  includeDirs?: readonly string[];
  defines?: Readonly<Record<string, string | number | true>>;
  /** Folder for builds (`build/`) and runs (`<runName>/`); created if missing. */
  workDir: string;

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
  /** Hierarchy levels in the VCD below the testbench (0 or absent: everything). */
  vcdDepth?: number;
  /** Dump a VCD: true → `<runDir>/wave.vcd`, or a path. Verilator builds a traced variant (cached separately). */
  vcd?: boolean | string;

  /** Run folder name under workDir (default: the simulator's name). Use distinct names for concurrent runs. */
  runName?: string;
  /** Working folder of the simulation process (relative $readmemh paths resolve here); default the run folder. */
  runCwd?: string;
  signal?: AbortSignal;
  /** Limits for the build and for the run (default 10 minutes each). */
  buildTimeoutMs?: number;
  runTimeoutMs?: number;
  /** Every line the tools print, as it comes. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Reuse a cached build when one exists (default true). */
  cache?: boolean;
  /** Extra flags for `verilator` or `iverilog`. */
  extraFlags?: readonly string[];
  /** Verilator: C++ optimisation of the model (default -O1). */
  opt?: VerilatorOpt;
  /** Verilator: shared runtime cache folder, or false to build the runtime in every design (default $TMPDIR/qnn-fpga-sim-cache). */
  runtimeCacheDir?: string | false;
  toolPaths?: ToolPaths;
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

/** A build or run failed; the message carries the tool's own error lines. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    message: string,
    readonly log: string = '',
  ) {
    super(message);
    this.stack = `${this.name}: ${this.message}`;
  }
}

const RUNNER_VERSION = 2;
const TEN_MINUTES = 600_000;

interface BuildInfo {
  dir: string;
  /** Executable (Verilator) or .vvp (Icarus). */
  artifact: string;
  buildMs: number;
  warnings: string[];
  cached: boolean;
}

const inFlight = new Map<string, Promise<BuildInfo>>();

// ---------------------------------------------------------------------------

/** Builds (or reuses) and runs one simulation. */
export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  if (opts.signal?.aborted) throw new CancelledError('The simulation');
  if (!Number.isInteger(opts.expected) || opts.expected < 0)
    throw new RangeError(`expected must be a non-negative integer, not ${opts.expected}`);
  if ((opts.input === undefined) === (opts.inputFile === undefined)) throw new Error('simulate: give exactly one of input and inputFile');
  const workDir = path.resolve(opts.workDir);
  mkdirSync(workDir, { recursive: true });

  const wantVcd = opts.vcd !== undefined && opts.vcd !== false;
  const build = await buildDesign(opts, workDir, wantVcd);

  const runDir = claimRunDir(path.join(workDir, opts.runName ?? opts.simulator));
  try {
    return await runBuilt(opts, build, runDir, wantVcd);
  } finally {
    activeRunDirs.delete(runDir);
  }
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

async function runBuilt(opts: SimulateOptions, build: BuildInfo, runDir: string, wantVcd: boolean): Promise<SimulateResult> {
  const outputFile = path.join(runDir, 'output.txt');
  rmSync(outputFile, { force: true });
  let inputFile: string;
  let inputWords: number;
  if (opts.input) {
    inputFile = path.join(runDir, 'input.hex');
    writeHexFile(inputFile, opts.input, opts.inWidth);
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
  });

  let cmd: string;
  let args: string[];
  if (opts.simulator === 'verilator') {
    cmd = build.artifact;
    args = plusargs;
  } else {
    cmd = requireTool('vvp', { paths: opts.toolPaths });
    args = ['-n', build.artifact, ...plusargs];
  }
  const r = await runProcess(cmd, args, {
    cwd: opts.runCwd ? path.resolve(opts.runCwd) : runDir,
    timeoutMs: opts.runTimeoutMs ?? TEN_MINUTES,
    signal: opts.signal,
    onLine: opts.onLine,
  });
  // What the simulation printed ($display, final blocks), stdout then stderr.
  writeFileSync(path.join(runDir, 'sim.log'), r.stdout + (r.stderr && !r.stdout.endsWith('\n') && r.stdout ? '\n' : '') + r.stderr);
  if (r.cancelled) throw new CancelledError('The simulation');
  const simName = opts.simulator === 'verilator' ? 'Verilator' : 'Icarus';
  const outText = existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '';
  if (r.timedOut) {
    throw new SimulationError(
      `${simName} simulation of ${opts.top} timed out after ${Math.round((opts.runTimeoutMs ?? TEN_MINUTES) / 1000)} s` +
        detailLines(r, outText),
      r.stdout + r.stderr,
    );
  }
  const parsed = parseTestbenchOutput(outText);
  const finished = parsed.done !== undefined || parsed.stall !== undefined || parsed.unknownControl !== undefined;
  if (r.code !== 0 || !finished) {
    const why =
      r.code !== 0 ? (r.code === null ? `was killed by ${r.exitSignal}` : `exited with code ${r.code}`) : 'ended without finishing';
    throw new SimulationError(`${simName} simulation of ${opts.top} ${why}` + detailLines(r, outText), r.stdout + r.stderr);
  }

  const tlastOn = opts.tlast ?? true;
  const frameEnds: number[] = [];
  const expectedOut = parsed.outCycles.slice(0, opts.expected);
  if (tlastOn) {
    parsed.tlast.slice(0, opts.expected).forEach((t, i) => t && frameEnds.push(expectedOut[i]!));
  } else if (opts.outputWordsPerFrame && opts.outputWordsPerFrame > 0) {
    for (let i = opts.outputWordsPerFrame - 1; i < expectedOut.length; i += opts.outputWordsPerFrame) frameEnds.push(expectedOut[i]!);
  }
  const frameIntervals = frameEnds.slice(1).map((e, i) => e - frameEnds[i]!);
  const steady = frameIntervals.length > 1 ? frameIntervals.slice(1) : frameIntervals;
  const ii = steady.length > 0 ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
  const latency = frameEnds.length > 0 && parsed.frameStarts.length > 0 ? frameEnds[0]! - parsed.frameStarts[0]! : null;

  let stalled: StallReport | null = null;
  if (parsed.unknownControl) {
    const u = parsed.unknownControl;
    stalled = {
      side: 'unknown',
      cycle: u.cycle,
      lastProgressCycle: u.cycle,
      message: `${u.signal} of ${opts.top} is X/Z at cycle ${u.cycle} (a register without reset?); stopped after ${parsed.outputs.length} of ${opts.expected} output words`,
    };
  } else if (parsed.stall) {
    const s = parsed.stall;
    const idle = s.cycle - s.lastProgressCycle;
    const what =
      s.side === 'input'
        ? `the DUT held s_axis_tready low with input waiting and produced no output`
        : s.side === 'output'
          ? `the DUT produced no output word (m_axis_tvalid low) after accepting ${s.inputsAccepted} of ${inputWords} input words`
          : `the testbench withheld valid/ready (stall probability 1?)`;
    stalled = {
      side: s.side,
      cycle: s.cycle,
      lastProgressCycle: s.lastProgressCycle,
      message: `${opts.top} stalled on the ${s.side} side: for ${idle} cycles (from cycle ${s.lastProgressCycle}) ${what}; received ${s.outputsReceived} of ${opts.expected} output words`,
    };
  }

  return {
    simulator: opts.simulator,
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
    stalled,
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

function detailLines(r: RunProcessResult, outText: string): string {
  const lines = (r.stdout + '\n' + r.stderr)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^- .*Verilog \$finish/.test(l) && !/\$finish called at/.test(l));
  const interesting = lines.filter((l) => /error|fatal|assert|ERROR|%Warning|cannot|Segmentation/i.test(l));
  const shown = (interesting.length > 0 ? interesting : lines).slice(-30);
  const tail = outText.trim().split(/\r?\n/).slice(-3).filter(Boolean);
  return (shown.length ? `:\n${shown.join('\n')}` : '.') + (tail.length ? `\nLast testbench records:\n${tail.join('\n')}` : '');
}

// ---------------------------------------------------------------------------
// Builds

function hashOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function fileDigest(f: string): string {
  return createHash('sha256').update(readFileSync(f)).digest('hex');
}

function dirDigests(dir: string): [string, string][] {
  const out: [string, string][] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/\.(s?vh?|v|vh|svh|inc)$/i.test(n)) continue;
    const f = path.join(dir, n);
    try {
      if (statSync(f).isFile()) out.push([n, fileDigest(f)]);
    } catch {
      // Vanished: ignore.
    }
  }
  return out;
}

function defineArgs(defs: SimulateOptions['defines'], style: 'verilator' | 'icarus'): string[] {
  return Object.entries(defs ?? {}).map(([k, v]) =>
    v === true ? (style === 'verilator' ? `+define+${k}` : `-D${k}`) : style === 'verilator' ? `+define+${k}=${v}` : `-D${k}=${v}`,
  );
}

/** Removes leftovers of interrupted builds (older than an hour). */
function sweepTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const cutoff = Date.now() - 3600_000;
  for (const n of names) {
    if (!n.includes('.tmp-')) continue;
    const p = path.join(dir, n);
    try {
      if (statSync(p).mtimeMs < cutoff) rmSync(p, { recursive: true, force: true });
    } catch {
      // Someone else removed it.
    }
  }
}

function tmpName(final: string): string {
  return `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Moves a finished temp folder into place; if another process got there first, keeps theirs. */
function publish(tmp: string, final: string): void {
  try {
    renameSync(tmp, final);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(final)) throw new SimulationError(`could not create ${final}`);
  }
}

async function buildDesign(opts: SimulateOptions, workDir: string, vcd: boolean): Promise<BuildInfo> {
  const sim = opts.simulator;
  if (sim !== 'verilator' && sim !== 'icarus') throw new Error(`unknown simulator ${String(sim)}`);
  const exe = requireTool(sim === 'verilator' ? 'verilator' : 'iverilog', { paths: opts.toolPaths });
  if (sim === 'icarus') requireTool('vvp', { paths: opts.toolPaths });
  const sources = opts.sources.map((s) => path.resolve(s));
  for (const s of sources) if (!existsSync(s)) throw new SimulationError(`source file not found: ${s}`);
  checkTopDeclared(opts.top, sources, opts.includeDirs ?? []);
  const includeDirs = (opts.includeDirs ?? []).map((d) => path.resolve(d));

  const tb = generateTestbench({
    top: opts.top,
    params: opts.params,
    inWidth: opts.inWidth,
    outWidth: opts.outWidth,
    tlast: opts.tlast,
    // Icarus: dumping is decided at run time for free; Verilator needs a traced build.
    vcd: sim === 'icarus' ? true : vcd,
    vcdDepth: opts.vcdDepth,
  });
  const version = await toolVersion(exe);
  const opt: VerilatorOpt = opts.opt ?? '-O1';
  const key = hashOf({
    RUNNER_VERSION,
    TB_VERSION,
    sim,
    version,
    tb,
    sources: sources.map((s) => [path.basename(s), fileDigest(s)]),
    includes: includeDirs.map((d) => dirDigests(d)),
    defines: opts.defines ?? {},
    flags: opts.extraFlags ?? [],
    trace: sim === 'verilator' && vcd,
    opt: sim === 'verilator' ? opt : '',
  }).slice(0, 16);
  const buildRoot = path.join(workDir, 'build');
  mkdirSync(buildRoot, { recursive: true });
  const dir = path.join(buildRoot, `${sim}-${opts.top}-${key}`);
  const artifact = sim === 'verilator' ? path.join(dir, `V${TB_MODULE}`) : path.join(dir, 'sim.vvp');
  const meta = path.join(dir, 'build.json');

  const cached = (): BuildInfo | undefined => {
    if (opts.cache === false || !existsSync(artifact) || !existsSync(meta)) return undefined;
    try {
      const m = JSON.parse(readFileSync(meta, 'utf8')) as { warnings: string[] };
      return { dir, artifact, buildMs: 0, warnings: m.warnings, cached: true };
    } catch {
      return undefined;
    }
  };
  const hit = cached();
  if (hit) return hit;
  const pending = inFlight.get(dir);
  if (pending && opts.cache !== false) {
    const b = await pending;
    return { ...b, buildMs: 0, cached: true };
  }
  const p = (async (): Promise<BuildInfo> => {
    sweepTemps(buildRoot);
    const started = Date.now();
    const tmp = tmpName(dir);
    mkdirSync(tmp, { recursive: true });
    try {
      const warnings =
        sim === 'verilator'
          ? await buildVerilator(opts, exe, tmp, tb, sources, includeDirs, vcd, opt, version)
          : await buildIcarus(opts, exe, tmp, tb, sources, includeDirs);
      const buildMs = Date.now() - started;
      writeFileSync(path.join(tmp, 'build.json'), JSON.stringify({ top: opts.top, simulator: sim, version, buildMs, warnings }, null, 2));
      if (opts.cache === false) rmSync(dir, { recursive: true, force: true });
      publish(tmp, dir);
      return { dir, artifact, buildMs, warnings, cached: false };
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  })();
  inFlight.set(dir, p);
  try {
    return await p;
  } finally {
    inFlight.delete(dir);
  }
}

/** A clear message for a misspelt top (skipped when sources use `include, where it could hide). */
function checkTopDeclared(top: string, sources: string[], includeDirs: readonly string[]): void {
  if (includeDirs.length > 0) return;
  const texts = sources.map((f) => readFileSync(f, 'utf8'));
  if (texts.some((t) => /`include\b/.test(t))) return;
  const decl = new RegExp(
    `\\b(module|macromodule)\\s+(automatic\\s+|static\\s+)?${top.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_$])`,
  );
  if (!texts.some((t) => decl.test(t))) {
    const found = [...new Set(texts.flatMap((t) => [...t.matchAll(/\bmodule\s+([A-Za-z_][A-Za-z0-9_$]*)/g)].map((m) => m[1]!)))];
    throw new SimulationError(
      `No module ${top} in the sources (${sources.map((f) => path.basename(f)).join(', ')}); they declare: ${found.join(', ') || 'none'}`,
    );
  }
}

function collectWarnings(text: string, sim: Simulator): string[] {
  const lines = text.split(/\r?\n/);
  if (sim === 'verilator') return lines.filter((l) => /^%Warning/.test(l));
  return lines.filter((l) => /warning/i.test(l));
}

function errorLines(text: string, sim: Simulator): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out: string[] = [];
  if (sim === 'verilator') {
    // %Error blocks (with their indented context lines) and C++ compiler errors.
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^%Error/.test(l) || /\berror\b:/.test(l) || /^make.*Error/.test(l)) {
        out.push(l);
        while (i + 1 < lines.length && /^\s+[:|]|^\s{2,}\S/.test(lines[i + 1]!) && !/^%/.test(lines[i + 1]!)) out.push(lines[++i]!);
      }
    }
  } else {
    for (const l of lines) if (/error|I give up|syntax|Unknown module|not found|Unable|failed/i.test(l)) out.push(l);
  }
  return (out.length > 0 ? out : lines).slice(0, 40);
}

async function step(
  what: string,
  cmd: string,
  args: string[],
  cwd: string,
  opts: SimulateOptions,
  sim: Simulator,
  logDir: string,
): Promise<RunProcessResult> {
  const r = await runProcess(cmd, args, {
    cwd,
    timeoutMs: opts.buildTimeoutMs ?? TEN_MINUTES,
    signal: opts.signal,
    onLine: opts.onLine,
  });
  appendFileSync(path.join(logDir, 'build.log'), `$ ${[cmd, ...args].join(' ')}\n${r.stdout}${r.stderr}\n`);
  if (r.cancelled) throw new CancelledError('The simulation build');
  if (r.timedOut) throw new SimulationError(`${what}: timed out after ${Math.round(r.durationMs / 1000)} s`, r.stdout + r.stderr);
  if (r.code !== 0) {
    const log = r.stdout + '\n' + r.stderr;
    throw new SimulationError(`${what}:\n${errorLines(log, sim).join('\n')}`, log);
  }
  return r;
}

async function buildIcarus(
  opts: SimulateOptions,
  iverilog: string,
  dir: string,
  tb: string,
  sources: string[],
  includeDirs: string[],
): Promise<string[]> {
  const topFile = path.join(dir, `${TB_ICARUS_TOP}.sv`);
  const tbFile = path.join(dir, `${TB_MODULE}.sv`);
  writeFileSync(topFile, generateIcarusTop());
  writeFileSync(tbFile, tb);
  const args = [
    '-g2012',
    '-o',
    path.join(dir, 'sim.vvp'),
    '-s',
    TB_ICARUS_TOP,
    ...includeDirs.map((d) => `-I${d}`),
    ...defineArgs(opts.defines, 'icarus'),
    ...(opts.extraFlags ?? []),
    topFile,
    tbFile,
    ...sources,
  ];
  const r = await step(`Icarus (iverilog) could not compile ${opts.top}`, iverilog, args, dir, opts, 'icarus', dir);
  return collectWarnings(r.stdout + '\n' + r.stderr, 'icarus');
}

async function buildVerilator(
  opts: SimulateOptions,
  verilator: string,
  dir: string,
  tb: string,
  sources: string[],
  includeDirs: string[],
  trace: boolean,
  opt: VerilatorOpt,
  version: string,
): Promise<string[]> {
  // GNU make cannot build in a folder whose path has spaces: build elsewhere, keep only the executable.
  const scratch = /\s/.test(dir) ? mkdtempSync(path.join(os.tmpdir(), 'qnn-verilator-')) : undefined;
  try {
    return await buildVerilatorIn(scratch ?? dir, dir, opts, verilator, tb, sources, includeDirs, trace, opt, version);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function buildVerilatorIn(
  work: string,
  dir: string,
  opts: SimulateOptions,
  verilator: string,
  tb: string,
  sources: string[],
  includeDirs: string[],
  trace: boolean,
  opt: VerilatorOpt,
  version: string,
): Promise<string[]> {
  const obj = path.join(work, 'obj');
  const tbFile = path.join(work, `${TB_MODULE}.sv`);
  const mainFile = path.join(work, 'main.cpp');
  writeFileSync(tbFile, tb);
  if (work !== dir) writeFileSync(path.join(dir, `${TB_MODULE}.sv`), tb);
  const mainText = generateVerilatorMain();
  writeFileSync(mainFile, mainText);
  const args = [
    '--cc',
    '--exe',
    '--no-timing',
    '-Wno-fatal',
    '--x-assign',
    'fast',
    '--top-module',
    TB_MODULE,
    '--Mdir',
    obj,
    ...(trace ? ['--trace'] : []),
    ...includeDirs.map((d) => `-I${d}`),
    ...defineArgs(opts.defines, 'verilator'),
    ...(opts.extraFlags ?? []),
    tbFile,
    ...sources,
    mainFile,
  ];
  const v = await step(`Verilator could not build ${opts.top}`, verilator, args, work, opts, 'verilator', dir);
  const warnings = collectWarnings(v.stdout + '\n' + v.stderr, 'verilator');

  const cxx = process.env.CXX ?? 'g++';
  if (!whichSync('make') || !whichSync(cxx)) {
    throw new SimulationError(
      `Verilator builds need make and a C++ compiler (${cxx}): install them with \`sudo apt-get install make g++\`.`,
    );
  }
  const mk = `V${TB_MODULE}.mk`;
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const rt = runtimeCache(opts, { version, cxx: await toolVersion(cxx), trace, opt, main: mainText });
  const makeVars = [`OPT_FAST=${opt}`, `OPT_SLOW=-O0`];
  const header = path.join(obj, `V${TB_MODULE}.h`);
  const mainObj = rt ? path.join(rt.dir, `main-${fileDigest(header).slice(0, 16)}.o`) : undefined;
  if (rt?.ready) {
    // Reuse the runtime objects (copies newer than the generated makefile, so make keeps them).
    const now = new Date();
    for (const f of rt.objects) {
      copyFileSync(path.join(rt.dir, f), path.join(obj, f));
      utimesSync(path.join(obj, f), now, now);
    }
    if (mainObj && existsSync(mainObj)) {
      copyFileSync(mainObj, path.join(obj, 'main.o'));
      utimesSync(path.join(obj, 'main.o'), now, now);
    }
    if (rt.pch) makeVars.push(`CXXFLAGS=-include ${path.join(rt.dir, 'verilated.h')} -Winvalid-pch`);
  }
  await step(
    `The C++ compile of the Verilator model of ${opts.top} failed`,
    'make',
    ['-s', '-C', obj, '-f', mk, `-j${jobs}`, ...makeVars],
    work,
    opts,
    'verilator',
    dir,
  );
  const exeName = `V${TB_MODULE}`;
  if (!existsSync(path.join(obj, exeName))) throw new SimulationError(`Verilator build of ${opts.top} produced no executable`);

  if (rt && !rt.ready) await populateRuntimeCache(rt.dir, obj, mk, opt, trace, opts);
  if (rt && mainObj && !existsSync(mainObj) && existsSync(path.join(obj, 'main.o'))) atomicCopy(path.join(obj, 'main.o'), mainObj);

  if (work === dir) renameSync(path.join(obj, exeName), path.join(dir, exeName));
  else {
    copyFileSync(path.join(obj, exeName), path.join(dir, exeName));
    chmodSync(path.join(dir, exeName), 0o755);
  }
  rmSync(obj, { recursive: true, force: true });
  return warnings;
}

interface RuntimeCache {
  dir: string;
  ready: boolean;
  objects: string[];
  pch: boolean;
}

function runtimeCache(
  opts: SimulateOptions,
  parts: { version: string; cxx: string; trace: boolean; opt: VerilatorOpt; main: string },
): RuntimeCache | undefined {
  if (opts.runtimeCacheDir === false) return undefined;
  const root = opts.runtimeCacheDir ?? process.env.QNN_SIM_CACHE ?? path.join(os.tmpdir(), 'qnn-fpga-sim-cache');
  const dir = path.join(root, `verilator-rt-${hashOf({ RUNNER_VERSION, ...parts, cxxEnv: process.env.CXX ?? '' }).slice(0, 16)}`);
  if (/\s/.test(dir)) return undefined; // make and -include cannot take it
  const manifest = path.join(dir, 'manifest.json');
  if (!existsSync(manifest)) return { dir, ready: false, objects: [], pch: false };
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { objects: string[]; pch: boolean };
    const ok = m.objects.every((f) => existsSync(path.join(dir, f)));
    return { dir, ready: ok, objects: m.objects, pch: m.pch && existsSync(path.join(dir, 'verilated.h.gch')) };
  } catch {
    return { dir, ready: false, objects: [], pch: false };
  }
}

function atomicCopy(from: string, to: string): void {
  const tmp = tmpName(to);
  try {
    copyFileSync(from, tmp);
    renameSync(tmp, to);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Stores the runtime objects of a finished build and a precompiled verilated.h for later builds. */
async function populateRuntimeCache(
  dir: string,
  obj: string,
  mk: string,
  opt: VerilatorOpt,
  trace: boolean,
  opts: SimulateOptions,
): Promise<void> {
  mkdirSync(path.dirname(dir), { recursive: true });
  sweepTemps(path.dirname(dir));
  const tmp = tmpName(dir);
  mkdirSync(tmp, { recursive: true });
  try {
    const objects = readdirSync(obj).filter((f) => /^verilated.*\.o$/.test(f));
    for (const f of objects) copyFileSync(path.join(obj, f), path.join(tmp, f));
    // The precompiled header: built with exactly the flags of the model's own compile.
    writeFileSync(path.join(tmp, 'verilated.h'), '// Precompiled by qnn-fpga for Verilator models.\n#include <verilated.h>\n');
    writeFileSync(
      path.join(obj, 'qnn_pch.mk'),
      `include ${mk}\nqnn_pch:\n\t$(CXX) $(CPPFLAGS) $(OPT_FAST) -x c++-header $(QNN_PCH_IN) -o $(QNN_PCH_OUT)\n`,
    );
    let pch = false;
    const r = await runProcess(
      'make',
      [
        '-s',
        '-C',
        obj,
        '-f',
        'qnn_pch.mk',
        'qnn_pch',
        `OPT_FAST=${opt}`,
        `QNN_PCH_IN=${path.join(tmp, 'verilated.h')}`,
        `QNN_PCH_OUT=${path.join(tmp, 'verilated.h.gch')}`,
      ],
      { timeoutMs: opts.buildTimeoutMs ?? TEN_MINUTES, signal: opts.signal },
    );
    if (r.cancelled) throw new CancelledError('The simulation build');
    pch = r.code === 0 && existsSync(path.join(tmp, 'verilated.h.gch'));
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ objects, pch, trace }, null, 2));
    publish(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof CancelledError) throw e;
    // The cache is an optimisation only.
  }
}
