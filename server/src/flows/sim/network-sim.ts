/**
 * `qnn sim`: compile a network, drive frames through the generated design on Verilator or
 * Icarus under random backpressure, and compare every output element with the golden
 * model. Reports mismatches (the first one decoded to layer, frame, channel and position),
 * measured II and latency against the analysis, the waveform, and — when the design stops
 * making progress — the engine whose stream stopped.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Analysis } from '../../analysis/analyze.js';
import { product } from '../../model/shape.js';
import { runNetwork } from '../../golden/golden.js';
import { loadInputFrames, randomFrames } from '../../golden/frames.js';
import { compileNetwork, type CompileResult } from '../../rtl/compile.js';
import { streamWidth, type HardwarePlan } from '../../rtl/plan.js';
import type { Simulator, VerilatorOpt } from './backend.js';
import { buildSimulation, defaultBuildRoot } from './build.js';
import { runSimulation, type SimRunOptions } from './run.js';
import { packWords, unpackWords } from './words.js';
import { buildFiles } from '../../protocol/build-folder.js';
import type { EngineStall, Mismatch, SimResult } from '../../protocol/results.js';

/** Frames in the waveform (the check itself runs every frame). */
export const VCD_FRAMES = 1;
/** Levels of the stream-only waveform: the testbench, and the DUT's top level with every stream between blocks. */
export const VCD_STREAM_DEPTH = 2;

export interface NetworkSimOptions {
  analysis: Analysis;
  /** Name of the .qnn file (for the generated header). */
  sourceName: string;
  outDir: string;
  simulator: Simulator;
  frames?: number;
  seed?: number;
  inputFile?: string;
  noStall?: boolean;
  vcd?: boolean;
  /**
   * What the waveform holds: 'streams' (default), the testbench and the top level, where
   * every engine, converter and FIFO port is a stream (valid, ready, data, last) and
   * nothing inside the engines; 'all', every signal.
   */
  vcdScope?: 'streams' | 'all';
  /** FIFO depths that replace the analysed ones, by instance name (see fifo-check.ts). */
  fifoDepths?: Readonly<Record<string, number>>;
  /** Verilator: C++ optimisation of the model (a build option: -O0 builds faster, -O1 runs faster; default see build.ts). */
  opt?: VerilatorOpt;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

// The result's shape is the wire contract's (`sim/result.json`, read by the editor).
export type { EngineStall, Mismatch } from '../../protocol/results.js';
export type NetworkSimResult = SimResult;

/** Where the frames come from: an .npy file, the network's first test block, or seeded random. */
function inputFrames(opts: NetworkSimOptions): { frames: Int32Array[]; from: string } {
  const net = opts.analysis.network;
  const test = net.tests[0];
  const file = opts.inputFile ?? (opts.frames === undefined && opts.seed === undefined ? test?.inputPath : undefined);
  if (file) {
    const f = loadInputFrames(net, file).frames;
    const n = opts.frames ?? f.length;
    return { frames: f.slice(0, n), from: path.basename(file) };
  }
  const frames = opts.frames ?? test?.frames ?? 4;
  const seed = opts.seed ?? test?.seed ?? 1;
  return { frames: randomFrames(net, frames, seed), from: `random (seed ${seed})` };
}

/** Channel and position of a flat channels-last index. */
function decodeIndex(shape: number[], index: number): { channel: number; position: number[] } {
  const c = shape[shape.length - 1];
  const channel = index % c;
  let rest = Math.floor(index / c);
  const position: number[] = [];
  for (let d = shape.length - 2; d >= 0; d--) {
    position.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return { channel, position };
}

export async function simulateNetwork(opts: NetworkSimOptions): Promise<NetworkSimResult> {
  const net = opts.analysis.network;
  const est = opts.analysis.estimate!;
  const compiled: CompileResult = compileNetwork(opts.analysis, opts.outDir, opts.sourceName, { fifoDepths: opts.fifoDepths });
  const plan = compiled.plan;
  const { frames, from } = inputFrames(opts);
  const outLayer = net.layers.find((l) => l.name === net.output)!;
  const outPer = product(outLayer.outShape);
  const inWordsPerFrame = product(net.input!.shape) / plan.input.elems;
  const outWordsPerFrame = outPer / plan.output.elems;
  const input: bigint[] = [];
  const expected: number[][] = [];
  for (const f of frames) {
    input.push(...packWords([...f], plan.input.elemBits, plan.input.elems, net.input!.type));
    expected.push([...runNetwork(net, f).output]);
  }
  const sources = compiled.files.filter((f) => f.endsWith('.sv')).map((f) => path.join(compiled.rtlDir, f));
  const simDir = path.join(opts.outDir, 'sim');
  // One build serves the check and the waveform run (traced when a waveform is wanted).
  const build = await buildSimulation({
    simulator: opts.simulator,
    sources,
    // With lanes, the simulation-only module that puts them behind this one stream.
    top: compiled.simTop,
    inWidth: streamWidth(plan.input),
    outWidth: streamWidth(plan.output),
    defines: { QNN_SIM: true },
    trace: opts.vcd === true,
    traceDepth: opts.vcdScope === 'all' ? undefined : VCD_STREAM_DEPTH,
    opt: opts.opt,
    buildRoot: defaultBuildRoot(simDir),
    signal: opts.signal,
    onLine: opts.onLine ? (l) => opts.onLine!(l) : undefined,
  });
  // What both runs share: where the ROM files are, the streams, the stalls.
  const run: Omit<SimRunOptions, 'runDir' | 'input' | 'expected'> = {
    runCwd: compiled.rtlDir,
    inputWordsPerFrame: inWordsPerFrame,
    noStall: opts.noStall,
    stall: { inValid: 0.25, outReady: 0.25, seed: 1 },
    stallCycles: Math.max(10_000, 4 * est.ii_cycles),
    signal: opts.signal,
  };
  const sim = await runSimulation(build, {
    ...run,
    runDir: path.join(simDir, opts.simulator),
    input,
    expected: frames.length * outWordsPerFrame,
    outputWordsPerFrame: outWordsPerFrame,
    onLine: opts.onLine ? (l) => opts.onLine!(l) : undefined,
  });
  // The waveform: a second, short run of the first frames (a full-depth VCD grows by
  // hundreds of MB per frame, and Verilator 5.006 ignores $dumpvars levels and $dumpoff).
  let waveform: string | undefined;
  if (opts.vcd) {
    const n = Math.min(frames.length, VCD_FRAMES);
    const w = await runSimulation(build, {
      ...run,
      runDir: path.join(simDir, 'waveform'),
      input: input.slice(0, n * inWordsPerFrame),
      expected: n * outWordsPerFrame,
      vcd: path.join(simDir, `${net.name}.vcd`),
      // Streams: the testbench and the top level (Verilator's build is traced that deep);
      // all: every level.
      vcdDepth: opts.vcdScope === 'all' ? 0 : VCD_STREAM_DEPTH,
    });
    waveform = w.waveform;
  }
  const got = unpackWords(
    sim.outputs.slice(0, frames.length * outWordsPerFrame),
    plan.output.elemBits,
    plan.output.elems,
    outLayer.outType,
  );
  let mismatches = 0;
  let first: Mismatch | null = null;
  for (let fr = 0; fr < frames.length; fr++) {
    for (let i = 0; i < outPer; i++) {
      const g = got[fr * outPer + i];
      const e = expected[fr][i];
      if (g !== e) {
        mismatches++;
        if (!first && g !== undefined)
          first = { layer: outLayer.name, frame: fr, index: i, ...decodeIndex(outLayer.outShape, i), expected: e, got: g };
      }
    }
  }
  // Words never received (a stall) count as mismatches too, without a decoded first one.
  const stall = sim.stalled ? engineStall(plan, sim.stalled.cycle, readProbes(sim.runDir, sim.outputFile), sim.stalled.message) : null;
  const result: NetworkSimResult = {
    network: net.name,
    simulator: opts.simulator,
    frames: frames.length,
    mismatches,
    first_mismatch: first,
    ii: { expected: est.ii_cycles, measured: sim.ii },
    latency: { expected: est.latency_cycles, measured: sim.latency },
    waveform: waveform ?? null,
    stall,
    stalls_enabled: !opts.noStall,
    input: from,
    build_ms: Math.round(sim.buildMs),
    run_ms: Math.round(sim.runMs),
    cycles: sim.cycles,
    rtl: compiled.rtlDir,
    ...(compiled.lanes > 1 ? { lanes: compiled.lanes } : {}),
  };
  // The editor reads this after the task ends (the summary with the waveform link).
  const files = buildFiles(opts.outDir);
  mkdirSync(files.simFolder, { recursive: true });
  writeFileSync(files.simResult, JSON.stringify(result, null, 2) + '\n');
  return result;
}

/** One stream's state when the simulation ended (printed by the top's QNN_SIM probes). */
export interface StreamProbe {
  stream: string;
  producer: string;
  consumer: string;
  last: number;
  valid: boolean;
  ready: boolean;
}

export function readProbes(runDir: string, outputFile: string): StreamProbe[] {
  const probes: StreamProbe[] = [];
  for (const file of [path.join(runDir, 'sim.log'), outputFile]) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^QNN_STREAM (\S+) (\S+) (\S+) (-?\d+) (\d) (\d)$/gm)) {
      probes.push({ stream: m[1], producer: m[2], consumer: m[3], last: Number(m[4]), valid: m[5] === '1', ready: m[6] === '1' });
    }
    if (probes.length) break;
  }
  return probes;
}

