/**
 * The operator catalogue (language.md §4): for each operator its arguments (required or
 * optional, the value each takes, the default, one line of doc), the fold arguments it
 * takes, its doc line and the engine that computes it. Elaboration checks layers against
 * it; completion, hover and rename read it. No other file lists an operator's arguments.
 */
import type { EngineKind, MulChoice, OpKind } from './types.js';

/** What an argument's value is: elaboration checks it, completion offers values for it. */
export type ArgValue =
  /** An integer expression ≥ min (≤ max when given). */
  | { kind: 'int'; min: number; max?: number }
  /** An integer expression of any sign. */
  | { kind: 'integer' }
  /** `valid`, `same` or an integer ≥ 0. */
  | { kind: 'padding'; names: ReadonlyArray<{ name: string; doc: string }> }
  /** One of a fixed set of names (`mul=lut`). */
  | { kind: 'choice'; names: ReadonlyArray<{ name: string; doc: string }> }
  /** A typed source: `i4("w.npy")`, `pow2<3>(random, seed=1)`, `bipolar([…])`. */
  | { kind: 'weights' }
  /** A type name; which families the argument accepts. */
  | { kind: 'type'; unsigned: boolean; signed: boolean; bipolar: boolean }
  /** A number > 0, or one per channel from `scales("s.npy")`. */
  | { kind: 'scale'; reader: string }
  /** An ascending list, a list per channel, or `thresholds("t.npy")`. */
  | { kind: 'thresholds'; reader: string };

export interface ArgSpec {
  name: string;
  required: boolean;
  value: ArgValue;
  /** What the argument means, one line. */
  doc: string;
  /** The value when the argument is left out, as the user reads it (optional arguments). */
  default?: string;
}

export type FoldArgName = 'pe' | 'simd' | 'mmv';

/** Which engine computes an operator: a conv is an MVAU fed by a sliding-window generator. */
export type EngineName = 'mvau' | 'window+mvau' | 'maxpool' | 'requant' | 'threshold';

export interface OperatorSpec {
  op: OpKind;
  /** One line: what the operator computes. */
  doc: string;
  /** Required arguments first, each group in the order completion offers them. */
  args: readonly ArgSpec[];
  /** The fold arguments it takes: `pe` and `simd` for an MVAU, `pe` for a streaming engine. */
  fold: readonly FoldArgName[];
  engine: EngineName;
  /** Spatial dimensions of the input a conv takes (1: [L, C], 2: [H, W, C]); 0 for the others. */
  spatialDims: number;
}

export const FOLD_ARGS: Record<FoldArgName, { doc: string }> = {
  pe: { doc: 'output channels computed in parallel' },
  simd: { doc: 'input elements each PE consumes per cycle' },
  mmv: { doc: 'pixels computed per cycle (MMV), on an engine already at one whole pixel per cycle' },
};

/** How hovers name each engine. */
export const ENGINE_LABELS: Record<EngineName, string> = {
  mvau: 'MVAU',
  'window+mvau': 'window generator + MVAU',
  maxpool: 'maxpool engine',
  requant: 'requant engine',
  threshold: 'threshold engine',
};

const COUNT = { kind: 'int', min: 1 } as const;
const WEIGHTS: ArgSpec = {
  name: 'weights',
  required: true,
  value: { kind: 'weights' },
  doc: 'the weights, a typed source: i4("w.npy") (PyTorch layout), pow2<3>(random, seed=1) or bipolar([…])',
};
const ACC: ArgSpec = {
  name: 'acc',
  required: false,
  value: { kind: 'type', unsigned: false, signed: true, bipolar: false },
  doc: 'the signed accumulator width iK; it must hold the exact bound of every output',
  default: 'inferred',
};
const STRIDE: ArgSpec = { name: 'stride', required: false, value: COUNT, doc: 'the step between windows', default: '1' };
const PAD: ArgSpec = {
  name: 'pad',
  required: false,
  value: {
    kind: 'padding',
    names: [
      { name: 'same', doc: 'output as long as the input (odd kernel, stride 1)' },
      { name: 'valid', doc: 'no padding (the default)' },
    ],
  },
  doc: 'zeros on each side of every spatial dimension: valid (0), same ((k−1)/2) or a number',
  default: 'valid',
};

/** The values of `mul=` (types.ts `MulChoice`), each with what it does. */
export const MUL_CHOICES: ReadonlyArray<{ name: MulChoice; doc: string }> = [
  { name: 'auto', doc: 'DSP blocks while the device has enough; when they run out the cheapest layers move to LUTs' },
  { name: 'dsp', doc: 'DSP blocks (for the products synthesis maps to a DSP: wide enough)' },
  { name: 'lut', doc: 'LUTs (leaves the DSP blocks to other layers)' },
];
const MUL: ArgSpec = {
  name: 'mul',
  required: false,
  value: { kind: 'choice', names: MUL_CHOICES },
  doc: "where the engine's multipliers (weight × input, and a fused requant's) go: DSP blocks or LUTs",
  default: 'auto',
};

function conv(op: 'conv1d' | 'conv2d', nd: number, doc: string): OperatorSpec {
  return {
    op,
    doc,
    args: [
      { name: 'filters', required: true, value: COUNT, doc: 'output channels (MH)' },
      { name: 'kernel', required: true, value: COUNT, doc: nd === 2 ? 'the window size (square)' : 'the window length' },
      WEIGHTS,
      STRIDE,
      PAD,
      ACC,
      MUL,
    ],
    fold: ['pe', 'simd', 'mmv'],
    engine: 'window+mvau',
    spatialDims: nd,
  };
}

