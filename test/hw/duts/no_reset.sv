// Test DUT with a bug: m_axis_tvalid has no reset (X on Icarus until first written, never here).
module no_reset #(
  parameter int W = 8
) (
  input  logic         clk,
  input  logic         rst_n,
  input  logic [W-1:0] s_axis_tdata,
  input  logic         s_axis_tvalid,
  output logic         s_axis_tready,
  output logic [W-1:0] m_axis_tdata,
  output logic         m_axis_tvalid,
  input  logic         m_axis_tready,
  output logic         m_axis_tlast
);
  logic valid_q;
  assign s_axis_tready = 1'b0;
  assign m_axis_tvalid = valid_q;
  assign m_axis_tdata = s_axis_tdata;
  assign m_axis_tlast = 1'b0;
  always_ff @(posedge clk) if (!rst_n && m_axis_tready && s_axis_tvalid) valid_q <= 1'b0;
endmodule
