// qnn_skid: the output register and skid buffer of a pipelined engine (MVAU, standalone
// requant/threshold). The pipeline advances while `en` is high (the skid register is
// empty); the skid register catches the one word the pipeline delivers in the cycle the
// output stalls. `en` is a register, so no combinational path runs from m_axis_tready
// back into the pipeline. A word in_valid on cycle c is on m_axis from cycle c + 1.
module qnn_skid #(
  parameter int W = 8   // data bits (tlast travels beside them)
) (
  input  logic         clk,
  input  logic         rst_n,
  output logic         en,
  input  logic         in_valid,
  input  logic [W-1:0] in_data,
  input  logic         in_last,
  output logic [W-1:0] m_axis_tdata,
  output logic         m_axis_tvalid,
  input  logic         m_axis_tready,
  output logic         m_axis_tlast
);
  logic         out_valid, skid_valid;
  logic [W:0]   out_word, skid_word;
  logic         take_out, take_skid, drain_skid;

  assign en            = !skid_valid;
  assign m_axis_tvalid = out_valid;
  assign m_axis_tdata  = out_word[W-1:0];
  assign m_axis_tlast  = out_word[W];
  assign drain_skid    = skid_valid && m_axis_tready;
  assign take_out      = !skid_valid && in_valid && (!out_valid || m_axis_tready);
  assign take_skid     = !skid_valid && in_valid && out_valid && !m_axis_tready;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      out_valid  <= 1'b0;
      skid_valid <= 1'b0;
    end else begin
      if (take_out || drain_skid) out_valid <= 1'b1;
      else if (m_axis_tready)     out_valid <= 1'b0;
      if (take_skid)       skid_valid <= 1'b1;
      else if (drain_skid) skid_valid <= 1'b0;
    end
  end
  always_ff @(posedge clk) begin
    if (drain_skid)    out_word <= skid_word;
    else if (take_out) out_word <= {in_last, in_data};
    if (take_skid) skid_word <= {in_last, in_data};
  end
endmodule
