/**
 * Analytical LUT / FF / BRAM18 / DSP estimates of every engine, as functions of plain
 * parameters (hardware.md §4). Nothing here reads the network model: engine-cost.ts maps an
 * engine to these parameters, so a calibration script can sweep them directly.
 *
 * Form (FINN-R, Blott et al. 2018): LUT ≈ c0 + c1·PE·(mult + addertree + acc + thr + comp)
 * + memories. Logic LUTs are computed in Xilinx LUT6 units and multiplied by
 * `ice40LutFactor` on iCE40 (LUT4 cells: about 1.5 per LUT6 for the mux- and
 * multiplier-heavy logic here; adders are one cell per bit on both, which the factor
 * overstates a little — the calibration refines it). Memories are counted natively per
 * family (memory.ts).
 *
 * DSP rule (see `multiplierUsesDsp`): only int × int products use DSPs — pow2 weights are
 * shifts and bipolar weights XNORs or negations, never multipliers.
 */
import { COST_CONSTANTS as C } from './constants.js';
import { addResources, clog2, type Fabric, type Resources } from './fabric.js';
import { ramCost, romCost, type MemCost } from './memory.js';

export { COST_CONSTANTS } from './constants.js';

export type WeightKind = 'int' | 'pow2' | 'bipolar';

/** The two operands of one multiply–accumulate lane of an MVAU. */
export interface MacOperands {
  weightKind: WeightKind;
  /** Stored bits of a weight (pow2<N>: N; bipolar: 1). */
  weightBits: number;
  /** Bits of an input activation (bipolar: 1). */
  inputBits: number;
  inputBipolar: boolean;
  /**
   * Set when the weights are hard-wired (NF·SF = 1: one weight per lane, a ROM of depth 1):
   * synthesis folds each constant into its lane, so an int lane costs a constant
   * multiplier (`meanLaneLuts`: the mean of `constantMultiplierLuts` over the actual
   * weights), a pow2 lane is wiring and a bipolar weight a sign for the adder tree.
   * Constant multiplies never use DSPs.
   */
  hardWired?: { meanLaneLuts: number };
}

function familyFactor(fab: Fabric): number {
  return fab.family === 'ice40' ? C.ice40LutFactor : 1;
}

/** LUT6 4:1 muxes needed to select one of n inputs (per output bit). */
export function muxLuts(n: number): number {
  return n <= 1 ? 0 : Math.ceil((n - 1) / 3);
}

// ---- multipliers and MAC lanes --------------------------------------------------------

/**
 * Whether an a × b int multiply goes to a DSP block:
 * - Xilinx: both operands ≥ `xilinxMinOperandBits` (5) bits, i.e. both wider than 4 bits;
 *   smaller products are cheaper in LUTs (the RTL pins this with `use_dsp`).
 * - iCE40 (only parts with SB_MAC16, e.g. UP5K): Yosys `synth_ice40 -dsp`'s own thresholds,
 *   both operands ≥ 2 bits and a product of ≥ 11 bits. HX8K has none: LUTs.
 */
export function multiplierUsesDsp(aBits: number, bBits: number, fab: Fabric): boolean {
  if (!fab.dspAvailable) return false;
  if (fab.family === 'ice40') {
    return Math.min(aBits, bBits) >= C.dsp.ice40MinOperandBits && aBits + bBits >= C.dsp.ice40MinProductBits;
  }
  return Math.min(aBits, bBits) >= C.dsp.xilinxMinOperandBits;
}

/** DSP blocks for one a × b multiply (DSP48: 25 × 18 in the better orientation; SB_MAC16: 16 × 16). */
export function dspsPerMultiplier(aBits: number, bBits: number, fab: Fabric): number {
  if (fab.family === 'ice40') return Math.ceil(aBits / C.dsp.ice40Width) * Math.ceil(bBits / C.dsp.ice40Width);
  const o1 = Math.ceil(aBits / C.dsp.xilinxA) * Math.ceil(bBits / C.dsp.xilinxB);
  const o2 = Math.ceil(bBits / C.dsp.xilinxA) * Math.ceil(aBits / C.dsp.xilinxB);
  return Math.min(o1, o2);
}

