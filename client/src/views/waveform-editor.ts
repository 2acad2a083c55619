/**
 * The waveform viewer: a custom read-only editor for `*.vcd` (viewType `qnn.waveform`).
 * Each open file gets a VCD worker thread (out/server/vcd-worker.cjs, built from
 * server/src/flows/vcd/worker.ts) that reads and indexes it off the editor's thread; the
 * webview (out/media/waveform.js) asks for what it shows and this passes the requests and
 * answers through (protocol/waveform.ts). *QNN: Show in Waveform* opens a network's last
 * simulation waveform with a layer's engine streams selected.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { buildFiles, buildFolder } from '../../../server/src/protocol/build-folder.js';
import type { SimResult } from '../../../server/src/protocol/results.js';
import type { WaveMessage, WaveRequest, WaveWorkerMessage, WaveWorkerRequest } from '../../../server/src/protocol/waveform.js';

export const WAVEFORM_VIEW_TYPE = 'qnn.waveform';

/** One open .vcd: its worker, and the last overview or error to replay to a panel opened later. */
class WaveformDocument implements vscode.CustomDocument {
  readonly worker: Worker;
  private readonly listeners = new Set<(m: WaveWorkerMessage) => void>();
  /** The overview (or the error that stopped the reading), for panels that attach late. */
  opened: WaveWorkerMessage | null = null;
  nextReq = 1;

  constructor(
    readonly uri: vscode.Uri,
    workerFile: string,
  ) {
    this.worker = new Worker(workerFile);
    this.worker.on('message', (m: WaveWorkerMessage) => {
      if (m.type === 'overview' || (m.type === 'error' && !this.opened)) this.opened = m;
      for (const l of this.listeners) l(m);
    });
    this.worker.on('error', (e) => {
      const m: WaveWorkerMessage = { type: 'error', message: `The waveform reader stopped: ${e.message}` };
      this.opened ??= m;
      for (const l of this.listeners) l(m);
    });
    this.post({ type: 'open', file: uri.fsPath });
  }

  post(m: WaveWorkerRequest): void {
    this.worker.postMessage(m);
  }

  listen(l: (m: WaveWorkerMessage) => void): vscode.Disposable {
    this.listeners.add(l);
    return new vscode.Disposable(() => this.listeners.delete(l));
  }

  dispose(): void {
    this.listeners.clear();
    void this.worker.terminate();
  }
}

