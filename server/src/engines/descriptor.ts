/**
 * The engine descriptor: everything about one kind of hardware engine in one module
 * (FINN's lesson: one class per operator owns its cycles, resources, memory layout and
 * RTL parameters, and every transformation asks it instead of recomputing). Estimate,
 * auto-folding, completion, the fold diagnostics, latency, FIFO sizing and the RTL
 * emitter all read these; none of them switches on the engine's kind.
 *
 * Descriptors of layer engines (registry.ts): MVAU (dense and conv, int / pow2 / bipolar
 * weights; a conv's sliding-window generator is window.ts), max-pool, stand-alone requant
 * and threshold. Descriptors of what sits on a stream between two engines: the width
 * converter (converter.ts) and the FIFO (fifo.ts).
 */
import type { Fabric, Resources } from '../cost/fabric.js';
import type { MemKind } from '../cost/memory.js';
import type { MacOperands } from '../cost/resources.js';
import type { Engine, EngineKind } from '../model/types.js';

/** A fold: PE output channels and SIMD input elements per cycle (streaming engines: SIMD = PE). */
export interface Fold {
  pe: number;
  simd: number;
  /** Pixels per cycle (MMV); absent: 1. */
  mmv?: number;
}

/** Cycles of one engine per frame. */
export interface EngineTiming {
  /** Cycles per frame of the whole engine: for a conv, the slower of its MVAU and window generator. */
  cycles: number;
  /** The compute's own cycles: NF·SF·pixels for an MVAU, elements/PE for a streaming engine. */
  computeCycles: number;
  /** The window generator's cycles (convs only). */
  windowCycles: number | null;
  /** NF = MH/PE, SF = MW/SIMD for an MVAU; NF = channels/PE and SF = 1 for a streaming engine. */
  nf: number;
  sf: number;
  /** Output pixels (vectors) per frame. */
  pixels: number;
}

/**
 * A stage of the latency schedule (cost/latency.ts runs them):
 * - `words`: input words per frame;
 * - `need`: input words that must have arrived before its first output word;
 * - `fill`: cycles from that word to the first output word;
 * - `drain`: cycles from the last input word to the last output word;
 * - `span`: cycles from first input to last output when the input is never late.
 */
export interface LatencyStage {
  name: string;
  kind: 'engine' | 'converter' | 'fifo';
  words: number;
  need: number;
  fill: number;
  drain: number;
  span: number;
  /**
   * Cycles from the first output word to the last when the input never starves the stage
   * again (a conv's MVAU once its first window is in: its remaining outputs at its own
   * rate), or undefined where `span` says all. Counts when the input arrives slower at
   * first than the stage computes later (a conv behind a slower producer).
   */
  sustain?: number;
}

/**
 * An engine as the FIFO schedule (cost/fifo-sizing.ts) sees it: one step per cycle,
 * taking at most one input word and producing output words, as its RTL does.
 */
export interface TokenEngine {
  name: string;
  /** Words per frame in and out. */
  inWords: number;
  outWords: number;
  /** Advances one cycle given the input words waiting; the result object may be reused by the engine. */
  step(available: number): { took: boolean; produced: number };
  /** Why words wait in front of / behind it, for the FIFO's reason. */
  pattern: string;
}

/** Resources of one engine at its fold. */
export interface EngineResources {
  /** Whole counts; `parts` adds up to `total`. */
  total: Resources;
  /** By sub-engine: 'mvau' (with a fused activation), 'window', 'maxpool', 'requant', 'threshold'. */
  parts: Record<string, Resources>;
  weightMem: MemKind;
  /** MH·MW·wbits for an MVAU, else 0. */
  weightBits: number;
  /** Multiply–accumulates per frame (0 for engines without weights). */
  macs: number;
}

/** An engine's multiply–accumulate work per frame. */
export interface MacWork {
  macs: number;
  /** Bits of the weights (MH·MW·wbits), all on chip. */
  weightBits: number;
  /** The MAC operands of one lane, e.g. for the device's peak at this precision. */
  operands: MacOperands;
  /** `i4 × u8`: weight type × input type. */
  precision: string;
}

/** A parameter value written as SystemVerilog text (a sized literal: `40'hf8842b69bb`). */
export interface SvLiteral {
  sv: string;
}

/** Template parameters in the order the instance lists them. */
export type TemplateParams = [string, number | string | SvLiteral][];

/** One template instance inside an engine's wrapper module. */
export interface TemplateInstance {
  module: string;
  /** Instance name inside the wrapper (its VCD scope). */
  name: string;
  params: TemplateParams;
  /** Stream names inside the wrapper: 's_axis' and 'm_axis' are the wrapper's ports, others are internal. */
  input: string;
  output: string;
  /** Internal stream written by this instance (declared by the wrapper): elements per word and bits. */
  outWire?: { elems: number; elemBits: number };
}

/** A ROM's contents: file name (relative to the RTL folder) and the `$readmemh` text. */
export interface RomFile {
  role: 'weights' | 'act';
  file: string;
  text: string;
}

export interface EngineDescriptor {
  readonly kind: EngineKind;
  /** The arguments of the layer's `fold(…)`. */
  readonly foldArgs: readonly ('pe' | 'simd')[];
  /** Every legal fold, by PE·SIMD then PE. */
  legalFolds(e: Engine): Fold[];
  /** The compute's cycles at a fold: a lower bound of timing(at(e, f)).cycles, cheap to evaluate. */
  computeCycles(e: Engine, f: Fold): number;
  timing(e: Engine): EngineTiming;
  latency(e: Engine, t: EngineTiming): LatencyStage;
  /** A fresh token engine for `frames` frames. */
  tokens(e: Engine, frames: number): TokenEngine;
  resources(e: Engine, fab: Fabric): EngineResources;
  /**
   * The template instances of its wrapper module, in stream order, for the fabric the
   * estimate prices (a threshold compares on iCE40's carry chain: qnn_act_lane's CMP_CARRY).
   */
  instances(e: Engine, fab: Fabric): TemplateInstance[];
  /** The engine's multiply–accumulates, for engines with weights (the roofline's compute). */
  macs?(e: Engine): MacWork;
  /** ROM file names by role, and their contents. */
  romFiles(e: Engine): { weights?: string; act?: string };
  roms(e: Engine): RomFile[];
}
