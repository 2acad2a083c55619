/**
 * The formatter (idempotent): one member per line inside the network, indented by two
 * spaces; `a=b` without spaces in arguments, `, ` between arguments and list items,
 * spaces around `@`, `>=`, a const's or layer's `=` and binary operators; none inside
 * brackets or between an op, a type or `fold` and its parenthesis. Blank lines between
 * members are kept. A member with a comment inside is only re-indented (joining its lines
 * could swallow code into a `//` comment). Documents with syntax errors are not formatted.
 */
import { CstUtils, isLeafCstNode, type AstNode, type LangiumDocument, type TextDocument } from 'langium';
import { AbstractFormatter, Formatting, type NodeFormatter } from 'langium/lsp';
import type { DocumentFormattingParams, DocumentRangeFormattingParams, FormattingOptions, TextEdit } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';

/** The indentation of the language: two spaces, whatever the editor's tab settings. */
const OPTIONS: FormattingOptions = { tabSize: 2, insertSpaces: true };

export class QnnFormatter extends AbstractFormatter {
  override formatDocument(document: LangiumDocument, params: DocumentFormattingParams): TextEdit[] {
    return super.formatDocument(document, { ...params, options: { ...params.options, ...OPTIONS } }) as TextEdit[];
  }

  override formatDocumentRange(document: LangiumDocument, params: DocumentRangeFormattingParams): TextEdit[] {
    return super.formatDocumentRange(document, { ...params, options: { ...params.options, ...OPTIONS } }) as TextEdit[];
  }

  /**
   * Langium emits a composite node's `append` edit before the edits inside the node, and
   * then drops whichever of two out-of-order edits comes first (e.g. the gap after
   * `pow2<3>` in `pow2 < 3 > (…)`): sort by position first so only real overlaps go.
   */
  protected override avoidOverlappingEdits(textDocument: TextDocument, textEdits: TextEdit[]): TextEdit[] {
    const at = (e: TextEdit) => [textDocument.offsetAt(e.range.start), textDocument.offsetAt(e.range.end)];
    const sorted = textEdits
      .map((e, i) => ({ e, i, r: at(e) }))
      .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
      .map((x) => x.e);
    return super.avoidOverlappingEdits(textDocument, sorted);
  }

  protected override format(node: AstNode): void {
    if (ast.isNetwork(node)) {
      const f = this.getNodeFormatter(node);
      f.keyword('network').append(Formatting.oneSpace());
      f.property('name').append(Formatting.oneSpace());
      const open = f.keyword('{');
      const close = f.keyword('}');
      f.interior(open, close).prepend(Formatting.indent({ allowMore: true }));
      close.prepend(Formatting.newLine({ allowMore: true }));
      return;
    }
    // Leave the inside of anything holding a comment as it is.
    if (hasInnerComment(node)) return;
    const f = this.getNodeFormatter(node);
    switch (node.$type) {
      case ast.Target.$type:
        // One rule per gap: two rules on one gap would both insert their space.
        f.keywords('target', 'board', 'bandwidth').append(Formatting.oneSpace());
        f.keywords('@', '>=').surround(Formatting.oneSpace());
        f.property('freq').append(Formatting.oneSpace());
        f.keyword('GB/s').prepend(Formatting.oneSpace());
        commas(f);
        break;
      case ast.Const.$type:
        f.keyword('const').append(Formatting.oneSpace());
        f.keyword('=').surround(Formatting.oneSpace());
        break;
      case ast.Input.$type:
        f.keyword('input').append(Formatting.oneSpace());
        f.keyword(':').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        f.keyword('[').prepend(Formatting.noSpace()).append(Formatting.noSpace());
        f.keyword(']').prepend(Formatting.noSpace());
        commas(f);
        break;
      case ast.Layer.$type:
        f.keyword('layer').append(Formatting.oneSpace());
        f.keyword('=').surround(Formatting.oneSpace());
        f.property('op').append(Formatting.noSpace());
        parens(f);
        commas(f);
        f.property('fold').prepend(Formatting.oneSpace());
        break;
      case ast.Fold.$type:
        f.keyword('fold').append(Formatting.noSpace());
        parens(f);
        commas(f);
        break;
      case ast.Arg.$type:
      case ast.FoldArg.$type:
        f.keyword('=').surround(Formatting.noSpace());
        break;
      case ast.Output.$type:
        f.keyword('output').append(Formatting.oneSpace());
        break;
      case ast.Test.$type:
        f.keyword('test').append(Formatting.oneSpace());
        f.keyword('{').prepend(Formatting.oneSpace()).append(Formatting.oneSpace());
        f.keyword('}').prepend(Formatting.oneSpace());
        commas(f);
        break;
      case ast.Source.$type:
        f.property('kind').append(Formatting.noSpace());
        parens(f);
        commas(f);
        f.keyword('=').surround(Formatting.noSpace());
        break;
      case ast.Pow2Type.$type:
        f.keyword('<').surround(Formatting.noSpace());
        f.keyword('>').prepend(Formatting.noSpace());
        break;
      case ast.ListLit.$type:
        f.keyword('[').append(Formatting.noSpace());
        f.keyword(']').prepend(Formatting.noSpace());
        commas(f);
        break;
      case ast.BinaryExpr.$type:
        f.property('op').surround(Formatting.oneSpace());
        break;
      case ast.NegExpr.$type:
        f.keyword('-').append(Formatting.noSpace());
        break;
      case ast.ParenExpr.$type:
        parens(f);
        break;
    }
  }
}

function parens(f: NodeFormatter<AstNode>): void {
  f.keyword('(').append(Formatting.noSpace());
  f.keyword(')').prepend(Formatting.noSpace());
}

function commas(f: NodeFormatter<AstNode>): void {
  f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
}

/** Whether a comment lies strictly inside the node's text. */
function hasInnerComment(node: AstNode): boolean {
  const cst = node.$cstNode;
  if (!cst) return false;
  for (const n of CstUtils.streamCst(cst)) {
    if (isLeafCstNode(n) && n.hidden && n.offset > cst.offset && n.end < cst.end && n.tokenType.name !== 'WS') return true;
  }
  return false;
}
