/**
 * Quick fixes:
 * - QNN040 / QNN041 / QNN042 (SIMD or PE does not divide MW / MH, or does not suit the
 *   window generator): one action per nearest valid value (`diagnostic.data.nearest`),
 *   replacing the value's range; the closest is preferred.
 * - QNN044 (over-provisioned fold): apply the smaller fold from `data`, replacing `fold(…)`;
 *   the title shows the LUTs saved.
 * - QNN045 (a fold on a fused activation, which has no effect): remove it.
 * - QNN047 (a `mul=` that cannot take effect): remove the argument.
 * - QNN051 (`fps >=` not met), when a legal fold of the bottleneck meets it: apply that fold.
 * The payload is taken from the analysis of the current text when the client's copy of the
 * diagnostic has none.
 */
import type { LangiumDocument } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type Range } from 'vscode-languageserver';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { QnnDiagnostic } from '../model/types.js';
import { analysisOf, layerNamed } from './analysis-access.js';
import { engineOfLayer, foldText } from '../engines/registry.js';

const FIXABLE = new Set(['QNN040', 'QNN041', 'QNN042', 'QNN044', 'QNN045', 'QNN046', 'QNN047', 'QNN051']);

export class QnnCodeActionProvider implements CodeActionProvider {
  constructor(private readonly services: QnnServices) {}

  getCodeActions(document: LangiumDocument, params: CodeActionParams): Array<Command | CodeAction> {
    const actions: CodeAction[] = [];
    const wanted = params.context.diagnostics.filter((d) => typeof d.code === 'string' && FIXABLE.has(d.code));
    if (wanted.length === 0) return actions;
    const analysis = analysisOf(this.services, document);
    for (const d of wanted) {
      const data = (d.data as Record<string, unknown> | undefined) ?? findData(analysis?.diagnostics ?? [], d);
      if (!data) continue;
      const uri = document.uri.toString();
      const edit = (range: Range, newText: string) => ({ changes: { [uri]: [{ range, newText }] } });
      switch (d.code) {
        case 'QNN040':
        case 'QNN041':
        case 'QNN042': {
          const nearest = (data.nearest as number[] | undefined) ?? [];
          const what = data.property === 'simd' || d.code !== 'QNN041' ? 'SIMD' : 'PE';
          const current = Number(document.textDocument.getText(d.range));
          const closest = [...nearest].sort((a, b) => Math.abs(a - current) - Math.abs(b - current) || a - b)[0];
          for (const v of nearest) {
            actions.push({
              title: `Change ${what} to ${v}`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d],
              isPreferred: v === closest,
              edit: edit(d.range, String(v)),
            });
          }
          break;
        }
        case 'QNN046': {
          // An illegal M: the nearest legal ones; a legal M on an engine not yet fully unrolled: the whole fold.
          const fold = data.fold as string | undefined;
          const foldRange = data.foldRange as Range | undefined;
          if (fold && foldRange) {
            actions.push({
              title: `Apply ${fold}`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d],
              isPreferred: true,
              edit: edit(foldRange, fold),
            });
            break;
          }
          const current = Number(document.textDocument.getText(d.range));
          const nearest = [...((data.nearest as number[] | undefined) ?? [])];
          const closest = [...nearest].sort((a, b) => Math.abs(a - current) - Math.abs(b - current) || a - b)[0];
          for (const v of nearest) {
            actions.push({
              title: `Change MMV to ${v}`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d],
              isPreferred: v === closest,
              edit: edit(d.range, String(v)),
            });
          }
          break;
        }
        case 'QNN044': {
          const fold = data.fold as string | undefined;
          if (!fold) break;
          actions.push({
            title: `Apply ${fold} (saves about ${Number(data.lutSaved).toLocaleString('en-US')} LUTs)`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: true,
            edit: edit(d.range, fold),
          });
          break;
        }
        case 'QNN045': {
          // Delete `fold(…)` with the space before it.
          const line = document.textDocument.getText({ start: { line: d.range.start.line, character: 0 }, end: d.range.start });
          const spaces = line.length - line.trimEnd().length;
          const start = { line: d.range.start.line, character: d.range.start.character - spaces };
          actions.push({
            title: `Remove the fold (it has no effect: fold '${String(data.fusedInto)}' instead)`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: true,
            edit: edit({ start, end: d.range.end }, ''),
          });
          break;
        }
        case 'QNN047': {
          // Delete `, mul=…` (the comma and spaces before the argument with it).
          const arg = data.argRange as Range | null | undefined;
          if (!arg) break;
          const before = document.textDocument.getText({ start: { line: arg.start.line, character: 0 }, end: arg.start });
          const cut = /\s*,\s*$/.exec(before);
          const start = { line: arg.start.line, character: arg.start.character - (cut ? cut[0].length : 0) };
          actions.push({
            title: `Remove mul=${String(data.mul)} (it has no effect here)`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: true,
            edit: edit({ start, end: arg.end }, ''),
          });
          break;
        }
        case 'QNN051': {
          const s = data.suggestion as { pe: number; simd: number | null; mmv?: number; cycles: number; met: boolean } | null | undefined;
          const layer = layerNamed(analysis?.network, data.bottleneck as string | undefined);
          const engine = analysis && layer ? engineOfLayer(analysis.network, layer) : undefined;
          if (!s?.met || !layer || !engine) break;
          const fold = foldText(engine, { pe: s.pe, simd: s.simd ?? s.pe, mmv: s.mmv ?? 1 });
          const at = layer.ranges.fold ?? { start: layer.ranges.layer.end, end: layer.ranges.layer.end };
          actions.push({
            title: `Apply ${fold} to '${layer.name}' (${s.cycles.toLocaleString('en-US')} cycles per frame meets the target)`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            edit: edit(at, layer.ranges.fold ? fold : ` ${fold}`),
          });
          break;
        }
      }
    }
    return actions;
  }
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function findData(diags: QnnDiagnostic[], d: Diagnostic): Record<string, unknown> | undefined {
  return diags.find((q) => q.code === d.code && sameRange(q.range, d.range))?.data;
}
