/**
 * The importer's folding rules, one model each, built in the test: BatchNorm with γ < 0
 * (the row is negated), γ = 0 and denormal γ (a constant channel), per-channel weight
 * scales, a bias, a narrow range, bipolar and ternary layers. Each imported `.qnn` must
 * elaborate without errors, and the golden model must give onnxruntime's integers at every
 * quantizer and its float output within half the output scale, on 200 random images.
 * Then unsupported models: the message names the op and the node, and nothing is written.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNetwork } from '../../../server/src/golden/golden.js';
import { readNpy } from '../../../server/src/npy/npy.js';
import { importOnnx, ImportError, type ImportResult } from '../../../server/src/onnx/import.js';
import { foldChannel, bipolarLevels, quantLevels, roundHalfEven, type Step } from '../../../server/src/onnx/fold.js';
import { elaborateFile, importTo, Oracle } from '../../onnx/oracle.js';
import { buildConvModel, buildModel, rng, type DenseSpec, type ModelSpec } from '../../onnx/build.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'qnn-import-'));

function matrix(rows: number, cols: number, r: () => number, values: number[]): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => values[Math.floor(r() * values.length)]));
}

/** Imports, elaborates and compares with onnxruntime on `frames` random u8 images. */
async function check(spec: ModelSpec, frames = 200): Promise<ImportResult> {
  const { bytes, quantOutputs } = buildModel(spec);
  const dir = tmp();
  const r = importTo(bytes, dir, { sourceName: 'test.onnx' });
  const { net, errors } = await elaborateFile(path.join(dir, r.qnnFile));
  expect(errors, r.qnn).toEqual([]);
  const oracle = await Oracle.create(bytes, [1, spec.inputs], { extraOutputs: quantOutputs });
  const acts = r.info.layers.filter((l) => l.op === 'threshold');
  // The quantizers in order: the input's (a layer unless it is the identity), then each activation.
  const layers = [
    r.info.input.quantizer ? { layer: 'xq', offset: r.info.input.quantizer.level_offset } : undefined,
    ...acts.map((a) => ({ layer: a.layer, offset: a.level_offset ?? 0 })),
  ];
  const scales = [spec.inQuant.scale, ...spec.layers.filter((l) => l.act).map((l) => l.act!.scale)].map((s) =>
    Array.isArray(s) ? s[0] : s,
  );
  const { scale, offset, acc_offset } = r.info.output;
  const rand = rng(11);
  for (let f = 0; f < frames; f++) {
    const raw = Array.from({ length: spec.inputs }, () => Math.floor(rand() * 256));
    const o = await oracle.run(Float32Array.from(raw, (v) => v / 255));
    const trace = runNetwork(net, Int32Array.from(raw));
    layers.forEach((l, k) => {
      if (!l) return;
      const s = spec.inQuant.kind === 'bipolar' && k === 0 ? spec.inQuant.scale : scales[k];
      expect(
        Array.from(trace.layers.get(l.layer)!, (v) => v + l.offset),
        `frame ${f}, ${l.layer}`,
      ).toEqual(o[quantOutputs[k]].map((v) => Math.round(v / s) + 0));
    });
    const y = o[oracle.session.outputNames[0]];
    const at = (a: number[], c: number): number => a[a.length === 1 ? 0 : c];
    Array.from(trace.output).forEach((v, c) => {
      const g = (v + (acc_offset ? acc_offset[c] : 0)) * at(scale, c) + at(offset, c);
      expect(Math.abs(g - y[c]), `frame ${f}, output ${c}`).toBeLessThan(Math.abs(at(scale, c)) / 2);
    });
  }
  return r;
}

const r0 = rng(5);
const W1 = matrix(6, 12, r0, [-1, 1]);
const W2 = matrix(4, 6, r0, [-1, 1]);
const BN = {
  gamma: [1.5, -0.7, 0.9, -2, 0.3, 1],
  beta: [0.2, -0.1, 0.4, 0, -0.3, 0.1],
  mean: [0.5, -1, 2, 0, 1.5, -0.5],
  variance: [2, 1, 4, 0.5, 3, 1],
};
const bip = (scale = 1): { kind: 'bipolar'; scale: number } => ({ kind: 'bipolar', scale });
const q = (bits: number, signed: boolean, narrow: boolean, scale: number | number[]) => ({
  kind: 'quant' as const,
  bits,
  signed,
  narrow,
  scale,
});
const binary = (layers: DenseSpec[]): ModelSpec => ({ inputs: 12, inQuant: bip(), inShift: 0.5, layers });

