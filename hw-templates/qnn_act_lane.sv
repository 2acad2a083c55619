// qnn_act_lane: one lane of the activation (language.md §3), shared by the MVAU's fused
// activation and the standalone requant / threshold engines.
//
//   ACT = 1 requant:   y = clamp(((x·M + 2^(S−1)) >>> S) + ZERO, min(out), max(out)),
//                      no rounding term when S = 0; prm = {S[SHIFT_BITS], M[MBITS] (unsigned)}.
//   ACT = 2 threshold: y = ZERO + Σ_i [x ≥ T_i] over N_THRESH thresholds of T_BITS bits each
//                      (two's complement), T_i at prm[i·T_BITS +: T_BITS]; ZERO is the
//                      `bias` (language.md §5; not given: 0), and ZERO … ZERO + N_THRESH
//                      must fit the unsigned (OUT_KIND 0) or signed (OUT_KIND 1) output;
//                      OUT_KIND = 2 (bipolar): y = 1 (+1) if any T_i ≤ x else 0 (−1), no bias.
//
// x is a signed ACC_BITS value. Two register stages, both advancing when `en` is high:
// y is valid two enabled cycles after x/prm are presented.
// Parameter checks (docs/engines-contract.md): QNN_PARAM_ERROR stops the elaboration of an
// instance whose parameters are impossible, with a message. It is an elaboration-time
// $error in Yosys, Vivado and Verilator; Icarus 11 has no elaboration-time $error, there it
// is a $fatal at time 0. (Every template has this definition; the first one read wins.)
`ifndef QNN_PARAM_ERROR
`ifdef __ICARUS__
`define QNN_PARAM_ERROR(args) initial $fatal(1, $sformatf args);
`else
`define QNN_PARAM_ERROR(args) $error args;
`endif
`endif
module qnn_act_lane #(
  parameter int ACT        = 0,   // 1 requant, 2 threshold
  parameter int ACC_BITS   = 0,
  parameter int OUT_BITS   = 0,
  parameter int OUT_KIND   = -1,  // 0 unsigned, 1 signed; threshold also 2 bipolar
  parameter int MBITS      = 0,   // requant
  parameter int SHIFT_BITS = 0,   // requant
  parameter int SHIFT      = -2,  // requant: the shift S every channel shares (prm holds it too), −1 when they differ; −2 means "not given"
  parameter int ZERO       = 32'sh8000_0000,  // requant zero point, threshold bias; the default means "not given"
  parameter int N_THRESH   = 0,   // threshold
  parameter int T_BITS     = 0,   // threshold
  parameter int MUL_LUT    = 0,   // requant: 1 builds the x·M product from LUTs (mul=lut), 0 leaves it to the tool (a DSP)
  parameter int CMP_CARRY  = 0,   // threshold: 1 compares by the sign of x − T (iCE40's carry chain), 0 writes x ≥ T
  parameter int CLAMP_TEST = 0    // requant: 1 tests clamp bounds at powers of two on the value's top bits (iCE40), 0 writes < and >
) (
  input  logic                       clk,
  input  logic                       en,
  input  logic signed [ACC_BITS-1:0] x,
  input  logic [((ACT == 1) ? (MBITS + SHIFT_BITS) : (N_THRESH * T_BITS))-1:0] prm,
  output logic [OUT_BITS-1:0]        y
);
  // ---- Parameter checks (Yosys reads every module with its defaults: the template itself,
  // every parameter at its default, is not checked there).
`ifdef SYNTHESIS
  localparam bit CHECK = !(ACC_BITS == 0 && OUT_BITS == 0 && OUT_KIND == -1);
