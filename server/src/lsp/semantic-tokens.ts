/**
 * Semantic tokens: keywords, operators (the layer ops as functions from the language's
 * library; + − * / = @ >= as operators), types, numbers, strings, layer/const/input
 * names as variables (with `declaration` where declared, `readonly` for consts),
 * argument names as parameters, devices, boards and `same`/`valid` as enum members.
 */
import { CstUtils, GrammarAST, GrammarUtils, isLeafCstNode, type AstNode, type LangiumDocument, type LeafCstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { parseTypeName } from '../model/qtype.js';

const OPS = new Set(['conv1d', 'conv2d', 'dense', 'maxpool', 'requant', 'threshold']);
const OPERATORS = new Set(['+', '-', '*', '/', '=', '@', '>=']);
const TYPE_KEYWORDS = new Set(['bipolar', 'pow2']);

export interface TokenClass {
  type: string;
  modifier?: string[];
}

export class QnnSemanticTokenProvider extends AbstractSemanticTokenProvider {
  protected override highlightElement(): void {
    // Tokens are classified leaf by leaf in computeHighlighting.
  }

  protected override async computeHighlighting(document: LangiumDocument, acceptor: SemanticTokenAcceptor): Promise<void> {
    const root = document.parseResult.value.$cstNode;
    if (!root) return;
    for (const node of CstUtils.streamCst(root)) {
      if (!isLeafCstNode(node) || node.hidden || node.length === 0) continue;
      const c = classifyLeaf(node);
      if (c) acceptor({ cst: node, type: c.type, ...(c.modifier ? { modifier: c.modifier } : {}) });
    }
  }
}

/** The semantic token of one leaf of the syntax tree, or undefined for punctuation. */
export function classifyLeaf(leaf: LeafCstNode): TokenClass | undefined {
  const n: AstNode = leaf.astNode;
  const text = leaf.text;
  const feature = GrammarUtils.findAssignment(leaf)?.feature;
  if (GrammarAST.isKeyword(leaf.grammarSource)) {
    if ((ast.isArg(n) || ast.isFoldArg(n)) && feature === 'name') return { type: SemanticTokenTypes.parameter };
    if (ast.isTarget(n) && feature === 'board') return { type: SemanticTokenTypes.enumMember };
    if (ast.isPow2Type(n) || TYPE_KEYWORDS.has(text)) return { type: SemanticTokenTypes.type };
    if (ast.isLayer(n) && feature === 'op' && OPS.has(text))
      return { type: SemanticTokenTypes.function, modifier: [SemanticTokenModifiers.defaultLibrary] };
    if (ast.isSource(n) && text === 'seed') return { type: SemanticTokenTypes.parameter };
    if (OPERATORS.has(text)) return { type: SemanticTokenTypes.operator };
    if (/^[A-Za-z]/.test(text)) return { type: SemanticTokenTypes.keyword };
    return undefined;
  }
  if (ast.isPow2Type(n)) return { type: SemanticTokenTypes.type };
  if (leaf.tokenType.name === 'STRING') return { type: SemanticTokenTypes.string };
  if (leaf.tokenType.name === 'NUMBER') return { type: SemanticTokenTypes.number };
  const decl = [SemanticTokenModifiers.declaration];
  switch (n.$type) {
    case ast.Network.$type:
      return { type: SemanticTokenTypes.namespace, modifier: decl };
    case ast.Layer.$type:
      if (feature === 'name') return { type: SemanticTokenTypes.variable, modifier: decl };
      if (feature === 'input') return { type: SemanticTokenTypes.variable };
      break;
    case ast.Input.$type:
      if (feature === 'name') return { type: SemanticTokenTypes.variable, modifier: decl };
      break;
    case ast.Const.$type:
      if (feature === 'name') return { type: SemanticTokenTypes.variable, modifier: [...decl, SemanticTokenModifiers.readonly] };
      break;
    case ast.Output.$type:
      return { type: SemanticTokenTypes.variable };
    case ast.Arg.$type:
    case ast.FoldArg.$type:
      if (feature === 'name') return { type: SemanticTokenTypes.parameter };
      break;
    case ast.Target.$type:
      if (feature === 'device' || feature === 'board') return { type: SemanticTokenTypes.enumMember };
      break;
    case ast.NamedType.$type:
      // `scales("s.npy")` and `thresholds("t.npy")` read files; the rest name types.
      return ast.isSource(n.$container) && (text === 'scales' || text === 'thresholds')
        ? { type: SemanticTokenTypes.function, modifier: [SemanticTokenModifiers.defaultLibrary] }
        : { type: SemanticTokenTypes.type };
    case ast.NameRef.$type: {
      const ref = (n as ast.NameRef).ref;
      if (ref.ref) return { type: SemanticTokenTypes.variable, modifier: [SemanticTokenModifiers.readonly] };
      if (parseTypeName(text)) return { type: SemanticTokenTypes.type };
      if (text === 'same' || text === 'valid') return { type: SemanticTokenTypes.enumMember };
      return { type: SemanticTokenTypes.variable };
    }
  }
  return undefined;
}
