/**
 * Names of the hardware blocks: the generated top level's instances, which are also the
 * VCD scopes, report.json's names and what `qnn fifo-check` overrides by.
 */

/** SystemVerilog keywords that a layer name could collide with. */
const SV_RESERVED = new Set(
  'always and assign begin buf case cell config default defparam design disable edge else end endcase endmodule endfunction endtask event for force forever fork function generate genvar if initial inout input integer join large localparam logic macromodule medium module nand negedge nmos nor not or output parameter posedge primitive pull0 pull1 real realtime reg release repeat scalared signed small specify specparam strong0 strong1 supply0 supply1 table task time tran triand trior trireg unsigned vectored wait wand weak0 weak1 while wire wor xnor xor bit byte int shortint longint string struct union typedef enum package import export interface class program property sequence assert assume cover clocking type var void final alias const local static virtual bind chandle context extern forkjoin inside intersect join_any join_none matches modport new null priority pure rand randc randcase ref solve super tagged this throughout timeprecision timeunit unique wildcard with within'.split(
    ' ',
  ),
);

/** An SV identifier for a .qnn name (the layer names are already identifiers). */
export function svName(name: string): string {
  return SV_RESERVED.has(name) ? `${name}_l` : name;
}

/** The FIFO on the stream from engine `from` to engine `to`. */
export function fifoName(from: string, to: string): string {
  return `fifo_${svName(from)}_${svName(to)}`;
}

/** The width converter on the stream from engine `from` to engine `to`. */
export function converterName(from: string, to: string): string {
  return `dwc_${svName(from)}_${svName(to)}`;
}
