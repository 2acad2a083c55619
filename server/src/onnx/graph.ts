/**
 * An ONNX graph made easy to walk for the importer: initializers and Constant nodes as
 * float arrays with their dims, producers and consumers of each tensor, attributes by
 * name, and the custom domains recognised by op type (QONNX files often leave the custom
 * domain out of `opset_import`, so it is never trusted).
 */
import { ATTR, DT, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './proto.js';

/** A constant tensor: values in C order as doubles (float32 values are exact in them). */
export interface ConstTensor {
  dims: number[];
  data: Float64Array;
  /** ONNX data type (DT). */
  dtype: number;
}

export class ImportError extends Error {}

/** The domains whose Quant / BipolarQuant / MultiThreshold / Trunc nodes are QONNX's. */
export const CUSTOM_DOMAINS = ['onnx.brevitas', 'qonnx.custom_op.general', 'finn.custom_op.general', 'finn'];

export function isCustomDomain(d: string | undefined): boolean {
  return (
    d !== undefined &&
    d !== '' &&
    d !== 'ai.onnx' &&
    (CUSTOM_DOMAINS.includes(d) || d.startsWith('finn.custom_op') || d.startsWith('qonnx.custom_op'))
  );
}

export function tensorValues(t: TensorProto): Float64Array {
  const n = (t.dims ?? []).reduce((a, b) => a * b, 1);
  if (t.data_location === 1) throw new ImportError(`tensor '${t.name}' is stored in an external file, which is not supported`);
  const dt = t.data_type ?? DT.FLOAT;
  if (t.raw_data && t.raw_data.length > 0) {
    const b = t.raw_data;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const out = new Float64Array(n);
    const rd: Record<number, [number, (o: number) => number]> = {
      [DT.FLOAT]: [4, (o) => view.getFloat32(o, true)],
      [DT.DOUBLE]: [8, (o) => view.getFloat64(o, true)],
      [DT.INT64]: [8, (o) => Number(view.getBigInt64(o, true))],
      [DT.UINT64]: [8, (o) => Number(view.getBigUint64(o, true))],
      [DT.INT32]: [4, (o) => view.getInt32(o, true)],
      [DT.UINT32]: [4, (o) => view.getUint32(o, true)],
      [DT.INT16]: [2, (o) => view.getInt16(o, true)],
      [DT.UINT16]: [2, (o) => view.getUint16(o, true)],
      [DT.INT8]: [1, (o) => view.getInt8(o)],
      [DT.UINT8]: [1, (o) => view.getUint8(o)],
      [DT.BOOL]: [1, (o) => view.getUint8(o)],
    };
    const r = rd[dt];
    if (!r) throw new ImportError(`tensor '${t.name}' has ONNX data type ${dt}, which the importer does not read`);
    if (b.byteLength !== n * r[0]) throw new ImportError(`tensor '${t.name}': ${b.byteLength} bytes of data for ${n} values`);
    for (let i = 0; i < n; i++) out[i] = r[1](i * r[0]);
    return out;
  }
  const src = t.float_data ?? t.double_data ?? t.int64_data ?? t.int32_data ?? t.uint64_data ?? [];
  if (src.length !== n) throw new ImportError(`tensor '${t.name}' holds ${src.length} values for ${n}`);
  return Float64Array.from(src, Number);
}

export function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return n.attribute?.find((a) => a.name === name);
}
export function attrInt(n: NodeProto, name: string, dflt?: number): number | undefined {
  const a = attr(n, name);
  return a === undefined ? dflt : Number(a.i ?? 0);
}
export function attrFloat(n: NodeProto, name: string, dflt?: number): number | undefined {
  const a = attr(n, name);
  return a === undefined ? dflt : (a.f ?? 0);
}
export function attrInts(n: NodeProto, name: string): number[] | undefined {
  const a = attr(n, name);
  return a?.ints?.map(Number) ?? (a?.type === ATTR.INT ? [Number(a.i)] : undefined);
}
export function attrString(n: NodeProto, name: string, dflt?: string): string | undefined {
  const a = attr(n, name);
  return a?.s ? Buffer.from(a.s).toString('utf8') : dflt;
}