/** FINN-R's LUT multiplier: (2⌈(a+b)/6⌉ − 1)·(a+b) LUT6. */
export function lutMultiplierLuts(aBits: number, bBits: number): number {
  const s = aBits + bBits;
  return (2 * Math.ceil(s / 6) - 1) * s;
}

/**
 * One multiply lane: its LUT6 logic (before c1), FFs and DSPs, and what it feeds the adder
 * tree: `group` lanes are merged into one `productBits`-wide value before the tree (3 for
 * XNOR-popcount: one LUT6 takes 3 weight/input pairs and yields their 2-bit count, in 2
 * LUTs via its two outputs; 1 otherwise). `lut` and `ff` are per lane.
 */
export interface LaneCost {
  lut: number;
  ff: number;
  dsp: number;
  productBits: number;
  group: number;
}

/** Values entering the adder tree of a PE with `simd` lanes. */
export function treeInputs(lane: LaneCost, simd: number): number {
  return Math.ceil(simd / lane.group);
}

/** Magnitude bits of a weight value (pow2<N>: its largest shift + 1). */
function weightMagnitudeBits(op: MacOperands): number {
  if (op.weightKind === 'pow2') return 2 ** (op.weightBits - 1) - 1;
  return op.weightBits;
}

/**
 * LUT6 of a multiply by the constant w: shift-and-add over its canonical signed digits
 * (CSD), one (a + |w| bits)-wide adder per digit after the first; 0 and ±2^e are wiring.
 */
export function constantMultiplierLuts(w: number, aBits: number): number {
  let x = Math.abs(Math.trunc(w));
  const bits = x === 0 ? 0 : Math.floor(Math.log2(x)) + 1;
  let digits = 0;
  while (x > 0) {
    if (x % 2 === 1) {
      x -= 2 - (x % 4); // digit +1 (x ≡ 1 mod 4) or −1 (x ≡ 3 mod 4)
      digits++;
    }
    x /= 2;
  }
  return digits <= 1 ? 0 : (digits - 1) * (aBits + bits);
}

export function macLane(op: MacOperands, fab: Fabric): LaneCost {
  const a = op.inputBits;
  // Binarized (FINN's BNN case): XNOR, then a popcount; 2·popcount − MW is folded into the thresholds.
  if (op.weightKind === 'bipolar' && op.inputBipolar) return { lut: 2 / 3, ff: 2 / 3, dsp: 0, productBits: 2, group: 3 };
  if (op.hardWired && !op.inputBipolar) {
    const pbits = op.weightKind === 'bipolar' ? a + 1 : op.weightKind === 'pow2' ? a + weightMagnitudeBits(op) : op.weightBits + a;
    const lut = op.weightKind === 'int' ? op.hardWired.meanLaneLuts : 0;
    return { lut, ff: pbits, dsp: 0, productBits: pbits, group: 1 };
  }
  // ±a: a conditional negation (XOR + carry-in of the adder tree).
  if (op.weightKind === 'bipolar') return { lut: a, ff: a + 1, dsp: 0, productBits: a + 1, group: 1 };
  // ±w for a bipolar input: the decoded weight, conditionally negated.
  if (op.inputBipolar) {
    const m = weightMagnitudeBits(op);
    return { lut: m, ff: m + 1, dsp: 0, productBits: m + 1, group: 1 };
  }
  if (op.weightKind === 'pow2') {
    // pow2<N>: a << (k−1) for k in 0…r (0 = zero weight), then the sign: an (r+1):1 mux per
    // output bit plus a conditional negation.
    const r = 2 ** (op.weightBits - 1) - 1;
    const pbits = a + r; // a shifted by up to r−1, plus a sign bit
    return { lut: pbits * (muxLuts(r + 1) + 1), ff: pbits, dsp: 0, productBits: pbits, group: 1 };
  }
  const pbits = op.weightBits + a;
  if (multiplierUsesDsp(op.weightBits, a, fab)) {
    // The DSP registers its own operands and product.
    return { lut: 0, ff: 0, dsp: dspsPerMultiplier(op.weightBits, a, fab), productBits: pbits, group: 1 };
  }
  return { lut: lutMultiplierLuts(op.weightBits, a), ff: pbits, dsp: 0, productBits: pbits, group: 1 };
}

