/**
 * Every constant of the cost model, in one object.
 *
 * Three kinds: the structure of Yosys' own rules (memory placement costs, the DSP mapping
 * thresholds, comparator and shift widths, pipeline depths), which are read from Yosys and
 * the templates and kept exact; the fitted coefficients of the LUT and FF formulas (`fit`),
 * per resource family, which `npm run calibrate` (scripts/calibrate.ts, hardware.md §4)
 * fits to Yosys `synth_xilinx` / `synth_ice40` on a sweep of our own engines; and the LUT
 * multiplier and adder-tree tables (`lutMultipliers`, `adderTrees`), which the same run
 * measures. The last three are written to calibration.json. Nothing else in `cost/` holds
 * a tuned number, so a recalibration is a change to that file only.
 */
import calibration from './calibration.json' with { type: 'json' };
import type { Family } from './fabric.js';

/**
 * The fitted coefficient sets: one per resource family, and UltraScale+ (`xcup`, the
 * Xilinx parts `fabricOf` gives `xilinxArch: 'xcup'`) on its own, since `synth_xilinx
 * -family xcup` maps the same RTL to more LUTs than `-family xc7`.
 */
export type FitSet = Family | 'xcup';

/**
 * One family's fitted coefficients. Each record is one engine's LUT or FF formula: the
 * keys are its terms (resources.ts names them where they are computed), the values the
 * coefficients. `c0` is a constant; every other term is a structure of the template in
 * LUT6 / FF units (iCE40 included: its coefficients convert to LUT4 cells). Terms not
 * listed in an FF record are registers Yosys keeps as written (counters, stream
 * registers), counted one each.
 */
export interface ActivationFit {
  lut: { c0: number; control: number; lane: number; rom: number; out: number };
  ff: { c0: number; input: number; lane: number; rom: number };
}

/**
 * The stand-alone requant's: its lane's multiplier in LUTs (mul), per-channel shifter
 * (shift) and rounding adder (round) have their own.
 */
export interface RequantFit {
  lut: ActivationFit['lut'] & { mul: number; shift: number; round: number };
  ff: ActivationFit['ff'];
}

/**
 * The stand-alone threshold's: its lane is its comparators and their count, priced as the
 * family's synthesis builds them (resources.ts `thresholdComparators`), under `compare`.
 */
export interface ThresholdFit {
  lut: Omit<ActivationFit['lut'], 'lane'> & { compare: number };
  ff: ActivationFit['ff'];
}

