/**
 * `qnn run FILE --input x.npy --output y.npy`: the golden model on frames from a .npy file.
 * For a network made by `qnn import`, import.json (next to the .qnn, or --import) also lets
 * the input be the model's own raw images ([N, 28, 28] for an input [784]) and gives the
 * model's float outputs (--float) and classes (--classes).
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { runNetwork } from '../golden/golden.js';
import { FramesError, loadInputFrames } from '../golden/frames.js';
import { writeNpy, type NpyDtype } from '../npy/npy.js';
import { product } from '../model/shape.js';
import type { ImportInfo } from '../onnx/import.js';
import { classOf, floatOutput } from '../onnx/mapping.js';

export async function runRun(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      trace: { type: 'string' },
      import: { type: 'string' },
      float: { type: 'string' },
      classes: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      "usage: qnn run FILE --input x.npy --output y.npy [--trace DIR] [--import import.json] [--float f.npy] [--classes c.npy]\n  x.npy: one frame shaped like the input, or [N, ...] for N frames\n  --trace DIR writes every layer's values (DIR/<layer>.npy)\n  for a network from qnn import (its import.json next to FILE, or --import): x.npy may hold\n  the model's raw images ([N, 28, 28] for an input [784]); --float writes the model's float\n  outputs (import.json's mapping), --classes the arg-max of each frame",
    );
    return 0;
  }
  if (positionals.length !== 1 || !values.input || !values.output)
    throw new CliError('usage: qnn run FILE --input x.npy --output y.npy', 2);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const net = f.analysis.network;
  const imported = importInfo(positionals[0], values.import);
  if ((values.float || values.classes) && !imported) {
    throw new CliError(
      `--float and --classes need the network's import.json (from qnn import): none next to ${positionals[0]}; give --import FILE`,
    );
  }
  let frames;
  try {
    frames = loadInputFrames(net, path.resolve(values.input), { flatten: imported !== undefined });
  } catch (e) {
    if (e instanceof FramesError) throw new CliError(e.message);
    throw e;
  }
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
  if (imported && (values.float || values.classes)) {
    const outs = Array.from({ length: frames.frames.length }, (_, i) => out.slice(i * per, (i + 1) * per));
    if (values.float) {
      const f = outs.flatMap((o) => floatOutput(imported.output, o));
      writeFileSync(path.resolve(values.float), writeNpy({ shape: [...lead, ...outShape], dtype: 'float32', data: f }));
    }
    if (values.classes) {
      const c = outs.map((o) => classOf(imported.output, o));
      writeFileSync(path.resolve(values.classes), writeNpy({ shape: lead.length ? lead : [1], dtype: 'int32', data: c }));
    }
  }
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

/** import.json: --import, or the one next to the .qnn that names it. */
function importInfo(file: string, given: string | undefined): ImportInfo | undefined {
  const p = given ?? path.join(path.dirname(file), 'import.json');
  if (!existsSync(p)) {
    if (given) throw new CliError(`cannot read '${given}': no such file`);
    return undefined;
  }
  let info: ImportInfo;
  try {
    info = JSON.parse(readFileSync(p, 'utf8')) as ImportInfo;
  } catch (e) {
    throw new CliError(`${p}: not import.json (${(e as Error).message})`);
  }
  if (!info.output || !Array.isArray(info.output.scale)) throw new CliError(`${p}: not an import.json from qnn import`);
  // One next to the file but for another network is not this one's.
  if (!given && info.qnn !== path.basename(file)) return undefined;
  return info;
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
