// qnn_requant: standalone requant engine (when not fused into an MVAU), PE lanes.
//   y = clamp(((x·M_c + 2^(S_c−1)) >>> S_c) + ZERO, min(out), max(out)), language.md §3.
// Input and output words carry PE elements; channels cycle 0..CH−1 (channels-last).
// ACT_FILE: depth CH/PE; word cg holds, for p = 0..PE−1, {S[SHIFT_BITS], M[MBITS]} of
// channel cg·PE + p at [p·(MBITS+SHIFT_BITS) +: MBITS+SHIFT_BITS] (M in the low bits).
// tlast on the last word of each frame of ELEMS_PER_FRAME elements. Latency 4 cycles.
// Every parameter but the options MUL_LUT and CLAMP_TEST (0 when not given) is required:
// qnn_act_stream and qnn_act_lane check them.
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
module qnn_requant #(
  parameter int PE              = 0,
  parameter int CH              = 0,    // channels; PE divides CH
  parameter int ELEMS_PER_FRAME = 0,    // elements per frame; CH divides it
  parameter int IN_BITS         = 0,
  parameter int IN_KIND         = -1,   // 0 unsigned, 1 signed
  parameter int OUT_BITS        = 0,
  parameter int OUT_KIND        = -1,   // 0 unsigned, 1 signed
  parameter int MBITS           = 0,
  parameter int SHIFT_BITS      = 0,
  parameter int SHIFT           = -2,  // requant: the shared shift S, −1 per channel (from the ROM); −2 means "not given"
  parameter int ZERO            = 32'sh8000_0000,  // the default means "not given"
  parameter int MUL_LUT         = 0,    // 1: x·M from LUTs (mul=auto moved it there), 0: the tool's DSP rule
  parameter int CLAMP_TEST      = 0,    // 1: clamp bounds at powers of two tested on the value's top bits (iCE40; qnn_act_lane)
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
  qnn_act_stream #(
    .ACT(1), .PE(PE), .CH(CH), .ELEMS_PER_FRAME(ELEMS_PER_FRAME),
    .IN_BITS(IN_BITS), .IN_KIND(IN_KIND), .OUT_BITS(OUT_BITS), .OUT_KIND(OUT_KIND),
    .MBITS(MBITS), .SHIFT_BITS(SHIFT_BITS), .SHIFT(SHIFT), .ZERO(ZERO), .N_THRESH(1), .T_BITS(1),
    .MUL_LUT(MUL_LUT), .CLAMP_TEST(CLAMP_TEST), .ACT_FILE(ACT_FILE)
  ) u_act (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
  );
endmodule
