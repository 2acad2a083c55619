// qnn_act_stream: the standalone (unfused) activation engine behind qnn_requant and
// qnn_threshold. One word of PE elements per cycle; element p of the word with channel
// group cg (cg = 0..CH/PE−1, cycling) is channel cg·PE + p. Activation ROM (ACT_FILE):
// depth CH/PE, word cg holds the PE entries of channels cg·PE + p, laid out as in the
// MVAU (requant: {S, M}; threshold: N_THRESH thresholds of T_BITS bits).
// Latency: an accepted input word is valid at the output 4 cycles later.
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
module qnn_act_stream #(
  parameter int ACT             = 0,   // 1 requant, 2 threshold
  parameter int PE              = 0,
  parameter int CH              = 0,   // channels; PE divides CH
  parameter int ELEMS_PER_FRAME = 0,   // elements per frame; CH divides it
  parameter int IN_BITS         = 0,
  parameter int IN_KIND         = -1,  // 0 unsigned, 1 signed
  parameter int OUT_BITS        = 0,
  parameter int OUT_KIND        = -1,
  parameter int MBITS           = 0,   // requant (the lane checks the activation's parameters)
  parameter int SHIFT_BITS      = 0,
  parameter int SHIFT           = -2,  // requant: the shared shift S, −1 per channel (from the ROM); −2 means "not given"
  parameter int ZERO            = 32'sh8000_0000,
  parameter int N_THRESH        = 0,   // threshold
  parameter int T_BITS          = 0,
  parameter int MUL_LUT         = 0,    // requant: 1 builds x·M from LUTs (qnn_act_lane)
  parameter int CMP_CARRY       = 0,    // threshold: 1 compares on the carry chain (qnn_act_lane)
  parameter int CLAMP_TEST      = 0,    // requant: 1 tests clamp bounds on the value's top bits (qnn_act_lane)
  parameter     ACT_FILE        = ""
) (
  input  logic                   clk,
  input  logic                   rst_n,
  input  logic [PE*IN_BITS-1:0]  s_axis_tdata,
  input  logic                   s_axis_tvalid,
  output logic                   s_axis_tready,
  output logic [PE*OUT_BITS-1:0] m_axis_tdata,
  output logic                   m_axis_tvalid,
  input  logic                   m_axis_tready,
  output logic                   m_axis_tlast
);
  // ---- Parameter checks (Yosys reads every module with its defaults: the template itself,
  // every parameter at its default, is not checked there). The lane checks the activation.
`ifdef SYNTHESIS
  localparam bit CHECK = !(PE == 0 && CH == 0 && ELEMS_PER_FRAME == 0 && IN_BITS == 0 && ACT_FILE == "");
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && (PE < 1 || CH < 1 || CH % PE != 0)) begin : g_bad_pe
    `QNN_PARAM_ERROR(("qnn_act_stream: PE (%0d) must divide CH (%0d)", PE, CH))
  end else if (CHECK && (ELEMS_PER_FRAME < 1 || ELEMS_PER_FRAME % CH != 0)) begin : g_bad_frame
    `QNN_PARAM_ERROR(("qnn_act_stream: ELEMS_PER_FRAME (%0d) must be a positive multiple of CH (%0d)", ELEMS_PER_FRAME, CH))
  end
  if (CHECK && (IN_BITS < 1 || (IN_KIND != 0 && IN_KIND != 1))) begin : g_bad_in
    `QNN_PARAM_ERROR(("qnn_act_stream: IN_BITS (%0d) must be at least 1 and IN_KIND (%0d) 0 (unsigned) or 1 (signed)",
                      IN_BITS, IN_KIND))
  end
  if (CHECK && ACT_FILE == "") begin : g_bad_file
    `QNN_PARAM_ERROR(("qnn_act_stream: ACT_FILE (the activation ROM's .mem file) is required"))
  end

  localparam int CF    = CH / PE;                 // channel groups
  localparam int WORDS = ELEMS_PER_FRAME / PE;    // words per frame
  localparam int CFW   = (CF > 1) ? $clog2(CF) : 1;
  localparam int FW    = (WORDS > 1) ? $clog2(WORDS) : 1;
  localparam int XW    = IN_BITS + 1;             // signed width of any input value
  localparam int PRMW  = (ACT == 1) ? (MBITS + SHIFT_BITS) : (N_THRESH * T_BITS);

  logic en;
  logic fire;
  assign s_axis_tready = en;
  assign fire          = en && s_axis_tvalid;

  // ---------------------------------------------------------------- stage 0: counters
  logic [CFW-1:0] cg;
  logic [FW-1:0]  word;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      cg   <= '0;
      word <= '0;
    end else if (fire) begin
      cg   <= (cg == CFW'(CF - 1)) ? '0 : cg + 1'b1;
      word <= (word == FW'(WORDS - 1)) ? '0 : word + 1'b1;
    end
  end

  // ---------------------------------------------------------------- stage 1: input, ROM
  (* rom_style = "auto" *) logic [PE*PRMW-1:0] amem [CF];
  if (ACT_FILE != "") begin : g_rom
    initial $readmemh(ACT_FILE, amem);
  end
  logic [PE*PRMW-1:0]    prm1;
  logic [PE*IN_BITS-1:0] x1;
  logic                  v1, tlast1;
  always_ff @(posedge clk) begin
    if (!rst_n) v1 <= 1'b0;
    else if (en) v1 <= fire;
  end
  always_ff @(posedge clk) begin
    if (en) begin
      prm1   <= amem[cg];
      x1     <= s_axis_tdata;
      tlast1 <= (word == FW'(WORDS - 1));
    end
  end

  // ---------------------------------------------------------------- stages 2, 3: lanes
  logic [PE*OUT_BITS-1:0] pdata;
  logic                   v2, v3, tlast2, tlast3;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      v2 <= 1'b0;
      v3 <= 1'b0;
    end else if (en) begin
      v2 <= v1;
      v3 <= v2;
    end
  end
  always_ff @(posedge clk) begin
    if (en) begin
      tlast2 <= tlast1;
      tlast3 <= tlast2;
    end
  end

  for (genvar p = 0; p < PE; p++) begin : g_lane
    logic signed [XW-1:0] xv;
    if (IN_KIND == 0) begin : g_uns
      assign xv = $signed({1'b0, x1[p*IN_BITS +: IN_BITS]});
    end else begin : g_sgn
      assign xv = XW'($signed(x1[p*IN_BITS +: IN_BITS]));
    end
    qnn_act_lane #(
      .ACT(ACT), .ACC_BITS(XW), .OUT_BITS(OUT_BITS), .OUT_KIND(OUT_KIND),
      .MBITS(MBITS), .SHIFT_BITS(SHIFT_BITS), .SHIFT(SHIFT), .ZERO(ZERO), .N_THRESH(N_THRESH),
      .T_BITS(T_BITS), .MUL_LUT(MUL_LUT), .CMP_CARRY(CMP_CARRY),
      .CLAMP_TEST(CLAMP_TEST)
    ) u_lane (
      .clk(clk),
      .en(en),
      .x(xv),
      .prm(prm1[p*PRMW +: PRMW]),
      .y(pdata[p*OUT_BITS +: OUT_BITS])
    );
  end

  // ---------------------------------------------------------------- output register + skid buffer
  qnn_skid #(.W(PE*OUT_BITS)) u_out (
    .clk(clk), .rst_n(rst_n), .en(en),
    .in_valid(v3), .in_data(pdata), .in_last(tlast3),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast)
  );
endmodule
