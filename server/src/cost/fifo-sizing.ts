/**
 * FIFO depths by analysis (hardware.md §3), not by simulating the RTL: a token-level
 * schedule of every engine — when it consumes and produces each stream word, from NF, SF,
 * the window generator's line buffer and the pool's windows — run for a few frames with
 * the input admitted evenly at the network's II (the rate the bottleneck sets) and
 * unbounded FIFOs. Upstream of the bottleneck a faster engine is then paced by the
 * source, so a FIFO only holds what the two engines' patterns differ by (a burst of SF
 * words against a steady producer, a window waiting for its last row). Each FIFO gets the
 * largest occupancy it reached (at least 2), so that no engine waits on a FIFO: every engine
 * runs at its own rate and the pipeline at the bottleneck's. `qnn fifo-check` verifies the
 * result on the RTL (flows/sim/fifo-check.ts). Each engine's token behaviour is its
 * descriptor's (engines/*.ts `tokens`).
 */
import { streamLinks } from '../model/engines.js';
import { product } from '../model/shape.js';
import type { Network } from '../model/types.js';
import { descriptorOf } from '../engines/registry.js';
import { fifoDescriptor } from '../engines/fifo.js';

export interface FifoSizing {
  from: string;
  to: string;
  depth: number;
  /** Largest occupancy seen in the schedule, and when (cycle) and in which frame. */
  maxOccupancy: number;
  atCycle: number;
  /** Why this depth: the pattern that makes words wait. */
  reason: string;
}

/** Frames scheduled: the second one starts while the first drains, which is the steady state. */
const FRAMES = 2;

/**
 * The schedule's result, or that it was not run because it would take more than the
 * caller's budget of engine-steps (one engine, one cycle): the editor re-analyses on
 * every keystroke and runs a long schedule when idle instead (lsp/idle-fifo-schedule.ts).
 */
export type FifoSchedule = { status: 'analysed'; sizing: FifoSizing[] } | { status: 'pending'; steps: number };

/** Schedules already run, by everything they depend on: typing that keeps the hardware costs nothing. */
const scheduled = new Map<string, FifoSizing[]>();
const SCHEDULE_CACHE_SIZE = 64;

/** What the schedule depends on: each engine's kind, names, shapes, fold, words and geometry, and the II. */
export function scheduleKey(net: Network, ii: number): string {
  const parts: unknown[] = [ii];
  for (const e of net.engines) {
    const l = e.layer as Partial<Record<'op' | 'mh' | 'mw' | 'pixels' | 'kernel' | 'stride' | 'pad', unknown>>;
    parts.push([
      e.name,
      e.kind,
      l.op,
      e.inShape,
      e.outShape,
      e.pe,
      e.simd,
      e.inElemsPerWord,
      e.outElemsPerWord,
      l.mh,
      l.mw,
      l.pixels,
      l.kernel,
      l.stride,
      l.pad,
    ]);
  }
  return JSON.stringify(parts);
}

/**
 * The FIFO depths at `ii`, from the cache or by running the schedule when it takes at
 * most `budgetSteps` engine-steps (`expectedCycles`: the cycles it will run, about the
 * latency plus an II per further frame).
 */
export function fifoSchedule(net: Network, ii: number, expectedCycles: number, budgetSteps = Infinity): FifoSchedule {
  const key = scheduleKey(net, ii);
  const hit = scheduled.get(key);
  if (hit) return { status: 'analysed', sizing: hit };
  const steps = expectedCycles * net.engines.length;
  if (steps > budgetSteps) return { status: 'pending', steps };
  const sizing = fifoDepths(net, ii);
  if (scheduled.size >= SCHEDULE_CACHE_SIZE) scheduled.delete(scheduled.keys().next().value!);
  scheduled.set(key, sizing);
  return { status: 'analysed', sizing };
}

/** Cycles the schedule runs for a network of this latency and II. */
export function scheduleCycles(latencyCycles: number, ii: number): number {
  return latencyCycles + (FRAMES - 1) * ii;
}

/** `ii`: the network's II from the estimate (the one cost model: window generators included). */
export function fifoDepths(net: Network, ii: number): FifoSizing[] {
  const links = streamLinks(net);
  if (links.length === 0) return [];
  const engines = net.engines.map((e) => descriptorOf(e).tokens(e, FRAMES));
  // Occupancy in ELEMENTS in front of each engine; the FIFO (after any width converter)
  // holds consumer words.
  const elemsIn = net.engines.map((e) => e.inElemsPerWord);
  const elemsOut = net.engines.map((e) => e.outElemsPerWord);
  const occ = new Array<number>(engines.length).fill(0);
  const maxOcc = new Array<number>(engines.length).fill(0);
  const maxAt = new Array<number>(engines.length).fill(0);
  const inWords0 = engines[0].inWords;
  let fed = 0;
  const totalOut = engines[engines.length - 1].outWords * FRAMES;
  let done = 0;
  const limit = ii * (FRAMES + 4) + 10_000 + product(net.input?.shape ?? [1]) * 4;
  const produced = new Int32Array(engines.length);
  for (let cycle = 0; cycle < limit && done < totalOut; cycle++) {
    // The source offers word j no earlier than cycle j·II/W: the bottleneck's rate, evenly.
    if (fed < inWords0 * FRAMES && cycle >= Math.floor((fed * ii) / inWords0) && occ[0] === 0) {
      occ[0] = elemsIn[0];
      fed++;
    }
    // Downstream first, so a word produced this cycle is consumed next cycle (registered).
    for (let i = engines.length - 1; i >= 0; i--) {
      const r = engines[i].step(Math.floor(occ[i] / elemsIn[i]));
      if (r.took) occ[i] -= elemsIn[i];
      produced[i] = r.produced;
    }
    for (let i = 0; i < engines.length; i++) {
      if (i + 1 < engines.length) {
        occ[i + 1] += produced[i] * elemsOut[i];
        const words = Math.ceil(occ[i + 1] / elemsIn[i + 1]);
        if (words > maxOcc[i + 1]) {
          maxOcc[i + 1] = words;
          maxAt[i + 1] = cycle;
        }
      } else done += produced[i];
    }
  }
  return links.map((l, i) => {
    const producer = engines[i];
    const consumer = engines[i + 1];
    // No extra room for a conv consumer's window fill (K−1 rows): qnn fifo-check showed
    // every FIFO sized that way over-sized (CNV's, up to 290 words, halved with the II and
    // the latency unchanged), and the differential suite (60 random networks and the
    // examples) keeps the II within 2 % without it.
    // The largest occupancy itself: the producer's output register and skid buffer hold
    // the words in flight (a former +2 for them showed up as over-sized in qnn fifo-check,
    // and every example and 60 random networks keep the analytical II without it).
    const depth = Math.max(fifoDescriptor.minDepth(), maxOcc[i + 1]);
    return {
      from: l.from,
      to: l.to,
      depth,
      maxOccupancy: maxOcc[i + 1],
      atCycle: maxAt[i + 1],
      reason: `${producer.name} ${producer.pattern}; ${consumer.name} ${consumer.pattern}: up to ${maxOcc[i + 1]} word(s) wait (cycle ${maxAt[i + 1]})`,
    };
  });
}
