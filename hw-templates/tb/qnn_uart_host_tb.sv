// qnn_uart_host_tb: a host on the other end of qnn_icebreaker_top's UART, through the pins
// only (server/src/flows/board/shell-sim.ts, `qnn sim FILE --board`; Verilator --timing or
// Icarus). The clock runs at one cycle per 10 time units; the UART bit is +cpb cycles (the
// shell's CLKS_PER_BIT). The host drives RX and samples TX on falling edges, away from the
// design's rising ones.
//
// Sends +in=FILE (one hex byte a line, +frames frames of +in_frame bytes) onto RX, bit by
// bit, with random idle gaps of 0..+max_gap cycles between bytes and, in some gaps, a
// low glitch shorter than half a bit (the receiver must ignore it). Follows the host rule
// of docs/board-icebreaker.md: after a frame it waits for the frame's +out_frame answer
// bytes before sending the next. Decodes TX independently (start bit checked at its
// middle, data bits at theirs, stop bit must be 1) and writes every byte to +out=FILE.
// Ends with a `UART_TB_DONE ...` line (or `UART_TB_ERROR ...`); gives up after +max_cycles.
// `first` is the cycle the first byte's start bit began, `last` the cycle the last answer
// byte's stop bit was checked: (last - first) / frames is the frame time seen by the host.
`timescale 1ns / 1ps
module qnn_uart_host_tb;
  logic CLK = 1'b0;
  logic RX = 1'b1;
  logic TX, LEDR_N, LEDG_N;

  qnn_icebreaker_top dut (
    .CLK(CLK),
    .RX(RX),
    .TX(TX),
    .LEDR_N(LEDR_N),
    .LEDG_N(LEDG_N)
  );

  always #5 CLK = !CLK;

  int unsigned cpb, in_frame, out_frame, frames, max_gap, seed, max_cycles;
  string in_file, out_file;
  byte unsigned in_bytes[$];
  int unsigned n_out = 0;
  int unsigned cycle = 0;
  int unsigned green_toggles = 0;
  int unsigned red_cycles = 0;
  int unsigned glitches = 0;
  int unsigned first_cycle = 0, last_cycle = 0;
  logic green_q = 1'b1;
  logic stop_rx = 1'b0;  // never set: the receiver listens until $finish
  integer fo;

  task automatic wait_cycles(input int unsigned n);
    repeat (n) @(negedge CLK);
  endtask

  task automatic send_byte(input byte unsigned b);
    RX = 1'b0;
    wait_cycles(cpb);
    for (int k = 0; k < 8; k++) begin
      RX = b[k];
      wait_cycles(cpb);
    end
    RX = 1'b1;
    wait_cycles(cpb);
  endtask

  // An idle gap, sometimes with a glitch of 1 .. cpb/2 - 1 cycles at its start.
  task automatic idle(input int unsigned gap);
    int unsigned g;
    if (cpb >= 6 && gap >= 2 * cpb && $urandom % 3 == 0) begin
      g = 1 + $urandom % (cpb / 2 - 1);
      glitches++;
      RX = 1'b0;
      wait_cycles(g);
      RX = 1'b1;
      wait_cycles(gap - g);
    end else begin
      wait_cycles(gap);
    end
  endtask

  always @(posedge CLK) begin
    cycle <= cycle + 1;
    if (cycle > 300) begin
      if (!LEDR_N) red_cycles <= red_cycles + 1;
      if (LEDG_N !== green_q) green_toggles <= green_toggles + 1;
    end
    green_q <= LEDG_N;
    if (cycle >= max_cycles) begin
      $display("UART_TB_ERROR timeout at cycle %0d: %0d of %0d bytes received", cycle, n_out, frames * out_frame);
      $fflush(fo);
      $finish;
    end
  end

  // The host's receiver.
  initial begin : receiver
    byte unsigned b;
    wait_cycles(1);
    while (!stop_rx) begin
      wait_cycles(1);
      if (TX == 1'b0) begin
        wait_cycles(cpb / 2);
        if (TX != 1'b0) begin
          $display("UART_TB_ERROR a start bit on TX shorter than half a bit at cycle %0d", cycle);
          $finish;
        end
        for (int k = 0; k < 8; k++) begin
          wait_cycles(cpb);
          b[k] = TX;
        end
        wait_cycles(cpb);
        if (TX != 1'b1) begin
          $display("UART_TB_ERROR stop bit 0 on TX at cycle %0d (byte %0d)", cycle, n_out);
          $finish;
        end
        $fwrite(fo, "%02x\n", b);
        n_out++;
        last_cycle = cycle;
      end
    end
  end

  // The host's sender.
  initial begin : sender
    integer fi, rc;
    int unsigned v;
    if (!$value$plusargs("in=%s", in_file)) in_file = "uart_in.hex";
    if (!$value$plusargs("out=%s", out_file)) out_file = "uart_out.hex";
    if (!$value$plusargs("cpb=%d", cpb)) cpb = 8;
    if (!$value$plusargs("in_frame=%d", in_frame)) in_frame = 1;
    if (!$value$plusargs("out_frame=%d", out_frame)) out_frame = 1;
    if (!$value$plusargs("frames=%d", frames)) frames = 1;
    if (!$value$plusargs("max_gap=%d", max_gap)) max_gap = 0;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 1000000;
    v = $urandom(seed);
    fo = $fopen(out_file, "w");
    fi = $fopen(in_file, "r");
    if (fi == 0) begin
      $display("UART_TB_ERROR cannot read %s", in_file);
      $finish;
    end
    while (!$feof(fi)) begin
      rc = $fscanf(fi, "%h\n", v);
      if (rc == 1) in_bytes.push_back(v[7:0]);
    end
    $fclose(fi);
    if (in_bytes.size() != frames * in_frame) begin
      $display("UART_TB_ERROR %s has %0d bytes, not %0d frames of %0d", in_file, in_bytes.size(), frames, in_frame);
      $finish;
    end
    wait_cycles(400);  // the shell's power-on reset (255 cycles)
    for (int unsigned f = 0; f < frames; f++) begin
      for (int unsigned i = 0; i < in_frame; i++) begin
        idle($urandom % (max_gap + 1));
        if (f == 0 && i == 0) first_cycle = cycle;
        send_byte(in_bytes[f*in_frame+i]);
      end
      // The host rule: the whole answer before the next frame.
      while (n_out < (f + 1) * out_frame) wait_cycles(1);
    end
    // Anything more on TX would be a surplus byte: listen a few byte times.
    wait_cycles(40 * cpb);
    $fclose(fo);
    $display("UART_TB_DONE cycles=%0d bytes_out=%0d green_toggles=%0d red_cycles=%0d red_end=%0d glitches=%0d first=%0d last=%0d",
             cycle, n_out, green_toggles, red_cycles, !LEDR_N, glitches, first_cycle, last_cycle);
    $finish;
  end
endmodule
