/**
 * The status bar item for qnn editors: frames/s and the largest device usage,
 * e.g. `$(pulse) 9.8k fps · LUT 12.3 %`, from the server's `qnn/estimateView` request
 * (worded there, as in the code lens).
 *
 * Refreshed when a qnn editor becomes active (at once), when its text changes or its
 * diagnostics change (debounced, ~300 ms), and when the server (re)starts. Answers that
 * arrive after a newer request was sent are dropped. Clicking runs `qnn.showEstimate`.
 */
import * as vscode from 'vscode';
import type { EstimateView } from '../../server/src/protocol/requests.js';
import { asEstimateView, overCapacity, statusText, tooltipMarkdown } from './estimate.js';
import { LANGUAGE_ID, SETTINGS, statusBarEnabled } from './settings.js';

/** Asks the server for a document's `qnn/estimateView` (the raw answer; null when there is none). */
export type EstimateViewFetcher = (document: vscode.TextDocument) => Promise<unknown>;

type State = { kind: 'loading' } | { kind: 'estimate'; view: EstimateView } | { kind: 'none' } | { kind: 'error'; message: string };

export const STATUS_BAR_ID = 'qnn.estimate';

export class EstimateStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private current: vscode.TextDocument | undefined;
  private state: State = { kind: 'loading' };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;

  constructor(
    private readonly fetch: EstimateViewFetcher,
    command: string,
    private readonly debounceMs = 300,
  ) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'qnn Estimate';
    this.item.command = command;
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.follow()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.current && e.contentChanges.length > 0) this.schedule(this.debounceMs);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d === this.current) this.follow();
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const cur = this.current?.uri.toString();
        if (cur && e.uris.some((u) => u.toString() === cur)) this.schedule(this.debounceMs);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.statusBar)) this.follow(true);
      }),
    );
    this.follow(true);
  }

  /** The qnn document the item describes, if any. */
  get document(): vscode.TextDocument | undefined {
    return this.current;
  }

  /** Asks the server again now (e.g. after it (re)started). */
  refresh(): void {
    if (this.current) this.schedule(0);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.seq++;
    for (const d of this.disposables) d.dispose();
  }

  /**
   * Picks the document to describe: the active editor's when it is a qnn file. With no
   * text editor in front (or the Output panel, where the estimate table opens) the last
   * qnn document stays while it is still visible; another language in front hides the item.
   */
  private pick(): vscode.TextDocument | undefined {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === LANGUAGE_ID) return editor.document;
    if (editor && editor.document.uri.scheme !== 'output') return undefined;
    const last = this.current;
    return last && !last.isClosed && vscode.window.visibleTextEditors.some((e) => e.document === last) ? last : undefined;
  }

  private follow(force = false): void {
    const next = statusBarEnabled() ? this.pick() : undefined;
    if (next === this.current && !force) return;
    const changed = next !== this.current;
    this.current = next;
    if (!next) {
      this.seq++; // drop answers in flight
      if (this.timer) clearTimeout(this.timer);
      this.item.hide();
      return;
    }
    if (changed) this.state = { kind: 'loading' };
    this.render();
    this.item.show();
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.update();
    }, delayMs);
  }

  private async update(): Promise<void> {
    const doc = this.current;
    if (!doc) return;
    const seq = ++this.seq;
    let state: State;
    try {
      const raw = await this.fetch(doc);
      const view = asEstimateView(raw);
      state = view
        ? { kind: 'estimate', view }
        : raw === null
          ? { kind: 'none' }
          : { kind: 'error', message: 'the server answered in an unknown form' };
    } catch (err) {
      state = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    if (seq !== this.seq || doc !== this.current) return; // a newer request or another document
    this.state = state;
    this.render();
  }

  private render(): void {
    const s = this.state;
    this.item.backgroundColor = undefined;
    switch (s.kind) {
      case 'loading':
        this.item.text = '$(pulse) qnn …';
        this.item.tooltip = 'qnn: estimating frames/s and device usage…';
        break;
      case 'none':
        this.item.text = '$(pulse) no estimate';
        this.item.tooltip = new vscode.MarkdownString(
          'No estimate for this network yet: it needs a `target DEVICE @ CLOCK` line and at least one layer the compiler can map to an engine.',
        );
        break;
      case 'error':
        this.item.text = '$(warning) qnn';
        this.item.tooltip = `qnn: no estimate (${s.message})`;
        break;
      case 'estimate': {
        const v = s.view;
        this.item.text = statusText(v);
        this.item.tooltip = new vscode.MarkdownString(tooltipMarkdown(v), true);
        const codes = this.diagnosticCodes();
        if (codes.has('QNN050') || overCapacity(v)) {
          this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        } else if (codes.has('QNN051') || v.estimate.fps_met === false) {
          this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        }
        break;
      }
    }
  }

  private diagnosticCodes(): Set<string> {
    const codes = new Set<string>();
    if (!this.current) return codes;
    for (const d of vscode.languages.getDiagnostics(this.current.uri)) {
      const c = typeof d.code === 'object' ? d.code.value : d.code;
      if (c !== undefined) codes.add(String(c));
    }
    return codes;
  }
}
