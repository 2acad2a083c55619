/**
 * The language client: starts the bundled server (out/server/main.cjs) over Node IPC.
 *
 * - The client id is `qnn`, so vscode-languageclient reads and follows
 *   `qnn.trace.server` itself (also when it changes).
 * - The server registers for the `qnn` configuration section and for file watching
 *   itself (Langium), so no `synchronize` options are needed here.
 * - `qnn.inlayHints.enabled` is applied here, in middleware: with the setting off the
 *   server is not asked for hints; flipping it refreshes the hints at once.
 */
import * as vscode from 'vscode';
import {
  InlayHintRequest,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node.js';
import { LANGUAGE_ID, SETTINGS, inlayHintsEnabled } from './settings.js';

export const SERVER_MODULE = 'out/server/main.cjs';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: LANGUAGE_ID },
  { scheme: 'untitled', language: LANGUAGE_ID },
];

export function createLanguageClient(context: vscode.ExtensionContext, outputChannel: vscode.OutputChannel): LanguageClient {
  const module = context.asAbsolutePath(SERVER_MODULE);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel,
    middleware: {
      provideInlayHints: (document, viewPort, token, next) => (inlayHintsEnabled(document) ? next(document, viewPort, token) : []),
    },
  };
  return new LanguageClient(LANGUAGE_ID, 'qnn Language Server', serverOptions, clientOptions);
}

/** Re-asks VS Code for inlay hints in every open qnn document (after the setting changed). */
export function refreshInlayHints(client: LanguageClient): void {
  if (!client.isRunning()) return;
  const feature = client.getFeature(InlayHintRequest.method);
  const fired = new Set<unknown>();
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.languageId !== LANGUAGE_ID) continue;
    const shape = feature.getProvider(doc);
    if (shape && !fired.has(shape)) {
      fired.add(shape);
      shape.onDidChangeInlayHints.fire();
    }
  }
}

/** Whether a configuration change touches the inlay-hint setting. */
export function affectsInlayHints(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SETTINGS.inlayHints);
}
