/**
 * Folding ranges: the network body, any member spanning lines (a long layer, a test
 * block), block comments and runs of line comments.
 */
import { CstUtils, isLeafCstNode, type LangiumDocument } from 'langium';
import type { FoldingRangeProvider } from 'langium/lsp';
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { Network } from '../language/generated/ast.js';

export class QnnFoldingRangeProvider implements FoldingRangeProvider {
  getFoldingRanges(document: LangiumDocument): FoldingRange[] {
    const root = document.parseResult.value as Network;
    const cst = root.$cstNode;
    if (!cst) return [];
    const out: FoldingRange[] = [];
    const add = (start: number, end: number, kind?: FoldingRangeKind): void => {
      if (end > start) out.push({ startLine: start, endLine: end, ...(kind ? { kind } : {}) });
    };
    // The body: from `network … {` to the line before `}` (the brace stays visible).
    const close = cst.text.lastIndexOf('}');
    const endLine = close >= 0 ? document.textDocument.positionAt(cst.offset + close).line - 1 : cst.range.end.line;
    add(cst.range.start.line, endLine);
    for (const m of root.members ?? []) {
      const r = m.$cstNode?.range;
      if (r) add(r.start.line, r.end.line - (m.$type === 'Test' && document.textDocument.getText(r).trimEnd().endsWith('}') ? 1 : 0));
    }
    // Comments: a block comment, or consecutive line comments.
    let run: [number, number] | undefined;
    for (const node of CstUtils.streamCst(cst)) {
      if (!isLeafCstNode(node) || !node.hidden) continue;
      const type = node.tokenType.name;
      if (type === 'ML_COMMENT') add(node.range.start.line, node.range.end.line, FoldingRangeKind.Comment);
      if (type !== 'SL_COMMENT') continue;
      const line = node.range.start.line;
      if (run && run[1] === line - 1) run[1] = line;
      else {
        if (run) add(run[0], run[1], FoldingRangeKind.Comment);
        run = [line, line];
      }
    }
    if (run) add(run[0], run[1], FoldingRangeKind.Comment);
    return out;
  }
}