export interface FamilyFit {
  /**
   * MVAU (qnn_mvau): LUT = c0 + control·(counters + input mux) + lane·PE·SIMD·(multiply
   * lane), one coefficient per lane variant (mulInt: an int multiplier in LUTs; mulConst:
   * hard-wired constant multiplies; pow2: shift and negate; neg: ±a or ±w; xnor) +
   * carryOperand·PE·SIMD·(iCE40: the LUT4s that hand a hard-wired lane's operand to a carry
   * chain, inverters of negative constants and narrow products; 0 elsewhere) +
   * tree·PE·(adder tree + negation count), treeDsp instead where the leaves are DSP products
   * on a 7-series part (Yosys packs adds into DSP48E1 post-adders and cascades; 0 elsewhere)
   * + acc·PE·ACC_BITS + requant|threshold·PE·(fused activation lane) + requantMul·PE·(the
   * fused requant's x · M where it is in LUTs; the sweep has such lanes on iCE40 only, so
   * elsewhere it keeps the value it started from, the set's mulInt) + rom·(weight and
   * activation ROMs in logic) + ram·(input buffer) + out·(skid buffer); FF = c0 +
   * pipe·PE·(tree root + accumulator) + act·PE·(activation lane) + rom·(ROM output
   * registers) + ram·(input buffer registers) + the rest.
   */
  mvau: {
    lut: {
      c0: number;
      control: number;
      mulInt: number;
      mulConst: number;
      carryOperand: number;
      pow2: number;
      neg: number;
      xnor: number;
      tree: number;
      treeDsp: number;
      acc: number;
      requant: number;
      requantMul: number;
      threshold: number;
      rom: number;
      ram: number;
      out: number;
    };
    ff: { c0: number; pipe: number; act: number; rom: number; ram: number };
  };
  /** Window generator (qnn_window): LUT = c0 + control·(its registers' next values) + arith (address steps, compares) + columns·(the same for a row of several windows: the column step and clamps, 2-D) + lanes + mask (the output's padding mask) + ram; FF = c0 + control·(its registers) + ram·(line buffer in registers). */
  window: {
    lut: { c0: number; control: number; arith: number; columns: number; lanes: number; mask: number; ram: number };
    ff: { c0: number; control: number; ram: number };
  };
  /**
   * Max-pool (qnn_maxpool): LUT = c0 + control + max·(max units) + select·(closing-slot muxes) + ram, and in 2-D rows2d (the vertical stage's fixed part);
   * FF = c0 + ram + the rest. MMV (qnn_maxpool_mmv): its compare-and-select trees take mmvMax.
   */
  pool: {
    lut: { c0: number; rows2d: number; control: number; max: number; mmvMax: number; select: number; ram: number };
    ff: { c0: number; ram: number };
  };
  /**
   * Stand-alone requant and threshold engines (qnn_act_stream), each its own set: LUT = c0 +
   * control + lane·PE·(activation lane) + rom + out; FF = c0 + input·PE·(input register) +
   * lane·PE·(lane registers) + rom + the rest. The requant's lane is split: mul·PE·(its
   * multiplier in LUTs) + shift·PE·(its per-channel shifter) + lane·PE·(the rest).
   */
  requant: RequantFit;
  threshold: ThresholdFit;
  /**
   * Width converter (qnn_dwc): LUT = c0 + control·counters + mux·(output slice mux); FF =
   * c0 + the rest.
   */
  converter: { lut: { c0: number; control: number; mux: number }; ff: { c0: number } };
  /** FIFO (qnn_fifo): LUT = c0 + data·(skid mux, depth 2) + control·(pointers, count) + mem; FF = c0 + mem + the rest. */
  fifo: { lut: { c0: number; data: number; control: number; mem: number }; ff: { c0: number; mem: number } };
}

/** One family's `mul2dsp` parameters (DSP_A_MAXWIDTH, …). */
export interface DspMapping {
  aMaxBits: number;
  bMaxBits: number;
  /** Width of the slices a wider A operand is cut into (DSP_A_MAXWIDTH_PARTIAL; B: bMaxBits). */
  aPartialBits: number;
  minOperandBits: number;
  minProductBits: number;
  /** The DSP multiplies signed numbers only (DSP48): every slice gives up one bit to the sign. */
  signedOnly: boolean;
}

/** One LUTRAM kind of Yosys' Xilinx library, as memory_libmap prices it (constants `memory.lutram`). */
export interface LutramLibrary {
  cost: number;
  widthscale: number;
  options: { abits: number; width: number; primitive: { bits: number; luts: number } }[];
}

