/**
 * Names are local to their file: a `.qnn` file is one network, and a layer named like one
 * in another file is a different layer. Nothing is exported to the workspace (so an unknown
 * name cannot link to another file, nor a rename edit it), and each reference is resolved
 * with one map lookup per document — Langium's default scans every symbol of the scope for
 * every reference, which is quadratic in the number of layers.
 */
import {
  AstUtils,
  DefaultScopeComputation,
  DefaultScopeProvider,
  EMPTY_SCOPE,
  CstUtils,
  MapScope,
  MultiMap,
  type AstNode,
  type AstNodeDescription,
  type LangiumCoreServices,
  type LangiumDocument,
  type LocalSymbols,
  type ReferenceInfo,
  type Scope,
} from 'langium';
import type { Network } from './generated/ast.js';

export class QnnScopeComputation extends DefaultScopeComputation {
  private readonly locator: LangiumCoreServices['workspace']['AstNodeLocator'];

  constructor(services: LangiumCoreServices) {
    super(services);
    this.locator = services.workspace.AstNodeLocator;
  }

  override async collectExportedSymbols(): Promise<AstNodeDescription[]> {
    return [];
  }

  /**
   * Every name a reference can reach is a member of the network (const, input, layer), so
   * only the members are visited — the default walks every AST node with an await each —
   * and each description computes its ranges and path only when a feature asks for them
   * (rename, references); linking needs the name, the type and the node.
   */
  override async collectLocalSymbols(document: LangiumDocument): Promise<LocalSymbols> {
    const root = document.parseResult.value as Network;
    const symbols = new MultiMap<AstNode, AstNodeDescription>();
    for (const member of root.members ?? []) {
      const name = this.nameProvider.getName(member);
      if (name) symbols.add(root, this.lazyDescription(member, name, document));
    }
    return symbols;
  }

  private lazyDescription(node: AstNode, name: string, document: LangiumDocument): AstNodeDescription {
    const nameProvider = this.nameProvider;
    const locator = this.locator;
    let nameSegment: AstNodeDescription['nameSegment'];
    let selectionSegment: AstNodeDescription['selectionSegment'];
    let path: string | undefined;
    return {
      node,
      name,
      type: node.$type,
      documentUri: document.uri,
      get nameSegment() {
        const cst = nameProvider.getNameNode(node) ?? node.$cstNode;
        return (nameSegment ??= cst ? CstUtils.toDocumentSegment(cst) : undefined);
      },
      get selectionSegment() {
        return (selectionSegment ??= node.$cstNode ? CstUtils.toDocumentSegment(node.$cstNode) : undefined);
      },
      get path() {
        return (path ??= locator.getAstNodePath(node));
      },
    };
  }
}

export class QnnScopeProvider extends DefaultScopeProvider {
  /** Scopes by reference type, per computed set of local symbols (recomputed on every build). */
  private readonly scopes = new WeakMap<object, Map<string, Scope>>();

  constructor(services: LangiumCoreServices) {
    super(services);
  }

  override getScope(context: ReferenceInfo): Scope {
    const referenceType = this.reflection.getReferenceType(context);
    const doc = AstUtils.getDocument(context.container);
    const local = doc.localSymbols;
    if (!local) return EMPTY_SCOPE;
    let byType = this.scopes.get(local);
    if (!byType) this.scopes.set(local, (byType = new Map()));
    let scope = byType.get(referenceType);
    if (!scope) {
      const root = doc.parseResult.value;
      const elements = local.has(root)
        ? local
            .getStream(root)
            .filter((d) => this.reflection.isSubtype(d.type, referenceType))
            .toArray()
        : [];
      scope = new MapScope(elements, EMPTY_SCOPE);
      byType.set(referenceType, scope);
    }
    return scope;
  }
}
