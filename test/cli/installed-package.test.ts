/**
 * The installed tools: `npm pack` of this project, `npm install -g` of the tarball into a
 * temporary prefix (offline: the bundles carry Langium and the LSP libraries, so the package
 * has no run-time dependencies), then the installed `qnn` and `qnn-language-server` — started
 * through their `bin` links, as a shell or an editor would — on an example copied outside the
 * repository. Needs out/ (built here when stale) and npm on PATH; about half a minute.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, EXAMPLES, fileUri, LspClient, posOf, ROOT } from '../lsp/lsp-client.js';
import type { Estimate } from '../../server/src/protocol/estimate.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'qnn-installed-'));
const prefix = path.join(tmp, 'prefix');
const work = path.join(tmp, 'work');
const bin = path.join(prefix, 'bin');
const pkgDir = path.join(prefix, 'lib', 'node_modules', 'qnn-fpga');
const example = path.join(work, 'tfc_w1a1', 'tfc_w1a1.qnn');

// Only the installed commands, node and the system: no node_modules/.bin, no checkout.
const env: NodeJS.ProcessEnv = {
  PATH: [bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
  HOME: tmp,
  LANG: 'C.UTF-8',
};

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  // npm_config_* set by an enclosing `npm test` (e.g. a global prefix) must not leak into these calls.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, env: clean });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

function installed(command: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(path.join(bin, command), args, { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  ensureBuilt();
  const packed = npm(['pack', '--json', '--pack-destination', tmp], ROOT);
  const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  npm(['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(tmp, filename)], tmp);
  cpSync(path.join(EXAMPLES, 'tfc_w1a1'), path.join(work, 'tfc_w1a1'), { recursive: true });
}, 240_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed and installed qnn-fpga', () => {
  it('is self-contained: bundles, engine templates, no run-time dependencies', () => {
    expect(existsSync(path.join(pkgDir, 'node_modules'))).toBe(false);
    expect(readdirSync(path.join(pkgDir, 'hw-templates'))).toContain('qnn_mvau.sv');
    for (const f of ['out/cli/qnn.cjs', 'out/server/main.cjs']) {
      expect(readFileSync(path.join(pkgDir, f), 'utf8').startsWith('#!/usr/bin/env node\n'), f).toBe(true);
    }
    // No sources, tests or source maps in the tarball.
    expect(existsSync(path.join(pkgDir, 'server'))).toBe(false);
    expect(existsSync(path.join(pkgDir, 'test'))).toBe(false);
    expect(existsSync(path.join(pkgDir, 'out/server/main.cjs.map'))).toBe(false);
  });

  it('qnn --version, check and estimate --json run on an example outside the repository', () => {
    expect(installed('qnn', '--version').stdout.trim()).toBe('qnn 0.1.0');
    const check = installed('qnn', 'check', example);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/tfc_w1a1\.qnn:\d+:\d+: info QNN043 /);
    const est = installed('qnn', 'estimate', '--json', example);
    expect(est.status, est.stderr).toBe(0);
    const e = JSON.parse(est.stdout) as Estimate;
    expect(e.network).toBe('tfc_w1a1');
    expect(e.ii_cycles).toBe(64);
    expect(e.fps).toBe(1_562_500);
  });

  it('qnn compile finds the installed engine templates', () => {
    const out = path.join(work, 'build');
    const r = installed('qnn', 'compile', example, '-o', out);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(path.join(out, 'rtl'))).toEqual(expect.arrayContaining(['qnn_mvau.sv', 'tfc_w1a1_top.sv']));
  });

  it('qnn check exits 1 on an error and says where', () => {
    const bad = path.join(work, 'tfc_w1a1', 'bad.qnn');
    writeFileSync(bad, readFileSync(example, 'utf8').replace('fold(pe=8, simd=8)', 'fold(pe=8, simd=5)'));
    const r = installed('qnn', 'check', bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/bad\.qnn:\d+:\d+: error QNN040 /);
  });

  it('qnn-language-server --stdio answers an LSP client: diagnostics, hover, formatting', async () => {
    const client = await LspClient.start({ server: { command: path.join(bin, 'qnn-language-server'), args: ['--stdio'], cwd: work, env } });
    try {
      expect(client.initializeResult?.capabilities.hoverProvider).toBeTruthy();
      const text = readFileSync(example, 'utf8');
      const uri = fileUri(example);
      const diags = await client.open(uri, text);
      expect(diags.map((d) => d.code)).toContain('QNN043');
      const hover = await client.hover(uri, posOf(text, 'layer fc0', 6));
      const md = JSON.stringify(hover?.contents);
      expect(md).toContain('fc0');
      expect(md).toContain('cycles / frame | 64');
      const edits = await client.format(uri);
      expect(Array.isArray(edits)).toBe(true);
    } finally {
      await client.stop();
    }
  });
});
