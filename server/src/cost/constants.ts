/**
 * Every fitted constant of the cost model, in one object.
 *
 * These are first-cut values: FINN's published models (FINN-R, Blott et al. 2018) as the
 * anchor, adjusted by hand for a plain RTL implementation (no HLS control overhead). A
 * calibration script (hardware.md §4: Yosys `synth_xilinx` / `synth_ice40` sweeps of our
 * own engines) will replace this object with fitted values; nothing else in `cost/` holds
 * a tuned number, so a recalibration is a change to this file only.
 */

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
    /** Cost of one RAM32M / RAM64M (lutrams_xc5v.txt). */
    lutramCost: number;
    /** Cost of one RAMB18 (brams_xc4v.txt) or one 4-kbit EBR (ice40/brams.txt). */
    blockRamCost: Record<'xilinx' | 'ice40', number>;
    /** Entries one Xilinx LUT6 holds as a 1-bit ROM (a ROM64X1); MUXF7/MUXF8 join four of them for free. */
    romDepthPerLut6: number;
    /** Writable LUTRAM (simple dual port): RAM64M = 4 LUT6 for 64 × 3 bits; RAM32M = 4 LUT6 for 32 × 6 bits. */
    ram64: { depth: number; width: number; luts: number };
    ram32: { depth: number; width: number; luts: number };
    /** Entries one iCE40 LUT4 holds as a 1-bit ROM, and the read-mux overhead factor on top. */
    romDepthPerLut4: number;
    lut4RomMuxFactor: number;
  };
  /**
   * Multipliers → DSP blocks: the parameters Yosys gives its `mul2dsp` techmap (Yosys 0.23
   * `synth_xilinx -family xc7` / `xcup` and `synth_ice40 -dsp`; see resources.ts `multiplierDsps`).
   * A product maps when both operands have at least `minOperandBits` and the product at
   * least `minProductBits` bits (widths as Yosys sees them after `wreduce`); a wider one
   * is split into `aPartialBits` × B slices (one DSP each, the same test again per slice).
   */
  dsp: Record<'xilinx' | 'xcup' | 'ice40', DspMapping>;
  /** MVAU: LUT ≈ c0 + c1·PE·(mult + addertree + acc + activation) + memories (FINN-R's form). */
  mvau: {
    c0: number;
    c1: number;
    ffC0: number;
  };
  /** Threshold / requant lanes (fused in an MVAU or standalone). */
  activation: {
    /** LUTs of a comparator per bit of the compared value (carry-chain compare: 2 bits per LUT6). */
    compareLutsPerBit: number;
    standaloneC0: number;
    standaloneFfC0: number;
    /** Bits of a stored per-channel shift amount. */
    shiftBits: number;
    /** The requant multiplier's width in the RTL (template MBITS) when the caller does not say: the language's default `mbits`. */
    defaultMbits: number;
  };
  window: { c0: number; ffC0: number };
  pool: { c0: number; ffC0: number };
  converter: { c0: number; ffC0: number };
  fifo: {
    /** Depth used for every inter-engine FIFO until the compiler's FIFO analysis supplies depths. */
    defaultDepth: number;
    c0: number;
    ffC0: number;
  };
  /** qnn_skid's control LUTs (take / drain / ready) beside its per-bit mux. */
  skid: { lutC0: number };
  /** iCE40 logic cells (LUT4) per Xilinx LUT6 of logic (memories are counted natively). */
  ice40LutFactor: number;
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
    lutramCost: 8,
    blockRamCost: { xilinx: 129, ice40: 64 },
    romDepthPerLut6: 64,
    ram64: { depth: 64, width: 3, luts: 4 },
    ram32: { depth: 32, width: 6, luts: 4 },
    romDepthPerLut4: 16,
    lut4RomMuxFactor: 1.33,
  },
  dsp: {
    // DSP48E1: 25 × 18 signed, partial products 18 × 18; UG901: products of 4 × 4 bits and less stay in LUTs.
    xilinx: { aMaxBits: 25, bMaxBits: 18, aPartialBits: 18, minOperandBits: 2, minProductBits: 9, signedOnly: true },
    // UltraScale+ DSP48E2 (synth_xilinx -family xcup): 27 × 18.
    xcup: { aMaxBits: 27, bMaxBits: 18, aPartialBits: 18, minOperandBits: 2, minProductBits: 9, signedOnly: true },
    // SB_MAC16: 16 × 16.
    ice40: { aMaxBits: 16, bMaxBits: 16, aPartialBits: 16, minOperandBits: 2, minProductBits: 11, signedOnly: false },
  },
  // FINN-R uses c0 = 300 (HLS control); our RTL control is counters and handshakes.
  // ffC0: the valid / first / last / tlast flags along the pipeline (the wide registers are counted per structure).
  mvau: { c0: 40, c1: 1.1, ffC0: 12 },
  activation: { compareLutsPerBit: 0.5, standaloneC0: 20, standaloneFfC0: 6, shiftBits: 5, defaultMbits: 16 },
  window: { c0: 40, ffC0: 2 },
  pool: { c0: 24, ffC0: 4 },
  converter: { c0: 8, ffC0: 1 },
  fifo: { defaultDepth: 2, c0: 8, ffC0: 1 },
  skid: { lutC0: 3 },
  ice40LutFactor: 1.5,
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
