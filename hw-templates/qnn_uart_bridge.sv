// qnn_uart_bridge: a UART (8N1, qnn_uart_rx/qnn_uart_tx) in front of a compiled network's
// streams, for boards whose only link to the host is a serial port (docs/board-icebreaker.md).
//
// Byte layout. Input: the bytes received are assembled into IN_W-bit words, least
// significant byte first, NB_IN = ceil(IN_W/8) bytes a word; the top byte's bits above
// IN_W are ignored. Each word goes to the network's input stream (m_axis, valid/ready).
// Output: each word the network sends (s_axis, OUT_W bits) is sent as NB_OUT =
// ceil(OUT_W/8) bytes, least significant first, its bits above OUT_W as 0; s_axis_tready
// is low while a word's bytes are being handed to the transmitter.
//
// Flow control. The UART has none (no RTS/CTS), so the received bytes go into a FIFO of
// FIFO_BYTES bytes while the network stalls. The rule the host follows: send one frame
// (the network's input frame, NB_IN bytes a word), then read its whole answer (NB_OUT
// bytes a word) before sending the next. When a frame's first byte arrives, the previous
// frame has left the network, so the FIFO is empty; with FIFO_BYTES at least one input
// frame (the board shell sets exactly that) no byte is ever lost, however slowly the
// network runs. A host that sends further ahead can overflow the FIFO: the byte is
// dropped and `overflow` stays high until reset (the words after it are misaligned).
//
// Status (for LEDs): `busy` from a frame's first received byte until the last byte of the
// output frame (the word with tlast) is handed to the transmitter; `frame_done` one cycle
// then; `overflow` and `rx_error` (a byte with a stop bit of 0 was dropped) stay high
// until reset.
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
module qnn_uart_bridge #(
  parameter int IN_W = 0,          // the network's input word (its s_axis_tdata) bits, ≥ 1
  parameter int OUT_W = 0,         // the network's output word (its m_axis_tdata) bits, ≥ 1
  parameter int CLKS_PER_BIT = 0,  // clock cycles per UART bit, ≥ 4
  parameter int FIFO_BYTES = 0     // received bytes buffered, ≥ ceil(IN_W/8): one input frame
) (
  input  logic             clk,
  input  logic             rst_n,
  input  logic             rx,             // UART from the host (asynchronous, idle high)
  output logic             tx,             // UART to the host (idle high)
  // To the network's input stream.
  output logic [IN_W-1:0]  m_axis_tdata,
  output logic             m_axis_tvalid,
  input  logic             m_axis_tready,
  // From the network's output stream.
  input  logic [OUT_W-1:0] s_axis_tdata,
  input  logic             s_axis_tvalid,
  output logic             s_axis_tready,
  input  logic             s_axis_tlast,
  // Status.
  output logic             busy,
  output logic             frame_done,
  output logic             overflow,
  output logic             rx_error
);
`ifdef SYNTHESIS
  localparam bit CHECK = !(IN_W == 0 && OUT_W == 0 && CLKS_PER_BIT == 0 && FIFO_BYTES == 0);  // see qnn_fifo.sv
`else
  localparam bit CHECK = 1'b1;
