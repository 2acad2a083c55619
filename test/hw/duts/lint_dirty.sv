// Test module for lintVerilator: a width mismatch (WIDTH) and an unused input (UNUSEDSIGNAL).
module lint_dirty (
  input  logic       clk,
  input  logic [7:0] a,
  output logic [3:0] y
);
  assign y = a;
endmodule
