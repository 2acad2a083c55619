/**
 * Latency: cycles from the first input word to the last output word of one frame through
 * an empty pipeline (hardware.md §2), from an analytical schedule. A later check compares
 * it with Verilator; each stage's terms are separate so they can be refined one by one.
 *
 * Model. The pipeline is a chain of stages (engines, width converters, FIFOs). Each stage
 * is described by:
 * - `words`: input words per frame;
 * - `need`: input words that must have arrived before its first output word (a window
 *   generator's (K−1) rows plus K pixels; an MVAU's whole input vector; one word for
 *   element-wise engines);
 * - `fill`: cycles from that word to the first output word (pipeline registers, plus for
 *   an MVAU the SF cycles of the first fold);
 * - `drain`: cycles from the last input word to the last output word (an MVAU still runs
 *   its remaining NF−1 folds; a conv the windows that end in the padding);
 * - `span`: cycles from first input to last output when the input is never late (the
 *   stage at its own rate: its cycles per frame plus fill).
 * Input words of a stage are taken to arrive evenly between the previous stage's first
 * and last output word. Then first_out = arrival(need) + fill and
 * last_out = max(last_in + drain, first_in + span); the frame's input enters at one word
 * per cycle from cycle 0. Latency = last_out of the final stage + 1 (a frame of N words
 * through a zero-delay wire spans N cycles).
 */
import { isMvau } from '../model/engines.js';
import { product } from '../model/shape.js';
import type { StreamLink } from '../model/engines.js';
import type { Engine, PoolLayer } from '../model/types.js';
import { COST_CONSTANTS as C } from './constants.js';
import type { EngineCost } from './engine-cost.js';
import { clog2 } from './fabric.js';
import type { StageTiming } from '../protocol/estimate.js';

export type { StageTiming } from '../protocol/estimate.js';

export interface LatencyStage {
  name: string;
  kind: 'engine' | 'converter' | 'fifo';
  words: number;
  need: number;
  fill: number;
  drain: number;
  span: number;
}

/** The latency terms of one engine (see the module comment). */
export function engineStage(e: Engine, cost: EngineCost): LatencyStage {
  const L = C.latency;
  const l = e.layer;
  const words = Math.ceil(product(e.inShape) / e.inElemsPerWord);
  if (isMvau(l)) {
    const pipe = L.mvauPipe + Math.floor(clog2(l.simd) / L.treeLevelsPerStage) + (e.activation ? L.activationPipe : 0);
    const fold = cost.nf * cost.sf;
    if (l.op === 'dense') {
      return { name: e.name, kind: 'engine', words, need: words, fill: pipe, drain: (cost.nf - 1) * cost.sf + pipe, span: fold + pipe };
    }
    const cin = l.inShape[l.inShape.length - 1];
    const k = l.kernel[0];
    const [padBefore, padAfter] = l.pad[0] ?? [0, 0];
    // Pixels in before the first window is complete, and output pixels left after the last input pixel.
    let needPixels = Math.max(1, k - padBefore);
    let afterPixels = 1 + padAfter;
    if (l.kernel.length === 2) {
      const w = l.inShape[1];
      needPixels += Math.max(0, k - 1 - padBefore) * w;
      afterPixels += padAfter * l.outShape[1];
    }
    const need = Math.min(words, Math.ceil((needPixels * cin) / e.inElemsPerWord));
    return {
      name: e.name,
      kind: 'engine',
      words,
      need,
      fill: L.windowPipe + cost.sf + pipe,
      drain: L.windowPipe + afterPixels * fold + pipe,
      span: need + L.windowPipe + cost.cycles + pipe,
    };
  }
  const perPixel = Math.ceil(l.inShape[l.inShape.length - 1] / e.pe);
  if (l.op === 'maxpool') {
    const p = l as PoolLayer;
    const k = p.kernel[0];
    const needPixels = p.kernel.length === 2 ? (k - 1) * p.inShape[1] + k : k;
    return {
      name: e.name,
      kind: 'engine',
      words,
      need: Math.min(words, needPixels * perPixel),
      fill: L.poolPipe,
      drain: L.poolPipe + perPixel,
      span: words + L.poolPipe,
    };
  }
  return { name: e.name, kind: 'engine', words, need: 1, fill: L.activationPipe, drain: L.activationPipe, span: words + L.activationPipe };
}

export function converterStage(link: StreamLink): LatencyStage {
  const words = Math.ceil(link.elements / link.producerElems);
  const up = link.consumerElems > link.producerElems;
  const pipe = C.latency.converterPipe;
  const outWords = Math.ceil(link.elements / link.consumerElems);
  return {
    name: `${link.from}->${link.to}:converter`,
    kind: 'converter',
    words,
    need: up ? Math.min(words, Math.ceil(link.consumerElems / link.producerElems)) : 1,
    fill: pipe,
    drain: pipe + (up ? 0 : Math.ceil(link.producerElems / link.consumerElems) - 1),
    span: Math.max(words, outWords) + pipe,
  };
}

/** The FIFO right after a producer: it holds the producer's words. */
export function fifoStage(link: StreamLink): LatencyStage {
  const words = Math.ceil(link.elements / link.producerElems);
  const pipe = C.latency.fifoPipe;
  return { name: `${link.from}->${link.to}:fifo`, kind: 'fifo', words, need: 1, fill: pipe, drain: pipe, span: words + pipe };
}

/** Runs the schedule over the chain of stages; `cycles` is the frame's latency. */
export function pipelineLatency(stages: readonly LatencyStage[]): { cycles: number; timeline: StageTiming[] } {
  const timeline: StageTiming[] = [];
  if (stages.length === 0) return { cycles: 0, timeline };
  let firstIn = 0;
  let lastIn = Math.max(0, stages[0].words - 1);
  for (const s of stages) {
    const arrival = (k: number): number => (s.words <= 1 ? firstIn : firstIn + Math.floor((k * (lastIn - firstIn)) / (s.words - 1)));
    const firstOut = arrival(Math.max(0, Math.min(s.words, s.need) - 1)) + s.fill;
    const lastOut = Math.max(lastIn + s.drain, firstIn + s.span, firstOut);
    timeline.push({ stage: s.name, kind: s.kind, first_in: firstIn, first_out: firstOut, last_in: lastIn, last_out: lastOut });
    firstIn = firstOut;
    lastIn = lastOut;
  }
  return { cycles: lastIn + 1, timeline };
}
