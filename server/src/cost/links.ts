/**
 * What sits on each stream between two engines: a FIFO always (hardware.md §1), and a
 * width converter when the producer's PE·bits differs from the consumer's SIMD·bits.
 * Their costs are their descriptors' (engines/converter.ts, engines/fifo.ts), in the order
 * engines/stream.ts gives: engine → converter → FIFO → engine, so the FIFO holds consumer words.
 */
import { converterDescriptor } from '../engines/converter.js';
import { fifoDescriptor } from '../engines/fifo.js';
import type { StreamLink } from '../model/engines.js';
import type { Fabric } from './fabric.js';
import type { ConverterEstimate, FifoEstimate } from '../protocol/estimate.js';

export type { ConverterEstimate, FifoEstimate } from '../protocol/estimate.js';

export { linkBetween } from '../model/engines.js';

export function converterOf(link: StreamLink, fab: Fabric): ConverterEstimate | null {
  if (!link.needsConverter) return null;
  const r = converterDescriptor.resources(link, fab);
  return {
    from: link.from,
    to: link.to,
    in_bits: r.inBits,
    out_bits: r.outBits,
    buffer_bits: r.bufferBits,
    cycles: converterDescriptor.cycles(link),
    lut: r.lut,
    ff: r.ff,
    bram18: r.bram18,
    dsp: r.dsp,
  };
}

/** The FIFO on a link at `depth` (the schedule's, or an override). */
export function fifoOf(
  link: StreamLink,
  fab: Fabric,
  depth: number,
): Omit<FifoEstimate, 'name' | 'depth_source' | 'max_occupancy' | 'reason'> {
  const r = fifoDescriptor.resources(link, depth, fab);
  return {
    from: link.from,
    to: link.to,
    depth,
    width_bits: fifoDescriptor.widthBits(link),
    impl: r.impl,
    lut: r.lut,
    ff: r.ff,
    bram18: r.bram18,
    dsp: r.dsp,
  };
}
