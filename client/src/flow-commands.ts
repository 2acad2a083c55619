/**
 * "QNN: Compile to Verilog", "QNN: Simulate", "QNN: Check FIFO Depths" and "QNN: Build
 * Bitstream": each runs the `qnn` CLI bundled with the
 * extension as a VS Code task (output in the terminal, problems through the `$qnn`
 * problem matcher), then shows a summary. They execute tools, so they require a trusted
 * workspace (checked here, not only in `when` clauses). The CLI writes to the default
 * build folder and the summary is read from the files it leaves there; the folder, the
 * files and their shapes are the server's (protocol/build-folder.ts, protocol/results.ts).
 */
import * as path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { buildFiles, buildFolder } from '../../server/src/protocol/build-folder.js';
import type { BuildProgress, BuildReport, CompileReport, FifoCheckResult, SimResult } from '../../server/src/protocol/results.js';
import { toolEnvironment } from './settings.js';
import { requireTrust } from './trust.js';

/** The .qnn document the command applies to (the active editor), saved. */
async function activeQnnFile(uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  const doc = target && vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (!target || !target.fsPath.endsWith('.qnn')) {
    void vscode.window.showErrorMessage('Open a .qnn file first: the command works on the active network.');
    return undefined;
  }
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage('Save the network to a file first: weights and outputs are resolved next to it.');
    return undefined;
  }
  if (doc?.isDirty && !(await doc.save())) return undefined;
  return target;
}

/** A result file the CLI wrote (protocol/results.ts), or undefined when it is missing or unreadable. */
function readResult<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function toolEnv(): Record<string, string> {
  // ELECTRON_RUN_AS_NODE: in desktop VS Code, process.execPath is Electron.
  return { ELECTRON_RUN_AS_NODE: '1', ...toolEnvironment() };
}

/** Runs `qnn ARGS` as a task and resolves with its exit code; `onStart` gets the execution (to end it on Cancel). */
async function runCliTask(
  context: vscode.ExtensionContext,
  name: string,
  args: string[],
  cwd: string,
  extra: { matchers?: string[]; onStart?: (execution: vscode.TaskExecution) => void } = {},
): Promise<number | undefined> {
  const cli = context.asAbsolutePath(path.join('out', 'cli', 'qnn.cjs'));
  const task = new vscode.Task(
    { type: 'qnn', command: args[0], file: args[1] },
    vscode.TaskScope.Workspace,
    name,
    'qnn',
    new vscode.ProcessExecution(process.execPath, [cli, ...args], { cwd, env: toolEnv() }),
    extra.matchers ?? '$qnn',
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  const execution = await vscode.tasks.executeTask(task);
  extra.onStart?.(execution);
  return new Promise((resolve) => {
    const done = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution === execution) {
        done.dispose();
        resolve(e.exitCode);
      }
    });
  });
}

/** The progress notification's line for a build's progress.json: the phase, its elapsed time, and the phases done. */
function progressLine(p: BuildProgress | undefined): string {
  if (!p?.phase) return 'starting…';
  const n = p.phases.indexOf(p.phase) + 1;
  const elapsed = p.phase_started ? ((Date.now() - p.phase_started) / 1000).toFixed(0) : '0';
  const done = p.done.map((d) => `${d.name} ${d.seconds.toFixed(1)} s`).join(', ');
  return `${p.phase} (${n}/${p.phases.length}), ${elapsed} s${done ? ` — done: ${done}` : ''}`;
}

