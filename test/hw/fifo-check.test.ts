/**
 * The FIFO check (hardware.md §3): halving a FIFO of depth > 2 must lower throughput
 * or be reported over-sized. The chain below is TFC in small: three MVAUs at the II
 * (64 cycles each) and a faster last one. d2 consumes a vector in an 8-word burst and
 * then replays it for 56 cycles while d1 produces the next one spread over 64 cycles, so
 * the FIFO in front of d3 must hold d2's output across d3's burst; the check shows which.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { checkFifoDepths } from '../../server/src/flows/sim/fifo-check.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';

const CHAIN = `network chain4 {
  target xc7z020 @ 100 MHz
  input x: u2[32]
  layer d1 = dense(x, units=16, weights=i2(random, seed=1)) fold(pe=4, simd=2)
  layer r1 = requant(d1, out=u2, scale=0.05)
  layer d2 = dense(r1, units=16, weights=i2(random, seed=2)) fold(pe=2, simd=2)
  layer r2 = requant(d2, out=u2, scale=0.05)
  layer d3 = dense(r2, units=16, weights=i2(random, seed=3)) fold(pe=2, simd=2)
  layer r3 = requant(d3, out=u2, scale=0.05)
  layer d4 = dense(r3, units=4, weights=i2(random, seed=4)) fold(pe=1, simd=2)
  output d4
}
`;

const CLI = path.resolve('out/cli/qnn.cjs');

describe('FIFO depth overrides in the compiler', () => {
  it('replace one analysed depth, say so in report.json and the top, and reject unknown names', async () => {
    const { analysis } = await check(CHAIN);
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-fifo-ovr-'));
    const analysed = compileNetwork(analysis, path.join(dir, 'a'), 'chain4.qnn').report.fifos;
    const target = analysed.find((f) => f.depth > 2)!;
    const c = compileNetwork(analysis, path.join(dir, 'b'), 'chain4.qnn', { fifoDepths: { [target.name]: 2 } });
    const f = c.report.fifos.find((x) => x.name === target.name)!;
    expect(f.depth).toBe(2);
    expect(f.reason).toContain(`depth set to 2 (the analysis gives ${target.depth}`);
    // Every other FIFO keeps its analysed depth.
    for (const o of c.report.fifos.filter((x) => x.name !== target.name))
      expect(o.depth).toBe(analysed.find((a) => a.name === o.name)!.depth);
    const top = readFileSync(path.join(c.rtlDir, `${c.top}.sv`), 'utf8');
    expect(top).toMatch(new RegExp(`\\.DEPTH\\(2\\)\\s*\\) ${target.name} `));
    expect(() => compileNetwork(analysis, path.join(dir, 'c'), 'chain4.qnn', { fifoDepths: { fifo_nope: 4 } })).toThrow(
      /no FIFO named fifo_nope/,
    );
  });
});

describe('qnn fifo-check on Verilator', () => {
  it('finds the FIFO that throughput needs and reports the others over-sized', async () => {
    const { analysis } = await check(CHAIN);
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-fifo-check-'));
    const r = await checkFifoDepths({ analysis, sourceName: 'chain4.qnn', outDir: dir, simulator: 'verilator' });
    expect(r.baseline.ii).toBe(64);
    expect(r.baseline.expected_ii).toBe(64);
    const byName = Object.fromEntries(r.fifos.map((f) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(['fifo_d1_d2', 'fifo_d2_d3', 'fifo_d3_d4']);
    // Halved, the FIFO in front of d3 costs throughput: needed.
    expect(byName.fifo_d2_d3.verdict).toBe('needed');
    expect(byName.fifo_d2_d3.ii!).toBeGreaterThan(64);
    expect(byName.fifo_d2_d3.effect).toMatch(/^II 64 → \d+ cycles/);
    // The others hold words no engine on the critical rate waits for: over-sized.
    for (const n of ['fifo_d1_d2', 'fifo_d3_d4']) {
      expect(byName[n].verdict).toBe('over-sized');
      expect(byName[n].ii).toBe(64);
      expect(byName[n].mismatches).toBe(0);
    }
    expect(r.oversized).toBe(2);
  }, 180_000);

  it('CLI: --json result, exit 1 when a FIFO is over-sized, usage errors exit 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-fifo-cli-'));
    const file = path.join(dir, 'chain4.qnn');
    writeFileSync(file, CHAIN);
    const run = spawnSync(process.execPath, [CLI, 'fifo-check', file, '-o', path.join(dir, 'out'), '--json'], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as { network: string; oversized: number; fifos: { name: string; verdict: string }[] };
    expect(json.network).toBe('chain4');
    expect(json.fifos.map((f) => f.verdict)).toEqual(['over-sized', 'needed', 'over-sized']);
    // The same result as a file, for the editor's command.
    expect(JSON.parse(readFileSync(path.join(dir, 'out', 'fifo-check.json'), 'utf8'))).toEqual(json);
    const bad = spawnSync(process.execPath, [CLI, 'fifo-check', file, '--simulator', 'modelsim'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--simulator takes verilator or icarus');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    // A missing simulator: what to install, exit 1, no stack trace.
    const env = { ...process.env, QNN_TOOL_VERILATOR: path.join(dir, 'no-verilator') };
    const missing = spawnSync(process.execPath, [CLI, 'fifo-check', file, '-o', path.join(dir, 'out2')], { encoding: 'utf8', env });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('apt-get install verilator');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 180_000);
});
