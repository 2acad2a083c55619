/**
 * The estimate of a network as it travels: `qnn estimate --json`, the `qnn/analysis`
 * request and `report.json` all carry this shape (snake_case keys, since
 * `JSON.stringify(estimateNetwork(net))` IS the CLI's JSON). Computed by cost/estimate.ts;
 * declared here, types only, so that the client reads the same declaration the server
 * writes. This folder imports nothing: the literal unions below repeat the model's
 * (model/types.ts `OpKind`, `LayerModel['foldSource']`, cost/memory.ts `MemKind`,
 * cost/resources.ts `FifoImpl`); the estimate assigns the model's values to them, so tsc
 * fails if the model grows a value this contract lacks (test/unit/protocol.test.ts checks
 * the other direction).
 */

export type OpKind = 'conv1d' | 'conv2d' | 'dense' | 'maxpool' | 'requant' | 'threshold';
export type FoldSource = 'explicit' | 'default' | 'auto';
/** Where an engine's weights live ('logic': hard-wired or LUT4 ROM). */
export type MemKind = 'lutram' | 'bram' | 'logic' | 'none';
export type FifoImpl = 'registers' | 'srl' | 'lutram' | 'bram';
export type DeviceFamily = 'xilinx' | 'ice40';

export interface ResourceCounts {
  lut: number;
  ff: number;
  bram18: number;
  dsp: number;
}

/** Capacities or percentages; null when the device is unknown. */
export interface ResourceMaybe {
  lut: number | null;
  ff: number | null;
  bram18: number | null;
  dsp: number | null;
}

export interface LayerEstimate {
  name: string;
  op: OpKind;
  /** The engine computing this layer (the name of its first layer). */
  engine: string;
  /** Layers fused into this one's engine (an MVAU's requant/threshold). */
  fused: string[];
  /** Set on a fused activation: the MVAU it is computed in. */
  fused_into: string | null;
  fold_source: FoldSource;
  pe: number;
  simd: number;
  /** Pixels per cycle (MMV; 1 unless `fold(…, mmv=M)` or auto-folding set it). */
  mmv: number;
  /**
   * Where the engine's multipliers go (`mul=`, hardware.md §4): as declared, where they
   * are ('dsp': synthesis' DSP rule; 'lut': all in LUTs), and whether `mul=auto` moved them
   * to LUTs because the device's DSPs ran out. Null for a layer without multipliers.
   */
  multipliers: { declared: 'auto' | 'dsp' | 'lut'; in: 'dsp' | 'lut'; moved: boolean } | null;
  /** MVAU: NF = MH/PE, SF = MW/SIMD; streaming layers: NF = channels/PE, SF = 1. */
  nf: number;
  sf: number;
  /** Cycles per frame of the engine (a conv: the slower of MVAU and window generator). */
  cycles: number;
  /** The compute's own cycles (NF·SF·pixels or elements/PE) and the window generator's. */
  compute_cycles: number;
  window_cycles: number | null;
  bottleneck: boolean;
  macs: number;
  ops: number;
  acc_bits: number | null;
  acc_min: number | null;
  acc_max: number | null;
  out_type: string;
  out_shape: number[];
  lut: number;
  ff: number;
  bram18: number;
  dsp: number;
  /** iCE40: the logic cells the entry's LUT4s and flip-flops fill (as `Estimate.logic_cells`); null on Xilinx. */
  logic_cells: number | null;
  /** Percent of the device per resource (2 decimals), null for an unknown device. */
  device_pct: ResourceMaybe;
  /** The entry's resources split by sub-engine ('mvau', 'window', 'maxpool', …). */
  breakdown: Record<string, ResourceCounts>;
  /** Weight memory: MH·MW·wbits bits, and where it lives ('logic': hard-wired or LUT4 ROM). */
  weight_bits: number;
  weight_mem: MemKind;
  /** Stream word widths in and out of the engine. */
  stream_in_bits: number;
  stream_out_bits: number;
}

export interface ConverterEstimate {
  from: string;
  to: string;
  in_bits: number;
  out_bits: number;
  buffer_bits: number;
  cycles: number;
  lut: number;
  ff: number;
  bram18: number;
  dsp: number;
}

