// qnn_fifo: stream FIFO between engines (hardware.md §1, §3). Holds exactly DEPTH words
// of WIDTH data bits plus tlast (s_axis_tlast goes through with its word, so the waveform
// shows frame ends on every stream; tie it to 0 where there is none).
//
//   DEPTH = 1: a register slice (s_axis_tready = !m_axis_tvalid || m_axis_tready).
//   DEPTH = 2: a skid buffer (s_axis_tready registered: breaks the ready path).
//   DEPTH ≥ 3: a DEPTH−1 word memory (simple dual port, inferred: LUTRAM for small,
//              BRAM for large depths; no vendor primitives) whose registered read port is
//              the output register.
// Every variant: registered m_axis_tdata/tvalid/tlast, one word in and one word out per
// cycle at the same time, s_axis_tready independent of m_axis_tready for DEPTH ≥ 2.
//
// Timing (empty FIFO, output ready): a word accepted on cycle c is accepted downstream on
// cycle c + 1 (DEPTH 1, 2) or c + 2 (DEPTH ≥ 3). It accepts input while it holds fewer
// than DEPTH words (DEPTH ≥ 3: fewer than DEPTH − 1 in the memory; the word in the
// output register counts as the last one), so with the output stalled it takes exactly
// DEPTH words.
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
module qnn_fifo #(
  parameter int WIDTH = 0,  // data bits per word (without tlast), ≥ 1
  parameter int DEPTH = 0   // words held, ≥ 1
) (
  input  logic             clk,
  input  logic             rst_n,
  input  logic [WIDTH-1:0] s_axis_tdata,
  input  logic             s_axis_tvalid,
  output logic             s_axis_tready,
  input  logic             s_axis_tlast,
  output logic [WIDTH-1:0] m_axis_tdata,
  output logic             m_axis_tvalid,
  input  logic             m_axis_tready,
  output logic             m_axis_tlast
);
  localparam int DW = WIDTH + 1;  // {tlast, data}

  // ---- Parameter checks. Yosys elaborates every module with its defaults when it reads
  // it: the template itself (every parameter at its default) is checked only elsewhere.
`ifdef SYNTHESIS
  localparam bit CHECK = !(WIDTH == 0 && DEPTH == 0);
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && WIDTH < 1) begin : g_bad_width
    `QNN_PARAM_ERROR(("qnn_fifo: WIDTH (%0d) must be at least 1", WIDTH))
  end
  if (CHECK && DEPTH < 1) begin : g_bad_depth
    `QNN_PARAM_ERROR(("qnn_fifo: DEPTH (%0d) must be at least 1", DEPTH))
  end

  logic [DW-1:0] out_q;  // the output register
  logic out_valid;
  assign {m_axis_tlast, m_axis_tdata} = out_q;
  assign m_axis_tvalid = out_valid;

  if (DEPTH == 1) begin : g_slice
    assign s_axis_tready = !out_valid || m_axis_tready;
    always_ff @(posedge clk) begin
      if (!rst_n) out_valid <= 1'b0;
      else if (s_axis_tready) out_valid <= s_axis_tvalid;
    end
    always_ff @(posedge clk) begin
      if (s_axis_tready && s_axis_tvalid) out_q <= {s_axis_tlast, s_axis_tdata};
    end
  end else if (DEPTH == 2) begin : g_skid
    logic [DW-1:0] skid;
    logic skid_valid;
    logic out_free;
    assign s_axis_tready = !skid_valid;
    assign out_free = !out_valid || m_axis_tready;
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        out_valid <= 1'b0;
        skid_valid <= 1'b0;
      end else if (out_free) begin
        out_valid <= skid_valid || s_axis_tvalid;
        skid_valid <= 1'b0;
      end else if (s_axis_tvalid && !skid_valid) begin
        skid_valid <= 1'b1;
      end
    end
    always_ff @(posedge clk) begin
      if (out_free) out_q <= skid_valid ? skid : {s_axis_tlast, s_axis_tdata};
      if (!out_free && s_axis_tvalid && !skid_valid) skid <= {s_axis_tlast, s_axis_tdata};
    end
  end else if (DEPTH >= 3) begin : g_ram
    localparam int RD = DEPTH - 1;  // memory words
    localparam int PW = $clog2(RD);
    localparam int CW = $clog2(RD + 1);
    logic [DW-1:0] mem [RD];
    logic [PW-1:0] wr_ptr, rd_ptr;
    logic [CW-1:0] count;           // words in the memory
    logic s_fire, rd_en;
    assign s_axis_tready = (count != CW'(RD));
    assign s_fire = s_axis_tvalid && s_axis_tready;
    assign rd_en = (count != '0) && (!out_valid || m_axis_tready);
    always_ff @(posedge clk) begin
      if (s_fire) mem[wr_ptr] <= {s_axis_tlast, s_axis_tdata};
    end
    always_ff @(posedge clk) begin
      if (rd_en) out_q <= mem[rd_ptr];
    end
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        wr_ptr <= '0;
        rd_ptr <= '0;
        count <= '0;
        out_valid <= 1'b0;
      end else begin
        if (s_fire) wr_ptr <= (wr_ptr == PW'(RD - 1)) ? '0 : wr_ptr + PW'(1);
        if (rd_en) rd_ptr <= (rd_ptr == PW'(RD - 1)) ? '0 : rd_ptr + PW'(1);
        count <= count + CW'(s_fire) - CW'(rd_en);
        if (rd_en) out_valid <= 1'b1;
        else if (m_axis_tready) out_valid <= 1'b0;
      end
    end
  end
endmodule
