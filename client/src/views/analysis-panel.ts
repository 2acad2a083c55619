/**
 * *QNN: Show Roofline* and *QNN: Show Timing*: a webview beside the editor that follows
 * the active `.qnn` file and updates as you type (debounced; typing never waits for it).
 * The panel only shows what the server computed (`qnn/analysis`) and what `qnn sim` and
 * `qnn build` left in the build folder; the webview scripts (media/src/*-view.ts, bundled
 * to out/media/) lay it out and ask back to reveal a layer.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Estimate } from '../../../server/src/protocol/estimate.js';
import type { BuildReport, SimResult } from '../../../server/src/protocol/results.js';
import { buildFiles, buildFolder } from '../../../server/src/protocol/build-folder.js';
import { LANGUAGE_ID } from '../settings.js';

export type AnalysisFetcher = (document: vscode.TextDocument) => Promise<Estimate | null>;

export interface PanelKind {
  /** Webview panel type and the bundle in out/media/ (roofline, timing). */
  id: 'roofline' | 'timing';
  title: string;
}

const DEBOUNCE_MS = 300;

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export class AnalysisPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.TextDocument | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly kind: PanelKind,
    private readonly fetch: AnalysisFetcher,
  ) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((ed) => {
        if (ed?.document.languageId === LANGUAGE_ID) this.follow(ed.document);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document) this.schedule();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d === this.document) this.schedule();
      }),
    );
    // A simulation or a build finishing updates the figures they add.
    const watcher = vscode.workspace.createFileSystemWatcher('**/build/**/{sim/result.json,bitstream/report.json}');
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.schedule()),
      watcher.onDidCreate(() => this.schedule()),
    );
  }

  /** Opens (or reveals) the panel on a document. */
  show(document: vscode.TextDocument | undefined): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        this.kind.id,
        this.kind.title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          retainContextWhenHidden: true,
          localResourceRoots: [
            vscode.Uri.joinPath(this.context.extensionUri, 'out', 'media'),
            vscode.Uri.joinPath(this.context.extensionUri, 'media'),
          ],
        },
      );
      this.ready = false;
      this.panel.webview.html = this.html(this.panel.webview);
      this.panel.webview.onDidReceiveMessage((m: { type: string; layer?: string }) => {
        if (m.type === 'ready') {
          this.ready = true;
          void this.update();
        } else if (m.type === 'reveal' && m.layer) void this.reveal(m.layer);
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
      });
    } else this.panel.reveal(undefined, true);
    if (document) this.follow(document);
  }

  private follow(document: vscode.TextDocument): void {
    if (!this.panel) return;
    this.document = document;
    this.schedule(0);
  }

  private schedule(ms = DEBOUNCE_MS): void {
    if (!this.panel) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), ms);
  }

  private async update(): Promise<void> {
    const panel = this.panel;
    const doc = this.document;
    if (!panel || !this.ready) return;
    if (!doc) {
      void panel.webview.postMessage({ type: 'empty', message: 'Open a .qnn file: the view follows the active network.' });
      return;
    }
    const gen = ++this.generation;
    let estimate: Estimate | null;
    try {
      estimate = await this.fetch(doc);
    } catch (e) {
      void panel.webview.postMessage({
        type: 'empty',
        message: `The language server did not answer: ${e instanceof Error ? e.message : String(e)}`,
      });
      return;
    }
    if (gen !== this.generation) return; // a newer edit is on its way
    const name = vscode.workspace.asRelativePath(doc.uri);
    panel.title = `${this.kind.title}: ${name.split('/').pop()}`;
    if (!estimate) {
      void panel.webview.postMessage({
        type: 'empty',
        message: `No estimate for ${name} yet: the network needs a \`target DEVICE @ CLOCK\` line and a layer that maps to an engine (see the Problems panel).`,
      });
      return;
    }
    const files = doc.uri.scheme === 'file' ? buildFiles(buildFolder(doc.uri.fsPath)) : undefined;
    void panel.webview.postMessage({
      type: 'update',
      file: name,
      estimate,
      sim: files ? readJson<SimResult>(files.simResult) : null,
      build: files ? readJson<BuildReport>(files.buildReport) : null,
    });
  }

  /** Reveals `layer NAME` in the followed document. */
  private async reveal(layer: string): Promise<void> {
    const doc = this.document;
    if (!doc) return;
    const m = new RegExp(`\\blayer\\s+${layer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).exec(doc.getText());
    if (!m) return;
    const start = doc.positionAt(m.index + m[0].length - layer.length);
    const range = new vscode.Range(start, start.translate(0, layer.length));
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'out', 'media', `${this.kind.id}.js`));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'views.css'));
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}"><title>${this.kind.title}</title></head>
<body><div id="root"><p class="empty">Loading…</p></div><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
