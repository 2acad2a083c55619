/**
 * One engine, one number: for every example, `qnn estimate --json`, report.json of
 * `qnn compile` and the language server's `qnn/analysis` are the same JSON, byte for byte
 * (FIFO depths included: the analysis sizes them). CNV's FIFO schedule is too long for a
 * keystroke: the editor first says its depths are pending, then, once idle, gives exactly
 * the CLI's answer. Needs out/ (npm run build).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exampleNames, LspClient, readExample, ROOT } from '../lsp/lsp-client.js';
import type { Estimate } from '../../server/src/protocol/estimate.js';

const CLI = path.join(ROOT, 'out/cli/qnn.cjs');
const out = mkdtempSync(path.join(tmpdir(), 'qnn-one-estimate-'));

function qnn(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

let client: LspClient;
beforeAll(async () => {
  ensureBuilt();
  client = await LspClient.start();
});
afterAll(async () => {
  await client.stop();
  rmSync(out, { recursive: true, force: true });
});

/** The estimate the server returns once its FIFO depths are final (polling, as a view would after the next diagnostics). */
async function settledAnalysis(uri: string): Promise<{ first: Estimate; last: Estimate }> {
  const first = (await client.analysis(uri)) as Estimate;
  let last = first;
  for (let i = 0; i < 100 && last.fifo_depths === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = (await client.analysis(uri)) as Estimate;
  }
  return { first, last };
}

describe('qnn estimate, report.json and qnn/analysis agree', () => {
  for (const name of exampleNames()) {
    it(
      name,
      async () => {
        const ex = readExample(name);
        const cli = qnn('estimate', ex.file, '--json');
        const est = JSON.parse(cli) as Estimate;
        expect(est.fifo_depths).toBe('analysed');
        qnn('compile', ex.file, '-o', path.join(out, name));
        const report = JSON.parse(readFileSync(path.join(out, name, 'report.json'), 'utf8')) as { estimate: Estimate };
        expect(JSON.stringify(report.estimate)).toBe(JSON.stringify(est));
        await client.open(ex.uri, ex.text);
        const { first, last } = await settledAnalysis(ex.uri);
        // CNV's schedule (≈ 3·10^6 engine-steps) and the iCEBreaker peak detector's (its II is
        // 327,680 cycles) are over the per-keystroke budget; the others are under it.
        expect(first.fifo_depths).toBe(name === 'cnv_w2a2' || name === 'peak_detector_icebreaker' ? 'pending' : 'analysed');
        if (first.fifo_depths === 'pending') {
          // Until the schedule has run, every FIFO says so; the rest of the estimate is already final.
          expect(first.fifos.every((f) => f.depth_source === 'pending')).toBe(true);
          expect(first.ii_cycles).toBe(est.ii_cycles);
        }
        expect(JSON.stringify(last)).toBe(JSON.stringify(est));
        await client.close(ex.uri);
      },
      180_000,
    );
  }

  it('an edit that keeps the hardware keeps the final FIFO depths at once (the schedule is cached)', async () => {
    const ex = readExample('cnv_w2a2');
    await client.open(ex.uri, `// a comment\n${ex.text}`);
    const a = (await client.analysis(ex.uri)) as Estimate;
    expect(a.fifo_depths).toBe('analysed');
    expect(a.totals).toEqual((JSON.parse(qnn('estimate', ex.file, '--json')) as Estimate).totals);
    await client.close(ex.uri);
  }, 180_000);
});
