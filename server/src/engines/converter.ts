/**
 * The width converter (hw-templates/qnn_dwc.sv, FINN's StreamingDataWidthConverter) on a
 * stream whose producer writes a different number of elements per word than its consumer
 * reads. It sits right after the producer, before the FIFO (stream.ts).
 */
import { COST_CONSTANTS as C } from '../cost/constants.js';
import { roundResources, type Fabric, type Resources } from '../cost/fabric.js';
import { converterResources } from '../cost/resources.js';
import type { StreamLink } from '../model/engines.js';
import type { LatencyStage, TemplateParams } from './descriptor.js';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

export const converterDescriptor = {
  /** Cycles per frame: it reads and writes one word per cycle, concurrently. */
  cycles(link: StreamLink): number {
    return Math.max(Math.ceil(link.elements / link.producerElems), Math.ceil(link.elements / link.consumerElems));
  },

  latency(link: StreamLink): LatencyStage {
    const words = Math.ceil(link.elements / link.producerElems);
    const pipe = C.latency.converterPipe;
    // The gearbox works in groups of L = lcm(in, out) elements: the word that completes a
    // group (every L/in-th) moves it out as L/out words (qnn_dwc.sv).
    const group = lcm(link.producerElems, link.consumerElems);
    return {
      name: `${link.from}->${link.to}:converter`,
      kind: 'converter',
      words,
      need: Math.min(words, group / link.producerElems),
      fill: pipe,
      drain: pipe + group / link.consumerElems - 1,
      span: converterDescriptor.cycles(link) + pipe,
    };
  },

  resources(link: StreamLink, fab: Fabric): Resources & { bufferBits: number; inBits: number; outBits: number } {
    const inBits = link.producerElems * link.elemBits;
    const outBits = link.consumerElems * link.elemBits;
    const r = converterResources(inBits, outBits, fab, Math.ceil(link.elements / link.consumerElems));
    return { ...roundResources(r), bufferBits: r.bufferBits, inBits, outBits };
  },

  /** Every parameter of qnn_dwc. */
  params(link: StreamLink): TemplateParams {
    return [
      ['IN_ELEMS', link.producerElems],
      ['OUT_ELEMS', link.consumerElems],
      ['BITS', link.elemBits],
      ['FRAME_ELEMS', link.elements],
    ];
  },

  module: 'qnn_dwc',
};
