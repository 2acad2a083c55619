/** `qnn run FILE --input x.npy --output y.npy`: the golden model on frames from a .npy file. */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { runNetwork } from '../golden/golden.js';
import { loadInputFrames } from '../golden/frames.js';
import { writeNpy, type NpyDtype } from '../npy/npy.js';
import { product } from '../model/shape.js';

export async function runRun(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      trace: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      "usage: qnn run FILE --input x.npy --output y.npy [--trace DIR]\n  x.npy: one frame shaped like the input, or [N, ...] for N frames\n  --trace DIR writes every layer's values (DIR/<layer>.npy)",
    );
    return 0;
  }
  if (positionals.length !== 1 || !values.input || !values.output)
    throw new CliError('usage: qnn run FILE --input x.npy --output y.npy', 2);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const net = f.analysis.network;
  const frames = loadInputFrames(net, path.resolve(values.input));
  const outShape = net.layers.find((l) => l.name === net.output)!.outShape;
  const per = product(outShape);
  const out: number[] = [];
  const traces = new Map<string, { shape: number[]; data: number[] }>();
  for (const frame of frames.frames) {
    const t = runNetwork(net, frame);
    out.push(...t.output);
    for (const [name, v] of t.layers) {
      const shape = net.layers.find((l) => l.name === name)!.outShape;
      const e = traces.get(name) ?? { shape, data: [] };
      e.data.push(...v);
      traces.set(name, e);
    }
  }
  const lead = frames.batched ? [frames.frames.length] : [];
  writeFileSync(path.resolve(values.output), writeNpy({ shape: [...lead, ...outShape], dtype: dtypeFor(out), data: out }));
  if (values.trace) {
    mkdirSync(values.trace, { recursive: true });
    for (const [name, t] of traces)
      writeFileSync(
        path.join(values.trace, `${name}.npy`),
        writeNpy({ shape: [...lead, ...t.shape], dtype: dtypeFor(t.data), data: t.data }),
      );
  }
  console.log(
    `ran ${frames.frames.length} frame(s) through ${net.name}: ${values.output} [${[...lead, ...outShape].join(', ')}] (${per} values per frame)`,
  );
  return 0;
}

/** The narrowest signed dtype holding every value (qnn run and qnn run-board write the same). */
export function dtypeFor(values: number[]): NpyDtype {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= -128 && hi <= 127) return 'int8';
  if (lo >= -32768 && hi <= 32767) return 'int16';
  return 'int32';
}
