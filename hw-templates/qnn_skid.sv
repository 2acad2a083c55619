// qnn_skid: the output register and skid buffer of a pipelined engine (MVAU, standalone
// requant/threshold). The pipeline advances while `en` is high (the skid register is
// empty); the skid register catches the one word the pipeline delivers in the cycle the
// output stalls. `en` is a register, so no combinational path runs from m_axis_tready
// back into the pipeline. A word in_valid on cycle c is on m_axis from cycle c + 1.
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
module qnn_skid #(
  parameter int W = 0   // data bits (tlast travels beside them), ≥ 1
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
`ifdef SYNTHESIS
  localparam bit CHECK = (W != 0);  // not the template read on its own (see qnn_fifo.sv)
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && W < 1) begin : g_bad_w
    `QNN_PARAM_ERROR(("qnn_skid: W (%0d) must be at least 1", W))
  end

  logic         out_valid, skid_valid;
  logic [W:0]   out_word, skid_word;
  logic         take_out, take_skid, drain_skid;

  assign en            = !skid_valid;
  assign m_axis_tvalid = out_valid;
  assign {m_axis_tlast, m_axis_tdata} = out_word;
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
