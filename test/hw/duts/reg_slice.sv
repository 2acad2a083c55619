// Test DUT for the simulation runner: a 1-deep register slice that raises
// m_axis_tlast on every FRAME-th word. Latency 1 cycle, one word per cycle.
module reg_slice #(
  parameter int W = 8,
  parameter int FRAME = 4
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
  localparam logic [31:0] LAST = 32'(FRAME - 1);
  logic [31:0] count;
  assign s_axis_tready = !m_axis_tvalid || m_axis_tready;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_axis_tvalid <= 1'b0;
      m_axis_tdata <= '0;
      m_axis_tlast <= 1'b0;
      count <= '0;
    end else if (s_axis_tready) begin
      m_axis_tvalid <= s_axis_tvalid;
      if (s_axis_tvalid) begin
        m_axis_tdata <= s_axis_tdata;
        m_axis_tlast <= (count == LAST);
        count <= (count == LAST) ? '0 : count + 32'd1;
      end
    end
  end
endmodule