describe('folding rules, each against onnxruntime', () => {
  it('bipolar: BipolarQuant weights and activations, a sign at the input', async () => {
    const r = await check(
      binary([
        { w: W1, wq: bip(), bn: BN, act: bip() },
        { w: W2, wq: bip() },
      ]),
    );
    expect(r.qnn).toContain('layer xq = threshold(x, out=bipolar, thresholds=[128])');
    expect(r.qnn).toMatch(/layer a0 = threshold\(fc0, out=bipolar/);
  });

  it('BatchNorm with γ < 0 negates the weight row', async () => {
    const r = await check(
      binary([
        { w: W1, wq: bip(), bn: BN, act: bip() },
        { w: W2, wq: bip() },
      ]),
    );
    const fc0 = r.info.layers.find((l) => l.layer === 'fc0')!;
    expect(fc0.negated_rows).toEqual([1, 3]);
    const npy = readNpy(r.files.find((f) => f.path === 'weights/fc0.npy')!.bytes);
    expect(npy.data.slice(12, 24)).toEqual(W1[1].map((v) => -v));
    expect(npy.data.slice(0, 12)).toEqual(W1[0]);
  });

  it('γ = 0 and a denormal γ make constant channels', async () => {
    const bn = { ...BN, gamma: [0, 1e-41, 0.9, -1e-42, 0.3, 0], beta: [0.2, -0.1, 0.4, 0.3, -0.3, -0.5] };
    const r = await check(
      binary([
        { w: W1, wq: bip(), bn, act: bip() },
        { w: W2, wq: bip() },
      ]),
    );
    const a0 = r.info.layers.find((l) => l.layer === 'a0')!;
    expect(a0.constant_channels).toEqual([
      { channel: 0, level: 1 },
      { channel: 1, level: -1 },
      { channel: 3, level: 1 },
      { channel: 5, level: -1 },
    ]);
  });

  it('per-channel weight scales fold into each row', async () => {
    const w = matrix(6, 12, rng(7), [-3, -1, 0, 2, 3]).map((row, i) => row.map((v) => v * [0.5, 0.25, 1, 0.125, 2, 0.75][i]));
    const r = await check({
      inputs: 12,
      inQuant: q(8, false, false, 1 / 255),
      layers: [
        { w, wq: q(3, true, false, [0.5, 0.25, 1, 0.125, 2, 0.75]), act: q(4, false, false, 0.7731), relu: true },
        { w: matrix(4, 6, rng(8), [-2, 0, 1]), wq: q(2, true, false, 0.1) },
      ],
    });
    expect(r.info.layers.find((l) => l.layer === 'fc0')!.type).toBe('i3');
    expect(r.qnn).toMatch(/layer a0 = threshold\(fc0, out=u4/);
  });

  it('a bias (Gemm) folds into the thresholds', async () => {
    const r = await check(
      binary([
        { w: W1, wq: bip(), gemm: true, bias: [3, -2, 0.5, -7, 1, 0], act: bip() },
        { w: W2, wq: bip(), gemm: true, bias: [1, 2, 3, 4] },
      ]),
    );
    expect(r.info.layers.find((l) => l.layer === 'a0')!.folded!.join(' ')).toContain('bias');
    expect(r.info.output.offset).toEqual([1, 2, 3, 4]);
  });

  it('a narrow unsigned range pads the thresholds with ones never reached', async () => {
    const r = await check(
      binary([
        { w: W1, wq: bip(), bn: BN, act: q(2, false, true, 0.5) },
        { w: W2, wq: bip() },
      ]),
    );
    const t = readNpy(r.files.find((f) => f.path === 'weights/a0.npy')!.bytes);
    expect(t.shape).toEqual([6, 3]);
    // Row bounds of a bipolar 12-input row are ±12: the third threshold is 13, never passed.
    expect(t.data.filter((_, i) => i % 3 === 2)).toEqual(Array(6).fill(13));
  });

  it('ternary (signed narrow 2-bit) layers are counts with the offset folded into the next layer', async () => {
    const r = await check({
      inputs: 12,
      inQuant: q(2, true, true, 1),
      inShift: 0.5,
      layers: [
        { w: matrix(6, 12, rng(9), [-1, 0, 1]), wq: q(2, true, true, 1), bn: BN, act: q(2, true, true, 1) },
        { w: matrix(4, 6, rng(10), [-1, 0, 1]), wq: q(2, true, true, 1) },
      ],
    });
    expect(r.qnn).toContain('layer xq = threshold(x, out=u2');
    expect(r.info.input.quantizer!.level_offset).toBe(-1);
    expect(r.info.layers.find((l) => l.layer === 'a0')!.level_offset).toBe(-1);
    expect(r.info.output.acc_offset).toHaveLength(4);
  });
});

describe('export variants', () => {
  for (const rounding of ['HALF_UP', 'HALF_DOWN', 'UP', 'DOWN', 'ROUND_TO_ZERO', 'FLOOR', 'CEIL', 'HALF_EVEN']) {
    it(`rounding_mode ${rounding}`, async () => {
      await check(
        binary([
          { w: W1, wq: bip(), bn: BN, act: { ...q(3, true, false, 0.25), rounding } },
          { w: W2, wq: bip() },
        ]),
        100,
      );
    });
  }
  it('domain qonnx.custom_op.general, IntQuant (qonnx 0.4), ai.onnx opset 17', async () => {
    const r = await check({
      ...binary([
        { w: W1, wq: { ...q(2, true, true, 1), op: 'IntQuant' }, bn: BN, act: { ...q(4, false, false, 0.5), op: 'IntQuant' } },
        { w: W2, wq: bip() },
      ]),
      domain: 'qonnx.custom_op.general',
      opset: 17,
    });
    expect(r.info.source.custom_domains).toEqual(['qonnx.custom_op.general']);
  });
});

describe('a small CNN (Conv with padding and bias, MaxPool, ternary, Flatten into a dense layer)', () => {
  it("imports to conv2d / maxpool / dense and gives onnxruntime's integers at every quantizer and its output", async () => {
    const { bytes, quantOutputs, shapes } = buildConvModel(21);
    const dir = tmp();
    const r = importTo(bytes, dir, { sourceName: 'cnn.onnx' });
    const { net, errors } = await elaborateFile(path.join(dir, r.qnnFile));
    expect(errors, r.qnn).toEqual([]);
    expect(net.input!.shape).toEqual([8, 8, 2]);
    expect(net.layers.map((l) => `${l.name}:${l.op}`)).toEqual([
      'c0:conv2d',
      'r0:threshold',
      'p0:maxpool',
      'c1:conv2d',
      'r1:threshold',
      'fc0:dense',
    ]);
    const negated = r.info.layers.find((l) => l.layer === 'c1')!.negated_rows;
    expect(negated).toContain(1);
    const oracle = await Oracle.create(bytes, [1, 2, 8, 8], { extraOutputs: quantOutputs });
    const offsets = [0, 0, -1];
    const scales = [0.6, 0.6, 1];
    const layers = ['r0', 'p0', 'r1'];
    const rand = rng(4);
    for (let f = 0; f < 100; f++) {
      const chw = Array.from({ length: 128 }, () => Math.floor(rand() * 256));
      // The .qnn input is channels-last: (C, H, W) → (H, W, C).
      const hwc = Array.from({ length: 128 }, (_, i) => chw[(i % 2) * 64 + Math.floor(i / 2)]);
      const o = await oracle.run(Float32Array.from(chw, (v) => v / 255));
      const trace = runNetwork(net, Int32Array.from(hwc));
      layers.forEach((ln, k) => {
        const [C, H, W] = shapes[k];
        const ort = o[quantOutputs[k]];
        const got = Array.from({ length: C * H * W }, (_, i) => Math.round(ort[(i % C) * H * W + Math.floor(i / C)] / scales[k]) + 0);
        expect(
          Array.from(trace.layers.get(ln)!, (v) => v + offsets[k]),
          `frame ${f}, ${ln}`,
        ).toEqual(got);
      });
      const y = o[oracle.session.outputNames[0]];
      const { scale, offset, acc_offset } = r.info.output;
      Array.from(trace.output).forEach((v, c) =>
        expect(Math.abs((v + (acc_offset?.[c] ?? 0)) * scale[0] + offset[0] - y[c])).toBeLessThan(1e-4),
      );
    }
  });
});

describe('foldChannel', () => {
  const steps: Step[] = [{ op: 'bn', gamma: [-1], beta: [0.5], mean: [0], variance: [1 - 1e-5], eps: 1e-5 }];
  it('finds the smallest accumulator reaching each level, on the negated accumulator when the chain decreases', () => {
    // −a + 0.5 ≥ 0 ⇔ a ≤ 0 ⇔ −a ≥ 0.
    expect(foldChannel(steps, bipolarLevels(), 0, -10, 10)).toEqual({ thresholds: [0], negated: true });
    // Quant 2-bit signed narrow, scale 1, on a' = −a: round(a' + 0.5) ≥ 0 from a' = −1
    // (round(−0.5) = −0, half to even), ≥ 1 from a' = 1 (round(0.5) = 0, round(1.5) = 2).
    expect(foldChannel(steps, quantLevels([1], 2, true, true, 'ROUND'), 0, -10, 10)).toEqual({ thresholds: [-1, 1], negated: true });
  });
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2]);
  });
});