/** The six operators of language.md §4, in the order completion offers them. */
export const OPERATORS: Record<OpKind, OperatorSpec> = {
  conv1d: conv('conv1d', 1, '1-D convolution over [L, C] (window generator + MVAU)'),
  conv2d: conv('conv2d', 2, '2-D convolution over [H, W, C] (window generator + MVAU)'),
  dense: {
    op: 'dense',
    doc: 'fully connected layer (MVAU); flattens its input',
    args: [{ name: 'units', required: true, value: COUNT, doc: 'outputs (MH)' }, WEIGHTS, ACC, MUL],
    fold: ['pe', 'simd', 'mmv'],
    engine: 'mvau',
    spatialDims: 0,
  },
  maxpool: {
    op: 'maxpool',
    doc: 'max over each window; type preserved',
    args: [
      { name: 'kernel', required: true, value: COUNT, doc: 'the window size (square on a 2-D input)' },
      { name: 'stride', required: false, value: COUNT, doc: 'the step between windows', default: 'kernel' },
    ],
    fold: ['pe', 'mmv'],
    engine: 'maxpool',
    spatialDims: 0,
  },
  requant: {
    op: 'requant',
    doc: 'requantizer: y = clamp(((acc·M + 2^(S−1)) >> S) + zero)',
    args: [
      {
        name: 'out',
        required: true,
        value: { kind: 'type', unsigned: true, signed: true, bipolar: false },
        doc: 'the output type uN or iN (values are clamped to it)',
      },
      {
        name: 'scale',
        required: true,
        value: { kind: 'scale', reader: 'scales' },
        doc: 'the real scale s > 0, or scales("s.npy") per channel',
      },
      { name: 'zero', required: false, value: { kind: 'integer' }, doc: 'the zero point added after the shift', default: '0' },
      {
        name: 'mbits',
        required: false,
        value: { kind: 'int', min: 1, max: 32 },
        doc: 'bits of the fixed-point multiplier M',
        default: '16',
      },
    ],
    fold: ['pe', 'mmv'],
    engine: 'requant',
    spatialDims: 0,
  },
  threshold: {
    op: 'threshold',
    doc: 'multi-threshold activation: y = bias + Σ [acc ≥ T]',
    args: [
      {
        name: 'out',
        required: true,
        value: { kind: 'type', unsigned: true, signed: true, bipolar: true },
        doc: 'the output type uB (counts the thresholds passed), iB (with bias) or bipolar',
      },
      {
        name: 'thresholds',
        required: true,
        value: { kind: 'thresholds', reader: 'thresholds' },
        doc: 'ascending thresholds per channel (2^B − 1, or with bias as many as out holds): a shared list, a list per channel or thresholds("t.npy")',
      },
      {
        name: 'bias',
        required: false,
        value: { kind: 'integer' },
        doc: 'added to the count: out=i2, bias=-1 and two thresholds give {−1, 0, 1}; needed for a signed out',
        default: '0',
      },
    ],
    fold: ['pe', 'mmv'],
    engine: 'threshold',
    spatialDims: 0,
  },
};

export const OP_NAMES = Object.keys(OPERATORS) as OpKind[];

/** The catalogue entry of an operator name; undefined for a name that is not one. */
export function operatorSpec(op: string | undefined): OperatorSpec | undefined {
  return op !== undefined && Object.hasOwn(OPERATORS, op) ? OPERATORS[op as OpKind] : undefined;
}

export function argSpec(op: OpKind, name: string): ArgSpec | undefined {
  return OPERATORS[op].args.find((a) => a.name === name);
}

export function requiredArgs(op: OpKind): string[] {
  return OPERATORS[op].args.filter((a) => a.required).map((a) => a.name);
}

export function optionalArgs(op: OpKind): string[] {
  return OPERATORS[op].args.filter((a) => !a.required).map((a) => a.name);
}

/** The engine kind of the model (types.ts) that computes an operator. */
export function engineKindOf(op: OpKind): EngineKind {
  const e = OPERATORS[op].engine;
  return e === 'window+mvau' ? 'mvau' : e;
}

/** Whether an operator runs on an MVAU (conv or dense). */
export function isMvauOp(op: string): op is 'conv1d' | 'conv2d' | 'dense' {
  const engine = operatorSpec(op)?.engine;
  return engine === 'mvau' || engine === 'window+mvau';
}

/** Arguments of a `test "…" { … }` block. */
export const TEST_ARGS: ReadonlyArray<{ name: string; doc: string }> = [
  { name: 'frames', doc: 'frames to simulate' },
  { name: 'seed', doc: 'seed of the random input frames' },
  { name: 'input', doc: 'input frames from a .npy file' },
];

/**
 * Names that read as a value of an argument rather than a user's name: the named paddings
 * (`same`, `valid`), the multiplier choices (`auto`, `dsp`, `lut`) and the file readers of scales and thresholds. A const or layer may
 * not take one of these names (rename refuses them).
 */
export const BUILTIN_VALUE_NAMES: ReadonlySet<string> = new Set(
  Object.values(OPERATORS).flatMap((o) =>
    o.args.flatMap((a) =>
      a.value.kind === 'padding' || a.value.kind === 'choice'
        ? a.value.names.map((n) => n.name)
        : 'reader' in a.value
          ? [a.value.reader]
          : [],
    ),
  ),
);
