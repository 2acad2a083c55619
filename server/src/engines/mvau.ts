/**
 * The MVAU (hw-templates/qnn_mvau.sv): the engine of a dense layer or a convolution, with
 * int, pow2 or bipolar weights, and the requant or threshold that follows it fused into its
 * PE lanes. A convolution has the sliding-window generator (window.ts) in front of it, in
 * the same engine.
 *
 * Schedule (the template's contract): per input vector, NF passes of SF steps; the nf = 0
 * pass takes one input word per step, later passes replay the buffered vector; output word
 * nf leaves at the end of pass nf. So NF·SF cycles per vector, NF·SF·pixels per frame.
 * Latency: the output word of fold nf is valid `mvauPipe` + 1 cycles after its last step
 * issues (ACT = 0), `activationPipe` more with an activation; there is no registered adder
 * tree.
 */
import { COST_CONSTANTS as C } from '../cost/constants.js';
import { addResources, multiplierFabric, roundResources, scaleResources, type Fabric, type Resources } from '../cost/fabric.js';
import { mvauResources, oddMagnitude, type MacOperands } from '../cost/resources.js';
import { validPes, validSimds } from '../model/folding.js';
import { typeBits, typeName } from '../model/qtype.js';
import { channelsOf, product } from '../model/shape.js';
import type { Engine, MvauLayer } from '../model/types.js';
import { activationCostParams, activationParams, activationRom, thresholdWidth, type ActivationInput } from './activation.js';
import type {
  EngineDescriptor,
  EngineResources,
  EngineTiming,
  Fold,
  LatencyStage,
  RomFile,
  TemplateInstance,
  TokenEngine,
} from './descriptor.js';
import { kindCode, weightMem } from './rom-layout.js';
import { stepResult } from './tokens.js';
import { windowCost, windowCycles, windowGeometry, windowLatencyPixels, windowOutElems, windowParams, windowTokens } from './window.js';

function layerOf(e: Engine): MvauLayer {
  return e.layer as MvauLayer;
}

/** Pixels per cycle (MMV). */
function mmvOf(l: MvauLayer): number {
  return l.mmv ?? 1;
}

/** Input channels of a conv (the window generator's SIMD rule), undefined for dense. */
function convChannels(l: MvauLayer): number | undefined {
  return l.op === 'dense' ? undefined : channelsOf(l.inShape);
}

/** Per column of the weight matrix, the distinct keys of its weights (undefined: left out). */
function perColumn(l: MvauLayer, key: (w: number) => number | undefined): Int32Array {
  const out: number[] = [];
  for (let j = 0; j < l.mw; j++) {
    const seen = new Set<number>();
    for (let r = 0; r < l.mh; r++) {
      const k = key(l.matrix[r * l.mw + j]);
      if (k !== undefined) seen.add(k);
    }
    out.push(...seen);
  }
  return Int32Array.from(out);
}

/**
 * The constants of a hard-wired layer's products, one entry per product synthesis keeps
 * (cached per weight matrix): Yosys merges equal products, the same input element times the
 * same constant, between the PEs of a column. Between MMV copies it does not, even where
 * their windows overlap (tap k + 1 of copy m is tap k of copy m + 1): each copy multiplies
 * its own input register, and the copies' enables come from their own counters, which
 * opt_merge cannot prove equal (measured: sweep mmv2, 10 DSPs built for 4 filters × 3 taps
 * × 2 copies, before the negated leaves). With negated leaves (signed int weights) a product
 * is a·|w| (qnn_mvau's g_const_mul): x·5 and x·−5 are one, and so are x·3 and x·6 (`wreduce`
 * makes a constant's trailing zeros a shift; sweep mmv2, whose columns hold −3 and 6, now
 * builds 8). `negativeProducts`: those a PE complements (or, without negated leaves, whose
 * negative constant it adds), one per column as they are merged too.
 */
const productsCache = new WeakMap<Int32Array, Map<boolean, { products: Int32Array; negativeProducts: Int32Array }>>();
function distinctProducts(l: MvauLayer, negatedLeaves: boolean): { products: Int32Array; negativeProducts: Int32Array } {
  let byMode = productsCache.get(l.matrix);
  if (!byMode) productsCache.set(l.matrix, (byMode = new Map()));
  let hit = byMode.get(negatedLeaves);
  if (!hit) {
    const key = negatedLeaves ? oddMagnitude : (w: number) => w;
    hit = { products: perColumn(l, key), negativeProducts: perColumn(l, (w) => (w < 0 ? key(w) : undefined)) };
    byMode.set(negatedLeaves, hit);
  }
  return hit;
}

