/**
 * What sits on each stream between two engines: a FIFO always (hardware.md §1), and a
 * width converter when the producer's PE·bits differs from the consumer's SIMD·bits.
 * As in the compiler's plan (rtl/plan.ts): engine → FIFO → converter → engine, so the FIFO
 * holds producer words (PE elements each).
 */
import type { StreamLink } from '../model/engines.js';
import { typeBits } from '../model/qtype.js';
import type { Engine } from '../model/types.js';
import { COST_CONSTANTS as C } from './constants.js';
import { product } from '../model/shape.js';
import { converterCycles } from './cycles.js';
import { roundResources, type Fabric } from './fabric.js';
import { converterResources, fifoResources } from './resources.js';
import type { ConverterEstimate, FifoEstimate } from '../protocol/estimate.js';

export type { ConverterEstimate, FifoEstimate } from '../protocol/estimate.js';

/** The stream from engine a to engine b (the same fields as model/engines.ts `streamLinks`). */
export function linkBetween(a: Engine, b: Engine): StreamLink {
  return {
    from: a.name,
    to: b.name,
    elemBits: typeBits(a.outType),
    producerElems: a.outElemsPerWord,
    consumerElems: b.inElemsPerWord,
    elements: product(a.outShape),
    needsConverter: a.outElemsPerWord !== b.inElemsPerWord,
  };
}

export function converterOf(link: StreamLink, fab: Fabric): ConverterEstimate | null {
  if (!link.needsConverter) return null;
  const inBits = link.producerElems * link.elemBits;
  const outBits = link.consumerElems * link.elemBits;
  const r = converterResources(inBits, outBits, fab);
  const whole = roundResources(r);
  return {
    from: link.from,
    to: link.to,
    in_bits: inBits,
    out_bits: outBits,
    buffer_bits: r.bufferBits,
    cycles: converterCycles(link.elements, link.producerElems, link.consumerElems),
    ...whole,
  };
}

export function fifoOf(link: StreamLink, fab: Fabric, depth?: number): FifoEstimate {
  const d = depth ?? C.fifo.defaultDepth;
  const width = link.consumerElems * link.elemBits;
  const r = fifoResources(d, width, fab);
  const whole = roundResources(r);
  return {
    from: link.from,
    to: link.to,
    depth: d,
    depth_source: depth === undefined ? 'default' : 'analysis',
    width_bits: width,
    impl: r.impl,
    ...whole,
  };
}
