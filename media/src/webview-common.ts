/** What the webviews share: the VS Code API handle, element building, and the messages both ways. */
import type { Estimate } from '../../server/src/protocol/estimate.js';
import type { BuildReport, SimResult } from '../../server/src/protocol/results.js';

/** From the extension: the active network's results, or why there are none. */
export type ToWebview =
  | { type: 'update'; file: string; estimate: Estimate; sim: SimResult | null; build: BuildReport | null }
  | { type: 'empty'; message: string };
/** To the extension: reveal a layer in the .qnn editor. */
export type FromWebview = { type: 'reveal'; layer: string } | { type: 'ready' };

interface VsCodeApi {
  postMessage(m: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

/** An element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A two-column table of label/value rows. */
export function rowsTable(rows: [string, string][], cls = 'rows'): HTMLTableElement {
  return h('table', { class: cls }, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))));
}

/** Listens for the extension's messages and says it is ready for the first one. */
export function onUpdate(render: (m: ToWebview) => void): void {
  window.addEventListener('message', (ev: MessageEvent<ToWebview>) => render(ev.data));
  vscode.postMessage({ type: 'ready' });
}
