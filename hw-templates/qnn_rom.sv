// qnn_rom: a read-only memory with a registered read, read from a $readmemh file: on a
// rising clock edge with `en` high, q takes word `addr` (one cycle of latency, as the
// inferred ROM it replaces). The synthesis tool chooses LUTs or block RAM (rom_style auto).
//
// Why a module of its own: so that synthesis can map it apart from the flattened engine
// around it. qnn_mvau reads a weight ROM of more than 32 words through it, and the Yosys
// commands for Xilinx keep its instances (rtl/yosys-script.ts; the reason is at the
// instance, stage 1 of qnn_mvau.sv).
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
module qnn_rom #(
  parameter int WIDTH = 1,   // bits a word, ≥ 1
  parameter int DEPTH = 2,   // words, ≥ 2
  parameter     FILE  = ""   // $readmemh file, DEPTH words (empty: contents undefined)
) (
  input  logic                     clk,
  input  logic                     en,
  input  logic [$clog2(DEPTH)-1:0] addr,
  output logic [WIDTH-1:0]         q
);
  if (WIDTH < 1 || DEPTH < 2) begin : g_param_error
    `QNN_PARAM_ERROR(("qnn_rom: DEPTH (%0d) must be at least 2 and WIDTH (%0d) at least 1", DEPTH, WIDTH))
  end

  (* rom_style = "auto" *) logic [WIDTH-1:0] mem [DEPTH];
  if (FILE != "") begin : g_load
    initial $readmemh(FILE, mem);
  end
  always_ff @(posedge clk) if (en) q <= mem[addr];
endmodule
