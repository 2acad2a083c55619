/**
 * Hover (language.md §7): on a layer (its name, its line, or a reference to it), on
 * `target` (and the network's name), on the input, on a type, on a weight source and on
 * a requant's scale. The texts are built in hover-content.ts from the cached analysis.
 */
import { AstUtils, CstUtils, type CstNode, type LangiumDocument } from 'langium';
import type { HoverProvider } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import { evalExpr } from '../model/expr.js';
import { isMvau } from '../model/engines.js';
import { parseTypeName, signedBitsFor } from '../model/qtype.js';
import type { QType } from '../model/types.js';
import { analysisOf, layerNamed } from './analysis-access.js';
import { activationFileLine, inputHover, layerHover, num, targetHover, typeHover, weightsHover } from './hover-content.js';

export class QnnHoverProvider implements HoverProvider {
  constructor(private readonly services: QnnServices) {}

  getHoverContent(document: LangiumDocument, params: HoverParams): Hover | undefined {
    const root = document.parseResult.value as ast.Network;
    if (!root.$cstNode) return undefined;
    const offset = document.textDocument.offsetAt(params.position);
    const leaf = CstUtils.findLeafNodeAtOffset(root.$cstNode, offset);
    if (!leaf || leaf.hidden) return undefined;
    const value = this.contentFor(document, leaf);
    return value ? { contents: { kind: 'markdown', value }, range: leaf.range } : undefined;
  }

  private contentFor(document: LangiumDocument, leaf: CstNode): string | undefined {
    const node = leaf.astNode;
    const text = leaf.text;
    const analysis = analysisOf(this.services, document);
    if (!analysis) return undefined;
    const { network: net, estimate: est } = analysis;
    const root = document.parseResult.value as ast.Network;

    // A weight source (or a scales/thresholds file) of a layer argument.
    const source = AstUtils.getContainerOfType(node, ast.isSource);
    if (source) {
      const arg = source.$container;
      const layerAst = ast.isArg(arg) && ast.isLayer(arg.$container) ? arg.$container : undefined;
      const layer = layerNamed(net, layerAst?.name);
      if (layer && isMvau(layer) && arg.name === 'weights')
        return weightsHover(
          layer,
          est?.layers.find((l) => l.name === layer.name),
          source.path,
        );
      if (layer && (arg.name === 'scale' || arg.name === 'thresholds')) {
        const file = source.path !== undefined ? `${activationFileLine(source.path, layer)}\n\n` : '';
        return `${file}${layerHover(net, layer, est)}`;
      }
      if (ast.isNamedType(node) || ast.isBipolarType(node) || ast.isPow2Type(node)) return this.typeOfSpec(node, 'element type');
      return undefined;
    }
    if (ast.isNamedType(node) || ast.isBipolarType(node) || ast.isPow2Type(node)) {
      return this.typeOfSpec(node, ast.isInput(node.$container) ? `type of input \`${node.$container.name}\`` : undefined);
    }
    if (ast.isNameRef(node)) {
      const c = node.ref.ref;
      if (c) return constHover(root, c);
      const t = parseTypeName(text);
      const arg = AstUtils.getContainerOfType(node, ast.isArg);
      if (t && arg) {
        const layer = ast.isLayer(arg.$container) ? layerNamed(net, arg.$container.name) : undefined;
        let role = `\`${arg.name}\``;
        if (arg.name === 'acc' && layer && isMvau(layer))
          role = `accumulator of \`${layer.name}\` (the bound ${num(layer.acc.min)} … ${num(layer.acc.max)} needs i${signedBitsFor(layer.acc.min, layer.acc.max)})`;
        else if (arg.name === 'out' && layer) role = `output type of \`${layer.name}\``;
        return typeHover(t, role);
      }
    }
    if (ast.isConst(node)) return constHover(root, node);
    const target = AstUtils.getContainerOfType(node, ast.isTarget);
    if (target || ast.isNetwork(node)) return targetHover(net, est) || undefined;
    // A reference to a producer shows the producer.
    const onInputRef = ast.isLayer(node) && node.input?.$refNode === leaf;
    if (onInputRef || ast.isOutput(node)) {
      const name = onInputRef ? node.input.$refText : ast.isOutput(node) ? node.ref?.$refText : undefined;
      if (name && net.input?.name === name) return inputHover(net.input, est);
      const l = layerNamed(net, name);
      if (l) return layerHover(net, l, est);
    }
    const input = AstUtils.getContainerOfType(node, ast.isInput);
    if (input && net.input?.name === input.name) return inputHover(net.input, est);
    const layerAst = AstUtils.getContainerOfType(node, ast.isLayer);
    if (layerAst) {
      const l = layerNamed(net, layerAst.name);
      if (l) return layerHover(net, l, est);
      return `**layer \`${layerAst.name}\`** · \`${layerAst.op}\`\n\nnot elaborated: see the problems on this line`;
    }
    return undefined;
  }

  private typeOfSpec(node: ast.TypeSpec, role?: string): string | undefined {
    let t: QType | undefined;
    if (ast.isBipolarType(node)) t = { kind: 'bipolar' };
    else if (ast.isPow2Type(node)) t = { kind: 'pow2', bits: Number(node.bits) };
    else t = parseTypeName(node.name);
    return t ? typeHover(t, role) : undefined;
  }
}

function constHover(root: ast.Network, c: ast.Const): string {
  const consts = root.members.filter(ast.isConst);
  const values = new Map<string, number>();
  for (const k of consts) {
    try {
      values.set(
        k.name,
        evalExpr(k.value, (n) => values.get(n)),
      );
    } catch {
      /* reported by the elaborator */
    }
    if (k === c) break;
  }
  const v = values.get(c.name);
  const expr = c.value?.$cstNode?.text ?? '';
  return `**const \`${c.name}\`** = \`${expr}\`${v !== undefined && String(v) !== expr ? ` = ${num(v)}` : ''}`;
}
