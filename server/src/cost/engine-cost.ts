/**
 * From the network model to the cost model: turns one engine (types.ts `Engine`) into the
 * plain parameters of resources.ts and cycles.ts, and answers "what would this engine cost
 * and take at another fold" for the fold diagnostics (checks.ts).
 */
import { isMvau, windowInElems } from '../model/engines.js';
import { validPes, validSimds } from '../model/folding.js';
import { typeBits } from '../model/qtype.js';
import type { Activation, Engine, MvauLayer, PoolLayer } from '../model/types.js';
import { product } from '../model/shape.js';
import { mvauCycles, streamingCycles, windowCycles } from './cycles.js';
import { addResources, roundResources, type Fabric, type Resources } from './fabric.js';
import type { MemKind } from './memory.js';
import {
  activationResources,
  constantMultiplierLuts,
  mvauResources,
  poolResources,
  windowResources,
  type ActivationCostParams,
  type MacOperands,
} from './resources.js';

export interface EngineCost {
  name: string;
  /** Cycles per frame of the whole engine: for a conv, the slower of its MVAU and window generator. */
  cycles: number;
  /** The compute's own cycles: NF·SF·pixels for an MVAU, elements/PE for streaming engines. */
  computeCycles: number;
  /** The window generator's cycles (convs only). */
  windowCycles: number | null;
  /** NF = MH/PE and SF = MW/SIMD for an MVAU; for streaming engines NF = channels/PE and SF = 1. */
  nf: number;
  sf: number;
  pixels: number;
  macs: number;
  /** Whole counts; `parts` adds up to `total`. */
  total: Resources;
  /** 'mvau' (with a fused activation), 'window', 'maxpool', 'requant', 'threshold'. */
  parts: Record<string, Resources>;
  weightMem: MemKind;
  /** MH·MW·wbits for an MVAU, else 0. */
  weightBits: number;
  streamInBits: number;
  streamOutBits: number;
}

/** Mean constant-multiplier LUTs per weight of a layer (cached per weight matrix). */
const hardWiredCache = new WeakMap<Int32Array, Map<number, number>>();
function meanConstantLuts(l: MvauLayer): number {
  const aBits = typeBits(l.inType);
  let byBits = hardWiredCache.get(l.matrix);
  if (!byBits) hardWiredCache.set(l.matrix, (byBits = new Map()));
  let v = byBits.get(aBits);
  if (v === undefined) {
    let sum = 0;
    for (const w of l.matrix) sum += constantMultiplierLuts(w, aBits);
    v = l.matrix.length ? sum / l.matrix.length : 0;
    byBits.set(aBits, v);
  }
  return v;
}

/** The MAC operands of an MVAU; hard-wired weights when NF·SF = 1 (one weight per lane). */
export function macOperands(l: MvauLayer): MacOperands {
  const hardWired = l.mh === l.pe && l.mw === l.simd;
  return {
    ...(hardWired ? { hardWired: { meanLaneLuts: l.weights.type.kind === 'int' ? meanConstantLuts(l) : 0 } } : {}),
    weightKind: l.weights.type.kind === 'pow2' ? 'pow2' : l.weights.type.kind === 'bipolar' ? 'bipolar' : 'int',
    weightBits: typeBits(l.weights.type),
    inputBits: typeBits(l.inType),
    inputBipolar: l.inType.kind === 'bipolar',
  };
}

function allEqual<T>(xs: readonly T[], eq: (a: T, b: T) => boolean = (a, b) => a === b): boolean {
  return xs.every((x) => eq(x, xs[0]));
}

function bitLength(n: number): number {
  return n <= 0 ? 1 : Math.floor(Math.log2(n)) + 1;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = Math.max(0, Math.floor(n)); v > 0; v = Math.floor(v / 2)) c += v % 2;
  return c;
}

export function activationCostParams(a: Activation): ActivationCostParams {
  if (a.kind === 'threshold') {
    const count = a.thresholds[0]?.length ?? 1;
    const same = allEqual(a.thresholds, (x, y) => x.length === y.length && x.every((t, i) => t === y[i]));
    return { kind: 'threshold', count, perChannel: !same };
  }
  const ms = a.multipliers.length ? a.multipliers : [1];
  const ss = a.shifts.length ? a.shifts : [0];
  const variableShift = !allEqual(ss);
  return {
    kind: 'requant',
    multiplierBits: Math.max(...ms.map(bitLength)),
    multiplierOnes: popcount(ms[0]),
    perChannel: variableShift || !allEqual(ms),
    variableShift,
    maxShift: Math.max(...ss),
    hasZero: a.zero !== 0,
  };
}

function channelsOf(shape: readonly number[]): number {
  return shape[shape.length - 1] ?? 1;
}

