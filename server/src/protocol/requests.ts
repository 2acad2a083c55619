/**
 * The language server's custom requests (server/src/lsp/custom-requests.ts answers them,
 * the extension's client/src/ sends them). Names and shapes, nothing else.
 */
import type { Estimate } from './estimate.js';
import type { Utilisation } from './utilisation.js';

/** The parameters of every request below: the document's URI as the client knows it. */
export interface DocumentParams {
  uri: string;
}

/**
 * `qnn/analysis` { uri } → the document's estimate, the same object as `qnn estimate --json`
 * (null when the document is not open or has no estimate: no target or no engine).
 */
export const ANALYSIS_REQUEST = 'qnn/analysis';
export type AnalysisResult = Estimate | null;

/**
 * `qnn/estimateView` { uri } → what the editor shows of the estimate, computed and worded
 * by the server (the client only displays it); null as for `qnn/analysis`.
 */
export const ESTIMATE_VIEW_REQUEST = 'qnn/estimateView';
export type EstimateViewResult = EstimateView | null;

export interface EstimateView {
  /** The same object as `qnn/analysis`. */
  estimate: Estimate;
  utilisation: Utilisation;
  /** Frames per second, short: "19.5k". */
  fps_text: string;
  /** "✓ fps >= 5k" / "✗ fps >= 5k"; null without an `fps >=` target. */
  fps_target_text: string | null;
  /** The text of `qnn estimate FILE`: summary, resources, one row per layer, the streams. */
  table: string;
}
