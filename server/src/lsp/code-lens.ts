/**
 * A code lens on `target`: the network's frames/s (and whether `fps >=` is met) and its
 * largest device usage, from the cached estimate.
 */
import type { LangiumDocument } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens } from 'vscode-languageserver';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { Estimate } from '../cost/estimate.js';
import { formatSI } from '../model/numbers.js';
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
    const title = est ? lensTitle(est) : 'no estimate: the network has no layers on the path to its output';
    return [{ range: target.range, command: { title, command: SHOW_ESTIMATE_COMMAND, arguments: [document.uri.toString()] } }];
  }
}

const RESOURCE_LABEL = { lut: 'LUT', ff: 'FF', bram18: 'BRAM18', dsp: 'DSP' } as const;

/** "19.5k frames/s (meets fps >= 5k) · BRAM18 12.1 % of xc7z020". */
export function lensTitle(est: Estimate): string {
  let s = `${formatSI(est.fps)} frames/s`;
  if (est.target.fps_target !== null)
    s += est.fps_met ? ` ✓ fps >= ${formatSI(est.target.fps_target)}` : ` ✗ fps >= ${formatSI(est.target.fps_target)}`;
  if (est.bottleneck) s += ` · bottleneck ${est.bottleneck.layer}`;
  let key: keyof typeof RESOURCE_LABEL | undefined;
  for (const k of Object.keys(RESOURCE_LABEL) as Array<keyof typeof RESOURCE_LABEL>) {
    const v = est.device_pct[k];
    if (v !== null && (key === undefined || v > (est.device_pct[key] ?? -1))) key = k;
  }
  if (key) {
    const label = est.target.family === 'ice40' && key === 'bram18' ? 'EBR' : RESOURCE_LABEL[key];
    s += ` · ${label} ${est.device_pct[key]} % of ${est.target.device} (largest use)`;
  } else s += ` · ${est.totals.lut.toLocaleString('en-US')} LUT (unknown device)`;
  return s;
}
