/**
 * The editor features read the one cached analysis of a document (AnalysisCache):
 * model, estimate and diagnostics of exactly the text the editor shows.
 */
import type { LangiumDocument } from 'langium';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { Analysis } from '../analysis/analyze.js';
import type { Engine, LayerModel, Network } from '../model/types.js';

/** The analysis of `doc`, or undefined when it cannot be computed (never throws into a request). */
export function analysisOf(services: QnnServices, doc: LangiumDocument): Analysis | undefined {
  try {
    return services.analysis.AnalysisCache.get(doc as LangiumDocument<NetworkAst>);
  } catch (e) {
    console.error(`qnn: analysis of ${doc.uri.toString()} failed: ${(e as Error).stack ?? String(e)}`);
    return undefined;
  }
}

export function layerNamed(net: Network | undefined, name: string | undefined): LayerModel | undefined {
  return name === undefined ? undefined : net?.layers.find((l) => l.name === name);
}

/** The engine that computes a layer (its own, or the MVAU an activation is fused into). */
export function engineOf(net: Network, layer: string): Engine | undefined {
  return net.engines.find((e) => e.layers.includes(layer));
}
