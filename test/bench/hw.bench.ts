/**
 * `npm run bench:hw`: the hardware flow's speed, medians from one run.
 * - `qnn compile` of the CNV example, end to end (CLI process; target ≤ 1 s);
 * - `qnn sim` of the peak detector end to end, including the Verilator build of a design
 *   not in the build cache;
 * - simulated frames/s on Verilator and on Icarus for the same design (peak detector,
 *   no backpressure), and their ratio;
 * - examples/peak_detector_4g (seed 1's figure): Gpixel/s estimated, and the II measured
 *   on Verilator without backpressure for its 4 lanes behind one stream.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const QNN = path.join(ROOT, 'out/cli/qnn.cjs');
const RUNS = Number(process.env.QNN_BENCH_RUNS ?? 5);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function qnn(args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [QNN, ...args], { cwd: ROOT, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`qnn ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const work = mkdtempSync(path.join(tmpdir(), 'qnn-bench-hw-'));
const cnv = 'examples/cnv_w2a2/cnv_w2a2.qnn';
const pd = 'examples/peak_detector/peak_detector.qnn';

const compileMs: number[] = [];
for (let i = 0; i < RUNS; i++) compileMs.push(qnn(['compile', cnv, '-o', path.join(work, 'cnv')]).ms);

const simMs: number[] = [];
for (let i = 0; i < Math.min(RUNS, 3); i++)
  simMs.push(qnn(['sim', pd, '-o', path.join(work, `pd-fresh-${i}`), '--frames', '2', '--json']).ms);

const FRAMES = Number(process.env.QNN_BENCH_FRAMES ?? 4);
const rate = (simulator: string): { fps: number; runMs: number; buildMs: number } => {
  const out = path.join(work, `pd-${simulator}`);
  // First call builds (and caches) the design; the second measures the run alone.
  qnn(['sim', pd, '-o', out, '--frames', '1', '--no-stall', '--simulator', simulator, '--json']);
  const r = JSON.parse(qnn(['sim', pd, '-o', out, '--frames', String(FRAMES), '--no-stall', '--simulator', simulator, '--json']).stdout);
  return { fps: FRAMES / (r.run_ms / 1000), runMs: r.run_ms, buildMs: r.build_ms };
};
const v = rate('verilator');
const ic = rate('icarus');

console.log('bench:hw (medians, one run)');
console.log(`  qnn compile ${cnv}: ${median(compileMs).toFixed(0)} ms (median of ${RUNS}; target ≤ 1000 ms)`);
console.log(
  `  qnn sim ${pd} end to end, fresh design (Verilator build + 2 frames + compare): ${(median(simMs) / 1000).toFixed(2)} s (median of ${simMs.length})`,
);
console.log(`  simulated frames/s, peak detector (20,480-cycle frames), ${FRAMES} frames, no backpressure:`);
console.log(`    Verilator ${v.fps.toFixed(1)} frames/s (run ${v.runMs} ms)`);
console.log(`    Icarus    ${ic.fps.toFixed(2)} frames/s (run ${ic.runMs} ms)`);
console.log(`    Verilator / Icarus = ${(v.fps / ic.fps).toFixed(1)}x`);

// Seed 1's four gigapixels per second: the estimate, and the II the RTL keeps.
const g4 = 'examples/peak_detector_4g/peak_detector_4g.qnn';
const est4 = JSON.parse(qnn(['estimate', g4, '--json']).stdout);
const sim4 = JSON.parse(qnn(['sim', g4, '-o', path.join(work, 'pd4g'), '--frames', '8', '--no-stall', '--json']).stdout);
console.log(`  ${g4}: ${est4.lanes} lanes × ${est4.fps_per_lane.toFixed(0)} frames/s at ${est4.target.clock_mhz} MHz`);
console.log(
  `    estimated ${(est4.pixels_per_s / 1e9).toFixed(2)} Gpixel/s, ${((2 * est4.macs_per_frame * est4.fps) / 1e12).toFixed(2)} TOP/s (${((2 * est4.macs_per_frame) / 1024).toFixed(0)} ops per pixel)`,
);
console.log(
  `    measured II ${sim4.ii.measured} cycles (one lane's estimate ${sim4.ii.expected}), ${sim4.mismatches} mismatches over ${sim4.frames} frames`,
);
