/**
 * External tools (Verilator, Icarus, Yosys, nextpnr, icepack, Vivado): finding
 * them, and running them as cancellable process trees with streamed output.
 *
 * Server-side code shared by the language server and the CLI: no `vscode`
 * import. The extension passes the user's configured paths with
 * {@link setToolPaths}; everything else falls back to PATH.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

export type ToolName = 'verilator' | 'iverilog' | 'vvp' | 'yosys' | 'nextpnr-ice40' | 'icepack' | 'vivado';

export const TOOL_NAMES: readonly ToolName[] = ['verilator', 'iverilog', 'vvp', 'yosys', 'nextpnr-ice40', 'icepack', 'vivado'];

/** The Debian/Ubuntu package that provides each tool (undefined: not packaged). */
export const TOOL_PACKAGES: Readonly<Record<ToolName, string | undefined>> = {
  verilator: 'verilator',
  iverilog: 'iverilog',
  vvp: 'iverilog',
  yosys: 'yosys',
  'nextpnr-ice40': 'nextpnr-ice40',
  icepack: 'fpga-icestorm',
  vivado: undefined,
};

/** A required tool is not installed (or its configured path is wrong). Its message is meant for users, as is. */
export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
  readonly tool: ToolName;
  /** Debian package that provides it, if any. */
  readonly debianPackage: string | undefined;
  /** The configured path that was tried, if one was configured. */
  readonly configuredPath: string | undefined;

  constructor(tool: ToolName, configuredPath?: string, detail?: string) {
    const pkg = TOOL_PACKAGES[tool];
    const where = configuredPath
      ? `${tool} was not found at the configured path ${configuredPath}${detail ? ` (${detail})` : ''}.`
      : `${tool} was not found on PATH.`;
    const how = pkg
      ? ` Install it with \`sudo apt-get install ${pkg}\` (Debian/Ubuntu package "${pkg}"), or set the path to the ${tool} executable in the settings.`
      : tool === 'vivado'
        ? ' Vivado is proprietary and not in any package manager: install AMD Vivado, then add its bin folder to PATH (source <install>/Vivado/<version>/settings64.sh) or set the path to the vivado executable in the settings.'
        : '';
    super(where + how);
    this.tool = tool;
    this.debianPackage = pkg;
    this.configuredPath = configuredPath;
    // Users see the message, never a stack trace, even where a caller prints `stack`.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** A run was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(what = 'The operation') {
    super(`${what} was cancelled.`);
    this.stack = `${this.name}: ${this.message}`;
  }
}

export type ToolPaths = Partial<Record<ToolName, string>>;

let configuredPaths: ToolPaths = {};

/**
 * Sets the user-configured tool paths (from settings or CLI flags); an empty
 * string or undefined means "look on PATH". Replaces the previous configuration.
 */
export function setToolPaths(paths: ToolPaths): void {
  configuredPaths = { ...paths };
}

export function getToolPaths(): ToolPaths {
  return { ...configuredPaths };
}

export interface ToolLookupOptions {
  /** Overrides the global configured paths for this lookup. */
  paths?: ToolPaths;
  /** Environment whose PATH (and PATHEXT on Windows) is searched; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const isWindows = process.platform === 'win32';

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (!isWindows) accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function candidates(dir: string, name: string, env: NodeJS.ProcessEnv): string[] {
  const base = path.join(dir, name);
  if (!isWindows) return [base];
  const exts = (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean);
  return [base, ...exts.map((e) => base + e.toLowerCase()), ...exts.map((e) => base + e)];
}

function envPath(env: NodeJS.ProcessEnv): string {
  // Windows spells it Path sometimes.
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return key ? (env[key] ?? '') : '';
}

/** Searches PATH for an executable called `name`; returns its absolute path or undefined. */
export function whichSync(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/') || (isWindows && name.includes('\\'))) return isExecutableFile(name) ? path.resolve(name) : undefined;
  for (const dir of envPath(env).split(path.delimiter)) {
    if (!dir) continue;
    for (const c of candidates(dir, name, env)) if (isExecutableFile(c)) return c;
  }
  return undefined;
}

type Resolution = { path: string } | { missing: true; configured?: string; detail?: string };

function resolveTool(name: ToolName, opts: ToolLookupOptions): Resolution {
  const env = opts.env ?? process.env;
  const configured = (opts.paths ?? configuredPaths)[name];
  if (configured && configured.trim() !== '') {
    const p = configured.trim();
    let st;
    try {
      st = statSync(p);
    } catch {
      return { missing: true, configured: p, detail: 'no such file' };
    }
    if (st.isDirectory()) {
      // A folder (e.g. Vivado's bin folder): look for the tool in it and in its bin/.
      for (const dir of [p, path.join(p, 'bin')]) for (const c of candidates(dir, name, env)) if (isExecutableFile(c)) return { path: c };
      return { missing: true, configured: p, detail: `no ${name} executable in this folder` };
    }
    return isExecutableFile(p) ? { path: path.resolve(p) } : { missing: true, configured: p, detail: 'not executable' };
  }
  const found = whichSync(name, env);
  return found ? { path: found } : { missing: true };
}

/** The tool's executable (configured path first, then PATH), or undefined when it cannot be found. */
export function findTool(name: ToolName, opts: ToolLookupOptions = {}): string | undefined {
  const r = resolveTool(name, opts);
  return 'path' in r ? r.path : undefined;
}

/** The tool's executable; throws {@link ToolMissingError} (a message naming the package to install) when missing. */
export function requireTool(name: ToolName, opts: ToolLookupOptions = {}): string {
  const r = resolveTool(name, opts);
  if ('path' in r) return r.path;
  throw new ToolMissingError(name, r.configured, r.detail);
}

// ---------------------------------------------------------------------------
// Processes

export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process tree after this many milliseconds (result.timedOut). */
  timeoutMs?: number;
  /** Called for every complete output line (without the line break), as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting kills the whole process tree (result.cancelled). */
  signal?: AbortSignal;
  /** Written to the process's stdin, which is then closed. Default: stdin is closed at once. */
  input?: string;
  /** Keep at most this many characters of each of stdout and stderr (the tail); default 16 MiB. */
  maxBuffer?: number;
  /** Time between SIGTERM and SIGKILL to the process group; default 2000 ms. */
  killGraceMs?: number;
}

