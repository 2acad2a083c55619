/**
 * Analytical LUT / FF / BRAM18 / DSP estimates of every engine, as functions of plain
 * parameters (hardware.md §4). Nothing here reads the network model: the engine
 * descriptors (engines/) map an engine to these parameters, so a calibration script can
 * sweep them directly.
 *
 * Form (FINN-R, Blott et al. 2018): LUT ≈ c0 + c1·PE·(mult + addertree + acc + thr + comp)
 * + memories, with one term per structure the template instantiates (hw-templates/*.sv:
 * counters, multipliers, adder trees, accumulators, requant and threshold lanes, ROMs,
 * buffers, pipeline and skid registers). Each term is computed in Xilinx LUT6 (and FF)
 * units and has its own fitted coefficient per family (constants.ts `fit`, calibrated
 * against Yosys by `npm run calibrate`): on iCE40 the coefficients turn LUT6 logic into
 * LUT4 cells, which differs by structure (an adder is one cell per bit on both, a mux or
 * a multiplier about twice as many). Memories are counted natively per family (memory.ts)
 * and scaled by their engine's `rom` / `ram` coefficient.
 *
 * DSP rule (`multiplierDsps`): what Yosys does with the template's multipliers — its
 * `mul2dsp` width test on the operand widths the RTL declares. Only int × int products and
 * the requant multiplier are multipliers; pow2 weights are shifts and bipolar weights XNORs
 * or negations.
 */
import { COST_CONSTANTS as C, type DspMapping, type FamilyFit, type FitSet } from './constants.js';
import {
  addResources,
  clog2,
  compareForms,
  multiplierFabric,
  muxLuts,
  selectLuts,
  type Fabric,
  type Family,
  type Resources,
} from './fabric.js';
import { ramCopiesWrittenTogether, ramCost, romCost, type MemCost } from './memory.js';
import { bracket } from './interpolate.js';
import { isPowerOfTwo, signedBitsFor } from '../model/qtype.js';

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
  /** Input type is iN (default: uN). Only decides the DSP test for 1-bit operands. */
  inputSigned?: boolean;
  /** Int weights are iN (default) or uN. */
  weightSigned?: boolean;
  /**
   * Set when the weights are hard-wired (NF·SF = 1: one weight per lane, qnn_mvau's
   * WEIGHT_WORD): an int lane is a multiply by its constant (`constantMultiplier`), a pow2
   * lane is wiring and a bipolar weight a sign for the adder tree. `products`: the
   * constants of the products synthesis keeps (equal ones merged), shared by `lanes`
   * lanes; a lane costs their sum over `lanes`. `matrix`: the weights, one row of SIMD per
   * PE, for the adder trees (`hardWiredTreeLuts`). `negatedLeaves`: signed int weights
   * multiplied by the template (not mul=lut), whose negative constants qnn_mvau builds as
   * ~(a·|w|), the +1 added once at the root (its g_const_mul): a multiply by |w|, and a
   * leaf as narrow as a positive one; `products` are then odd magnitudes. `negativeProducts`:
   * of those, the ones a PE complements (a negative constant), as synthesis keeps them.
   */
  hardWired?: {
    products: ArrayLike<number>;
    negativeProducts: ArrayLike<number>;
    lanes: number;
    matrix: Int32Array;
    negatedLeaves?: boolean;
  };
}

/** The fitted coefficients of the fabric's family (UltraScale+ parts: the xcup set). */
function fitOf(fab: Fabric): FamilyFit {
  return C.fit[fitSetOf(fab)];
}

/** The coefficient set of the fabric: UltraScale+ (synth_xilinx -family xcup) has its own; 7-series parts the Xilinx one. */
export function fitSetOf(fab: Fabric): FitSet {
  return fab.family === 'xilinx' && fab.xilinxArch === 'xcup' ? 'xcup' : fab.family;
}

/** Bits of the non-negative integer v (0 for 0). */
export function bitLength(v: number): number {
  return v <= 0 ? 0 : Math.floor(Math.log2(v)) + 1;
}

/** A nonzero integer as odd · 2^shift: what `wreduce` leaves of a constant operand, and its shift. */
function oddPart(w: number): { odd: number; shift: number } {
  let odd = w;
  let shift = 0;
  while (odd % 2 === 0) {
    odd /= 2;
    shift++;
  }
  return { odd, shift };
}

/** |w| without its trailing zeros (0 for 0): the product x·w is x·that, shifted. */
export function oddMagnitude(w: number): number {
  return w === 0 ? 0 : Math.abs(oddPart(w).odd);
}

// ---- multipliers and MAC lanes --------------------------------------------------------

/** One operand of a multiplier as the RTL declares it. */
export interface MulOperand {
  bits: number;
  /** A signed value (iN, the accumulator); an unsigned one enters the product zero-extended, one bit wider. */
  signed: boolean;
}

/**
 * DSP blocks Yosys gives one A × B multiplier whose result has `productBits` bits; 0 when
 * it stays in LUTs (no DSPs on the part, or too narrow). Mirrors Yosys 0.23: `wreduce`
 * first (a zero-extended unsigned operand is one bit wider than its type, unless both
 * are unsigned, when the product becomes an unsigned one; the product has at most
 * A + B bits), then `mul2dsp` (constants.ts `dsp`): too narrow an operand or product
 * stays in LUTs; a DSP48's signed-only ports take back the bit of an unsigned product;
 * a wider product is cut into slices, each tested again (a 1-bit leftover slice stays
 * in LUTs). Constant operands count as variable: Yosys maps multipliers before it knows
 * a ROM's contents.
 */
export function multiplierDsps(a: MulOperand, b: MulOperand, productBits: number, fab: Fabric): number {
  return multiplierMapping(a, b, productBits, fab).dsp;
}

/**
 * What Yosys builds around the DSPs of a multiplier `mul2dsp` cuts into slices (an operand
 * wider than the DSP's port, e.g. a 17-bit signed M on a 16-bit SB_MAC16): the adders that
 * join the slices' products (one of the product's width per cut) and a leftover slice too
 * narrow for a DSP (a LUT multiplier). LUT6 before the fitted coefficient; 0 when the
 * multiplier is one DSP or stays in LUTs.
 */
export function multiplierSliceLuts(a: MulOperand, b: MulOperand, productBits: number, fab: Fabric): number {
  return multiplierMapping(a, b, productBits, fab).sliceLuts;
}

interface MulMapping {
  dsp: number;
  sliceLuts: number;
}

function multiplierMapping(a: MulOperand, b: MulOperand, productBits: number, fab: Fabric): MulMapping {
  if (!fab.dspAvailable) return { dsp: 0, sliceLuts: 0 };
  const p = dspMappingOf(fab);
  const unsignedProduct = !a.signed && !b.signed;
  let aw = a.bits + (a.signed || unsignedProduct ? 0 : 1);
  let bw = b.bits + (b.signed || unsignedProduct ? 0 : 1);
  const y = Math.min(productBits, aw + bw);
  if (!mapsToDsp(aw, bw, y, p)) return { dsp: 0, sliceLuts: 0 };
  if (unsignedProduct && p.signedOnly) {
    aw++;
    bw++;
  }
  return mul2dsp(Math.max(aw, bw), Math.min(aw, bw), y, p);
}

/** The DSP mapping rule of the fabric's synthesis (DSP48E1, DSP48E2 on UltraScale+, SB_MAC16). */
export function dspMappingOf(fab: Fabric): DspMapping {
  return fab.family === 'xilinx' && fab.xilinxArch === 'xcup' ? C.dsp.xcup : C.dsp[fab.family];
}

function mapsToDsp(a: number, b: number, y: number, p: DspMapping): boolean {
  return a >= p.minOperandBits && b >= p.minOperandBits && y >= p.minProductBits;
}

/**
 * Yosys mul2dsp.v on a (sub-)product: slices of A first, then of B, each tested again. Each
 * cut adds the narrower slice's product (its width) to the rest; a leftover slice too
 * narrow for a DSP is a LUT multiplier (a 1-bit one an AND row, absorbed by that adder).
 */
function mul2dsp(a: number, b: number, y: number, p: DspMapping, top = true): MulMapping {
  if (!mapsToDsp(a, b, y, p)) return { dsp: 0, sliceLuts: top || Math.min(a, b) <= 1 ? 0 : lutMultiplierLuts(a, b) };
  const h = p.signedOnly ? 1 : 0;
  const split = (n: number, full: MulMapping, last: MulMapping, lastWidth: number): MulMapping => ({
    dsp: n * full.dsp + last.dsp,
    sliceLuts: n * full.sliceLuts + last.sliceLuts + n * lastWidth,
  });
  if (a > p.aMaxBits) {
    const step = p.aPartialBits - h;
    const n = Math.floor((a - p.aMaxBits + step - 1) / step);
    const last = a - n * step;
    return split(n, mul2dsp(p.aPartialBits, b, Math.min(y, b + p.aPartialBits), p, false), mul2dsp(last, b, b + last, p, false), b + last);
  }
  if (b > p.bMaxBits) {
    const step = p.bMaxBits - h;
    const n = Math.floor((b - p.bMaxBits + step - 1) / step);
    const last = b - n * step;
    return split(n, mul2dsp(a, p.bMaxBits, Math.min(y, a + p.bMaxBits), p, false), mul2dsp(a, last, a + last, p, false), a + last);
  }
  return { dsp: 1, sliceLuts: 0 };
}

/** Whether an a × b multiply of two signed values goes to DSP blocks (`multiplierDsps`). */
export function multiplierUsesDsp(aBits: number, bBits: number, fab: Fabric): boolean {
  return dspsPerMultiplier(aBits, bBits, fab) > 0;
}

/** DSP blocks for one a × b multiply of two signed values, full product (0: it stays in LUTs). */
export function dspsPerMultiplier(aBits: number, bBits: number, fab: Fabric): number {
  return multiplierDsps({ bits: aBits, signed: true }, { bits: bBits, signed: true }, aBits + bBits, fab);
}

/**
 * A LUT multiplier of an a-bit by a b-bit operand, by formula: a·b + 2·(a − 2)·(b − 2) LUT6
 * (an AND row for a 1-bit operand). It prices the products wider than the measured table
 * (`lutMultiplierLutsOn`): a per-channel requant's x · M, a slice left from a DSP split, a
 * wide `mul=lut` lane. Fitted on Yosys 0.23 `synth_xilinx -nodsp` (and the flow's commands
 * after it) of registered products; beyond the table it is within 13 % of what Yosys builds
 * (i16 × i16: 648 for 571; test/synth/lut-multiplier.test.ts). FINN-R's
 * (2⌈(a+b)/6⌉ − 1)·(a+b), used before, jumps where a + b passes a multiple of 6 and grows
 * too slowly past it (i16 × i16: 352).
 */
export function lutMultiplierLuts(aBits: number, bBits: number): number {
  return aBits * bBits + 2 * Math.max(0, aBits - 2) * Math.max(0, bBits - 2);
}

/** The table's key for a w-bit weight, signed or not, times an a-bit input (a 1-bit input is unsigned): `3x4u`, `u3x4s`. */
export function lutMultiplierKey(w: number, wSigned: boolean, a: number, aSigned: boolean): string {
  return `${wSigned ? '' : 'u'}${w}x${a}${aSigned && a > 1 ? 's' : 'u'}`;
}

/**
 * A LUT multiplier of a w-bit weight by an a-bit input on the fabric: what Yosys builds for
 * it as measured by `npm run calibrate` (COST_CONSTANTS.lutMultipliers: signed and unsigned
 * weights of 2 to 8 bits times signed or unsigned inputs of 1 to 8 bits), the formula beyond.
 * The formula is a fit across widths and cannot follow how unevenly the synthesised size
 * grows: i3 × u4 is 10 LUT6 built and 16 by the formula, i5 × u5 33 and 43, i8 × i8 150 and
 * 136, and UltraScale+ builds i5 × u4 from 51 where 7 series takes 30; iCE40 LUT4s are
 * another table again. An unsigned weight has entries of its own: zero-extended, it is not
 * a signed weight a bit wider, whose top bit varies (u4 × u4 is 22 LUT6 on UltraScale+, i5 ×
 * u4 51; before these entries held_dense5's six u4 × u4 lanes were priced at 51 each).
 */
