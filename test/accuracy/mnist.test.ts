/**
 * The paper's table, reproduced: TFC_1W1A and TFC_2W2A imported from their QONNX files, the golden model on
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

/** import.json's output mapping: (value + acc_offset[c]) · scale[c] + offset[c] (one entry: every channel). */
function mapped(m: Imported, out: ArrayLike<number>): number[] {
  const { scale, offset } = m.r.info.output;
  return trueAcc(m, out).map((v, c) => v * scale[scale.length === 1 ? 0 : c] + offset[offset.length === 1 ? 0 : c]);
}

/** The true accumulator, value + acc_offset[c] (integers: ties stay ties). */
function trueAcc(m: Imported, out: ArrayLike<number>): number[] {
  const a = m.r.info.output.acc_offset;
  return Array.from(out, (v, c) => v + (a ? a[c] : 0));
}

/**
 * The golden model's predicted class (as a host does with import.json: where activations are
 * carried as counts, each class's accumulator is off by a constant, acc_offset, that the host
 * adds back) and output for every test image, and images/s.
 */
function goldenAll(m: Imported): { pred: Int32Array; outputs: Int32Array[]; perSecond: number } {
  const pred = new Int32Array(N);
  const outputs: Int32Array[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const out = runNetwork(m.net, Int32Array.from(image(i))).output;
    outputs.push(out);
    // One positive scale for every class: the arg-max of the integers, ties exact.
    const { scale } = m.r.info.output;
    pred[i] = argmax(scale.length === 1 && scale[0] > 0 ? trueAcc(m, out) : mapped(m, out));
  }
  return { pred, outputs, perSecond: N / ((performance.now() - t0) / 1000) };
}

function accuracy(pred: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < N; i++) if (pred[i] === mnist.labels[i]) ok++;
  return (100 * ok) / N;
}

for (const { file, expected } of [
  { file: 'TFC_1W1A.onnx', expected: '92.96' },
  { file: 'TFC_2W2A.onnx', expected: '96.60' },
]) {
  const model = file.replace('.onnx', '');
  describe(`${model} (QONNX) on the MNIST test set`, () => {
    let m: Imported;
    let golden: ReturnType<typeof goldenAll>;
    const bytes = readFileSync(path.join(FIXTURES, file));
    beforeAll(async () => {
      m = await load(file);
      golden = goldenAll(m);
    }, 300_000);

    it(`reaches ${expected} % in the golden model`, async () => {
      expect(accuracy(golden.pred).toFixed(2)).toBe(expected);
      // One timing run of onnxruntime alone on the same images, for the closing figures.
      const oracle = await Oracle.create(bytes, [1, 1, 28, 28]);
      const x = new Float32Array(784);
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        const img = image(i);
        for (let j = 0; j < 784; j++) x[j] = img[j] / 255;
        await oracle.run(x);
      }
      const ortPerSecond = N / ((performance.now() - t0) / 1000);
      console.log(
        `${model} on ${N} images: ${accuracy(golden.pred).toFixed(2)} %; golden model ${golden.perSecond.toFixed(0)} images/s, onnxruntime-node ${ortPerSecond.toFixed(0)} images/s (one image per run; ratio ${(golden.perSecond / ortPerSecond).toFixed(2)})`,
      );
    });

    it("gives onnxruntime's 10,000 predictions, its float outputs within the output scale, and its hidden integers", async () => {
      const quantizers = [
        { ...m.r.info.input.quantizer!, scale: undefined as number[] | undefined },
        ...m.r.info.layers.filter((l) => l.op === 'threshold').map((l) => ({ ...l, level_offset: l.level_offset ?? 0 })),
      ];
      // Each quantizer's output tensor (its layer's last source node), asked of onnxruntime too.
      const nodeOutputs = await firstOutputs(file);
      const extra = quantizers.map((q) => nodeOutputs.get(q.nodes[q.nodes.length - 1])!);
      const oracle = await Oracle.create(bytes, [1, 1, 28, 28], { extraOutputs: extra });
      const { scale } = m.r.info.output;
      // The input quantizer's scale is its node's; the layers' are in import.json.
      const inScale = Array.from(
        (await firstConst(file, m.r.info.input.quantizer!.nodes[m.r.info.input.quantizer!.nodes.length - 1])) ?? [1],
      );
      const scales = quantizers.map((q, k) => (k === 0 ? inScale[0] : q.scale![0]));
      let same = 0;
      let maxErr = 0;
      const x = new Float32Array(784);
      for (let i = 0; i < N; i++) {
        const img = image(i);
        for (let j = 0; j < 784; j++) x[j] = img[j] / 255;
        const o = await oracle.run(x);
        const y = o[oracle.session.outputNames[0]];
        if (argmax(y) === golden.pred[i]) same++;
        const g = mapped(m, golden.outputs[i]);
        for (let c = 0; c < g.length; c++) maxErr = Math.max(maxErr, Math.abs(g[c] - y[c]));
        if (i < 1000) {
          const trace = runTrace(m.net, img);
          quantizers.forEach((q, k) => {
            const got = o[extra[k]].map((v) => Math.round(v / scales[k]) + 0); // + 0: no −0
            const mine = Array.from(trace.get(q.layer)!, (v) => v + q.level_offset);
            expect(mine, `image ${i}, layer ${q.layer}`).toEqual(got);
          });
        }
      }
      console.log(`${model}: max |onnxruntime float − (golden · scale + offset)| = ${maxErr.toExponential(2)} (output scale ${scale[0]})`);
      expect(same).toBe(N);
      expect(maxErr).toBeLessThan(Math.min(...scale.map(Math.abs)) / 2);
    }, 600_000);

    it('the float and QCDQ rewrites agree', async () => {
      const a = await Oracle.create(bytes, [1, 1, 28, 28], { form: 'float' });
      const b = await Oracle.create(bytes, [1, 1, 28, 28], { form: 'qcdq' });
      const x = new Float32Array(784);
      for (let i = 0; i < 500; i++) {
        for (let j = 0; j < 784; j++) x[j] = image(i)[j] / 255;
        expect((await a.run(x))[a.session.outputNames[0]]).toEqual((await b.run(x))[b.session.outputNames[0]]);
      }
    });

    if (file === 'TFC_1W1A.onnx') {
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
    }

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
}

/** The scale input (second input) of a node, from the model file. */
async function firstConst(file: string, node: string): Promise<Float64Array | undefined> {
  const { decodeModel } = await import('../../server/src/onnx/proto.js');
  const { Graph } = await import('../../server/src/onnx/graph.js');
  const g = new Graph(decodeModel(readFileSync(path.join(FIXTURES, file))));
  const n = g.nodes.find((x) => x.name === node);
  return n?.input?.[1] ? g.consts.get(n.input[1])?.data : undefined;
}

/** Each node's first output tensor, from the model file. */
async function firstOutputs(file: string): Promise<Map<string, string>> {
  const { decodeModel } = await import('../../server/src/onnx/proto.js');
  const m = decodeModel(readFileSync(path.join(FIXTURES, file)));
  return new Map((m.graph!.node ?? []).map((n, i) => [n.name || `${n.op_type}#${i}`, n.output![0]]));
}

function runTrace(net: Network, img: Uint8Array): Map<string, Int32Array> {
  return runNetwork(net, Int32Array.from(img)).layers;
}
