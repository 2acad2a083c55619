// A counter addressing a small RAM, and a multiply-accumulate: LUTs, FFs, a BRAM, a DSP.
module mac(input clk, input [7:0] a, input [7:0] b, output reg [15:0] acc);
  always @(posedge clk) acc <= acc + a * b;
endmodule
module tiny(input clk, input we, input [7:0] din, output [15:0] q);
  reg [7:0] cnt = 0;
  reg [7:0] mem [0:255];
  reg [7:0] rd;
  always @(posedge clk) begin
    cnt <= cnt + 1;
    if (we) mem[cnt] <= din;
    rd <= mem[cnt];
  end
  mac m(.clk(clk), .a(rd), .b(din), .acc(q));
endmodule
