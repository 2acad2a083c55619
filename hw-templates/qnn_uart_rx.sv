// qnn_uart_rx: UART receiver, 8N1 (one start bit, 8 data bits least significant first, one
// stop bit; idle high), CLKS_PER_BIT clock cycles per bit (clock Hz / baud, rounded: the
// board shell computes it, server/src/flows/board/icebreaker.ts).
//
// The line goes through a 2-flop synchroniser (it is asynchronous to clk). A falling edge
// starts a byte; the start bit is sampled again half a bit later and, if the line is high
// again, ignored as a false start (a glitch shorter than half a bit). Every following bit
// is sampled in its middle, CLKS_PER_BIT cycles apart. A byte whose stop bit is 1 is
// presented on m_data with m_valid high for one cycle; one whose stop bit is 0 is dropped
// with frame_error high for one cycle, and the receiver waits for the line to go high
// (idle) before looking for the next start bit (a break is not a stream of zero bytes).
//
// There is no backpressure: a byte not taken in its m_valid cycle is lost (the bridge,
// qnn_uart_bridge.sv, writes every byte into its FIFO). m_data holds the last byte until
// the first data bit of the next one is sampled. Tolerates a baud mismatch of a few per
// cent (the sampling point drifts by the mismatch over the 9.5 bits to the stop bit).
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
module qnn_uart_rx #(
  parameter int CLKS_PER_BIT = 0  // clock cycles per bit, ≥ 4
) (
  input  logic       clk,
  input  logic       rst_n,
  input  logic       rx,           // the line (asynchronous, idle high)
  output logic [7:0] m_data,       // the byte received, valid while m_valid
  output logic       m_valid,      // one cycle per byte received
  output logic       frame_error   // one cycle per byte dropped for a stop bit of 0
);
`ifdef SYNTHESIS
  localparam bit CHECK = (CLKS_PER_BIT != 0);  // not the template read on its own (see qnn_fifo.sv)
`else
  localparam bit CHECK = 1'b1;
`endif
  if (CHECK && CLKS_PER_BIT < 4) begin : g_bad_cpb
    `QNN_PARAM_ERROR(("qnn_uart_rx: CLKS_PER_BIT (%0d) must be at least 4", CLKS_PER_BIT))
  end

  localparam int CPB = (CLKS_PER_BIT >= 4) ? CLKS_PER_BIT : 4;  // raised for the defaults
  localparam int CW = $clog2(CPB);
  localparam logic [CW-1:0] HALF = CW'(CPB / 2 - 1);  // the start bit's middle, from its edge
  localparam logic [CW-1:0] FULL = CW'(CPB - 1);

  localparam logic [2:0] S_IDLE = 3'd0;
  localparam logic [2:0] S_START = 3'd1;  // confirming the start bit at its middle
  localparam logic [2:0] S_DATA = 3'd2;
  localparam logic [2:0] S_STOP = 3'd3;
  localparam logic [2:0] S_BREAK = 3'd4;  // stop bit was 0: wait for the line to go idle

  logic rx_meta, rx_s;  // synchroniser; rx_s is the line as this clock domain sees it
  logic [2:0] state;
  logic [CW-1:0] cnt;  // cycles to the next sampling point
  logic [2:0] nbit;  // data bits sampled
  logic [7:0] shift;

  assign m_data = shift;

  always_ff @(posedge clk) begin
    if (!rst_n) {rx_s, rx_meta} <= 2'b11;
    else {rx_s, rx_meta} <= {rx_meta, rx};
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      state <= S_IDLE;
      cnt <= '0;
      nbit <= '0;
      m_valid <= 1'b0;
      frame_error <= 1'b0;
    end else begin
      m_valid <= 1'b0;
      frame_error <= 1'b0;
      case (state)
        S_IDLE: begin
          if (!rx_s) begin
            state <= S_START;
            cnt <= HALF;
          end
        end
        S_START: begin
          if (cnt != '0) cnt <= cnt - 1'b1;
          else if (rx_s) state <= S_IDLE;  // false start: the line is high again
          else begin
            state <= S_DATA;
            cnt <= FULL;
            nbit <= '0;
          end
        end
        S_DATA: begin
          if (cnt != '0) cnt <= cnt - 1'b1;
          else begin
            cnt <= FULL;
            nbit <= nbit + 1'b1;
            if (nbit == 3'd7) state <= S_STOP;
          end
        end
        S_STOP: begin
          if (cnt != '0) cnt <= cnt - 1'b1;
          else if (rx_s) begin
            state <= S_IDLE;  // at the stop bit's middle: ready for the next start edge
            m_valid <= 1'b1;
          end else begin
            state <= S_BREAK;
            frame_error <= 1'b1;
          end
        end
        default: begin  // S_BREAK
          if (rx_s) state <= S_IDLE;
        end
      endcase
    end
  end

  // The data bits, least significant first (no reset: only valid with m_valid).
  always_ff @(posedge clk) begin
    if (state == S_DATA && cnt == '0) shift <= {rx_s, shift[7:1]};
  end
endmodule
