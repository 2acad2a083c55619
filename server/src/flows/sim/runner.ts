/**
 * Simulation runner: builds a DUT with the stream testbench on Verilator or Icarus and
 * runs it, in one call. The work is done by modules with one job each:
 * - build.ts: the build (what a build reads, {@link SimBuildOptions}), through
 * - build-cache.ts: content-keyed build folders shared by concurrent requests and processes;
 * - verilator.ts (+ verilator-runtime.ts) and icarus.ts: the two simulators;
 * - run.ts: one run of a built simulator ({@link SimRunOptions}) and its results.
 * Build and run options are separate types: a run option (inputs, frames, seeds, stalls,
 * waveform file, timeouts) never enters the build's cache key, so it never rebuilds.
 */
import * as path from 'node:path';
import { CancelledError } from '../tools.js';
import { buildSimulation, defaultBuildRoot, type SimBuildOptions } from './build.js';
import { runSimulation, type SimRunOptions, type SimulateResult } from './run.js';

export type { Simulator, VerilatorOpt } from './backend.js';
export { SimulationError } from './sim-error.js';
export { buildSimulation, defaultBuildRoot, BUILD_CACHE_ENV, OPT_ENV, type SimBuild, type SimBuildOptions } from './build.js';
export { runSimulation, type SimRunOptions, type SimulateResult, type StallOptions, type StallReport } from './run.js';

/** Build and run settings of {@link simulate}: every build option, every run option, and where things go. */
export interface SimulateOptions
  extends Omit<SimBuildOptions, 'buildRoot' | 'trace' | 'timeoutMs' | 'signal' | 'onLine'>, Omit<SimRunOptions, 'runDir' | 'timeoutMs'> {
  /** Folder for runs (`<runName>/`) and, unless buildRoot or $QNN_SIM_BUILD_CACHE says otherwise, builds (`build/`); created if missing. */
  workDir: string;
  /** Run folder name under workDir (default: the simulator's name). Use distinct names for concurrent runs. */
  runName?: string;
  /** Folder of the cached builds (default: see {@link defaultBuildRoot}). */
  buildRoot?: string;
  /** Verilator: build with waveform support (default: when this run dumps a VCD). */
  trace?: boolean;
  /** Limits for the build and for the run (default 10 minutes each). */
  buildTimeoutMs?: number;
  runTimeoutMs?: number;
}

/** Builds (or reuses) and runs one simulation. */
export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  if (opts.signal?.aborted) throw new CancelledError('The simulation');
  if (!Number.isInteger(opts.expected) || opts.expected < 0)
    throw new RangeError(`expected must be a non-negative integer, not ${opts.expected}`);
  if ((opts.input === undefined) === (opts.inputFile === undefined)) throw new Error('simulate: give exactly one of input and inputFile');
  const { workDir, runName, buildRoot, buildTimeoutMs, runTimeoutMs, trace, ...rest } = opts;
  const wantVcd = opts.vcd !== undefined && opts.vcd !== false;
  const build = await buildSimulation({
    simulator: rest.simulator,
    sources: rest.sources,
    top: rest.top,
    params: rest.params,
    inWidth: rest.inWidth,
    outWidth: rest.outWidth,
    tlast: rest.tlast,
    includeDirs: rest.includeDirs,
    defines: rest.defines,
    extraFlags: rest.extraFlags,
    opt: rest.opt,
    trace: trace ?? wantVcd,
    buildRoot: buildRoot ?? defaultBuildRoot(workDir),
    cache: rest.cache,
    runtimeCacheDir: rest.runtimeCacheDir,
    toolPaths: rest.toolPaths,
    signal: rest.signal,
    timeoutMs: buildTimeoutMs,
    onLine: rest.onLine,
  });
  return runSimulation(build, {
    runDir: path.join(path.resolve(workDir), runName ?? opts.simulator),
    input: rest.input,
    inputFile: rest.inputFile,
    expected: rest.expected,
    inputWordsPerFrame: rest.inputWordsPerFrame,
    outputWordsPerFrame: rest.outputWordsPerFrame,
    stall: rest.stall,
    noStall: rest.noStall,
    stallCycles: rest.stallCycles,
    drainCycles: rest.drainCycles,
    vcd: rest.vcd,
    vcdDepth: rest.vcdDepth,
    runCwd: rest.runCwd,
    signal: rest.signal,
    timeoutMs: runTimeoutMs,
    onLine: rest.onLine,
  });
}
