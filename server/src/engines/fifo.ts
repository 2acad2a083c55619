/**
 * The FIFO (hw-templates/qnn_fifo.sv) on every stream between two engines, after the width
 * converter, so it holds consumer words and can feed a consumer's burst (an MVAU's nf = 0
 * pass) at one word per cycle. Its depth comes from the FIFO schedule (cost/fifo-sizing.ts).
 */
import { COST_CONSTANTS as C } from '../cost/constants.js';
import { roundResources, type Fabric, type Resources } from '../cost/fabric.js';
import { fifoResources, type FifoImpl } from '../cost/resources.js';
import type { StreamLink } from '../model/engines.js';
import type { LatencyStage, TemplateParams } from './descriptor.js';

export const fifoDescriptor = {
  /** Depth of a FIFO before the schedule has sized it (and the least it ever gets). */
  minDepth: (): number => C.fifo.defaultDepth,

  /** Bits per word: consumer words (after the converter). */
  widthBits(link: StreamLink): number {
    return link.consumerElems * link.elemBits;
  },

  latency(link: StreamLink, depth: number): LatencyStage {
    const words = Math.ceil(link.elements / link.consumerElems);
    const pipe = depth <= 2 ? C.latency.fifoPipeShallow : C.latency.fifoPipeDeep;
    return { name: `${link.from}->${link.to}:fifo`, kind: 'fifo', words, need: 1, fill: pipe, drain: pipe, span: words - 1 + pipe };
  },

  resources(link: StreamLink, depth: number, fab: Fabric): Resources & { impl: FifoImpl } {
    const r = fifoResources(depth, fifoDescriptor.widthBits(link), fab);
    return { ...roundResources(r), impl: r.impl };
  },

  /** Every parameter of qnn_fifo. */
  params(width: number, depth: number): TemplateParams {
    return [
      ['WIDTH', width],
      ['DEPTH', depth],
    ];
  },

  module: 'qnn_fifo',
};
