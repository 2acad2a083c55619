/**
 * A code lens on `target`: the network's frames/s (and whether `fps >=` is met), its
 * largest device usage and the illegal folds the estimate replaced by 1, from the cached
 * estimate (worded by cost/utilisation.ts and report/estimate-text.ts, as everywhere else).
 */
import type { LangiumDocument } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens } from 'vscode-languageserver';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { Estimate } from '../protocol/estimate.js';
import { utilisation } from '../cost/utilisation.js';
import { illegalFoldsOf } from '../model/illegal-fold.js';
import { fpsTargetText, fpsText } from '../report/estimate-text.js';
import { analysisOf } from './analysis-access.js';

/** The lens shows; it runs nothing (clients without the command show it as a label). */
export const SHOW_ESTIMATE_COMMAND = '';

export class QnnCodeLensProvider implements CodeLensProvider {
  constructor(private readonly services: QnnServices) {}

  provideCodeLens(document: LangiumDocument): CodeLens[] {
    const analysis = analysisOf(this.services, document);
    const target = analysis?.network.target;
    if (!analysis || !target) return [];
    const est = analysis.estimate;
    const title = est
      ? lensTitle(est, illegalFoldsOf(analysis.network))
      : 'no estimate: the network has no layers on the path to its output';
    return [{ range: target.range, command: { title, command: SHOW_ESTIMATE_COMMAND, arguments: [document.uri.toString()] } }];
  }
}

/**
 * "19.5k frames/s ✓ fps >= 5k · bottleneck c2 · BRAM18 12.1 % of xc7z020 (largest use)",
 * followed by "· illegal folds estimated as 1: fc1 SIMD 5" when `illegal` (illegalFoldsOf) names any.
 */
export function lensTitle(est: Estimate, illegal: readonly string[] = []): string {
  const target = fpsTargetText(est);
  let s = `${fpsText(est)} frames/s${target ? ` ${target}` : ''}`;
  if (est.bottleneck) s += ` · bottleneck ${est.bottleneck.layer}`;
  const u = utilisation(est);
  s = u.largest ? `${s} · ${u.largest_text} of ${est.target.device} (largest use)` : `${s} · ${u.largest_text}`;
  if (illegal.length) {
    const shown = illegal.length > 3 ? [...illegal.slice(0, 3), `${illegal.length - 3} more`] : illegal;
    s += ` · illegal fold${illegal.length > 1 ? 's' : ''} estimated as 1: ${shown.join(', ')}`;
  }
  return s;
}
