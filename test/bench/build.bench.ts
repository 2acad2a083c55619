/**
 * `npm run bench:build`: the open-flow build of the demo network (the peak detector folded
 * for the iCEBreaker, in its UART shell), medians of QNN_BENCH_RUNS (default 3) cold builds
 * by phase (Yosys synthesis, nextpnr placement and routing, icepack), and a rebuild with
 * nothing changed, which must not run the tools at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildReport } from '../../server/src/protocol/results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const QNN = path.join(ROOT, 'out/cli/qnn.cjs');
const RUNS = Number(process.env.QNN_BENCH_RUNS ?? 3);
const EXAMPLE = 'examples/peak_detector_icebreaker/peak_detector_icebreaker.qnn';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function build(out: string, force: boolean): { ms: number; report: BuildReport } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [QNN, 'build', EXAMPLE, '-o', out, '--json', ...(force ? ['--force'] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`qnn build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return { ms, report: JSON.parse(r.stdout) as BuildReport };
}

const out = path.join(mkdtempSync(path.join(tmpdir(), 'qnn-bench-build-')), 'pd');
const cold: { ms: number; report: BuildReport }[] = [];
for (let i = 0; i < RUNS; i++) cold.push(build(out, true));
const phases = cold[0].report.phases.map((p) => p.name);
const last = cold[cold.length - 1].report;
const binTime = statSync(last.bitstream!).mtimeMs;
const again: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = build(out, false);
  if (!r.report.cached) throw new Error('an unchanged design was rebuilt');
  again.push(r.ms);
}
if (statSync(last.bitstream!).mtimeMs !== binTime) throw new Error('the rebuild touched the bitstream');

console.log(`open-flow build of ${EXAMPLE} (${last.device}, board ${last.board}), ${RUNS} runs, ${cpus().length} cores`);
console.log(`  phase        median s`);
for (const name of phases) {
  const s = cold.map((c) => c.report.phases.find((p) => p.name === name)?.seconds ?? 0);
  console.log(`  ${name.padEnd(12)} ${median(s).toFixed(2).padStart(8)}`);
}
console.log(`  whole build  ${(median(cold.map((c) => c.ms)) / 1000).toFixed(2).padStart(8)}   (qnn build process, compile included)`);
console.log(`  unchanged    ${(median(again) / 1000).toFixed(2).padStart(8)}   (not rebuilt: the tools did not run)`);
console.log(
  `  result: Fmax ${last.fmax_mhz} MHz for ${last.clock_mhz} MHz, ${last.resources.used?.lut} logic cells used vs ${last.resources.estimated.lut} estimated, bitstream ${(statSync(last.bitstream!).size / 1024).toFixed(0)} KiB`,
);
