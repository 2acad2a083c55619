/** Source ranges of AST nodes and their properties, for diagnostics and editor features. */
import { GrammarUtils, type AstNode } from 'langium';
import type { SrcRange } from './types.js';

const EMPTY: SrcRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function nodeRange(node: AstNode | undefined): SrcRange {
  const r = node?.$cstNode?.range;
  return r ? { start: { ...r.start }, end: { ...r.end } } : EMPTY;
}

/** Range of one property of a node (e.g. a layer's `name`), falling back to the whole node. */
export function propRange(node: AstNode, property: string, index?: number): SrcRange {
  const cst = node.$cstNode && GrammarUtils.findNodeForProperty(node.$cstNode, property, index);
  return cst ? { start: { ...cst.range.start }, end: { ...cst.range.end } } : nodeRange(node);
}

/** Range of a keyword inside a node (e.g. `target`). */
export function keywordRange(node: AstNode, keyword: string): SrcRange {
  const cst = node.$cstNode && GrammarUtils.findNodeForKeyword(node.$cstNode, keyword);
  return cst ? { start: { ...cst.range.start }, end: { ...cst.range.end } } : nodeRange(node);
}
