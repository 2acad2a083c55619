/**
 * Building a simulator for one DUT with the stream testbench, through the build cache.
 * Only {@link SimBuildOptions} reach a build, and the cache key is computed from what the
 * build actually reads (source contents, the generated testbench, defines, flags, tool
 * version), so inputs, frames, seeds, stalls, waveform files and timeouts — run options
 * (run.ts) — can never cause a rebuild.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { toolVersion, type ToolPaths } from '../tools.js';
import type { BuildJob, Defines, SimBackend, Simulator, VerilatorOpt } from './backend.js';
import { cachedFolder, dirDigests, fileDigest, hashOf } from './build-cache.js';
import { icarus } from './icarus.js';
import { SimulationError } from './sim-error.js';
import { TB_VERSION, generateTestbench, type ParamValue } from './testbench.js';
import { verilator } from './verilator.js';

/** Bumped when what a build folder holds changes (part of the cache key). */
const BUILD_VERSION = 3;
const TEN_MINUTES = 600_000;

/** Environment variable naming a build cache shared by every work folder (the tests set it). */
export const BUILD_CACHE_ENV = 'QNN_SIM_BUILD_CACHE';
/** Environment variable with the default C++ optimisation of Verilator models (the tests set -O0). */
export const OPT_ENV = 'QNN_SIM_OPT';
const OPTS: readonly VerilatorOpt[] = ['-O0', '-O1', '-O2', '-Os'];

export interface SimBuildOptions {
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
  defines?: Defines;
  /** Extra flags for `verilator` or `iverilog`. */
  extraFlags?: readonly string[];
  /** Verilator: C++ optimisation of the model (default $QNN_SIM_OPT, else -O1). */
  opt?: VerilatorOpt;
  /** Verilator: build with waveform support, so that runs can dump a VCD (Icarus always can). Default false. */
  trace?: boolean;
  /** Verilator: the levels a traced build records from the testbench (2: the testbench and the DUT's top level); default all. */
  traceDepth?: number;
  /** Folder of the cached builds (one sub-folder per build). */
  buildRoot: string;
  /** Reuse a cached build when one exists (default true). */
  cache?: boolean;
  /** Verilator: shared runtime cache folder, or false to build the runtime in every design (default $TMPDIR/qnn-fpga-sim-cache). */
  runtimeCacheDir?: string | false;
  toolPaths?: ToolPaths;
  signal?: AbortSignal;
  /** Limit for the build (default 10 minutes). */
  timeoutMs?: number;
  /** Every line the tools print, as it comes. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** A built simulator: what a run needs to drive it. */
export interface SimBuild {
  simulator: Simulator;
  top: string;
  inWidth: number;
  tlast: boolean;
  /** Runs can dump a VCD (Icarus, or a traced Verilator build). */
  waveforms: boolean;
  /** The build folder and its executable (Verilator) or .vvp (Icarus). */
  dir: string;
  artifact: string;
  /** Warnings the tools printed while building. */
  warnings: string[];
  /** Milliseconds the build took; 0 when it came from the cache. */
  buildMs: number;
  /** The build came from the cache. */
  cached: boolean;
  toolPaths?: ToolPaths;
}

const BACKENDS: Record<Simulator, SimBackend> = { verilator, icarus };

export function backendOf(sim: Simulator): SimBackend {
  const b = (BACKENDS as Partial<Record<string, SimBackend>>)[sim];
  if (!b) throw new Error(`unknown simulator ${String(sim)}: use verilator or icarus`);
  return b;
}

/** The build cache of a work folder: `$QNN_SIM_BUILD_CACHE` when set (shared), else `<workDir>/build`. */
export function defaultBuildRoot(workDir: string): string {
  const shared = process.env[BUILD_CACHE_ENV];
  return shared ? path.resolve(shared) : path.join(path.resolve(workDir), 'build');
}

interface BuildMeta {
  top: string;
  simulator: Simulator;
  version: string;
  buildMs: number;
  warnings: string[];
}

/** Builds the simulator for a DUT, or reuses the cached build of the same content. */
export async function buildSimulation(opts: SimBuildOptions): Promise<SimBuild> {
  const backend = backendOf(opts.simulator);
  const exe = backend.requireCompiler(opts.toolPaths);
  const sources = opts.sources.map((s) => path.resolve(s));
  for (const s of sources) if (!existsSync(s)) throw new SimulationError(`source file not found: ${s}`);
  const includeDirs = (opts.includeDirs ?? []).map((d) => path.resolve(d));
  checkTopDeclared(opts.top, sources, includeDirs);
  const sim = backend.simulator;
  const trace = sim === 'verilator' && opts.trace === true;
  const tlast = opts.tlast ?? true;
  const testbench = generateTestbench({
    top: opts.top,
    params: opts.params,
    inWidth: opts.inWidth,
    outWidth: opts.outWidth,
    tlast,
    // Icarus dumps on request at run time for free; Verilator needs a traced build.
    vcd: sim === 'icarus' || trace,
  });
  const version = await toolVersion(exe, backend.versionFlag);
  const opt = opts.opt ?? defaultOpt();
  const job: BuildJob = {
    top: opts.top,
    sources,
    includeDirs,
    defines: opts.defines ?? {},
    extraFlags: opts.extraFlags ?? [],
    testbench,
    trace,
    traceDepth: trace ? opts.traceDepth : undefined,
    opt,
    exe,
    version,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? TEN_MINUTES,
    onLine: opts.onLine,
    runtimeCacheDir: opts.runtimeCacheDir,
  };
  // Everything the build reads, and nothing else.
  const key = hashOf({
    BUILD_VERSION,
    TB_VERSION,
    sim,
    version,
    testbench,
    sources: sources.map((s) => [path.basename(s), fileDigest(s)]),
    includes: includeDirs.map((d) => dirDigests(d)),
    defines: job.defines,
    flags: job.extraFlags,
    trace,
    traceDepth: job.traceDepth ?? null,
    opt: sim === 'verilator' ? opt : '',
  }).slice(0, 16);
  const b = await cachedFolder<BuildMeta>({
    root: path.resolve(opts.buildRoot),
    name: `${sim}-${opts.top}`,
    key,
    reuse: opts.cache !== false,
    make: async (dir) => {
      const started = Date.now();
      const warnings = await backend.build(job, dir);
      return { top: opts.top, simulator: sim, version, buildMs: Date.now() - started, warnings };
    },
  });
  return {
    simulator: sim,
    top: opts.top,
    inWidth: opts.inWidth,
    tlast,
    waveforms: sim === 'icarus' || trace,
    dir: b.dir,
    artifact: backend.artifact(b.dir),
    warnings: b.meta.warnings,
    buildMs: b.buildMs,
    cached: b.cached,
    toolPaths: opts.toolPaths,
  };
}

/**
 * -O1 by default: a good balance for `qnn sim`, whose frames can be long. -O0 compiles
 * large models (the fully unrolled BNN layers of sfc_w1a1) in less than half the time,
 * which is what short test runs want.
 */
function defaultOpt(): VerilatorOpt {
  const v = process.env[OPT_ENV];
  if (v === undefined || v === '') return '-O1';
  if (!(OPTS as readonly string[]).includes(v))
    throw new Error(`${OPT_ENV}=${v} is not a C++ optimisation level: use one of ${OPTS.join(', ')}`);
  return v as VerilatorOpt;
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