/** *QNN: Build Bitstream*: `qnn build` as a task, its phase live in a cancellable notification, then the report's summary. */
async function buildBitstreamCommand(context: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  if (!requireTrust('Build Bitstream')) return;
  const file = await activeQnnFile(uri);
  if (!file) return;
  const folder = buildFolder(file.fsPath);
  const out = buildFiles(folder);
  rmSync(out.buildReport, { force: true });
  rmSync(out.buildProgress, { force: true });
  let execution: vscode.TaskExecution | undefined;
  const code = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Build Bitstream: ${path.basename(file.fsPath)}`, cancellable: true },
    async (progress, cancel) => {
      // Cancel ends the task; the CLI then ends every tool's process tree and writes the report.
      cancel.onCancellationRequested(() => execution?.terminate());
      const timer = setInterval(() => progress.report({ message: progressLine(readResult<BuildProgress>(out.buildProgress)) }), 500);
      try {
        return await runCliTask(
          context,
          `build ${path.basename(file.fsPath)}`,
          ['build', file.fsPath, '-o', folder],
          path.dirname(file.fsPath),
          {
            matchers: ['$qnn', '$qnn-build-log'],
            onStart: (e) => (execution = e),
          },
        );
      } finally {
        clearInterval(timer);
      }
    },
  );
  const report = readResult<BuildReport>(out.buildReport);
  if (!report) {
    void vscode.window.showErrorMessage(`Build Bitstream failed (exit ${code ?? '?'}) before a report: see the terminal.`);
    return;
  }
  const actions = ['Open Report', 'Open Log'];
  const summary = report.cancelled
    ? 'Build Bitstream was cancelled; no tool is left running.'
    : !report.ok
      ? `Build Bitstream failed in ${report.failed_phase ?? '?'}: ${report.first_error ?? 'see the log'}`
      : `Bitstream ${path.basename(report.bitstream ?? '')}${report.cached ? ' (unchanged, not rebuilt)' : ''}: Fmax ${report.fmax_mhz?.toFixed(1) ?? '?'} MHz for ${report.clock_mhz} MHz (${report.clock_met ? 'met' : 'NOT met'}), ${report.resources.used?.lut ?? '?'} of ${report.resources.available.lut ?? '?'} ${report.resources.labels.lut}.`;
  const show = report.ok && report.clock_met !== false ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  const pick = await show(summary, ...actions);
  if (pick === 'Open Report') await vscode.window.showTextDocument(vscode.Uri.file(out.buildReport));
  if (pick === 'Open Log') await vscode.window.showTextDocument(vscode.Uri.file(report.log));
}

/** *QNN: Import ONNX Model…*: `qnn import` on a QONNX / FINN-ONNX file as a task, then the .qnn it wrote, opened. */
async function importOnnxCommand(context: vscode.ExtensionContext, uri?: vscode.Uri): Promise<void> {
  if (!requireTrust('Import ONNX Model')) return;
  const model =
    uri ??
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'ONNX model (QONNX, FINN-ONNX)': ['onnx'] },
        openLabel: 'Import',
      })
    )?.[0];
  if (!model) return;
  if (model.scheme !== 'file') {
    void vscode.window.showErrorMessage('Import ONNX Model reads a model from a file on disk.');
    return;
  }
  const name = path
    .basename(model.fsPath, '.onnx')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const outDir = await vscode.window.showInputBox({
    prompt: 'Folder for the .qnn, its weights and import.json',
    value: path.join(path.dirname(model.fsPath), name),
  });
  if (!outDir) return;
  rmSync(path.join(outDir, 'import.json'), { force: true });
  const code = await runCliTask(
    context,
    `import ${path.basename(model.fsPath)}`,
    ['import', model.fsPath, '-o', outDir],
    path.dirname(model.fsPath),
  );
  const info = code === 0 ? readResult<{ qnn: string }>(path.join(outDir, 'import.json')) : undefined;
  if (!info) {
    void vscode.window.showErrorMessage(
      `Import ONNX Model failed (exit ${code ?? '?'}): the terminal names the op and node it stopped at.`,
    );
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(outDir, info.qnn)));
}

export function registerFlowCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('qnn.importOnnx', (uri?: vscode.Uri) => importOnnxCommand(context, uri)),
    vscode.commands.registerCommand('qnn.build', (uri?: vscode.Uri) => buildBitstreamCommand(context, uri)),
    vscode.commands.registerCommand('qnn.compile', async (uri?: vscode.Uri) => {
      if (!requireTrust('Compile to Verilog')) return;
      const file = await activeQnnFile(uri);
      if (!file) return;
      const folder = buildFolder(file.fsPath);
      const out = buildFiles(folder);
      rmSync(out.report, { force: true });
      const code = await runCliTask(
        context,
        `compile ${path.basename(file.fsPath)}`,
        ['compile', file.fsPath, '-o', folder],
        path.dirname(file.fsPath),
      );
      const report = code === 0 ? readResult<CompileReport>(out.report) : undefined;
      if (!report) {
        void vscode.window.showErrorMessage(`Compile to Verilog failed (exit ${code ?? '?'}): see the terminal and the Problems panel.`);
        return;
      }
      const pick = await vscode.window.showInformationMessage(
        `Compiled ${report.network} to ${path.relative(path.dirname(file.fsPath), out.rtl)}`,
        'Open Top Level',
        'Open Report',
      );
      if (pick === 'Open Top Level') await vscode.window.showTextDocument(vscode.Uri.file(path.join(out.rtl, `${report.top}.sv`)));
      if (pick === 'Open Report') await vscode.window.showTextDocument(vscode.Uri.file(out.report));
    }),
    vscode.commands.registerCommand('qnn.simulate', async (uri?: vscode.Uri) => {
      if (!requireTrust('Simulate')) return;
      const file = await activeQnnFile(uri);
      if (!file) return;
      const folder = buildFolder(file.fsPath);
      const out = buildFiles(folder);
      const sim = vscode.workspace.getConfiguration('qnn.simulation');
      const args = ['sim', file.fsPath, '-o', folder, '--vcd', '--simulator', sim.get<string>('simulator', 'verilator')];
      if (!sim.get<boolean>('backpressure', true)) args.push('--no-stall');
      rmSync(out.simResult, { force: true });
      const code = await runCliTask(context, `simulate ${path.basename(file.fsPath)}`, args, path.dirname(file.fsPath));
      const result = readResult<SimResult>(out.simResult);
      if (!result) {
        void vscode.window.showErrorMessage(`Simulate failed (exit ${code ?? '?'}) before a result: see the terminal.`);
        return;
      }
      const ok = result.mismatches === 0 && !result.stall;
      const summary = ok
        ? `Simulation passed: ${result.frames} frame(s) bit-exact with the golden model (II ${result.ii.measured ?? 'n/a'} / ${result.ii.expected} cycles).`
        : result.stall
          ? `Simulation stalled in '${result.stall.engine}': ${result.stall.reason}`
          : `Simulation FAILED: ${result.mismatches} mismatch(es) against the golden model.`;
      const actions = result.waveform ? ['Open Waveform'] : [];
      const pick = await (ok
        ? vscode.window.showInformationMessage(summary, ...actions)
        : vscode.window.showErrorMessage(summary, ...actions));
      if (pick === 'Open Waveform' && result.waveform)
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(result.waveform), 'qnn.waveform');
    }),
    vscode.commands.registerCommand('qnn.checkFifos', async (uri?: vscode.Uri) => {
      if (!requireTrust('Check FIFO Depths')) return;
      const file = await activeQnnFile(uri);
      if (!file) return;
      const { fifoCheckFolder, fifoCheckResult: resultFile } = buildFiles(buildFolder(file.fsPath));
      rmSync(resultFile, { force: true });
      const simulator = vscode.workspace.getConfiguration('qnn.simulation').get<string>('simulator', 'verilator');
      const code = await runCliTask(
        context,
        `check FIFO depths ${path.basename(file.fsPath)}`,
        ['fifo-check', file.fsPath, '-o', fifoCheckFolder, '--simulator', simulator],
        path.dirname(file.fsPath),
      );
      const result = readResult<FifoCheckResult>(resultFile);
      if (!result) {
        void vscode.window.showErrorMessage(`Check FIFO Depths failed (exit ${code ?? '?'}) before a result: see the terminal.`);
        return;
      }
      const needed = result.fifos.filter((f) => f.verdict === 'needed').map((f) => f.name);
      const over = result.fifos.filter((f) => f.verdict === 'over-sized').map((f) => f.name);
      const summary =
        `FIFO check: ${result.fifos.length} FIFO(s) deeper than 2 halved one at a time; ` +
        `needed for throughput: ${needed.length > 0 ? needed.join(', ') : 'none'}; over-sized: ${over.length > 0 ? over.join(', ') : 'none'}.`;
      const pick = await vscode.window.showInformationMessage(summary, 'Open Result');
      if (pick === 'Open Result') await vscode.window.showTextDocument(vscode.Uri.file(resultFile));
    }),
  );
}
