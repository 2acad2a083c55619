/**
 * What sits on each stream between two engines, in stream order: the width converter
 * (where the producer writes a different number of elements per word than the consumer
 * reads), then the FIFO (hardware.md §1). The compiler's plan (rtl/plan.ts), the latency
 * schedule and the estimate all walk a link through this one list.
 */
import type { StreamLink } from '../model/engines.js';

export type LinkPart = 'converter' | 'fifo';

export function linkParts(link: StreamLink): LinkPart[] {
  return link.needsConverter ? ['converter', 'fifo'] : ['fifo'];
}
