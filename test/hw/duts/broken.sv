// Test DUT with a syntax error, for error reporting.
module broken (
  input logic clk
);
  logic a
  assign a = clk;
endmodule
