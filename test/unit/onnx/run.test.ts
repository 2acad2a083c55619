/**
 * `qnn run` on a network from `qnn import`: raw images in the model's own shape, the float
 * outputs through import.json's mapping and the classes, against onnxruntime.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRun } from '../../../server/src/cli/run.js';
import { readNpy, writeNpy } from '../../../server/src/npy/npy.js';
import { argmax, importTo, Oracle } from '../../onnx/oracle.js';
import { buildModel, rng } from '../../onnx/build.js';

describe('qnn run with import.json', () => {
  it('takes raw u8 images [N, 3, 4] for an input [12], writes float outputs and classes equal to onnxruntime', async () => {
    const r = rng(3);
    const m = (rows: number, cols: number): number[][] =>
      Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r() < 0.5 ? -1 : 1)));
    const bn = {
      gamma: [1, -1, 2, 0.5, -0.3, 1],
      beta: [0.1, 0.2, -0.3, 0, 0.4, -0.1],
      mean: [0, 1, -1, 2, 0, 0.5],
      variance: [1, 2, 1, 3, 1, 1],
    };
    const { bytes } = buildModel({
      inputs: 12,
      inQuant: { kind: 'bipolar', scale: 1 },
      inShift: 0.5,
      layers: [
        { w: m(6, 12), wq: { kind: 'bipolar', scale: 1 }, bn, act: { kind: 'bipolar', scale: 1 } },
        { w: m(4, 6), wq: { kind: 'bipolar', scale: 1 }, gemm: true, bias: [0.5, -0.25, 0.125, 0] },
      ],
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qnn-run-'));
    const res = importTo(bytes, dir, { sourceName: 'toy.onnx' });
    const raw = Array.from({ length: 20 * 12 }, () => Math.floor(r() * 256));
    writeFileSync(path.join(dir, 'x.npy'), writeNpy({ shape: [20, 3, 4], dtype: 'uint8', data: raw }));
    const at = (f: string): string => path.join(dir, f);
    expect(
      await runRun([at(res.qnnFile), '--input', at('x.npy'), '--output', at('y.npy'), '--float', at('f.npy'), '--classes', at('c.npy')]),
    ).toBe(0);
    const floats = readNpy(readFileSync(at('f.npy')));
    const classes = readNpy(readFileSync(at('c.npy')));
    expect(floats.shape).toEqual([20, 4]);
    expect(classes.shape).toEqual([20]);
    const oracle = await Oracle.create(bytes, [1, 12]);
    for (let i = 0; i < 20; i++) {
      const y = (await oracle.run(Float32Array.from(raw.slice(i * 12, (i + 1) * 12), (v) => v / 255)))[oracle.session.outputNames[0]];
      floats.data.slice(i * 4, (i + 1) * 4).forEach((v, c) => expect(Math.abs(v - y[c])).toBeLessThan(1e-5));
      expect(classes.data[i]).toBe(argmax(y));
    }
  });

  it('--classes without an import.json is a clear error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qnn-run-'));
    const file = path.join(dir, 'n.qnn');
    writeFileSync(
      file,
      'network n {\n  target xc7z020 @ 100 MHz\n  input x: u8[4]\n  layer t = threshold(x, out=u1, thresholds=[9])\n  output t\n}\n',
    );
    writeFileSync(path.join(dir, 'x.npy'), writeNpy({ shape: [4], dtype: 'uint8', data: [1, 2, 3, 4] }));
    await expect(
      runRun([file, '--input', path.join(dir, 'x.npy'), '--output', path.join(dir, 'y.npy'), '--classes', path.join(dir, 'c.npy')]),
    ).rejects.toThrow(/need the network's import.json/);
  });
});
