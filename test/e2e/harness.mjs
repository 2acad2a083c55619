// End-to-end harness: real VS Code (code-server 4.100.3 = VS Code 1.100) driven
// by playwright-core and Debian's Chromium. Plain ESM, no build step.
//
// Typical use in a suite (see smoke.e2e.mjs):
//
//   import { test } from 'node:test';
//   import { withVSCode } from './harness.mjs';
//   test('my check', { timeout: 240_000 }, (t) =>
//     withVSCode(t, { files: { 'a.qnn': src }, vsix: vsixPath() }, async (vs) => {
//       await vs.wb.openFile('a.qnn');
//       const problems = await vs.wb.waitForProblems((ps) => ps.some((p) => p.code === 'QNN010'));
//     }));
//
// Layers, each usable on its own:
//   createWorkspace(files)            temp folder with the given files
//   installExtension(vsix, dirs)      code-server --install-extension
//   startCodeServer(opts)             code-server on a free 127.0.0.1 port → CodeServer
//   launchBrowser(opts)               Chromium via playwright-core → { browser, context, page }
//   openWorkbench(page, url)          navigate and wait for .monaco-workbench → ms taken
//   new Workbench(page)               UI helpers (quick open, palette, typing, problems, hover,
//                                     completion, quick fix, token colours, screenshots)
//   launchVSCode(opts) / withVSCode   all of the above, with clean shutdown even on failure
//
// All waits are on real conditions (selectors, DOM state) with timeouts; failures
// carry a message saying what was awaited, and withVSCode saves a screenshot
// (test/e2e/screenshots/) and prints its path plus the code-server log tail.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');
export const SCREENSHOT_DIR = process.env.QNN_E2E_SCREENSHOTS || path.join(E2E_DIR, 'screenshots');
export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = process.env.QNN_E2E_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
export const DEFAULT_VIEWPORT = { width: 1400, height: 900 };

/** Timeouts (ms). Generous: CI is a 2-core machine. Scale all with QNN_E2E_TIMEOUT_SCALE. */
const SCALE = Number(process.env.QNN_E2E_TIMEOUT_SCALE || 1) || 1;
export const TIMEOUTS = {
  serverStart: 60_000 * SCALE,
  installExtension: 120_000 * SCALE,
  workbench: 90_000 * SCALE,
  ui: 20_000 * SCALE, // a widget appearing after a keystroke
  languageServer: 60_000 * SCALE, // diagnostics / hover / completion from a language server
  shutdown: 10_000,
};

/** Settings written to <user-data-dir>/User/settings.json before start. */
export const DEFAULT_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.editor.enablePreview': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.localHistory.enabled': false,
  'workbench.reduceMotion': 'on',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'files.autoSave': 'off', // code-server's web default saves after a delay: tests save explicitly
  'editor.accessibilitySupport': 'off',
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'npm.autoDetect': 'off',
  'remote.autoForwardPorts': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
};

// ---------------------------------------------------------------------------
// errors, small utilities

export class E2EError extends Error {
  constructor(message, details) {
    super(details ? `${message}\n${details}` : message);
    this.name = 'E2EError';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll fn() until it returns a truthy value (returned); throws E2EError(`timed out after N ms waiting
 * for ${what}`). Errors thrown by fn are retried (the last one is reported), except E2EErrors
 * marked `fatal`, which end the wait at once.
 */
export async function waitUntil(fn, { timeout = TIMEOUTS.ui, interval = 100, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      if (e?.fatal) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new E2EError(
        `timed out after ${timeout} ms waiting for ${what}`,
        lastError ? `last error: ${lastError.message}` : last !== undefined ? `last value: ${safeJson(last)}` : undefined,
      );
    }
    await sleep(interval);
  }
}

function safeJson(v) {
  try {
    return JSON.stringify(v).slice(0, 2000);
  } catch {
    return String(v);
  }
}

function slug(s) {
  return (
    String(s)
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'shot'
  );
}

// ---------------------------------------------------------------------------
// code-server location and prerequisites

export function codeServerDir() {
  return process.env.QNN_CODE_SERVER_DIR || path.join(os.homedir(), '.cache', 'qnn-fpga', `code-server-${CODE_SERVER_VERSION}`);
}
export function codeServerEntry() {
  return path.join(codeServerDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}
export function isCodeServerInstalled() {
  return fs.existsSync(path.join(codeServerDir(), '.qnn-install-complete')) && fs.existsSync(codeServerEntry());
}

/** Throws an E2EError naming the apt package / script when a tool is missing. */
export function checkPrerequisites() {
  const problems = [];
  if (!fs.existsSync(CHROMIUM_PATH))
    problems.push(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set QNN_E2E_CHROMIUM)`);
  if (!isCodeServerInstalled())
    problems.push(`code-server ${CODE_SERVER_VERSION} is not installed in ${codeServerDir()}: run scripts/install-code-server.sh`);
  if (problems.length) throw new E2EError('end-to-end prerequisites missing:', problems.map((p) => `  - ${p}`).join('\n'));
}

/** The packaged extension the runner built (QNN_E2E_VSIX, else <repo>/qnn-fpga.vsix); throws if absent. */
export function vsixPath() {
  const p = process.env.QNN_E2E_VSIX || path.join(REPO_ROOT, 'qnn-fpga.vsix');
  if (!fs.existsSync(p))
    throw new E2EError(
      `extension package ${p} does not exist.`,
      'Run the suites through `npm run test:e2e` (it runs `npm run package` when a suite has the line `// @qnn-e2e needs-vsix`), or run `npm run package` first.',
    );
  return p;
}

// ---------------------------------------------------------------------------
// process trees

function childrenMap() {
  const map = new Map();
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return map;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!map.has(ppid)) map.set(ppid, []);
      map.get(ppid).push(Number(e));
    } catch {
      /* process went away */
    }
  }
  return map;
}

/** pid and all its descendants (Linux /proc), parents first. */
export function processTree(pid) {
  const map = childrenMap();
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    out.push(p);
    queue.push(...(map.get(p) || []));
  }
  return out;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Synchronous SIGKILL of a process group and every descendant (for exit handlers). */
export function killTreeSync(pid) {
  const pids = processTree(pid);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* not a group leader or gone */
  }
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** SIGTERM the tree, wait up to `grace` ms, then SIGKILL whatever is left. */
export async function killTree(pid, { grace = TIMEOUTS.shutdown } = {}) {
  const pids = processTree(pid);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    /* ignore */
  }
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* ignore */
    }
  }
  const deadline = Date.now() + grace;
  while (Date.now() < deadline && pids.some(alive)) await sleep(100);
  const left = [...new Set([...pids, ...processTree(pid)])].filter(alive);
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* ignore */
    }
  }
  return left.length;
}

const liveServers = new Set();
let exitHooked = false;
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const s of liveServers) killTreeSync(s.pid);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const s of liveServers) killTreeSync(s.pid);
      process.exit(128 + (os.constants.signals[sig] || 1));
    });
  }
}

// ---------------------------------------------------------------------------
// workspace and user data

/** Make a temp folder (under os.tmpdir()) holding `files` ({ 'rel/path': string | Buffer }). */
export async function createWorkspace(files = {}, { prefix = 'qnn-e2e-ws-' } = {}) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir, files) {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    await fsp.mkdir(path.dirname(p), { recursive: true });
    await fsp.writeFile(p, content);
  }
}

