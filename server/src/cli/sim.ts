/**
 * `qnn sim FILE [-o DIR] [--frames N] [--seed S] [--input x.npy] [--simulator verilator|icarus]
 *  [--no-stall] [--vcd] [--json]`: compile, simulate, compare with the golden model.
 * Exit 1 on any mismatch or stall.
 */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { simulateNetwork, type NetworkSimResult } from '../flows/sim/network-sim.js';
import { FramesError } from '../golden/frames.js';
import { interruptible, intOption, simulatorOption } from './sim-options.js';
import { buildFolder } from '../protocol/build-folder.js';

const USAGE =
  'usage: qnn sim FILE [-o DIR] [--frames N] [--seed S] [--input x.npy] [--simulator verilator|icarus] [--no-stall] [--vcd] [--json]';

export async function runSim(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      frames: { type: 'string' },
      seed: { type: 'string' },
      input: { type: 'string' },
      simulator: { type: 'string', default: 'verilator' },
      'no-stall': { type: 'boolean' },
      vcd: { type: 'boolean' },
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
  const outDir = path.resolve(values.out ?? buildFolder(f.file));
  const r: NetworkSimResult = await interruptible(
    (signal) =>
      simulateNetwork({
        analysis: f.analysis,
        sourceName: path.basename(f.file),
        outDir,
        simulator,
        frames: intOption(values.frames, 'frames', 1),
        seed: intOption(values.seed, 'seed', 0),
        inputFile: values.input ? path.resolve(values.input) : undefined,
        noStall: values['no-stall'],
        vcd: values.vcd,
        signal,
      }),
    [FramesError],
  );
  const failed = r.mismatches > 0 || r.stall !== null;
  if (values.json) console.log(JSON.stringify(r, null, 2));
  else console.log(formatSim(r));
  return failed ? 1 : 0;
}

export function formatSim(r: NetworkSimResult): string {
  const lines = [
    `${r.network}: ${r.frames} frame(s) from ${r.input} on ${r.simulator}${r.stalls_enabled ? ' with random backpressure' : ''}`,
    `  ${r.mismatches === 0 && !r.stall ? 'PASS' : 'FAIL'}: ${r.mismatches} mismatch(es) against the golden model`,
  ];
  if (r.first_mismatch) {
    const m = r.first_mismatch;
    lines.push(
      `  first mismatch: layer ${m.layer}, frame ${m.frame}, position [${m.position.join(', ')}], channel ${m.channel}: expected ${m.expected}, got ${m.got}`,
    );
  }
  if (r.stall) lines.push(`  STALL in engine '${r.stall.engine}' at cycle ${r.stall.cycle}: ${r.stall.reason}`);
  lines.push(
    `  II: ${r.ii.measured ?? 'n/a'} cycles measured, ${r.ii.expected} expected${r.stalls_enabled ? ' (backpressure on: run with --no-stall to measure the rate)' : ''}`,
  );
  lines.push(`  latency: ${r.latency.measured ?? 'n/a'} cycles measured, ${r.latency.expected} expected`);
  lines.push(`  build ${(r.build_ms / 1000).toFixed(1)} s, run ${(r.run_ms / 1000).toFixed(1)} s, ${r.cycles} cycles`);
  if (r.waveform) lines.push(`  waveform: ${r.waveform}`);
  return lines.join('\n');
}
