/**
 * The diagnostic codes (docs/language.md, "Diagnostics"): each code's usual severity, a
 * short name and what it reports. The SARIF output of `qnn check` lists them as rules;
 * test/unit/report/diagnostic-codes.test.ts keeps this table, the docs' table and the
 * codes the server emits the same.
 */

export type CodeSeverity = 'error' | 'warning' | 'info' | 'hint';

export interface DiagnosticCode {
  code: string;
  /** The severity the code is reported with (QNN010 is a warning for an unknown board). */
  severity: CodeSeverity;
  /** PascalCase name, as SARIF's `rule.name`. */
  name: string;
  /** One sentence: what the code reports. */
  summary: string;
}

export const DIAGNOSTIC_CODES: readonly DiagnosticCode[] = [
  {
    code: 'QNN001',
    severity: 'error',
    name: 'SyntaxError',
    summary: 'Syntax error (the parser recovers; later errors are still reported).',
  },
  {
    code: 'QNN010',
    severity: 'error',
    name: 'UnknownName',
    summary:
      'Unknown name: producer, const, argument, fold argument, test argument, type or padding (a warning for a board not known for the device).',
  },
  {
    code: 'QNN011',
    severity: 'error',
    name: 'DuplicateName',
    summary: 'Duplicate name, an argument given twice, or a second input or output.',
  },
  { code: 'QNN012', severity: 'warning', name: 'UnusedLayer', summary: 'A layer never reaches the output.' },
  {
    code: 'QNN013',
    severity: 'error',
    name: 'MissingArgument',
    summary: 'A required argument is missing, or the network has no target, input or output.',
  },
  { code: 'QNN014', severity: 'error', name: 'Branching', summary: 'A producer already feeds another layer (the network is a chain).' },
  {
    code: 'QNN020',
    severity: 'error',
    name: 'ShapeMismatch',
    summary: 'Shape mismatch: kernel larger than the input, a weight, scale or threshold file of the wrong shape, or a wrong input rank.',
  },
  { code: 'QNN022', severity: 'error', name: 'BipolarPadding', summary: 'Padding a bipolar tensor.' },
  {
    code: 'QNN030',
    severity: 'error',
    name: 'InvalidValue',
    summary:
      'A value that does not fit its type or is not integral, an operand type an operator does not take, or an out-of-range argument.',
  },
  {
    code: 'QNN031',
    severity: 'error',
    name: 'AccumulatorTooNarrow',
    summary: 'The declared accumulator is too narrow for the exact bound.',
  },
  { code: 'QNN032', severity: 'error', name: 'ThresholdCount', summary: 'The threshold count per channel is not 2^B − 1 (1 for bipolar).' },
  { code: 'QNN033', severity: 'error', name: 'ThresholdsNotAscending', summary: 'Thresholds are not ascending.' },
  { code: 'QNN034', severity: 'error', name: 'InvalidPow2Weight', summary: 'A pow2<N> weight that is not 0 or ±2^e in range.' },
  {
    code: 'QNN035',
    severity: 'warning',
    name: 'ConstantActivation',
    summary: 'An activation outputs the same value for every input it can receive (its scale or thresholds miss the input range).',
  },
  { code: 'QNN040', severity: 'error', name: 'SimdDoesNotDivideMw', summary: 'SIMD does not divide the input width MW.' },
  {
    code: 'QNN041',
    severity: 'error',
    name: 'PeDoesNotDivideMh',
    summary: 'PE does not divide the output width MH (or the channels of a streaming layer).',
  },
  {
    code: 'QNN042',
    severity: 'error',
    name: 'SimdNotWholeChannels',
    summary: 'A conv SIMD neither divides Cin nor is a multiple of Cin that divides K·Cin.',
  },
  { code: 'QNN043', severity: 'info', name: 'WidthConverter', summary: 'A width converter is inserted between two engines.' },
  {
    code: 'QNN044',
    severity: 'hint',
    name: 'OverProvisionedFold',
    summary: 'An explicit fold is over-provisioned: a smaller one keeps the II.',
  },
  {
    code: 'QNN045',
    severity: 'warning',
    name: 'FoldOnFusedActivation',
    summary: 'A fold on an activation fused into an MVAU has no effect.',
  },
  {
    code: 'QNN046',
    severity: 'error',
    name: 'IllegalMmv',
    summary: 'An MMV (pixels per cycle) the layer cannot take, or on an engine not yet at one whole pixel per cycle.',
  },
  {
    code: 'QNN047',
    severity: 'warning',
    name: 'MultiplierChoiceIneffective',
    summary:
      'A mul= choice cannot take effect: the layer has no multipliers, the device no DSP blocks, or the products are too narrow for one.',
  },
  {
    code: 'QNN048',
    severity: 'info',
    name: 'MultipliersMovedToLuts',
    summary: "The default mul=auto moved the layer's multipliers to LUTs: the network needs more DSP blocks than the device has.",
  },
  { code: 'QNN050', severity: 'error', name: 'DeviceOverflow', summary: 'Estimated LUT, FF, BRAM18 or DSP use exceeds the device.' },
  { code: 'QNN051', severity: 'warning', name: 'FrameRateMissed', summary: 'The fps >= target is not met.' },
  { code: 'QNN052', severity: 'error', name: 'UnknownDevice', summary: 'Unknown device.' },
  {
    code: 'QNN060',
    severity: 'error',
    name: 'WeightFile',
    summary: 'A weight, threshold or scale file is missing, unreadable, not .npy, or of an unsupported dtype.',
  },
  {
    code: 'QNN080',
    severity: 'error',
    name: 'BuildFailed',
    summary: "The build (qnn build) failed; the message names the phase and the tool's first error.",
  },
  {
    code: 'QNN081',
    severity: 'warning',
    name: 'ClockNotMet',
    summary: "The built design's Fmax (qnn build) is short of the target clock.",
  },
  {
    code: 'QNN999',
    severity: 'error',
    name: 'InternalError',
    summary: 'An internal error of the analysis (a bug to report, not an error in the file).',
  },
];

const BY_CODE = new Map(DIAGNOSTIC_CODES.map((c) => [c.code, c]));

export function diagnosticCode(code: string): DiagnosticCode | undefined {
  return BY_CODE.get(code);
}
