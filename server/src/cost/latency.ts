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
 *   stage at its own rate: its cycles per frame plus fill);
 * - `sustain` (a conv): cycles from its first output to its last at its own rate, for a
 *   stage whose first window waits on a slow producer and which then never waits again.
 * Input words of a stage are taken to arrive evenly between the previous stage's first
 * and last output word. Then first_out = arrival(need) + fill and
 * last_out = max(last_in + drain, first_in + span, first_out + sustain); the frame's input enters at one word
 * per cycle from cycle 0. Latency = last_out of the final stage: the cycles between the
 * first input word's handshake and the last output word's, as `qnn sim` measures them.
 */
import { converterDescriptor } from '../engines/converter.js';
import type { LatencyStage } from '../engines/descriptor.js';
import { fifoDescriptor } from '../engines/fifo.js';
import { descriptorOf } from '../engines/registry.js';
import { linkParts } from '../engines/stream.js';
import type { StreamLink } from '../model/engines.js';
import type { Network } from '../model/types.js';
import type { StageTiming } from '../protocol/estimate.js';
import type { EngineCost } from './engine-cost.js';

export type { LatencyStage } from '../engines/descriptor.js';
export type { StageTiming } from '../protocol/estimate.js';

/**
 * The stages of the pipeline in stream order, as rtl/plan.ts builds it: engine, then on
 * each link the parts engines/stream.ts lists (converter, FIFO), then the next engine.
 * Each stage's terms are its descriptor's.
 */
export function pipelineStages(
  net: Network,
  links: readonly StreamLink[],
  costs: readonly EngineCost[],
  fifoDepths: readonly number[] = [],
): LatencyStage[] {
  const stages: LatencyStage[] = [];
  net.engines.forEach((e, i) => {
    if (i > 0) {
      const link = links[i - 1];
      for (const part of linkParts(link))
        stages.push(
          part === 'converter'
            ? converterDescriptor.latency(link)
            : fifoDescriptor.latency(link, fifoDepths[i - 1] ?? fifoDescriptor.minDepth()),
        );
    }
    stages.push(descriptorOf(e).latency(e, costs[i]));
  });
  return stages;
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
    const lastOut = Math.max(lastIn + s.drain, firstIn + s.span, firstOut + (s.sustain ?? 0));
    timeline.push({ stage: s.name, kind: s.kind, first_in: firstIn, first_out: firstOut, last_in: lastIn, last_out: lastOut });
    firstIn = firstOut;
    lastIn = lastOut;
  }
  return { cycles: lastIn, timeline };
}
