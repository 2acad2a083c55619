/**
 * The copy-paste GitHub Actions workflow of docs/ci.md, as written there: it is valid YAML,
 * and its check, base-branch estimate and comparison steps run (bash, as Actions runs them)
 * in a scratch repository with a pull request that halves a network's frames/s, with `qnn`
 * the built CLI. The compile-and-simulate step is not run here (the simulation suites cover
 * `qnn sim`). Needs out/ (built here when stale) and git.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, EXAMPLES, ROOT } from '../lsp/lsp-client.js';

const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  defaults: { run: { shell: string } };
  jobs: { qnn: { container: string; steps: Step[] } };
}

const doc = readFileSync(path.join(ROOT, 'docs/ci.md'), 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const workflow = load(yamlBlocks[0]) as Workflow;
const step = (prefix: string): Step => {
  const s = workflow.jobs.qnn.steps.find((x) => x.name?.startsWith(prefix));
  if (!s) throw new Error(`no step '${prefix}…' in docs/ci.md`);
  return s;
};

const tmp = mkdtempSync(path.join(tmpdir(), 'qnn-ci-workflow-'));
const origin = path.join(tmp, 'origin');
const workspace = path.join(tmp, 'workspace');
const runnerTemp = path.join(tmp, 'runner-temp');
const shims = path.join(tmp, 'bin');
const NET = 'nets/tfc/tfc_w1a1.qnn';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a step's `run` script as Actions does with `shell: bash`. */
function runStep(s: Step, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const script = path.join(runnerTemp, `step-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(script, s.run!);
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: `${shims}${path.delimiter}${process.env.PATH}`,
      HOME: tmp,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_BASE_REF: 'main',
      QNN_TOLERANCE_PCT: workflow.env.QNN_TOLERANCE_PCT,
      ...env,
    },
  });
}

beforeAll(() => {
  ensureBuilt();
  mkdirSync(shims);
  mkdirSync(runnerTemp);
  writeFileSync(path.join(shims, 'qnn'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'out/cli/qnn.cjs')}" "$@"\n`);
  chmodSync(path.join(shims, 'qnn'), 0o755);
  // The base branch: the TFC example; the pull request: fc1 folded to half its PE (II 64 → 128).
  cpSync(path.join(EXAMPLES, 'tfc_w1a1'), path.join(origin, 'nets/tfc'), { recursive: true });
  git(origin, 'init', '-q', '-b', 'main');
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'base');
  git(tmp, 'clone', '-q', origin, workspace);
  git(workspace, 'checkout', '-q', '-b', 'pr');
  const net = path.join(workspace, NET);
  const text = readFileSync(net, 'utf8');
  expect(text).toContain('fold(pe=8, simd=8)');
  writeFileSync(net, text.replace('fold(pe=8, simd=8)', 'fold(pe=4, simd=8)'));
  git(workspace, 'commit', '-q', '-am', 'slower fc1');
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('docs/ci.md: the GitHub Actions workflow', () => {
  it('is one YAML workflow: pull requests and main, Debian 12 with Node 20, bash, SARIF upload allowed', () => {
    expect(yamlBlocks).toHaveLength(1);
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
    expect(workflow.jobs.qnn.container).toBe('node:20-bookworm');
    expect(workflow.defaults.run.shell).toBe('bash');
    expect(workflow.permissions['security-events']).toBe('write');
    expect(step('Upload SARIF').uses).toMatch(/^github\/codeql-action\/upload-sarif@/);
    expect(step('Install').run).toContain('npm install -g --offline "$QNN_TARBALL"');
    expect(step('Estimate, compile and simulate').run).toMatch(/qnn compile "\$f" &&\s+qnn sim "\$f"/);
  });

  it('the check steps annotate every .qnn and write a SARIF log', () => {
    const gh = runStep(step('Check (annotations'));
    expect(gh.status, gh.stderr).toBe(0);
    expect(gh.stdout).toMatch(new RegExp(`^::notice file=${NET},line=\\d+,col=\\d+,endLine=\\d+,endColumn=\\d+,title=QNN043::`, 'm'));
    const sarif = runStep(step('Check (SARIF'));
    expect(sarif.status, sarif.stderr).toBe(0);
    const log = JSON.parse(readFileSync(path.join(workspace, 'qnn.sarif'), 'utf8')) as {
      runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(NET);
  });

  it('a pull request that halves frames/s fails the comparison; a tolerance lets it pass', () => {
    // The head's estimates, as the estimate-compile-simulate step writes them.
    mkdirSync(path.join(workspace, 'estimates/head', path.dirname(NET)), { recursive: true });
    const est = spawnSync(path.join(shims, 'qnn'), ['estimate', '--json', NET], { cwd: workspace, encoding: 'utf8' });
    expect(est.status, est.stderr).toBe(0);
    writeFileSync(path.join(workspace, 'estimates/head', `${NET}.json`), est.stdout);

    const base = runStep(step('Estimate the base branch'));
    expect(base.status, base.stderr).toBe(0);
    expect(existsSync(path.join(workspace, 'estimates/base', `${NET}.json`))).toBe(true);

    const summary = path.join(runnerTemp, 'summary.md');
    const cmp = runStep(step('Compare with the base branch'), { GITHUB_STEP_SUMMARY: summary });
    expect(cmp.status).toBe(1);
    expect(cmp.stdout).toContain(`::error file=${NET},title=qnn estimate::tfc_w1a1: frames/s drop from 1562500 to 781250`);
    expect(readFileSync(summary, 'utf8')).toMatch(/\| nets\/tfc\/tfc_w1a1\.qnn \| 1562500 → 781250 \|.*✗ \|/);

    const tolerant = runStep(step('Compare with the base branch'), { QNN_TOLERANCE_PCT: '60' });
    expect(tolerant.status, tolerant.stdout + tolerant.stderr).toBe(0);
    expect(tolerant.stdout).not.toContain('::error');
  });

  it('growing resources at the same frame rate fails too', () => {
    const headFile = path.join(workspace, 'estimates/head', `${NET}.json`);
    const head = JSON.parse(readFileSync(path.join(workspace, 'estimates/base', `${NET}.json`), 'utf8')) as {
      totals: Record<string, number>;
    };
    head.totals.bram18 += 2;
    writeFileSync(headFile, JSON.stringify(head));
    const cmp = runStep(step('Compare with the base branch'));
    expect(cmp.status).toBe(1);
    expect(cmp.stdout).toMatch(/::error file=nets\/tfc\/tfc_w1a1\.qnn,title=qnn estimate::tfc_w1a1: bram18 grows from 0 to 2/);
    expect(cmp.stdout).not.toContain('frames/s drop');
  });
});
