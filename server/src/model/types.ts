/**
 * The elaborated network model: the one description of a `.qnn` network that every
 * consumer (diagnostics, hovers, cost model, RTL emission, golden model, views) reads.
 *
 * Vocabulary (FINN's, used throughout the project):
 * - MVAU: matrix–vector–activation unit, the engine that computes a dense layer or a
 *   convolution (after the window generator turns the input into im2col vectors).
 * - MW: the length of one input vector of an MVAU (K·Cin for a conv, the input size
 *   for dense). MH: the number of outputs per vector (filters or units).
 * - PE: processing elements, the output channels computed in parallel.
 * - SIMD: the input elements each PE consumes per cycle.
 * - NF = MH / PE (neuron fold), SF = MW / SIMD (synapse fold): an MVAU spends
 *   NF·SF cycles per input vector.
 * - II: the initiation interval, cycles between frames once the pipeline is full.
 */

/** A position in the source text (0-based line and character, as in LSP). */
export interface Pos {
  line: number;
  character: number;
}
export interface SrcRange {
  start: Pos;
  end: Pos;
}

/** Integer types of the language (§3). `pow2` is for weights only. */
export type QType = { kind: 'uint'; bits: number } | { kind: 'int'; bits: number } | { kind: 'bipolar' } | { kind: 'pow2'; bits: number };

export type OpKind = 'conv1d' | 'conv2d' | 'dense' | 'maxpool' | 'requant' | 'threshold';

/** Weights of a conv or dense layer, as integers (the decoded value, not the encoding). */
export interface Weights {
  type: QType;
  /** PyTorch/ONNX layout: conv2d [Cout, Cin, Kh, Kw], conv1d [Cout, Cin, K], dense [out, in]. */
  shape: number[];
  /** Values in C order of `shape`. For bipolar: −1/+1. For pow2: 0 or ±2^e. */
  values: Int32Array;
  source: { kind: 'file'; path: string } | { kind: 'random'; seed: number } | { kind: 'inline' };
}

/** Exact accumulator bound of a conv/dense layer, from the actual weights. */
export interface AccumulatorInfo {
  /** Smallest and largest value any output can reach. */
  min: number;
  max: number;
  /** Bits of the signed accumulator: inferred, or declared with `acc=iK`. */
  bits: number;
  declared: boolean;
  /** The output channel (row) reaching the extreme, for messages. */
  extremeRow: number;
}

/** requant constants: y = clamp(((acc·M + 2^(S−1)) >> S) + zero, min(out), max(out)). */
export interface RequantParams {
  kind: 'requant';
  /** One per output channel (a single shared scale is repeated). */
  scales: number[];
  multipliers: number[];
  shifts: number[];
  zero: number;
  mbits: number;
  out: QType;
}

/** Multi-threshold activation: y = bias + Σ_i [acc ≥ T_c,i]; bipolar out: +1 if acc ≥ T else −1. */
export interface ThresholdParams {
  kind: 'threshold';
  /** One ascending list per output channel (a shared list is repeated). */
  thresholds: number[][];
  /** Added to the count (`bias=`, 0 when not given; always 0 for bipolar). */
  bias: number;
  out: QType;
}

export type Activation = RequantParams | ThresholdParams;

interface LayerBase {
  name: string;
  op: OpKind;
  /** Name of the producer (the input or an earlier layer). */
  input: string;
  inShape: number[];
  inType: QType;
  outShape: number[];
  outType: QType;
  /** Folding. pe/simd as given, defaulted (1) or chosen by auto-folding. */
  pe: number;
  simd: number;
  foldSource: 'explicit' | 'default' | 'auto';
  /**
   * MMV (FINN's "multiple matrix–vector"): output pixels the engine computes per cycle, 1
   * unless `fold(mmv=M)` sets it (QNN046 checks it). Each stream word then carries M whole
   * pixels; cycles per frame divide by M. Undefined reads as 1.
   */
  mmv?: number;
  /** Declared fold values that are illegal (QNN040/041/042): the estimate uses pe/simd (the fallback, 1) instead. */
  illegalFold?: { pe?: number; simd?: number };
  /** Index in Network.layers. */
  index: number;
  /** Source ranges for messages and editor features. */
  ranges: {
    name: SrcRange;
    layer: SrcRange;
    fold?: SrcRange;
    pe?: SrcRange;
    simd?: SrcRange;
    mmv?: SrcRange;
    mul?: SrcRange;
    mulArg?: SrcRange;
  };
}

/** `mul=` (language.md §4, hardware.md §4, FINN's `resType`): where an MVAU's multipliers go. */
export type MulChoice = 'auto' | 'dsp' | 'lut';

