/**
 * The waveform viewer's messages: the webview (media/src/waveform-view.ts) asks, the
 * extension host (client/src/views/waveform-editor.ts) passes each request to the VCD
 * worker (server/src/flows/vcd/worker.ts, which holds the parsed file) and the answer
 * back. Only what is visible crosses: the rows of the shown signals over the shown time
 * range, summarised to at most a change per pixel. Values travel as text: bits as 0/1/x/z
 * digits, most significant first, `width` long; a real or a string variable as its text.
 * Types only.
 */

export type WaveValueKind = 'bits' | 'real' | 'string';

export interface WaveTimescale {
  magnitude: number;
  unit: 's' | 'ms' | 'us' | 'ns' | 'ps' | 'fs';
  seconds: number;
}

/** A variable of the file (an alias of another shares its changes). */
export interface WaveSignal {
  /** Index in WaveOverview.signals (the file's $var order). */
  id: number;
  name: string;
  /** Scope path and name, dotted. */
  path: string;
  width: number;
  kind: WaveValueKind;
  /** wire, reg, integer, … */
  type: string;
  range: string;
  changes: number;
}

/** A node of the signal tree: a scope of the file, or (first) the design's streams grouped by engine. */
export interface WaveTreeNode {
  label: string;
  kind: 'scope' | 'engine' | 'stream' | 'group';
  /** An engine node's engine, a stream node's stream signal prefix. */
  key?: string;
  /** An engine node: the layers it computes (Show in Waveform on any of them selects it). */
  layers?: string[];
  children: WaveTreeNode[];
  /** Signal ids directly under this node. */
  signals: number[];
}

/** A stream of the design found in the waveform. */
export interface WaveStream {
  /** `c1_out`, `s_axis`, `m_axis`. */
  signal: string;
  /** `c1.out`, `c2.in`. */
  label: string;
  engine: string | null;
  tensor: string;
  shape: number[];
  type: string;
  elems: number;
  tdata: number;
  tvalid: number;
  tready: number;
  tlast: number | null;
  transactions: number;
}

export interface WaveMismatch {
  /** The handshake's time, or null when the waveform does not hold it (then `reason`). */
  time: number | null;
  stream: string;
  /** Index of the transaction on its stream. */
  transaction: number | null;
  /** `layer t3, frame 0, element 12 (ch 0, position 12): expected 1, got 0`. */
  text: string;
  reason: string | null;
}

export interface WaveOverview {
  file: string;
  timescale: WaveTimescale;
  /** First and last timestamps of the file. */
  start: number;
  end: number;
  signals: WaveSignal[];
  tree: WaveTreeNode[];
  /** The design's streams (empty for a VCD of another design). */
  streams: WaveStream[];
  /** The network whose report.json decoded the streams, or null. */
  network: string | null;
  /** Why no streams are decoded (no report.json beside the VCD, streams missing), or null. */
  streamsNote: string | null;
  mismatch: WaveMismatch | null;
  /** The clock transactions are sampled on (a signal id), or null. */
  clock: number | null;
  /** Its period (the most common distance between rising edges, in file time units), or null. */
  period: number | null;
  stats: { bytes: number; changes: number; parseMs: number; heapMB: number };
  warnings: string[];
}

/**
 * A row over [t0, t1]: its changes as [time, value] in order, the first at or before t0
 * (the value in effect there). `value` null: more changes than pixels from this time to
 * the next segment's (drawn as a filled band).
 */
export interface WaveRow {
  id: number;
  segments: [number, string | null][];
}

export interface WaveTransaction {
  index: number;
  time: number;
  frame: number;
  word: number;
  /** Decoded elements ('x' for unknown bits). */
  values: string[];
  last: boolean | null;
  position: string;
  text: string;
}

/** Webview → extension host (→ worker, except ready). */
export type WaveRequest =
  | { type: 'ready' }
  | { type: 'rows'; req: number; t0: number; t1: number; px: number; ids: number[] }
  | { type: 'values'; req: number; t: number; ids: number[] }
  | { type: 'transactions'; req: number; stream: string; from: number; count: number }
  | { type: 'transactionAt'; req: number; stream: string; t: number }
  /** The next (dir 1) or previous (dir −1) change of a signal after/before `from` whose value is `bits`. */
  | { type: 'search'; req: number; id: number; bits: string; from: number; dir: 1 | -1 };

/** Extension host → webview. */
export type WaveMessage =
  | { type: 'progress'; read: number; size: number }
  | { type: 'overview'; overview: WaveOverview }
  | { type: 'error'; message: string }
  /** Show a layer's engine streams (QNN: Show in Waveform). */
  | { type: 'select'; layer: string }
  | { type: 'rows'; req: number; t0: number; t1: number; rows: WaveRow[] }
  | { type: 'values'; req: number; t: number; values: (string | null)[] }
  | { type: 'transactions'; req: number; stream: string; from: number; total: number; items: WaveTransaction[] }
  | { type: 'transactionAt'; req: number; stream: string; index: number }
  | { type: 'search'; req: number; time: number | null };

/** Extension host → worker: open a file, then the webview's requests. */
export type WaveWorkerRequest = { type: 'open'; file: string } | Exclude<WaveRequest, { type: 'ready' }>;
/** Worker → extension host. */
export type WaveWorkerMessage = Exclude<WaveMessage, { type: 'select' }>;
