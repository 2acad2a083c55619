/**
 * One engine's cycles and resources at its fold, as its descriptor (engines/) gives them,
 * with the stream widths around it: what the estimate lists per layer.
 */
import { descriptorOf } from '../engines/registry.js';
import type { EngineTiming } from '../engines/descriptor.js';
import { typeBits } from '../model/qtype.js';
import type { Engine } from '../model/types.js';
import type { Fabric, Resources } from './fabric.js';
import type { MemKind } from './memory.js';

export interface EngineCost extends EngineTiming {
  name: string;
  macs: number;
  /** Whole counts; `parts` adds up to `total`. */
  total: Resources;
  /** 'mvau' (with a fused activation), 'window', 'maxpool', 'requant', 'threshold'. */
  parts: Record<string, Resources>;
  weightMem: MemKind;
  /** MH·MW·wbits for an MVAU, else 0. */
  weightBits: number;
  streamInBits: number;
  streamOutBits: number;
}

/** Cost and cycles of one engine at its current fold. */
export function engineCost(e: Engine, fab: Fabric): EngineCost {
  const d = descriptorOf(e);
  const r = d.resources(e, fab);
  return {
    name: e.name,
    ...d.timing(e),
    macs: r.macs,
    total: r.total,
    parts: r.parts,
    weightMem: r.weightMem,
    weightBits: r.weightBits,
    streamInBits: e.inElemsPerWord * typeBits(e.inType),
    streamOutBits: e.outElemsPerWord * typeBits(e.outType),
  };
}