`endif
  // Sizes raised to 1 where a default would make a negative width.
  localparam int IW = (IN_W > 0) ? IN_W : 1;
  localparam int NB_IN = (IW + 7) / 8;
  localparam int NB_OUT = (OUT_W > 0) ? (OUT_W + 7) / 8 : 1;
  localparam int DEPTH = (FIFO_BYTES > 1) ? FIFO_BYTES : 2;
  if (CHECK && (IN_W < 1 || OUT_W < 1)) begin : g_bad_width
    `QNN_PARAM_ERROR(("qnn_uart_bridge: IN_W (%0d) and OUT_W (%0d) must be at least 1", IN_W, OUT_W))
  end else if (CHECK && FIFO_BYTES < NB_IN) begin : g_bad_fifo
    `QNN_PARAM_ERROR(("qnn_uart_bridge: FIFO_BYTES (%0d) must hold a word (%0d bytes)", FIFO_BYTES, NB_IN))
  end
  // CLKS_PER_BIT is checked by qnn_uart_rx and qnn_uart_tx.

  localparam int PW = $clog2(DEPTH);
  localparam int CW = $clog2(DEPTH + 1);
  localparam int IBW = (NB_IN > 1) ? $clog2(NB_IN) : 1;
  localparam int OBW = $clog2(NB_OUT + 1);
  localparam int OW8 = NB_OUT * 8;

  // ---- Receiver into the byte FIFO.
  logic [7:0] rx_data;
  logic rx_valid, rx_frame_error;
  qnn_uart_rx #(
    .CLKS_PER_BIT(CLKS_PER_BIT)
  ) u_rx (
    .clk(clk),
    .rst_n(rst_n),
    .rx(rx),
    .m_data(rx_data),
    .m_valid(rx_valid),
    .frame_error(rx_frame_error)
  );

  logic [7:0] mem[DEPTH];  // inferred: block RAM when large (one input frame)
  logic [PW-1:0] wr_ptr, rd_ptr;
  logic [CW-1:0] count;  // bytes in the memory
  logic full, push, rd_en;
  logic [7:0] head;  // the memory's registered read port: the oldest byte
  logic head_valid, take;

  assign full = (count == CW'(FIFO_BYTES));
  assign push = rx_valid && !full;
  assign rd_en = (count != '0) && (!head_valid || take);

  always_ff @(posedge clk) begin
    if (push) mem[wr_ptr] <= rx_data;
  end
  always_ff @(posedge clk) begin
    if (rd_en) head <= mem[rd_ptr];
  end
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      wr_ptr <= '0;
      rd_ptr <= '0;
      count <= '0;
      head_valid <= 1'b0;
      overflow <= 1'b0;
      rx_error <= 1'b0;
    end else begin
      if (push) wr_ptr <= (wr_ptr == PW'(DEPTH - 1)) ? '0 : wr_ptr + 1'b1;
      if (rd_en) rd_ptr <= (rd_ptr == PW'(DEPTH - 1)) ? '0 : rd_ptr + 1'b1;
      count <= count + CW'(push) - CW'(rd_en);
      if (rd_en) head_valid <= 1'b1;
      else if (take) head_valid <= 1'b0;
      if (rx_valid && full) overflow <= 1'b1;
      if (rx_frame_error) rx_error <= 1'b1;
    end
  end

  // ---- Bytes to input words, least significant byte first.
  logic [NB_IN*8-1:0] word;
  logic [IBW-1:0] nbytes;  // bytes of the word collected so far
  logic word_valid;

  assign take = head_valid && !word_valid;
  assign m_axis_tdata = word[IW-1:0];
  assign m_axis_tvalid = word_valid;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      nbytes <= '0;
      word_valid <= 1'b0;
    end else begin
      if (take) begin
        if (nbytes == IBW'(NB_IN - 1)) begin
          nbytes <= '0;
          word_valid <= 1'b1;
        end else begin
          nbytes <= nbytes + 1'b1;
        end
      end else if (m_axis_tready) begin
        word_valid <= 1'b0;
      end
    end
  end
  if (NB_IN > 1) begin : g_shift_in
    always_ff @(posedge clk) begin
      if (take) word <= {head, word[NB_IN*8-1:8]};
    end
  end else begin : g_one_in
    always_ff @(posedge clk) begin
      if (take) word <= head;
    end
  end
  if (NB_IN * 8 > IW) begin : g_in_pad
    logic unused_pad;  // the top byte's bits above IN_W are ignored
    assign unused_pad = ^word[NB_IN*8-1:IW];
  end

  // ---- Output words to bytes, least significant byte first.
  logic [NB_OUT*8-1:0] out;
  logic [OBW-1:0] out_left;  // bytes of the word not yet handed to the transmitter
  logic out_last;  // the word ends its frame
  logic tx_ready, tx_take;

  assign s_axis_tready = (out_left == '0);
  assign tx_take = (out_left != '0) && tx_ready;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      out_left <= '0;
      out_last <= 1'b0;
      busy <= 1'b0;
      frame_done <= 1'b0;
    end else begin
      frame_done <= 1'b0;
      if (s_axis_tvalid && s_axis_tready) begin
        out_left <= OBW'(NB_OUT);
        out_last <= s_axis_tlast;
      end else if (tx_take) begin
        out_left <= out_left - 1'b1;
        if (out_left == OBW'(1) && out_last) frame_done <= 1'b1;
      end
      // A new frame's first byte wins over the end of the previous one (a host ahead of the rule).
      if (rx_valid) busy <= 1'b1;
      else if (tx_take && out_left == OBW'(1) && out_last) busy <= 1'b0;
    end
  end
  always_ff @(posedge clk) begin
    if (s_axis_tvalid && s_axis_tready) out <= OW8'(s_axis_tdata);
    else if (tx_take) out <= out >> 8;
  end

  qnn_uart_tx #(
    .CLKS_PER_BIT(CLKS_PER_BIT)
  ) u_tx (
    .clk(clk),
    .rst_n(rst_n),
    .s_data(out[7:0]),
    .s_valid(out_left != '0),
    .s_ready(tx_ready),
    .tx(tx)
  );
endmodule