export class WaveformEditorProvider implements vscode.CustomReadonlyEditorProvider<WaveformDocument> {
  private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
  /** Layers to select in a waveform once its panel is ready (Show in Waveform before the editor opened). */
  private readonly pending = new Map<string, string>();
  private readonly ready = new WeakSet<vscode.WebviewPanel>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  static register(context: vscode.ExtensionContext): WaveformEditorProvider {
    const provider = new WaveformEditorProvider(context);
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(WAVEFORM_VIEW_TYPE, provider, {
        webviewOptions: { retainContextWhenHidden: true },
        supportsMultipleEditorsPerDocument: true,
      }),
    );
    return provider;
  }

  openCustomDocument(uri: vscode.Uri): WaveformDocument {
    if (uri.scheme !== 'file') throw new Error('The waveform viewer reads files on disk only.');
    return new WaveformDocument(uri, this.context.asAbsolutePath('out/server/vcd-worker.cjs'));
  }

  resolveCustomEditor(document: WaveformDocument, panel: vscode.WebviewPanel): void {
    const key = document.uri.toString();
    const set = this.panels.get(key) ?? new Set();
    set.add(panel);
    this.panels.set(key, set);
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.context.extensionUri, 'out', 'media'),
        vscode.Uri.joinPath(this.context.extensionUri, 'media'),
      ],
    };
    panel.webview.html = this.html(panel.webview);
    // Each request gets a number of the document's (panels number theirs from 0); the answer goes back to the panel that asked, with its own number.
    const asked = new Map<number, number>();
    const send = (m: WaveMessage): void => void panel.webview.postMessage(m);
    const sub = document.listen((m) => {
      if ('req' in m) {
        const own = asked.get(m.req);
        if (own === undefined) return;
        asked.delete(m.req);
        send({ ...m, req: own });
        return;
      }
      send(m);
      if (m.type === 'overview') this.flushPending(key, panel);
    });
    panel.webview.onDidReceiveMessage((m: WaveRequest) => {
      if (m.type === 'ready') {
        this.ready.add(panel);
        if (document.opened) send(document.opened);
        if (document.opened?.type === 'overview') this.flushPending(key, panel);
        return;
      }
      const req = document.nextReq++;
      asked.set(req, m.req);
      document.post({ ...m, req });
    });
    panel.onDidDispose(() => {
      sub.dispose();
      set.delete(panel);
      if (!set.size) this.panels.delete(key);
    });
  }

  private flushPending(key: string, panel: vscode.WebviewPanel): void {
    const layer = this.pending.get(key);
    if (layer === undefined || !this.ready.has(panel)) return;
    this.pending.delete(key);
    void panel.webview.postMessage({ type: 'select', layer } satisfies WaveMessage);
  }

  /** Opens a waveform in the viewer with a layer's engine streams selected. */
  async showLayer(vcd: vscode.Uri, layer: string | undefined): Promise<void> {
    const key = vcd.toString();
    if (layer) this.pending.set(key, layer);
    await vscode.commands.executeCommand('vscode.openWith', vcd, WAVEFORM_VIEW_TYPE);
    // Already open: the panel is ready and takes the layer now.
    for (const p of this.panels.get(key) ?? []) this.flushPending(key, p);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'out', 'media', 'waveform.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'waveform.css'));
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}"><title>Waveform</title></head>
<body><div id="root"><p class="empty">Reading the waveform…</p></div><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }
}

/** The layer declared on the cursor's line, or the nearest one above it. */
function layerAtCursor(editor: vscode.TextEditor | undefined): string | undefined {
  if (!editor) return undefined;
  const doc = editor.document;
  for (let line = editor.selection.active.line; line >= 0; line--) {
    const m = /^\s*layer\s+([A-Za-z_][A-Za-z0-9_]*)\b/.exec(doc.lineAt(line).text);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * *QNN: Show in Waveform*: the last `qnn sim --vcd` waveform of the active network (its
 * sim/result.json names it) in the viewer, the layer at the cursor (or `layer`) selected.
 */
export async function showInWaveform(provider: WaveformEditorProvider, uri?: vscode.Uri, layer?: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const file = uri ?? editor?.document.uri;
  if (!file || !file.fsPath.endsWith('.qnn') || file.scheme !== 'file') {
    void vscode.window.showErrorMessage(
      'Open a saved .qnn file and put the cursor on a layer: Show in Waveform opens its last simulation.',
    );
    return;
  }
  const picked = layer ?? (editor && editor.document.uri.toString() === file.toString() ? layerAtCursor(editor) : undefined);
  const { simResult, simFolder } = buildFiles(buildFolder(file.fsPath));
  let waveform: string | null = null;
  try {
    waveform = (JSON.parse(readFileSync(simResult, 'utf8')) as SimResult).waveform;
  } catch {
    // No result.json: a VCD left in the sim folder will do.
    const vcd = existsSync(simFolder) ? readdirSync(simFolder).find((f) => f.endsWith('.vcd')) : undefined;
    waveform = vcd ? path.join(simFolder, vcd) : null;
  }
  if (!waveform || !existsSync(waveform)) {
    const run = 'Simulate';
    const pick = await vscode.window.showInformationMessage(
      `No waveform of ${vscode.workspace.asRelativePath(file)} yet: run QNN: Simulate first (it records the streams).`,
      run,
    );
    if (pick === run) await vscode.commands.executeCommand('qnn.simulate', file);
    return;
  }
  await provider.showLayer(vscode.Uri.file(waveform), picked);
}