/** LUT6 of a binary adder tree summing n values of `bits` bits (one LUT per result bit, carry chain). */
export function adderTreeLuts(n: number, bits: number): number {
  let luts = 0;
  let w = bits;
  let k = n;
  while (k > 1) {
    const adders = Math.floor(k / 2);
    luts += adders * (w + 1);
    k = Math.ceil(k / 2);
    w++;
  }
  return luts;
}

// ---- activations (thresholds and requantizers) --------------------------------------------

/**
 * What an activation costs depends on its constants: one shared set is hard-wired
 * (comparators against constants, a constant multiply), a set per channel is a ROM of
 * NF entries per PE lane (each lane serves NF = channels/PE channels in turn).
 */
export type ActivationCostParams =
  | {
      kind: 'threshold';
      /** Thresholds per channel (2^B − 1; bipolar out: 1). */
      count: number;
      perChannel: boolean;
    }
  | {
      kind: 'requant';
      /** Bits of the largest integer multiplier M. */
      multiplierBits: number;
      /** Set bits of M when one M is shared (a constant multiply is shift-adds). */
      multiplierOnes: number;
      /** M or S differs between channels. */
      perChannel: boolean;
      /** S differs between channels: a barrel shifter instead of wiring. */
      variableShift: boolean;
      maxShift: number;
      hasZero: boolean;
    };

export interface ActivationLane {
  /** LUT6 logic of one lane (before c1 and the family factor). */
  lut: number;
  ff: number;
  dsp: number;
  /** The lane's constant memory (per PE lane). */
  mem: MemCost;
}

/** One PE lane of a threshold or requant stage on an `inBits` value, producing `outBits`. */
export function activationLane(
  a: ActivationCostParams,
  inBits: number,
  outBits: number,
  channelsPerLane: number,
  fab: Fabric,
): ActivationLane {
  const cmp = Math.ceil(inBits * C.activation.compareLutsPerBit);
  if (a.kind === 'threshold') {
    // Comparators against the thresholds, and the count of those passed (thermometer → binary).
    const lut = a.count * cmp + adderTreeLuts(a.count, 1);
    const mem = a.perChannel ? romCost(channelsPerLane, a.count * inBits, fab) : romCost(0, 0, fab);
    return { lut, ff: outBits, dsp: 0, mem };
  }
  const m = a.multiplierBits;
  const prod = inBits + m;
  let lut = 0;
  let dsp = 0;
  if (!a.perChannel) lut += Math.max(0, a.multiplierOnes - 1) * prod;
  else if (multiplierUsesDsp(inBits, m, fab)) dsp += dspsPerMultiplier(inBits, m, fab);
  else lut += lutMultiplierLuts(inBits, m);
  lut += prod; // + 2^(S−1) rounding
  if (a.variableShift) lut += prod * muxLuts(a.maxShift + 1);
  if (a.hasZero) lut += outBits + 1;
  lut += 2 * Math.ceil(prod * C.activation.compareLutsPerBit) + outBits; // clamp to [min(T), max(T)]
  const width = m + (a.variableShift ? C.activation.shiftBits : 0);
  const mem = a.perChannel ? romCost(channelsPerLane, width, fab) : romCost(0, 0, fab);
  return { lut, ff: prod + outBits, dsp, mem };
}

// ---- the MVAU ---------------------------------------------------------------------------

export interface MvauCostParams {
  pe: number;
  simd: number;
  /** MH outputs, MW inputs per vector. */
  mh: number;
  mw: number;
  operands: MacOperands;
  accBits: number;
  /** Bits of one output element (the activation's, or the accumulator's when none is fused). */
  outBits: number;
  activation?: ActivationCostParams;
}

export interface MvauCost {
  total: Resources;
  /** Per-PE weight ROM (depth NF·SF, width SIMD·wbits); `total` counts it PE times. */
  weightMem: MemCost;
  /** The input buffer that replays each input vector NF times (none when NF = 1). */
  inputBuffer: MemCost;
  activationMem: MemCost;
  lane: LaneCost;
}