/** Hard-wired weights: NF·SF = 1, one weight per lane, a constant in the RTL (qnn_mvau HARD_WIRED). */
export function isHardWired(l: MvauLayer): boolean {
  return l.mh === l.pe && l.mw === l.simd;
}

/** The MAC operands of an MVAU; hard-wired weights when NF·SF = 1 (one weight per lane). */
export function macOperands(l: MvauLayer): MacOperands {
  const hardWired = isHardWired(l);
  // Per lane of one copy (MMV: the descriptor counts M copies).
  // Signed int weights on a non-bipolar input, multiplied by the template: qnn_mvau's
  // g_const_mul negates the negative constants' leaves.
  const negatedLeaves = l.weights.type.kind === 'int' && l.inType.kind !== 'bipolar' && l.multipliers !== 'lut';
  const hw = () => ({ ...distinctProducts(l, negatedLeaves), lanes: l.pe * l.simd, matrix: l.matrix, negatedLeaves });
  return {
    ...(hardWired ? { hardWired: hw() } : {}),
    weightKind: l.weights.type.kind === 'pow2' ? 'pow2' : l.weights.type.kind === 'bipolar' ? 'bipolar' : 'int',
    weightBits: typeBits(l.weights.type),
    inputBits: typeBits(l.inType),
    inputBipolar: l.inType.kind === 'bipolar',
    inputSigned: l.inType.kind === 'int',
    weightSigned: l.weights.type.kind === 'int',
  };
}

/** What a fused activation compares: the accumulator, with its exact bounds. */
function accumulatorInput(l: MvauLayer): ActivationInput {
  return { min: l.acc.min, max: l.acc.max, bits: l.acc.bits };
}

/** Pipeline cycles from a step's issue to its output word (the template's contract). */
function pipeCycles(e: Engine): number {
  return C.latency.mvauPipe + (e.activation ? C.latency.activationPipe : 0);
}

/**
 * The MVAU's token schedule: per vector, NF passes of SF steps; the nf = 0 pass takes one
 * input word per step (stalling when none is there), later passes replay the buffer.
 */
