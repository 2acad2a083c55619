/**
 * The qnn-fpga extension: starts the language server over IPC and shows what it computes
 * (diagnostics, hovers, inlay hints come through the language client; the status bar
 * item and the estimate report read the server's `qnn/estimateView` request). The commands
 * that run tools live in flow-commands.ts.
 *
 * Activated by VS Code when a `qnn` document opens (implied by `contributes.languages`)
 * or one of its commands runs (implied by `contributes.commands`), so
 * `activationEvents` stays empty.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node.js';
import { EstimateOutput } from './estimate-output.js';
import { registerFlowCommands } from './flow-commands.js';
import { ANALYSIS_REQUEST, ESTIMATE_VIEW_REQUEST, type AnalysisResult, type DocumentParams } from '../../server/src/protocol/requests.js';
import { AnalysisPanel, type AnalysisFetcher } from './views/analysis-panel.js';
import { showInWaveform, WaveformEditorProvider } from './views/waveform-editor.js';
import { affectsInlayHints, createLanguageClient, refreshInlayHints } from './language-client.js';
import { EstimateStatusBar, type EstimateViewFetcher } from './status-bar.js';

export const COMMANDS = {
  showEstimate: 'qnn.showEstimate',
  showRoofline: 'qnn.showRoofline',
  showTiming: 'qnn.showTiming',
  showInWaveform: 'qnn.showInWaveform',
  restartServer: 'qnn.restartServer',
} as const;

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverOutput = vscode.window.createOutputChannel('qnn Language Server');
  context.subscriptions.push(serverOutput);

  const lc = createLanguageClient(context, serverOutput);
  client = lc;
  // Not awaited: the status bar and commands wait for it themselves, and a server that
  // fails to start must not make activation fail (the flow commands still work).
  const started = lc.start();
  started.catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    serverOutput.appendLine(`The qnn language server did not start: ${message}`);
    void vscode.window.showErrorMessage(`qnn: the language server did not start (${message}). See the "qnn Language Server" output.`);
  });

  const fetchView: EstimateViewFetcher = async (document) => {
    await started;
    if (!lc.isRunning()) throw new Error('the qnn language server is not running');
    const params: DocumentParams = { uri: document.uri.toString() };
    return lc.sendRequest(ESTIMATE_VIEW_REQUEST, params);
  };

  const fetchAnalysis: AnalysisFetcher = async (document) => {
    await started;
    if (!lc.isRunning()) throw new Error('the qnn language server is not running');
    const params: DocumentParams = { uri: document.uri.toString() };
    return lc.sendRequest<AnalysisResult>(ANALYSIS_REQUEST, params);
  };
  const roofline = new AnalysisPanel(context, { id: 'roofline', title: 'Roofline' }, fetchAnalysis);
  const timing = new AnalysisPanel(context, { id: 'timing', title: 'Timing' }, fetchAnalysis);
  const activeQnn = (uri?: vscode.Uri): Thenable<vscode.TextDocument | undefined> =>
    uri
      ? vscode.workspace.openTextDocument(uri)
      : Promise.resolve(
          vscode.window.activeTextEditor?.document.languageId === 'qnn' ? vscode.window.activeTextEditor.document : statusBar.document,
        );

  const waveforms = WaveformEditorProvider.register(context);
  const statusBar = new EstimateStatusBar(fetchView, COMMANDS.showEstimate);
  const estimateOutput = new EstimateOutput(fetchView);

  context.subscriptions.push(
    statusBar,
    estimateOutput,
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) statusBar.refresh();
    }),
    vscode.commands.registerCommand(COMMANDS.showEstimate, (target?: vscode.Uri) => estimateOutput.show(target, statusBar.document)),
    roofline,
    timing,
    vscode.commands.registerCommand(COMMANDS.showRoofline, async (uri?: vscode.Uri) => roofline.show(await activeQnn(uri))),
    vscode.commands.registerCommand(COMMANDS.showTiming, async (uri?: vscode.Uri) => timing.show(await activeQnn(uri))),
    vscode.commands.registerCommand(COMMANDS.showInWaveform, (uri?: vscode.Uri, layer?: string) =>
      showInWaveform(waveforms, uri instanceof vscode.Uri ? uri : undefined, typeof layer === 'string' ? layer : undefined),
    ),
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      serverOutput.appendLine('Restarting the qnn language server…');
      await lc.restart();
      statusBar.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsInlayHints(e)) refreshInlayHints(lc);
    }),
  );
  registerFlowCommands(context);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) await c.stop();
}
