/**
 * The paper's table, reproduced: TFC_1W1A imported from its QONNX file, the golden model on
 * all 10,000 MNIST test images against onnxruntime on the rewritten model (same 10,000
 * predictions, every hidden layer's integers equal), the published accuracy pinned, the
 * FINN-ONNX export of the same weights agreeing, and 100 images on Verilator bit for bit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runNetwork } from '../../server/src/golden/golden.js';
import type { Network } from '../../server/src/model/types.js';
import type { ImportResult } from '../../server/src/onnx/import.js';
import { writeNpy } from '../../server/src/npy/npy.js';
import { loadQnn } from '../../server/src/cli/load.js';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { argmax, elaborateFile, FIXTURES, importTo, mnistTest, Oracle } from '../onnx/oracle.js';

const mnist = mnistTest();
const N = mnist.count;
const image = (i: number): Uint8Array => mnist.images.subarray(i * 784, (i + 1) * 784);

interface Imported {
  dir: string;
  r: ImportResult;
  net: Network;
}

async function load(file: string): Promise<Imported> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qnn-acc-'));
  const r = importTo(readFileSync(path.join(FIXTURES, file)), dir, { sourceName: file });
  const { net, errors } = await elaborateFile(path.join(dir, r.qnnFile));
  expect(errors).toEqual([]);
  return { dir, r, net };
}

/** The golden model's predicted class and output for every test image, and images/s. */
function goldenAll(m: Imported): { pred: Int32Array; outputs: Int32Array[]; perSecond: number } {
  const pred = new Int32Array(N);
  const outputs: Int32Array[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const out = runNetwork(m.net, Int32Array.from(image(i))).output;
    outputs.push(out);
    pred[i] = argmax(out);
  }
  return { pred, outputs, perSecond: N / ((performance.now() - t0) / 1000) };
}

function accuracy(pred: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < N; i++) if (pred[i] === mnist.labels[i]) ok++;
  return (100 * ok) / N;
}

