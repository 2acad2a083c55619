/**
 * The editor features read the one cached analysis of a document (AnalysisCache):
 * model, estimate and diagnostics of exactly the text the editor shows.
 */
import { DocumentState, type LangiumDocument } from 'langium';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { Analysis } from '../analysis/analyze.js';
import type { Engine, LayerModel, Network } from '../model/types.js';
import { engineOfLayer } from '../engines/registry.js';
import { engineOfLoneLayer } from '../model/engines.js';

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

/**
 * The layers of each document's analyses, by name, as last elaborated. While a layer is
 * being typed it often does not parse (`fold(pe=` …), and the current model lacks it;
 * completion then reads the layer as it was in the last version that had it.
 */
export class LayerMemory {
  private readonly byDoc = new Map<string, Map<string, LayerModel>>();
  /** The engine computing each layer, as last elaborated. */
  private readonly enginesByDoc = new Map<string, Map<string, Engine>>();

  constructor(private readonly services: QnnServices) {
    services.shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Validated, (doc) => {
      this.record(doc);
    });
  }

  private record(doc: LangiumDocument): void {
    const net = analysisOf(this.services, doc)?.network;
    if (!net) return;
    const key = doc.uri.toString();
    const layers = this.byDoc.get(key) ?? new Map<string, LayerModel>();
    for (const l of net.layers) layers.set(l.name, l);
    this.byDoc.set(key, layers);
    const engines = this.enginesByDoc.get(key) ?? new Map<string, Engine>();
    for (const e of net.engines) for (const name of e.layers) engines.set(name, e);
    this.enginesByDoc.set(key, engines);
  }

  /** The layer in the current model, else as it was last elaborated. */
  layer(doc: LangiumDocument, name: string | undefined): LayerModel | undefined {
    if (name === undefined) return undefined;
    return layerNamed(analysisOf(this.services, doc)?.network, name) ?? this.byDoc.get(doc.uri.toString())?.get(name);
  }

  /** The engine computing the layer in the current model, else as it was last elaborated. */
  engine(doc: LangiumDocument, name: string | undefined): Engine | undefined {
    if (name === undefined) return undefined;
    const net = analysisOf(this.services, doc)?.network;
    const known = (net && engineOfLayer(net, name)) ?? this.enginesByDoc.get(doc.uri.toString())?.get(name);
    if (known) return known;
    // A layer off the chain to the output has no engine: the one it would have alone.
    const layer = this.layer(doc, name);
    return layer ? engineOfLoneLayer(layer) : undefined;
  }
}