/**
 * The engine whose stream stopped: the most downstream block that holds a word on its
 * input (valid, not ready) — every block upstream of it is only held by its backpressure —
 * or, when every stream is idle, the one after the last stream that moved.
 */
export function engineStall(plan: HardwarePlan, cycle: number, probes: StreamProbe[], fallback: string): EngineStall {
  const engineOf = (inst: string): string => {
    const b = plan.blocks.find((x) => x.instance === inst);
    return b?.kind === 'engine' ? b.engine.name : inst;
  };
  for (const p of [...probes].reverse()) {
    if (p.valid && !p.ready && p.consumer !== 'output') {
      return {
        engine: engineOf(p.consumer),
        cycle,
        reason: `'${engineOf(p.consumer)}' holds its input stream (${p.stream}: valid, not ready) and has produced nothing since cycle ${Math.max(0, ...probes.filter((q) => q.producer === p.consumer).map((q) => q.last))}`,
      };
    }
  }
  const moved = [...probes].sort((a, b) => b.last - a.last)[0];
  if (moved) {
    return {
      engine: engineOf(moved.consumer === 'output' ? moved.producer : moved.consumer),
      cycle,
      reason: `no stream moved after cycle ${moved.last} (last: ${moved.stream}); ${fallback}`,
    };
  }
  return { engine: plan.blocks[0]?.instance ?? 'input', cycle, reason: fallback };
}