export interface MvauLayer extends LayerBase {
  op: 'conv1d' | 'conv2d' | 'dense';
  weights: Weights;
  /** Spatial kernel size per spatial dim ([] for dense), stride, padding [before, after] per dim. */
  kernel: number[];
  stride: number[];
  pad: [number, number][];
  /** MW = K·Cin (conv) or inputs (dense); MH = filters or units. */
  mw: number;
  mh: number;
  /** Output pixels per frame (1 for dense). */
  pixels: number;
  acc: AccumulatorInfo;
  /** `mul=`: where the engine's multipliers go, as declared (default auto). */
  mul: MulChoice;
  /**
   * Where they go after allocation (engines/mul-alloc.ts): 'dsp' leaves each multiplier to
   * synthesis' DSP rule (a product too narrow for a DSP stays in LUTs), 'lut' puts every one
   * in LUTs (the template's MUL_LUT). `auto` is 'dsp' unless the device's DSPs run out.
   */
  multipliers: 'dsp' | 'lut';
  /** Set when `mul=auto` moved this layer to LUTs because the DSPs ran out. */
  mulMoved?: boolean;
  /** Weight matrix in MVAU order: row r (output channel), column j in im2col order
   *  (kernel position major, channel minor); length MH·MW, row-major. */
  matrix: Int32Array;
}

export interface PoolLayer extends LayerBase {
  op: 'maxpool';
  kernel: number[];
  stride: number[];
}

export interface ActivationLayer extends LayerBase {
  op: 'requant' | 'threshold';
  activation: Activation;
  /** Set when fused into the preceding MVAU (the name of that layer). */
  fusedInto?: string;
  /**
   * A stand-alone requant's multipliers (engines/mul-alloc.ts): 'dsp' (the tool's rule,
   * the default) or 'lut' when `mul=auto`'s allocation moved them there (QNN048).
   */
  multipliers?: 'dsp' | 'lut';
  mulMoved?: boolean;
}

export type LayerModel = MvauLayer | PoolLayer | ActivationLayer;

export type EngineKind = 'mvau' | 'requant' | 'threshold' | 'maxpool';

/**
 * One hardware engine: a layer, or an MVAU with the activation fused into it.
 * A conv MVAU also implies a window generator in front of it.
 */
export interface Engine {
  /** The first layer's name; RTL instance and VCD scope names derive from it. */
  name: string;
  kind: EngineKind;
  /** Names of the layers it computes, in order: [mvau, activation?]. */
  layers: string[];
  /** The layer that owns the engine (first of `layers`). */
  layer: LayerModel;
  activation?: Activation;
  inShape: number[];
  inType: QType;
  outShape: number[];
  outType: QType;
  pe: number;
  simd: number;
  /** Pixels per cycle (MMV, 1 unless the layer's fold sets it). */
  mmv: number;
  /**
   * Elements per stream word in and out: SIMD in, PE out for an MVAU; PE both ways
   * otherwise; with MMV M > 1, M whole pixels in and out (a max-pool's output: M/K).
   */
  inElemsPerWord: number;
  outElemsPerWord: number;
}

export interface Target {
  device: string;
  clockHz: number;
  fps?: number;
  board?: string;
  bandwidthGBs?: number;
  /**
   * Replicated pipelines: `lanes N` puts N copies of the whole accelerator side by side,
   * each on its own input and output stream (e.g. the scanlines of a sensor), sharing only
   * the clock. Undefined reads as 1.
   */
  lanes?: number;
  lanesRange?: SrcRange;
  range: SrcRange;
  deviceRange: SrcRange;
}

export interface TestSpec {
  name: string;
  frames: number;
  seed: number;
  /** Optional input file (.npy) relative to the .qnn file, resolved. */
  inputPath?: string;
}

export interface InputModel {
  name: string;
  shape: number[];
  type: QType;
  range: SrcRange;
}

/** The elaborated network. Present (possibly partial) even when there are errors. */
export interface Network {
  name: string;
  /** Absolute path of the .qnn file (weight paths are relative to its folder), if known. */
  file?: string;
  target?: Target;
  input?: InputModel;
  layers: LayerModel[];
  output?: string;
  tests: TestSpec[];
  /** Engines in stream order from input to output. */
  engines: Engine[];
  /** True when elaboration reached every layer without an error that stops the pipeline. */
  complete: boolean;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A diagnostic with a stable code from language.md §5. */
export interface QnnDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: SrcRange;
  /** Machine-readable payload for quick fixes (e.g. { property: 'simd', valid: [1, 2, 4] }). */
  data?: Record<string, unknown>;
}