describe('unsupported models', () => {
  const base = binary([
    { w: W1, wq: bip(), act: bip() },
    { w: W2, wq: bip() },
  ]);
  const cases: [string, ModelSpec, RegExp][] = [
    [
      'an Add of two computed tensors (residual)',
      { ...base, tailOp: 'Add' },
      /Add 'Add_\d+' of two computed tensors \(a residual or a branch\) is not supported/,
    ],
    [
      'an AveragePool',
      { ...base, tailOp: 'AveragePool' },
      /AveragePool at node 'AveragePool_\d+' is not supported\. The importer takes chains of: MatMul/,
    ],
    ['a Conv on an accumulator', { ...base, tailOp: 'Conv' }, /Conv 'Conv_\d+': its input must be a quantized \[1, C, H, W\] tensor/],
    [
      'a MaxPool before the quantizer',
      { ...base, tailOp: 'MaxPool' },
      /MaxPool 'MaxPool_\d+' is supported on a quantized \[1, C, H, W\] tensor only/,
    ],
    ['a DepthToSpace', { ...base, tailOp: 'DepthToSpace' }, /DepthToSpace at node 'DepthToSpace_\d+' is not supported/],
    [
      'a non-zero zero point',
      binary([
        { w: W1, wq: bip(), act: { ...q(4, false, false, 0.5), zero: 3 } },
        { w: W2, wq: bip() },
      ]),
      /Quant 'Quant_\d+': zero point 3 is not supported \(only 0\)/,
    ],
  ];
  for (const [what, spec, msg] of cases) {
    it(`${what}: a clear error`, () => {
      expect(() => importOnnx(buildModel(spec).bytes)).toThrow(ImportError);
      expect(() => importOnnx(buildModel(spec).bytes)).toThrow(msg);
    });
  }

  it('qnn import writes nothing for an unsupported model', async () => {
    const dir = tmp();
    const model = path.join(dir, 'pool.onnx');
    writeFileSync(model, buildModel({ ...base, tailOp: 'AveragePool' }).bytes);
    const { runImport } = await import('../../../server/src/cli/import.js');
    await expect(runImport([model, '-o', path.join(dir, 'out')])).rejects.toThrow(/AveragePool at node/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('--target and --fps make the target line; a malformed one is an error', () => {
    const { bytes } = buildModel(base);
    expect(importOnnx(bytes, { target: 'xczu3eg@200MHz', fps: '1.5M' }).qnn).toContain('target xczu3eg @ 200 MHz, fps >= 1.5M');
    expect(() => importOnnx(bytes, { target: 'xc7z020' })).toThrow(/give DEVICE@CLOCK/);
    expect(() => importOnnx(bytes, { fps: 'fast' })).toThrow(/--fps 'fast'/);
  });

  it('not an ONNX file: a clear error', () => {
    expect(() => importOnnx(new TextEncoder().encode('network x { }'))).toThrow(/not an ONNX model|no graph/);
  });
});
