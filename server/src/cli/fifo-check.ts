/**
 * `qnn fifo-check FILE [-o DIR] [--frames N] [--simulator verilator|icarus] [--json]`:
 * halves every FIFO deeper than 2, one at a time, and simulates without backpressure to
 * show that each analysed depth is needed (see flows/sim/fifo-check.ts).
 * Exit 1 when a FIFO is over-sized or the design does not run cleanly as compiled.
 */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { interruptible, intOption, simulatorOption } from './sim-options.js';
import { checkFifoDepths, FifoCheckError, type FifoCheckResult } from '../flows/sim/fifo-check.js';
import { buildFiles, buildFolder } from '../protocol/build-folder.js';

const USAGE = 'usage: qnn fifo-check FILE [-o DIR] [--frames N] [--simulator verilator|icarus] [--json]';

export async function runFifoCheck(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      frames: { type: 'string' },
      simulator: { type: 'string', default: 'verilator' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(USAGE, 2);
  const simulator = simulatorOption(values.simulator);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const outDir = path.resolve(values.out ?? buildFiles(buildFolder(f.file)).fifoCheckFolder);
  const r: FifoCheckResult = await interruptible(
    (signal) =>
      checkFifoDepths({
        analysis: f.analysis,
        sourceName: path.basename(f.file),
        outDir,
        simulator,
        frames: intOption(values.frames, 'frames', 3),
        signal,
        onLine: values.json ? undefined : (l) => console.error(l),
      }),
    [FifoCheckError],
  );
  if (values.json) console.log(JSON.stringify(r, null, 2));
  else console.log(formatFifoCheck(r));
  return r.oversized > 0 ? 1 : 0;
}

export function formatFifoCheck(r: FifoCheckResult): string {
  const lines = [
    `${r.network}: FIFO depths checked on ${r.simulator}, ${r.frames} frames without backpressure; II ${r.baseline.ii} cycles with the analysed depths (analysis ${r.baseline.expected_ii})`,
  ];
  const w = Math.max(4, ...r.fifos.map((f) => f.name.length));
  for (const f of r.fifos)
    lines.push(
      `  ${f.name.padEnd(w)}  ${String(f.depth).padStart(5)} → ${String(f.halved).padEnd(5)}  ${f.verdict.padEnd(10)}  ${f.effect}`,
    );
  if (r.skipped.length > 0) lines.push(`  not halved (depth ≤ 2): ${r.skipped.join(', ')}`);
  lines.push(
    r.oversized === 0 ? `  every analysed depth is needed` : `  ${r.oversized} FIFO(s) over-sized: halving them does not lower throughput`,
  );
  return lines.join('\n');
}