export interface RunProcessResult {
  /** Exit code; null when the process was ended by a signal. */
  code: number | null;
  /** The signal that ended it, if any. */
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

class LineSplitter {
  private rest = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split(/\r?\n/);
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.emit(p);
  }
  end(): void {
    if (this.rest !== '') this.emit(this.rest.replace(/\r$/, ''));
    this.rest = '';
  }
}

class TailBuffer {
  private text = '';
  constructor(private readonly max: number) {}
  push(s: string): void {
    this.text += s;
    if (this.text.length > 2 * this.max) this.text = this.text.slice(this.text.length - this.max);
  }
  toString(): string {
    return this.text.length > this.max ? this.text.slice(this.text.length - this.max) : this.text;
  }
}

const knownTool = (cmd: string): ToolName | undefined => {
  const base = path.basename(cmd).replace(/\.(exe|cmd|bat)$/i, '');
  return (TOOL_NAMES as readonly string[]).includes(base) ? (base as ToolName) : undefined;
};

/**
 * Runs a command in its own process group and streams its output lines.
 * Resolves (never rejects) once it has exited, including on timeout or
 * cancellation, where the whole process tree is killed (SIGTERM, then SIGKILL).
 * Rejects only when the command cannot be started: with
 * {@link ToolMissingError} for a known tool that is not found, else an Error.
 */
export function runProcess(cmd: string, args: readonly string[], opts: RunProcessOptions = {}): Promise<RunProcessResult> {
  const started = Date.now();
  const maxBuffer = opts.maxBuffer ?? 16 * 1024 * 1024;
  if (opts.signal?.aborted) {
    return Promise.resolve({ code: null, exitSignal: null, stdout: '', stderr: '', timedOut: false, cancelled: true, durationMs: 0 });
  }
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        detached: !isWindows,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      reject(startError(cmd, e));
      return;
    }
    const stdout = new TailBuffer(maxBuffer);
    const stderr = new TailBuffer(maxBuffer);
    const outLines = new LineSplitter((l) => opts.onLine?.(l, 'stdout'));
    const errLines = new LineSplitter((l) => opts.onLine?.(l, 'stderr'));
    let timedOut = false;
    let cancelled = false;
    let exited = false;
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const killTree = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        if (isWindows) child.kill(sig);
        else process.kill(-child.pid, sig);
      } catch {
        // Already gone.
      }
    };
    const stop = (): void => {
      killTree('SIGTERM');
      killTimer ??= setTimeout(() => killTree('SIGKILL'), opts.killGraceMs ?? 2000);
      killTimer.unref?.();
    };
    const onAbort = (): void => {
      if (exited) return;
      cancelled = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
      timeoutTimer = setTimeout(() => {
        if (exited) return;
        timedOut = true;
        stop();
      }, opts.timeoutMs);
    }

    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout.push(d);
      if (opts.onLine) outLines.push(d);
    });
    child.stderr.on('data', (d: string) => {
      stderr.push(d);
      if (opts.onLine) errLines.push(d);
    });
    child.stdin.on('error', () => {
      // The process may exit without reading its input.
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();

    const cleanup = (): void => {
      if (timeoutTimer) clearTimeout(timeoutTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      exited = true;
      cleanup();
      if (killTimer) clearTimeout(killTimer);
      reject(startError(cmd, e));
    });
    child.on('exit', () => {
      exited = true;
      // Grandchildren that survive the leader (and hold the pipes open) die with the group.
      if (cancelled || timedOut) killTree('SIGKILL');
    });
    child.on('close', (code, sig) => {
      exited = true;
      cleanup();
      if (killTimer) clearTimeout(killTimer);
      outLines.end();
      errLines.end();
      resolve({
        code,
        exitSignal: sig,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        timedOut,
        cancelled,
        durationMs: Date.now() - started,
      });
    });
  });
}

function startError(cmd: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const tool = knownTool(cmd);
  if (err?.code === 'ENOENT' && tool)
    return new ToolMissingError(tool, cmd.includes('/') ? cmd : undefined, cmd.includes('/') ? 'no such file' : undefined);
  if (err?.code === 'ENOENT') return new Error(`Cannot run ${cmd}: not found.`);
  if (err?.code === 'EACCES') return new Error(`Cannot run ${cmd}: permission denied.`);
  return new Error(`Cannot run ${cmd}: ${err?.message ?? String(e)}`);
}

const versionCache = new Map<string, Promise<string>>();

/** First line of `<exe> <flag>` (memoised per executable and flag); '' when it fails. */
export function toolVersion(exe: string, flag = '--version'): Promise<string> {
  const key = `${exe}\0${flag}`;
  let p = versionCache.get(key);
  if (!p) {
    p = runProcess(exe, [flag], { timeoutMs: 30_000 }).then(
      (r) =>
        (r.stdout + r.stderr)
          .split(/\r?\n/)
          .find((l) => l.trim() !== '')
          ?.trim() ?? '',
      () => '',
    );
    versionCache.set(key, p);
  }
  return p;
}