/**
 * Write <userDataDir>/User/settings.json = DEFAULT_SETTINGS + trust mode + extra settings.
 * trusted: true      → workspace trust disabled: every folder is trusted (default);
 *          false     → trust enabled, no dialog: the folder opens in Restricted Mode;
 *          'prompt'  → trust enabled with the startup dialog "Do you trust the authors…?".
 */
export async function writeUserSettings(userDataDir, { trusted = true, settings = {} } = {}) {
  const s = { ...DEFAULT_SETTINGS };
  if (trusted !== true) {
    s['security.workspace.trust.enabled'] = true;
    s['security.workspace.trust.startupPrompt'] = trusted === 'prompt' ? 'always' : 'never';
    s['security.workspace.trust.banner'] = 'always';
  }
  Object.assign(s, settings);
  const dir = path.join(userDataDir, 'User');
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(path.join(dir, 'settings.json'), JSON.stringify(s, null, 2));
  return s;
}

function codeServerBaseArgs({ userDataDir, extensionsDir, configFile }) {
  return [
    codeServerEntry(),
    '--config',
    configFile,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
}

function codeServerEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  // Never let a developer's own VS Code / code-server session leak in.
  for (const k of Object.keys(env)) if (/^(VSCODE_|ELECTRON_RUN_AS_NODE$|CODE_SERVER_)/.test(k)) delete env[k];
  return env;
}

// ---------------------------------------------------------------------------
// (b) install a .vsix

/**
 * Install a .vsix into `extensionsDir` (code-server --install-extension).
 * Returns the command output. Throws E2EError with the output on failure.
 */
