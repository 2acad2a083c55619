// Neovim as a second LSP client: Debian's Neovim (0.7.2), headless, configured with the
// init.lua of docs/editors.md exactly as written there, starts `qnn-language-server --stdio`
// (the built server, through a qnn-language-server on PATH) on a copy of the TFC example with
// an illegal fold, and test/e2e/neovim/driver.lua records diagnostics with their codes, the
// hover of a layer and of `target`, the code lens, completion at `fold(`, a rename and
// formatting to a JSON file checked here.
//
// Runs in `npm run test:e2e`; alone: `node --test test/e2e/neovim.e2e.mjs` (needs the apt
// package `neovim` and out/ from `npm run build`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './harness.mjs';

const SERVER = path.join(REPO_ROOT, 'out/server/main.cjs');
const DRIVER = path.join(REPO_ROOT, 'test/e2e/neovim/driver.lua');

/** The first ```lua block of docs/editors.md: the init.lua a Neovim user copies. */
function documentedInitLua() {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/editors.md'), 'utf8');
  const m = /```lua\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, 'docs/editors.md has no ```lua block');
  return m[1];
}

test('Neovim with the documented init.lua: diagnostics, hover, code lens, completion, rename, formatting', { timeout: 180_000 }, (t) => {
  const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.equal(nvim.status, 0, 'nvim is not installed: apt-get install -y neovim (Debian 12: 0.7.2)');
  t.diagnostic(nvim.stdout.split('\n')[0]);
  if (!fs.existsSync(SERVER)) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, `npm run build failed:\n${b.stderr}`);
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qnn-nvim-'));
  try {
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'qnn-language-server'), `#!/bin/sh\nexec "${process.execPath}" "${SERVER}" "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(tmp, 'init.lua'), documentedInitLua());
    fs.cpSync(path.join(REPO_ROOT, 'examples/tfc_w1a1'), path.join(tmp, 'tfc'), { recursive: true });
    const file = path.join(tmp, 'tfc', 'tfc_w1a1.qnn');
    const original = fs.readFileSync(file, 'utf8');
    const fc2 = 'layer fc2 = dense(a1, units=64, weights=bipolar("weights/fc2.npy")) fold(pe=8, simd=8)';
    assert.ok(original.includes(fc2));
    const text = original.replace(fc2, fc2.replace('simd=8', 'simd=5'));
    fs.writeFileSync(file, text);
    const outFile = path.join(tmp, 'out.json');
    const xdg = path.join(tmp, 'xdg');

    const r = spawnSync('nvim', ['--headless', '-i', 'NONE', '-u', path.join(tmp, 'init.lua'), '-c', `luafile ${DRIVER}`], {
      cwd: tmp,
      encoding: 'utf8',
      timeout: 150_000,
      env: {
        ...process.env,
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        XDG_CONFIG_HOME: xdg,
        XDG_DATA_HOME: xdg,
        XDG_STATE_HOME: xdg,
        XDG_CACHE_HOME: xdg,
        QNN_NVIM_FILE: file,
        QNN_NVIM_OUT: outFile,
      },
    });
    assert.ok(fs.existsSync(outFile), `nvim wrote no results (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    assert.equal(out.error, null, `the driver failed at step ${out.steps.at(-1)}: ${out.error}`);
    assert.equal(out.steps.at(-1), 'done');

    // init.lua: filetype, one client, buffer settings from on_attach.
    assert.equal(out.filetype, 'qnn');
    assert.equal(out.clients, 1);
    assert.equal(out.omnifunc, 'v:lua.vim.lsp.omnifunc');

    // Diagnostics with codes and exact ranges: QNN040 on the `5` of `simd=5`.
    const lines = text.split('\n');
    const simd = out.diagnostics.find((d) => d.code === 'QNN040');
    assert.ok(simd, `no QNN040 in ${JSON.stringify(out.diagnostics)}`);
    assert.equal(simd.severity, 1); // vim.diagnostic.severity.ERROR
    assert.equal(lines[simd.lnum].slice(simd.col, simd.end_col), '5');
    assert.match(simd.message, /^SIMD 5 does not divide the input width MW = 64/);
    assert.ok(out.diagnostics.some((d) => d.code === 'QNN043'));
    // …and shown with their code (init.lua's virtual_text format; 0.7 writes the last
    // diagnostic of a line in full and a ■ for each other one), the lens on `target`.
    const shown = out.virtual_text.filter((v) => v.text.length > 2 && v.text.startsWith('■ '));
    assert.ok(shown.length >= 3, JSON.stringify(out.virtual_text));
    for (const v of shown) assert.match(v.text, /^■ QNN\d{3} \S/);
    assert.ok(shown.some((v) => v.line === simd.lnum));
    const targetLine = lines.findIndex((l) => l.trimStart().startsWith('target '));
    assert.ok(out.virtual_text.some((v) => v.line === targetLine && / frames\/s /.test(v.text)));

    // Hover with the estimate: a layer's fold and cycles, the target's totals and frames/s.
    assert.match(out.hover_layer, /\*\*layer `fc1`\*\* · `dense` → MVAU/);
    assert.match(out.hover_layer, /\| fold \| PE 8 × SIMD 8 → NF 8 × SF 8 \|/);
    assert.match(out.hover_target, /\*\*target `xc7z020`\*\*/);
    assert.match(out.hover_target, /\| throughput \| \*\*[\d.,]+[kMG]? frames\/s\*\*/);

    // The code lens on `target`.
    assert.equal(out.code_lenses.length, 1);
    assert.equal(out.code_lenses[0].line, targetLine);
    assert.match(out.code_lenses[0].title, / frames\/s .*· bottleneck fc2 .*· illegal fold estimated as 1: fc2 SIMD 5$/);

    // Completion at `fold(`: the fold arguments with fc1's legal values (MW = MH = 64; a
    // dense layer computes one vector per frame, so MMV is 1).
    assert.deepEqual(
      out.completion.map((c) => c.label),
      ['pe', 'simd', 'mmv'],
    );
    assert.equal(out.completion[2].detail, 'valid: 1');
    assert.equal(out.completion[0].detail, 'valid: 1, 2, 4, 8, 16, 32, 64');

    // Rename fc0 → conv0: the declaration and its use, not the weight file's name.
    const renamed = out.after_rename;
    assert.match(renamed, /layer conv0 = dense\(img,/);
    assert.match(renamed, /layer a0 = threshold\(conv0,/);
    assert.ok(!/\bfc0\b(?!\.npy)/.test(renamed), 'fc0 left somewhere');
    assert.ok(renamed.includes('"weights/fc0.npy"'));

    // Formatting puts the messy a1 line back in the project's format, and changes nothing else.
    assert.equal(out.after_format, renamed);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
