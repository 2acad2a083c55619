/**
 * `qnn.showEstimate`: the estimate of a qnn document as a text table in the
 * "qnn Estimate" output channel: the same text as `qnn estimate FILE`, rendered by the
 * server (`qnn/estimateView`). A later issue replaces this with webviews.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { asEstimateView, estimateReport } from './estimate.js';
import { LANGUAGE_ID } from './settings.js';
import type { EstimateViewFetcher } from './status-bar.js';

export class EstimateOutput implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;

  constructor(private readonly fetch: EstimateViewFetcher) {
    this.channel = vscode.window.createOutputChannel('qnn Estimate');
  }

  dispose(): void {
    this.channel.dispose();
  }

  /** Shows the estimate of `target` (a Uri, e.g. from a menu), else of the given or active qnn document. */
  async show(target?: vscode.Uri | vscode.TextDocument, fallback?: vscode.TextDocument): Promise<void> {
    const doc = await this.resolve(target, fallback);
    if (!doc) {
      void vscode.window.showInformationMessage('qnn: open a .qnn file to see its estimate.');
      return;
    }
    const name = doc.isUntitled ? doc.uri.path : path.basename(doc.uri.fsPath);
    let text: string;
    try {
      const raw = await this.fetch(doc);
      const view = asEstimateView(raw);
      text = view
        ? estimateReport(view, `qnn estimate: ${name}`)
        : `qnn estimate: ${name}\n\nNo estimate yet: the network needs a \`target DEVICE @ CLOCK\` line and at least one layer that maps to an engine (see the Problems panel).`;
    } catch (err) {
      text = `qnn estimate: ${name}\n\nThe language server did not answer: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.channel.clear();
    this.channel.appendLine(text);
    this.channel.appendLine('');
    this.channel.appendLine(`(${new Date().toLocaleTimeString()}; ${doc.uri.toString(true)})`);
    this.channel.show(true);
  }

  private async resolve(
    target: vscode.Uri | vscode.TextDocument | undefined,
    fallback?: vscode.TextDocument,
  ): Promise<vscode.TextDocument | undefined> {
    if (target instanceof vscode.Uri) {
      try {
        const doc = await vscode.workspace.openTextDocument(target);
        return doc.languageId === LANGUAGE_ID ? doc : undefined;
      } catch {
        return undefined;
      }
    }
    if (target && typeof target === 'object' && 'languageId' in target && target.languageId === LANGUAGE_ID) return target;
    const active = vscode.window.activeTextEditor?.document;
    if (active?.languageId === LANGUAGE_ID) return active;
    return fallback;
  }
}
