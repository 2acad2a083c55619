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
  MapScope,
  type AstNodeDescription,
  type LangiumCoreServices,
  type ReferenceInfo,
  type Scope,
} from 'langium';

export class QnnScopeComputation extends DefaultScopeComputation {
  override async collectExportedSymbols(): Promise<AstNodeDescription[]> {
    return [];
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
      const elements = local.has(root) ? local.getStream(root).filter((d) => this.reflection.isSubtype(d.type, referenceType)).toArray() : [];
      scope = new MapScope(elements, EMPTY_SCOPE);
      byType.set(referenceType, scope);
    }
    return scope;
  }
}
