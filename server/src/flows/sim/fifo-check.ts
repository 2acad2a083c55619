/**
 * `qnn fifo-check`: verifies the FIFO depths of the analysis (hardware.md §3) on the RTL.
 * A baseline simulation without stalls runs with the analysed depths; then every FIFO
 * deeper than 2 is halved on its own and the design simulated again. A FIFO is *needed*
 * when halving it lowers the measured throughput (a larger II), stalls the design, or
 * breaks bit-exactness; otherwise the analysis gave it more than the pipeline needs and
 * it is reported *over-sized*.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { simulateNetwork, type NetworkSimOptions, type NetworkSimResult } from './network-sim.js';
import { FIFO_CHECK_RESULT_FILE } from '../../protocol/build-folder.js';
import type { FifoCheckResult, FifoCheckRow, FifoVerdict } from '../../protocol/results.js';

// fifo-check.json's shape is the wire contract's (the editor reads it).
export type { FifoCheckResult, FifoCheckRow, FifoVerdict } from '../../protocol/results.js';
import { finalEstimate } from '../../analysis/analyze.js';

/** FIFOs this shallow are the output-register slack of every link: never halved. */
export const FIFO_CHECK_MIN_DEPTH = 3;

export interface FifoCheckOptions extends Pick<NetworkSimOptions, 'analysis' | 'sourceName' | 'simulator' | 'seed' | 'signal' | 'onLine'> {
  /** Each run goes to its own folder under this one. */
  outDir: string;
  /** Frames per run: enough for the steady state (the II is measured between frames). */
  frames?: number;
}

/** The design does not run cleanly with the analysed depths: nothing to compare against. */
export class FifoCheckError extends Error {}

/** The result's file name in the output folder. */
export const FIFO_CHECK_RESULT = FIFO_CHECK_RESULT_FILE;

/** The frames a run needs so that at least two frame-to-frame intervals are measured. */
export const FIFO_CHECK_FRAMES = 4;

function effectOf(base: NetworkSimResult, r: NetworkSimResult): { verdict: FifoVerdict; effect: string } {
  if (r.stall) return { verdict: 'needed', effect: `the design stalls (${r.stall.engine}: ${r.stall.reason})` };
  if (r.mismatches > 0) return { verdict: 'needed', effect: `${r.mismatches} output element(s) differ from the golden model` };
  const b = base.ii.measured;
  const h = r.ii.measured;
  if (b !== null && h !== null && h > b)
    return { verdict: 'needed', effect: `II ${fmt(b)} → ${fmt(h)} cycles (throughput −${(100 * (1 - b / h)).toFixed(1)} %)` };
  // Over-sized for throughput; what the depth still buys is latency (every engine at its own rate).
  const lb = base.latency.measured;
  const lh = r.latency.measured;
  const lat = lb !== null && lh !== null && lh !== lb ? `, latency ${fmt(lb)} → ${fmt(lh)} cycles` : ', latency unchanged';
  return { verdict: 'over-sized', effect: `II unchanged (${fmt(h)} cycles)${lat}` };
}

const fmt = (x: number | null): string => (x === null ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(1));

export async function checkFifoDepths(opts: FifoCheckOptions): Promise<FifoCheckResult> {
  const est = finalEstimate(opts.analysis);
  if (!est) throw new Error(`network ${opts.analysis.network.name} has no estimate: it needs a target, an input and layers`);
  const fifos = est.fifos.map((f) => ({ name: f.name, depth: f.depth }));
  const frames = Math.max(opts.frames ?? FIFO_CHECK_FRAMES, 3);
  const run = (dir: string, fifoDepths?: Record<string, number>): Promise<NetworkSimResult> =>
    simulateNetwork({
      analysis: opts.analysis,
      sourceName: opts.sourceName,
      outDir: path.join(opts.outDir, dir),
      simulator: opts.simulator,
      frames,
      seed: opts.seed ?? 1,
      noStall: true,
      fifoDepths,
      signal: opts.signal,
    });
  opts.onLine?.(`baseline: the analysed depths (${fifos.map((f) => `${f.name}=${f.depth}`).join(', ')})`);
  const base = await run('baseline');
  opts.onLine?.(
    `  II ${fmt(base.ii.measured)} cycles (analysis ${est.ii_cycles}), ${base.mismatches} mismatches${base.stall ? ', stalled' : ''}`,
  );
  if (base.stall || base.mismatches > 0 || base.ii.measured === null) {
    throw new FifoCheckError(
      `the design with the analysed FIFO depths does not run cleanly (${base.stall ? `stall in ${base.stall.engine}` : `${base.mismatches} mismatches`}): run qnn sim on it first`,
    );
  }
  const rows: FifoCheckRow[] = [];
  for (const f of fifos.filter((x) => x.depth >= FIFO_CHECK_MIN_DEPTH)) {
    const halved = Math.max(2, Math.floor(f.depth / 2));
    const r = await run(f.name, { [f.name]: halved });
    const { verdict, effect } = effectOf(base, r);
    rows.push({
      name: f.name,
      depth: f.depth,
      halved,
      ii: r.ii.measured,
      latency: r.latency.measured,
      mismatches: r.mismatches,
      stalled: r.stall !== null,
      verdict,
      effect,
    });
    opts.onLine?.(`${f.name}: ${f.depth} → ${halved}: ${effect}: ${verdict}`);
  }
  const result: FifoCheckResult = {
    network: opts.analysis.network.name,
    simulator: opts.simulator,
    frames,
    baseline: {
      ii: base.ii.measured,
      latency: base.latency.measured,
      expected_ii: est.ii_cycles,
      mismatches: base.mismatches,
      stalled: base.stall !== null,
    },
    fifos: rows,
    skipped: fifos.filter((x) => x.depth < FIFO_CHECK_MIN_DEPTH).map((x) => x.name),
    oversized: rows.filter((r) => r.verdict === 'over-sized').length,
  };
  // The editor reads this after the task ends (like sim/result.json).
  mkdirSync(opts.outDir, { recursive: true });
  writeFileSync(path.join(opts.outDir, FIFO_CHECK_RESULT), JSON.stringify(result, null, 2) + '\n');
  return result;
}
