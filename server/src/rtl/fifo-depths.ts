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
 * result on the RTL (flows/sim/fifo-check.ts).
 */
import { product } from '../model/shape.js';
import { isMvau, streamLinks, windowInElems } from '../model/engines.js';
import type { Engine, MvauLayer, Network, PoolLayer } from '../model/types.js';

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

/** A token-level engine: one step per cycle, consuming from `inQ` and producing words. */
interface TokenEngine {
  name: string;
  /** Words per frame in and out. */
  inWords: number;
  outWords: number;
  /** Advances one cycle: may take one input word (returns true) given `available` words waiting. */
  step(cycle: number, available: number): { took: boolean; produced: number };
  pattern: string;
}

/** `ii`: the network's II from the estimate (the one cost model: window generators included). */
export function fifoDepths(net: Network, ii: number): FifoSizing[] {
  const links = streamLinks(net);
  if (links.length === 0) return [];
  const engines = net.engines.map(tokenEngine);
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
      const r = engines[i].step(cycle, Math.floor(occ[i] / elemsIn[i]));
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
    const depth = Math.max(2, maxOcc[i + 1]);
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

/** One shared step result: the schedule runs millions of steps, so it allocates none. */
const stepResult = { took: false, produced: 0 };
function result(took: boolean, produced: number): { took: boolean; produced: number } {
  stepResult.took = took;
  stepResult.produced = produced;
  return stepResult;
}

function tokenEngine(e: Engine): TokenEngine {
  const l = e.layer;
  if (isMvau(l)) return l.op === 'dense' ? mvauEngine(e, l) : convEngine(e, l);
  if (l.op === 'maxpool') return poolEngine(e, l as PoolLayer);
  return streamEngine(e);
}

/**
 * The MVAU's schedule: per vector, NF passes of SF steps; the nf = 0 pass takes one input
 * word per step (stalling when none is there), later passes replay the buffer; output word
 * nf leaves at the end of pass nf.
 */
function mvauSchedule(l: MvauLayer, vectorReady: (v: number) => boolean, takeInput: () => boolean) {
  const nf = l.mh / l.pe;
  const sf = l.mw / l.simd;
  let v = 0;
  let pass = 0;
  let s = 0;
  return {
    step(): number {
      if (v >= l.pixels * FRAMES) return 0;
      if (pass === 0) {
        if (!vectorReady(v) || !takeInput()) return 0;
      }
      s++;
      if (s < sf) return 0;
      s = 0;
      pass++;
      if (pass === nf) {
        pass = 0;
        v++;
      }
      return 1;
    },
  };
}

function mvauEngine(e: Engine, l: MvauLayer): TokenEngine {
  let took = false;
  let avail = 0;
  const sched = mvauSchedule(
    l,
    () => true,
    () => {
      if (avail > 0) {
        took = true;
        return true;
      }
      return false;
    },
  );
  const nf = l.mh / l.pe;
  const sf = l.mw / l.simd;
  return {
    name: e.name,
    inWords: l.mw / l.simd,
    outWords: nf,
    pattern: `takes ${sf} word(s) then replays ${nf - 1} pass(es) (NF=${nf}, SF=${sf})`,
    step(_c, available) {
      took = false;
      avail = available;
      const produced = sched.step();
      return result(took, produced);
    },
  };
}

/**
 * Window generator + MVAU: the window generator stores input pixels in a line buffer of
 * K rows (+1 being written) and can emit output pixel p's vector once the last input pixel
 * of its window has arrived; the MVAU then takes that vector word by word.
 */
function convEngine(e: Engine, l: MvauLayer): TokenEngine {
  const nd = l.kernel.length;
  const cin = l.inShape[nd];
  const inW = nd === 2 ? l.inShape[1] : l.inShape[0];
  const inH = nd === 2 ? l.inShape[0] : 1;
  const outW = nd === 2 ? l.outShape[1] : l.outShape[0];
  const k = l.kernel[0];
  const s = l.stride[0];
  const padT = nd === 2 ? l.pad[0][0] : 0;
  const padL = nd === 2 ? l.pad[1][0] : l.pad[0][0];
  const inElems = windowInElems(l.simd, cin);
  const wordsPerPixel = cin / inElems;
  const framePixels = inH * inW;
  const kh = nd === 2 ? k : 1;
  // Buffer capacity in input pixels: K rows (2-D) or K positions (1-D), plus one row/position being written.
  const capacity = nd === 2 ? (k + 1) * inW : k + 1 + s;
  let wordsIn = 0;
  let took = false;
  let avail = 0;
  /** Index (within all frames) of the last input pixel output pixel v needs, inclusive. */
  const memo = (f: (v: number) => number): ((v: number) => number) => {
    let lastV = -1;
    let lastR = 0;
    return (v) => (v === lastV ? lastR : ((lastV = v), (lastR = f(v))));
  };
  const lastNeeded = memo((v: number): number => {
    const f = Math.floor(v / l.pixels);
    const p = v % l.pixels;
    const oy = Math.floor(p / outW);
    const ox = p % outW;
    const y = Math.min(inH - 1, Math.max(0, oy * s + kh - 1 - padT));
    const x = Math.min(inW - 1, Math.max(0, ox * s + k - 1 - padL));
    const lastOfFrame = p === l.pixels - 1 ? framePixels - 1 : y * inW + x;
    return f * framePixels + lastOfFrame;
  });
  const firstNeeded = memo((v: number): number => {
    const f = Math.floor(v / l.pixels);
    const p = v % l.pixels;
    const oy = Math.floor(p / outW);
    const ox = p % outW;
    const y = Math.max(0, oy * s - padT);
    const x = Math.max(0, ox * s - padL);
    return f * framePixels + (nd === 2 ? y * inW : y * inW + x);
  });
  let current = 0;
  const sched = mvauSchedule(
    l,
    (v) => {
      current = v;
      return Math.floor(wordsIn / wordsPerPixel) > lastNeeded(v);
    },
    () => true,
  );
  const nf = l.mh / l.pe;
  const sf = l.mw / l.simd;
  return {
    name: e.name,
    inWords: framePixels * wordsPerPixel,
    outWords: l.pixels * nf,
    pattern: `emits a window once its last input pixel is in (K=${k}, stride ${s}); ${sf} word(s) then ${nf - 1} replay pass(es) per pixel`,
    step(_c, available) {
      took = false;
      avail = available;
      const produced = sched.step();
      // The line buffer takes input while it has room ahead of the oldest pixel in use.
      const pixelsIn = Math.floor(wordsIn / wordsPerPixel);
      if (avail > 0 && pixelsIn - firstNeeded(Math.min(current, l.pixels * FRAMES - 1)) < capacity) {
        wordsIn++;
        took = true;
      }
      return result(took, produced);
    },
  };
}

/** maxpool: takes one word per cycle; an output word leaves when its window's last word is in. */
function poolEngine(e: Engine, l: PoolLayer): TokenEngine {
  const nd = l.kernel.length;
  const c = l.inShape[nd];
  const inW = nd === 2 ? l.inShape[1] : l.inShape[0];
  const outH = nd === 2 ? l.outShape[0] : 1;
  const outW = nd === 2 ? l.outShape[1] : l.outShape[0];
  const k = l.kernel[0];
  const s = l.stride[0];
  const groups = c / e.pe;
  const inWords = product(l.inShape) / e.pe;
  // For each input word index in a frame: how many output words complete with it.
  const completes = new Int32Array(inWords);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const y = oy * s + (nd === 2 ? k - 1 : 0);
      const x = ox * s + k - 1;
      for (let g = 0; g < groups; g++) completes[(y * inW + x) * groups + g]++;
    }
  }
  let n = 0;
  return {
    name: e.name,
    inWords,
    outWords: outH * outW * groups,
    pattern: `takes a word per cycle and emits when a ${k}-wide window closes`,
    step(_c, available) {
      if (available <= 0 || n >= inWords * FRAMES) return result(false, 0);
      const produced = completes[n % inWords];
      n++;
      return result(true, produced);
    },
  };
}

/** requant / threshold: one word in, one word out per cycle. */
function streamEngine(e: Engine): TokenEngine {
  const words = product(e.inShape) / e.pe;
  return {
    name: e.name,
    inWords: words,
    outWords: words,
    pattern: 'one word in, one out per cycle',
    step(_c, available) {
      return available > 0 ? result(true, 1) : result(false, 0);
    },
  };
}
