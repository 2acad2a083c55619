/**
 * The files the CLI leaves in a build folder for the editor and for scripts to read:
 * `report.json` (`qnn compile`), `sim/result.json` (`qnn sim`) and
 * `fifo-check/fifo-check.json` (`qnn fifo-check`); where they lie is build-folder.ts.
 * Types only: written by rtl/compile.ts, flows/sim/network-sim.ts and
 * flows/sim/fifo-check.ts, read by the client's flow commands.
 */
import type { Estimate } from './estimate.js';

export type Simulator = 'verilator' | 'icarus';

/** `report.json`: what `qnn compile` generated, with the estimate at the analysed FIFO depths. */
export interface CompileReport {
  generator: string;
  network: string;
  /** The .qnn file's name. */
  source: string;
  /** The top-level module (its file is `rtl/<top>.sv`). */
  top: string;
  estimate: Estimate;
  streams: { input: { elems: number; elem_bits: number; width: number }; output: { elems: number; elem_bits: number; width: number } };
  fifos: { name: string; from: string; to: string; depth: number; width: number; max_occupancy: number; reason: string }[];
  width_converters: { name: string; in_elems: number; out_elems: number; elem_bits: number }[];
  engines: { name: string; layers: string[]; kind: string; in_width: number; out_width: number; files: string[] }[];
  /** Every file written to rtl/, sorted. */
  files: string[];
}

/** The first output element that differs from the golden model, decoded. */
export interface Mismatch {
  layer: string;
  frame: number;
  index: number;
  channel: number;
  position: number[];
  expected: number;
  got: number;
}

/** The engine whose stream stopped when the design made no more progress. */
export interface EngineStall {
  engine: string;
  cycle: number;
  reason: string;
}

/** `sim/result.json`: one `qnn sim` run against the golden model. */
export interface SimResult {
  network: string;
  simulator: Simulator;
  frames: number;
  mismatches: number;
  first_mismatch: Mismatch | null;
  ii: { expected: number; measured: number | null };
  latency: { expected: number; measured: number | null };
  /** The VCD file, or null without `--vcd`. */
  waveform: string | null;
  stall: EngineStall | null;
  stalls_enabled: boolean;
  /** Where the frames came from. */
  input: string;
  build_ms: number;
  run_ms: number;
  cycles: number;
  /** The RTL folder simulated. */
  rtl: string;
}

export type FifoVerdict = 'needed' | 'over-sized';

export interface FifoCheckRow {
  name: string;
  depth: number;
  halved: number;
  /** Measured II with this FIFO halved (null when the design stalled). */
  ii: number | null;
  latency: number | null;
  mismatches: number;
  stalled: boolean;
  verdict: FifoVerdict;
  /** What halving did, in words. */
  effect: string;
}

/** `fifo-check/fifo-check.json`: every FIFO deeper than 2 halved on its own. */
export interface FifoCheckResult {
  network: string;
  simulator: Simulator;
  frames: number;
  baseline: { ii: number | null; latency: number | null; expected_ii: number; mismatches: number; stalled: boolean };
  fifos: FifoCheckRow[];
  /** FIFOs of depth ≤ 2 (not halved). */
  skipped: string[];
  oversized: number;
}