export async function installExtension(vsix, { userDataDir, extensionsDir, timeout = TIMEOUTS.installExtension } = {}) {
  if (!isCodeServerInstalled()) checkPrerequisites();
  if (!fs.existsSync(vsix)) throw new E2EError(`installExtension: ${vsix} does not exist`);
  if (!userDataDir || !extensionsDir) throw new E2EError('installExtension: userDataDir and extensionsDir are required');
  await fsp.mkdir(extensionsDir, { recursive: true });
  const configFile = path.join(userDataDir, 'code-server-config.yaml');
  await fsp.mkdir(userDataDir, { recursive: true });
  if (!fs.existsSync(configFile)) await fsp.writeFile(configFile, 'auth: none\ncert: false\n');
  const args = [...codeServerBaseArgs({ userDataDir, extensionsDir, configFile }), '--install-extension', path.resolve(vsix)];
  const child = spawn(process.execPath, args, { env: codeServerEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => killTreeSync(child.pid), timeout);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  if (code !== 0 || /Failed Installing|Error:/i.test(out) || !/successfully installed/i.test(out)) {
    throw new E2EError(
      `installing ${path.basename(vsix)} into code-server failed (exit ${code ?? signal}${signal === 'SIGKILL' ? `, killed after ${timeout} ms` : ''})`,
      out.trim(),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------
// (a) code-server

/**
 * Start code-server on 127.0.0.1 (a free port) with fresh user-data and extensions dirs.
 * opts: folder (opened in the workbench), trusted (default true), settings ({} merged over
 * DEFAULT_SETTINGS), vsix (installed first), extensionsDir/userDataDir (reuse), timeout, env.
 * Returns a CodeServer: { url, port, pid, tmpDir, userDataDir, extensionsDir, folder, logPath, logTail(), stop() }.
 */
export async function startCodeServer(opts = {}) {
  checkPrerequisites();
  hookExit();
  const { folder, trusted = true, settings = {}, vsix, timeout = TIMEOUTS.serverStart, env = {}, extraArgs = [] } = opts;
  const tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'qnn-e2e-cs-'));
  const userDataDir = opts.userDataDir || path.join(tmpDir, 'user-data');
  const extensionsDir = opts.extensionsDir || path.join(tmpDir, 'extensions');
  const configFile = path.join(tmpDir, 'config.yaml');
  const logPath = path.join(tmpDir, 'code-server.log');
  await fsp.mkdir(userDataDir, { recursive: true });
  await fsp.mkdir(extensionsDir, { recursive: true });
  await fsp.writeFile(configFile, 'auth: none\ncert: false\n');
  await writeUserSettings(userDataDir, { trusted, settings });
  if (vsix) await installExtension(vsix, { userDataDir, extensionsDir });

  const args = [...codeServerBaseArgs({ userDataDir, extensionsDir, configFile }), '--bind-addr', '127.0.0.1:0', ...extraArgs];
  if (folder) args.push(path.resolve(folder));
  const logStream = fs.createWriteStream(logPath);
  const child = spawn(process.execPath, args, {
    cwd: tmpDir,
    env: codeServerEnv({ XDG_DATA_HOME: path.join(tmpDir, 'xdg-data'), XDG_CONFIG_HOME: path.join(tmpDir, 'xdg-config'), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() kills the whole tree
  });
  let log = '';
  const onData = (d) => {
    logStream.write(d);
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  // Do not keep the test process alive because of code-server; the exit hook kills it.
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();

  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));

  const server = {
    pid: child.pid,
    child,
    tmpDir,
    userDataDir,
    extensionsDir,
    folder: folder ? path.resolve(folder) : undefined,
    logPath,
    url: undefined,
    port: undefined,
    logTail(n = 40) {
      return log.trimEnd().split('\n').slice(-n).join('\n');
    },
    /** VS Code's log folder: logs/<session>/exthost1/<publisher.name>/<channel>.log, remoteexthost.log, … */
    logsDir: path.join(userDataDir, 'logs'),
    /** [{ file (relative to logsDir), text }] of the log files whose relative path matches `filter`. */
    readLogs(filter = /./) {
      const out = [];
      const walk = (d) => {
        let es = [];
        try {
          es = fs.readdirSync(d, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of es) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else {
            const rel = path.relative(server.logsDir, p);
            if (filter.test(rel)) out.push({ file: rel, text: fs.readFileSync(p, 'utf8') });
          }
        }
      };
      walk(server.logsDir);
      return out;
    },
    /**
     * Wait until the extension `id` (publisher.name) is activated in the extension host
     * (its "ExtensionService#_doActivateExtension <id>" line in remoteexthost.log); fails at once
     * if the host logs that its activation failed.
     */
    async waitForExtensionActivated(id, { timeout = TIMEOUTS.languageServer } = {}) {
      const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const ok = new RegExp(`_doActivateExtension ${esc}\\b`, 'i');
      const bad = new RegExp(`Activating extension '?${esc}'? failed.*`, 'i');
      return waitUntil(
        () => {
          const text = server
            .readLogs(/remoteexthost\.log$/)
            .map((l) => l.text)
            .join('\n');
          const b = bad.exec(text);
          if (b) throw Object.assign(new E2EError(`extension ${id} failed to activate: ${b[0]}`), { fatal: true });
          return ok.test(text);
        },
        { timeout, interval: 250, what: `extension ${id} to activate (remoteexthost.log in ${server.logsDir})` },
      );
    },
    /** Errors from the extension host log plus the tail of log files matching `filter` (for failure reports). */
    diagnostics(filter = /qnn/i, lines = 30) {
      const parts = [];
      const host = server.readLogs(/remoteexthost\.log$/).flatMap((l) => l.text.split('\n').filter((x) => /\[error\]|\bfailed\b/i.test(x)));
      if (host.length) parts.push('--- extension host errors ---', ...host.slice(-lines));
      for (const l of server.readLogs(filter)) parts.push(`--- ${l.file} (tail) ---`, ...l.text.trimEnd().split('\n').slice(-lines));
      return parts.join('\n');
    },
    /** Merge `settings` into User/settings.json; VS Code picks the change up by itself. */
    async updateSettings(settings) {
      const f = path.join(userDataDir, 'User', 'settings.json');
      const cur = JSON.parse(await fsp.readFile(f, 'utf8'));
      await fsp.writeFile(f, JSON.stringify({ ...cur, ...settings }, null, 2));
    },
    async stop({ removeTmp = true } = {}) {
      if (server.stopped) return;
      server.stopped = true;
      liveServers.delete(server);
      if (!exited) await killTree(child.pid);
      logStream.end();
      if (removeTmp && !process.env.QNN_E2E_KEEP_TMP) await fsp.rm(tmpDir, { recursive: true, force: true }).catch(() => {});
    },
  };
  liveServers.add(server);

  try {
    const url = await waitUntil(
      () => {
        if (exited) throw Object.assign(new E2EError(`code-server exited early (${exited.code ?? exited.signal})`), { fatal: true });
        const m = /HTTP server listening on (https?:\/\/[^\s]+)/.exec(log);
        return m && m[1];
      },
      { timeout, what: `code-server to print "HTTP server listening on" (log: ${logPath})` },
    );
    const u = new URL(url);
    server.port = Number(u.port);
    server.url = `http://127.0.0.1:${u.port}/`;
  } catch (e) {
    const tail = server.logTail();
    await server.stop({ removeTmp: false });
    throw new E2EError(`could not start code-server: ${e.message}`, `--- code-server log (${logPath}) ---\n${tail}`);
  }
  return server;
}

// ---------------------------------------------------------------------------
// (c) Chromium

/** Launch Debian's Chromium via playwright-core. Returns { browser, context, page, consoleErrors }. */
export async function launchBrowser({
  headless = process.env.QNN_E2E_HEADED ? false : true,
  viewport = DEFAULT_VIEWPORT,
  timeout = 60_000,
} = {}) {
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new E2EError(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set QNN_E2E_CHROMIUM)`);
  hookExit();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless, timeout });
  // playwright-core kills the browsers it launched when this process exits.
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'en-US' });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  return { browser, context, page, consoleErrors };
}

/**
 * Go to the workbench URL and wait for .monaco-workbench, the status bar and the configured
 * colour theme (the workbench first paints with the built-in light theme for ~2 s, then loads
 * the theme from settings: colours and screenshots before that are wrong). Returns ms taken.
 */
export async function openWorkbench(page, url, { timeout = TIMEOUTS.workbench } = {}) {
  const t0 = Date.now();
  const left = () => Math.max(1000, timeout - (Date.now() - t0));
  const step = async (selector, what) => {
    try {
      await page.locator(selector).first().waitFor({ state: 'visible', timeout: left() });
    } catch (e) {
      throw new E2EError(`the workbench at ${url} did not show ${what} within ${timeout} ms`, e.message.split('\n')[0]);
    }
  };
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await step('.monaco-workbench', '.monaco-workbench');
  await step('.part.statusbar', 'its status bar');
  await step('.monaco-workbench[class*="vscode-theme-"]', 'its colour theme (class vscode-theme-*)');
  return Date.now() - t0;
}

// ---------------------------------------------------------------------------
// (d) workbench helpers

const SEL = {
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRows: '.quick-input-widget .quick-input-list .monaco-list-row',
  activeEditor: '.editor-group-container.active .editor-container .monaco-editor',
  activeTab: '.editor-group-container.active .tabs-container .tab.active',
  suggestWidget: '.monaco-editor .suggest-widget.visible',
  suggestRows: '.monaco-editor .suggest-widget.visible .monaco-list-row',
  hover: '.monaco-editor .monaco-hover:not(.hidden)',
  actionWidget: '.action-widget',
  problemsPanel: '.markers-panel',
  notificationToast: '.notifications-toasts .notification-toast',
};
export { SEL as SELECTORS };

/**
 * Helpers over one workbench page. Every method waits on a real UI condition and
 * throws E2EError naming what it waited for.
 */
export class Workbench {
  /**
   * @param {import('playwright-core').Page} page
   * @param {{ name?: string, screenshotDir?: string }} [opts]
   */
  constructor(page, { name = 'e2e', screenshotDir = SCREENSHOT_DIR } = {}) {
    this.page = page;
    this.name = slug(name);
    this.screenshotDir = screenshotDir;
    this.shotCount = 0;
  }

  /** Delete this test's screenshots from earlier runs (<name>-NN-*.png), leaving others' alone. */
  clearOldScreenshots() {
    const re = new RegExp(`^${this.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{2}-.*\\.png$`);
    let files = [];
    try {
      files = fs.readdirSync(this.screenshotDir);
    } catch {
      return;
    }
    for (const f of files) if (re.test(f)) fs.rmSync(path.join(this.screenshotDir, f), { force: true });
  }

  // -- generic ---------------------------------------------------------------

  /** Save a full-window screenshot as <screenshotDir>/<name>-NN-<label>.png; returns the path. */
  async screenshot(label = 'shot') {
    await fsp.mkdir(this.screenshotDir, { recursive: true });
    const file = path.join(this.screenshotDir, `${this.name}-${String(++this.shotCount).padStart(2, '0')}-${slug(label)}.png`);
    await this.page.screenshot({ path: file, timeout: 30_000, animations: 'disabled', caret: 'initial' });
    return file;
  }

  async press(keys) {
    await this.page.keyboard.press(keys);
  }

  /** Wait for a selector to be visible (or the given state). */
  async waitFor(selector, { state = 'visible', timeout = TIMEOUTS.ui, what } = {}) {
    try {
      await this.page.locator(selector).first().waitFor({ state, timeout });
    } catch (e) {
      throw new E2EError(`timed out after ${timeout} ms waiting for ${what || `${selector} to be ${state}`}`, e.message.split('\n')[0]);
    }
  }

  // -- quick input (quick open / command palette / go to line) ---------------

  async _openQuickInput(key, prefix) {
    const input = this.page.locator(SEL.quickInputBox);
    // Close anything open first, so the key reaches the workbench.
    if (await this.page.locator(SEL.quickInput).first().isVisible()) await this.page.keyboard.press('Escape');
    await this.page.keyboard.press(key);
    await this.waitFor(SEL.quickInputBox, { what: `the quick input to open after ${key}` });
    await waitUntil(
      async () =>
        (await input.evaluate((el) => el === document.activeElement)) &&
        (prefix === undefined || (await input.inputValue()).startsWith(prefix)),
      {
        what: `the quick input box to have focus${prefix !== undefined ? ` with prefix "${prefix}"` : ''}`,
      },
    );
    return input;
  }

  /** Labels of the rows in the open quick input list. */
  async quickInputItems() {
    return this.page.locator(SEL.quickInputRows).evaluateAll((rows) =>
      rows.map((r) => ({
        label: (r.querySelector('.label-name')?.textContent || r.querySelector('.monaco-icon-label')?.textContent || '').trim(),
        description: (r.querySelector('.label-description')?.textContent || '').trim(),
        ariaLabel: r.getAttribute('aria-label') || '',
        focused: r.classList.contains('focused'),
      })),
    );
  }

  /** Click the quick-input row whose label is exactly `label` (and aria-label, if given). */
  async _clickQuickInputRow(label, ariaLabel) {
    const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let rows = this.page
      .locator(SEL.quickInputRows)
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${esc(label)}\\s*$`) }) });
    if (ariaLabel) rows = rows.and(this.page.locator(`[aria-label="${ariaLabel.replace(/["\\]/g, '\\$&')}"]`));
    await rows.first().click({ timeout: TIMEOUTS.ui });
  }

  async _waitQuickInputClosed(what) {
    await this.waitFor(SEL.quickInputBox, { state: 'hidden', what: `the quick input to close after ${what}` });
  }

  /**
   * Run a command from the command palette (F1) by its label, e.g. "View: Toggle Problems".
   * exact: true → a row whose label equals `label` must exist (else the first row matching is taken).
   */
  async runCommand(label, { exact = false, timeout = TIMEOUTS.ui } = {}) {
    const input = await this._openQuickInput('F1', '>');
    await input.fill(`>${label}`);
    const want = label.toLowerCase();
    const items = await waitUntil(
      async () => {
        const its = await this.quickInputItems();
        if (!its.length) return null;
        const hit = its.findIndex((i) => i.label.toLowerCase() === want);
        if (hit >= 0) return { its, hit };
        if (!exact && its.some((i) => i.label.toLowerCase().includes(want)))
          return { its, hit: its.findIndex((i) => i.label.toLowerCase().includes(want)) };
        return null;
      },
      { timeout, what: `a command-palette entry ${exact ? 'equal to' : 'containing'} "${label}"` },
    ).catch(async (e) => {
      const its = await this.quickInputItems().catch(() => []);
      await this.page.keyboard.press('Escape').catch(() => {});
      throw new E2EError(e.message, `palette showed: ${its.map((i) => JSON.stringify(i.label)).join(', ') || '(nothing)'}`);
    });
    const chosen = items.its[items.hit].label;
    await this._clickQuickInputRow(chosen);
    await this._waitQuickInputClosed(`running "${chosen}"`);
    return chosen;
  }

  /** Open a workspace file through Quick Open (Ctrl+P) and wait until its editor is active. */
  async openFile(relPath, { timeout = TIMEOUTS.ui } = {}) {
    const base = path.basename(relPath);
    const input = await this._openQuickInput('Control+P');
    await input.fill(relPath);
    const hit = await waitUntil(
      async () => {
        const its = await this.quickInputItems();
        const i = its.findIndex(
          (it) =>
            it.label === base &&
            (relPath === base || it.ariaLabel.includes(path.dirname(relPath)) || it.description.includes(path.dirname(relPath))),
        );
        return i >= 0 ? i + 1 : null; // +1 so index 0 is truthy
      },
      { timeout, what: `Quick Open to list "${relPath}"` },
    ).catch(async (e) => {
      const its = await this.quickInputItems().catch(() => []);
      await this.page.keyboard.press('Escape').catch(() => {});
      throw new E2EError(
        e.message,
        `Quick Open showed: ${its.map((i) => JSON.stringify(`${i.label} ${i.description}`)).join(', ') || '(nothing)'}`,
      );
    });
    const row = (await this.quickInputItems())[hit - 1];
    await this._clickQuickInputRow(row.label, row.ariaLabel);
    await this._waitQuickInputClosed(`opening ${relPath}`);
    await this.waitForActiveEditor(base, { timeout });
  }

  /** Alias of openFile, named after the UI. */
  quickOpen(relPath, opts) {
    return this.openFile(relPath, opts);
  }

  /** Wait until the active tab is `fileName` and its editor has focus-able text area. */
  async waitForActiveEditor(fileName, { timeout = TIMEOUTS.ui } = {}) {
    await waitUntil(
      async () => {
        const tab = this.page.locator(SEL.activeTab).first();
        if (!(await tab.isVisible())) return false;
        const label = (await tab.getAttribute('aria-label')) || (await tab.textContent()) || '';
        return label.includes(fileName) && (await this.page.locator(`${SEL.activeEditor} .view-lines`).first().isVisible());
      },
      { timeout, what: `an active editor for "${fileName}"` },
    );
  }

  /** Go to line (and column) in the active editor with Ctrl+G. Lines and columns are 1-based. */
  async gotoLine(line, column) {
    const input = await this._openQuickInput('Control+G', ':');
    await input.fill(`:${line}${column ? `:${column}` : ''}`);
    // The go-to-line picker previews the position as you type; Enter commits it.
    await this.page.keyboard.press('Enter');
    await this._waitQuickInputClosed(`going to ${line}:${column ?? 1}`);
    await this.waitForEditorFocus();
  }

  // -- editor ------------------------------------------------------------------

  activeEditor() {
    return this.page.locator(SEL.activeEditor).first();
  }

  /** True when keyboard focus is inside the active text editor. */
  async editorHasFocus() {
    return this.page.evaluate((sel) => {
      const ed = document.querySelector(sel);
      return !!ed && ed.contains(document.activeElement);
    }, SEL.activeEditor);
  }

  async waitForEditorFocus({ timeout = TIMEOUTS.ui } = {}) {
    await waitUntil(() => this.editorHasFocus(), { timeout, what: 'the active text editor to have keyboard focus' });
  }

  /** Give the active editor keyboard focus without moving the cursor. */
  async focusEditor() {
    if (await this.editorHasFocus()) return;
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+1'); // workbench.action.focusFirstEditorGroup
    await this.waitForEditorFocus();
  }

  /**
   * Type text at the cursor with real key events (auto-closing brackets, auto-indent and
   * suggestions apply, as for a user). '\n' presses Enter; an open suggest widget is closed
   * first so Enter does not accept a suggestion.
   */
  async typeText(text, { delay = 10 } = {}) {
    await this.focusEditor();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]) await this.page.keyboard.type(lines[i], { delay });
      if (i < lines.length - 1) {
        await this.closeSuggestions();
        await this.page.keyboard.press('Enter');
      }
    }
  }

  /** Insert text at the cursor as one input (like a paste: no auto-closing, no per-key suggestions). */
  async insertText(text) {
    await this.focusEditor();
    await this.page.keyboard.insertText(text);
  }

  /** Replace the whole content of the active editor. */
  async setEditorText(text) {
    await this.focusEditor();
    await this.page.keyboard.press('Control+A');
    if (text) await this.page.keyboard.insertText(text);
    else await this.page.keyboard.press('Delete');
  }

  /** Is the active editor's tab marked dirty (unsaved changes)? */
  async isDirty() {
    return this.page
      .locator(SEL.activeTab)
      .first()
      .evaluate((t) => t.classList.contains('dirty'));
  }

  /**
   * Save the active editor (Ctrl+S) and wait until its tab is no longer dirty. The tab is first
   * given up to `dirtyTimeout` ms to show the edits as dirty (it updates asynchronously), so a
   * save right after typing is not mistaken for an already clean editor.
   */
  async save({ dirtyTimeout = 5000, timeout = TIMEOUTS.ui } = {}) {
    await this.focusEditor();
    await waitUntil(() => this.isDirty(), { timeout: dirtyTimeout, what: 'the tab to show unsaved changes' }).catch(() => {});
    await this.page.keyboard.press('Control+S');
    await waitUntil(async () => !(await this.isDirty()), { timeout, what: 'the active tab to be saved (no longer dirty)' });
  }

  /** Text of the rendered (visible) lines of the active editor, in order, '\n'-joined. */
  async visibleText() {
    return this.activeEditor().evaluate((ed) =>
      [...ed.querySelectorAll('.view-lines .view-line')]
        .map((el) => ({ top: el.getBoundingClientRect().top, text: el.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n'),
    );
  }

  /** Wait until the visible editor text contains `text` (string or RegExp). */
  async waitForEditorText(text, { timeout = TIMEOUTS.ui } = {}) {
    return waitUntil(
      async () => {
        const t = await this.visibleText();
        return (typeof text === 'string' ? t.includes(text) : text.test(t)) && t;
      },
      { timeout, what: `the editor to show ${text}` },
    );
  }

  /**
   * Screen position of the n-th (0-based `occurrence`) appearance of `text` in the visible lines
   * of the active editor: { x, y, width, height, line } (x/y = centre of the first character's
   * box is returned as cx/cy). Throws if not rendered (only visible lines are in the DOM).
   */
  async locateText(text, { occurrence = 0, charOffset = 0 } = {}) {
    const r = await this.activeEditor().evaluate(
      (ed, { text, occurrence, charOffset }) => {
        const lines = [...ed.querySelectorAll('.view-lines .view-line')]
          .map((el) => ({ el, top: el.getBoundingClientRect().top }))
          .sort((a, b) => a.top - b.top);
        const numbers = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({
          top: n.getBoundingClientRect().top,
          n: Number(n.textContent),
        }));
        let count = 0;
        for (const { el, top } of lines) {
          const s = el.textContent.replace(/\u00a0/g, ' ');
          let idx = s.indexOf(text);
          while (idx !== -1) {
            if (count++ === occurrence) {
              const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
              const at = (off) => {
                walker.currentNode = el;
                let pos = 0;
                while (walker.nextNode()) {
                  const n = walker.currentNode;
                  if (off < pos + n.data.length || (off === pos + n.data.length && !walker.nextSibling)) return [n, off - pos];
                  pos += n.data.length;
                }
                return null;
              };
              const a = at(idx);
              const b = at(idx + text.length - 1);
              const range = document.createRange();
              range.setStart(a[0], a[1]);
              range.setEnd(b[0], b[1] + 1);
              const box = range.getBoundingClientRect();
              const c = at(Math.min(idx + charOffset, idx + text.length - 1));
              const cr = document.createRange();
              cr.setStart(c[0], c[1]);
              cr.setEnd(c[0], c[1] + 1);
              const cb = cr.getBoundingClientRect();
              const ln = numbers.find((n) => Math.abs(n.top - top) < 2);
              return {
                x: box.left,
                y: box.top,
                width: box.width,
                height: box.height,
                cx: cb.left + cb.width / 2,
                cy: cb.top + cb.height / 2,
                line: ln ? ln.n : undefined,
                column: idx + 1,
              };
            }
            idx = s.indexOf(text, idx + 1);
          }
        }
        return { notFound: true, visible: lines.length, seen: count };
      },
      { text, occurrence, charOffset },
    );
    if (r.notFound)
      throw new E2EError(
        `"${text}" (occurrence ${occurrence}) is not among the ${r.visible} rendered lines of the active editor (${r.seen} occurrence(s) seen).`,
        'Only visible lines are in the DOM: gotoLine() near it first, or check the file content.',
      );
    return r;
  }

  /** Click inside `text` (at character `charOffset` of it) to put the cursor there. */
  async clickText(text, { occurrence = 0, charOffset = 0 } = {}) {
    const p = await this.locateText(text, { occurrence, charOffset });
    await this.page.mouse.click(p.cx, p.cy);
    await this.waitForEditorFocus();
    return p;
  }

  // -- syntax colouring --------------------------------------------------------

  /**
   * Tokens of the visible editor line containing `lineText` (occurrence n):
   * [{ text, className, color, fontStyle, fontWeight }], one per rendered span (.mtkN).
   */
  async lineTokens(lineText, { occurrence = 0 } = {}) {
    const r = await this.activeEditor().evaluate(
      (ed, { lineText, occurrence }) => {
        const lines = [...ed.querySelectorAll('.view-lines .view-line')].sort(
          (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
        );
        const hits = lines.filter((el) => el.textContent.replace(/\u00a0/g, ' ').includes(lineText));
        const el = hits[occurrence];
        if (!el) return null;
        return [...el.querySelectorAll('span > span')].map((s) => {
          const cs = getComputedStyle(s);
          return {
            text: s.textContent.replace(/\u00a0/g, ' '),
            className: s.className,
            color: cs.color,
            fontStyle: cs.fontStyle,
            fontWeight: cs.fontWeight,
          };
        });
      },
      { lineText, occurrence },
    );
    if (!r) throw new E2EError(`no visible editor line contains "${lineText}" (occurrence ${occurrence})`);
    return r;
  }

  /**
   * Style of the token that contains the word `word` (whole word, first match on the line
   * containing `lineText`, or anywhere when lineText is omitted): { text, className, color, ... }.
   */
  async tokenStyle(word, { lineText, occurrence = 0 } = {}) {
    const r = await this.activeEditor().evaluate(
      (ed, { word, lineText, occurrence }) => {
        const lines = [...ed.querySelectorAll('.view-lines .view-line')].sort(
          (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
        );
        const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const re = new RegExp(`(^|[^A-Za-z0-9_])${esc}($|[^A-Za-z0-9_])`);
        let count = 0;
        for (const line of lines) {
          const lt = line.textContent.replace(/\u00a0/g, ' ');
          if (lineText && !lt.includes(lineText)) continue;
          for (const s of line.querySelectorAll('span > span')) {
            const t = s.textContent.replace(/\u00a0/g, ' ');
            if (t.trim() === word || re.test(t)) {
              if (count++ < occurrence) continue;
              const cs = getComputedStyle(s);
              return { text: t, className: s.className, color: cs.color, fontStyle: cs.fontStyle, fontWeight: cs.fontWeight, line: lt };
            }
          }
        }
        return null;
      },
      { word, lineText, occurrence },
    );
    if (!r) throw new E2EError(`no rendered token contains the word "${word}"${lineText ? ` on a line with "${lineText}"` : ''}`);
    return r;
  }

  /**
   * Wait until the tokenizer has coloured the line containing `lineText` with more than one
   * colour (TextMate grammars and semantic tokens arrive asynchronously).
   */
  async waitForColouring(lineText, { timeout = TIMEOUTS.languageServer, minColours = 2 } = {}) {
    return waitUntil(
      async () => {
        const toks = await this.lineTokens(lineText).catch(() => null);
        return toks && new Set(toks.filter((t) => t.text.trim()).map((t) => t.color)).size >= minColours && toks;
      },
      { timeout, what: `syntax colouring (≥${minColours} colours) on the line containing "${lineText}"` },
    );
  }

  // -- problems ----------------------------------------------------------------

  /** Open (focus) the Problems panel and wait until it is visible. */
  async showProblems() {
    if (await this.page.locator(SEL.problemsPanel).first().isVisible()) return;
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)', { exact: false }).catch(async () => {
      await this.runCommand('Problems: Focus on Problems View');
    });
    await this.waitFor(SEL.problemsPanel, { what: 'the Problems panel' });
  }

  /**
   * Entries of the Problems panel (opened if needed):
   * [{ severity: 'error'|'warning'|'info'|'hint'?, message, code, source, line, column, file, ariaLabel }].
   * Only rendered rows are read (the panel virtualises long lists).
   */
  async getProblems({ open = true } = {}) {
    if (open) await this.showProblems();
    return this.page.locator(`${SEL.problemsPanel} .monaco-list-row`).evaluateAll((rows) => {
      const out = [];
      let file;
      for (const r of rows) {
        const aria = r.getAttribute('aria-label') || '';
        if (r.querySelector('.marker-message-details, .marker-icon, .marker-message-line')) {
          const icon = r.querySelector('.marker-icon');
          const cls = icon ? icon.className : '';
          const sev = /\berror\b/.test(cls) ? 'error' : /\bwarning\b/.test(cls) ? 'warning' : /\binfo\b/.test(cls) ? 'info' : undefined;
          // (the icon's class keeps the severity when a quick-fix bulb replaces it; aria-label as a fallback)
          const severity = sev || (/^(Error|Warning|Info)\b/.exec(aria)?.[1] || '').toLowerCase() || undefined;
          const msgEl = r.querySelector('.marker-message-line .marker-message, .marker-message');
          const codeEl = r.querySelector('.marker-code');
          const srcEl = r.querySelector('.marker-source');
          const lineEl = r.querySelector('.marker-line');
          const m = /\[Ln (\d+), Col (\d+)\]/.exec(lineEl?.textContent || '') || /line (\d+) and character (\d+)/i.exec(aria);
          out.push({
            severity,
            message: (msgEl?.textContent || '').trim(),
            code: (codeEl?.textContent || '').replace(/^\(|\)$/g, '').trim() || undefined,
            source: (srcEl?.textContent || '').trim() || undefined,
            line: m ? Number(m[1]) : undefined,
            column: m ? Number(m[2]) : undefined,
            file,
            ariaLabel: aria,
          });
        } else {
          file = (r.querySelector('.label-name')?.textContent || aria).trim();
        }
      }
      return out;
    });
  }

  /** Poll the Problems panel until predicate(problems) is truthy; returns the problems. */
  async waitForProblems(
    predicate = (ps) => ps.length > 0,
    { timeout = TIMEOUTS.languageServer, what = 'the expected Problems entries' } = {},
  ) {
    await this.showProblems();
    let last = [];
    try {
      await waitUntil(
        async () => {
          last = await this.getProblems({ open: false });
          return predicate(last);
        },
        { timeout, interval: 250, what },
      );
    } catch (e) {
      throw new E2EError(e.message, `Problems panel shows: ${safeJson(last.map(({ ariaLabel, ...p }) => p))}`);
    }
    return last;
  }

  // -- hover -------------------------------------------------------------------

  /** Text of the visible editor hover, or null. */
  async hoverText() {
    const h = this.page.locator(SEL.hover).first();
    if (!(await h.isVisible().catch(() => false))) return null;
    return (await h.innerText()).trim();
  }

  /**
   * Hover over `text` (its charOffset-th character) in the active editor with the mouse and
   * return the hover's text once it has content (not "Loading..."). until: optional string or
   * RegExp the hover must contain (hover providers may answer in several steps).
   */
  async hover(text, { occurrence = 0, charOffset = 0, until, timeout = TIMEOUTS.languageServer } = {}) {
    await this.closeHover();
    const p = await this.locateText(text, { occurrence, charOffset });
    // Move in two steps: the hover controller reacts to mouse *moves* over the text.
    await this.page.mouse.move(p.cx - 3, p.cy);
    await this.page.mouse.move(p.cx, p.cy, { steps: 2 });
    return this._waitHover(`hover over "${text}"`, until, timeout, async () => {
      await this.page.mouse.move(p.cx + 1, p.cy);
      await this.page.mouse.move(p.cx, p.cy);
    });
  }

  /** Show the hover at the cursor with the keyboard (editor.action.showHover: Ctrl+K Ctrl+I). */
  async hoverAtCursor({ until, timeout = TIMEOUTS.languageServer } = {}) {
    await this.closeHover();
    await this.focusEditor();
    const show = async () => {
      await this.page.keyboard.press('Control+K');
      await this.page.keyboard.press('Control+I');
    };
    await show();
    return this._waitHover('the hover at the cursor (Ctrl+K Ctrl+I)', until, timeout, show);
  }

  async _waitHover(what, until, timeout, retrigger) {
    let lastRetry = Date.now();
    return waitUntil(
      async () => {
        const t = await this.hoverText();
        if (t && !/^Loading\.\.\.$/.test(t) && (!until || (typeof until === 'string' ? t.includes(until) : until.test(t)))) return t;
        // Hover providers that answer late: re-trigger every few seconds.
        if (!t && Date.now() - lastRetry > 3000) {
          lastRetry = Date.now();
          await retrigger();
        }
        return null;
      },
      { timeout, what: `${what}${until ? ` containing ${until}` : ''}` },
    ).catch(async (e) => {
      throw new E2EError(e.message, `hover shows: ${JSON.stringify(await this.hoverText())}`);
    });
  }

  async closeHover() {
    if (
      await this.page
        .locator(SEL.hover)
        .first()
        .isVisible()
        .catch(() => false)
    ) {
      await this.page.mouse.move(5, 5);
      await this.page.keyboard.press('Escape');
      await this.waitFor(SEL.hover, { state: 'hidden', what: 'the hover to close' }).catch(() => {});
    }
  }

  // -- completion ----------------------------------------------------------------

  /** Rows of the open suggest widget (rendered rows only): [{ label, detail, kind, focused }]. */
  async suggestionsShown() {
    return this.page.locator(SEL.suggestRows).evaluateAll((rows) =>
      rows.map((r) => ({
        label: (r.querySelector('.label-name')?.textContent || '').trim(),
        detail: (r.querySelector('.details-label')?.textContent || r.querySelector('.label-description')?.textContent || '').trim(),
        kind: ((r.querySelector('.suggest-icon')?.className || '').match(/codicon-symbol-([a-z-]+)/) || [])[1],
        focused: r.classList.contains('focused'),
        pos: Number(r.getAttribute('aria-posinset')),
        size: Number(r.getAttribute('aria-setsize')),
      })),
    );
  }

  /**
   * Trigger completion at the cursor (Ctrl+Space) and return all suggestion labels in order
   * (scrolls the widget to collect the virtualised rows). until: optional predicate over the
   * labels to wait for (e.g. labels => labels.includes('conv1d')); re-triggers while waiting.
   */
  async triggerCompletion({ until, timeout = TIMEOUTS.languageServer, all = true } = {}) {
    await this.focusEditor();
    let lastTrigger = 0;
    let labels = [];
    try {
      await waitUntil(
        async () => {
          const visible = await this.page
            .locator(SEL.suggestWidget)
            .first()
            .isVisible()
            .catch(() => false);
          if (!visible || (Date.now() - lastTrigger > 5000 && !labels.length)) {
            if (!visible || Date.now() - lastTrigger > 5000) {
              lastTrigger = Date.now();
              await this.page.keyboard.press('Control+Space');
            }
            return false;
          }
          const rows = await this.suggestionsShown();
          if (!rows.length || rows.every((r) => !r.label)) return false; // "Loading..." / "No suggestions."
          labels = all ? await this._collectSuggestionLabels() : rows.map((r) => r.label);
          return !until || until(labels);
        },
        { timeout, interval: 200, what: `completion suggestions${until ? ' matching the predicate' : ''}` },
      );
    } catch (e) {
      const msg = await this.page
        .locator('.monaco-editor .suggest-widget .message')
        .first()
        .textContent()
        .catch(() => null);
      throw new E2EError(e.message, `suggestions: ${safeJson(labels)}${msg ? `; widget message: ${msg}` : ''}`);
    }
    return labels;
  }

  async _collectSuggestionLabels() {
    const seen = new Map();
    let size = Infinity;
    const add = async () => {
      for (const r of await this.suggestionsShown()) {
        if (r.size) size = r.size;
        if (r.label) seen.set(r.pos || seen.size + 1, r.label);
      }
    };
    await add();
    if (seen.size < size && Number.isFinite(size)) {
      // Scroll through the list with the mouse wheel (does not change the selection).
      const list = this.page.locator('.monaco-editor .suggest-widget.visible .monaco-list').first();
      const box = await list.boundingBox();
      for (let i = 0; i < 100 && seen.size < size && box; i++) {
        await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await this.page.mouse.wheel(0, box.height * 0.8);
        await sleep(50); // let the list render after the wheel (no DOM event to wait on)
        const before = seen.size;
        await add();
        if (seen.size === before && i > 2) break;
      }
      // Scroll back to the top so the widget looks (and selects) as before.
      for (let i = 0; i < 100 && box; i++) {
        const rows = await this.suggestionsShown();
        if (rows.some((r) => r.pos === 1)) break;
        await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await this.page.mouse.wheel(0, -box.height * 2);
        await sleep(50);
      }
      await this.page.mouse.move(1, box ? box.y + box.height + 200 : 1);
    }
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }

  /** Accept the suggestion labelled `label` (moves the selection with arrow keys, then Enter). */
  async acceptSuggestion(label, { timeout = TIMEOUTS.ui } = {}) {
    await this.waitFor(SEL.suggestWidget, { what: 'the suggest widget' });
    await waitUntil(
      async () => {
        const rows = await this.suggestionsShown();
        const f = rows.find((r) => r.focused);
        if (f && f.label === label) return true;
        const target = rows.find((r) => r.label === label);
        const total = rows[0]?.size || rows.length;
        if (target && f) await this.page.keyboard.press(target.pos > f.pos ? 'ArrowDown' : 'ArrowUp');
        else if (!target && total > rows.length) await this.page.keyboard.press('ArrowDown');
        return false;
      },
      { timeout, interval: 50, what: `suggestion "${label}" to be selected` },
    );
    await this.page.keyboard.press('Enter');
    await this.waitFor(SEL.suggestWidget, { state: 'hidden', what: 'the suggest widget to close' });
  }

  async closeSuggestions() {
    if (
      await this.page
        .locator(SEL.suggestWidget)
        .first()
        .isVisible()
        .catch(() => false)
    ) {
      await this.page.keyboard.press('Escape');
      await this.waitFor(SEL.suggestWidget, { state: 'hidden', what: 'the suggest widget to close' });
    }
  }

  // -- quick fix / code actions ----------------------------------------------------

  /** Items of the open code-action widget: [{ label, disabled, focused, kind }]. */
  async codeActionItems() {
    return this.page.locator(`${SEL.actionWidget} .monaco-list-row`).evaluateAll((rows) =>
      rows
        .filter((r) => r.classList.contains('action'))
        .map((r) => ({
          label: (r.querySelector('.title')?.textContent || r.textContent || '').trim(),
          disabled: r.classList.contains('option-disabled') || r.getAttribute('aria-disabled') === 'true',
          focused: r.classList.contains('focused'),
        })),
    );
  }

  /**
   * Open Quick Fix (Ctrl+.) at the cursor, or at `at` ({ text, occurrence, charOffset } → clicked
   * first), wait for the items and, if `pick` is given (string = exact label, or RegExp), choose
   * it. Returns the labels offered.
   */
  async quickFix({ at, pick, timeout = TIMEOUTS.languageServer } = {}) {
    if (at) await this.clickText(at.text, at);
    await this.focusEditor();
    let lastTrigger = 0;
    let items = [];
    try {
      await waitUntil(
        async () => {
          const visible = await this.page
            .locator(SEL.actionWidget)
            .first()
            .isVisible()
            .catch(() => false);
          if (!visible) {
            if (Date.now() - lastTrigger > 3000) {
              lastTrigger = Date.now();
              await this.page.keyboard.press('Control+.');
            }
            return false;
          }
          items = await this.codeActionItems();
          if (!items.length) return false;
          if (!pick) return true;
          return items.some((i) => match(i.label, pick));
        },
        { timeout, interval: 200, what: `the Quick Fix menu${pick ? ` to offer ${pick}` : ''}` },
      );
    } catch (e) {
      const msg = await this.page
        .locator('.monaco-editor .monaco-editor-overlaymessage')
        .first()
        .textContent()
        .catch(() => null);
      await this.page.keyboard.press('Escape').catch(() => {});
      throw new E2EError(e.message, `offered: ${safeJson(items.map((i) => i.label))}${msg ? `; editor says: ${msg}` : ''}`);
    }
    const labels = items.map((i) => i.label);
    if (pick) {
      // Keyboard, like a user: the menu ignores the pointer until the mouse moves (a
      // .context-view-pointerBlock covers the window), and arrows skip group headers.
      const chosen = await waitUntil(
        async () => {
          const its = await this.codeActionItems();
          const f = its.find((i) => i.focused);
          if (f && match(f.label, pick)) return f.label;
          await this.page.keyboard.press('ArrowDown');
          return null;
        },
        { timeout: TIMEOUTS.ui, interval: 50, what: `the Quick Fix item ${pick} to be selected` },
      );
      await this.page.keyboard.press('Enter');
      await this.waitFor(SEL.actionWidget, { state: 'hidden', what: `the Quick Fix menu to close after choosing "${chosen}"` });
    }
    return labels;
  }

  // -- panels, notifications, trust -------------------------------------------------

  /** Texts of the visible notification toasts. */
  async notifications() {
    return this.page
      .locator(SEL.notificationToast)
      .evaluateAll((ts) => ts.map((t) => (t.querySelector('.notification-list-item-message')?.textContent || t.textContent || '').trim()));
  }

  /** Close all notifications (Notifications: Clear All Notifications). */
  async clearNotifications() {
    if ((await this.page.locator(SEL.notificationToast).count()) === 0) return;
    await this.runCommand('Notifications: Clear All Notifications');
    await this.waitFor(SEL.notificationToast, { state: 'hidden', what: 'the notifications to clear' });
  }

  /** Text of the status bar items: [{ id, text, tooltip }]. */
  async statusBarItems() {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((items) =>
      items.map((i) => ({
        id: i.id,
        text: (i.textContent || '').trim(),
        ariaLabel: i.querySelector('[aria-label]')?.getAttribute('aria-label') || i.getAttribute('aria-label') || '',
      })),
    );
  }

  /** Is the window in Restricted Mode (untrusted)? */
  async isRestricted() {
    return (await this.statusBarItems()).some((i) => /Restricted Mode/i.test(i.text + i.ariaLabel));
  }

  /** The startup trust dialog ("Do you trust the authors…?"), as a locator. */
  trustDialog() {
    return this.page.locator('.monaco-dialog-box').filter({ hasText: 'Do you trust the authors' });
  }

  /**
   * Trust the open folder: with the startup dialog ("Yes, I trust the authors") when it is shown,
   * else through "Workspaces: Manage Workspace Trust" → Trust. Waits until Restricted Mode ends.
   */
  async trustWorkspace({ timeout = TIMEOUTS.ui } = {}) {
    if (
      await this.trustDialog()
        .isVisible()
        .catch(() => false)
    ) {
      await this.trustDialog().getByRole('button', { name: 'Yes, I trust the authors' }).click({ timeout });
      await this.trustDialog().waitFor({ state: 'hidden', timeout });
    } else {
      await this.runCommand('Workspaces: Manage Workspace Trust');
      const trust = this.page.locator('.workspace-trust-editor').getByRole('button', { name: 'Trust', exact: true });
      await trust.waitFor({ timeout });
      await trust.click({ timeout });
    }
    await waitUntil(async () => !(await this.isRestricted()), { timeout, what: 'the workspace to become trusted (no Restricted Mode)' });
  }

  /** Leave the startup trust dialog with "No, I don't trust the authors" (stay in Restricted Mode). */
  async declineTrust({ timeout = TIMEOUTS.ui } = {}) {
    await this.trustDialog().getByRole('button', { name: "No, I don't trust the authors" }).click({ timeout });
    await this.trustDialog().waitFor({ state: 'hidden', timeout });
  }

  // -- inlay hints, code lenses, webviews ------------------------------------------

  /**
   * Inlay hints rendered in the visible lines of the active editor: [{ line, text }] in order.
   * Monaco renders them as injected text (spans with generated `dyn-rule-*` classes), so this
   * groups adjacent such spans; other injected text that uses dynamic rules would show too.
   */
  async inlayHints() {
    return this.activeEditor().evaluate((ed) => {
      const nums = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({
        top: n.getBoundingClientRect().top,
        n: Number(n.textContent),
      }));
      const lines = [...ed.querySelectorAll('.view-lines .view-line')].sort(
        (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
      );
      const out = [];
      for (const el of lines) {
        const top = el.getBoundingClientRect().top;
        const line = nums.find((n) => Math.abs(n.top - top) < 2)?.n;
        let cur = null;
        for (const s of el.querySelectorAll('span > span')) {
          if (/\bdyn-rule-/.test(s.className)) {
            cur = cur ?? { line, text: '' };
            cur.text += s.textContent.replace(/\u00a0/g, ' ');
          } else if (cur) {
            if (cur.text.trim()) out.push({ line: cur.line, text: cur.text.trim() });
            cur = null;
          }
        }
        if (cur && cur.text.trim()) out.push({ line: cur.line, text: cur.text.trim() });
      }
      return out;
    });
  }

  /** Wait until inlay hints satisfy predicate(hints) (default: any); returns them. */
  async waitForInlayHints(predicate = (hs) => hs.length > 0, { timeout = TIMEOUTS.languageServer } = {}) {
    let last = [];
    return waitUntil(async () => predicate((last = await this.inlayHints())) && last, {
      timeout,
      interval: 250,
      what: 'inlay hints',
    }).catch((e) => {
      throw new E2EError(e.message, `inlay hints shown: ${safeJson(last)}`);
    });
  }

  /** Code lenses shown in the active editor: [{ text, top }] (e.g. "0 references"). */
  async codeLenses() {
    return this.activeEditor()
      .locator('.codelens-decoration')
      .evaluateAll((ls) =>
        ls.map((l) => ({ text: (l.textContent || '').trim(), top: l.getBoundingClientRect().top })).sort((a, b) => a.top - b.top),
      );
  }

  /** The content frame of the active webview (for panels a custom editor or extension opens). */
  webview() {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }
}

