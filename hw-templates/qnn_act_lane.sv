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
  parameter int ZERO       = 32'sh8000_0000,  // requant zero point, threshold bias; the default means "not given"
  parameter int N_THRESH   = 0,   // threshold
  parameter int T_BITS     = 0,   // threshold
  parameter int MUL_LUT    = 0    // requant: 1 builds the x·M product from LUTs (mul=lut), 0 leaves it to the tool (a DSP)
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

  if (ACT == 1) begin : g_requant
    // |x·M| < 2^(ACC_BITS−1+MBITS): the product, and the product plus 2^(S−1) for
    // S ≤ ACC_BITS+MBITS, fit PW signed bits. For larger S the result is exactly 0.
    localparam int PW = ACC_BITS + MBITS + 1;
    localparam int AM = ACC_BITS + MBITS;
    localparam int YW = ((PW > 32) ? PW : 32) + 2;
    localparam logic signed [YW-1:0] LO = (OUT_KIND == 1) ? -(YW'(1) <<< (OUT_BITS - 1)) : '0;
    localparam logic signed [YW-1:0] HI = (OUT_KIND == 1) ? (YW'(1) <<< (OUT_BITS - 1)) - 1
                                                         : (YW'(1) <<< OUT_BITS) - 1;

    logic [MBITS-1:0]      mult;
    logic [SHIFT_BITS-1:0] shift;
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
    logic [SHIFT_BITS-1:0]  shift_q;
    if (MUL_LUT != 0) begin : g_lut_mul
      (* use_dsp = "no" *) logic signed [PW-1:0] sum;
      assign sum = requant_lut_product(PW'(x), mult);
      assign prod_d = sum;
    end else begin : g_mul
      assign prod_d = PW'(x) * PW'($signed({1'b0, mult}));
    end
    always_ff @(posedge clk) begin
      if (en) begin
        prod    <= prod_d;
        shift_q <= shift;
      end
    end

    // Stage 2: round, arithmetic shift, zero point, clamp.
    logic signed [PW-1:0] rnd, rounded, shifted;
    logic signed [YW-1:0] biased;
    always_comb begin
      // (if/else, not ?: with '0: an unsigned operand would make >>> a logical shift)
      if (shift_q == '0) rnd = '0;
      else               rnd = PW'(1) <<< (shift_q - 1'b1);
      rounded = prod + rnd;
      if (32'(shift_q) >= AM) shifted = '0;
      else                    shifted = rounded >>> shift_q;
      biased  = YW'(shifted) + YW'(ZERO);
    end
    always_ff @(posedge clk) begin
      if (en) begin
        if (biased < LO)      y <= LO[OUT_BITS-1:0];
        else if (biased > HI) y <= HI[OUT_BITS-1:0];
        else                  y <= biased[OUT_BITS-1:0];
      end
    end
  end else if (ACT == 2) begin : g_threshold
    localparam int CW = (ACC_BITS > T_BITS) ? ACC_BITS : T_BITS;
    localparam int NW = $clog2(N_THRESH + 1);

    // Stage 1: one comparator per threshold.
    logic [N_THRESH-1:0] ge;
    always_ff @(posedge clk) begin
      if (en) begin
        for (int i = 0; i < N_THRESH; i++)
          ge[i] <= CW'(x) >= CW'($signed(prm[i*T_BITS +: T_BITS]));
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
