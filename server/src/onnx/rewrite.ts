/**
 * The oracle's half that needs no Python: QONNX's custom ops rewritten into standard ONNX
 * that onnxruntime runs. Two forms, so that each checks the other:
 * - `float`: Quant as Div → Round (half to even) → Clip → Mul; BipolarQuant as a sign
 *   (1 − 2·[x < 0]) · scale; MultiThreshold as a sum of comparisons (a MatMul with ones).
 * - `qcdq`: Quant of at most 8 bits with one scale as QuantizeLinear → Clip → DequantizeLinear
 *   (the rest as in `float`).
 * The ai.onnx opset is raised to what the new nodes need (11, or 13 for QCDQ, where
 * Squeeze/Unsqueeze take their axes as an input); the ops of these models mean the same
 * at both versions. Every original tensor keeps its name, so any of them can be asked
 * for as an extra output.
 */
import { ATTR, DT, decodeModel, encodeModel, type AttributeProto, type ModelProto, type NodeProto, type TensorProto } from './proto.js';
import { attrFloat, attrInt, attrString, Graph, ImportError, isCustomDomain } from './graph.js';

export interface RewriteOptions {
  form?: 'float' | 'qcdq';
  /** Original tensors to add as graph outputs (e.g. each quantizer's output). */
  extraOutputs?: string[];
}

function f32Tensor(name: string, dims: number[], values: number[]): TensorProto {
  return { name, dims, data_type: DT.FLOAT, raw_data: new Uint8Array(Float32Array.from(values).buffer) };
}
function i64Tensor(name: string, dims: number[], values: number[]): TensorProto {
  return { name, dims, data_type: DT.INT64, raw_data: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) };
}
function i8Tensor(name: string, signed: boolean, v: number): TensorProto {
  return { name, dims: [], data_type: signed ? DT.INT8 : DT.UINT8, raw_data: Uint8Array.of(v & 0xff) };
}
const intAttr = (name: string, i: number): AttributeProto => ({ name, type: ATTR.INT, i });
const intsAttr = (name: string, ints: number[]): AttributeProto => ({ name, type: ATTR.INTS, ints });

