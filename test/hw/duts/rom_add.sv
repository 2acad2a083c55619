// Test DUT for string parameters and $readmemh: out = in + ROM[i mod DEPTH]
// (i = word index), registered, tlast every DEPTH words. Not throughput-optimal.
module rom_add #(
  parameter int W = 8,
  parameter int DEPTH = 4,
  parameter ROM_FILE = ""
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
  localparam logic [31:0] LAST = 32'(DEPTH - 1);
  logic [W-1:0] rom [0:DEPTH-1];
  initial $readmemh(ROM_FILE, rom);
  logic [31:0] idx;
  assign s_axis_tready = !m_axis_tvalid || m_axis_tready;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_axis_tvalid <= 1'b0;
      m_axis_tdata <= '0;
      m_axis_tlast <= 1'b0;
      idx <= '0;
    end else if (s_axis_tready) begin
      m_axis_tvalid <= s_axis_tvalid;
      if (s_axis_tvalid) begin
        m_axis_tdata <= s_axis_tdata + rom[idx[$clog2(DEPTH)-1:0]];
        m_axis_tlast <= (idx == LAST);
        idx <= (idx == LAST) ? '0 : idx + 32'd1;
      end
    end
  end
endmodule
