// qnn_mvau: matrix–vector–activation unit (FINN's MVAU), PE rows × SIMD columns per cycle.
//
// Computes, for every input vector x (MW elements, SF = MW/SIMD words of SIMD elements),
// acc[r] = Σ_c W[r][c]·x[c] for the MH rows (NF = MH/PE output words of PE elements), then
// the fused activation (ACT = 1 requant, 2 threshold) or none (ACT = 0: the ACC_BITS
// two's-complement accumulator is the output element). Arithmetic: language.md §3.
//
// Schedule: one step per cycle, step (nf, sf) for nf = 0..NF−1, sf = 0..SF−1 per vector.
// During the nf = 0 pass the input words are taken from s_axis (and written to the input
// buffer); the passes nf = 1..NF−1 replay them from the buffer, so the input stream is
// ready only during the nf = 0 pass. NF·SF cycles per vector with no bubbles when the
// input is always valid and the output always ready.
//
// Pipeline: issue → (ROM read, buffer read) → products + adder tree → accumulate →
// [activation, 2 stages] → output register / skid buffer. Latency: the output word of
// neuron fold nf is valid 4 cycles after its last step (nf, SF−1) issues for ACT = 0,
// 6 cycles with an activation; with stalls off, a frame's first input word is accepted
// at cycle t and its last output word taken at t + PIXELS·NF·SF + 3 (ACT = 0) or + 5.
// All stages share one enable (the skid buffer's registered ready), so no combinational
// path runs from m_axis_tready to s_axis_tready; s_axis_tready does not depend on
// s_axis_tvalid.
//
// Weight ROM (WEIGHT_FILE, $readmemh): depth NF·SF, word a = nf·SF + sf holds at
// [(p·SIMD + s)·W_BITS +: W_BITS] the encoded weight of row nf·PE + p, column sf·SIMD + s.
// Hard-wired weights (HARD_WIRED = 1, NF = SF = 1): the one word is the parameter
// WEIGHT_WORD instead, a constant the synthesis tool folds into the products before it
// maps the arithmetic (a one-word ROM is a register until memory mapping, after Yosys has
// built generic multipliers and carry chains for it).
// Activation ROM (ACT_FILE): depth NF, word nf holds PE entries for channels nf·PE + p:
// requant entry p = {S[SHIFT_BITS], M[MBITS]} at [p·(MBITS+SHIFT_BITS) +: MBITS+SHIFT_BITS];
// threshold entry p = N_THRESH ascending ACC_BITS-bit thresholds, threshold i at
// [(p·N_THRESH + i)·ACC_BITS +: ACC_BITS]. server/src/engines/rom-layout.ts writes both.
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
module qnn_mvau #(
  parameter int MW         = 0,   // input vector length
  parameter int MH         = 0,   // output channels (rows)
  parameter int PE         = 0,   // rows in parallel; divides MH
  parameter int SIMD       = 0,   // columns in parallel; divides MW
  parameter int IN_BITS    = 0,
  parameter int IN_KIND    = -1,  // 0 unsigned, 1 signed, 2 bipolar (IN_BITS = 1)
  parameter int W_BITS     = 0,
  parameter int W_KIND     = -1,  // 0 unsigned, 1 signed, 2 bipolar (W_BITS = 1), 3 pow2
  parameter int ACC_BITS   = 0,   // signed accumulator, holds every output exactly
  parameter int PIXELS     = 0,   // input vectors per frame (tlast)
  parameter int ACT        = -1,  // 0 none, 1 requant, 2 threshold
  parameter int OUT_BITS   = 0,   // ACT ≠ 0: output element bits
  parameter int OUT_KIND   = -1,  // ACT ≠ 0: 0 unsigned, 1 signed, 2 bipolar (threshold)
  parameter int MBITS      = 0,   // ACT = 1: requant multiplier bits (unsigned)
  parameter int SHIFT_BITS = 0,   // ACT = 1: requant shift field bits
  parameter int SHIFT      = -2,  // requant: the shared shift S, −1 per channel (from the ROM); −2 means "not given"
  parameter int ZERO       = 32'sh8000_0000,  // ACT = 1: requant zero point (the default: not given)
  parameter int N_THRESH   = 0,   // ACT = 2: thresholds per channel
  parameter int MUL_LUT    = 0,   // 1: every multiplier (weight × input, requant) from LUTs (mul=lut); 0: `*`, the tool's DSP rule
  parameter int CMP_CARRY  = 0,   // fused threshold: 1 compares on the carry chain (qnn_act_lane)
  parameter int CLAMP_TEST = 0,   // fused requant: 1 tests clamp bounds on the value's top bits (qnn_act_lane)
  parameter     WEIGHT_FILE = "",  // HARD_WIRED = 0
  parameter     ACT_FILE    = "",  // ACT ≠ 0
  parameter int HARD_WIRED  = 0,   // 1: NF = SF = 1 and the weights are WEIGHT_WORD
  parameter logic [(HARD_WIRED != 0 ? PE*SIMD*W_BITS : 1)-1:0] WEIGHT_WORD = '0  // HARD_WIRED = 1: the weight ROM's one word
  // (one bit when HARD_WIRED = 0: a wide '0 default is a replication Verilator warns about)
) (
  input  logic                        clk,
  input  logic                        rst_n,
  input  logic [SIMD*IN_BITS-1:0]     s_axis_tdata,
  input  logic                        s_axis_tvalid,
  output logic                        s_axis_tready,
  output logic [PE*((ACT == 0) ? ACC_BITS : OUT_BITS)-1:0] m_axis_tdata,
  output logic                        m_axis_tvalid,
  input  logic                        m_axis_tready,
  output logic                        m_axis_tlast
);
  // ---- Parameter checks (Yosys reads every module with its defaults: the template itself,
  // every parameter at its default, is not checked there). The lane checks the activation.