describe('TFC_1W1A (QONNX) on the MNIST test set', () => {
  let m: Imported;
  let golden: ReturnType<typeof goldenAll>;
  beforeAll(async () => {
    m = await load('TFC_1W1A.onnx');
    golden = goldenAll(m);
  }, 300_000);

  it('reaches 92.96 % in the golden model', async () => {
    expect(accuracy(golden.pred).toFixed(2)).toBe('92.96');
    // One timing run of onnxruntime alone on the same images, for the closing figures.
    const oracle = await Oracle.create(readFileSync(path.join(FIXTURES, 'TFC_1W1A.onnx')), [1, 1, 28, 28]);
    const x = new Float32Array(784);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const img = image(i);
      for (let j = 0; j < 784; j++) x[j] = img[j] / 255;
      await oracle.run(x);
    }
    const ortPerSecond = N / ((performance.now() - t0) / 1000);
    console.log(
      `TFC_1W1A on ${N} images: golden model ${golden.perSecond.toFixed(0)} images/s, onnxruntime-node ${ortPerSecond.toFixed(0)} images/s (one image per run; ratio ${(golden.perSecond / ortPerSecond).toFixed(2)})`,
    );
  });

  it("gives onnxruntime's 10,000 predictions, its float outputs within the output scale, and its hidden integers", async () => {
    const quantizers = [m.r.info.input.quantizer!, ...m.r.info.layers.filter((l) => l.op === 'threshold')];
    // Each quantizer's output tensor (its layer's last source node), asked of onnxruntime too.
    const nodeOutputs = await firstOutputs('TFC_1W1A.onnx');
    const extra = quantizers.map((q) => nodeOutputs.get(q.nodes[q.nodes.length - 1])!);
    const oracle = await Oracle.create(readFileSync(path.join(FIXTURES, 'TFC_1W1A.onnx')), [1, 1, 28, 28], { extraOutputs: extra });
    const { scale, offset } = m.r.info.output;
    const layerNames = quantizers.map((q) => ('layer' in q ? q.layer : ''));
    const scales = quantizers.map((q) => ('scale' in q && q.scale ? q.scale[0] : 1));
    let same = 0;
    let maxErr = 0;
    const x = new Float32Array(784);
    for (let i = 0; i < N; i++) {
      const img = image(i);
      for (let j = 0; j < 784; j++) x[j] = img[j] / 255;
      const o = await oracle.run(x);
      const y = o[oracle.session.outputNames[0]];
      if (argmax(y) === golden.pred[i]) same++;
      const g = golden.outputs[i];
      for (let c = 0; c < g.length; c++) maxErr = Math.max(maxErr, Math.abs(g[c] * scale[0] + offset[0] - y[c]));
      if (i < 1000) {
        const trace = runTrace(m.net, img);
        layerNames.forEach((ln, k) => {
          const got = o[extra[k]].map((v) => Math.round(v / scales[k]));
          expect(Array.from(trace.get(ln)!), `image ${i}, layer ${ln}`).toEqual(got);
        });
      }
    }
    console.log(`TFC_1W1A: max |onnxruntime float − (golden · scale + offset)| = ${maxErr.toExponential(2)} (output scale ${scale[0]})`);
    expect(same).toBe(N);
    expect(maxErr).toBeLessThan(Math.abs(scale[0]) / 2);
  }, 600_000);

  it('equals the FINN-ONNX export of the same weights (its TopK class for every image)', async () => {
    const f = await load('finn_tfc_w1a1_finnonnx_multithreshold.onnx');
    for (const p of m.r.files) expect(readFileSync(path.join(f.dir, p.path)), p.path).toEqual(readFileSync(path.join(m.dir, p.path)));
    const oracle = await Oracle.create(readFileSync(path.join(FIXTURES, 'finn_tfc_w1a1_finnonnx_multithreshold.onnx')), [1, 1, 28, 28]);
    const x = new Float32Array(784);
    let same = 0;
    for (let i = 0; i < N; i++) {
      x.set(image(i));
      const o = await oracle.run(x);
      if (o[oracle.session.outputNames[0]][0] === golden.pred[i]) same++;
    }
    expect(same).toBe(N);
  }, 600_000);

  it('the float and QCDQ rewrites agree', async () => {
    const bytes = readFileSync(path.join(FIXTURES, 'TFC_1W1A.onnx'));
    const a = await Oracle.create(bytes, [1, 1, 28, 28], { form: 'float' });
    const b = await Oracle.create(bytes, [1, 1, 28, 28], { form: 'qcdq' });
    const x = new Float32Array(784);
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < 784; j++) x[j] = image(i)[j] / 255;
      expect((await a.run(x))[a.session.outputNames[0]]).toEqual((await b.run(x))[b.session.outputNames[0]]);
    }
  });

  it('simulates 100 images on Verilator bit for bit', async () => {
    const frames = Array.from({ length: 100 }, (_, i) => Array.from(image(i))).flat();
    const input = path.join(m.dir, 'mnist100.npy');
    writeFileSync(input, writeNpy({ shape: [100, 784], dtype: 'uint8', data: frames }));
    const f = await loadQnn(path.join(m.dir, m.r.qnnFile));
    const r = await simulateNetwork({
      analysis: f.analysis,
      sourceName: m.r.qnnFile,
      outDir: path.join(m.dir, 'sim'),
      simulator: 'verilator',
      inputFile: input,
      noStall: true,
      opt: '-O1',
    });
    expect(r.stall).toBeNull();
    expect(r.first_mismatch).toBeNull();
    expect(r.mismatches).toBe(0);
    expect(r.frames).toBe(100);
  }, 600_000);
});

/** Each node's first output tensor, from the model file. */
async function firstOutputs(file: string): Promise<Map<string, string>> {
  const { decodeModel } = await import('../../server/src/onnx/proto.js');
  const m = decodeModel(readFileSync(path.join(FIXTURES, file)));
  return new Map((m.graph!.node ?? []).map((n, i) => [n.name || `${n.op_type}#${i}`, n.output![0]]));
}

function runTrace(net: Network, img: Uint8Array): Map<string, Int32Array> {
  return runNetwork(net, Int32Array.from(img)).layers;
}