export function lutMultiplierLutsOn(fab: Fabric, w: number, wSigned: boolean, a: number, aSigned: boolean): number {
  const measured = C.lutMultipliers[fitSetOf(fab)][lutMultiplierKey(w, wSigned, a, aSigned)];
  return measured ?? lutMultiplierLuts(w, a);
}

/**
 * One multiply lane: its LUT6 logic (before its fitted coefficient), FFs and DSPs, and what
 * it feeds the adder tree: `group` lanes are merged into one `productBits`-wide value before
 * the tree (1 for every lane of qnn_mvau; FINN-R's XNOR-popcount packs 3 pairs per LUT6,
 * which Yosys does not find in our tree). `lut` and `ff` are per lane; the MVAU template
 * registers the tree's root, not the products, so `ff` is 0. `negates`: the lane feeds the
 * tree a one's complement and the MVAU adds the count of negated lanes at the root
 * (pow2 weights, and one bipolar operand).
 */
export interface LaneCost {
  lut: number;
  ff: number;
  dsp: number;
  productBits: number;
  group: number;
  negates?: boolean;
  /**
   * What the lane is, for its fitted coefficient: an int multiplier ('mul', in LUTs or a
   * DSP), a hard-wired constant multiply ('const'), a pow2 shift-and-negate ('pow2'), a
   * conditional negation ±a / ±w ('neg'), an XNOR ('xnor').
   */
  variant: 'mul' | 'const' | 'pow2' | 'neg' | 'xnor';
  /**
   * Hard-wired weights on iCE40: the mean LUT4s a lane needs only to hand an SB_CARRY its
   * operand, the inverted input bits of a negative constant (`carryInverters`) and the
   * bits of a narrow product (`narrowProductLuts`).
   */
  carryOperands?: number;
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
  const bits = bitLength(x);
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

/** Bits of a nonzero integer as Yosys' `wreduce` leaves a constant operand: unsigned when positive, else two's complement. */
function constantOperand(v: number): MulOperand {
  return v > 0 ? { bits: bitLength(v), signed: false } : { bits: Math.ceil(Math.log2(-v)) + 1, signed: true };
}

/**
 * What Yosys builds for `a × w`, w a constant (a hard-wired weight, after `opt_expr` and
 * `wreduce`): the constant's trailing zeros become a shift and its redundant sign bits go;
 * a product of two non-negative operands becomes unsigned. What is left is a DSP by the
 * fabric's rule on those widths (u8 × 5 is 8 × 3 bits: a SB_MAC16; u8 × 3 and u8 × 6 are
 * 8 × 2 bits, under its 11-bit product: LUTs), else shift-and-add LUTs; 0 and 2^e are wiring.
 */
export function constantMultiplier(w: number, a: MulOperand, productBits: number, fab: Fabric): { dsp: number; lut: number } {
  if (w === 0) return { dsp: 0, lut: 0 };
  const { odd, shift } = oddPart(w);
  const dsp = odd === 1 ? 0 : multiplierDsps(a, constantOperand(odd), productBits - shift, fab);
  return { dsp, lut: dsp > 0 ? 0 : constantMultiplierLuts(w, a.bits) };
}

/**
 * The widest input whose products by a hard-wired int weight are no shift-and-add
 * multipliers (the tree adds them narrowed, `hardWiredTreeLuts`). Measured on the sweep's
 * and the held-out MMV convs: u2 inputs fit (held_mmv1, u2 × u4: +165 % → +3 % on xc7
 * before the refit), u4 inputs do not (the sweep's MMV LUT median went 19 → 36 % on xc7
 * with them). On a LUT6 fabric such a product costs nothing of its own (the tree's first
 * adders take it into their LUTs); on iCE40 its bits that are not wires are LUT4s
 * (`narrowProductLuts`).
 */
const WIRED_PRODUCT_INPUT_BITS = 2;

/**
 * LUT4s of x · w on iCE40 where x has at most WIRED_PRODUCT_INPUT_BITS bits: each product
 * bit is a function of x's few bits, and an SB_CARRY takes its operands straight from nets,
 * so every bit that is neither constant nor one of x's bits is a LUT4 of its own (equal
 * functions are one: ABC merges them). Counted on |w|'s product, over x's range.
 */
export function narrowProductLuts(w: number, a: MulOperand, productBits: number): number {
  const c = Math.abs(Math.trunc(w));
  if (c === 0) return 0;
  const lo = a.signed ? -(2 ** (a.bits - 1)) : 0;
  const hi = a.signed ? 2 ** (a.bits - 1) - 1 : 2 ** a.bits - 1;
  const trivial = new Set<string>();
  const column = (f: (x: number) => number): string => {
    let t = '';
    for (let x = lo; x <= hi; x++) t += f(x);
    return t;
  };
  trivial.add(column(() => 0)).add(column(() => 1));
  for (let i = 0; i < a.bits; i++) trivial.add(column((x) => Number((BigInt.asUintN(a.bits, BigInt(x)) >> BigInt(i)) & 1n)));
  const seen = new Set<string>();
  for (let k = 0; k < productBits; k++) {
    const t = column((x) => Number((BigInt.asUintN(productBits, BigInt(x * c)) >> BigInt(k)) & 1n));
    if (!trivial.has(t)) seen.add(t);
  }
  return seen.size;
}

/** `constantMultiplier` summed over a hard-wired layer's products, per lane (cached per products, fabric and widths). */
const constantLaneCache = new WeakMap<object, Map<string, { dsp: number; lut: number; negative: number; narrow: number }>>();
function meanConstantLane(
  op: MacOperands,
  { products: weights, negativeProducts, lanes }: NonNullable<MacOperands['hardWired']>,
  productBits: number,
  fab: Fabric,
): { dsp: number; lut: number; negative: number; narrow: number } {
  const a: MulOperand = { bits: op.inputBits, signed: op.inputSigned ?? false };
  const key = `${fab.family}/${fab.xilinxArch ?? ''}/${fab.dspAvailable}/${a.bits}/${a.signed}/${productBits}`;
  let byKey = constantLaneCache.get(weights);
  if (!byKey) constantLaneCache.set(weights, (byKey = new Map()));
  let mean = byKey.get(key);
  if (!mean) {
    let dsp = 0;
    let lut = 0;
    let negative = 0;
    let narrow = 0;
    // iCE40 narrow products: counted once per distinct weight (a layer has few).
    const narrowOf = a.bits <= WIRED_PRODUCT_INPUT_BITS && fab.family === 'ice40' ? new Map<number, number>() : undefined;
    for (let i = 0; i < weights.length; i++) {
      const c = constantMultiplier(weights[i], a, productBits, fab);
      dsp += c.dsp;
      lut += c.lut;
      if (narrowOf) {
        let v = narrowOf.get(weights[i]);
        if (v === undefined) narrowOf.set(weights[i], (v = narrowProductLuts(weights[i], a, productBits)));
        narrow += v;
      }
    }
    // The complemented products not in DSPs, as synthesis keeps them (opt_merge merges
    // equal complements as it does equal products; with negated leaves counted per negative
    // weight instead, the held-out iCE40 MMV convs' LUT median was 11.2 %, 7.9 % so).
    for (let i = 0; i < negativeProducts.length; i++)
      if (constantMultiplier(negativeProducts[i], a, productBits, fab).dsp === 0) negative++;
    const n = Math.max(lanes, 1);
    mean = { dsp: dsp / n, lut: lut / n, negative: negative / n, narrow: narrow / n };
    byKey.set(key, mean);
  }
  return mean;
}

/**
 * DSPs of one int × int MVAU lane: qnn_mvau's `PRODW'(av) * PRODW'(wv)`, whose product is
 * IN + W bits (u × u: one more, which `wreduce` drops again) capped at the accumulator's.
 */
function intLaneDsps(op: MacOperands, fab: Fabric, accBits: number): number {
  const y = Math.min(op.inputBits + op.weightBits, accBits);
  return multiplierDsps(
    { bits: op.inputBits, signed: op.inputSigned ?? false },
    { bits: op.weightBits, signed: op.weightSigned ?? true },
    y,
    fab,
  );
}

/**
 * Whether a hard-wired lane's negative constant costs an inverter per input bit: on iCE40 an
 * SB_CARRY takes its operands straight from the LUT's inputs, so a subtracted (or one's
 * complemented) unsigned input needs its bits inverted in LUTs of their own (single-input
 * LUT4s, a fifth of the iCEBreaker example's LUTs are such). Fitted on the sweep, the
 * coefficient is 1.05 (one LUT4 an inverted bit); held-out iCE40 MMV convs went 24.0 / 26 →
 * 21.8 / 25 %. On Xilinx the carry chain's LUT inverts the operand itself; a signed input's
 * negation is absorbed there too (measured: few INVs on i4 and i8 inputs).
 */
function carryInverters(fab: Fabric, op: MacOperands): boolean {
  return fab.family === 'ice40' && !(op.inputSigned ?? false);
}

/** One lane; `accBits` caps the product (the template's PRODW), default uncapped. */
export function macLane(op: MacOperands, fab: Fabric, accBits = Infinity): LaneCost {
  const a = op.inputBits;
  // Binarized (FINN's BNN case): XNOR, then a popcount; 2·popcount − MW is folded into the thresholds.
  // qnn_mvau feeds each XNOR to the adder tree as a 2-bit leaf (Yosys builds the popcount as
  // that tree; FINN-R's 3-pairs-per-LUT6 compression is not what it finds).
  if (op.weightKind === 'bipolar' && op.inputBipolar) return { lut: 1, ff: 0, dsp: 0, productBits: 2, group: 1, variant: 'xnor' };
  if (op.weightKind === 'int' && !op.inputBipolar) {
    const pbits = Math.min(op.weightBits + a, accBits);
    if (op.hardWired) {
      const m = meanConstantLane(op, op.hardWired, pbits, fab);
      // On an input of at most WIRED_PRODUCT_INPUT_BITS, each product bit is a function of
      // those few bits: the tree's first adders take it into their LUT6s; iCE40's carry
      // chains need it as a net (`narrowProductLuts`, with the inverters).
      const wired = a <= WIRED_PRODUCT_INPUT_BITS;
      const carryOperands = (carryInverters(fab, op) ? m.negative * a : 0) + (wired ? m.narrow : 0);
      // Negated leaves: the root adds the count of the negative constants (a constant, but
      // an adder all the same: the sweep's iCE40 MMV convs' LUT median 3.7 → 3.1 % with it,
      // xc7 12.0 → 6.5 %, xcup 11.8 → 9.5 %).
      const negates = (op.hardWired.negatedLeaves ?? false) && op.hardWired.negativeProducts.length > 0;
      return {
        lut: wired ? 0 : m.lut,
        ff: 0,
        dsp: m.dsp,
        productBits: pbits,
        group: 1,
        variant: 'const',
        carryOperands,
        ...(negates ? { negates } : {}),
      };
    }
    const dsp = intLaneDsps(op, fab, accBits);
    if (dsp > 0) return { lut: 0, ff: 0, dsp, productBits: pbits, group: 1, variant: 'mul' };
    return {
      lut: lutMultiplierLutsOn(fab, op.weightBits, op.weightSigned ?? true, a, op.inputSigned ?? false),
      ff: 0,
      dsp: 0,
      productBits: pbits,
      group: 1,
      variant: 'mul',
    };
  }
  if (op.hardWired && !op.inputBipolar) {
    // A constant ±1 or ±2^e: wiring, the sign goes to the adder tree.
    const pbits = op.weightKind === 'bipolar' ? a + 1 : a + weightMagnitudeBits(op);
    const negative = op.hardWired.negativeProducts.length;
    const carryOperands = carryInverters(fab, op) ? (negative / Math.max(op.hardWired.lanes, 1)) * a : 0;
    return { lut: 0, ff: 0, dsp: 0, productBits: pbits, group: 1, negates: true, variant: 'const', carryOperands };
  }
  if (op.hardWired && op.inputBipolar) {
    // ±w for a constant w, picked by the input bit: each product bit is a constant, the bit
    // or its complement (no logic), and the tree adds them (hardWiredTreeLuts, 1-bit input).
    return { lut: 0, ff: 0, dsp: 0, productBits: weightMagnitudeBits(op) + 1, group: 1, variant: 'const' };
  }
  // ±a: a conditional one's complement (XOR per bit), the +1 counted at the root.
  if (op.weightKind === 'bipolar') return { lut: a, ff: 0, dsp: 0, productBits: a + 1, group: 1, negates: true, variant: 'neg' };
  // ±w for a bipolar input: the decoded weight, conditionally complemented.
  if (op.inputBipolar) {
    const m = weightMagnitudeBits(op);
    return { lut: m, ff: 0, dsp: 0, productBits: m + 1, group: 1, negates: true, variant: 'neg' };
  }
  // pow2<N>: a << (k−1) for k in 0…r (0 = zero weight), then the sign: an (r+1):1 mux per
  // output bit plus a conditional complement.
  const r = 2 ** (op.weightBits - 1) - 1;
  const pbits = a + r; // a shifted by up to r−1, plus a sign bit
  return { lut: pbits * (muxLuts(r + 1) + 1), ff: 0, dsp: 0, productBits: pbits, group: 1, negates: true, variant: 'pow2' };
}

const hardWiredTreeCache = new WeakMap<Int32Array, Map<string, number>>();
/**
 * The mean adder tree of a PE whose products are constants (hard-wired weights): Yosys
 * drops the zero products and the trailing zeros of each constant (x·2^e·c is x·c with e
 * zero bits below, which no adder sees), so each PE sums only its non-zero products, each
 * as wide as (2^a − 1)·|c| needs (and a sign bit when the input is signed or c negative).
 * With `signedLeafBits` (hard-wired int weights), a PE on a signed input, or with a negative
 * constant whose leaf is not negated, adds leaves of that full width instead: the leaves
 * are sign-extended products, and `wreduce` narrows only adders whose top bits are zero
 * (measured before the negated leaves: u2 × i4 and u2 × u4 versions of one conv, 715 and
 * 479 LUTs). With `negatedLeaves` a negative constant's leaf is ~(x·|c|), narrow, but the
 * PE's tree is the `$macc` below on every fabric (the sweep's u2 × i4 MMV convs mmv3 and
 * mmv4 were 45 and 46 % under on xc7 as narrowed binary trees). Such a
 * full-width tree is priced as Yosys builds it on the fabric, the carry-save `$macc` of
 * `adderTreeLutsOn`, not as a binary tree of carry-chain adders: the sweep's u2 × i4 MMV
 * convs (mmv3, 20 leaves a PE; mmv4, 9) were 52 and 36 % under on xc7, 31 and 28 % on iCE40,
 * as binary trees; 26 and 24 %, 7 and 7 %, with the measured table (after the refit). On
 * iCE40 the narrowed leaves' tree is that `$macc` too, at their mean width: its full adders
 * are two LUT4s a bit (sum and carry, each a LUT3), where a LUT6 fabric's binary tree is
 * close to what it builds (a u2 × u4 conv, PE 4 × SIMD 6: 281 LUT4s, 68 SB_CARRYs, 110
 * of the LUTs 3-input).
 */
export function hardWiredTreeLuts(
  fab: Fabric,
  matrix: Int32Array,
  simd: number,
  inputBits: number,
  inputSigned: boolean,
  signedLeafBits = 0,
  negatedLeaves = false,
): number {
  const key = `${fitSetOf(fab)}/${inputBits}/${inputSigned}/${simd}/${signedLeafBits}/${negatedLeaves}`;
  let byKey = hardWiredTreeCache.get(matrix);
  if (!byKey) hardWiredTreeCache.set(matrix, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit !== undefined) return hit;
  const maxIn = 2 ** inputBits - 1;
  const pes = Math.floor(matrix.length / simd);
  let total = 0;
  for (let r = 0; r < pes; r++) {
    let n = 0;
    let bits = 0;
    let negative = false;
    for (let j = 0; j < simd; j++) {
      const w = matrix[r * simd + j];
      if (w === 0) continue;
      n++;
      negative ||= w < 0;
      bits += bitLength(maxIn * Math.abs(oddPart(w).odd)) + (inputSigned || w < 0 ? 1 : 0);
    }
    const full = signedLeafBits > 0 && (inputSigned || (negative && !negatedLeaves));
    const leafBits = full ? signedLeafBits : Math.round(bits / n);
    // Yosys' carry-save $macc, as measured for the fabric: full-width sign-extended leaves,
    // narrowed ones with a negated leaf among them, and on iCE40 the narrowed ones too (its
    // full adders are two LUT4s a bit).
    const macc = signedLeafBits > 0 && (inputSigned || negative || fab.family === 'ice40');
    total += n > 1 ? (macc ? adderTreeLutsOn(fab, n, leafBits) : adderTreeLuts(n, leafBits)) : 0;
  }
  const mean = pes > 0 ? total / pes : 0;
  byKey.set(key, mean);
  return mean;
}

/** The adder-tree table's key for `n` leaves of `bits` bits: `32x4`. */
export function adderTreeKey(n: number, bits: number): string {
  return `${n}x${bits}`;
}

/** The table's leaf counts and leaf widths, read off its keys (sorted; cached per table). */
const adderTreeGrids = new WeakMap<object, { leaves: number[]; bits: number[] }>();
function adderTreeGrid(table: Readonly<Record<string, number>>): { leaves: number[]; bits: number[] } {
  const hit = adderTreeGrids.get(table);
  if (hit) return hit;
  const keys = Object.keys(table).map((k) => k.split('x').map(Number) as [number, number]);
  const sorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  const grid = { leaves: sorted(keys.map((k) => k[0])), bits: sorted(keys.map((k) => k[1])) };
  adderTreeGrids.set(table, grid);
  return grid;
}

/**
 * An MVAU's adder tree of `n` leaves of `bits` bits on the fabric, as Yosys builds it: one
 * `$macc` (alumacc merges the tree), a carry-save tree of full adders and a final adder,
 * about two LUTs per leaf bit past a handful of leaves where a binary tree of carry-chain
 * adders (`adderTreeLuts`) would take one. Measured by `npm run calibrate`
 * (COST_CONSTANTS.adderTrees: 2 to 64 leaves of 1 to 16 bits), linear between its points
 * and beyond them.
 */
export function adderTreeLutsOn(fab: Fabric, n: number, bits: number): number {
  if (n <= 1) return 0;
  const table = C.adderTrees[fitSetOf(fab)];
  const exact = table[adderTreeKey(n, bits)];
  if (exact !== undefined) return exact;
  const grid = adderTreeGrid(table);
  const [n0, n1, tn] = bracket(grid.leaves, n);
  const [b0, b1, tb] = bracket(grid.bits, bits);
  // The grid is complete (every leaf count at every width: calibrate measures it so).
  const at = (nn: number, bb: number): number => table[adderTreeKey(nn, bb)]!;
  const lo = at(n0, b0) + tb * (at(n0, b1) - at(n0, b0));
  const hi = at(n1, b0) + tb * (at(n1, b1) - at(n1, b0));
  return Math.max(0, lo + tn * (hi - lo));
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

// ---- skid buffer ------------------------------------------------------------------------

/**
 * qnn_skid, the output stage of the MVAU and the standalone activations: the output
 * register and the skid register, each `width` data bits + tlast, two valid flags, and a
 * 2:1 mux in front of the output register (one LUT per bit on both families).
 */
export function skidResources(width: number): Resources {
  return { lut: width + 1 + C.skid.lutC0, ff: 2 * (width + 1) + 2, bram18: 0, dsp: 0 };
}

// ---- activations (thresholds and requantizers) --------------------------------------------

/**
 * What an activation costs depends on its constants: one shared set is hard-wired
 * (comparators against constants, a constant multiply), a set per channel is a ROM of
 * NF entries per PE lane (each lane serves NF = channels/PE channels in turn).
 */
export type ActivationCostParams = (
  | {
      kind: 'threshold';
      /** Thresholds per channel (2^B − 1; bipolar out: 1). */
      count: number;
      perChannel: boolean;
      /**
       * A shared set's comparators that are not constant: its distinct thresholds inside
       * (min, max] of the compared value (x ≥ T is always true for T ≤ min, never for
       * T > max, and equal thresholds are one comparator). Default: `count`.
       */
      distinct?: number;
      /**
       * A shared set's thresholds inside (min, max] with equal ones each counted: the
       * comparisons qnn_act_lane's count adds that are not constants (equal ones are one
       * comparator but two bits of the sum). Default: counted from `comparators`.
       */
      live?: number;
      /**
       * Bits of the comparison as a signed number: the RTL's CW (a stand-alone engine's uB
       * input is B + 1: qnn_act_stream widens it with a 0, which synthesis cannot drop; a
       * threshold clipped to max + 1 can add a bit).
       */
      compareBits: number;
      /**
       * The comparators the RTL builds, as each PE lane reads them: for each lane, each
       * comparator's threshold on each channel the lane serves, clipped to [min, max + 1] as
       * the ROM holds them. A shared set is one lane of its distinct values, one channel each.
       * Xilinx prices them from their bits (`laneCompareLuts`), iCE40 by which are one
       * constant on all of a lane's channels (`ice40LaneCompare`).
       */
      comparators: number[][][];
      /**
       * What the thresholds are clipped to: [min, max + 1] of the compared value. x ≥ T is
       * always true at the first and never at the second.
       */
      clip: readonly [number, number];
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
      /** The per-channel shifter's levels in a stand-alone engine (default: all of maxShift's bits). */
      shiftLevels?: number;
      /**
       * Bits of S that differ between a lane's channels: the shifter's levels after an MVAU,
       * where S reaches the lane through the activation ROM's pipeline registers and
       * synthesis builds a level for each (default: `shiftLevels`).
       */
      shiftVaryingBits?: number;
      /** The zero point, added after the shift. */
      zero: number;
      /** The output type is iN (else uN). */
      outSigned: boolean;
      /**
       * The multiplier's width in the RTL (the layer's `mbits`, template MBITS; default
       * `defaultMbits`): Yosys decides DSP or LUTs on it, before the ROM's constants
       * narrow it to `multiplierBits`.
       */
      mbits?: number;
      /** A standalone requant's input type is iN (default) or uN; fused, the accumulator is signed. */
      inputSigned?: boolean;
    }
) & {
  /**
   * A per-channel activation ROM's distinct non-constant bit columns, counted on its image
   * (PE entries per word; memory.ts `romImageColumns`). Default: the bound depth allows.
   */
  romColumns?: number;
};

export type RequantCostParams = Extract<ActivationCostParams, { kind: 'requant' }>;

export interface ActivationLane {
  /** LUT6 logic of one lane (before c1 and the family factor). */
  lut: number;
  ff: number;
  dsp: number;
  /** The lane's constant memory, as if it had its own ROM (per PE lane). */
  mem: MemCost;
  /** Bits of the lane's entry in the activation ROM, whose words hold PE entries (0: no ROM). */
  memWidth: number;
  /** Output bits that are distinct registers (a requant that never clamps: its value's bits; else all). */
  liveBits: number;
  /**
   * Of `lut`, a requant's multiplier in LUTs (with a DSP: the adders joining its slices), its
   * per-channel shifter, and its + 2^(S−1) rounding adder where that is in LUTs.
   */
  mulLut: number;
  shiftLut: number;
  roundLut: number;
}

/**
 * qnn_act_lane's clamp and zero point: the shifted value is compared with the output range
 * moved by −ZERO (constants), then ZERO is added to the OUT_BITS kept. The value is as wide
 * as synthesis sees it: x times the MBITS-wide M (the ROM's constants reach synthesis after
 * the multiplier is built) plus the rounding carry, less the S bits a shared S shifts out
 * (the template's SHIFT, or a lane's one-entry ROM); a per-channel S leaves all of them. A
 * compare the value's range cannot fail is not built (an unsigned x is never below a range
 * that starts at or below 0). With neither compare nor zero point, y is the value itself:
 * only its bits are distinct (the others are 0 or copies of its sign, and synthesis keeps
 * one register of each).
 */
export function requantClamp(
  a: RequantCostParams,
  inBits: number,
  outBits: number,
  /** Channels each lane serves: one is a one-entry ROM, a constant S per lane, that synthesis sees. */
  channelsPerLane: number,
  /**
   * The template's CLAMP_TEST (`compareForms`: iCE40): a bound at a power of two is a test
   * of the value's top bits, on the template's CW-bit value, a bit wider than `bits` in a
   * stand-alone engine (`widened`: it sees x widened by a sign bit).
   */
  clampTest?: { widened: boolean },
): { lut: number; liveBits: number } {
  const full = inBits + (a.mbits ?? C.activation.defaultMbits) + 1;
  const bits = a.variableShift && channelsPerLane > 1 ? full : Math.max(1, full - a.maxShift);
  const signedIn = a.inputSigned ?? true;
  const vLo = signedIn ? -(2 ** (bits - 1)) : 0;
  const vHi = signedIn ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const yLo = a.outSigned ? -(2 ** (outBits - 1)) : 0;
  const yHi = a.outSigned ? 2 ** (outBits - 1) - 1 : 2 ** outBits - 1;
  const xLo = yLo - a.zero;
  const xHi = yHi - a.zero;
  const width = Math.max(bits, signedBitsFor(xLo, xLo), signedBitsFor(xHi, xHi));
  // iCE40 (CLAMP_TEST) compares the template's CW-bit value, a bit wider stand-alone.
  const cw = clampTest ? Math.max(bits + (clampTest.widened ? 1 : 0), signedBitsFor(xLo, xLo), signedBitsFor(xHi, xHi)) : width;
  const none = { built: 0, lut: 0 };
  /** One compare, against a bound that is 2^k − 1 or −2^k (k; −1: the bound 0), or neither (undefined). */
  const compare = (needed: boolean, k: number | undefined): { built: number; lut: number } => {
    if (!needed) return none;
    if (!clampTest) return { built: 1, lut: Math.ceil(width * C.activation.compareLutsPerBit) };
    // `<` or `>` against any other constant is a CW-bit subtraction on the carry chain, about a
    // LUT4 a bit (measured before CLAMP_TEST, the sweep's rq10 and rq16: 7.5 LUT4s a lane for
    // `wide < 0` on CW = 6, 15 on CW = 10).
    if (k === undefined) return { built: 1, lut: cw };
    // A test: 0 is the sign (no LUT), 2^k − 1 and −2^k an OR or AND of the bits from k up with
    // the sign (a LUT4 tree); for k ≥ CW − 1 the value cannot pass the bound.
    if (k >= cw - 1) return none;
    return { built: 1, lut: k < 0 ? 0 : Math.ceil((cw - k - 1) / 3) };
  };
  const pow2Exponent = (v: number): number | undefined => (isPowerOfTwo(v) ? Math.log2(v) : undefined);
  const lower = compare(vLo < xLo, xLo === 0 ? -1 : pow2Exponent(-xLo));
  const upper = compare(vHi > xHi, pow2Exponent(xHi + 1));
  const compares = lower.built + upper.built;
  const lut = lower.lut + upper.lut + (compares > 0 ? outBits : 0) + (a.zero !== 0 ? outBits : 0);
  return { lut, liveBits: compares === 0 && a.zero === 0 ? Math.min(outBits, bits) : outBits };
}

/**
 * The propagate and generate LUTs of one chunk (bits hi − k to hi − 1) of `x ≥ T` on a
 * `width`-bit signed x, against T's constant bits `chunk`, as synth_xilinx builds it (Yosys'
 * cmp2lcu with LUT_WIDTH 6): while the threshold still reaches the comparison from a
 * register, both operands count as inputs, so the comparison is cut into chunks of 3 bits
 * from the MSB, each with a propagate (its bits equal) and a generate (its x above its T)
 * feeding one carry chain. Once T is known to be constant, a propagate over two or more bits
 * is one LUT (over one bit: a wire where T's bit is 1, else an inverter), and a generate is
 * none where the chunk of T is all ones (x cannot exceed it) or 0 followed by ones (x's top
 * bit decides) — except in the sign chunk, whose bits compare in offset binary, so that top
 * bit is x's sign inverted (a LUT). Measured exactly on 53 single-threshold blocks, PE 16, i8
 * to i16, u6 and u8 inputs (Yosys 0.23, xc7 and xcup alike): an i12 lane costs 4 LUTs at
 * T = 2047, 6 at 1515, 8 at 853 or 0.
 */
function chunkLuts(width: number, hi: number, k: number, chunk: number): { propagate: number; generate: number } {
  const top = hi === width;
  // The sign chunk compares in offset binary: its top bit flipped.
  const c = top ? chunk ^ (1 << (k - 1)) : chunk;
  const allOnes = c === (1 << k) - 1;
  const topBitDecides = c === (1 << (k - 1)) - 1;
  return { propagate: k >= 2 || c === 0 ? 1 : 0, generate: allOnes || (topBitDecides && !top) ? 0 : 1 };
}

/**
 * LUTs of one lane's comparators `x ≥ T_i` on Xilinx, where `comparators[i]` holds T_i on
 * each channel the lane serves (one value: a constant). Wider than 6 bits, cmp2lcu's chunks
 * of 3 bits (`chunkLuts`): a chunk whose bits of T are the same on every
 * channel is priced as against that constant, any other has a propagate and a generate LUT
 * (3 bits of x and at most 3 register bits each); comparators whose chunks hold the same bits
 * share those LUTs (equal logic on the same x merges). Up to 6 bits, a chain of two chunks is
 * plain logic (Yosys maps no carry chain for it) that ABC packs: one LUT6 per comparator where
 * x and T's distinct varying bits (equal register columns merge) are at most 6 inputs, else a
 * propagate and a generate LUT per chunk.
 */
export function laneCompareLuts(width: number, xBits: number, comparators: readonly (readonly number[])[]): number {
  // Two's complement bits as plain numbers (exact to 52 bits; a comparison is far narrower).
  const span = 2 ** width;
  const unsigned = (v: number): number => ((v % span) + span) % span;
  const bitsOf = (w: number, lo: number, k: number): number => Math.floor(w / 2 ** lo) % 2 ** k;
  const seen = new Set<string>();
  let luts = 0;
  const add = (key: string, cost: number): void => {
    if (cost === 0 || seen.has(key)) return;
    seen.add(key);
    luts += cost;
  };
  for (const values of comparators) {
    const words = values.map(unsigned);
    const first = words[0] ?? 0;
    const constant = words.every((w) => w === first);
    if (width <= 6) {
      const columns = new Set<string>();
      for (let b = 0; b < width; b++) {
        const column = words.map((w) => bitsOf(w, b, 1)).join('');
        if (column.includes('0') && column.includes('1')) columns.add(column);
      }
      const inputs = xBits + columns.size;
      add(`cmp:${words.join(',')}`, constant || inputs <= 6 ? 1 : Math.ceil((inputs - 1) / 5));
      continue;
    }
    for (let hi = width; hi > 0; hi -= 3) {
      const k = Math.min(3, hi);
      const chunk = bitsOf(first, hi - k, k);
      const fixed = constant || words.every((w) => bitsOf(w, hi - k, k) === chunk);
      if (fixed) {
        const { propagate, generate } = chunkLuts(width, hi, k, chunk);
        add(`P${hi}:${chunk}`, propagate);
        add(`G${hi}:${chunk}`, generate);
      } else {
        const key = `${hi}:${words.map((w) => bitsOf(w, hi - k, k)).join(',')}`;
        add(`P${key}`, 1);
        add(`G${key}`, 1);
      }
    }
  }
  return luts;
}

/** LUTs of the count of n comparator bits on the family (constants.ts `thresholdCountLuts`, interpolated). */
export function thresholdCountLuts(n: number, family: Family): number {
  const points = C.activation.thresholdCountLuts[family];
  if (n <= points[0]![0]) return points[0]![1];
  for (let i = 1; i < points.length; i++) {
    const [a, la] = points[i - 1]!;
    const [b, lb] = points[i]!;
    if (n <= b) return la + ((lb - la) * (n - a)) / (b - a);
  }
  const [b, lb] = points[points.length - 1]!;
  return (lb * n) / b;
}

/**
 * One lane's comparators on iCE40 (the template's CMP_CARRY: x − T on the carry chain, whose
 * sum LUT4 is needed for the sign bit only), where `comparators[i]` holds T_i on each channel
 * the lane serves. The sign's LUT4 is x's sign bit against the carry (`signLut`); where x
 * cannot be negative (a stand-alone engine's unsigned input, widened with a 0) it is the
 * carry alone, and Yosys counts no LUT4 for it. A threshold that is one value on all the
 * lane's channels is a constant: nothing at either end of `clip` (always or never passed),
 * and equal constants are one comparator, but each is a bit of the count (`countBits`, where
 * given: the lane's comparisons that are not constants, equal ones counted). One that varies
 * reaches the chain from the ROM's registered read inverted (~T): a LUT4 for each of the
 * ROM's distinct columns (equal registers merge across the lanes, and so do their
 * inverters), which the ROM's own term counts (`romCost` prices the same columns; an i12
 * lane of 4 channels and one random threshold is the sign's LUT4 and 9 inverters, for 12
 * bits that differ, 3 of them alike). With the count of the comparisons
 * (`thresholdCountLuts`, measured alone).
 */
export function ice40LaneCompare(
  comparators: readonly (readonly number[])[],
  clip: readonly [number, number],
  signLut = true,
  countBits?: number,
): { luts: number; comparators: number } {
  const constants = new Set<number>();
  let built = 0;
  let live = 0;
  for (const values of comparators) {
    const first = values[0] ?? clip[0];
    if (values.every((v) => v === first)) {
      if (first === clip[0] || first === clip[1]) continue;
      live++;
      if (constants.has(first)) continue;
      constants.add(first);
    } else live++;
    built++;
  }
  // The count is a function of the distinct comparisons: of at most four, each of its bits
  // is one LUT4 (the sweep's u2 input against 1, 2 and 3, 15 thresholds: 6 LUT4s a lane).
  const bits = countBits ?? live;
  const count = built <= 4 ? Math.min(clog2(bits + 1), thresholdCountLuts(bits, 'ice40')) : thresholdCountLuts(bits, 'ice40');
  return { luts: (signLut ? built : 0) + count, comparators: built };
}

/**
 * A threshold lane's comparators and their count, stand-alone or after an MVAU's accumulator
 * (the same qnn_act_lane), as the family's synthesis builds them: the mean over the PE lanes
 * of each lane's LUTs, and how many comparators it has (the flip-flops that register them).
 *
 * Xilinx (`x >= T`): from the thresholds' bits (`laneCompareLuts`). Wider than 6 bits each
 * value the RTL holds is a comparator: it is built while the threshold still comes from a
 * register, so even one synthesis could then see is constant true or false stays (measured,
 * i12, PE 16: thresholds −2048, 853 and 2048 cost 347 LUTs, −853, 853 and 1515 363). Up to 6
 * bits ABC sees x against a shared set's constants and keeps one LUT6 for each distinct one
 * inside the value's range.
 *
 * iCE40 (the template's CMP_CARRY: x − T): `ice40LaneCompare`; `fused`, after an MVAU's
 * accumulator, whose sign synthesis cannot know.
 */
function thresholdComparators(
  a: Extract<ActivationCostParams, { kind: 'threshold' }>,
  inBits: number,
  fab: Fabric,
  fused: boolean,
): { luts: number; comparators: number } {
  const carry = compareForms(fab).carryThresholds;
  if (!carry && !a.perChannel && a.compareBits <= 6) {
    const n = a.distinct ?? a.count;
    return { luts: n + thresholdCountLuts(n, 'xilinx'), comparators: n };
  }
  const signLut = fused || a.clip[0] < 0;
  const lane = carry
    ? (l: number[][]) => ice40LaneCompare(l, a.clip, signLut, a.live)
    : (l: number[][]) => ({
        luts: laneCompareLuts(a.compareBits, inBits, l) + thresholdCountLuts(l.length, 'xilinx'),
        comparators: l.length,
      });
  // An estimate prices the same lanes several times (engines/activation.ts keeps one params
  // object per fold): the per-channel lists are as large as the layer, so once per list.
  const key = carry ? `ice40 ${signLut}` : `xilinx ${inBits}`;
  let byKey = comparatorsCache.get(a.comparators);
  if (!byKey) comparatorsCache.set(a.comparators, (byKey = new Map()));
  let memo = byKey.get(key);
  if (!memo) {
    const lanes = a.comparators.map(lane);
    const n = Math.max(1, lanes.length);
    memo = { luts: lanes.reduce((sum, l) => sum + l.luts, 0) / n, comparators: lanes.reduce((sum, l) => sum + l.comparators, 0) / n };
    byKey.set(key, memo);
  }
  return memo;
}

const comparatorsCache = new WeakMap<object, Map<string, { luts: number; comparators: number }>>();

/**
 * x · M for one constant M in LUTs (qnn_act_lane's MUL_LUT sum of x·2^i over M's set bits):
 * alumacc gathers the terms into one $macc, and maccmap reduces them with full adders in
 * logic, about inBits + 1 bits a term (a sum and a carry, 3-input functions: two LUT4s a bit
 * on iCE40, one LUT6 holding both on Xilinx), to two rows added on the carry chain, PW bits.
 * Measured on held_mmv1 (iCE40, 16 fused lanes of a 10-bit accumulator × M with 9 set bits,
 * the requant lanes replaced by registers to count them): 187 LUT4s a lane; this counts 181.
 * The count before, (ones − 1) · (inBits + M's bits), priced each term at the product's width.
 */
function constantProductLuts(ones: number, inBits: number, pw: number, fab: Fabric): number {
  if (ones <= 1) return 0;
  return (fab.family === 'ice40' ? 2 : 1) * Math.max(0, ones - 2) * (inBits + 1) + pw;
}

/** One PE lane of a threshold or requant stage on an `inBits` value, producing `outBits`. */
export function activationLane(
  a: ActivationCostParams,
  inBits: number,
  outBits: number,
  channelsPerLane: number,
  fab: Fabric,
  /** In an MVAU (after its accumulator), not a stand-alone engine. */
  fused = false,
): ActivationLane {
  if (a.kind === 'threshold') {
    // Comparators against the thresholds (registered), and the count of those passed (thermometer → binary).
    const memWidth = a.perChannel ? a.count * inBits : 0;
    const mem = romCost(memWidth ? channelsPerLane : 0, memWidth, fab);
    // A threshold lane: its comparators and count in LUTs, its registers; no multiplier or shifter.
    const lane = (lut: number, ff: number): ActivationLane => ({
      lut,
      ff,
      dsp: 0,
      mem,
      memWidth,
      liveBits: outBits,
      mulLut: 0,
      shiftLut: 0,
      roundLut: 0,
    });
    // The comparators as the family's synthesis builds them, and their count: stand-alone under
    // the `compare` coefficient, after an MVAU under its `threshold` (fused too, the sweep's
    // xc7 MVAUs went from LUT median / worst 6.7 / 55 to 6.0 / 42 %). None: the output is a
    // constant and synthesis removes the lane.
    const built = thresholdComparators(a, inBits, fab, fused);
    if (built.comparators === 0) return lane(0, 0);
    return lane(built.luts, built.comparators + outBits);
  }
  const m = a.multiplierBits;
  const prod = inBits + m;
  const mbits = a.mbits ?? C.activation.defaultMbits;
  // qnn_act_lane: x·{0, M}, an (inBits + MBITS + 1)-bit signed product.
  const xOp: MulOperand = { bits: inBits, signed: a.inputSigned ?? true };
  const mOp: MulOperand = { bits: mbits, signed: false };
  const dsp = multiplierDsps(xOp, mOp, inBits + mbits + 1, fab);
  // A multiplier cut into DSP slices: the adders joining them (and a leftover slice in LUTs).
  let mulLut = multiplierSliceLuts(xOp, mOp, inBits + mbits + 1, fab);
  let lut = 0;
  let roundLut = 0; // the + 2^(S−1) rounding adder, where it is in LUTs
  let ff = outBits; // y
  // With one S for every channel the bits below S − 1 of the product reach nothing: adding
  // 2^(S−1) and shifting S bits out depends on bit S − 1 and above only. Measured (Yosys
  // 0.23): a stand-alone lane's product in LUTs loses those register bits and their rounding
  // adder (the sweep's PE-16 i4 requants, act23 and act26, were 30 % over on iCE40 FFs
  // without it); after an MVAU's accumulator they stay (held_mmv1: 14 % under with them gone).
  // A lane that serves one channel reads a one-entry ROM: its S is a constant too.
  const sharedShift = !a.variableShift || channelsPerLane === 1;
  const unread = (bits: number): number => (!sharedShift || fused ? 0 : Math.max(0, Math.min(a.maxShift - 1, bits)));
  const deadBits = unread(prod);
  // The rounding adder works on the template's product width PW (ACC_BITS + MBITS + 1, where
  // a stand-alone engine's ACC_BITS is x widened by a bit): the product is sign-extended to
  // it, which synthesis keeps (x · 3 with a 16-bit MBITS: a 7-bit product, a 22-bit rounding
  // carry chain, read off the $alu cells after alumacc).
  const pw = Math.max(prod, (fused ? inBits : inBits + 1) + mbits + 1);
  if (dsp === 0) {
    // In LUTs after the ROM's constant bits are gone: one shared M's terms, a multiplier otherwise;
    // the product register and the + 2^(S−1) rounding adder (a DSP keeps the product in its
    // multiplier register; a DSP48 takes the rounding add into its post-adder, an SB_MAC16 does not).
    mulLut += a.perChannel
      ? lutMultiplierLutsOn(fab, m, false, inBits, a.inputSigned ?? true)
      : constantProductLuts(a.multiplierOnes, inBits, pw, fab);
    // The rounding adder's bits below S − 1, sign extension included, are not read.
    roundLut = pw - unread(pw);
    ff += prod - deadBits;
  } else if (fab.family === 'ice40') {
    // An SB_MAC16 takes no part of the rounding add (its C and D inputs are 0 in the
    // netlists): it is a carry chain in fabric from bit S − 1 up (stand-alone with one S, the
    // bits below add 0 and reach nothing, as in LUTs), under its own coefficient, `round`
    // (the sweep's i4 to i12 requants were 20 to 36 % under without it). A stand-alone lane
    // of unsigned x on one MAC is left at 0: its product is never negative, so the add stops
    // at the product's top bit, a few LUT4s (Yosys 0.23, u8 → u4, M 16 bits, S 22: 3 LUT4s
    // and 2 SB_CARRY, counted by removing the rounding; 5 LUT4s from i8), and counted so
    // under `round` the fit got worse (the sweep's iCE40 requants, LUT median / worst 5.4 /
    // 49 → 7.7 / 54 %; 2026-12-06).
    if (fused || dsp > 1 || (a.inputSigned ?? true) || a.variableShift) roundLut = pw - unread(pw);
    // After an MVAU's accumulator its product register stays in fabric too (counted by name
    // in held_mmv2's netlist: 10 bits per lane; the sweep's iCE40 MVAU FF median 4.7 → 2.2 %,
    // MMV MVAU 6.0 → 3.8 %, with it counted).
    if (fused) ff += prod;
  } else {
    // Xilinx: the DSP48 takes the add of a constant 2^(S−1) into its post-adder, but not that
    // of an S read from the ROM (a channel's own, or a one-channel lane's one entry, which is
    // a constant only after the multiplier is mapped): a decoder and a carry chain in fabric.
    // Measured (Yosys 0.23, xcup): held_act5 (u8 → u4, 16 channels a lane) lost 74 of its 286
    // LUTs with the rounding removed; the sweep's act4 (i12, a channel a lane) kept a 30-bit
    // carry chain a lane. Counted, held-out xcup requants went from LUT median / worst 4.6 /
    // 26 to 4.6 / 22 % (the templates before CLAMP_TEST).
    if (a.variableShift) roundLut = pw - unread(pw);
    // Measured: after an MVAU's accumulator, `-family xcup` keeps the DSP48E2's product
    // register in fabric (the sweep's xcup MVAU FF median 10 % → 3 % with it counted).
    if (fab.xilinxArch === 'xcup' && fused) ff += prod;
  }
  // A per-channel S: a log shifter over the whole product, a 2:1 level for each bit of S
  // that differs between channels (two levels per LUT6, one per LUT4: a 4:1 mux needs six
  // inputs; the ROM's other bits are constant, so their levels are wiring). A lane that
  // serves one channel reads a one-entry ROM, a constant: its shift is wiring. (One level
  // per LUT4 took held_dense6, an i8 × i4 dense with two varying S bits, from −26 to −20 %
  // on iCE40.)
  const levels = (fused ? a.shiftVaryingBits : undefined) ?? a.shiftLevels ?? clog2(a.maxShift + 1);
  const shiftLut = a.variableShift && channelsPerLane > 1 ? prod * (fab.family === 'ice40' ? levels : Math.ceil(levels / 2)) : 0;
  if (shiftLut > 0) ff += C.activation.shiftBits; // shift_q
  // A DSP's product is opaque to synthesis: it cannot see that an unsigned x times M is
  // non-negative, so with a zero point (ZERO > 0, unsigned out) it builds `wide < −ZERO` too;
  // with ZERO = 0 that compare is the sign bit. Measured on the sweep's stand-alone requants:
  // LUT median xc7 10.8 → 9.4 %, xcup 10.8 → 6.5 %, iCE40 11.0 → 9.4 % (with the signed
  // rounding add above). Counted for signed outputs as well, xcup fitted worse (11.9 %).
  const opaqueZero = dsp > 0 && a.zero > 0 && !a.outSigned;
  const clamp = requantClamp(
    opaqueZero ? { ...a, inputSigned: true } : a,
    inBits,
    outBits,
    channelsPerLane,
    compareForms(fab).clampTests ? { widened: !fused } : undefined,
  );
  lut += clamp.lut + mulLut + shiftLut + roundLut;
  ff += clamp.liveBits - outBits; // y
  const memWidth = a.perChannel ? m + (a.variableShift ? C.activation.shiftBits : 0) : 0;
  const mem = romCost(memWidth ? channelsPerLane : 0, memWidth, fab);
  return { lut, ff, dsp, mem, memWidth, liveBits: clamp.liveBits, mulLut, shiftLut, roundLut };
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
  /** Input vectors per frame (a conv's output pixels; default 1): the template's pixel counter. */
  pixels?: number;
}

export interface MvauCost {
  total: Resources;
  /** The weight ROM: depth NF·SF, one word of PE·SIMD weights (qnn_mvau's `wmem`). */
  weightMem: MemCost;
  /** The input buffer that replays each input vector NF times (none when NF = 1). */
  inputBuffer: MemCost;
  /** The activation ROM: depth NF, one word of PE entries (none for shared constants). */
  activationMem: MemCost;
  lane: LaneCost;
  /** The part lockstep copies (MMV) share: synthesis merges their equal control registers. */
  control: Resources;
}

/** The MVAU LUT coefficient of each lane variant. */
const LANE_TERM = { mul: 'mulInt', const: 'mulConst', pow2: 'pow2', neg: 'neg', xnor: 'xnor' } as const;

export function mvauResources(p: MvauCostParams, fab: Fabric): MvauCost {
  const k = fitOf(fab).mvau;
  const nf = p.mh / p.pe;
  const sf = p.mw / p.simd;
  const lane = macLane(p.operands, fab, p.accBits);
  const activation = p.activation?.kind === 'requant' ? { ...p.activation, inputSigned: true } : p.activation;
  const act = activation ? activationLane(activation, p.accBits, p.outBits, nf, fab, true) : undefined;
  const leaves = treeInputs(lane, p.simd);
  const bipolarIn = p.operands.inputBipolar ?? false;
  // The tree's root (registered per PE), one bit wider per level, capped at the accumulator.
  const negc = lane.negates ? 1 : 0;
  const sumBits = Math.min(lane.productBits + clog2(leaves) + negc, p.accBits);
  // The count of negated leaves, added at the root (constant for hard-wired weights: only the add).
  const negcLuts = lane.negates ? (p.operands.hardWired ? 0 : adderTreeLuts(p.simd, 1)) + sumBits : 0;
  // A DSP lane takes one adder of the tree's first level into its post-adder (P = A·B + C);
  // hard-wired lanes: those whose constant is a DSP (lane.dsp is then their share). Not with
  // -family xcup, whose DSP48E2s Yosys 0.23 leaves without it (accumulatorInDsp).
  const absorbed = fab.xilinxArch === 'xcup' ? 0 : Math.floor(leaves / 2) * (lane.productBits + 1) * Math.min(lane.dsp, 1);
  // Hard-wired pow2 and bipolar weights are wiring and signs, and on a bipolar input any
  // constant is +w or −w picked by the bit (a signed 1-bit operand): the tree adds those
  // narrowed, and so are the products of a constant int weight on an input of at most
  // WIRED_PRODUCT_INPUT_BITS (full width on a signed input: `signedLeafBits`). Signed int
  // weights have negated leaves (qnn_mvau's g_const_mul), narrow on any input: a positive
  // product, or its complement under constant ones. Before them, a negative constant's
  // product was sign-extended to the full width, and on a wider input the tree was priced
  // at that width (the sweep's i2 × u8 MMV convs fitted worse narrowed). Refitted on the
  // template with them, the sweep's MMV convs' LUT median is 6.5 % on xc7 and 9.5 % on xcup
  // priced narrowed, 13.7 and 15.9 % at the full width.
  const narrowInt = p.operands.weightKind === 'int' && !bipolarIn && p.operands.inputBits <= WIRED_PRODUCT_INPUT_BITS;
  const narrowTree = narrowInt || (p.operands.hardWired?.negatedLeaves ?? false);
  const wired = lane.variant === 'const' && (p.operands.weightKind !== 'int' || bipolarIn || narrowTree) ? p.operands.hardWired : undefined;
  const tree =
    (wired
      ? hardWiredTreeLuts(
          fab,
          wired.matrix,
          p.simd,
          bipolarIn ? 1 : p.operands.inputBits,
          bipolarIn || (p.operands.inputSigned ?? false),
          narrowTree ? lane.productBits : 0,
          p.operands.hardWired?.negatedLeaves ?? false,
        )
      : // An XNOR leaf is {0, a ⊙ w}: one bit that varies, the tree a popcount.
        adderTreeLutsOn(fab, leaves, lane.variant === 'xnor' ? 1 : lane.productBits)) - absorbed;
  const accInDsp = accumulatorInDsp(p, lane, act, fab);
  // The share of the tree whose leaves are DSP products on 7-series parts, where Yosys packs
  // adds into the DSP48E1s' post-adders and cascades beyond the first level (treeDsp; iCE40
  // and -family xcup keep the tree in fabric). Both it and `absorbed` are needed: without
  // `absorbed`, treeDsp refits to 0.02 and held-out xc7 MVAUs go 5.9 → 7.4 % (LUT median).
  const dspShare = fab.family === 'xilinx' && fab.xilinxArch !== 'xcup' ? Math.min(lane.dsp, 1) : 0;
  // With SF = 1 every step is an output's first (the template's first1 = sf == 0): the
  // accumulator takes the tree's sum and adds nothing (no adder; its register stays).
  // Counting its adder there held the fitted acc coefficient near 0.25 (0.9 to 1.1 once it
  // is left out).
  const accumulates = sf > 1;
  // Issue counters nf, sf, the ROM address, the pixel counter; with an activation the nf index rides along two stages.
  const counters = clog2(nf) + clog2(sf) + clog2(nf * sf) + clog2(p.pixels ?? 1);
  const inWord = p.simd * p.operands.inputBits;
  const inMux = nf > 1 ? inWord : 0; // stream or buffer
  const weightMem = romCost(nf * sf, p.pe * p.simd * p.operands.weightBits, fab);
  const inputBuffer = nf > 1 ? ramCost(sf, inWord, fab, { ports: 'sp', ebrEmulatedRead: true }) : ramCost(0, 0, fab);
  const activationMem = act?.memWidth ? romCost(nf, p.pe * act.memWidth, fab, activation?.romColumns) : romCost(0, 0, fab);
  const skid = skidResources(p.pe * (act?.liveBits ?? p.outBits));
  // A requant's x · M in LUTs has its own coefficient, `requantMul`: a per-channel M's
  // multiplier (`lutMultiplierLutsOn`) and one M's terms (`constantProductLuts`) alike. Under
  // the requant coefficient (fitted on the DSP lanes: 0.36 on iCE40 once CLAMP_TEST shrank
  // them) held_mmv1's 16 lanes of one M's terms were 40 % under. Under the lanes' mulInt, the
  // sweep's MMV convs, which also have hard-wired negative constants, took the cost from
  // carryOperand (refitted from 1.2 to 0.04). With requantMul (0.66 on iCE40) carryOperand
  // stays at 1.09 and held_mmv1 is 21 % under.
  const lutMul = activation?.kind === 'requant' && act?.dsp === 0 ? act.mulLut : 0;
  const actLut = !act
    ? 0
    : activation!.kind === 'requant'
      ? p.pe * (k.lut.requant * (act.lut - lutMul) + k.lut.requantMul * lutMul)
      : k.lut.threshold * p.pe * act.lut;
  const lut =
    k.lut.c0 +
    k.lut.control * (counters + inMux) +
    k.lut[LANE_TERM[lane.variant]] * p.pe * p.simd * lane.lut +
    k.lut.carryOperand * p.pe * p.simd * (lane.carryOperands ?? 0) +
    (k.lut.tree * (1 - dspShare) + k.lut.treeDsp * dspShare) * p.pe * (tree + negcLuts) +
    k.lut.acc * p.pe * (accInDsp || !accumulates ? 0 : p.accBits) +
    actLut +
    k.lut.rom * (weightMem.lut + activationMem.lut) +
    k.lut.ram * inputBuffer.lut +
    k.lut.out * skid.lut;
  const ff =
    k.ff.c0 +
    counters +
    (act ? 2 * clog2(nf) : 0) +
    inWord + // the stream's input register (x1, or in_q beside the buffer's read register)
    k.ff.ram * inputBuffer.ff +
    k.ff.pipe * p.pe * (accInDsp ? 0 : sumBits + (accRegisterInDsp(p, nf * sf, act, fab) ? 0 : p.accBits)) +
    k.ff.act * p.pe * (act?.ff ?? 0) +
    k.ff.rom * (weightMem.ff + activationMem.ff) +
    skid.ff;
  // (Rounded to 1e-9: hard-wired lanes' DSPs are a mean, and the total is a count.)
  const dsp = Math.round(p.pe * (p.simd * lane.dsp + (act?.dsp ?? 0)) * 1e9) / 1e9;
  const core: Resources = { lut, ff, bram18: 0, dsp };
  const mems: Resources = { lut: 0, ff: 0, bram18: weightMem.bram18 + inputBuffer.bram18 + activationMem.bram18, dsp: 0 };
  // What lockstep copies of this MVAU (MMV) share once synthesis merges their equal
  // registers: the constant part of the logic and the issue counters with their logic (each
  // copy keeps its own pipeline's valid flags, c0 of the FFs: they depend on its own skid
  // buffer, so synthesis cannot prove them equal).
  const control: Resources = {
    lut: k.lut.c0 + k.lut.control * counters,
    ff: counters + (act ? 2 * clog2(nf) : 0),
    bram18: 0,
    dsp: 0,
  };
  return { total: addResources(core, mems), weightMem, inputBuffer, activationMem, lane, control };
}

/**
 * Whether Yosys `synth_xilinx` packs the accumulator (the tree root's register, the
 * accumulating adder and the accumulator register) into a DSP48: the MAC's own DSP when
 * one product per PE feeds it (SIMD = 1: P = P + A·B), or the requant's DSP when the
 * accumulator is the multiplier's wider operand (its A port, whose pre-adder and AD/D
 * registers take the accumulation). Measured on the calibration sweep; iCE40's SB_MAC16
 * packing keeps them, and so does `-family xcup` with the requant's DSP48E2 (the sweep's
 * xcup MVAUs with a requant DSP built the tree root and accumulator registers in fabric:
 * FF median 11.6 → 9.9 %, MMV MVAU 30.7 → 25.9 % once counted).
 */
function accumulatorInDsp(p: MvauCostParams, lane: LaneCost, act: ActivationLane | undefined, fab: Fabric): boolean {
  if (fab.family !== 'xilinx') return false;
  // -family xcup packs neither (a u8 × i2 MAC, SIMD 1: one DSP48E1 alone on xc7, one DSP48E2
  // and the accumulator's carry chain in fabric on xcup; the sweep's xcup MVAUs with DSP lanes
  // were 30 to 64 % under).
  if (lane.dsp >= 1 && p.simd === 1) return fab.xilinxArch !== 'xcup';
  if (p.activation?.kind === 'requant' && act && act.dsp > 0 && fab.xilinxArch !== 'xcup') {
    const mbits = p.activation.mbits ?? C.activation.defaultMbits;
    return p.accBits >= mbits + 1;
  }
  return false;
}

/**
 * Whether the accumulator register becomes the requant DSP's input register (AREG/BREG) on
 * Xilinx: where nothing accumulates (one word per output, NF·SF = 1) the register only
 * holds the tree's sum for the multiplier (measured: the held-out MMV conv held_mmv1, four
 * copies with no accumulator register left and 16 DSPs).
 */
export function accRegisterInDsp(p: MvauCostParams, words: number, act: ActivationLane | undefined, fab: Fabric): boolean {
  return fab.family === 'xilinx' && words === 1 && p.activation?.kind === 'requant' && (act?.dsp ?? 0) > 0;
}

// ---- streaming engines ------------------------------------------------------------------

export interface WindowCostParams {
  dims: 1 | 2;
  kernel: number;
  /** Input row width W (2-D); the input length (1-D). */
  rowWidth: number;
  channels: number;
  /** Elements per input word and per output word (the MVAU's SIMD). */
  inElems: number;
  outElems: number;
  bits: number;
  /** Input rows H (2-D; default: a square input, H = W). */
  rows?: number;
  /** Stride (default 1) and zero padding on each side (default 0). */
  stride?: number;
  pad?: number;
  /** 2-D: the kernel and padding along the row where they differ from the column's (MMV super-pixels). */
  kernelX?: number;
  padX?: number;
}

/** qnn_window's geometry: 1-D is a column of H = length pixels of width 1 with a K×1 kernel. */
interface WindowGeometry {
  hi: number;
  wi: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
  cg: number;
  lanes: number;
  sf: number;
  /** Zero padding in either dimension: the template builds its padding mask (else none). */
  padded: boolean;
}

function windowGeometry(p: WindowCostParams): WindowGeometry {
  const two = p.dims === 2;
  const hi = two ? (p.rows ?? p.rowWidth) : p.rowWidth;
  const wi = two ? p.rowWidth : 1;
  const kh = p.kernel;
  const kw = two ? (p.kernelX ?? p.kernel) : 1;
  const sh = p.stride ?? 1;
  const sw = two ? sh : 1;
  const ph = p.pad ?? 0;
  const pw = two ? (p.padX ?? ph) : 0;
  const cg = Math.max(1, p.channels / p.inElems);
  const lanes = Math.max(1, p.outElems / p.inElems);
  return {
    hi,
    wi,
    kh,
    kw,
    sh,
    sw,
    ph,
    pw,
    oh: Math.floor((hi + 2 * ph - kh) / sh) + 1,
    ow: Math.floor((wi + 2 * pw - kw) / sw) + 1,
    cg,
    lanes,
    sf: Math.max(1, (kh * kw * cg) / lanes),
    padded: ph > 0 || pw > 0,
  };
}

const clampTo = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);

/** Rows of qnn_window's line buffer (its `rows_needed`, pixels in 1-D). */
export function windowRows(p: WindowCostParams): number {
  const g = windowGeometry(p);
  let r = Math.max(g.kh, g.sh + 1);
  for (let oy = 0; oy + 1 < g.oh; oy++) {
    const lo = clampTo(oy * g.sh - g.ph, g.hi);
    const nx = clampTo((oy + 1) * g.sh - g.ph + g.kh, g.hi);
    r = Math.max(r, nx - lo);
  }
  let first = 0; // rows the first window row that needs any input needs
  for (let oy = 0; oy < g.oh && first === 0; oy++) first = clampTo(oy * g.sh - g.ph + g.kh, g.hi);
  r = Math.max(r, g.hi - clampTo((g.oh - 1) * g.sh - g.ph, g.hi) + first);
  const outside = (o: number, s: number, pad: number, k: number, n: number) => o * s - pad + k <= 0 || o * s - pad >= n;
  let nv = 0;
  let tv = 0;
  for (let oy = 0; oy < g.oh; oy++) {
    if (outside(oy, g.sh, g.ph, g.kh, g.hi)) nv++;
    if (oy * g.sh - g.ph + g.kh >= g.hi) tv++;
  }
  let nh = 0;
  let th = 0;
  for (let ox = 0; ox < g.ow; ox++) {
    if (outside(ox, g.sw, g.pw, g.kw, g.wi)) nh++;
    if (ox * g.sw - g.pw + g.kw >= g.wi) th++;
  }
  let extra = 0;
  if (nv > 0 || nh > 0) extra += Math.floor((Math.ceil(((nv * g.ow + nh) * g.sf) / g.cg) + g.wi - 1) / g.wi) + 1;
  if (g.oh * g.ow * g.sf < 2 * g.hi * g.wi * g.cg) extra += Math.floor((Math.ceil((tv * th * g.sf) / g.cg) + g.wi) / g.wi);
  return r + extra;
}

/**
 * The window generator (FINN's ConvolutionInputGenerator, hw-templates/qnn_window.sv): a
 * circular line buffer of `windowRows` rows of W pixels in input words, one copy per lane
 * (LANES = SIMD/IN_ELEMS input words per output word, one read port each); the writer's
 * and reader's counters and coordinates, the pixel accounting that paces them, an address
 * tracker per lane (one when the lanes keep fixed offsets), and per lane the padding mask.
 */
export function windowResources(p: WindowCostParams, fab: Fabric): { total: Resources; buffer: MemCost; registers: number } {
  const g = windowGeometry(p);
  const depth = windowRows(p) * g.wi * g.cg;
  const laneWidth = p.inElems * p.bits;
  // Every lane's copy is written with the same word (what synthesis shares of them:
  // `ramCopiesWrittenTogether`).
  const buffer = ramCopiesWrittenTogether(
    depth,
    laneWidth,
    fab,
    { ebrEmulatedRead: true, readWords: windowReadWords(p, g, depth) },
    g.lanes,
  );
  const ru = g.kw * g.cg;
  const fits = (a: number, b: number) => a % b === 0 || b % a === 0;
  const tracked = fits(ru, g.lanes) && fits(g.cg, g.lanes) ? 1 : g.lanes;
  const aw = clog2(depth);
  const cw = clog2(Math.max(g.hi, g.wi) + p.kernel + g.sh + 2 * g.ph + 2) + 1;
  const nw = Math.max(clog2(2 * g.hi * g.wi + 2 * (depth / g.cg) + 4) + 1, cw + 1);
  const small = clog2(g.cg) + clog2(g.kw);
  const live = windowMotion(g);
  const perTracked = small + live.coords * cw + aw;
  const k = fitOf(fab).window;
  const registers = windowRegisters(p, g, { aw, cw, nw, tracked });
  const ff = k.ff.c0 + k.ff.control * registers + k.ff.ram * buffer.ff;
  // Every register bit's next value (an adder or a mux), over the registers synthesis keeps
  // (windowRegisters; a formula over the counters' widths instead left the sweep's xc7
  // windows at LUT median 7.5 %, worst 32.5 %, now 3.1 / 13.1 %); the next window's address
  // steps (adds of a constant modulo the depth, wrapAddLuts): three at a frame's end (fbase,
  // rbase, pbase) and two at a row's where there are several rows of windows (OH > 1);
  // where a row has several windows (OW > 1), its column step pbase + CSTEP, need_of's
  // hx = x0 + KX and the column clamps of both sums (hx and x0 against W), under their own
  // coefficient (`columns`: on iCE40 the 2-D windows were 9 % under on average where the
  // 1-D ones were even); avail's add and, where the window moves,
  // the need / oldest-pixel sums (three adders) and their four compares (a window that never
  // moves needs a constant count: avail compared with constants); per tracked lane its step
  // (D0 or D01) and, per coordinate that moves (`windowMotion`), its in-frame compare with
  // the frame's end (the one with 0 is the sign bit); per derived lane an add of a constant
  // and its in-frame compares against constants (a quarter LUT per bit).
  const cmp = (bits: number) => Math.ceil(bits * C.activation.compareLutsPerBit);
  const wrap = wrapAddLuts(depth, aw);
  const rowSteps = 3 + (g.oh > 1 ? 2 : 0);
  const arithmetic = rowSteps * wrap + (live.origin ? 3 * nw + 4 * cmp(nw) : nw + 2 * cmp(nw));
  const columns = g.ow > 1 ? wrap + cw + 2 * cmp(cw) : 0;
  const trackedLogic = perTracked + 2 * wrap + live.coords * cmp(cw);
  const derivedLogic = wrap + live.coords * cmp(cw);
  const lanesLogic = tracked * trackedLogic + (g.lanes - tracked) * derivedLogic;
  // The padding mask on every output bit of a padded window (`pad_q ? 0 : q`), with a block
  // RAM's read mux in front: a LUT per bit, measured on the large windows (256 LUT2s on
  // held_lwin2's 256-bit word).
  const mask = g.padded ? g.lanes * laneWidth : 0;
  const lut =
    k.lut.c0 +
    k.lut.control * registers +
    k.lut.arith * arithmetic +
    k.lut.columns * columns +
    k.lut.lanes * lanesLogic +
    k.lut.mask * mask +
    k.lut.ram * buffer.lut;
  return { total: { lut, ff, bram18: buffer.bram18, dsp: 0 }, buffer, registers };
}

/**
 * qnn_window's `wrap_add` (a buffer address plus a step, modulo DEPTH): two adders, a + b
 * and a + b − DEPTH (AW + 2 bits each), the select between them part of the register's next
 * value (counted with the registers). With DEPTH a power of two both have the same low AW
 * bits, and synthesis keeps one AW-bit adder. Priced alike before (one (AW + 2)-bit add a
 * step), the fitted model put the sweep's iCE40 windows with a power-of-two buffer all over
 * (up to +37 %) and most others under; with this rule (refitted) their LUT median / worst
 * went 6.5 / 37 → 5.8 / 23 %, the held-out windows' 6.5 / 29 → 5.7 / 14 %.
 */
export function wrapAddLuts(depth: number, aw: number): number {
  return isPowerOfTwo(depth) ? aw : 2 * (aw + 2);
}

/**
 * What moves in qnn_window, where synthesis keeps logic: the window origin where there are
 * several windows (OH or OW > 1), and, in a padded window, a lane tracker's row y and column
 * x where it can change, from window to window (OH > 1, OW > 1) or between the words of one
 * (SF > 1 with several kernel rows or columns): `coords` (only the padding mask reads them;
 * without padding there is none, and synthesis removes them). With one window along a
 * dimension (OW = 1 in every 1-D window) the template's "last" flag of that counter is the
 * constant 1 and the rest of that dimension's logic (its counter, origin, the trackers'
 * coordinate and its in-frame compare) is gone; with a constant origin so are the need /
 * oldest-pixel sums.
 */
function windowMotion(g: WindowGeometry): { origin: boolean; coords: number } {
  const words = g.sf > 1;
  const rows = g.oh > 1 || (words && g.kh > 1);
  const cols = g.ow > 1 || (words && g.kw > 1);
  return { origin: g.oh > 1 || g.ow > 1, coords: g.padded ? (rows ? 1 : 0) + (cols ? 1 : 0) : 0 };
}

/**
 * The line-buffer words a lane's read port can reach as synthesis sees them: its address
 * starts at a constant and moves only by qnn_window's steps (the next frame's, row's and
 * column's, and between a window's words D0 and D01) modulo DEPTH, so where all of them and
 * DEPTH are multiples of 2^z its low z bits are constant (rows_needed 6 words of a 1-D
 * window that only steps by frames of 2: every other word, a 3:1 read mux per bit).
 */
function windowReadWords(p: WindowCostParams, g: WindowGeometry, depth: number): number {
  const rows = windowRows(p);
  const wcg = g.wi * g.cg;
  const mod = (v: number) => ((v % depth) + depth) % depth;
  const steps = [mod((g.hi % rows) * wcg)];
  if (g.oh > 1) steps.push(mod((g.sh % rows) * wcg));
  if (g.ow > 1) steps.push(mod(g.sw * g.cg));
  if (g.sf > 1) {
    const mCg = g.lanes % g.cg;
    const mKx = Math.floor(g.lanes / g.cg) % g.kw;
    const mKy = Math.floor(g.lanes / (g.cg * g.kw));
    const d0 = mod(mCg + mKx * g.cg + mKy * wcg);
    steps.push(d0, mod(d0 + wcg - g.kw * g.cg));
  }
  const common = steps.reduce((a, b) => gcd(a, b), depth);
  // (No step at all: one address.)
  return common === depth ? 1 : Math.ceil(depth / 2 ** trailingZeros(common));
}

/** Trailing zero bits of n (n > 0). */
const trailingZeros = (n: number): number => {
  let z = 0;
  for (let v = n; v > 0 && v % 2 === 0; v /= 2) z++;
  return z;
};

/**
 * qnn_window's registers as synthesis keeps them (measured on the held-out and sweep
 * windows with synth_xilinx, register by register): the pixel accounting (avail, need_pix
 * and y0·W, NW bits each, old_pix as many as the frame's pixel count needs); the writer's
 * address and channel group; the reader's oy, ox, sf; the window origin y0, x0 as far as it
 * is its own (`windowOriginRegisters`); the buffer's base addresses, whose low
 * bits stay zero where they step by whole rows (rbase, and fbase unless a frame is whole
 * rows of the buffer: then it is constant); per tracked lane its coordinates
 * (`windowMotion`) and unit; per lane, in a padded window, the padding flag; out_valid and
 * tlast.
 */
function windowRegisters(p: WindowCostParams, g: WindowGeometry, w: { aw: number; cw: number; nw: number; tracked: number }): number {
  const two = p.dims === 2;
  const bits = (n: number) => (n > 1 ? clog2(n) : 0);
  const rowZeros = Math.min(w.aw, trailingZeros(g.wi * g.cg));
  const rows = windowRows(p);
  const rbase = two ? Math.min(w.aw, w.aw - rowZeros + 1) : 0;
  const fbase = g.hi % rows === 0 ? 0 : w.aw - rowZeros;
  const live = windowMotion(g);
  const origin = windowOriginRegisters(g, two, live.origin, w.cw);
  // pbase (1-D: only where the window is several words, or the row is padded) and addr0.
  const bases = rbase + fbase + (two || g.sf > 1 || g.padded ? w.aw : 0) + w.aw;
  const trackerRegisters = live.coords * w.cw + bits(g.kw) + bits(g.cg);
  // avail, and where the window moves need_pix, y0·W and old_pix (at most the frame's
  // pixel count, never negative: synthesis keeps the bits that count needs).
  const oldPix = Math.min(w.nw, clog2(g.hi * g.wi + 1));
  return (
    (live.origin ? 3 * w.nw + oldPix : w.nw) +
    w.aw +
    bits(g.cg) +
    bits(g.oh) +
    bits(g.ow) +
    bits(g.sf) +
    origin +
    bases +
    w.tracked * trackerRegisters +
    (g.padded ? g.lanes : 0) +
    2
  );
}

/**
 * The bits of the window origin (y0, x0) that synthesis keeps apart. x0 is constant where a
 * row has one window (OW = 1, every 1-D window). With padding, a coordinate equal to a lane
 * tracker's is merged with it (1-D: y0 is the tracker's y when a window is one word, SF = 1;
 * 2-D: x0 is, unless SF > 1 with several windows a row). Without padding the trackers keep
 * no coordinates: in 2-D each moving origin coordinate is its own (the need / oldest-pixel
 * sums read them), and in 1-D nothing reads y0 (x0 is constant, so the oldest pixel's
 * column is 0 whatever y0 is).
 */
function windowOriginRegisters(g: WindowGeometry, two: boolean, moves: boolean, cw: number): number {
  if (!moves) return 0;
  if (!g.padded) return two ? (g.oh > 1 ? cw : 0) + (g.ow > 1 ? cw : 0) : 0;
  if (two) return g.sf > 1 && g.ow > 1 ? 2 * cw : cw;
  return g.sf > 1 ? cw : 0;
}

/** `n` copies of memory `m` (plus `extra` copies of a second one), described as the first. */
function copies(m: MemCost, n: number, other?: MemCost, otherN = 0): MemCost {
  const o = other ?? m;
  const k = other ? otherN : 0;
  return {
    ...m,
    bits: m.bits * n + o.bits * k,
    lut: m.lut * n + o.lut * k,
    ff: m.ff * n + o.ff * k,
    bram18: m.bram18 * n + o.bram18 * k,
  };
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
  /** Input rows (2-D; default: a square input). */
  rows?: number;
}

/**
 * One compare-and-select of two `bits`-bit values: a compare and a 2:1 mux per bit. On
 * Xilinx, where both operands fit one LUT6 (2·bits ≤ 6), a LUT per output bit instead: ABC
 * folds the compare into each bit's select there, and synth_ice40 keeps the compare on its
 * carry chain (measured on the sweep's max-pools: with the rule on both families the xc7
 * LUT worst went 31.6 → 18.6 % and xcup 67.7 → 48.4 %, iCE40's median 1.3 → 2.5 %).
 */
export function maxUnitLuts(bits: number, fab: Fabric): number {
  if (fab.family === 'xilinx' && 2 * bits <= 6) return bits;
  return Math.ceil(bits * C.activation.compareLutsPerBit) + bits;
}

/**
 * Max pooling (hw-templates/qnn_maxpool.sv), PE channels per cycle. A horizontal stage of
 * ⌈K/S⌉ slots, each a running maximum per channel group of the current pixel (C/PE words);
 * in 2-D a vertical stage of ⌈K/S⌉ banks of partial output rows (Wout·C/PE words each,
 * registered read); a max unit (compare + select per element) per slot and bank; the
 * position counters, the stage registers and the output register.
 */
export function poolResources(p: PoolCostParams, fab: Fabric): { total: Resources; buffer: MemCost } {
  const k = p.kernel;
  const cg = p.channels / p.pe;
  const dw = p.pe * p.bits;
  const slots = Math.ceil(k / p.stride);
  const h = ramCost(cg, dw, fab, { syncRead: true });
  const two = p.dims === 2;
  const rowWords = p.outRowWidth * cg;
  const v = two ? ramCost(rowWords, dw, fab, { ebrEmulatedRead: true }) : ramCost(0, 0, fab);
  const banks = two ? slots : 0;
  const buffer: MemCost = two ? copies(v, banks, h, slots) : copies(h, slots);
  const rows = p.rows ?? p.rowWidth;
  const outRows = two ? Math.floor((rows - k) / p.stride) + 1 : 1;
  const period = clog2(slots * p.stride);
  // Channel group, column, row, the two window phases, the vertical stage's read address
  // (2-D) and the output word count.
  const counters =
    clog2(cg) + clog2(p.rowWidth) + clog2(two ? rows : 1) + period + (two ? period + clog2(rowWords) : 0) + clog2(outRows * rowWords);
  const max = p.bipolar ? 1 : maxUnitLuts(p.bits, fab); // compare + select (bipolar: OR)
  const units = slots + banks;
  // The closing slot's / bank's maximum; a one-word bank's bypass mux.
  const selects = dw * (muxLuts(slots) + muxLuts(banks) + (two && rowWords <= 1 ? banks : 0));
  // The vertical stage's registers: hm1, raddr1, v1 and emit_v1, and per bank its flags:
  // `init`; `act` unless every row is in a window of the bank (K a multiple of S); `last`
  // unless it equals another bank's `init` (K − 1 a multiple of S), which synthesis merges.
  // A one-word bank (ROWW = 1) has a bypass register beside its read register.
  const flags = banks * (1 + (k % p.stride ? 1 : 0) + ((k - 1) % p.stride ? 1 : 0));
  const stages = two ? dw + clog2(rowWords) + 2 + flags + (rowWords <= 1 ? 2 * dw * banks : 0) : 0;
  const f = fitOf(fab).pool;
  // The vertical stage (2-D) has a fixed LUT term of its own, fitted on the 2-D pools: the
  // terms above miss part of that stage, and the sweep's many 1-D pools set their
  // coefficients (without it iCE40 2-D pools were 25 to 32 % under).
  const lut =
    f.lut.c0 +
    (two ? f.lut.rows2d : 0) +
    f.lut.control * counters +
    f.lut.max * units * p.pe * max +
    f.lut.select * selects +
    f.lut.ram * buffer.lut;
  // The output register with its valid and last.
  const ff = f.ff.c0 + counters + stages + dw + 2 + f.ff.ram * buffer.ff;
  return { total: { lut, ff, bram18: buffer.bram18, dsp: 0 }, buffer };
}

/**
 * The compare-and-select LUTs of an MMV max-pool: per output element K − 1 max units across
 * the window's pixels and, in 2-D, one with the row's running maximum. One bit per element
 * (u1, bipolar): the maximum is an OR, and the window's K bits, the running bit and the
 * first-row flag are one function of K (+ 2) inputs, LUT6s or LUT4s chained.
 */
export function mmvPoolMaxLuts(kernel: number, outElems: number, bits: number, twoD: boolean, fab: Fabric): number {
  if (bits === 1) {
    const inputs = kernel + (twoD ? 2 : 0);
    const lutInputs = fab.family === 'ice40' ? 4 : 6;
    return outElems * Math.ceil((inputs - 1) / (lutInputs - 1));
  }
  return outElems * (kernel - 1 + (twoD ? 1 : 0)) * maxUnitLuts(bits, fab);
}

/**
 * The word-by-word max-pool of MMV (hw-templates/qnn_maxpool_mmv.sv): per output element
 * a tree of K − 1 compare-and-select units (bipolar: an OR), the output register and the
 * counters; in 2-D the row of running maxima. LUT coefficients: the pool set's (its trees
 * their own, mmvMax: the sweep's MMV max-pools).
 */
export function poolMmvResources(
  p: { kernel: number; outElems: number; bits: number; rowWords: number; rows: number; wordsPerRow: number },
  fab: Fabric,
): Resources {
  // 2-D: the row of running maxima (rowWords pooled words, read without a register) and
  // the compare with it (K − 1 more per output element across the window's rows).
  const row = p.rowWords > 0 ? ramCost(p.rowWords, p.outElems * p.bits, fab, { syncRead: true }) : undefined;
  const maxLuts = mmvPoolMaxLuts(p.kernel, p.outElems, p.bits, p.rowWords > 0, fab);
  // The output register, valid and last, and the column / row / row-of-window counters.
  const counters = clog2(p.wordsPerRow) + (p.rowWords > 0 ? clog2(p.rows) + clog2(p.kernel) : 0);
  const f = fitOf(fab).pool;
  const lut = f.lut.c0 + f.lut.control * counters + f.lut.mmvMax * maxLuts + f.lut.ram * (row?.lut ?? 0);
  const ff = p.outElems * p.bits + 2 + counters + (row ? row.ff : 0);
  return { lut, ff, bram18: row?.bram18 ?? 0, dsp: 0 };
}

/**
 * A standalone requant or threshold engine (hw-templates/qnn_act_stream.sv): PE lanes,
 * each serving channels/PE channels; the channel-group and frame counters, the input and
 * ROM registers, one activation ROM of PE entries per word, the skid buffer.
 * `elementsPerFrame` (default: one pixel, `channels`) sizes the frame counter.
 */
export function activationResources(
  a: ActivationCostParams,
  inBits: number,
  outBits: number,
  channels: number,
  pe: number,
  fab: Fabric,
  elementsPerFrame = channels,
): { total: Resources; mem: MemCost } {
  const groups = channels / pe;
  // The lane sees the input widened by one bit (signed); `inBits` is what the comparators and multiplier see.
  const lane = activationLane(a, inBits, outBits, groups, fab);
  const mem = lane.memWidth ? romCost(groups, pe * lane.memWidth, fab, a.romColumns) : romCost(0, 0, fab);
  const counters = clog2(groups) + clog2(elementsPerFrame / pe);
  const skid = skidResources(pe * lane.liveBits);
  const k = fitOf(fab)[a.kind];
  // The requant's multiplier, shifter and rounding adder have their own coefficients; a
  // threshold's lane is its comparators and their count, under `compare`.
  const laneLut =
    'mul' in k.lut
      ? k.lut.lane * (lane.lut - lane.mulLut - lane.shiftLut - lane.roundLut) +
        k.lut.mul * lane.mulLut +
        k.lut.shift * lane.shiftLut +
        k.lut.round * lane.roundLut
      : k.lut.compare * lane.lut;
  const lut = k.lut.c0 + k.lut.control * counters + pe * laneLut + k.lut.rom * mem.lut + k.lut.out * skid.lut;
  const ff = k.ff.c0 + counters + k.ff.input * pe * inBits + k.ff.lane * pe * lane.ff + k.ff.rom * mem.ff + skid.ff;
  return { total: { lut, ff, bram18: mem.bram18, dsp: pe * lane.dsp }, mem };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * A stream width converter (hw-templates/qnn_dwc.sv, FINN's StreamingDataWidthConverter)
 * from `inBits`- to `outBits`-wide words: it collects lcm(in, out) bits (for an integer
 * ratio, the wider word) — the input words before the last in a shift register, the whole
 * group in the hold register — and a mux picks each output slice. `frameOutWords`
 * (default 1) sizes its frame counter.
 */
export function converterResources(inBits: number, outBits: number, fab: Fabric, frameOutWords = 1): Resources & { bufferBits: number } {
  const bufferBits = (inBits * outBits) / gcd(inBits, outBits);
  const slicesOut = bufferBits / outBits;
  const slicesIn = bufferBits / inBits;
  const counters = clog2(slicesOut) + clog2(slicesIn) + clog2(frameOutWords);
  const collect = slicesIn > 1 ? bufferBits - inBits : 0;
  const k = fitOf(fab).converter;
  // The collected words and the group are registers with an enable (no LUTs: measured on
  // synth_xilinx and synth_ice40 once the template sends a one-slice group as it is). The
  // output select per bit is the fabric's (`selectLuts`; priced as LUT6 muxes on iCE40,
  // held_chain4's 8 → 1 converter was 32 % under).
  const lut = k.lut.c0 + k.lut.control * counters + k.lut.mux * outBits * selectLuts(fab, slicesOut);
  return { lut, ff: k.ff.c0 + counters + collect + bufferBits, bram18: 0, dsp: 0, bufferBits };
}

export type FifoImpl = 'registers' | 'srl' | 'lutram' | 'bram';

/**
 * A FIFO (hw-templates/qnn_fifo.sv) of `depth` words of `width` data bits (+ tlast): depth
 * 1 a register slice, 2 a skid buffer, deeper a memory of depth − 1 words (LUTRAM or block
 * RAM by the memory rule; on iCE40 registers or EBRs) whose registered read port is the
 * output register, with its write and read pointers and word count.
 */
export function fifoResources(depth: number, width: number, fab: Fabric): Resources & { impl: FifoImpl } {
  const k = fitOf(fab).fifo;
  const dw = width + 1;
  if (depth <= 1) return { lut: k.lut.c0, ff: dw + 1, bram18: 0, dsp: 0, impl: 'registers' };
  if (depth === 2) return { lut: k.lut.c0 + k.lut.data * dw, ff: 2 * dw + 2, bram18: 0, dsp: 0, impl: 'registers' };
  const words = depth - 1;
  const ptr = 2 * clog2(words) + clog2(words + 1);
  const m = ramCost(words, dw, fab, { ebrEmulatedRead: true });
  const impl: FifoImpl = m.kind === 'bram' ? 'bram' : m.kind === 'lutram' ? 'lutram' : 'registers';
  // Pointer increments and wrap, the count's add/subtract, full and empty compares.
  const lut = k.lut.c0 + k.lut.control * 2 * ptr + k.lut.mem * m.lut;
  return { lut, ff: k.ff.c0 + ptr + k.ff.mem * m.ff, bram18: m.bram18, dsp: 0, impl };
}

// ---- device peak compute (roofline) -------------------------------------------------------

/**
 * MAC lanes a device could hold at one precision: its DSPs (when the product maps to DSPs)
 * plus its LUTs, at the marginal cost of one more SIMD lane (multiplier + its leaf of a wide
 * adder tree as Yosys builds it, `adderTreeLutsOn`, each times the family's fitted
 * coefficient). Control overhead is left out: this is a ceiling.
 */
export function peakMacLanes(op: MacOperands, fab: Fabric, capacity: { lut: number; dsp: number }): number {
  const k = fitOf(fab).mvau.lut;
  const lane = macLane(op, fab);
  // One more leaf of a wide tree (the measured trees' slope from 32 to 64 leaves).
  const leafLuts = (adderTreeLutsOn(fab, 64, lane.productBits) - adderTreeLutsOn(fab, 32, lane.productBits)) / 32;
  const addShare = (k.tree * leafLuts) / lane.group;
  if (lane.dsp > 0) {
    const dspLanes = Math.floor(capacity.dsp / lane.dsp);
    const lutLeft = Math.max(0, capacity.lut - dspLanes * addShare);
    // The same lane with its product in LUTs, as `mul=lut` builds it.
    const lutLaneCost = k.mulInt * macLane(op, multiplierFabric(fab, 'lut')).lut + addShare;
    return dspLanes + Math.floor(lutLeft / lutLaneCost);
  }
  return Math.floor(capacity.lut / (k[LANE_TERM[lane.variant]] * lane.lut + addShare));
}
