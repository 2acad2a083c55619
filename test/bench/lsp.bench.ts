/**
 * `npm run bench:lsp`: the language server's latency on a generated chain of N
 * dense+requant layers, over a real stdio JSON-RPC connection:
 * - diagnostics after an edit (median of EDITS edits of one layer's scale),
 * - hover on a layer (median of HOVERS hovers),
 * - the cost of going from 50 to 500 layers (ratio of the medians: no quadratic passes).
 * Targets (issue 2): diagnostics ≤ 200 ms and hover ≤ 20 ms at 500 layers; ratio ≤ 15.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LspClient, ensureBuilt, fileUri, posOf } from '../lsp/lsp-client.js';

const EDITS = Number(process.env.QNN_BENCH_EDITS ?? 20);
const HOVERS = Number(process.env.QNN_BENCH_HOVERS ?? 50);

export function chain(layers: number, scale = 0.01): string {
  const lines = ['network chain {', '  target xczu9eg @ 200 MHz', '  input x: u4[64]'];
  let prev = 'x';
  for (let i = 0; i < layers; i++) {
    lines.push(`  layer d${i} = dense(${prev}, units=64, weights=i2(random, seed=${i})) fold(pe=8, simd=8)`);
    lines.push(`  layer r${i} = requant(d${i}, out=u4, scale=${i === Math.floor(layers / 2) ? scale : 0.01})`);
    prev = `r${i}`;
  }
  lines.push(`  output ${prev}`, '}', '');
  return lines.join('\n');
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(client: LspClient, dir: string, layers: number): Promise<{ diag: number; hover: number; first: number }> {
  const file = path.join(dir, `chain${layers}.qnn`);
  const text = chain(layers);
  writeFileSync(file, text);
  const uri = fileUri(file);
  let t0 = performance.now();
  await client.open(uri, text);
  const first = performance.now() - t0;
  const diag: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const edited = chain(layers, 0.01 + (i + 1) / 1000);
    t0 = performance.now();
    await client.change(uri, edited);
    diag.push(performance.now() - t0);
  }
  const hover: number[] = [];
  const at = posOf(client.text(uri), `layer d${Math.floor(layers / 2)} `, 7);
  for (let i = 0; i < HOVERS; i++) {
    t0 = performance.now();
    const h = await client.hover(uri, at);
    hover.push(performance.now() - t0);
    if (!h) throw new Error('no hover on a layer');
  }
  await client.close(uri);
  return { diag: median(diag), hover: median(hover), first };
}

async function main(): Promise<void> {
  ensureBuilt();
  const dir = mkdtempSync(path.join(tmpdir(), 'qnn-bench-'));
  const client = await LspClient.start();
  try {
    // Warm-up: JIT and Langium's lazy initialisation.
    await measure(client, dir, 10);
    const small = await measure(client, dir, 50);
    const large = await measure(client, dir, 500);
    const row = (n: number, r: { diag: number; hover: number; first: number }): string =>
      `  ${String(n).padStart(4)} layers  open ${r.first.toFixed(0).padStart(5)} ms   diagnostics after edit ${r.diag.toFixed(1).padStart(6)} ms (median of ${EDITS})   hover ${r.hover.toFixed(2).padStart(6)} ms (median of ${HOVERS})`;
    console.log('bench:lsp (stdio JSON-RPC, dense+requant chain)');
    console.log(row(50, small));
    console.log(row(500, large));
    const ratio = large.diag / small.diag;
    console.log(`  500/50 diagnostics ratio ${ratio.toFixed(2)} (target ≤ 15)`);
    const ok = large.diag <= 200 && large.hover <= 20 && ratio <= 15;
    console.log(ok ? '  all targets met' : '  TARGET MISSED: diagnostics ≤ 200 ms, hover ≤ 20 ms, ratio ≤ 15');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await client.stop();
  }
}

await main();
