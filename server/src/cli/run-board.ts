/**
 * `qnn run-board FILE --port PORT --input x.npy --output y.npy [--baud B] [--check]`: runs
 * frames on a board built with `qnn build` (the iCEBreaker's UART shell): each frame's bytes
 * out, its answer's bytes back (docs/board-icebreaker.md), the answers written as .npy;
 * `--check` compares every value with the golden model.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { finalEstimate } from '../analysis/analyze.js';
import { buildPlan } from '../rtl/plan.js';
import { loadInputFrames } from '../golden/frames.js';
import { runNetwork } from '../golden/golden.js';
import { writeNpy } from '../npy/npy.js';
import { dtypeFor } from './run.js';
import { bytesToOutputValues, inputFrameToBytes, uartFrameLayout } from '../flows/board/uart-frames.js';
import { openSerialPort, SerialError } from '../flows/board/serial.js';

const USAGE = `usage: qnn run-board FILE --port PORT --input x.npy --output y.npy [--baud 115200] [--check] [--timeout SECONDS]
  sends each input frame to the board's UART shell (qnn build with \`board icebreaker\`) and
  reads its output frame back; x.npy holds one frame or [N, ...] for N frames.
  --check compares every output value with the golden model (exit 1 on a difference).`;

export async function runRunBoard(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p' },
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      baud: { type: 'string' },
      timeout: { type: 'string' },
      check: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !values.port || !values.input || !values.output) throw new CliError(USAGE, 2);
  const baud = Number(values.baud ?? 115200);
  if (!Number.isInteger(baud) || baud <= 0) throw new CliError(`--baud must be a positive integer, not '${values.baud}'`, 2);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const net = f.analysis.network;
  const estimate = finalEstimate(f.analysis)!;
  const plan = buildPlan(net, estimate);
  const layout = uartFrameLayout(net, plan);
  const frames = loadInputFrames(net, path.resolve(values.input));
  // Each frame: its bytes both ways at 10 bits a byte, twice the pipeline's latency, and a margin.
  const clockHz = net.target?.clockHz ?? 12e6;
  const frameMs =
    values.timeout !== undefined
      ? Number(values.timeout) * 1000
      : ((layout.inBytesPerFrame + layout.outBytesPerFrame) * 10 * 1000) / baud + (2 * estimate.latency_cycles * 1000) / clockHz + 2000;
  if (!(frameMs > 0)) throw new CliError(`--timeout must be a positive number of seconds, not '${values.timeout}'`, 2);

  let port;
  try {
    port = openSerialPort(values.port, baud);
  } catch (e) {
    if (e instanceof SerialError) throw new CliError(e.message);
    throw e;
  }
  const out: number[] = [];
  let mismatches = 0;
  const t0 = performance.now();
  try {
    for (const [i, frame] of frames.frames.entries()) {
      // One frame in flight at a time: the shell's only flow control (docs/board-icebreaker.md).
      await port.write(inputFrameToBytes(net, plan, frame));
      let bytes;
      try {
        bytes = await port.read(layout.outBytesPerFrame, frameMs);
      } catch (e) {
        if (e instanceof SerialError)
          throw new CliError(
            `frame ${i}: ${e.message}. Is the board programmed with this network's bitstream (qnn build), on ${values.port} at ${baud} baud?`,
          );
        throw e;
      }
      const got = bytesToOutputValues(net, plan, bytes);
      out.push(...got);
      if (values.check) {
        const want = runNetwork(net, frame).output;
        const bad = got.findIndex((v, k) => v !== want[k]);
        if (bad >= 0) {
          mismatches++;
          console.error(`frame ${i}: value ${bad} is ${got[bad]}, the golden model says ${want[bad]}`);
        }
      }
    }
  } finally {
    port.close();
  }
  const s = (performance.now() - t0) / 1000;
  const outShape = net.layers.find((l) => l.name === net.output)!.outShape;
  const lead = frames.batched ? [frames.frames.length] : [];
  writeFileSync(path.resolve(values.output), writeNpy({ shape: [...lead, ...outShape], dtype: dtypeFor(out), data: out }));
  console.log(
    `ran ${frames.frames.length} frame(s) on the board at ${values.port} in ${s.toFixed(2)} s (${layout.inBytesPerFrame} bytes out, ${layout.outBytesPerFrame} back per frame): ${values.output}` +
      (values.check
        ? `; ${mismatches === 0 ? 'every value equals the golden model' : `${mismatches} frame(s) differ from the golden model`}`
        : ''),
  );
  return mismatches === 0 ? 0 : 1;
}