`else
  localparam bit CHECK = 1'b1;
`endif
  localparam int ZERO_UNSET = 32'sh8000_0000;
  if (CHECK && ACT != 1 && ACT != 2) begin : g_bad_act
    `QNN_PARAM_ERROR(("qnn_act_lane: ACT (%0d) must be 1 (requant) or 2 (threshold)", ACT))
  end
  if (CHECK && (ACC_BITS < 1 || OUT_BITS < 1)) begin : g_bad_bits
    `QNN_PARAM_ERROR(("qnn_act_lane: ACC_BITS (%0d) and OUT_BITS (%0d) must be at least 1", ACC_BITS, OUT_BITS))
  end
  if (CHECK && ACT == 1 && (MBITS < 1 || SHIFT_BITS < 1)) begin : g_bad_requant
    `QNN_PARAM_ERROR(("qnn_act_lane: requant needs MBITS (%0d) and SHIFT_BITS (%0d) of at least 1", MBITS, SHIFT_BITS))
  end
  if (CHECK && ACT == 1 && ZERO == ZERO_UNSET) begin : g_bad_zero
    `QNN_PARAM_ERROR(("qnn_act_lane: requant needs ZERO (the zero point; -2^31 means not given)"))
  end
  if (CHECK && ACT == 1 && (SHIFT < -1 || (SHIFT_BITS >= 1 && SHIFT_BITS < 31 && SHIFT >= (1 << SHIFT_BITS)))) begin : g_bad_shift
    `QNN_PARAM_ERROR(("qnn_act_lane: requant SHIFT (%0d) must be the S every channel shares (0 to 2^SHIFT_BITS - 1, SHIFT_BITS %0d) or -1 when each channel has its own (-2 means not given)",
                      SHIFT, SHIFT_BITS))
  end
  if (CHECK && ACT == 1 && OUT_KIND != 0 && OUT_KIND != 1) begin : g_bad_requant_kind
    `QNN_PARAM_ERROR(("qnn_act_lane: requant OUT_KIND (%0d) must be 0 (unsigned) or 1 (signed)", OUT_KIND))
  end
  if (CHECK && ACT == 2 && (T_BITS < 1 || N_THRESH < 1)) begin : g_bad_thresh
    `QNN_PARAM_ERROR(("qnn_act_lane: threshold needs N_THRESH (%0d) and T_BITS (%0d) of at least 1", N_THRESH, T_BITS))
  end
  // The threshold's bias: not given is 0 (the plain count of FINN's multi-threshold).
  // (OUT_BITS < 31 keeps the bounds in an int; threshold outputs are at most 16 bits.)
  localparam int BIAS = (ACT == 2 && ZERO != ZERO_UNSET) ? ZERO : 0;
  localparam int OUT_LO = (OUT_KIND == 1) ? -(1 <<< (OUT_BITS - 1)) : 0;
  localparam int OUT_HI = (OUT_KIND == 1) ? (1 <<< (OUT_BITS - 1)) - 1 : (1 <<< OUT_BITS) - 1;
  if (CHECK && ACT == 2 && OUT_KIND == 0 && BIAS == 0 && OUT_BITS < 31 && N_THRESH > OUT_HI) begin : g_bad_thresh_count
    `QNN_PARAM_ERROR(("qnn_act_lane: N_THRESH (%0d) thresholds count past what OUT_BITS (%0d) hold (at most 2^OUT_BITS - 1)",
                      N_THRESH, OUT_BITS))
  end
  if (CHECK && ACT == 2 && (OUT_KIND == 1 || (OUT_KIND == 0 && BIAS != 0)) && OUT_BITS < 31 &&
      (BIAS < OUT_LO || BIAS + N_THRESH > OUT_HI)) begin : g_bad_thresh_bias
    `QNN_PARAM_ERROR(("qnn_act_lane: the bias ZERO (%0d) plus 0 to N_THRESH (%0d) thresholds passed must lie in [%0d, %0d] (OUT_BITS %0d, OUT_KIND %0d)",
                      BIAS, N_THRESH, OUT_LO, OUT_HI, OUT_BITS, OUT_KIND))
  end
  if (CHECK && ACT == 2 && OUT_KIND != 0 && OUT_KIND != 1 && !(OUT_KIND == 2 && OUT_BITS == 1)) begin : g_bad_thresh_kind
    `QNN_PARAM_ERROR(("qnn_act_lane: threshold OUT_KIND (%0d) must be 0 (unsigned), 1 (signed) or 2 (bipolar, OUT_BITS = 1; OUT_BITS is %0d)",
                      OUT_KIND, OUT_BITS))
  end
  if (CHECK && ACT == 2 && OUT_KIND == 2 && BIAS != 0) begin : g_bad_thresh_bipolar_bias
    `QNN_PARAM_ERROR(("qnn_act_lane: a bipolar threshold takes no bias (ZERO is %0d)", BIAS))
  end

  // Two's complement bits that hold v (a constant function: at module level, as IEEE 1800
  // §13.4.3 asks).
  function automatic int sbits(input logic signed [63:0] v);
    sbits = 64;
    for (int i = 63; i >= 1; i--)
      if (v >= -(64'sd1 <<< (i - 1)) && v <= (64'sd1 <<< (i - 1)) - 64'sd1) sbits = i;
  endfunction
  // k where v = 2^k (k ≥ 0), else −1.
  function automatic int pow2_exp(input logic signed [63:0] v);
    pow2_exp = -1;
    for (int i = 0; i < 63; i++)
      if (v == (64'sd1 <<< i)) pow2_exp = i;
  endfunction

  if (ACT == 1) begin : g_requant
    // |x·M| < 2^(ACC_BITS−1+MBITS): the product, and the product plus 2^(S−1) for
    // S ≤ ACC_BITS+MBITS, fit PW signed bits. For larger S the result is exactly 0.
    localparam int PW = ACC_BITS + MBITS + 1;
    localparam int AM = ACC_BITS + MBITS;
    // The output range [YLO, YHI], and that range moved by −ZERO, which the shifted value is
    // clamped to before the zero point is added: the compares are against constants on the
    // shifted value alone (a shared S leaves them its significant bits), and the zero
    // point's add only needs the OUT_BITS bits that are kept.
    localparam logic signed [63:0] YLO = (OUT_KIND == 1) ? -(64'sd1 <<< (OUT_BITS - 1)) : 64'sd0;
    localparam logic signed [63:0] YHI = (OUT_KIND == 1) ? (64'sd1 <<< (OUT_BITS - 1)) - 1 : (64'sd1 <<< OUT_BITS) - 1;
    localparam logic signed [63:0] XLO = YLO - 64'(ZERO);
    localparam logic signed [63:0] XHI = YHI - 64'(ZERO);
    // Bits of the shifted value: with a shared S (SHIFT ≥ 0), the PW − S that the shift
    // leaves (the others copy its sign), else all PW. The clamp compares CW bits; as
    // XHI − XLO = 2^OUT_BITS − 1, CW ≥ OUT_BITS.
    localparam int SW = (SHIFT < 0) ? PW : (SHIFT >= AM) ? 1 : PW - SHIFT;
    localparam int CW = (SW > sbits(XLO)) ? ((SW > sbits(XHI)) ? SW : sbits(XHI))
                                          : ((sbits(XLO) > sbits(XHI)) ? sbits(XLO) : sbits(XHI));
    localparam logic signed [CW-1:0] LO = CW'(XLO);
    localparam logic signed [CW-1:0] HI = CW'(XHI);

    logic [MBITS-1:0]      mult;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [SHIFT_BITS-1:0] shift;  // not read when SHIFT gives the shared S
    /* verilator lint_on UNUSEDSIGNAL */
    assign mult  = prm[MBITS-1:0];
    assign shift = prm[MBITS +: SHIFT_BITS];

    // mul=lut: x·M as the sum of x·2^i over M's set bits (no `*`, so no tool maps it to a
    // DSP block); exact, like the product.
    function automatic logic signed [PW-1:0] requant_lut_product(input logic signed [PW-1:0] a, input logic [MBITS-1:0] m);
      logic signed [PW-1:0] total;
      total = '0;
      for (int i = 0; i < MBITS; i++) total = total + (m[i] ? (a <<< i) : PW'(0));
      requant_lut_product = total;
    endfunction

    // Stage 1: the product (one multiplier per lane).
    logic signed [PW-1:0]   prod_d, prod;
    if (MUL_LUT != 0) begin : g_lut_mul
      (* use_dsp = "no" *) logic signed [PW-1:0] sum;
      assign sum = requant_lut_product(PW'(x), mult);
      assign prod_d = sum;
    end else begin : g_mul
      assign prod_d = PW'(x) * PW'($signed({1'b0, mult}));
    end
    always_ff @(posedge clk) if (en) prod <= prod_d;

    // Stage 2: round, arithmetic shift, clamp, zero point.
    /* verilator lint_off UNUSEDSIGNAL */
    logic signed [PW-1:0] rounded;  // its low S bits only round (and none is read when S ≥ AM)
    /* verilator lint_on UNUSEDSIGNAL */
    logic signed [SW-1:0] shifted;
    if (SHIFT >= 0) begin : g_shared_shift
      // The S in prm is this S: taking it from the parameter leaves the shift wiring and
      // the value SW bits wide before synthesis sees it.
      localparam logic signed [PW-1:0] RND = (SHIFT == 0 || SHIFT > PW) ? '0 : PW'(1) <<< (SHIFT - 1);
      assign rounded = prod + RND;
      if (SHIFT >= AM) begin : g_all_shifted_out
        assign shifted = '0;
      end else begin : g_significant
        assign shifted = rounded[PW-1:SHIFT];
      end
    end else begin : g_channel_shift
      // S per channel: stage 1 registers it with the product, and a shifter applies it.
      logic [SHIFT_BITS-1:0] shift_q;
      logic signed [PW-1:0]  rnd;
      always_ff @(posedge clk) if (en) shift_q <= shift;
      always_comb begin
        // (if/else, not ?: with '0: an unsigned operand would make >>> a logical shift)
        if (shift_q == '0) rnd = '0;
        else               rnd = PW'(1) <<< (shift_q - 1'b1);
        rounded = prod + rnd;
        if (32'(shift_q) >= AM) shifted = '0;
        else                    shifted = rounded >>> shift_q;
      end
    end
    logic signed [CW-1:0] wide;
    assign wide = CW'(shifted);
    // The clamp's compares. With CLAMP_TEST, a bound at a power of two (every requant
    // without a zero point: 0 and 2^n − 1 for an unsigned output, −2^(n−1) and 2^(n−1) − 1
    // for a signed one) is a test of the value's top bits: synth_ice40 builds `wide < 0` as
    // a subtraction on the carry chain (a stand-alone u6 → u4 requant, PE 8: 174 LUT4s with
    // `<` and `>`, 86 with the tests). On Xilinx, whose cmp2lcu builds `<` and `>` well, the
    // tests gained nothing with one S and were mixed after a per-channel shifter (−14 to
    // +27 % on xc7), so it keeps them. For k ≥ CW − 1 the value cannot pass the bound.
    localparam int KLO = pow2_exp(-XLO);  // XLO = −2^KLO
    localparam int KHI = pow2_exp(XHI + 1);  // XHI = 2^KHI − 1
    logic below, above;
    if (CLAMP_TEST == 0 || (XLO != 0 && KLO < 0)) begin : g_below_cmp
      assign below = wide < LO;
    end else if (XLO == 0) begin : g_below_sign
      assign below = wide[CW-1];
    end else if (KLO >= CW - 1) begin : g_never_below
      assign below = 1'b0;
    end else begin : g_below_pow2
      assign below = wide[CW-1] & ~&wide[CW-2:KLO];
    end
    if (CLAMP_TEST == 0 || KHI < 0) begin : g_above_cmp
      assign above = wide > HI;
    end else if (KHI >= CW - 1) begin : g_never_above
      assign above = 1'b0;
    end else begin : g_above_pow2
      assign above = ~wide[CW-1] & |wide[CW-2:KHI];
    end
    always_ff @(posedge clk) begin
      if (en) begin
        if (below)      y <= OUT_BITS'(YLO);
        else if (above) y <= OUT_BITS'(YHI);
        else            y <= wide[OUT_BITS-1:0] + OUT_BITS'(ZERO);
      end
    end
  end else if (ACT == 2) begin : g_threshold
    localparam int CW = (ACC_BITS > T_BITS) ? ACC_BITS : T_BITS;
    localparam int NW = $clog2(N_THRESH + 1);

    // Stage 1: one comparator per threshold. synth_xilinx maps `x >= T` to LUT chunks
    // (cmp2lcu); synth_ice40 makes it a subtraction on the carry chain but orients it either
    // way, and T − x costs up to three times the LUT4s of x − T (stand-alone blocks of 1 to
    // 15 thresholds: 88 to 235 LUT4s as `x >= T`, 32 to 93 as x − T). CMP_CARRY fixes the
    // orientation: x ≥ T is the sign bit of the CW+1-bit difference x − T, exact as both
    // are CW-bit signed.
    function automatic logic at_least(input logic signed [CW-1:0] a, input logic signed [CW-1:0] b);
      logic signed [CW:0] d;
      d = (CW+1)'(a) - (CW+1)'(b);
      at_least = ~d[CW];
    endfunction
    logic [N_THRESH-1:0] ge;
    always_ff @(posedge clk) begin
      if (en) begin
        for (int i = 0; i < N_THRESH; i++)
          if (CMP_CARRY != 0) ge[i] <= at_least(CW'(x), CW'($signed(prm[i*T_BITS +: T_BITS])));
          else                ge[i] <= CW'(x) >= CW'($signed(prm[i*T_BITS +: T_BITS]));
      end
    end

    // Stage 2: count the thresholds passed (exact even for an unsorted list).
    if (OUT_KIND == 2) begin : g_bipolar
      always_ff @(posedge clk) if (en) y <= OUT_BITS'(|ge);
    end else begin : g_count
      logic [NW-1:0] count;
      always_comb begin
        count = '0;
        for (int i = 0; i < N_THRESH; i++) count = count + NW'(ge[i]);
      end
      // bias + count fits OUT_BITS (checked above), so its low bits are the two's
      // complement (or unsigned) output.
      localparam logic [31:0] BIAS32 = BIAS;
      always_ff @(posedge clk) if (en) y <= OUT_BITS'(BIAS32 + 32'(count));
    end
  end
endmodule
