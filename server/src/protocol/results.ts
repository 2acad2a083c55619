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
  /** The top-level module (its file is `rtl/<top>.sv`): `<network>_lanes` with `lanes N` > 1. */
  top: string;
  /** `target …, lanes N` with N > 1: the top holds N copies of `<network>_top`, ports flattened (lane i at [i·W +: W], bit i). */
  lanes?: number;
  estimate: Estimate;
  streams: { input: { elems: number; elem_bits: number; width: number }; output: { elems: number; elem_bits: number; width: number } };
  fifos: { name: string; from: string; to: string; depth: number; width: number; max_occupancy: number; reason: string }[];
  width_converters: { name: string; in_elems: number; out_elems: number; elem_bits: number }[];
  engines: { name: string; layers: string[]; kind: string; in_width: number; out_width: number; files: string[] }[];
  /** Every file written to rtl/, sorted. */
  files: string[];
  /** Every stream of the top level in stream order, with what its words carry (the waveform viewer decodes handshakes with it). */
  top_streams: TopStream[];
}

/** How a stream's elements encode values (language.md §3): the model's type kinds. */
export type StreamElemKind = 'uint' | 'int' | 'bipolar' | 'pow2';

/**
 * A stream of the generated top level, `<signal>_tdata/_tvalid/_tready/_tlast`: word w of
 * a frame carries elements [w·elems, (w+1)·elems) of its tensor, flattened channels last,
 * element i in bits [i·elem_bits, (i+1)·elem_bits) of tdata.
 */
export interface TopStream {
  /** The signal prefix: `s_axis`, `m_axis` or `<block instance>_out`. */
  signal: string;
  /** The block that drives it (an engine, converter or FIFO instance), or `input`. */
  producer: string;
  /** The block that takes it, or `output`. */
  consumer: string;
  /** The tensor it carries: the network input's name, or the layer whose output it is (an engine's last layer). */
  tensor: string;
  /** The tensor's shape, channels last. */
  shape: number[];
  /** The element type's name (`u4`, `i8`, `bipolar`, `pow2<3>`), its kind and bits. */
  type: string;
  elem_kind: StreamElemKind;
  elem_bits: number;
  elems: number;
  width: number;
  words_per_frame: number;
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
  /**
   * `lanes N` > 1: the N lanes were simulated behind one stream (frame f on lane f mod N,
   * each lane with its own random stalls); `ii.measured` is then the interval of frames
   * through that one stream, `ii.expected` one lane's II.
   */
  lanes?: number;
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

/** The build flows: Yosys + nextpnr-ice40 + icepack for iCE40, Vivado for Xilinx parts (hardware.md §8). */
export type BuildFlow = 'open' | 'vivado';

/** LUT/FF/BRAM18/DSP counts; null where the source does not count one (nextpnr's logic cells hold the flip-flops). */
export interface BuildResources {
  lut: number | null;
  ff: number | null;
  bram18: number | null;
  dsp: number | null;
}

/** One step of the critical path, as the place-and-route tool reports it. */
export interface BuildPathStep {
  type: string;
  delay_ns: number;
  from: string;
  to: string;
  net: string | null;
}

/** `bitstream/report.json`: one `qnn build` (or *QNN: Build Bitstream*). */
export interface BuildReport {
  network: string;
  flow: BuildFlow;
  device: string;
  /** The board the design was wrapped for (its shell and pins), or null for the bare accelerator. */
  board: string | null;
  /** The top-level module built: the accelerator, or the board shell around it. */
  top: string;
  ok: boolean;
  /** The bitstream (absolute path), or null when none was written. */
  bitstream: string | null;
  /** Achieved Fmax of the design's clock; null when place and route did not get that far. */
  fmax_mhz: number | null;
  clock_mhz: number;
  /** Fmax ≥ the clock; null when unknown. */
  clock_met: boolean | null;
  resources: {
    used: BuildResources | null;
    estimated: BuildResources;
    available: BuildResources;
    /** What each count is on the device's family: LUT, FF, BRAM18, DSP; iCE40 logic cells, flip-flops, EBRs, SB_MAC16. */
    labels: Record<keyof BuildResources, string>;
  };
  timing: {
    /** Worst negative slack: clock period minus the critical path's delay (negative when not met). */
    wns_ns: number | null;
    /** Total negative slack, where the tool reports it (Vivado); null for nextpnr, which does not. */
    tns_ns: number | null;
    critical_path: BuildPathStep[];
  };
  phases: { name: string; seconds: number }[];
  /** The phase that failed and its first error, in words; null when the build succeeded. */
  failed_phase: string | null;
  first_error: string | null;
  cancelled: boolean;
  /** The build's whole log (every tool's output in order). */
  log: string;
  /** Hash of everything the tools read (RTL, ROMs, constraints, shell, tool versions); an equal hash is not rebuilt. */
  input_hash: string;
  /** True when this report was served from an earlier build with the same input_hash. */
  cached: boolean;
}

/** `bitstream/progress.json`, rewritten as a build moves from phase to phase (the editor's progress notification reads it). */
export interface BuildProgress {
  /** The phase running now; null once the build has ended. */
  phase: string | null;
  /** When it started (ms since the epoch). */
  phase_started: number | null;
  /** The phases the build goes through, in order. */
  phases: readonly string[];
  /** The phases done so far, with their seconds. */
  done: { name: string; seconds: number }[];
}

/** The first byte of a `qnn sim --board` answer that differs from the golden model's. */
export interface BoardSimMismatch {
  frame: number;
  /** Byte offset within the frame's answer. */
  byte: number;
  expected: number;
  /** null: the byte never came back. */
  got: number | null;
}

/**
 * `board-sim/result.json`: one `qnn sim FILE --board` run: the board's shell with the
 * accelerator inside, driven through its UART pins by a host testbench, every answer byte
 * compared with the golden model's output in the shell's byte layout.
 */
export interface BoardSimResult {
  network: string;
  board: 'icebreaker';
  simulator: Simulator;
  frames: number;
  /** Where the frames came from. */
  input: string;
  bytes_in: number;
  bytes_out: number;
  /** Answer bytes that differ from the golden model's, missing ones included. */
  mismatches: number;
  first_mismatch: BoardSimMismatch | null;
  /** What the host testbench reported as wrong (a timeout, a bad stop bit), or null. */
  error: string | null;
  /** The whole simulation, power-on reset included. */
  cycles: number;
  /** From the first input byte's start bit to the last answer byte, per frame. */
  cycles_per_frame: number;
  clks_per_bit: number;
  /** Idle cycles the host left between bytes (at most), and the glitches it put on RX in them. */
  host: { max_gap_cycles: number; glitches: number };
  leds: {
    /** Times the green LED changed: one per answered frame. */
    green_toggles: number;
    /** Cycles the red LED was lit (a frame in flight, or blinking after an error). */
    red_cycles: number;
    red_at_end: boolean;
  };
  build_ms: number;
  run_ms: number;
}