export function mvauResources(p: MvauCostParams, fab: Fabric): MvauCost {
  const nf = p.mh / p.pe;
  const sf = p.mw / p.simd;
  const lane = macLane(p.operands, fab);
  const act = p.activation ? activationLane(p.activation, p.accBits, p.outBits, nf, fab) : undefined;
  const perPe = p.simd * lane.lut + adderTreeLuts(treeInputs(lane, p.simd), lane.productBits) + p.accBits + (act?.lut ?? 0);
  const counters = clog2(nf) + clog2(sf);
  const logic = C.mvau.c0 + counters + C.mvau.c1 * p.pe * perPe;
  const weightMem = romCost(nf * sf, p.simd * p.operands.weightBits, fab);
  const inputBuffer = nf > 1 ? ramCost(sf, p.simd * p.operands.inputBits, fab) : ramCost(0, 0, fab);
  const activationMem = act?.mem ?? romCost(0, 0, fab);
  const ff =
    C.mvau.ffC0 +
    counters +
    p.simd * p.operands.inputBits + // input register
    p.pe * (p.simd * lane.ff + p.accBits + p.outBits + (act?.ff ?? 0));
  const core: Resources = { lut: logic * familyFactor(fab), ff, bram18: 0, dsp: p.pe * (p.simd * lane.dsp + (act?.dsp ?? 0)) };
  const mems = addResources(scale(weightMem, p.pe), inputBuffer, scale(activationMem, p.pe));
  return { total: addResources(core, mems), weightMem, inputBuffer, activationMem, lane };
}

function scale(m: MemCost, n: number): Resources {
  return { lut: m.lut * n, ff: m.ff * n, bram18: m.bram18 * n, dsp: 0 };
}

// ---- streaming engines ------------------------------------------------------------------

export interface WindowCostParams {
  dims: 1 | 2;
  kernel: number;
  /** Input row width W (2-D; ignored for 1-D). */
  rowWidth: number;
  channels: number;
  /** Elements per input word and per output word (the MVAU's SIMD). */
  inElems: number;
  outElems: number;
  bits: number;
}

/**
 * The window generator (FINN's ConvolutionInputGenerator / sliding window): a line buffer
 * of (K−1) input rows (2-D: (K−1)·W·C elements; 1-D: (K−1)·C) plus the current window
 * (K^d·C), in words of the input stream, placed by the memory rule.
 */
export function windowResources(p: WindowCostParams, fab: Fabric): { total: Resources; buffer: MemCost } {
  const k = p.kernel;
  const elements = p.dims === 2 ? (k - 1) * p.rowWidth * p.channels + k * k * p.channels : (k - 1) * p.channels + k * p.channels;
  const buffer = ramCost(Math.ceil(elements / p.inElems), p.inElems * p.bits, fab);
  const counters = 3 * clog2(buffer.depth + 1);
  const outBits = p.outElems * p.bits; // output word: mux, zero padding and register
  const core: Resources = {
    lut: (C.window.c0 + counters + outBits) * familyFactor(fab),
    ff: C.window.ffC0 + counters + outBits,
    bram18: 0,
    dsp: 0,
  };
  return { total: addResources(core, buffer), buffer };
}

export interface PoolCostParams {
  dims: 1 | 2;
  kernel: number;
  stride: number;
  rowWidth: number;
  outRowWidth: number;
  channels: number;
  pe: number;
  bits: number;
  bipolar: boolean;
}

/**
 * Max pooling, PE channels per cycle. Non-overlapping windows (stride ≥ K) keep running
 * maxima: one output row (2-D: Wout·C) or one pixel (1-D: C). Overlapping windows keep
 * K−1 input rows (2-D) or pixels (1-D), like the window generator.
 */
export function poolResources(p: PoolCostParams, fab: Fabric): { total: Resources; buffer: MemCost } {
  const k = p.kernel;
  const elements =
    p.stride >= k
      ? p.dims === 2
        ? p.outRowWidth * p.channels
        : p.channels
      : p.dims === 2
        ? (k - 1) * p.rowWidth * p.channels
        : (k - 1) * p.channels;
  const buffer = ramCost(Math.ceil(elements / p.pe), p.pe * p.bits, fab);
  const cmp = p.bipolar ? 1 : Math.ceil(p.bits * C.activation.compareLutsPerBit) + p.bits; // compare + select (bipolar: OR)
  const counters = 3 * clog2(buffer.depth + 1);
  const core: Resources = {
    lut: (C.pool.c0 + counters + C.mvau.c1 * p.pe * cmp) * familyFactor(fab),
    ff: C.pool.ffC0 + counters + 2 * p.pe * p.bits,
    bram18: 0,
    dsp: 0,
  };
  return { total: addResources(core, buffer), buffer };
}