export interface CostConstants {
  /**
   * Memory placement (hardware.md §4): Yosys `memory_libmap` takes the cheapest of logic,
   * LUTRAM and block RAM by these costs (its library files and the flags `synth_xilinx` /
   * `synth_ice40` pass), and memory.ts prices them the same way.
   */
  memory: {
    /** Cost of one bit of a ROM in logic: `synth_xilinx -logic-cost-rom 0.015625` (a LUT6 holds 64), the default 1/16 on iCE40. */
    romLogicCostPerBit: Record<'xilinx' | 'ice40', number>;
    /** Cost of one bit of a written memory in registers (the default). */
    ramLogicCostPerBit: number;
    /**
     * What Yosys adds to each 4-kbit EBR of a buffer with a write port and a registered read
     * port (qnn_fifo's memory, qnn_window's line buffer) on iCE40 (emulating its read port):
     * measured on qnn_fifo with synth_ice40, a FIFO memory stays in registers up to 79 bits
     * (3 × 26, 13 × 6) and takes one EBR from 80 (2 × 40, 10 × 8, 16 × 5); two EBRs (17 bits
     * wide) only past 159 bits. A window's 6 × 12-bit line buffer (72 bits) stays in
     * registers too (held-out conv5).
     */
    ebrBufferExtraCost: number;
    /**
     * Xilinx LUTRAM (lutrams_xc5v.txt), per port shape: `sdp` for a memory whose read and
     * write addresses differ (RAM32M / RAM64M), `sp` for one that reads where it writes
     * (`mem[a] <= d; q = mem[a]`: RAM32M, RAM64X1S, RAM128X1S, RAM256X1S). memory_libmap
     * prices an option (2^abits entries × `width` bits per unit) at (cost − widthscale) per
     * unit plus widthscale per unit-width of data, for each depth segment, plus `muxCost` per
     * bit and extra segment for the read mux and `demuxCost` per segment for the write
     * enables. `primitive`: the LUT6 count of one primitive and the data bits it holds.
     * (The true dual-port option, RAM64X1D / RAM128X1D, never beats the SDP one for our
     * shapes.)
     */
    lutram: Record<'sdp' | 'sp', LutramLibrary>;
    /** memory_libmap's FACTOR_MUX / FACTOR_DEMUX: cost per read-mux input bit and per write-enable decode. */
    muxCost: number;
    /**
     * What memory_libmap adds to a LUTRAM option for a synchronous read port transparent to
     * the write (memory.ts `syncRead`), measured with synth_xilinx on `mem[a] <= f(mem[a], d); q = mem[a]` with
     * `a` a counter register, 2 to 8 entries of 1 to 24 bits: registers up to 24 bits (2 ×
     * 12, 3 × 4, 4 × 3, 5 × 2, 8 × 1), LUTRAM from 32, 18, 16, 15 and 16 bits, which the SDP
     * option's cost matches for any value from 8 to 10.
     */
    syncReadEmulationCost: number;
    demuxCost: number;
    /** Cost of one RAMB18 (brams_xc4v.txt) or one 4-kbit EBR (ice40/brams.txt). */
    blockRamCost: Record<'xilinx' | 'ice40', number>;
    /** Entries one Xilinx LUT6 holds as a 1-bit ROM (a ROM64X1); MUXF7/MUXF8 join four of them for free. */
    romDepthPerLut6: number;
    /** Entries one iCE40 LUT4 holds as a 1-bit ROM, and the read-mux overhead factor on top. */
    romDepthPerLut4: number;
    lut4RomMuxFactor: number;
    /**
     * An iCE40 register file as synth_ice40 builds it (Yosys 0.23, measured on a registered
     * read of `mem[ra]` and a write of `mem[wa]`, depths 2 to 64, one and two bits wide):
     * per depth, the LUT4s of its read mux per data bit and of its write decoder, fewer than
     * a 2:1 mux per entry as a LUT4 holds more. memory.ts interpolates between depths.
     */
    lut4RegisterFile: readonly (readonly [depth: number, muxPerBit: number, decode: number])[];
  };
  /**
   * Multipliers → DSP blocks: the parameters Yosys gives its `mul2dsp` techmap (Yosys 0.23
   * `synth_xilinx -family xc7` / `xcup` and `synth_ice40 -dsp`; see resources.ts `multiplierDsps`).
   * A product maps when both operands have at least `minOperandBits` and the product at
   * least `minProductBits` bits (widths as Yosys sees them after `wreduce`); a wider one
   * is split into `aPartialBits` × B slices (one DSP each, the same test again per slice).
   */
  dsp: Record<'xilinx' | 'xcup' | 'ice40', DspMapping>;
  /**
   * iCE40 logic cells as nextpnr-ice40 packs them: a cell holds one LUT4, its carry and one
   * flip-flop, but most flip-flops do not share a cell with the LUT driving them (a register
   * fed by another register, a RAM or a MAC gets a pass-through LUT) and some carries need
   * a cell of their own. Fitted by least squares on 12 `qnn build` runs of the open flow
   * (Yosys 0.23 synth_ice40, nextpnr-ice40, board icebreaker: the random networks 7002 to
   * 7012 and peak_detector_icebreaker): median error 3 %, worst 13 %. The device's `lut`
   * capacity on iCE40 is its logic cells.
   */
  ice40LogicCells: { lut: number; ff: number };
  /** Threshold / requant lanes (fused in an MVAU or standalone): structure, not fitted. */
  activation: {
    /** LUTs of a comparator per bit of the compared value (carry-chain compare: 2 bits per LUT6). */
    compareLutsPerBit: number;
    /** Bits of a stored per-channel shift amount. */
    shiftBits: number;
    /** The requant multiplier's width in the RTL (template MBITS) when the caller does not say: the language's default `mbits`. */
    defaultMbits: number;
    /**
     * LUTs of qnn_act_lane's count of n comparator bits (`g_count`, a chain of 1-bit adds),
     * as [n, LUTs] points to interpolate, per family: measured on the count alone between
     * registers (Yosys 0.23; synth_xilinx, xc7 and xcup alike: LUT6s; synth_ice40: LUT4s).
     */
    thresholdCountLuts: Readonly<Record<'xilinx' | 'ice40', readonly (readonly [number, number])[]>>;
  };
  fifo: {
    /** Depth used for every inter-engine FIFO until the compiler's FIFO analysis supplies depths. */
    defaultDepth: number;
  };
  /**
   * qnn_skid's control LUTs (take / drain / ready) beside its per-bit mux: measured, W + 7
   * LUTs for W data bits on xc7, xcup and iCE40 (test/synth/skid.test.ts).
   */
  skid: { lutC0: number };
  /**
   * The fitted coefficients, per resource family (calibration.json, written by `npm run
   * calibrate`): each engine's LUT and FF formula is a sum of terms (resources.ts), each
   * term a structure of the template counted in LUT6 / FF units, times its coefficient.
   * Xilinx LUT6 and iCE40 LUT4 cost the same structure very differently, so each family
   * has its own set; UltraScale+ parts (`xcup`, fitted on `synth_xilinx -family xcup`) have
   * theirs beside the 7-series one (`xilinx`). resources.ts `fitOf` picks it.
   */
  fit: Record<FitSet, FamilyFit>;
  /**
   * Measured, not fitted: what Yosys builds for one registered w × a product in LUTs, per
   * coefficient set (`synth_xilinx -nodsp`, `synth_ice40` without DSPs), keyed
   * `${w}x${a}${s}` for a signed w-bit weight times an a-bit input, `s` signed or `u`
   * unsigned, `u${w}x${a}${s}` for an unsigned weight, 2 ≤ w ≤ 8, 1 ≤ a ≤ 8
   * (calibration.json `lutMultipliers`, written by `npm run calibrate`; resources.ts
   * `lutMultiplierLutsOn` reads it, the formula covers the rest).
   */
  lutMultipliers: Record<FitSet, Readonly<Record<string, number>>>;
  /**
   * Measured, not fitted: what Yosys builds for an MVAU's adder tree of n signed w-bit
   * leaves in LUTs, per coefficient set, keyed `${n}x${w}`, 2 ≤ n ≤ 64, 1 ≤ w ≤ 16
   * (calibration.json `adderTrees`, written by `npm run calibrate`; resources.ts
   * `adderTreeLutsOn` reads it and interpolates).
   */
  adderTrees: Record<FitSet, Readonly<Record<string, number>>>;
  /**
   * Pipeline depths of the latency model (cost/latency.ts), in cycles from an input
   * handshake to the output handshake it causes: the templates' timing contracts.
   */
  latency: {
    /** MVAU: the last step of a fold to its output word (ACT = 0). */
    mvauPipe: number;
    /** What a fused activation adds in the MVAU. */
    activationPipe: number;
    /** Stand-alone requant / threshold engine (qnn_requant, qnn_threshold). */
    activationEnginePipe: number;
    /** Window generator: buffer read + output register. */
    windowPipe: number;
    /** Max-pool: 1-D and 2-D (the vertical stage's registered read). */
    poolPipe1d: number;
    poolPipe2d: number;
    converterPipe: number;
    /** An empty FIFO: DEPTH 1–2, and DEPTH ≥ 3 (registered memory read). */
    fifoPipeShallow: number;
    fifoPipeDeep: number;
  };
}