function mvauSchedule(l: MvauLayer, frames: number, vectorReady: (v: number) => boolean, takeInput: () => boolean) {
  const nf = l.mh / l.pe;
  const sf = l.mw / l.simd;
  // With MMV M the M lockstep copies step once per group of M pixels.
  const groups = l.pixels / mmvOf(l);
  let v = 0;
  let pass = 0;
  let s = 0;
  return {
    step(): number {
      if (v >= groups * frames) return 0;
      if (pass === 0 && (!vectorReady(v) || !takeInput())) return 0;
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

function denseTokens(e: Engine, l: MvauLayer, frames: number): TokenEngine {
  let avail = 0;
  let took = false;
  const sched = mvauSchedule(
    l,
    frames,
    () => true,
    () => (avail > 0 ? (took = true) : false),
  );
  const nf = l.mh / l.pe;
  const sf = l.mw / l.simd;
  return {
    name: e.name,
    inWords: sf,
    outWords: nf,
    pattern: `takes ${sf} word(s) then replays ${nf - 1} pass(es) (NF=${nf}, SF=${sf})`,
    step(available) {
      took = false;
      avail = available;
      const produced = sched.step();
      return stepResult(took, produced);
    },
  };
}

function convTokens(e: Engine, l: MvauLayer, frames: number): TokenEngine {
  const w = windowTokens(l, e.inElemsPerWord);
  let wordsIn = 0;
  /** The vector the MVAU last asked for: the oldest pixel the line buffer must keep is its window's first. */
  let current = 0;
  const sched = mvauSchedule(
    l,
    frames,
    (v) => {
      current = v;
      return Math.floor(wordsIn / w.wordsPerPixel) > w.lastNeeded(v);
    },
    () => true,
  );
  const nf = l.mh / l.pe;
  const sf = l.mw / l.simd;
  return {
    name: e.name,
    inWords: w.framePixels * w.wordsPerPixel,
    outWords: w.groups * nf,
    pattern: `emits a window once its last input pixel is in (K=${w.k}, stride ${w.stride}); ${sf} word(s) then ${nf - 1} replay pass(es) per pixel`,
    step(available) {
      const produced = sched.step();
      // The line buffer takes input while it has room ahead of the oldest pixel in use.
      const pixelsIn = Math.floor(wordsIn / w.wordsPerPixel);
      let took = false;
      if (available > 0 && pixelsIn - w.firstNeeded(Math.min(current, w.groups * frames - 1)) < w.capacity) {
        wordsIn++;
        took = true;
      }
      return stepResult(took, produced);
    },
  };
}

export const mvauDescriptor: EngineDescriptor = {
  kind: 'mvau',
  foldArgs: ['pe', 'simd'],

  legalFolds(e: Engine): Fold[] {
    const l = layerOf(e);
    const simds = validSimds(l.mw, convChannels(l));
    const out: Fold[] = [];
    for (const pe of validPes(l.mh)) for (const simd of simds) out.push({ pe, simd });
    return out.sort((a, b) => a.pe * a.simd - b.pe * b.simd || a.pe - b.pe);
  },

  computeCycles(e: Engine, f: Fold): number {
    const l = layerOf(e);
    return (l.mh / f.pe) * (l.mw / f.simd) * (l.pixels / mmvOf(l));
  },

  timing(e: Engine): EngineTiming {
    const l = layerOf(e);
    const compute = mvauDescriptor.computeCycles(e, { pe: l.pe, simd: l.simd });
    const window = l.op === 'dense' ? null : windowCycles(l, e.inElemsPerWord);
    return {
      cycles: Math.max(compute, window ?? 0),
      computeCycles: compute,
      windowCycles: window,
      nf: l.mh / l.pe,
      sf: l.mw / l.simd,
      pixels: l.pixels,
    };
  },

  latency(e: Engine, t: EngineTiming): LatencyStage {
    const l = layerOf(e);
    const words = Math.ceil(product(e.inShape) / e.inElemsPerWord);
    const pipe = pipeCycles(e);
    const fold = t.nf * t.sf;
    if (l.op === 'dense') {
      return { name: e.name, kind: 'engine', words, need: words, fill: pipe, drain: (t.nf - 1) * t.sf + pipe, span: fold + pipe };
    }
    const { needPixels, afterPixels } = windowLatencyPixels(l);
    const need = Math.min(words, Math.ceil((needPixels * windowGeometry(l).cin) / e.inElemsPerWord));
    const wp = C.latency.windowPipe;
    return {
      name: e.name,
      kind: 'engine',
      words,
      need,
      fill: wp + t.sf + pipe,
      drain: wp + afterPixels * fold + pipe,
      // The MVAU's own rate. A window generator bound by its input (more input words than
      // the MVAU's cycles) is paced by their arrival, which last_in + drain counts: with
      // t.cycles here the words before the first window would count twice.
      span: need - 1 + wp + t.computeCycles + pipe,
      // After its first output word (one fold of SF cycles in), the rest at SF cycles a word.
      sustain: t.computeCycles - t.sf,
    };
  },

  tokens(e: Engine, frames: number): TokenEngine {
    const l = layerOf(e);
    return l.op === 'dense' ? denseTokens(e, l, frames) : convTokens(e, l, frames);
  },

  resources(e: Engine, fabric: Fabric): EngineResources {
    const l = layerOf(e);
    const fab = multiplierFabric(fabric, l.multipliers);
    const mv = mvauResources(
      {
        pe: l.pe,
        simd: l.simd,
        mh: l.mh,
        mw: l.mw,
        operands: macOperands(l),
        accBits: l.acc.bits,
        outBits: typeBits(e.outType),
        activation: e.activation ? activationCostParams(e.activation, accumulatorInput(l), l.pe) : undefined,
        pixels: l.pixels,
      },
      fab,
    );
    // MMV: M copies of the PE × SIMD array (hard-wired weights: NF = SF = 1, QNN046).
    const m = mmvOf(l);
    // Their issue counters are equal in every copy, and synthesis keeps one of each (each
    // copy keeps its own input register and valid flags: resources.ts `mvauResources`).
    const copies = m > 1 ? addResources(scaleResources(mv.total, m), scaleResources(mv.control, 1 - m)) : mv.total;
    const parts: Record<string, Resources> = { mvau: roundResources(copies) };
    if (l.op !== 'dense') parts.window = roundResources(windowCost(l, e.inElemsPerWord, fabric).total);
    return {
      total: addResources(...Object.values(parts)),
      parts,
      weightMem: mv.weightMem.kind,
      weightBits: l.mh * l.mw * typeBits(l.weights.type),
      macs: l.mh * l.mw * l.pixels,
    };
  },

  instances(e: Engine, fab: Fabric): TemplateInstance[] {
    const l = layerOf(e);
    const act = e.activation;
    const files = mvauDescriptor.romFiles(e);
    const params: TemplateInstance['params'] = [
      ['MW', l.mw],
      ['MH', l.mh],
      ['PE', l.pe],
      ['SIMD', l.simd],
      ['IN_BITS', typeBits(l.inType)],
      ['IN_KIND', kindCode(l.inType)],
      ['W_BITS', typeBits(l.weights.type)],
      ['W_KIND', kindCode(l.weights.type)],
      ['ACC_BITS', act?.kind === 'threshold' ? thresholdWidth(act, accumulatorInput(l)) : l.acc.bits],
      ['PIXELS', l.pixels / mmvOf(l)],
      ['ACT', act ? (act.kind === 'requant' ? 1 : 2) : 0],
      ['OUT_BITS', typeBits(e.outType)],
      ['OUT_KIND', kindCode(e.outType)],
      ...(act ? activationParams(act, fab) : []),
      // mul=lut (or moved there by mul=auto): the template builds its products from LUTs.
      ...(l.multipliers === 'lut' ? ([['MUL_LUT', 1]] as TemplateInstance['params']) : []),
      // Hard-wired (NF = SF = 1): the one weight word is a constant parameter, not a ROM.
      ...(files.weights
        ? ([['WEIGHT_FILE', files.weights]] as TemplateInstance['params'])
        : ([
            ['HARD_WIRED', 1],
            ['WEIGHT_WORD', { sv: `${l.pe * l.simd * typeBits(l.weights.type)}'h${weightMem(l, l.pe, l.simd, l.weights.type).trim()}` }],
          ] as TemplateInstance['params'])),
      ...(files.act ? ([['ACT_FILE', files.act]] as TemplateInstance['params']) : []),
    ];
    if (l.op === 'dense') return [{ module: 'qnn_mvau', name: 'mvau', params, input: 's_axis', output: 'm_axis' }];
    const window: TemplateInstance = {
      module: 'qnn_window',
      name: 'window',
      params: windowParams(l, e.inElemsPerWord),
      input: 's_axis',
      output: 'window',
      outWire: { elems: windowOutElems(l), elemBits: typeBits(l.inType) },
    };
    const m = mmvOf(l);
    if (m === 1) return [window, { module: 'qnn_mvau', name: 'mvau', params, input: 'window', output: 'm_axis' }];
    // MMV: the window generator emits super-windows; qnn_mvau_mmv selects the M windows
    // and runs M MVAU copies in lockstep.
    const g = windowGeometry(l);
    const mmvParams: TemplateInstance['params'] = [
      ['MMV', m],
      ['DIMS', g.dims],
      ['CIN', channelsOf(l.inShape)],
      ['K', l.kernel[0]],
      ['KX', g.kx],
      ['OFFSET', g.offset],
      ...params,
    ];
    return [window, { module: 'qnn_mvau_mmv', name: 'mvau', params: mmvParams, input: 'window', output: 'm_axis' }];
  },

  macs(e: Engine) {
    const l = layerOf(e);
    return {
      macs: l.mh * l.mw * l.pixels,
      weightBits: l.mh * l.mw * typeBits(l.weights.type),
      operands: macOperands(l),
      precision: `${typeName(l.weights.type)} × ${typeName(l.inType)}`,
    };
  },

  romFiles(e: Engine) {
    return {
      ...(isHardWired(layerOf(e)) ? {} : { weights: `${e.name}_weights.mem` }),
      ...(e.activation ? { act: `${e.name}_act.mem` } : {}),
    };
  },

  roms(e: Engine): RomFile[] {
    const l = layerOf(e);
    const files = mvauDescriptor.romFiles(e);
    const out: RomFile[] = files.weights
      ? [{ role: 'weights', file: files.weights, text: weightMem(l, l.pe, l.simd, l.weights.type) }]
      : [];
    if (e.activation && files.act) out.push(activationRom(files.act, e.activation, l.pe, accumulatorInput(l)));
    return out;
  },
};
