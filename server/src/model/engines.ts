/**
 * Engines: one per layer, except that a requant or threshold directly after a conv or
 * dense layer (its only consumer) is fused into that layer's MVAU (language.md §3).
 * Also the stream between engines: elements per word on each side, which decides where
 * a width converter goes (hardware.md §1).
 */
import { typeBits } from './qtype.js';
import type { ActivationLayer, Engine, LayerModel, MvauLayer, Network } from './types.js';

export function isMvau(l: LayerModel): l is MvauLayer {
  return l.op === 'conv1d' || l.op === 'conv2d' || l.op === 'dense';
}

export function isActivation(l: LayerModel): l is ActivationLayer {
  return l.op === 'requant' || l.op === 'threshold';
}

/**
 * Elements per input word of a conv's window generator: SIMD when SIMD divides Cin,
 * else whole pixels (Cin), which the window generator packs into kernel positions.
 */
export function windowInElems(simd: number, cin: number): number {
  return simd <= cin ? simd : cin;
}

/** Builds the engine chain from the input to the output (layers off that chain are left out). */
export function buildEngines(net: Network): Engine[] {
  const chain = liveChain(net);
  const engines: Engine[] = [];
  for (let i = 0; i < chain.length; i++) {
    const l = chain[i];
    const next = chain[i + 1];
    if (isMvau(l) && next && isActivation(next)) {
      // The fused activation runs in the MVAU's PE lanes.
      next.fusedInto = l.name;
      next.pe = l.pe;
      next.foldSource = l.foldSource;
      engines.push(makeEngine(l, next));
      i++;
      continue;
    }
    if (isActivation(l)) delete l.fusedInto;
    engines.push(makeEngine(l));
  }
  return engines;
}

/** Layers from the input to the output, in stream order; all layers when there is no output. */
export function liveChain(net: Network): LayerModel[] {
  if (!net.output) return net.layers;
  const byName = new Map(net.layers.map((l) => [l.name, l]));
  const rev: LayerModel[] = [];
  let cur = byName.get(net.output);
  const seen = new Set<string>();
  while (cur && !seen.has(cur.name)) {
    seen.add(cur.name);
    rev.push(cur);
    cur = byName.get(cur.input);
  }
  return rev.reverse();
}

/**
 * Where the chain to the output is broken: the name the first live layer reads that is
 * neither the input nor a layer of the model (a layer left out for an error); undefined
 * when the chain reaches the input.
 */
export function chainBreak(net: Network): string | undefined {
  const first = liveChain(net)[0];
  if (!net.output || !first || first.input === net.input?.name) return undefined;
  return first.input;
}

/**
 * The same engine at another fold: its layer refolded and its stream words recomputed
 * exactly as buildEngines does (so a "what if" fold never drifts from the real one).
 */
export function engineWithFold(e: Engine, pe: number, simd: number, mmv = e.mmv): Engine {
  const layer = { ...e.layer, pe, mmv, ...(isMvau(e.layer) ? { simd } : {}) } as LayerModel;
  return { ...makeEngine(layer), layers: e.layers, activation: e.activation, outShape: e.outShape, outType: e.outType };
}

/**
 * The engine a layer would have on its own (no fused activation): for editor features on
 * a layer that is not on the chain to the output, so has no engine in the network.
 */
export function engineOfLoneLayer(l: LayerModel): Engine {
  return makeEngine(l);
}

function makeEngine(l: LayerModel, act?: ActivationLayer): Engine {
  const last = act ?? l;
  const kind = isMvau(l) ? 'mvau' : l.op === 'maxpool' ? 'maxpool' : l.op;
  const mmv = l.mmv ?? 1;
  let inElems = l.pe;
  if (isMvau(l)) inElems = l.op === 'dense' ? l.simd : windowInElems(l.simd, l.inShape[l.inShape.length - 1]);
  // MMV M > 1 (engines at one whole pixel per cycle, QNN046): words of M whole pixels; a
  // max-pool's output word holds the M/K pixels its M input pixels pool to.
  let outElems = l.pe;
  if (mmv > 1) {
    inElems *= mmv;
    outElems = l.op === 'maxpool' ? (mmv / l.kernel[0]) * l.pe : mmv * l.pe;
  }
  return {
    name: l.name,
    kind: kind as Engine['kind'],
    layers: act ? [l.name, act.name] : [l.name],
    layer: l,
    activation: act ? act.activation : isActivation(l) ? l.activation : undefined,
    inShape: l.inShape,
    inType: l.inType,
    outShape: last.outShape,
    outType: last.outType,
    pe: l.pe,
    simd: isMvau(l) ? l.simd : l.pe,
    mmv,
    inElemsPerWord: inElems,
    outElemsPerWord: outElems,
  };
}

/** A stream between two engines (or the network's ports). */
export interface StreamLink {
  from: string;
  to: string;
  elemBits: number;
  producerElems: number;
  consumerElems: number;
  /** Elements per frame on this stream. */
  elements: number;
  needsConverter: boolean;
}

/** The stream from engine a to engine b. */
export function linkBetween(a: Engine, b: Engine): StreamLink {
  return {
    from: a.name,
    to: b.name,
    elemBits: typeBits(a.outType),
    producerElems: a.outElemsPerWord,
    consumerElems: b.inElemsPerWord,
    elements: a.outShape.reduce((x, y) => x * y, 1),
    needsConverter: a.outElemsPerWord !== b.inElemsPerWord,
  };
}

export function streamLinks(net: Network): StreamLink[] {
  const links: StreamLink[] = [];
  for (let i = 0; i + 1 < net.engines.length; i++) links.push(linkBetween(net.engines[i], net.engines[i + 1]));
  return links;
}
