/**
 * The registry of engine descriptors: the one place that maps an engine's kind to the
 * module that knows everything about it. Nothing outside server/src/engines/ switches on
 * an engine's or a layer's kind to get a cycle count, a resource, a template parameter or
 * a memory layout.
 */
import { buildEngines } from '../model/engines.js';
import type { Engine, EngineKind, LayerModel, Network } from '../model/types.js';
import { requantDescriptor, thresholdDescriptor } from './activation.js';
import type { EngineDescriptor, Fold } from './descriptor.js';
import { maxpoolDescriptor } from './maxpool.js';
import { mvauDescriptor } from './mvau.js';
import { engineWithFold } from '../model/engines.js';

const DESCRIPTORS: Record<EngineKind, EngineDescriptor> = {
  mvau: mvauDescriptor,
  maxpool: maxpoolDescriptor,
  requant: requantDescriptor,
  threshold: thresholdDescriptor,
};

export function descriptorOf(e: Engine): EngineDescriptor {
  return DESCRIPTORS[e.kind];
}

/** The same engine at another fold (stream words recomputed as the model builds them; a fold without `mmv` is at MMV 1). */
export function atFold(e: Engine, f: Fold): Engine {
  return engineWithFold(e, f.pe, f.simd, f.mmv ?? 1);
}

/** The text of a fold as the layer writes it: `fold(pe=4, simd=8)`, `fold(pe=4)`, `fold(pe=16, simd=80, mmv=4)`. */
export function foldText(e: Engine, f: Fold = e): string {
  const args = descriptorOf(e).foldArgs.map((a) => `${a}=${f[a]}`);
  if ((f.mmv ?? 1) > 1) args.push(`mmv=${f.mmv}`);
  return `fold(${args.join(', ')})`;
}

/** The engine that computes a layer (its own, or the MVAU it is fused into). */
export function engineOfLayer(net: Network, layer: LayerModel | string): Engine | undefined {
  const name = typeof layer === 'string' ? layer : layer.name;
  return net.engines.find((e) => e.layers.includes(name));
}

/** Re-derives the engines after folds changed. */
export function rebuildEngines(net: Network): void {
  net.engines = buildEngines(net);
}