/** A standalone requant or threshold engine: PE lanes, each serving channels/PE channels. */
export function activationResources(
  a: ActivationCostParams,
  inBits: number,
  outBits: number,
  channels: number,
  pe: number,
  fab: Fabric,
): { total: Resources; mem: MemCost } {
  const lane = activationLane(a, inBits, outBits, channels / pe, fab);
  const core: Resources = {
    lut: (C.activation.standaloneC0 + clog2(channels / pe) + C.mvau.c1 * pe * lane.lut) * familyFactor(fab),
    ff: C.activation.standaloneFfC0 + pe * (lane.ff + inBits),
    bram18: 0,
    dsp: pe * lane.dsp,
  };
  return { total: addResources(core, scale(lane.mem, pe)), mem: lane.mem };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * A stream width converter (FINN's StreamingDataWidthConverter) from `inBits`- to
 * `outBits`-wide words: a buffer of max(in, out) bits for an integer ratio, else of
 * lcm(in, out) bits (FINN's route through an lcm-wide word); a mux picks each output slice.
 */
export function converterResources(inBits: number, outBits: number, fab: Fabric): Resources & { bufferBits: number } {
  const integer = inBits % outBits === 0 || outBits % inBits === 0;
  const bufferBits = integer ? Math.max(inBits, outBits) : (inBits * outBits) / gcd(inBits, outBits);
  const slicesOut = bufferBits / outBits;
  const slicesIn = bufferBits / inBits;
  const counters = clog2(slicesOut) + clog2(slicesIn);
  const lut = (C.converter.c0 + counters + outBits * muxLuts(slicesOut) + (slicesIn > 1 ? slicesIn : 0)) * familyFactor(fab);
  return { lut, ff: C.converter.ffC0 + counters + bufferBits, bram18: 0, dsp: 0, bufferBits };
}

export type FifoImpl = 'registers' | 'srl' | 'lutram' | 'bram';

/** A FIFO of `depth` words of `width` bits: registers, SRL shift registers (Xilinx), LUTRAM or block RAM. */
export function fifoResources(depth: number, width: number, fab: Fabric): Resources & { impl: FifoImpl } {
  const ptr = 2 * clog2(depth + 1);
  const ctl = C.fifo.c0 + ptr;
  if (depth <= 2)
    return { lut: ctl * familyFactor(fab) + width, ff: C.fifo.ffC0 + ptr + depth * width, bram18: 0, dsp: 0, impl: 'registers' };
  if (fab.family === 'xilinx' && depth <= C.fifo.srlMaxDepth) {
    return { lut: ctl + width * Math.ceil(depth / C.fifo.srlMaxDepth), ff: C.fifo.ffC0 + ptr + width, bram18: 0, dsp: 0, impl: 'srl' };
  }
  const m = ramCost(depth, width, fab);
  const impl: FifoImpl = m.kind === 'bram' ? 'bram' : m.kind === 'lutram' ? 'lutram' : 'registers';
  return { lut: ctl * familyFactor(fab) + m.lut, ff: C.fifo.ffC0 + ptr + m.ff, bram18: m.bram18, dsp: 0, impl };
}

// ---- device peak compute (roofline) -------------------------------------------------------

/**
 * MAC lanes a device could hold at one precision: its DSPs (when the product maps to DSPs)
 * plus its LUTs, at the marginal cost of one more SIMD lane (multiplier + its share of the
 * adder tree, one adder of product width, × c1 and the family factor). Control overhead is
 * left out: this is a ceiling.
 */
export function peakMacLanes(op: MacOperands, fab: Fabric, capacity: { lut: number; dsp: number }): number {
  const f = familyFactor(fab) * C.mvau.c1;
  const lane = macLane(op, fab);
  const addShare = (lane.productBits + 1) / lane.group;
  if (lane.dsp > 0) {
    const dspLanes = Math.floor(capacity.dsp / lane.dsp);
    const lutLeft = Math.max(0, capacity.lut - dspLanes * addShare * f);
    const lutLaneCost = (lutMultiplierLuts(op.weightBits, op.inputBits) + addShare) * f;
    return dspLanes + Math.floor(lutLeft / lutLaneCost);
  }
  return Math.floor(capacity.lut / ((lane.lut + addShare) * f));
}
