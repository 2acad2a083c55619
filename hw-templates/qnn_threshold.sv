// qnn_threshold: standalone multi-threshold engine (when not fused into an MVAU), PE lanes.
//   y = Σ_i [x ≥ T_c,i] (OUT_KIND 0: uOUT_BITS); OUT_KIND 2 (bipolar): 1 if x ≥ T_c,0 else 0.
// Input and output words carry PE elements; channels cycle 0..CH−1 (channels-last).
// ACT_FILE: depth CH/PE; word cg holds, for p = 0..PE−1 and i = 0..N_THRESH−1, threshold i
// of channel cg·PE + p at [(p·N_THRESH + i)·T_BITS +: T_BITS] (two's complement, ascending).
// tlast on the last word of each frame of ELEMS_PER_FRAME elements. Latency 4 cycles.
module qnn_threshold #(
  parameter int PE              = 1,
  parameter int CH              = 1,    // channels; PE divides CH
  parameter int ELEMS_PER_FRAME = 1,    // elements per frame; CH divides it
  parameter int IN_BITS         = 8,
  parameter int IN_KIND         = 1,    // 0 unsigned, 1 signed
  parameter int OUT_BITS        = 4,    // 1 for bipolar
  parameter int OUT_KIND        = 0,    // 0 unsigned, 2 bipolar
  parameter int N_THRESH        = 15,   // thresholds per channel (≤ 2^OUT_BITS − 1)
  parameter int T_BITS          = 9,    // bits of one threshold in the ROM
  parameter     ACT_FILE        = "act.mem"
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
    .MBITS(1), .SHIFT_BITS(1), .ZERO(0), .N_THRESH(N_THRESH), .T_BITS(T_BITS),
    .ACT_FILE(ACT_FILE)
  ) u_act (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
  );
endmodule
