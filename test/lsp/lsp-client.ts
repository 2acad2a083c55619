/**
 * A small LSP client for the tests: starts the BUILT server (`out/server/main.cjs --stdio`,
 * as an editor would) and talks JSON-RPC to it over the child's stdio.
 *
 * If the bundle is missing or older than a source under server/src, it is rebuilt once
 * with `npm run build` (under a lock, since test files run in parallel workers);
 * QNN_TEST_NO_BUILD=1 skips that check.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node.js';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  ExitNotification,
  FoldingRangeRequest,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  InlayHintRequest,
  PrepareRenameRequest,
  PublishDiagnosticsNotification,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  ShutdownRequest,
  type CodeAction,
  type CodeLens,
  type Command,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type InitializeResult,
  type InlayHint,
  type Location,
  type LocationLink,
  type Position,
  type Range,
  type SemanticTokens,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER = path.join(ROOT, 'out/server/main.cjs');
export const EXAMPLES = path.join(ROOT, 'examples');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') newest = Math.max(newest, newestMtime(p));
    } else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(SERVER)) return true;
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'server/src')),
    statSync(path.join(ROOT, 'server/src/language/qnn.langium')).mtimeMs,
  );
  return statSync(SERVER).mtimeMs < sources;
}

/** Builds the server bundle when it is missing or stale (once, across parallel workers). */
export function ensureBuilt(): void {
  // QNN_TEST_NO_BUILD=1: use the bundle as it is (e.g. right after `npm run build`).
  if (process.env.QNN_TEST_NO_BUILD && existsSync(SERVER)) return;
  if (!isStale()) return;
  const lock = path.join(ROOT, 'out/.lsp-test-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker builds; a lock older than 3 minutes is left over from a crash.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another test worker to build the server');
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    if (!isStale()) return;
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}

export function readExample(name: string): { file: string; uri: string; text: string } {
  const file = path.join(EXAMPLES, name, `${name}.qnn`);
  return { file, uri: fileUri(file), text: readFileSync(file, 'utf8') };
}

/** Every example network: examples/NAME/NAME.qnn. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(EXAMPLES, d.name, `${d.name}.qnn`)))
    .map((d) => d.name)
    .sort();
}

/** Offset ↔ position in a text (LSP positions: 0-based line and UTF-16 character). */
export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function offsetAt(text: string, pos: Position): number {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < pos.line; i++) off += lines[i].length + 1;
  return off + pos.character;
}

/** The position of the `nth` occurrence of `needle` in `text`, plus `delta` characters. */
export function posOf(text: string, needle: string, delta = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (#${nth}) not in text`);
  }
  return positionAt(text, at + delta);
}

/** A range as "line:char-line:char" (for comparisons that ignore key order). */
export function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

export function rangeText(text: string, r: Range): string {
  return text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
}

/** Applies text edits (non-overlapping, any order) to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort(
    (a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start) || offsetAt(text, b.range.end) - offsetAt(text, a.range.end),
  );
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetAt(out, e.range.start)) + e.newText + out.slice(offsetAt(out, e.range.end));
  return out;
}

interface DocState {
  text: string;
  version: number;
}

/** A server to start instead of the built bundle (e.g. an installed `qnn-language-server`). */
export interface ServerCommand {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export class LspClient {
  readonly connection: ProtocolConnection;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters = new Map<string, Array<(d: Diagnostic[]) => void>>();
  private readonly docs = new Map<string, DocState>();
  stderr = '';
  initializeResult?: InitializeResult;

  /** Settings the client answers `workspace/configuration` with, by section ('qnn'). */
  settings: Record<string, unknown> = {};
  /** How often the server asked the client to refresh its inlay hints. */
  inlayHintRefreshes = 0;

