/**
 * The analysis of a document (network model + estimate + all model diagnostics),
 * computed once per document version and shared by diagnostics, hovers, inlay hints,
 * code actions and the `qnn/analysis` request.
 */
import type { LangiumDocument } from 'langium';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import { analyze, type Analysis } from './analyze.js';
import { CachedFileAccess } from './file-cache.js';

export class AnalysisCache {
  private readonly cache = new WeakMap<LangiumDocument, { version: number; text: string; analysis: Analysis }>();
  readonly files = new CachedFileAccess();

  get(doc: LangiumDocument<NetworkAst>): Analysis {
    const text = doc.textDocument.getText();
    const hit = this.cache.get(doc);
    if (hit && hit.version === doc.textDocument.version && hit.text === text && this.files.unchangedSince(hit.analysis))
      return hit.analysis;
    const file = doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
    this.files.begin();
    const analysis = analyze(doc.parseResult.value, { file, files: this.files });
    this.files.end(analysis);
    this.cache.set(doc, { version: doc.textDocument.version, text, analysis });
    return analysis;
  }
}
