/**
 * `qnn sim FILE [-o DIR] [--frames N] [--seed S] [--input x.npy] [--simulator verilator|icarus]
 *  [--no-stall] [--vcd] [--json]`: compile, simulate, compare with the golden model.
 * Exit 1 on any mismatch or stall.
 *
 * `qnn sim FILE --board [...] [--input-bytes in.bin] [--output-bytes out.bin]`: the same
 * network inside its board's shell (`board icebreaker`), driven through the UART pins
 * (flows/board/shell-sim.ts); every answer byte compared with the golden model.
 */
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors, type LoadedFile } from './load.js';
import { simulateNetwork, type NetworkSimResult } from '../flows/sim/network-sim.js';
import { FramesError } from '../golden/frames.js';
import { interruptible, intOption, simulatorOption } from './sim-options.js';
import { buildFolder } from '../protocol/build-folder.js';
import { BoardSimError, simulateBoardShell, type BoardSimResult } from '../flows/board/shell-sim.js';
import type { Simulator } from '../protocol/results.js';

const USAGE = `usage: qnn sim FILE [-o DIR] [--frames N] [--seed S] [--input x.npy] [--simulator verilator|icarus] [--no-stall] [--vcd[=all]] [--json]
  --vcd writes the first frame's waveform with the streams (valid, ready, data and last of
  every engine, width converter and FIFO port); --vcd=all with every signal (about 14 times
  larger on the peak detector).
       qnn sim FILE --board [-o DIR] [--frames N] [--seed S] [--input x.npy | --input-bytes in.bin] [--output-bytes out.bin]
               [--simulator verilator|icarus] [--json]
  --board simulates the board's shell (target …, board icebreaker: the UART shell) with the
  accelerator inside, through its pins: each frame's bytes sent, its answer decoded and
  compared byte for byte with the golden model (DIR/board-sim/result.json).
  --input-bytes sends a file's raw bytes (whole input frames) instead; --output-bytes
  writes the bytes that came back.`;

export async function runSim(argv: string[]): Promise<number> {
  // --vcd takes an optional scope: --vcd (streams) or --vcd=all / --vcd=streams.
  let vcdScope: 'streams' | 'all' = 'streams';
  const args = argv.map((a) => {
    const m = /^--vcd=(.*)$/.exec(a);
    if (!m) return a;
    if (m[1] !== 'all' && m[1] !== 'streams') throw new CliError(`--vcd takes all or streams, not '${m[1]}'`, 2);
    vcdScope = m[1];
    return '--vcd';
  });
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      frames: { type: 'string' },
      seed: { type: 'string' },
      input: { type: 'string' },
      simulator: { type: 'string', default: 'verilator' },
      'no-stall': { type: 'boolean' },
      vcd: { type: 'boolean' },
      board: { type: 'boolean' },
      'input-bytes': { type: 'string' },
      'output-bytes': { type: 'string' },
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
  if (!values.board) {
    for (const o of ['input-bytes', 'output-bytes'] as const)
      if (values[o] !== undefined) throw new CliError(`--${o} goes with --board (the board's shell takes bytes)`, 2);
  } else {
    for (const o of ['no-stall', 'vcd'] as const)
      if (values[o]) throw new CliError(`--${o} is not available with --board (the UART sets the pace)`, 2);
    if (values['input-bytes'] !== undefined && values.input !== undefined) throw new CliError('give --input or --input-bytes, not both', 2);
  }
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const outDir = path.resolve(values.out ?? buildFolder(f.file));
  if (values.board) return runBoardSim(f, outDir, simulator, values);
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
        vcdScope,
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
  if (r.lanes)
    lines.push(
      `  lanes: ${r.lanes}, frame f on lane f mod ${r.lanes}${r.stalls_enabled ? ', each lane with its own random stalls' : ''}; II below: frames through one stream, against one lane's II`,
    );
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

/** `qnn sim FILE --board`: the board's shell through its UART pins against the golden model; exit 1 on a mismatch. */
async function runBoardSim(
  f: LoadedFile,
  outDir: string,
  simulator: Simulator,
  values: {
    frames?: string;
    seed?: string;
    input?: string;
    'input-bytes'?: string;
    'output-bytes'?: string;
    json?: boolean;
  },
): Promise<number> {
  let inputBytes: Uint8Array | undefined;
  if (values['input-bytes'] !== undefined) {
    try {
      inputBytes = new Uint8Array(readFileSync(path.resolve(values['input-bytes'])));
    } catch (e) {
      throw new CliError(`cannot read ${values['input-bytes']}: ${(e as Error).message}`);
    }
  }
  const { result, bytesOut } = await interruptible(
    (signal) =>
      simulateBoardShell(f.analysis, outDir, {
        sourceName: path.basename(f.file),
        simulator,
        frames: intOption(values.frames, 'frames', 1),
        seed: intOption(values.seed, 'seed', 0),
        inputFile: values.input ? path.resolve(values.input) : undefined,
        inputBytes,
        signal,
      }),
    [FramesError, BoardSimError],
  );
  // Written whatever the verdict: a caller (a host bridge) passes the board's answer on as it came.
  if (values['output-bytes'] !== undefined) writeFileSync(path.resolve(values['output-bytes']), bytesOut);
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else console.log(formatBoardSim(result));
  return result.mismatches === 0 && result.error === null ? 0 : 1;
}

const num = (n: number): string => n.toLocaleString('en-US');
const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

export function formatBoardSim(r: BoardSimResult): string {
  const verdict =
    r.mismatches === 0 && r.error === null
      ? 'bit-exact with the golden model'
      : `${num(r.mismatches)} byte(s) differ from the golden model`;
  const lines = [
    `board shell (${r.board} UART, ${r.clks_per_bit} cycles a bit): ${num(r.frames)} frame${r.frames === 1 ? '' : 's'}, ${num(r.bytes_in)} bytes in, ${num(r.bytes_out)} bytes out, ${verdict}`,
  ];
  const m = r.first_mismatch;
  if (m)
    lines.push(
      `  first difference: frame ${m.frame}, byte ${m.byte}: expected ${hex(m.expected)}, got ${m.got === null ? 'nothing' : hex(m.got)}`,
    );
  if (r.error) lines.push(`  host testbench: ${r.error}`);
  lines.push(
    `  ${r.network} on ${r.simulator}, frames from ${r.input}: ${num(r.cycles_per_frame)} cycles a frame; LEDs: green toggled ${r.leds.green_toggles} time(s), red ${r.leds.red_at_end ? 'on' : 'off'} at the end`,
  );
  lines.push(`  build ${(r.build_ms / 1000).toFixed(1)} s, run ${(r.run_ms / 1000).toFixed(1)} s, ${num(r.cycles)} cycles`);
  return lines.join('\n');
}