export function rewriteToStandard(bytes: Uint8Array, opts: RewriteOptions = {}): Uint8Array {
  const model = decodeModel(bytes);
  const g = new Graph(model);
  const form = opts.form ?? 'float';
  const opset = Math.max(
    form === 'qcdq' ? 13 : 11,
    ...(model.opset_import ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => Number(o.version ?? 0)),
  );
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [...(model.graph!.initializer ?? [])];
  let uid = 0;
  const tmp = (base: string): string => `${base}__rw${uid++}`;
  const constF = (base: string, dims: number[], v: number[]): string => {
    const n = tmp(base);
    inits.push(f32Tensor(n, dims, v));
    return n;
  };
  const constI64 = (base: string, v: number[]): string => {
    const n = tmp(base);
    inits.push(i64Tensor(n, [v.length], v));
    return n;
  };
  const add = (op: string, inputs: string[], outputs: string[], attribute: AttributeProto[] = [], name?: string): void => {
    nodes.push({ op_type: op, input: inputs, output: outputs, attribute, name: name ?? tmp(op), domain: '' });
  };
  const scalarOf = (name: string): number[] | undefined => {
    const c = g.consts.get(name);
    return c ? Array.from(c.data) : undefined;
  };

  for (const n of g.nodes) {
    const base = n.name ?? 'n';
    const [x] = n.input ?? [];
    const [y] = n.output ?? [];
    if (!isCustomDomain(n.domain)) {
      if (opset >= 13 && (n.op_type === 'Squeeze' || n.op_type === 'Unsqueeze')) {
        const axes = n.attribute?.find((a) => a.name === 'axes');
        if (axes) {
          nodes.push({
            ...n,
            input: [x, constI64(`${base}_axes`, (axes.ints ?? []).map(Number))],
            attribute: n.attribute!.filter((a) => a !== axes),
          });
          continue;
        }
      }
      nodes.push(n);
      continue;
    }
    if (n.op_type === 'BipolarQuant') {
      // y = s · (1 − 2·[x < 0]): +s for x ≥ 0 (0 included), −s below.
      const lt = tmp(`${base}_lt`);
      const ltf = tmp(`${base}_ltf`);
      const two = tmp(`${base}_2lt`);
      const sgn = tmp(`${base}_sign`);
      add('Less', [x, constF(`${base}_zero`, [], [0])], [lt]);
      add('Cast', [lt], [ltf], [intAttr('to', DT.FLOAT)]);
      add('Mul', [ltf, constF(`${base}_two`, [], [2])], [two]);
      add('Sub', [constF(`${base}_one`, [], [1]), two], [sgn]);
      add('Mul', [sgn, n.input![1]], [y], [], base);
    } else if (n.op_type === 'Quant') {
      const zp = scalarOf(n.input![2]);
      const bits = scalarOf(n.input![3]);
      if (!zp || !bits || bits.length !== 1) throw new ImportError(`Quant '${base}': zero point and bit width must be constants`);
      if (zp.some((v) => v !== 0)) throw new ImportError(`Quant '${base}': zero point ${zp[0]} is not supported (only 0)`);
      const b = bits[0];
      const signed = attrInt(n, 'signed', 1) === 1;
      const narrow = attrInt(n, 'narrow', 0) === 1;
      const lo = signed ? -(2 ** (b - 1)) + (narrow ? 1 : 0) : 0;
      const hi = signed ? 2 ** (b - 1) - 1 : 2 ** b - 1 - (narrow ? 1 : 0);
      const mode = (attrString(n, 'rounding_mode', 'ROUND') ?? 'ROUND').toUpperCase();
      const scale = g.consts.get(n.input![1]);
      const qcdq = form === 'qcdq' && b <= 8 && mode === 'ROUND' && scale !== undefined && scale.data.length === 1;
      if (qcdq) {
        const q = tmp(`${base}_q`);
        const qc = tmp(`${base}_qc`);
        const zpName = tmp(`${base}_zp`);
        inits.push(i8Tensor(zpName, signed, 0));
        const s = constF(`${base}_s`, [], [scale.data[0]]);
        add('QuantizeLinear', [x, s, zpName], [q]);
        const mk = (v: number): string => {
          const nm = tmp(`${base}_c`);
          inits.push(i8Tensor(nm, signed, v));
          return nm;
        };
        add('Clip', [q, mk(lo), mk(hi)], [qc]);
        add('DequantizeLinear', [qc, s, zpName], [y], [], base);
      } else {
        const d = tmp(`${base}_div`);
        const r = tmp(`${base}_round`);
        const c = tmp(`${base}_clip`);
        add('Div', [x, n.input![1]], [d]);
        const direct = ({ ROUND: 'Round', HALF_EVEN: 'Round', FLOOR: 'Floor', CEIL: 'Ceil' } as Record<string, string>)[mode];
        // The rest round the magnitude and put the sign back: sign(x) · op(|x| + c).
        const bySign = (
          {
            ROUND_TO_ZERO: ['Floor', 0],
            DOWN: ['Floor', 0],
            UP: ['Ceil', 0],
            HALF_UP: ['Floor', 0.5],
            HALF_DOWN: ['Ceil', -0.5],
          } as Record<string, [string, number]>
        )[mode];
        if (direct) add(direct, [d], [r]);
        else if (bySign) {
          const [op, c] = bySign;
          const sg = tmp(`${base}_sign`);
          const ab = tmp(`${base}_abs`);
          const sh = tmp(`${base}_shift`);
          const rm = tmp(`${base}_mag`);
          add('Sign', [d], [sg]);
          add('Abs', [d], [ab]);
          add('Add', [ab, constF(`${base}_c`, [], [c])], [sh]);
          add(op, [sh], [rm]);
          add('Mul', [sg, rm], [r]);
        } else throw new ImportError(`Quant '${base}': rounding_mode ${mode} has no rewrite`);
        add('Clip', [r, constF(`${base}_lo`, [], [lo]), constF(`${base}_hi`, [], [hi])], [c]);
        add('Mul', [c, n.input![1]], [y], [], base);
      }
    } else if (n.op_type === 'MultiThreshold') {
      // y = out_scale · Σ_i [x ≥ T_c,i] + out_bias, channels on axis 1 (NCHW / NC).
      const t = g.consts.get(n.input![1]);
      const rank = g.shapes.get(x)?.length ?? 2;
      if (!t || t.dims.length !== 2) throw new ImportError(`MultiThreshold '${base}': thresholds must be a constant [C, N]`);
      if (attrString(n, 'data_layout', 'NCHW') !== 'NCHW' && rank > 2)
        throw new ImportError(`MultiThreshold '${base}': only the NCHW layout is rewritten`);
      const [C, N] = t.dims;
      const tdims = [C, ...Array(Math.max(0, rank - 2)).fill(1), N];
      const tt = constF(`${base}_T`, tdims, Array.from(t.data));
      const xu = tmp(`${base}_x`);
      const lt = tmp(`${base}_lt`);
      const ge = tmp(`${base}_ge`);
      const gef = tmp(`${base}_gef`);
      const cnt = tmp(`${base}_count`);
      const sc = tmp(`${base}_scaled`);
      if (opset >= 13) add('Unsqueeze', [x, constI64(`${base}_axes`, [-1])], [xu]);
      else add('Unsqueeze', [x], [xu], [intsAttr('axes', [rank])]);
      add('Less', [xu, tt], [lt]);
      add('Not', [lt], [ge]);
      add('Cast', [ge], [gef], [intAttr('to', DT.FLOAT)]);
      add('MatMul', [gef, constF(`${base}_ones`, [N], Array(N).fill(1))], [cnt]);
      add('Mul', [cnt, constF(`${base}_os`, [], [attrFloat(n, 'out_scale', 1)!])], [sc]);
      add('Add', [sc, constF(`${base}_ob`, [], [attrFloat(n, 'out_bias', 0)!])], [y], [], base);
    } else {
      throw new ImportError(`${n.op_type} '${base}' (domain ${n.domain}) has no rewrite into standard ONNX`);
    }
  }
  const graph = model.graph!;
  const out: ModelProto = {
    ...model,
    ir_version: Math.max(Number(model.ir_version ?? 7), 7),
    opset_import: [{ domain: '', version: opset }],
    graph: {
      ...graph,
      node: nodes,
      initializer: inits,
      // Old exports list weights as inputs too; onnxruntime would let a caller override them.
      input: (graph.input ?? []).filter((v) => !g.consts.has(v.name ?? '') || !(graph.initializer ?? []).some((t) => t.name === v.name)),
      output: [
        ...(graph.output ?? []),
        ...(opts.extraOutputs ?? []).map((name) => ({ name, type: { tensor_type: { elem_type: DT.FLOAT } } })),
      ],
      value_info: [],
    },
  };
  return encodeModel(out);
}