`ifdef SYNTHESIS
  localparam bit CHECK = !(MW == 0 && MH == 0 && PE == 0 && SIMD == 0 && IN_BITS == 0 && IN_KIND == -1 &&
                           W_BITS == 0 && W_KIND == -1 && ACC_BITS == 0 && PIXELS == 0 && ACT == -1 &&
                           WEIGHT_FILE == "");
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && (PE < 1 || MH < 1 || MH % PE != 0)) begin : g_bad_pe
    `QNN_PARAM_ERROR(("qnn_mvau: PE (%0d) must divide MH (%0d)", PE, MH))
  end
  if (CHECK && (SIMD < 1 || MW < 1 || MW % SIMD != 0)) begin : g_bad_simd
    `QNN_PARAM_ERROR(("qnn_mvau: SIMD (%0d) must divide MW (%0d)", SIMD, MW))
  end
  if (CHECK && (IN_BITS < 1 || IN_KIND < 0 || IN_KIND > 2 || (IN_KIND == 2 && IN_BITS != 1))) begin : g_bad_in
    `QNN_PARAM_ERROR(("qnn_mvau: IN_KIND (%0d) must be 0 (unsigned), 1 (signed) or 2 (bipolar, IN_BITS = 1), IN_BITS (%0d) at least 1",
                      IN_KIND, IN_BITS))
  end
  if (CHECK && (W_BITS < 1 || W_KIND < 0 || W_KIND > 3 || (W_KIND == 2 && W_BITS != 1) || (W_KIND == 3 && W_BITS < 2)))
  begin : g_bad_w
    `QNN_PARAM_ERROR(("qnn_mvau: W_KIND (%0d) must be 0, 1, 2 (bipolar, W_BITS = 1) or 3 (pow2, W_BITS >= 2), W_BITS (%0d) at least 1",
                      W_KIND, W_BITS))
  end
  if (CHECK && (ACC_BITS < 1 || PIXELS < 1)) begin : g_bad_acc
    `QNN_PARAM_ERROR(("qnn_mvau: ACC_BITS (%0d) and PIXELS (%0d) must be at least 1", ACC_BITS, PIXELS))
  end
  if (CHECK && (ACT < 0 || ACT > 2)) begin : g_bad_act
    `QNN_PARAM_ERROR(("qnn_mvau: ACT (%0d) must be 0 (none), 1 (requant) or 2 (threshold)", ACT))
  end
  if (CHECK && HARD_WIRED == 0 && WEIGHT_FILE == "") begin : g_bad_weight_file
    `QNN_PARAM_ERROR(("qnn_mvau: WEIGHT_FILE (the weight ROM's .mem file) is required unless HARD_WIRED = 1"))
  end
  if (CHECK && HARD_WIRED != 0 && (HARD_WIRED != 1 || MH != PE || MW != SIMD)) begin : g_bad_hard_wired
    `QNN_PARAM_ERROR(("qnn_mvau: HARD_WIRED (%0d) must be 0, or 1 with PE = MH and SIMD = MW (PE %0d, MH %0d, SIMD %0d, MW %0d)", HARD_WIRED, PE, MH, SIMD, MW))
  end
  if (CHECK && ACT > 0 && ACT_FILE == "") begin : g_bad_act_file
    `QNN_PARAM_ERROR(("qnn_mvau: ACT_FILE (the activation ROM's .mem file) is required with ACT = %0d", ACT))
  end

  // (Divisors below 1 are raised so that the template read with its defaults elaborates.)
  localparam int NF    = (PE < 1 || MH < PE) ? 1 : MH / PE;
  localparam int SF    = (SIMD < 1 || MW < SIMD) ? 1 : MW / SIMD;
  localparam int DEPTH = NF * SF;
  localparam int OBITS = (ACT == 0) ? ACC_BITS : OUT_BITS;
  localparam int NFW   = (NF > 1) ? $clog2(NF) : 1;
  localparam int SFW   = (SF > 1) ? $clog2(SF) : 1;
  localparam int AW_   = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int PXW   = (PIXELS > 1) ? $clog2(PIXELS) : 1;
  localparam int IW    = SIMD * IN_BITS;
  localparam int WW    = PE * SIMD * W_BITS;

  // Product variants.
  localparam int V_MUL = 0, V_POW2 = 1, V_XNOR = 2, V_NEG_A = 3, V_NEG_W = 4;
  localparam int VARIANT = (W_KIND == 3) ? V_POW2
                         : (W_KIND == 2) ? ((IN_KIND == 2) ? V_XNOR : V_NEG_A)
                         : (IN_KIND == 2) ? V_NEG_W : V_MUL;
  // Signed widths of one activation and one integer weight value.
  localparam int AVW = (IN_KIND == 0) ? IN_BITS + 1 : (IN_KIND == 2) ? 2 : IN_BITS;
  localparam int WVW = (W_KIND == 0) ? W_BITS + 1 : W_BITS;
  // Width of one tree leaf, exact: int × int the product (u×u needs one more bit than
  // the sum of the widths, every other mix exactly the sum); pow2 the shifted activation;
  // ±a / ±w the operand. The negating variants (pow2, ±a, ±w) feed the tree the one's
  // complement (~x = −x − 1, no carry chain per product) and add the count of negated
  // leaves at the root (NEGC), which needs one more bit at the root. So do hard-wired signed
  // int weights (g_const_mul): a negative constant's leaf is ~(a·|w|).
  localparam int POW2_MAXSH = (W_KIND == 3) ? (1 << (W_BITS - 1)) - 2 : 0;
  localparam int NEGC  = (VARIANT == V_POW2 || VARIANT == V_NEG_A || VARIANT == V_NEG_W ||
                          (VARIANT == V_MUL && HARD_WIRED != 0 && W_KIND == 1 && MUL_LUT == 0)) ? 1 : 0;
  localparam int PNAT  = (VARIANT == V_MUL)   ? IN_BITS + W_BITS + ((IN_KIND == 0 && W_KIND == 0) ? 1 : 0)
                       : (VARIANT == V_POW2)  ? AVW + POW2_MAXSH
                       : (VARIANT == V_XNOR)  ? 2
                       : (VARIANT == V_NEG_A) ? AVW
                       :                        WVW;
  localparam int LEVELS = (SIMD > 1) ? $clog2(SIMD) : 0;
  localparam int NODES  = 1 << LEVELS;
  // Leaves, tree levels and the root are capped at ACC_BITS: sums are then exact modulo
  // 2^ACC_BITS, and the accumulator's final value is exact by construction.
  localparam int PRODW  = (PNAT < ACC_BITS) ? PNAT : ACC_BITS;
  localparam int SUMW   = (PNAT + LEVELS + NEGC < ACC_BITS) ? PNAT + LEVELS + NEGC : ACC_BITS;
  localparam int NCW    = $clog2(SIMD + 1);

  // Tree level l (l = 0: the leaves) has NODES >> l nodes of lw(l) bits.
  function automatic int lw(input int l);
    lw = (PRODW + l < SUMW) ? PRODW + l : SUMW;
  endfunction
  // A leaf: the PRODW-bit value, with the negation flag above it when NEGC = 1.
  localparam int LFW = PRODW + NEGC;

  // mul=lut: x·y = Σ y[i]·x·2^i over the NPP bits of the narrower operand y (two's
  // complement: its sign bit's term is subtracted), exact modulo 2^PRODW like the product.
  localparam int NPP = (WVW <= AVW) ? WVW : AVW;
  function automatic logic signed [PRODW-1:0] lut_product(input logic signed [PRODW-1:0] x, input logic [NPP-1:0] y);
    logic signed [PRODW-1:0] total;
    total = '0;
    for (int i = 0; i < NPP; i++) begin
      if (i == NPP - 1) total = total - (y[i] ? (x <<< i) : PRODW'(0));
      else              total = total + (y[i] ? (x <<< i) : PRODW'(0));
    end
    lut_product = total;
  endfunction

  // The signed value of one input element.
  function automatic logic signed [AVW-1:0] act_value(input logic [IN_BITS-1:0] a);
    if (IN_KIND == 2)      act_value = a[0] ? AVW'(1) : -(AVW'(1));
    else if (IN_KIND == 0) act_value = AVW'($signed({1'b0, a}));
    else                   act_value = AVW'($signed(a));
  endfunction

  // ---------------------------------------------------------------- flow control
  logic en;  // every pipeline stage advances when high (the skid buffer is empty)

  // ---------------------------------------------------------------- issue (stage 0)
  logic [NFW-1:0] nf;
  logic [SFW-1:0] sf;
  logic [AW_-1:0] waddr;
  logic [PXW-1:0] pix;
  logic           fire;
  logic           nf_last, sf_last;

  assign nf_last       = (nf == NFW'(NF - 1));
  assign sf_last       = (sf == SFW'(SF - 1));
  assign s_axis_tready = en && (nf == '0);
  assign fire          = en && ((nf != '0) || s_axis_tvalid);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      nf    <= '0;
      sf    <= '0;
      waddr <= '0;
      pix   <= '0;
    end else if (fire) begin
      waddr <= (waddr == AW_'(DEPTH - 1)) ? '0 : waddr + 1'b1;
      if (sf_last) begin
        sf <= '0;
        if (nf_last) begin
          nf  <= '0;
          pix <= (pix == PXW'(PIXELS - 1)) ? '0 : pix + 1'b1;
        end else begin
          nf <= nf + 1'b1;
        end
      end else begin
        sf <= sf + 1'b1;
      end
    end
  end

  // ---------------------------------------------------------------- stage 1: ROM, buffer
  logic           v1, first1, last1, tlast1;
  logic [WW-1:0]  w1;
  logic [IW-1:0]  x1;

  if (HARD_WIRED != 0) begin : g_wconst
    assign w1 = WEIGHT_WORD;
  end else if (DEPTH > 32) begin : g_wrom_module
    // A ROM of more than 32 words is read through qnn_rom, whose instance the Yosys
    // commands for Xilinx keep as a module of its own (keep_hierarchy, rtl/yosys-script.ts).
    // Inside the flattened MVAU, ABC maps a 7-address-bit ROM through address decoders its
    // columns share: held_dense7's 128 × 384-bit ROM took 1,992 LUTs there on xc7, 768 LUT6
    // and 384 MUXF7 kept apart. A shallow ROM stays inline: its bits are constants and
    // address bits that synthesis folds into the products (held_conv0's 2-word ROM kept
    // apart: 115 → 203 LUTs on xc7).
    qnn_rom #(.WIDTH(WW), .DEPTH(DEPTH), .FILE(WEIGHT_FILE)) u_wrom (.clk(clk), .en(en), .addr(waddr), .q(w1));
  end else begin : g_wrom
    (* rom_style = "auto" *) logic [WW-1:0] wmem [DEPTH];
    if (WEIGHT_FILE != "") begin : g_load
      initial $readmemh(WEIGHT_FILE, wmem);
    end
    always_ff @(posedge clk) if (en) w1 <= wmem[waddr];
  end

  always_ff @(posedge clk) begin
    if (!rst_n) v1 <= 1'b0;
    else if (en) v1 <= fire;
  end
  always_ff @(posedge clk) begin
    if (en) begin
      first1 <= (sf == '0);
      last1  <= sf_last;
      tlast1 <= nf_last && (pix == PXW'(PIXELS - 1));
    end
  end

  if (NF > 1) begin : g_inbuf
    // FINN's input buffer: the nf = 0 pass writes it, the later passes replay it.
    logic [IW-1:0] ibuf [SF];
    logic [IW-1:0] ibuf_q, in_q;
    logic          from_stream;
    always_ff @(posedge clk) begin
      if (en) begin
        if (fire && nf == '0) ibuf[sf] <= s_axis_tdata;
        ibuf_q      <= ibuf[sf];
        in_q        <= s_axis_tdata;
        from_stream <= (nf == '0);
      end
    end
    assign x1 = from_stream ? in_q : ibuf_q;
  end else begin : g_noinbuf
    always_ff @(posedge clk) if (en) x1 <= s_axis_tdata;
  end

  // ---------------------------------------------------------------- stage 2: products, adder tree
  logic           v2, first2, last2, tlast2;
  logic [PE*SUMW-1:0] sum2;

  always_ff @(posedge clk) begin
    if (!rst_n) v2 <= 1'b0;
    else if (en) v2 <= v1;
  end
  always_ff @(posedge clk) begin
    if (en) begin
      first2 <= first1;
      last2  <= last1;
      tlast2 <= tlast1;
    end
  end

  for (genvar p = 0; p < PE; p++) begin : g_pe
    // Leaf s at [s·LFW +: PRODW] (signed); for NEGC = 1 bit s·LFW + PRODW says that the
    // leaf is the one's complement of the product.
    logic [SIMD*LFW-1:0] leaf;

    for (genvar s = 0; s < SIMD; s++) begin : g_simd
      logic [IN_BITS-1:0] a;
      logic [W_BITS-1:0]  w;
      assign a = x1[s*IN_BITS +: IN_BITS];
      assign w = w1[(p*SIMD + s)*W_BITS +: W_BITS];

      if (VARIANT == V_MUL) begin : g_mul
        // Integer weight × integer activation: an inferred multiplier. In PRODW bits: the
        // exact product, or (PRODW = ACC_BITS) the product modulo 2^ACC_BITS.
        /* verilator lint_off UNUSEDSIGNAL */
        logic signed [WVW-1:0] wv;  // not read with hard-wired signed weights (g_const_mul)
        /* verilator lint_on UNUSEDSIGNAL */
        logic signed [AVW-1:0] av;
        assign av = act_value(a);
        if (W_KIND == 0) begin : g_wuns
          assign wv = $signed({1'b0, w});
        end else begin : g_wsgn
          assign wv = $signed(w);
        end
        if (MUL_LUT != 0) begin : g_lut_mul
          // mul=lut: partial products over the narrower operand (no `*`: no tool maps it to a DSP).
          (* use_dsp = "no" *) logic signed [PRODW-1:0] prod;
          if (WVW <= AVW) begin : g_by_w
            assign prod = lut_product(PRODW'(av), NPP'(wv));
          end else begin : g_by_a
            assign prod = lut_product(PRODW'(wv), NPP'(av));
          end
          assign leaf[s*LFW +: LFW] = prod;
        end else if (NEGC == 1) begin : g_const_mul
          // Hard-wired signed weight w: the leaf a·|w|, complemented when w < 0 (the +1 is
          // the root's count of negated leaves). Yosys builds a·w for a negative constant as
          // a full-width signed product whose sign bits every tree level adds; ~(a·|w|) is the
          // narrow product under constant ones, which it folds (measured with Yosys 0.23, 4
          // PEs of 20 random i2 weights on u4 inputs: 861 → 605 LUT4s on iCE40, 596 → 467
          // LUTs on xc7).
          localparam logic signed [W_BITS-1:0] WC = WEIGHT_WORD[(p*SIMD + s)*W_BITS +: W_BITS];
          localparam int WI  = 32'(WC);
          localparam int MAG = (WI < 0) ? -WI : WI;
          logic signed [PRODW-1:0] mag;
          assign mag = PRODW'(av) * PRODW'(MAG);
          if (WI < 0) begin : g_neg
            assign leaf[s*LFW +: LFW] = {1'b1, ~mag};
          end else begin : g_pos
            assign leaf[s*LFW +: LFW] = {1'b0, mag};
          end
        end else begin : g_dsp_mul
          assign leaf[s*LFW +: LFW] = PRODW'(av) * PRODW'(wv);
        end
      end else if (VARIANT == V_POW2) begin : g_pow2
        // pow2 weight: shift the activation by k−1, negate on the sign bit; no multiplier.
        logic                    wsign;
        logic [W_BITS-2:0]       k;
        logic signed [PRODW-1:0] mag;
        logic signed [AVW-1:0]   av;
        assign av    = act_value(a);
        assign wsign = w[W_BITS-1];
        assign k     = w[W_BITS-2:0];
        always_comb begin
          if (k == '0) mag = '0;
          else         mag = PRODW'(av) <<< (k - 1'b1);
        end
        logic                    neg;
        assign neg = wsign && (k != '0);
        assign leaf[s*LFW +: LFW] = {neg, neg ? ~mag : mag};
      end else if (VARIANT == V_XNOR) begin : g_xnor
        // Bipolar × bipolar: XNOR; the tree counts matches (row sum = 2·count − SIMD).
        assign leaf[s*LFW +: LFW] = LFW'({1'b0, ~(a[0] ^ w[0])});
      end else if (VARIANT == V_NEG_A) begin : g_nega
        // Bipolar weight × integer activation: ±a.
        logic signed [AVW-1:0] av;
        assign av     = act_value(a);
        assign leaf[s*LFW +: LFW] = {~w[0], w[0] ? PRODW'(av) : ~(PRODW'(av))};
      end else begin : g_negw
        // Integer weight × bipolar activation: ±w.
        logic signed [WVW-1:0] wv;
        if (W_KIND == 0) begin : g_wuns
          assign wv = $signed({1'b0, w});
        end else begin : g_wsgn
          assign wv = $signed(w);
        end
        assign leaf[s*LFW +: LFW] = {~a[0], a[0] ? PRODW'(wv) : ~(PRODW'(wv))};
      end
    end

    // Balanced adder tree over the SIMD leaves, one bit wider per level (capped at SUMW).
    for (genvar l = 0; l <= LEVELS; l++) begin : g_level
      logic [(NODES >> l)*lw(l)-1:0] v;
      if (l == 0) begin : g_leaves
        for (genvar i = 0; i < NODES; i++) begin : g_n
          if (i < SIMD) begin : g_used
            assign v[i*lw(0) +: lw(0)] = leaf[i*LFW +: PRODW];
          end else begin : g_pad
            assign v[i*lw(0) +: lw(0)] = '0;
          end
        end
      end else begin : g_sum
        for (genvar i = 0; i < (NODES >> l); i++) begin : g_n
          logic signed [lw(l-1)-1:0] lhs, rhs;
          assign lhs = $signed(g_level[l-1].v[(2*i)*lw(l-1) +: lw(l-1)]);
          assign rhs = $signed(g_level[l-1].v[(2*i+1)*lw(l-1) +: lw(l-1)]);
          assign v[i*lw(l) +: lw(l)] = lw(l)'(lhs) + lw(l)'(rhs);
        end
      end
    end

    logic signed [lw(LEVELS)-1:0] root;
    assign root = $signed(g_level[LEVELS].v);
    if (NEGC == 1) begin : g_negc
      // The +1 of every two's-complement negation, once per word.
      logic [SIMD-1:0] negv;
      logic [NCW-1:0]  negs;
      for (genvar i = 0; i < SIMD; i++) begin : g_flag
        assign negv[i] = leaf[i*LFW + PRODW];
      end
      always_comb begin
        negs = '0;
        for (int i = 0; i < SIMD; i++) negs = negs + NCW'(negv[i]);
      end
      always_ff @(posedge clk) if (en) sum2[p*SUMW +: SUMW] <= SUMW'(root) + SUMW'({1'b0, negs});
    end else begin : g_nonegc
      always_ff @(posedge clk) if (en) sum2[p*SUMW +: SUMW] <= SUMW'(root);
    end
  end

  // ---------------------------------------------------------------- stage 3: accumulate
  logic v3, tlast3;
  logic [PE*ACC_BITS-1:0] acc;

  always_ff @(posedge clk) begin
    if (!rst_n) v3 <= 1'b0;
    else if (en) v3 <= v2 && last2;
  end
  always_ff @(posedge clk) if (en) tlast3 <= tlast2;

  for (genvar p = 0; p < PE; p++) begin : g_acc
    logic signed [ACC_BITS-1:0] cur, base, word, nxt;
    assign cur = $signed(acc[p*ACC_BITS +: ACC_BITS]);
    always_comb begin
      if (first2) base = '0;
      else        base = cur;
    end
    if (VARIANT == V_XNOR) begin : g_pc
      assign word = (ACC_BITS'($signed(sum2[p*SUMW +: SUMW])) <<< 1) - ACC_BITS'(SIMD);
    end else begin : g_sum
      assign word = ACC_BITS'($signed(sum2[p*SUMW +: SUMW]));
    end
    assign nxt = base + word;
    always_ff @(posedge clk) if (en && v2) acc[p*ACC_BITS +: ACC_BITS] <= nxt;
  end

  // ---------------------------------------------------------------- activation
  logic                pv, ptlast;
  logic [PE*OBITS-1:0] pdata;

  if (ACT == 0) begin : g_noact
    assign pv     = v3;
    assign ptlast = tlast3;
    assign pdata  = acc;
  end else begin : g_act
    localparam int PRMW = (ACT == 1) ? (MBITS + SHIFT_BITS) : (N_THRESH * ACC_BITS);
    (* rom_style = "auto" *) logic [PE*PRMW-1:0] amem [NF];
    if (ACT_FILE != "") begin : g_arom
      initial $readmemh(ACT_FILE, amem);
    end
    logic [PE*PRMW-1:0] prm3;
    logic [NFW-1:0]     nf1, nf2;  // the step's nf, alongside stages 1 and 2
    always_ff @(posedge clk) begin
      if (en) begin
        nf1 <= nf;
        nf2 <= nf1;
      end
    end
    logic v4, v5, tlast4, tlast5;
    always_ff @(posedge clk) if (en && v2) prm3 <= amem[nf2];
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        v4 <= 1'b0;
        v5 <= 1'b0;
      end else if (en) begin
        v4 <= v3;
        v5 <= v4;
      end
    end
    always_ff @(posedge clk) begin
      if (en) begin
        tlast4 <= tlast3;
        tlast5 <= tlast4;
      end
    end
    for (genvar p = 0; p < PE; p++) begin : g_lane
      // A named signed wire: Yosys 0.23 asserts on $signed() of a whole-wire slice (PE = 1).
      logic signed [ACC_BITS-1:0] lane_x;
      assign lane_x = acc[p*ACC_BITS +: ACC_BITS];
      qnn_act_lane #(
        .ACT(ACT), .ACC_BITS(ACC_BITS), .OUT_BITS(OUT_BITS), .OUT_KIND(OUT_KIND),
        .MBITS(MBITS), .SHIFT_BITS(SHIFT_BITS), .SHIFT(SHIFT), .ZERO(ZERO), .N_THRESH(N_THRESH),
        .T_BITS(ACC_BITS), .MUL_LUT(MUL_LUT), .CMP_CARRY(CMP_CARRY),
        .CLAMP_TEST(CLAMP_TEST)
      ) u_lane (
        .clk(clk),
        .en(en),
        .x(lane_x),
        .prm(prm3[p*PRMW +: PRMW]),
        .y(pdata[p*OUT_BITS +: OUT_BITS])
      );
    end
    assign pv     = v5;
    assign ptlast = tlast5;
  end

  // ---------------------------------------------------------------- output register + skid buffer
  qnn_skid #(.W(PE*OBITS)) u_out (
    .clk(clk), .rst_n(rst_n), .en(en),
    .in_valid(pv), .in_data(pdata), .in_last(ptlast),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast)
  );
endmodule
