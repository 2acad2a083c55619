/**
 * Inlay hints after each layer: the auto-chosen fold (when `fps >=` chose it; a double
 * click inserts it), the output type and shape, the engine's cycles per frame and an
 * illegal fold's fallback (`SIMD 5 (illegal; estimated as 1)`) — all from the cached
 * analysis. Off when the client's `qnn.inlayHints.enabled` is false.
 */
import type { LangiumDocument } from 'langium';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import { engineOfLayer, foldText } from '../engines/registry.js';
import { illegalFoldTexts } from '../model/illegal-fold.js';
import { formatSI } from '../model/numbers.js';
import { typeName } from '../model/qtype.js';
import { shapeText } from '../model/weights.js';
import { analysisOf } from './analysis-access.js';

export class QnnInlayHintProvider implements InlayHintProvider {
  constructor(private readonly services: QnnServices) {
    // When `qnn.inlayHints.enabled` changes, ask the client to fetch the hints again.
    services.shared.workspace.ConfigurationProvider.onConfigurationSectionUpdate((update) => {
      if (update.section !== 'qnn') return;
      services.shared.lsp.Connection?.languages.inlayHint.refresh().catch(() => undefined);
    });
  }

  async getInlayHints(document: LangiumDocument, params: InlayHintParams): Promise<InlayHint[]> {
    if (!(await this.enabled())) return [];
    const analysis = analysisOf(this.services, document);
    if (!analysis) return [];
    const { network: net, estimate: est } = analysis;
    const hints: InlayHint[] = [];
    const { start, end } = params.range;
    for (const layer of net.layers) {
      const at = layer.ranges.layer.end;
      if (at.line < start.line || at.line > end.line) continue;
      const le = est?.layers.find((l) => l.name === layer.name);
      const engine = engineOfLayer(net, layer);
      if (layer.foldSource === 'auto' && !le?.fused_into && engine) {
        const fold = foldText(engine);
        hints.push({
          position: at,
          label: fold,
          paddingLeft: true,
          tooltip: 'chosen to meet `fps >=` (the cheapest fold that does); double-click to write it into the file',
          textEdits: [{ range: { start: at, end: at }, newText: ` ${fold}` }],
        });
      }
      let label = `${typeName(layer.outType)}${shapeText(layer.outShape)}`;
      if (le) label += le.fused_into ? ` · in ${le.fused_into}` : ` · ${formatSI(le.cycles)} cyc${le.bottleneck ? ' (bottleneck)' : ''}`;
      // The cycles of an illegal fold are those of its fallback: say so.
      for (const t of illegalFoldTexts(layer)) label += ` · ${t}`;
      hints.push({ position: at, label: `→ ${label}`, kind: InlayHintKind.Type, paddingLeft: true });
    }
    return hints;
  }

  private async enabled(): Promise<boolean> {
    try {
      const cfg = (await this.services.shared.workspace.ConfigurationProvider.getConfiguration('qnn', 'inlayHints')) as
        { enabled?: boolean } | undefined;
      return cfg?.enabled !== false;
    } catch {
      return true;
    }
  }
}
