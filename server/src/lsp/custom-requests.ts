/**
 * Custom requests for the extension's status bar, estimate output and webviews (names and
 * shapes: protocol/requests.ts):
 * - `qnn/analysis` { uri } → the same object as `qnn estimate --json` (null when the
 *   document is not open or has no estimate yet);
 * - `qnn/estimateView` { uri } → that estimate with its utilisation and the text of
 *   `qnn estimate` (report/estimate-text.ts), so the client words nothing itself.
 */
import { URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Connection } from 'vscode-languageserver';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import type { Estimate } from '../protocol/estimate.js';
import {
  ANALYSIS_REQUEST,
  ESTIMATE_VIEW_REQUEST,
  type AnalysisResult,
  type DocumentParams,
  type EstimateViewResult,
} from '../protocol/requests.js';
import { estimateView } from '../report/estimate-text.js';

export function registerCustomRequests(connection: Connection, shared: LangiumSharedServices, qnn: QnnServices): void {
  /** The estimate of the document as the editor shows it (undefined: not open, or no estimate). */
  const estimateOf = async (params: DocumentParams): Promise<Estimate | undefined> => {
    const uri = URI.parse(params.uri);
    const docs = shared.workspace.LangiumDocuments;
    // Wait until the document (if open) is built, so the answer matches what the editor shows.
    await shared.workspace.DocumentBuilder.waitUntil(2 /* DocumentState.IndexedContent */);
    const doc = docs.hasDocument(uri) ? (docs.getDocument(uri) as LangiumDocument<NetworkAst>) : undefined;
    if (!doc) return undefined;
    return qnn.analysis.AnalysisCache.get(doc).estimate;
  };
  connection.onRequest(ANALYSIS_REQUEST, async (params: DocumentParams): Promise<AnalysisResult> => (await estimateOf(params)) ?? null);
  connection.onRequest(ESTIMATE_VIEW_REQUEST, async (params: DocumentParams): Promise<EstimateViewResult> => {
    const est = await estimateOf(params);
    return est ? estimateView(est) : null;
  });
}
