// Test DUT for the stall detector: a register slice that stops after LIMIT
// words. MODE 0: it stops accepting input (s_axis_tready stays low);
// MODE 1: it keeps accepting input but drops it (no more output).
module stopper #(
  parameter int W = 8,
  parameter int LIMIT = 5,
  parameter int MODE = 0
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
  logic [15:0] taken;
  logic stopped;
  assign stopped = taken >= 16'(LIMIT);
  assign s_axis_tready = (MODE == 1 && stopped) || ((!m_axis_tvalid || m_axis_tready) && !stopped);
  assign m_axis_tlast = 1'b0;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_axis_tvalid <= 1'b0;
      m_axis_tdata <= '0;
      taken <= '0;
    end else if (stopped) begin
      if (m_axis_tready) m_axis_tvalid <= 1'b0;
    end else if (s_axis_tready) begin
      m_axis_tvalid <= s_axis_tvalid;
      if (s_axis_tvalid) begin
        m_axis_tdata <= s_axis_tdata;
        taken <= taken + 16'd1;
      end
    end
  end
endmodule