/** Cost and cycles of one engine at its current fold. */
export function engineCost(e: Engine, fab: Fabric): EngineCost {
  const l = e.layer;
  const inBits = typeBits(e.inType);
  const outBits = typeBits(e.outType);
  const base = {
    name: e.name,
    streamInBits: e.inElemsPerWord * inBits,
    streamOutBits: e.outElemsPerWord * outBits,
  };
  if (isMvau(l)) {
    const nf = l.mh / l.pe;
    const sf = l.mw / l.simd;
    const mv = mvauResources(
      {
        pe: l.pe,
        simd: l.simd,
        mh: l.mh,
        mw: l.mw,
        operands: macOperands(l),
        accBits: l.acc.bits,
        outBits,
        activation: e.activation ? activationCostParams(e.activation) : undefined,
      },
      fab,
    );
    const parts: Record<string, Resources> = { mvau: roundResources(mv.total) };
    const compute = mvauCycles(l.mh, l.mw, l.pe, l.simd, l.pixels);
    let window: number | null = null;
    if (l.op !== 'dense') {
      const dims = l.kernel.length === 2 ? 2 : 1;
      const wg = windowResources(
        {
          dims,
          kernel: l.kernel[0],
          rowWidth: dims === 2 ? l.inShape[1] : l.inShape[0],
          channels: channelsOf(l.inShape),
          inElems: e.inElemsPerWord,
          outElems: l.simd,
          bits: inBits,
        },
        fab,
      );
      parts.window = roundResources(wg.total);
      window = windowCycles(product(l.inShape), e.inElemsPerWord, l.pixels, sf);
    }
    return {
      ...base,
      cycles: Math.max(compute, window ?? 0),
      computeCycles: compute,
      windowCycles: window,
      nf,
      sf,
      pixels: l.pixels,
      macs: l.mh * l.mw * l.pixels,
      total: addResources(...Object.values(parts)),
      parts,
      weightMem: mv.weightMem.kind,
      weightBits: l.mh * l.mw * typeBits(l.weights.type),
    };
  }
  const channels = channelsOf(e.inShape);
  const cycles = streamingCycles(product(e.inShape), e.pe);
  let res: Resources;
  if (l.op === 'maxpool') {
    const p = l as PoolLayer;
    const dims = p.kernel.length === 2 ? 2 : 1;
    res = poolResources(
      {
        dims,
        kernel: p.kernel[0],
        stride: p.stride[0],
        rowWidth: dims === 2 ? p.inShape[1] : p.inShape[0],
        outRowWidth: dims === 2 ? p.outShape[1] : p.outShape[0],
        channels,
        pe: e.pe,
        bits: inBits,
        bipolar: e.inType.kind === 'bipolar',
      },
      fab,
    ).total;
  } else {
    const a = e.activation!;
    res = activationResources(activationCostParams(a), inBits, outBits, channels, e.pe, fab).total;
  }
  const total = roundResources(res);
  return {
    ...base,
    cycles,
    computeCycles: cycles,
    windowCycles: null,
    nf: channels / e.pe,
    sf: 1,
    pixels: product(e.inShape.slice(0, -1)),
    macs: 0,
    total,
    parts: { [l.op]: total },
    weightMem: 'none',
    weightBits: 0,
  };
}

/**
 * The same engine at another fold (mirrors makeEngine in model/engines.ts: an MVAU reads
 * SIMD elements per word — for a conv, as many as the window generator packs — and writes
 * PE; a streaming engine reads and writes PE).
 */
export function refold(e: Engine, pe: number, simd: number): Engine {
  const l = e.layer;
  if (isMvau(l)) {
    const layer: MvauLayer = { ...l, pe, simd };
    const inElems = l.op === 'dense' ? simd : windowInElems(simd, channelsOf(l.inShape));
    return { ...e, layer, pe, simd, inElemsPerWord: inElems, outElemsPerWord: pe };
  }
  return { ...e, layer: { ...l, pe }, pe, simd: pe, inElemsPerWord: pe, outElemsPerWord: pe };
}

/** Every legal (PE, SIMD) of an engine (streaming engines: SIMD = PE), by PE·SIMD then PE. */
export function legalFolds(e: Engine): { pe: number; simd: number }[] {
  const l = e.layer;
  const out: { pe: number; simd: number }[] = [];
  if (isMvau(l)) {
    const simds = validSimds(l.mw, l.op === 'dense' ? undefined : channelsOf(l.inShape));
    for (const pe of validPes(l.mh)) for (const simd of simds) out.push({ pe, simd });
  } else {
    for (const pe of validPes(channelsOf(e.inShape))) out.push({ pe, simd: pe });
  }
  return out.sort((a, b) => a.pe * a.simd - b.pe * b.simd || a.pe - b.pe);
}
