/**
 * The hardware plan of a network: the blocks of the generated top level in stream order
 * (engines, FIFOs between them, width converters where widths differ) with every stream's
 * width. Both the emitted RTL and report.json are written from this one plan.
 */
import { streamLinks } from '../model/engines.js';
import { typeBits } from '../model/qtype.js';
import type { Engine, Network } from '../model/types.js';
import { fifoDepths as analyseFifoDepths, type FifoSizing } from './fifo-depths.js';

export interface StreamSpec {
  /** Signal prefix in the top level. */
  name: string;
  elems: number;
  elemBits: number;
}

export function streamWidth(s: StreamSpec): number {
  return s.elems * s.elemBits;
}

export type PlanBlock =
  | { kind: 'engine'; instance: string; engine: Engine; in: StreamSpec; out: StreamSpec }
  | { kind: 'fifo'; instance: string; depth: number; sizing: FifoSizing; in: StreamSpec; out: StreamSpec }
  | { kind: 'dwc'; instance: string; frameElems: number; in: StreamSpec; out: StreamSpec };

export interface HardwarePlan {
  network: string;
  top: string;
  input: StreamSpec;
  output: StreamSpec;
  blocks: PlanBlock[];
}

/** SystemVerilog keywords that a layer name could collide with. */
const SV_RESERVED = new Set(
  'always and assign begin buf case cell config default defparam design disable edge else end endcase endmodule endfunction endtask event for force forever fork function generate genvar if initial inout input integer join large localparam logic macromodule medium module nand negedge nmos nor not or output parameter posedge primitive pull0 pull1 real realtime reg release repeat scalared signed small specify specparam strong0 strong1 supply0 supply1 table task time tran triand trior trireg unsigned vectored wait wand weak0 weak1 while wire wor xnor xor bit byte int shortint longint string struct union typedef enum package import export interface class program property sequence assert assume cover clocking type var void final alias const local static virtual bind chandle context extern forkjoin inside intersect join_any join_none matches modport new null priority pure rand randc randcase ref solve super tagged this throughout timeprecision timeunit unique wildcard with within'.split(
    ' ',
  ),
);

/** Why a FIFO has its depth: the analysis's reason, or that the depth was set over it. */
export function fifoReason(b: { depth: number; sizing: FifoSizing }): string {
  return b.depth === b.sizing.depth
    ? b.sizing.reason
    : `depth set to ${b.depth} (the analysis gives ${b.sizing.depth}: ${b.sizing.reason})`;
}

/** An SV identifier for a .qnn name (the layer names are already identifiers). */
export function svName(name: string): string {
  return SV_RESERVED.has(name) ? `${name}_l` : name;
}

/**
 * `fifoDepths` replaces analysed depths by FIFO instance name (the FIFO check halves one
 * FIFO at a time to show that the analysis gave no more than the pipeline needs).
 */
export function buildPlan(net: Network, ii: number, fifoDepths: Readonly<Record<string, number>> = {}): HardwarePlan {
  if (!net.complete || net.engines.length === 0 || !net.input) throw new Error(`network ${net.name} has errors: fix them before compiling`);
  const es = net.engines;
  const links = streamLinks(net);
  const sizing = analyseFifoDepths(net, ii);
  const blocks: PlanBlock[] = [];
  const first = es[0];
  const input: StreamSpec = { name: 's_axis', elems: first.inElemsPerWord, elemBits: typeBits(first.inType) };
  let cur = input;
  es.forEach((e, i) => {
    const inst = svName(e.name);
    const out: StreamSpec = { name: `${inst}_out`, elems: e.outElemsPerWord, elemBits: typeBits(e.outType) };
    blocks.push({ kind: 'engine', instance: inst, engine: e, in: cur, out });
    cur = out;
    const link = links[i];
    if (!link) return;
    const next = es[i + 1];
    const nextInst = svName(next.name);
    // Converter first, then the FIFO: the FIFO holds consumer-width words, so it can feed
    // a consumer's burst (an MVAU's nf = 0 pass) at one word per cycle.
    if (link.needsConverter) {
      const dwcOut: StreamSpec = { name: `dwc_${inst}_${nextInst}_out`, elems: link.consumerElems, elemBits: out.elemBits };
      blocks.push({ kind: 'dwc', instance: `dwc_${inst}_${nextInst}`, frameElems: link.elements, in: cur, out: dwcOut });
      cur = dwcOut;
    }
    const fifoOut: StreamSpec = { name: `fifo_${inst}_${nextInst}_out`, elems: cur.elems, elemBits: cur.elemBits };
    const s = sizing[i];
    const instance = `fifo_${inst}_${nextInst}`;
    const depth = fifoDepths[instance] ?? s.depth;
    blocks.push({ kind: 'fifo', instance, depth, sizing: s, in: cur, out: fifoOut });
    cur = fifoOut;
  });
  return { network: net.name, top: `${net.name}_top`, input, output: cur, blocks };
}
