/**
 * What a simulator backend (verilator.ts, icarus.ts) is given and must provide: build a
 * testbench + DUT into a folder, and say how to run what it built. The build job holds
 * only what a build reads; run settings never reach a backend's build.
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { CancelledError, runProcess, type RunProcessResult, type ToolPaths } from '../tools.js';
import { SimulationError } from './sim-error.js';

export type Simulator = 'verilator' | 'icarus';

/** C++ optimisation of the Verilator model: build speed versus run speed (see the report in sim-runner.test.ts). */
export type VerilatorOpt = '-O0' | '-O1' | '-O2' | '-Os';

export type Defines = Readonly<Record<string, string | number | true>>;

/** One build, resolved: absolute paths, the generated testbench, the tool and its version. */
export interface BuildJob {
  top: string;
  sources: readonly string[];
  includeDirs: readonly string[];
  defines: Defines;
  extraFlags: readonly string[];
  /** The generated testbench module (testbench.ts). */
  testbench: string;
  /** Verilator: build with waveform support (--trace). */
  trace: boolean;
  /** Verilator: trace only this many levels of the hierarchy from the testbench (--trace-depth); undefined: all. */
  traceDepth?: number;
  /** Verilator: C++ optimisation of the model. */
  opt: VerilatorOpt;
  /** The compiler (verilator or iverilog) and its version line. */
  exe: string;
  version: string;
  /** Process controls: not part of what is built. */
  signal?: AbortSignal;
  timeoutMs: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Verilator: shared runtime cache folder, or false. */
  runtimeCacheDir?: string | false;
}

export interface SimBackend {
  readonly simulator: Simulator;
  /** For messages: 'Verilator' or 'Icarus'. */
  readonly title: string;
  /** Finds the tools a build needs (throws ToolMissingError naming the package); returns the compiler. */
  requireCompiler(paths?: ToolPaths): string;
  /** The compiler's flag that prints its version (part of the cache key). */
  readonly versionFlag: string;
  /** Builds into `dir` (an empty folder); returns the warnings the tools printed. */
  build(job: BuildJob, dir: string): Promise<string[]>;
  /** The built artifact in a build folder. */
  artifact(dir: string): string;
  /** Command line of one run of a built artifact. */
  runCommand(artifact: string, plusargs: readonly string[], paths?: ToolPaths): { cmd: string; args: string[] };
}

export function defineArgs(defs: Defines, style: 'verilator' | 'icarus'): string[] {
  return Object.entries(defs).map(([k, v]) =>
    v === true ? (style === 'verilator' ? `+define+${k}` : `-D${k}`) : style === 'verilator' ? `+define+${k}=${v}` : `-D${k}=${v}`,
  );
}

/**
 * Runs one build command, appends its command line and output to `<logDir>/build.log`,
 * and turns a failure into a SimulationError with the lines `errorLines` picks out.
 */
export async function buildStep(
  what: string,
  cmd: string,
  args: readonly string[],
  ctx: { cwd: string; logDir: string; job: BuildJob; errorLines: (log: string) => string[] },
): Promise<RunProcessResult> {
  const r = await runProcess(cmd, args, { cwd: ctx.cwd, timeoutMs: ctx.job.timeoutMs, signal: ctx.job.signal, onLine: ctx.job.onLine });
  appendFileSync(path.join(ctx.logDir, 'build.log'), `$ ${[cmd, ...args].join(' ')}\n${r.stdout}${r.stderr}\n`);
  if (r.cancelled) throw new CancelledError('The simulation build');
  if (r.timedOut) throw new SimulationError(`${what}: timed out after ${Math.round(r.durationMs / 1000)} s`, r.stdout + r.stderr);
  if (r.code !== 0) {
    const log = r.stdout + '\n' + r.stderr;
    throw new SimulationError(`${what}:\n${ctx.errorLines(log).slice(0, 40).join('\n')}`, log);
  }
  return r;
}
