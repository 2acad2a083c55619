/**
 * The qnn-fpga extension: starts the language server over IPC and shows what it computes
 * (diagnostics, hovers, inlay hints come through the language client; the status bar
 * item and the estimate report read the server's `qnn/analysis` request). The commands
 * that run tools live in flow-commands.ts.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node.js';
import { asEstimate, estimateReport, statusText, type Estimate } from './estimate.js';
import { registerFlowCommands } from './flow-commands.js';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('out/server/main.cjs');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const output = vscode.window.createOutputChannel('qnn-fpga');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'qnn' },
      { scheme: 'untitled', language: 'qnn' },
    ],
    synchronize: { configurationSection: 'qnn' },
    outputChannel: output,
  };
  client = new LanguageClient('qnn', 'qnn language server', serverOptions, clientOptions);
  await client.start();

  const status = new EstimateStatus(client);
  context.subscriptions.push(output, status, { dispose: () => void client?.stop() });
  context.subscriptions.push(
    vscode.commands.registerCommand('qnn.showEstimate', async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || doc.languageId !== 'qnn') {
        void vscode.window.showInformationMessage('Open a .qnn file to see its estimate.');
        return;
      }
      const est = await status.fetch(doc.uri);
      if (!est) {
        void vscode.window.showWarningMessage('No estimate yet: the network needs a target, an input and a layer, without errors that stop elaboration.');
        return;
      }
      output.clear();
      output.appendLine(estimateReport(est, doc.uri.fsPath));
      output.show(true);
    }),
  );
  registerFlowCommands(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** The status bar item: frames/s and the largest device usage of the active network. */
class EstimateStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qnn.estimate', vscode.StatusBarAlignment.Left, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly lc: LanguageClient) {
    this.item.name = 'qnn estimate';
    this.item.command = 'qnn.showEstimate';
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(300);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('qnn.statusBar')) this.schedule(0);
      }),
    );
    this.schedule(0);
  }

  async fetch(uri: vscode.Uri): Promise<Estimate | undefined> {
    try {
      return asEstimate(await this.lc.sendRequest('qnn/analysis', { uri: uri.toString() }));
    } catch {
      return undefined;
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
  }

  private async refresh(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'qnn' || !vscode.workspace.getConfiguration('qnn').get<boolean>('statusBar.enabled', true)) {
      this.item.hide();
      return;
    }
    const est = await this.fetch(doc.uri);
    if (doc !== vscode.window.activeTextEditor?.document) return;
    if (!est) {
      this.item.text = '$(pulse) qnn: no estimate';
      this.item.tooltip = 'Fix the errors in the Problems panel to get an estimate';
    } else {
      this.item.text = `$(pulse) ${statusText(est)}`;
      this.item.tooltip = 'qnn-fpga estimate: click for the per-layer table';
    }
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.item.dispose();
    this.subscriptions.forEach((d) => d.dispose());
  }
}
