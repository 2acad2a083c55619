/** `qnn import MODEL.onnx -o DIR [--name N] [--target DEVICE@CLOCK]`: a QONNX / FINN-ONNX model to a `.qnn`. */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { importOnnx, ImportError } from '../onnx/import.js';
import { parseTypeName } from '../model/qtype.js';

const HELP = `usage: qnn import MODEL.onnx -o DIR [--name N] [--target DEVICE@CLOCK] [--fps N] [--input-type u8] [--input-divisor D]
  writes DIR/N.qnn, DIR/weights/*.npy and DIR/import.json (the host's input and output mapping,
  what was folded where). --fps adds a frame-rate goal (fps >= N): the compiler then folds
  every layer (without it every layer runs at PE = SIMD = 1). The raw input is --input-type (default u8); the model's float input is
  float32(raw / D) (default 255, or 1 when the graph divides by 255 itself).`;

export async function runImport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      name: { type: 'string' },
      target: { type: 'string' },
      fps: { type: 'string' },
      'input-type': { type: 'string' },
      'input-divisor': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1 || !values.output) throw new CliError(HELP, 2);
  const file = positionals[0];
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`cannot read '${file}': no such file`);
  const inputType = values['input-type'] ? parseTypeName(values['input-type']) : undefined;
  if (values['input-type'] && (!inputType || (inputType.kind !== 'uint' && inputType.kind !== 'int'))) {
    throw new CliError(`--input-type ${values['input-type']}: give uN or iN, e.g. u8`, 2);
  }
  const divisor = values['input-divisor'] !== undefined ? Number(values['input-divisor']) : undefined;
  if (divisor !== undefined && !(divisor > 0)) throw new CliError(`--input-divisor must be a number above 0`, 2);
  const t0 = performance.now();
  let r;
  try {
    r = importOnnx(readFileSync(file), {
      sourceName: file,
      name: values.name,
      target: values.target,
      fps: values.fps,
      inputType,
      inputDivisor: divisor,
    });
  } catch (e) {
    // Nothing is written when the model cannot be imported whole.
    if (e instanceof ImportError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
  const dir = path.resolve(values.output);
  mkdirSync(path.join(dir, 'weights'), { recursive: true });
  writeFileSync(path.join(dir, r.qnnFile), r.qnn);
  for (const f of r.files) writeFileSync(path.join(dir, f.path), f.bytes);
  writeFileSync(path.join(dir, 'import.json'), JSON.stringify(r.info, null, 2) + '\n');
  const ms = performance.now() - t0;
  const layers = r.info.layers.length + (r.info.input.quantizer ? 1 : 0);
  console.log(
    `imported ${path.basename(file)} (${r.info.source.format}) in ${ms.toFixed(0)} ms: ${path.join(values.output, r.qnnFile)} (${layers} layers), ${r.files.length} .npy files, import.json` +
      `\n  input: raw ${r.info.input.type} → ${r.info.input.float}\n  output: ${r.info.output.layer} → ${r.info.output.float}`,
  );
  return 0;
}
