// qnn_uart_tx: UART transmitter, 8N1 (one start bit, 8 data bits least significant first,
// one stop bit; idle high), CLKS_PER_BIT clock cycles per bit.
//
// Byte input with valid/ready: s_ready is high while the line is idle, and a byte is taken
// when s_valid && s_ready. Its start bit goes on the line on the next cycle; each bit lasts
// exactly CLKS_PER_BIT cycles; s_ready rises again at the end of the stop bit, so bytes
// offered back to back are sent with stop bits of CLKS_PER_BIT + 1 cycles. tx is a
// register, high from reset on.
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
module qnn_uart_tx #(
  parameter int CLKS_PER_BIT = 0  // clock cycles per bit, ≥ 4
) (
  input  logic       clk,
  input  logic       rst_n,
  input  logic [7:0] s_data,
  input  logic       s_valid,
  output logic       s_ready,
  output logic       tx            // the line (idle high)
);
`ifdef SYNTHESIS
  localparam bit CHECK = (CLKS_PER_BIT != 0);  // not the template read on its own (see qnn_fifo.sv)
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && CLKS_PER_BIT < 4) begin : g_bad_cpb
    `QNN_PARAM_ERROR(("qnn_uart_tx: CLKS_PER_BIT (%0d) must be at least 4", CLKS_PER_BIT))
  end

  localparam int CPB = (CLKS_PER_BIT >= 4) ? CLKS_PER_BIT : 4;  // raised for the defaults
  localparam int CW = $clog2(CPB);
  localparam logic [CW-1:0] FULL = CW'(CPB - 1);

  logic [8:0] shift;  // the bits after the one on the line: data (LSB first), then the stop bit
  logic [3:0] left;  // bits still to finish, the one on the line included (0: idle)
  logic [CW-1:0] cnt;  // cycles left of the bit on the line

  assign s_ready = (left == 4'd0);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      tx <= 1'b1;
      left <= 4'd0;
      cnt <= '0;
    end else if (left == 4'd0) begin
      if (s_valid) begin
        tx <= 1'b0;  // start bit
        left <= 4'd10;
        cnt <= FULL;
      end
    end else if (cnt != '0) begin
      cnt <= cnt - 1'b1;
    end else begin
      left <= left - 1'b1;
      if (left != 4'd1) begin
        tx <= shift[0];
        cnt <= FULL;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (left == 4'd0 && s_valid) shift <= {1'b1, s_data};
    else if (left != 4'd0 && cnt == '0) shift <= {1'b1, shift[8:1]};
  end
endmodule