export const COST_CONSTANTS: Readonly<CostConstants> = {
  memory: {
    romLogicCostPerBit: { xilinx: 1 / 64, ice40: 1 / 16 },
    ramLogicCostPerBit: 1,
    lutram: {
      sdp: {
        cost: 8,
        widthscale: 7,
        options: [
          { abits: 5, width: 6, primitive: { bits: 6, luts: 4 } }, // RAM32M
          { abits: 6, width: 3, primitive: { bits: 3, luts: 4 } }, // RAM64M
        ],
      },
      sp: {
        cost: 8,
        widthscale: 8,
        options: [
          { abits: 5, width: 8, primitive: { bits: 8, luts: 4 } }, // RAM32M
          { abits: 6, width: 4, primitive: { bits: 1, luts: 1 } }, // RAM64X1S
          { abits: 7, width: 2, primitive: { bits: 1, luts: 2 } }, // RAM128X1S
          { abits: 8, width: 1, primitive: { bits: 1, luts: 4 } }, // RAM256X1S
        ],
      },
    },
    muxCost: 0.5,
    demuxCost: 0.5,
    syncReadEmulationCost: 9,
    ebrBufferExtraCost: 15.5,
    blockRamCost: { xilinx: 129, ice40: 64 },
    romDepthPerLut6: 64,
    romDepthPerLut4: 16,
    lut4RomMuxFactor: 1.33,
    lut4RegisterFile: [
      [2, 1, 2],
      [3, 2, 3],
      [4, 2, 4],
      [5, 3, 5],
      [6, 4, 6],
      [8, 5, 8],
      [12, 9, 15],
      [16, 11, 20],
      [24, 18, 30],
      [32, 26, 35],
      [64, 52, 72],
    ],
  },
  dsp: {
    // DSP48E1: 25 × 18 signed, partial products 18 × 18; UG901: products of 4 × 4 bits and less stay in LUTs.
    xilinx: { aMaxBits: 25, bMaxBits: 18, aPartialBits: 18, minOperandBits: 2, minProductBits: 9, signedOnly: true },
    // UltraScale+ DSP48E2 (synth_xilinx -family xcup): 27 × 18.
    xcup: { aMaxBits: 27, bMaxBits: 18, aPartialBits: 18, minOperandBits: 2, minProductBits: 9, signedOnly: true },
    // SB_MAC16: 16 × 16.
    ice40: { aMaxBits: 16, bMaxBits: 16, aPartialBits: 16, minOperandBits: 2, minProductBits: 11, signedOnly: false },
  },
  ice40LogicCells: { lut: 1.235, ff: 0.385 },
  activation: {
    compareLutsPerBit: 0.5,
    shiftBits: 5,
    defaultMbits: 16,
    thresholdCountLuts: {
      xilinx: [
        [1, 0],
        [3, 2],
        [7, 4],
        [15, 14],
        [31, 49],
        [255, 479],
      ],
      ice40: [
        [1, 0],
        [3, 2],
        [7, 6],
        [15, 17],
        [31, 52],
        [63, 118],
        [255, 517],
      ],
    },
  },
  fifo: { defaultDepth: 2 },
  skid: { lutC0: 6 },
  fit: { xilinx: calibration.xilinx, ice40: calibration.ice40, xcup: calibration.xcup },
  lutMultipliers: calibration.lutMultipliers,
  adderTrees: calibration.adderTrees,
  latency: {
    mvauPipe: 3,
    activationPipe: 2,
    activationEnginePipe: 4,
    windowPipe: 2,
    poolPipe1d: 1,
    poolPipe2d: 2,
    converterPipe: 1,
    fifoPipeShallow: 1,
    fifoPipeDeep: 2,
  },
};
