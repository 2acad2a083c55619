// qnn_threshold: standalone multi-threshold engine (when not fused into an MVAU), PE lanes.
//   y = ZERO + Σ_i [x ≥ T_c,i] (OUT_KIND 0: uOUT_BITS, 1: iOUT_BITS; ZERO is the `bias`);
//   OUT_KIND 2 (bipolar): 1 if x ≥ T_c,0 else 0.
// Input and output words carry PE elements; channels cycle 0..CH−1 (channels-last).
// ACT_FILE: depth CH/PE; word cg holds, for p = 0..PE−1 and i = 0..N_THRESH−1, threshold i
// of channel cg·PE + p at [(p·N_THRESH + i)·T_BITS +: T_BITS] (two's complement, ascending).
// tlast on the last word of each frame of ELEMS_PER_FRAME elements. Latency 4 cycles.
// Every parameter but ZERO (the bias, 0 when not given) and CMP_CARRY is required: qnn_act_stream and
// qnn_act_lane check them.
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
module qnn_threshold #(
  parameter int PE              = 0,
  parameter int CH              = 0,    // channels; PE divides CH
  parameter int ELEMS_PER_FRAME = 0,    // elements per frame; CH divides it
  parameter int IN_BITS         = 0,
  parameter int IN_KIND         = -1,   // 0 unsigned, 1 signed
  parameter int OUT_BITS        = 0,    // 1 for bipolar
  parameter int OUT_KIND        = -1,   // 0 unsigned, 1 signed, 2 bipolar
  parameter int ZERO            = 0,    // the bias added to the count (0 for bipolar)
  parameter int N_THRESH        = 0,    // thresholds per channel (ZERO … ZERO + N_THRESH fit the output)
  parameter int T_BITS          = 0,    // bits of one threshold in the ROM
  parameter int CMP_CARRY       = 0,    // 1: each comparison on the carry chain (iCE40; qnn_act_lane)
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
    .ACT(2), .PE(PE), .CH(CH), .ELEMS_PER_FRAME(ELEMS_PER_FRAME),
    .IN_BITS(IN_BITS), .IN_KIND(IN_KIND), .OUT_BITS(OUT_BITS), .OUT_KIND(OUT_KIND),
    .MBITS(1), .SHIFT_BITS(1), .ZERO(ZERO), .N_THRESH(N_THRESH), .T_BITS(T_BITS),
    .CMP_CARRY(CMP_CARRY), .ACT_FILE(ACT_FILE)
  ) u_act (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
  );
endmodule
