/**
 * The hardware plan of a network: the blocks of the generated top level in stream order
 * (engines, then on each link the parts engines/stream.ts lists: width converter, FIFO)
 * with every stream's width. Both the emitted RTL and report.json are written from this
 * one plan; the FIFO depths are the estimate's (the analysis sized them).
 */
import { linkParts } from '../engines/stream.js';
import { converterName, fifoName, svName } from '../engines/names.js';
import { streamLinks, type StreamLink } from '../model/engines.js';
import { typeBits } from '../model/qtype.js';
import type { Engine, Network } from '../model/types.js';
import { networkFabric, type Fabric } from '../cost/fabric.js';
import type { Estimate, FifoEstimate } from '../protocol/estimate.js';

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
  | { kind: 'fifo'; instance: string; depth: number; fifo: FifoEstimate; in: StreamSpec; out: StreamSpec }
  | { kind: 'dwc'; instance: string; link: StreamLink; in: StreamSpec; out: StreamSpec };

export interface HardwarePlan {
  network: string;
  /** The target's fabric, as the estimate prices it (the templates' family choices follow it). */
  fabric: Fabric;
  top: string;
  input: StreamSpec;
  output: StreamSpec;
  blocks: PlanBlock[];
}

/** The plan of an analysed network; `estimate` is its estimate (FIFO depths included, with any overrides). */
export function buildPlan(net: Network, estimate: Estimate): HardwarePlan {
  if (!net.complete || net.engines.length === 0 || !net.input) throw new Error(`network ${net.name} has errors: fix them before compiling`);
  const es = net.engines;
  const links = streamLinks(net);
  const blocks: PlanBlock[] = [];
  const input: StreamSpec = { name: 's_axis', elems: es[0].inElemsPerWord, elemBits: typeBits(es[0].inType) };
  let cur = input;
  es.forEach((e, i) => {
    const inst = svName(e.name);
    const out: StreamSpec = { name: `${inst}_out`, elems: e.outElemsPerWord, elemBits: typeBits(e.outType) };
    blocks.push({ kind: 'engine', instance: inst, engine: e, in: cur, out });
    cur = out;
    const link = links[i];
    if (!link) return;
    for (const part of linkParts(link)) {
      if (part === 'converter') {
        const instance = converterName(link.from, link.to);
        const dwcOut: StreamSpec = { name: `${instance}_out`, elems: link.consumerElems, elemBits: link.elemBits };
        blocks.push({ kind: 'dwc', instance, link, in: cur, out: dwcOut });
        cur = dwcOut;
      } else {
        const instance = fifoName(link.from, link.to);
        const fifo = estimate.fifos[i];
        if (!fifo || fifo.name !== instance) throw new Error(`the estimate has no FIFO ${instance}: estimate and network differ`);
        const fifoOut: StreamSpec = { name: `${instance}_out`, elems: cur.elems, elemBits: cur.elemBits };
        blocks.push({ kind: 'fifo', instance, depth: fifo.depth, fifo, in: cur, out: fifoOut });
        cur = fifoOut;
      }
    }
  });
  return { network: net.name, fabric: networkFabric(net), top: `${net.name}_top`, input, output: cur, blocks };
}
