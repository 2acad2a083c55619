// qnn_act_lane: one lane of the activation (language.md §3), shared by the MVAU's fused
// activation and the standalone requant / threshold engines.
//
//   ACT = 1 requant:   y = clamp(((x·M + 2^(S−1)) >>> S) + ZERO, min(out), max(out)),
//                      no rounding term when S = 0; prm = {S[SHIFT_BITS], M[MBITS] (unsigned)}.
//   ACT = 2 threshold: y = Σ_i [x ≥ T_i] over N_THRESH thresholds of T_BITS bits each
//                      (two's complement), T_i at prm[i·T_BITS +: T_BITS];
//                      OUT_KIND = 2 (bipolar): y = 1 (+1) if any T_i ≤ x else 0 (−1).
//
// x is a signed ACC_BITS value. Two register stages, both advancing when `en` is high:
// y is valid two enabled cycles after x/prm are presented.
module qnn_act_lane #(
  parameter int ACT        = 1,
  parameter int ACC_BITS   = 16,
  parameter int OUT_BITS   = 4,
  parameter int OUT_KIND   = 0,
  parameter int MBITS      = 16,
  parameter int SHIFT_BITS = 6,
  parameter int ZERO       = 0,
  parameter int N_THRESH   = 15,
  parameter int T_BITS     = ACC_BITS
) (
  input  logic                       clk,
  input  logic                       en,
  input  logic signed [ACC_BITS-1:0] x,
  input  logic [((ACT == 1) ? (MBITS + SHIFT_BITS) : (N_THRESH * T_BITS))-1:0] prm,
  output logic [OUT_BITS-1:0]        y
);
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

    // Stage 1: the product (one multiplier per lane).
    logic signed [PW-1:0]   prod;
    logic [SHIFT_BITS-1:0]  shift_q;
    always_ff @(posedge clk) begin
      if (en) begin
        prod    <= PW'(x) * PW'($signed({1'b0, mult}));
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
  end else begin : g_threshold
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
      always_ff @(posedge clk) if (en) y <= OUT_BITS'(count);
    end
  end
endmodule