  private constructor(server?: ServerCommand) {
    // QNN_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
    // to profile it under `npm run bench:lsp` (NODE_OPTIONS does not allow --cpu-prof).
    const nodeArgs = process.env.QNN_SERVER_NODE_ARGS ? process.env.QNN_SERVER_NODE_ARGS.split(' ') : [];
    const cmd = server ?? { command: process.execPath, args: [...nodeArgs, SERVER, '--stdio'], cwd: ROOT };
    this.child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env: cmd.env ?? process.env, stdio: 'pipe' });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      const ws = this.waiters.get(p.uri) ?? [];
      this.waiters.delete(p.uri);
      for (const w of ws) w(p.diagnostics);
    });
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) =>
      p.items.map((i) => (i.section ? (this.settings[i.section] ?? null) : null)),
    );
    this.connection.onRequest('workspace/inlayHint/refresh', () => {
      this.inlayHintRefreshes++;
      return null;
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.listen();
  }

  /** Starts the built server and completes the initialize handshake. */
  static async start(opts: { settings?: Record<string, unknown>; clientName?: string; server?: ServerCommand } = {}): Promise<LspClient> {
    if (!opts.server) ensureBuilt();
    const c = new LspClient(opts.server);
    c.settings = opts.settings ?? {};
    c.initializeResult = await c.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      ...(opts.clientName ? { clientInfo: { name: opts.clientName } } : {}),
      rootUri: null,
      workspaceFolders: null,
      capabilities: {
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true } },
          semanticTokens: {
            requests: { full: true, range: true },
            tokenTypes: [],
            tokenModifiers: [],
            formats: ['relative'],
          },
          inlayHint: {},
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } } },
          rename: { prepareSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          publishDiagnostics: { relatedInformation: true },
        },
        workspace: { configuration: true, inlayHint: { refreshSupport: true } },
      },
    });
    await c.connection.sendNotification(InitializedNotification.type, {});
    return c;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      /* already gone */
    }
    this.connection.dispose();
    setTimeout(() => this.child.kill(), 500).unref();
  }

  text(uri: string): string {
    return this.docs.get(uri)?.text ?? '';
  }

  private nextDiagnostics(uri: string, timeoutMs = 30_000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; server stderr:\n${this.stderr}`)),
        timeoutMs,
      );
      const list = this.waiters.get(uri) ?? [];
      list.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.waiters.set(uri, list);
    });
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    const wait = this.nextDiagnostics(uri);
    this.docs.set(uri, { text, version: 1 });
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'qnn', version: 1, text },
    });
    return wait;
  }

  /** Replaces a document's whole text and waits for the new diagnostics. */
  async change(uri: string, text: string): Promise<Diagnostic[]> {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    const wait = this.nextDiagnostics(uri);
    doc.text = text;
    doc.version++;
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: doc.version },
      contentChanges: [{ text }],
    });
    return wait;
  }

  /** Closes a document (Langium 4.2 publishes nothing on close, so nothing is awaited). */
  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  lastDiagnostics(uri: string): Diagnostic[] {
    return this.diagnostics.get(uri) ?? [];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r: CompletionList | CompletionItem[] | null = await this.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position,
    });
    return !r ? [] : Array.isArray(r) ? r : r.items;
  }

  async definition(uri: string, position: Position): Promise<Array<Location | LocationLink>> {
    const r = await this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
    return !r ? [] : Array.isArray(r) ? r : [r];
  }

  async references(uri: string, position: Position, includeDeclaration = true): Promise<Location[]> {
    return (
      (await this.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position, context: { includeDeclaration } })) ??
      []
    );
  }

  prepareRename(uri: string, position: Position): Promise<unknown> {
    return this.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position });
  }

  rename(uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
    return this.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });
  }

  async symbols(uri: string): Promise<DocumentSymbol[]> {
    return ((await this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) ?? []) as
      DocumentSymbol[] | SymbolInformation[] as DocumentSymbol[];
  }

  async folding(uri: string): Promise<FoldingRange[]> {
    return (await this.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) ?? [];
  }

  async format(uri: string, options = { tabSize: 4, insertSpaces: true }): Promise<TextEdit[]> {
    return (await this.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options })) ?? [];
  }

  async semanticTokens(uri: string): Promise<SemanticTokens | null> {
    return this.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
  }

  async inlayHints(uri: string, range?: Range): Promise<InlayHint[]> {
    const text = this.text(uri);
    const r = range ?? { start: { line: 0, character: 0 }, end: positionAt(text, text.length) };
    return (await this.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: r })) ?? [];
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<Array<CodeAction | Command>> {
    return (await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics } })) ?? [];
  }

  async codeLenses(uri: string): Promise<CodeLens[]> {
    return (await this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  }

  /** Changes settings as an editor does (`workspace/didChangeConfiguration` with the new values). */
  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  analysis(uri: string): Promise<unknown> {
    return this.connection.sendRequest('qnn/analysis', { uri });
  }
}

/** Decodes LSP semantic tokens (relative encoding) into absolute tokens with their text. */
export function decodeSemanticTokens(
  data: number[],
  legend: { tokenTypes: string[]; tokenModifiers: string[] },
  text: string,
): Array<{ line: number; char: number; text: string; type: string; modifiers: string[] }> {
  const lines = text.split('\n');
  const out: Array<{ line: number; char: number; text: string; type: string; modifiers: string[] }> = [];
  let line = 0;
  let char = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [dl, dc, len, type, mods] = data.slice(i, i + 5);
    line += dl;
    char = dl === 0 ? char + dc : dc;
    out.push({
      line,
      char,
      text: lines[line].slice(char, char + len),
      type: legend.tokenTypes[type],
      modifiers: legend.tokenModifiers.filter((_, b) => mods & (1 << b)),
    });
  }
  return out;
}
