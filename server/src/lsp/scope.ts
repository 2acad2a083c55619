/**
 * Names are local to their file: a `.qnn` file is one network, and a layer named like
 * one in another file is a different layer. Langium exports top-level names to the
 * workspace by default, which would let an unknown name link to another file (and a
 * rename there edit this one); nothing is exported here.
 */
import { DefaultScopeComputation, type AstNodeDescription } from 'langium';

export class QnnScopeComputation extends DefaultScopeComputation {
  override async collectExportedSymbols(): Promise<AstNodeDescription[]> {
    return [];
  }
}