function match(label, pick) {
  return typeof pick === 'string' ? label === pick : pick.test(label);
}

// ---------------------------------------------------------------------------
// all together

/**
 * Start code-server + Chromium with a folder open and return a session:
 * { server, browser, context, page, wb: Workbench, workspaceDir, loadMs, consoleErrors,
 *   updateSettings(obj), close() }.
 * opts: files ({rel: content}, written to a new temp workspace) or folder (existing);
 * vsix (installed first); trusted (true | false | 'prompt', see writeUserSettings); settings;
 * name (screenshot prefix); viewport; extraArgs (code-server flags).
 */
export async function launchVSCode(opts = {}) {
  const { files, vsix, trusted = true, settings = {}, name = 'e2e', viewport } = opts;
  const ownWorkspace = !opts.folder;
  const workspaceDir = opts.folder || (await createWorkspace(files || {}));
  const session = { workspaceDir, server: undefined, browser: undefined, closed: false };
  session.close = async () => {
    if (session.closed) return;
    session.closed = true;
    await session.browser?.close().catch(() => {});
    await session.server?.stop();
    if (ownWorkspace && !process.env.QNN_E2E_KEEP_TMP) await fsp.rm(workspaceDir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    session.server = await startCodeServer({ folder: workspaceDir, vsix, trusted, settings, extraArgs: opts.extraArgs });
    const b = await launchBrowser({ viewport });
    Object.assign(session, b);
    session.wb = new Workbench(b.page, { name });
    session.wb.clearOldScreenshots();
    session.loadMs = await openWorkbench(b.page, session.server.url);
    await session.wb.waitFor('.part.sidebar, .part.editor', { what: 'the workbench parts' });
    if (trusted === 'prompt') await session.wb.trustDialog().waitFor({ timeout: TIMEOUTS.ui });
    session.updateSettings = (s) => session.server.updateSettings(s);
  } catch (e) {
    if (session.page) {
      const shot = await new Workbench(session.page, { name: `${name}-launch-failure` }).screenshot('failure').catch(() => null);
      if (shot) e.message += `\nscreenshot: ${shot}`;
    }
    if (session.server) e.message += `\n--- code-server log tail ---\n${session.server.logTail()}`;
    await session.close();
    throw e;
  }
  return session;
}

/**
 * Run fn(session) inside a fresh VS Code and always shut it down. On failure, saves a
 * screenshot, prints its path and the code-server log tail, and rethrows.
 * t: the node:test context (its name prefixes screenshots) or a string.
 */
export async function withVSCode(t, opts, fn) {
  const name = slug(typeof t === 'string' ? t : t?.name || opts?.name || 'e2e');
  const session = await launchVSCode({ ...opts, name });
  try {
    return await fn(session);
  } catch (e) {
    const shot = await session.wb.screenshot('FAILURE').catch((err) => `(screenshot failed: ${err.message})`);
    const details = [
      `screenshot of the failure: ${shot}`,
      `code-server log: ${session.server.logPath} (kept)`,
      `--- code-server log tail ---`,
      session.server.logTail(25),
    ];
    const more = session.server.diagnostics(opts?.logFilter ?? /qnn/i);
    if (more) details.push(more);
    if (session.consoleErrors?.length) details.push('--- browser console errors (last 10) ---', ...session.consoleErrors.slice(-10));
    const msg = details.join('\n');
    if (typeof t?.diagnostic === 'function') t.diagnostic(`screenshot of the failure: ${shot}`);
    console.error(`\n[e2e] ${name} failed: ${e.message}\n${msg}\n`);
    if (e instanceof Error) e.message += `\n(screenshot: ${shot})`;
    if (process.env.QNN_E2E_KEEP_TMP_ON_FAILURE !== '0') session.server.stop = wrapKeepLog(session.server);
    throw e;
  } finally {
    await session.close();
  }
}

function wrapKeepLog(server) {
  const stop = server.stop.bind(server);
  return () => stop({ removeTmp: false });
}

// Exposed for tests of the harness itself.
export const _internal = { slug, sleep };
