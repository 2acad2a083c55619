/**
 * Small QONNX models built in the test (no Python): a float input [1, K], an input
 * quantizer, then dense layers (MatMul behind Transpose of quantized weights, or Gemm
 * with a bias), optional BatchNormalization, Relu and an activation quantizer. The
 * custom nodes are in domain onnx.brevitas with no opset entry, as Brevitas exports them.
 */
import { ATTR, DT, encodeModel, type AttributeProto, type NodeProto, type TensorProto } from '../../server/src/onnx/proto.js';

export type QuantSpec =
  | { kind: 'bipolar'; scale: number }
  | {
      kind: 'quant';
      bits: number;
      signed: boolean;
      narrow: boolean;
      scale: number | number[];
      zero?: number;
      rounding?: string;
      op?: string;
    };

export interface DenseSpec {
  /** [out, in], float (PyTorch layout). */
  w: number[][];
  wq: QuantSpec;
  gemm?: boolean;
  bias?: number[];
  bn?: { gamma: number[]; beta: number[]; mean: number[]; variance: number[] };
  relu?: boolean;
  act?: QuantSpec;
}

export interface ModelSpec {
  /** The custom ops' domain (default onnx.brevitas). */
  domain?: string;
  /** The ai.onnx opset (default 11). */
  opset?: number;
  inputs: number;
  /** The input quantizer on x (x = raw / 255). */
  inQuant: QuantSpec;
  /** Subtracted from x before the input quantizer (e.g. 0.5 for a sign). */
  inShift?: number;
  layers: DenseSpec[];
  /** Nodes appended at the end (to test unsupported ops): op type on the last tensor. */
  tailOp?: string;
}