export interface FifoEstimate {
  /** Instance name in the generated top level (`fifo_<from>_<to>`): what `qnn fifo-check` and report.json name it. */
  name: string;
  /** The FIFO on the stream from `from` to `to`, after the width converter: at the consumer's input width (so it can feed the consumer's bursts at full rate). */
  from: string;
  to: string;
  depth: number;
  /**
   * 'analysis': the FIFO schedule's depth (hardware.md §3); 'override': set over it (qnn
   * fifo-check); 'pending': the editor has not run the schedule yet (the least depth is
   * counted until it has; `Estimate.fifo_depths` says so for the whole estimate).
   */
  depth_source: 'analysis' | 'override' | 'pending';
  /** The schedule's largest occupancy in words, and why words wait there. */
  max_occupancy: number;
  reason: string;
  width_bits: number;
  impl: FifoImpl;
  lut: number;
  ff: number;
  bram18: number;
  dsp: number;
}

export interface RooflineLayer {
  name: string;
  engine: string;
  ops: number;
  input_bytes: number;
  output_bytes: number;
  weight_bytes: number;
  /** ops ÷ (input + output + weight bytes): the layer-by-layer intensity. */
  intensity: number;
  attainable_ops_s: number | null;
  /** ops ÷ (input + output bytes): the same layer in the pipeline, weights on chip. */
  pipelined_intensity: number;
  pipelined_attainable_ops_s: number | null;
  achieved_ops_s: number;
  peak_ops_s: number;
}

export interface Roofline {
  macs_per_frame: number;
  ops_per_frame: number;
  input_bytes: number;
  output_bytes: number;
  offchip_bytes_per_frame: number;
  /** Operational intensity of the pipelined design, ops per off-chip byte. */
  intensity: number;
  bandwidth_gbs: number | null;
  bandwidth_source: 'target' | 'board' | 'none';
  ceilings: {
    bandwidth_bytes_s: number | null;
    device_peak_ops_s: number | null;
    device_peak_lanes: number | null;
    /** The precision the device peak is computed at, e.g. "i4 × u8". */
    precision: string | null;
    design_peak_ops_s: number;
    design_lanes: number;
    /** The device's compute at that precision with DSP multipliers only and with LUT multipliers only (null: none of that kind). */
    dsp_peak_ops_s: number | null;
    lut_peak_ops_s: number | null;
    /** The accelerator's stream ports: (input + output word bits) ÷ 8 × f_clk. */
    stream_bytes_s: number;
  };
  design: { intensity: number; ops_s: number; attainable_ops_s: number | null };
  layers: RooflineLayer[];
  notes: string[];
}

/** One stage of the latency schedule (cost/latency.ts): when its first and last words go in and come out. */
export interface StageTiming {
  stage: string;
  kind: 'engine' | 'converter' | 'fifo';
  first_in: number;
  first_out: number;
  last_in: number;
  last_out: number;
}

/**
 * The version of this shape in `schema_version` (docs/ci.md). Raised when a field is renamed,
 * removed or changes meaning; added fields keep it.
 */
export const ESTIMATE_SCHEMA_VERSION = 1;

export interface Estimate {
  /** ESTIMATE_SCHEMA_VERSION of the writer: a CI job comparing two estimates checks it first. */
  schema_version: number;
  network: string;
  target: {
    device: string;
    clock_mhz: number;
    board: string | null;
    /** `fps >=` of the target, or null. */
    fps_target: number | null;
    device_known: boolean;
    family: DeviceFamily;
  };
  /** Frame interval: the slowest engine's cycles per frame. */
  ii_cycles: number;
  /** Frames per second of the whole design: every lane's (`lanes N`) frames together. */
  fps: number;
  /** Copies of the pipeline (`target …, lanes N`; 1 without). */
  lanes: number;
  /** One lane's frames per second: f_clk / II. */
  fps_per_lane: number;
  /** Input pixels per second of the whole design (frames/s × the input's pixels per frame): a sensor's figure. */
  pixels_per_s: number;
  /** null without an `fps >=` target. */
  fps_met: boolean | null;
  latency_cycles: number;
  latency_us: number;
  bottleneck: { layer: string; engine: string; cycles: number } | null;
  macs_per_frame: number;
  totals: ResourceCounts;
  /**
   * iCE40: the logic cells the totals fill, as nextpnr packs LUT4s and flip-flops (what the
   * device's `lut` capacity and `device_pct.lut` count); null on Xilinx, where it is `lut`.
   */
  logic_cells: number | null;
  device_capacity: ResourceMaybe;
  device_pct: ResourceMaybe;
  roofline: Roofline;
  layers: LayerEstimate[];
  converters: ConverterEstimate[];
  fifos: FifoEstimate[];
  /** The latency schedule, stage by stage (latency.ts). */
  latency_schedule: StageTiming[];
  /**
   * 'analysed': every FIFO depth and the totals are final (what `qnn compile` builds);
   * 'pending': the editor runs the FIFO schedule when idle, FIFOs are counted at the least
   * depth until then.
   */
  fifo_depths: 'analysed' | 'pending';
}
