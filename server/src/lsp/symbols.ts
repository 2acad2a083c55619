/**
 * Outline: the network, with its target, consts, input, layers (op in the detail, and
 * the output type and shape when the model has them), output and tests.
 */
import type { LangiumDocument } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Member, Network as NetworkAst } from '../language/generated/ast.js';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import { nodeRange, propRange } from '../model/ranges.js';
import { typeName } from '../model/qtype.js';
import { shapeText } from '../model/weights.js';
import type { Network } from '../model/types.js';
import { analysisOf, layerNamed } from './analysis-access.js';

export class QnnDocumentSymbolProvider implements DocumentSymbolProvider {
  constructor(private readonly services: QnnServices) {}

  getSymbols(document: LangiumDocument): DocumentSymbol[] {
    const root = document.parseResult.value as NetworkAst;
    if (!root.$cstNode) return [];
    const net = analysisOf(this.services, document)?.network;
    const children: DocumentSymbol[] = [];
    for (const m of root.members ?? []) {
      const s = this.memberSymbol(m, net);
      if (s) children.push(s);
    }
    return [
      {
        name: root.name || 'network',
        kind: SymbolKind.Module,
        detail: 'network',
        range: nodeRange(root),
        selectionRange: root.name ? propRange(root, 'name') : nodeRange(root),
        children,
      },
    ];
  }

  private memberSymbol(m: Member, net: Network | undefined): DocumentSymbol | undefined {
    const range = nodeRange(m);
    switch (m.$type) {
      case 'Target':
        if (!m.device) return undefined;
        return {
          name: `target ${m.device}`,
          kind: SymbolKind.Event,
          detail: `@ ${m.freq ?? '?'} ${m.unit ?? ''}${m.fps ? `, fps >= ${m.fps}` : ''}`,
          range,
          selectionRange: propRange(m, 'device'),
        };
      case 'Const':
        if (!m.name) return undefined;
        return {
          name: m.name,
          kind: SymbolKind.Constant,
          detail: m.value?.$cstNode ? `= ${m.value.$cstNode.text}` : 'const',
          range,
          selectionRange: propRange(m, 'name'),
        };
      case 'Input': {
        if (!m.name) return undefined;
        const input = net?.input?.name === m.name ? net.input : undefined;
        const detail = input ? `input ${typeName(input.type)}${shapeText(input.shape)}` : 'input';
        return { name: m.name, kind: SymbolKind.Variable, detail, range, selectionRange: propRange(m, 'name') };
      }
      case 'Layer': {
        if (!m.name) return undefined;
        const l = layerNamed(net, m.name);
        const detail = l ? `${m.op} → ${typeName(l.outType)}${shapeText(l.outShape)}` : (m.op ?? 'layer');
        return { name: m.name, kind: SymbolKind.Function, detail, range, selectionRange: propRange(m, 'name') };
      }
      case 'Output':
        if (!m.ref?.$refText) return undefined;
        return { name: `output ${m.ref.$refText}`, kind: SymbolKind.Key, detail: 'output', range, selectionRange: propRange(m, 'ref') };
      case 'Test':
        if (!m.name) return undefined;
        return {
          name: `test "${m.name}"`,
          kind: SymbolKind.Event,
          detail: m.args.map((a) => a.$cstNode?.text ?? '').join(', '),
          range,
          selectionRange: propRange(m, 'name'),
        };
    }
    return undefined;
  }
}