export function buildModel(spec: ModelSpec): { bytes: Uint8Array; quantOutputs: string[] } {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let id = 0;
  const f32 = (dims: number[], v: number[]): string => {
    const name = `c${id++}`;
    inits.push({ name, dims, data_type: DT.FLOAT, raw_data: new Uint8Array(Float32Array.from(v).buffer) });
    return name;
  };
  const node = (op: string, inputs: string[], attribute: AttributeProto[] = [], domain = ''): string => {
    const out = `t${id++}`;
    nodes.push({ op_type: op, input: inputs, output: [out], name: `${op}_${id}`, domain, attribute });
    return out;
  };
  const int = (name: string, i: number): AttributeProto => ({ name, type: ATTR.INT, i });
  const domain = spec.domain ?? 'onnx.brevitas';
  const quant = (x: string, q: QuantSpec, dims: number[]): string => {
    if (q.kind === 'bipolar') return node('BipolarQuant', [x, f32([], [q.scale])], [], domain);
    const s = Array.isArray(q.scale) ? f32(dims, q.scale) : f32([], [q.scale]);
    return node(
      q.op ?? 'Quant',
      [x, s, f32([], [q.zero ?? 0]), f32([], [q.bits])],
      [
        int('signed', q.signed ? 1 : 0),
        int('narrow', q.narrow ? 1 : 0),
        { name: 'rounding_mode', type: ATTR.STRING, s: new TextEncoder().encode(q.rounding ?? 'ROUND') },
      ],
      domain,
    );
  };
  const quantOutputs: string[] = [];
  let cur = 'x';
  if (spec.inShift) cur = node('Sub', [cur, f32([], [spec.inShift])]);
  cur = quant(cur, spec.inQuant, []);
  quantOutputs.push(cur);
  for (const l of spec.layers) {
    const out = l.w.length;
    const inn = l.w[0].length;
    const w = f32([out, inn], l.w.flat());
    const wq = quant(w, l.wq, [out, 1]);
    if (l.gemm) {
      cur = node('Gemm', [cur, wq, ...(l.bias ? [f32([out], l.bias)] : [])], [int('transB', 1)]);
    } else {
      const wt = node('Transpose', [wq], [{ name: 'perm', type: ATTR.INTS, ints: [1, 0] }]);
      cur = node('MatMul', [cur, wt]);
      if (l.bias) cur = node('Add', [cur, f32([out], l.bias)]);
    }
    if (l.bn)
      cur = node(
        'BatchNormalization',
        [cur, f32([out], l.bn.gamma), f32([out], l.bn.beta), f32([out], l.bn.mean), f32([out], l.bn.variance)],
        [{ name: 'epsilon', type: ATTR.FLOAT, f: 1e-5 }],
      );
    if (l.relu) cur = node('Relu', [cur]);
    if (l.act) {
      cur = quant(cur, l.act, [1, out]);
      quantOutputs.push(cur);
    }
  }
  if (spec.tailOp) cur = node(spec.tailOp, spec.tailOp === 'Add' ? [cur, cur] : [cur]);
  const bytes = encodeModel({
    ir_version: 6,
    producer_name: 'qnn-test',
    opset_import: [{ domain: '', version: spec.opset ?? 11 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: inits,
      input: [
        { name: 'x', type: { tensor_type: { elem_type: DT.FLOAT, shape: { dim: [{ dim_value: 1 }, { dim_value: spec.inputs }] } } } },
      ],
      output: [{ name: cur, type: { tensor_type: { elem_type: DT.FLOAT } } }],
    },
  });
  return { bytes, quantOutputs };
}

/** A seeded generator (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small CNN in QONNX: x [1, 2, 8, 8] → Quant u8 (scale 1/255) → Conv 3×3 pad 1 (i3 weights,
 * one scale per filter) + bias → BatchNormalization → Quant u2 → MaxPool 2 → Conv 3×3
 * (2-bit ternary weights) → BatchNormalization (one γ < 0) → Quant signed narrow 2-bit
 * (ternary, so counts with an offset) → Flatten → MatMul (bipolar) → output.
 */
export function buildConvModel(seed: number): { bytes: Uint8Array; quantOutputs: string[]; shapes: number[][] } {
  const r = rng(seed);
  const pick = (vals: number[]): number => vals[Math.floor(r() * vals.length)];
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let id = 0;
  const f32 = (dims: number[], v: number[]): string => {
    const name = `c${id++}`;
    inits.push({ name, dims, data_type: DT.FLOAT, raw_data: new Uint8Array(Float32Array.from(v).buffer) });
    return name;
  };
  const node = (op: string, inputs: string[], attribute: AttributeProto[] = [], domain = ''): string => {
    const out = `t${id++}`;
    nodes.push({ op_type: op, input: inputs, output: [out], name: `${op}_${id}`, domain, attribute });
    return out;
  };
  const ints = (name: string, v: number[]): AttributeProto => ({ name, type: ATTR.INTS, ints: v });
  const int = (name: string, i: number): AttributeProto => ({ name, type: ATTR.INT, i });
  const quant = (x: string, scale: string, bits: number, signed: boolean, narrow: boolean): string =>
    node(
      'Quant',
      [x, scale, f32([], [0]), f32([], [bits])],
      [int('signed', signed ? 1 : 0), int('narrow', narrow ? 1 : 0)],
      'onnx.brevitas',
    );
  const bn = (x: string, c: number, gammaSign: number[]): string =>
    node('BatchNormalization', [
      x,
      f32(
        [c],
        Array.from({ length: c }, (_, i) => (0.5 + r()) * (gammaSign[i] ?? 1)),
      ),
      f32(
        [c],
        Array.from({ length: c }, () => r() - 0.5),
      ),
      f32(
        [c],
        Array.from({ length: c }, () => (r() - 0.5) * 4),
      ),
      f32(
        [c],
        Array.from({ length: c }, () => 0.5 + r() * 3),
      ),
    ]);
  const q0 = quant('x', f32([], [1 / 255]), 8, false, false);
  const s1 = [0.5, 0.25, 1, 0.125];
  const w1 = Array.from({ length: 4 * 2 * 9 }, (_, i) => pick([-4, -1, 0, 1, 3]) * s1[Math.floor(i / 18)]);
  const wq1 = quant(f32([4, 2, 3, 3], w1), f32([4, 1, 1, 1], s1), 3, true, false);
  const c1 = node('Conv', [q0, wq1, f32([4], [0.5, -1, 2, 0])], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]);
  const a1 = quant(bn(c1, 4, []), f32([], [0.6]), 2, false, false);
  const p1 = node('MaxPool', [a1], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
  const w2 = Array.from({ length: 3 * 4 * 9 }, () => pick([-1, 0, 1]));
  const wq2 = quant(f32([3, 4, 3, 3], w2), f32([], [1]), 2, true, true);
  const c2 = node('Conv', [p1, wq2], [ints('kernel_shape', [3, 3])]);
  const a2 = quant(bn(c2, 3, [1, -1, 1]), f32([], [1]), 2, true, true);
  const fl = node('Flatten', [a2], [int('axis', 1)]);
  const w3 = Array.from({ length: 12 * 5 }, () => pick([-1, 1]));
  const wq3 = node('BipolarQuant', [f32([5, 12], w3), f32([], [1])], [], 'onnx.brevitas');
  const out = node('MatMul', [fl, node('Transpose', [wq3], [ints('perm', [1, 0])])]);
  const bytes = encodeModel({
    ir_version: 6,
    producer_name: 'qnn-test',
    opset_import: [{ domain: '', version: 11 }],
    graph: {
      name: 'cnn',
      node: nodes,
      initializer: inits,
      input: [{ name: 'x', type: { tensor_type: { elem_type: DT.FLOAT, shape: { dim: [1, 2, 8, 8].map((d) => ({ dim_value: d })) } } } }],
      output: [{ name: out, type: { tensor_type: { elem_type: DT.FLOAT } } }],
    },
  });
  return {
    bytes,
    quantOutputs: [a1, p1, a2],
    shapes: [
      [4, 8, 8],
      [4, 4, 4],
      [3, 2, 2],
    ],
  };
}