export function nodeName(n: NodeProto, i: number): string {
  return n.name || `${n.op_type}#${i}`;
}

export class Graph {
  readonly g: GraphProto;
  readonly nodes: NodeProto[];
  readonly consts = new Map<string, ConstTensor>();
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  /** finn_datatype annotations (FINN-ONNX): tensor name → e.g. BIPOLAR, INT2, UINT8. */
  readonly datatypes = new Map<string, string>();
  /** Declared shapes of inputs, outputs and value_info. */
  readonly shapes = new Map<string, (number | string)[]>();

  constructor(readonly model: ModelProto) {
    if (!model.graph) throw new ImportError('the file has no graph: not an ONNX model');
    this.g = model.graph;
    this.nodes = this.g.node ?? [];
    for (const t of this.g.initializer ?? [])
      this.consts.set(t.name ?? '', { dims: (t.dims ?? []).map(Number), data: tensorValues(t), dtype: t.data_type ?? DT.FLOAT });
    this.nodes.forEach((n, i) => {
      n.name = nodeName(n, i);
      // qonnx 0.4 renamed Quant to IntQuant (same inputs and attributes).
      if (n.op_type === 'IntQuant' && isCustomDomain(n.domain)) n.op_type = 'Quant';
      for (const o of n.output ?? []) this.producer.set(o, n);
      for (const x of new Set(n.input ?? [])) if (x) this.consumers.set(x, [...(this.consumers.get(x) ?? []), n]);
      if (n.op_type === 'Constant' && (n.domain ?? '') === '') {
        const v = attr(n, 'value');
        if (v?.t)
          this.consts.set(n.output![0], { dims: (v.t.dims ?? []).map(Number), data: tensorValues(v.t), dtype: v.t.data_type ?? DT.FLOAT });
        else if (attr(n, 'value_float'))
          this.consts.set(n.output![0], { dims: [], data: Float64Array.of(attrFloat(n, 'value_float')!), dtype: DT.FLOAT });
        else if (attr(n, 'value_int'))
          this.consts.set(n.output![0], { dims: [], data: Float64Array.of(attrInt(n, 'value_int')!), dtype: DT.INT64 });
        else if (attr(n, 'value_ints')) {
          const v2 = attrInts(n, 'value_ints')!;
          this.consts.set(n.output![0], { dims: [v2.length], data: Float64Array.from(v2), dtype: DT.INT64 });
        }
      }
    });
    for (const a of this.g.quantization_annotation ?? []) {
      const dt = a.quant_parameter_tensor_names?.find((e) => e.key === 'finn_datatype')?.value;
      if (a.tensor_name && dt) this.datatypes.set(a.tensor_name, dt);
    }
    for (const v of [...(this.g.input ?? []), ...(this.g.output ?? []), ...(this.g.value_info ?? [])]) {
      const dims = v.type?.tensor_type?.shape?.dim;
      if (v.name && dims)
        this.shapes.set(
          v.name,
          dims.map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : (d.dim_param ?? '?'))),
        );
    }
  }

  /** The graph inputs that are not initializers (old exports list weights as inputs too). */
  realInputs(): string[] {
    return (this.g.input ?? []).map((v) => v.name ?? '').filter((n) => !this.consts.has(n));
  }

  outputs(): string[] {
    return (this.g.output ?? []).map((v) => v.name ?? '');
  }

  /** Which family the file is: FINN-ONNX (MultiThreshold), QONNX (Quant/BipolarQuant) or plain ONNX. */
  format(): 'QONNX' | 'FINN-ONNX' | 'ONNX' {
    const custom = this.nodes.filter((n) => isCustomDomain(n.domain));
    if (custom.some((n) => n.op_type === 'MultiThreshold')) return 'FINN-ONNX';
    if (custom.length > 0) return 'QONNX';
    return 'ONNX';
  }
}
