#!/usr/bin/env node
// Entry of the end-to-end suites (`npm run test:e2e`):
//   1. checks Chromium (/usr/bin/chromium, apt package `chromium`);
//   2. installs code-server 4.100.3 into its cache unless already there
//      (scripts/install-code-server.sh; cache ${QNN_CODE_SERVER_DIR:-~/.cache/qnn-fpga/code-server-4.100.3});
//   3. when a selected suite has the line `// @qnn-e2e needs-vsix`, runs `npm run package`
//      if qnn-fpga.vsix is missing or older than out/ (or package.json, src/, grammar/), and
//      passes its path as QNN_E2E_VSIX;
//   4. runs test/e2e/*.e2e.mjs with node's built-in test runner, one file at a time, so the
//      output ends with node's standard summary.
//
// Usage: node test/e2e/run.mjs [--package | --no-package] [name-filter ...]
//   name-filter: substrings of suite file names (e.g. `smoke`); default: all suites.
// Environment: QNN_E2E_TIMEOUT_MS (whole run, default 30 min), QNN_E2E_TEST_TIMEOUT_MS (one suite
//   file, default 20 min: node's --test-timeout bounds each file's whole run; each test in it has
//   its own timeout), QNN_E2E_HEADED=1, QNN_E2E_KEEP_TMP=1, QNN_E2E_TIMEOUT_SCALE, QNN_E2E_CHROMIUM.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CHROMIUM_PATH, E2E_DIR, REPO_ROOT, SCREENSHOT_DIR, codeServerDir, isCodeServerInstalled, killTreeSync } from './harness.mjs';

const args = process.argv.slice(2);
const forcePackage = args.includes('--package');
const noPackage = args.includes('--no-package');
const filters = args.filter((a) => !a.startsWith('--'));
const VSIX = path.join(REPO_ROOT, 'qnn-fpga.vsix');
// A suite that installs the extension says so on a line of its own: `// @qnn-e2e needs-vsix`.
const NEEDS_VSIX = /^\/\/\s*@qnn-e2e\s+needs-vsix\s*$/m;

function fail(message) {
  console.error(`\n[e2e] ERROR: ${message}\n`);
  process.exit(1);
}
const info = (m) => console.log(`[e2e] ${m}`);

// 1. Chromium
if (!fs.existsSync(CHROMIUM_PATH)) {
  fail(
    `Chromium is missing at ${CHROMIUM_PATH}. Install it with: apt-get install -y chromium (Debian package "chromium"), or point QNN_E2E_CHROMIUM at a Chromium binary.`,
  );
}

// 2. code-server
if (!isCodeServerInstalled()) {
  const script = path.join(REPO_ROOT, 'scripts', 'install-code-server.sh');
  info(`code-server is not cached in ${codeServerDir()}; running scripts/install-code-server.sh (takes a few minutes)…`);
  const t0 = Date.now();
  const r = spawnSync('bash', [script], { stdio: 'inherit', cwd: REPO_ROOT });
  if (r.status !== 0 || !isCodeServerInstalled()) {
    fail(
      `scripts/install-code-server.sh failed (exit ${r.status ?? r.signal}); code-server is needed for the end-to-end tests.\n` +
        '  It needs the Debian packages: ripgrep build-essential python3 libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev,\n' +
        '  Node 20 and the npm registry. See the messages above.',
    );
  }
  info(`code-server installed in ${Math.round((Date.now() - t0) / 1000)} s`);
}

// 3. suites
let suites = fs
  .readdirSync(E2E_DIR)
  .filter((f) => f.endsWith('.e2e.mjs'))
  .sort()
  .map((f) => path.join(E2E_DIR, f));
if (filters.length) suites = suites.filter((f) => filters.some((flt) => path.basename(f).includes(flt)));
if (!suites.length) fail(`no suite matches ${filters.length ? filters.join(', ') : 'test/e2e/*.e2e.mjs'}`);

// 4. the .vsix
function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p)) if (e !== 'node_modules') m = Math.max(m, newestMtime(path.join(p, e)));
  return m;
}

const needsVsix = forcePackage || suites.some((f) => NEEDS_VSIX.test(fs.readFileSync(f, 'utf8')));
const env = { ...process.env };
if (needsVsix && !noPackage) {
  const inputs = ['out', 'package.json', 'src', 'grammar'].map((p) => path.join(REPO_ROOT, p));
  const vsixTime = fs.existsSync(VSIX) ? fs.statSync(VSIX).mtimeMs : 0;
  const outTime = newestMtime(path.join(REPO_ROOT, 'out'));
  const inputTime = Math.max(...inputs.map(newestMtime));
  if (forcePackage || !vsixTime || !outTime || inputTime > vsixTime) {
    info(`${vsixTime ? 'qnn-fpga.vsix is older than its inputs' : 'qnn-fpga.vsix is missing'}: npm run package`);
    const t0 = Date.now();
    const r = spawnSync('npm', ['run', 'package'], { stdio: 'inherit', cwd: REPO_ROOT });
    if (r.status !== 0 || !fs.existsSync(VSIX))
      fail(`\`npm run package\` failed (exit ${r.status ?? r.signal}); no qnn-fpga.vsix to install. See the messages above.`);
    info(`packaged qnn-fpga.vsix in ${Math.round((Date.now() - t0) / 1000)} s`);
  } else {
    info('qnn-fpga.vsix is up to date');
  }
  env.QNN_E2E_VSIX = VSIX;
} else if (needsVsix) {
  if (!fs.existsSync(VSIX)) fail('--no-package given but qnn-fpga.vsix does not exist');
  env.QNN_E2E_VSIX = VSIX;
}

// 5. node:test, one file at a time (the CI machine has 2 cores).
fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
// node applies --test-timeout to each file's subprocess as a whole: it must hold all of a
// file's tests (extension.e2e.mjs: editing, compile and simulate, build, views).
const testTimeout = Number(process.env.QNN_E2E_TEST_TIMEOUT_MS || 1_200_000);
const runTimeout = Number(process.env.QNN_E2E_TIMEOUT_MS || 1_800_000);
info(`running ${suites.map((f) => path.relative(REPO_ROOT, f)).join(' ')} (screenshots: ${path.relative(REPO_ROOT, SCREENSHOT_DIR)}/)`);
const child = spawn(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=1',
    `--test-timeout=${testTimeout}`,
    '--test-force-exit',
    // QNN_E2E_ONLY: run only the tests whose names match this pattern (node's --test-name-pattern).
    ...(process.env.QNN_E2E_ONLY ? [`--test-name-pattern=${process.env.QNN_E2E_ONLY}`] : []),
    ...suites,
  ],
  { stdio: 'inherit', cwd: REPO_ROOT, env, detached: true },
);
const watchdog = setTimeout(() => {
  console.error(`\n[e2e] ERROR: the end-to-end run exceeded ${runTimeout} ms (QNN_E2E_TIMEOUT_MS); killing it.`);
  killTreeSync(child.pid);
}, runTimeout);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killTreeSync(child.pid);
    process.exit(130);
  });
}
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  // Whatever the suites left behind (they should leave nothing) goes with them.
  killTreeSync(child.pid);
  process.exit(code ?? (signal ? 1 : 0));
});
