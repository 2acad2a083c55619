/**
 * `qnn import`: a trained QONNX / FINN-ONNX network (Brevitas' exports) to a `.qnn` file,
 * its weights and thresholds as `.npy`, and `import.json` (how the host maps the input and
 * output, what was folded where). The graph is walked from its input as a chain: the glue
 * (Shape/Gather/Unsqueeze/Concat/Reshape, Flatten, Squeeze, Transpose of weights) is
 * evaluated as constants, quantizers become integer types, and everything between an
 * accumulator and the next quantizer folds into integer thresholds (fold.ts). Anything
 * outside that scope is an ImportError naming the op and the node; nothing is written then.
 */
import { writeNpy } from '../npy/npy.js';
import { fitsType, typeName } from '../model/qtype.js';
import type { QType } from '../model/types.js';
import { decodeModel, type NodeProto } from './proto.js';
import { attrFloat, attrInt, attrInts, attrString, Graph, ImportError, isCustomDomain, type ConstTensor } from './graph.js';
import {
  bipolarLevels,
  foldChannel,
  multiThresholdLevels,
  quantLevels,
  quantRange,
  roundBy,
  ROUNDINGS,
  rowBounds,
  typeFor,
  type LevelFn,
  type Rounding,
  type Step,
} from './fold.js';

export { ImportError } from './graph.js';

export interface ImportOptions {
  /** Network name (default: from the file name). */
  name?: string;
  /** `DEVICE@CLOCK`, e.g. `xc7z020@100MHz` (default xc7z020 @ 100 MHz). */
  target?: string;
  /** A frame-rate goal (`fps >= N` on the target): the compiler then chooses every fold. */
  fps?: string;
  /** Name of the source file, for comments and import.json. */
  sourceName?: string;
  /** The raw input's type (default u8). */
  inputType?: QType;
  /** The graph's float input = raw / divisor (default: 255, or 1 when the graph divides by 255 itself or its input is annotated UINT8). */
  inputDivisor?: number;
}

export interface ImportedFile {
  /** Relative to the output folder. */
  path: string;
  bytes: Uint8Array;
}

export interface ImportInfo {
  source: { file: string; format: string; producer: string; ir_version: number; opset: string[]; custom_domains: string[] };
  network: string;
  qnn: string;
  input: {
    onnx_name: string;
    onnx_shape: (number | string)[];
    type: string;
    shape: number[];
    layout: string;
    divisor: number;
    float: string;
    quantizer?: { layer: string; nodes: string[]; thresholds: number[]; levels: number[]; level_offset: number };
  };
  output: {
    onnx_name: string;
    layer: string;
    type: string;
    shape: number[];
    float: string;
    scale: number[];
    offset: number[];
    /** Present where the accumulator is carried off by a constant per channel: the true one is value + acc_offset[c]. */
    acc_offset?: number[];
    argmax: boolean;
    nodes: string[];
  };
  layers: {
    layer: string;
    op: string;
    nodes: string[];
    file?: string;
    type?: string;
    scale?: number[];
    negated_rows?: number[];
    /** The layer's values are counts: the model's level is count + level_offset. */
    level_offset?: number;
    constant_channels?: { channel: number; level: number }[];
    folded?: string[];
  }[];
}

export interface ImportResult {
  name: string;
  qnnFile: string;
  qnn: string;
  files: ImportedFile[];
  info: ImportInfo;
}

const SUPPORTED =
  'MatMul and Gemm (with Transpose of the weights, optional bias), Conv (2-D, group 1, square kernel, symmetric padding), MaxPool after a quantizer, BatchNormalization, Relu, Mul/Div/Add/Sub by constants, ' +
  'Quant / BipolarQuant / MultiThreshold (domains onnx.brevitas, qonnx.custom_op.general, finn.custom_op.general), ' +
  'Reshape/Flatten/Squeeze/Unsqueeze and the Shape/Gather/Concat glue, Identity/Dropout, a final TopK';

const KEYWORDS = new Set(
  'network target const input layer output test fold fps board bandwidth random seed pe simd bipolar pow2 conv1d conv2d dense maxpool requant threshold Hz kHz MHz GHz same valid scales thresholds'.split(
    ' ',
  ),
);

/** Integer weights with their real scale, both in the tensor's own layout. */
interface WeightTensor {
  dims: number[];
  ints: Float64Array;
  scales: Float64Array;
  type: QType;
  nodes: string[];
}

type State =
  | { kind: 'float'; shape: number[]; ops: { op: 'mul' | 'div' | 'add' | 'sub' | 'rsub' | 'relu'; k: number }[]; nodes: string[] }
  /** Integers: the real value is (stored + zero) · scale; zero ≠ 0 where a count of thresholds stands for signed or narrow levels. */
  | {
      kind: 'int';
      shape: number[];
      type: QType;
      scale: number[];
      layer: string;
      zero: number;
      /** [C, H, W] of a spatial tensor (the .qnn holds it channels-last, [H, W, C]). */
      chw?: number[];
      /** [C, H, W] of the spatial tensor this flat one was flattened from (ONNX's C, H, W order). */
      flatFrom?: number[];
    }
  | { kind: 'acc'; shape: number[]; mvau: Dense; steps: Step[]; nodes: string[]; folded: string[] };

interface Dense {
  name: string;
  input: string;
  inType: QType;
  mh: number;
  mw: number;
  /** [mh, mw], row-major. */
  matrix: Float64Array;
  type: QType;
  scale: number[];
  nodes: string[];
  negated: number[];
  /** The true accumulator is the computed one plus this (the input's level offset × row sums). */
  accOffset?: number[];
  /** A 2-D convolution: weights [mh, Cin, k, k] in `matrix` (PyTorch order), output [C, H, W]. */
  conv?: { cin: number; k: number; stride: number; pad: number; outChw: number[] };
}

interface Emitted {
  comment: string[];
  line: string;
}

const f32 = Math.fround;

export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): ImportResult {
  let model;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new ImportError(`not an ONNX model: ${(e as Error).message}`);
  }
  return new Importer(new Graph(model), opts).run();
}

class Importer {
  private readonly shapes = new Map<string, number[]>();
  private readonly out: Emitted[] = [];
  private readonly files: ImportedFile[] = [];
  private readonly layersInfo: ImportInfo['layers'] = [];
  private denseCount = 0;
  private convCount = 0;
  private poolCount = 0;
  private dense?: Dense;
  private readonly name: string;

  constructor(
    private readonly g: Graph,
    private readonly opts: ImportOptions,
  ) {
    const base = (opts.name ?? (opts.sourceName ?? 'model').replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '')).toLowerCase();
    let n = base.replace(/[^a-z0-9_]/g, '_');
    if (!/^[a-z_]/.test(n)) n = `net_${n}`;
    if (KEYWORDS.has(n)) n = `${n}_net`;
    this.name = n;
  }

  run(): ImportResult {
    const g = this.g;
    const inputs = g.realInputs();
    if (inputs.length !== 1) throw new ImportError(`the graph has ${inputs.length} inputs (${inputs.join(', ')}); the importer takes one`);
    const inName = inputs[0];
    const declared = g.shapes.get(inName) ?? [];
    const inShape = declared.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? 1 : NaN));
    if (inShape.some((d) => !Number.isFinite(d))) throw new ImportError(`input '${inName}' has no static shape ([${declared.join(', ')}])`);
    this.shapes.set(inName, inShape);
    const rawType = this.opts.inputType ?? { kind: 'uint', bits: 8 };
    const divisor = this.opts.inputDivisor ?? this.defaultDivisor(inName);

    let state: State = { kind: 'float', shape: inShape, ops: [], nodes: [] };
    let cur = inName;
    let argmax = false;
    let tail: { shape: number[]; nodes: string[] } | undefined;
    const inputInfo: ImportInfo['input'] = {
      onnx_name: inName,
      onnx_shape: declared,
      type: typeName(rawType),
      shape: [inShape.slice(1).reduce((a, b) => a * b, 1)],
      layout: `the ONNX input [${declared.join(', ')}] without its batch dimension, flattened in C order`,
      divisor,
      float: divisor === 1 ? `the raw ${typeName(rawType)} value itself` : `float32(raw / ${divisor})`,
    };
    let inputLayer = 'x';
    const qnnInput = 'x';
    const outputs = g.outputs();

    for (;;) {
      const n = this.next(cur);
      if (!n) break;
      const op = n.op_type ?? '';
      const custom = isCustomDomain(n.domain);
      const other = (n.input ?? []).filter((x, i) => x && !(x === cur && i === (n.input ?? []).indexOf(cur)));
      const outName = n.output![0];
      if (custom && op !== 'Quant' && op !== 'BipolarQuant' && op !== 'MultiThreshold') this.unsupported(n);
      if (!custom && (n.domain ?? '') !== '' && n.domain !== 'ai.onnx') this.unsupported(n);

      if (op === 'Reshape' || op === 'Flatten' || op === 'Squeeze' || op === 'Unsqueeze') {
        const shape = this.reshape(n, state.shape);
        if (state.kind === 'int' && state.chw) {
          if (!(shape.length === 2 && shape[0] === 1))
            throw new ImportError(`${n.op_type} '${n.name}': only a flatten of a spatial tensor is supported`);
          const spatial: Extract<State, { kind: 'int' }> = state;
          state = { ...spatial, shape, chw: undefined, flatFrom: spatial.chw };
          cur = outName;
          this.shapes.set(cur, shape);
          continue;
        }
        if (state.kind === 'acc' && state.mvau.conv)
          throw new ImportError(`${n.op_type} '${n.name}' of a convolution's accumulator is not supported (quantize it first)`);
        state = { ...state, shape } as State;
        if (state.kind === 'acc' || state.kind === 'float') state.nodes.push(n.name!);
      } else if (op === 'Identity' || op === 'Dropout') {
        // nothing: inference passes the value through
      } else if (op === 'Mul' || op === 'Div' || op === 'Add' || op === 'Sub') {
        if (other[0] === undefined || !this.constValue(other[0])) {
          throw new ImportError(
            `${op} '${n.name}' of two computed tensors (a residual or a branch) is not supported: the importer takes chains`,
          );
        }
        const k = this.constOf(n, other[0]);
        const first = (n.input ?? [])[0] === cur;
        const opn = op.toLowerCase() as 'mul' | 'div' | 'add' | 'sub';
        if (op === 'Div' && !first) throw new ImportError(`${n.name}: Div of a constant by the data is not supported (not monotone)`);
        const kind = op === 'Sub' && !first ? 'rsub' : opn;
        const perCh = this.broadcast(k, state.shape, n);
        if (state.kind === 'float') {
          if (perCh.some((v) => v !== perCh[0]))
            throw new ImportError(
              `${n.name}: ${op} by a per-element constant before the first quantizer is not supported (only one value for the whole input)`,
            );
          state.ops.push({ op: kind, k: perCh[0] });
          state.nodes.push(n.name!);
        } else if (state.kind === 'acc') {
          state.steps.push({ op: kind, k: perCh });
          state.nodes.push(n.name!);
          state.folded.push(`${n.name} (${op})`);
        } else if (op === 'Mul' || op === 'Div') {
          state.scale = state.scale.map((s, c) =>
            op === 'Mul' ? s * (perCh.length === 1 ? perCh[0] : perCh[c]) : s / (perCh.length === 1 ? perCh[0] : perCh[c]),
          );
        } else {
          throw new ImportError(`${n.name}: ${op} on a quantized tensor is a non-zero zero point, which is not supported`);
        }
      } else if (op === 'Relu') {
        if (state.kind === 'acc') {
          state.steps.push({ op: 'relu' });
          state.nodes.push(n.name!);
          state.folded.push(`${n.name} (Relu)`);
        } else if (state.kind === 'float') {
          state.ops.push({ op: 'relu', k: 0 });
          state.nodes.push(n.name!);
        } else if (state.type.kind !== 'uint') throw new ImportError(`${n.name}: Relu on a signed quantized tensor is not supported`);
      } else if (op === 'BatchNormalization') {
        if (state.kind !== 'acc') throw new ImportError(`${n.name}: BatchNormalization is supported after MatMul/Gemm only`);
        const C = state.mvau.mh;
        if (state.shape.length < 2 || state.shape[1] !== C)
          throw new ImportError(`${n.name}: BatchNormalization over axis 1 of [${state.shape.join(', ')}], not the ${C} channels`);
        const p = (i: number): number[] => Array.from(this.constOf(n, n.input![i]).data);
        state.steps.push({ op: 'bn', gamma: p(1), beta: p(2), mean: p(3), variance: p(4), eps: attrFloat(n, 'epsilon', 1e-5)! });
        state.nodes.push(n.name!);
        state.folded.push(`${n.name} (BatchNormalization)`);
      } else if (op === 'Conv') {
        if (state.kind !== 'int' || !state.chw) {
          throw new ImportError(
            `Conv '${n.name}': its input must be a quantized [1, C, H, W] tensor (a Quant, BipolarQuant or MultiThreshold in front of it)`,
          );
        }
        state = this.conv(n, state, cur);
      } else if (op === 'MaxPool') {
        if (state.kind !== 'int' || !state.chw)
          throw new ImportError(`MaxPool '${n.name}' is supported on a quantized [1, C, H, W] tensor only (after the quantizer)`);
        state = this.maxpool(n, state);
      } else if (op === 'MatMul' || op === 'Gemm') {
        if (state.kind !== 'int') {
          throw new ImportError(
            `${n.name}: ${op} on a ${state.kind === 'float' ? 'float input that no quantizer has turned into integers' : 'accumulator that no quantizer has requantized'}: a MatMul needs a Quant, BipolarQuant or MultiThreshold in front of it`,
          );
        }
        state = this.matmul(n, state, cur);
      } else if (op === 'Quant' || op === 'BipolarQuant' || op === 'MultiThreshold') {
        if (state.kind === 'int') throw new ImportError(`${n.name}: a ${op} of an already quantized tensor is not supported`);
        const q = this.levels(n, state.kind === 'acc' ? state.mvau.mh : 1);
        if (state.kind === 'float') {
          const r = this.inputQuantizer(n, state, q.fn, rawType, divisor);
          const act = activationOf(q.fn);
          if (r) {
            inputLayer = 'xq';
            inputInfo.quantizer = {
              layer: 'xq',
              nodes: [...state.nodes, n.name!],
              thresholds: r.thresholds,
              levels: q.fn.levels,
              level_offset: act.zero,
            };
            this.out.push({
              comment: [
                `${[...state.nodes, n.name].join(', ')}: the input quantizer (${inputInfo.float} through the model's own float32 ops)`,
              ],
              line: `layer xq = threshold(${qnnInput}, out=${typeName(act.type)}, thresholds=[${padThresholds(r.thresholds, act.count, r.never).join(', ')}])`,
            });
          }
          const chw = state.shape.length === 4 && state.shape[0] === 1 ? state.shape.slice(1) : undefined;
          if (chw) {
            inputInfo.shape = [chw[1], chw[2], chw[0]];
            inputInfo.layout = `channels-last [H, W, C]: the ONNX input [${declared.join(', ')}] (N, C, H, W) without its batch dimension, transposed to (H, W, C)`;
          } else if (state.shape.length > 2 && state.shape.slice(1, -1).some((d) => d !== 1)) {
            throw new ImportError(
              `${n.name}: a quantized input of shape [${state.shape.join(', ')}] is not supported ([1, K] or [1, C, H, W])`,
            );
          }
          const base: Omit<Extract<State, { kind: 'int' }>, 'type' | 'zero'> = {
            kind: 'int',
            shape: state.shape,
            scale: q.scale,
            layer: inputLayer,
            ...(chw ? { chw } : {}),
          };
          state = r ? { ...base, type: act.type, zero: act.zero } : { ...base, type: rawType, zero: 0 };
        } else {
          state = this.foldActivation(n, state, q);
        }
      } else if (op === 'TopK') {
        const k = this.constOf(n, n.input![1]).data[0];
        if (state.kind !== 'acc' || k !== 1)
          throw new ImportError(`${n.name}: TopK is supported only with k = 1 on the last layer's scores`);
        if (!tail) tail = { shape: state.shape, nodes: [] };
        argmax = true;
        tail.nodes.push(n.name!);
        cur = n.output![1];
        break;
      } else {
        this.unsupported(n);
      }
      cur = outName;
      this.shapes.set(cur, state.shape);
    }
    if (!outputs.includes(cur)) throw new ImportError(`the chain from '${inName}' ends at '${cur}', which is not a graph output`);
    if (state.kind !== 'acc' && state.kind !== 'int') throw new ImportError('the graph has no MatMul or Gemm layer');
    const lastLayer = state.kind === 'acc' ? state.mvau.name : state.layer;
    let scale: number[];
    let offset: number[];
    let accOffset: number[] | undefined;
    let outType: string;
    const outNodes = [...(state.kind === 'acc' ? state.nodes : []), ...(tail?.nodes ?? [])];
    if (state.kind === 'acc') {
      const d = state.mvau;
      this.emitDense(d);
      if (state.steps.some((s) => s.op === 'relu'))
        throw new ImportError(`a Relu after the last layer (${d.nodes[0]}) is not supported: the output is the accumulator`);
      // The mapping starts from the true accumulator: value + acc_offset[c] (integers, so that
      // an arg-max over classes sees exact ties).
      const steps = d.accOffset ? state.steps.slice(1) : state.steps;
      accOffset = d.accOffset;
      const f = (c: number, x: number): number => {
        let v = x;
        for (const s of steps) v = applyStep(s, c, v);
        return v;
      };
      scale = Array.from({ length: d.mh }, (_, c) => f(c, 1) - f(c, 0));
      offset = Array.from({ length: d.mh }, (_, c) => f(c, 0));
      if (scale.every((s) => s === scale[0]) && offset.every((o) => o === offset[0])) {
        scale = [scale[0]];
        offset = [offset[0]];
      }
      outType = 'the accumulator (iK)';
      if (state.nodes.length)
        this.out.push({ comment: [`Dropped (the host's float mapping, import.json output): ${outNodes.join(', ')}`], line: '' });
    } else {
      scale = state.scale;
      offset = state.scale.map((s) => s * state.zero);
      outType = typeName(state.type);
    }
    const target = this.targetLine();
    const layerLines = this.out.flatMap((e) => [...e.comment.map((c) => `  // ${c}`), ...(e.line ? [`  ${e.line}`] : [])]);
    const src = this.opts.sourceName ?? 'model.onnx';
    const qnn = [
      `// Imported by qnn import from ${src.replace(/^.*[\\/]/, '')} (${this.g.format()}, producer ${this.g.model.producer_name ?? '?'} ${this.g.model.producer_version ?? ''}).`.replace(
        / \)/,
        ')',
      ),
      `// Each layer names the ONNX nodes it came from; import.json holds the host's mapping of`,
      `// the input (raw ${typeName(rawType)} → ${inputInfo.float}) and of the output, and what was folded where.`,
      `network ${this.name} {`,
      `  ${target}`,
      ``,
      `  // ONNX input '${inName}' [${declared.join(', ')}]: raw ${typeName(rawType)} values, ${inputInfo.shape.length > 1 ? 'channels-last' : 'flattened in C order'}`,
      `  input ${qnnInput}: ${typeName(rawType)}[${inputInfo.shape.join(', ')}]`,
      ``,
      ...layerLines,
      ``,
      `  output ${lastLayer}`,
      `}`,
      ``,
    ].join('\n');
    const info: ImportInfo = {
      source: {
        file: src.replace(/^.*[\\/]/, ''),
        format: this.g.format(),
        producer: `${this.g.model.producer_name ?? ''} ${this.g.model.producer_version ?? ''}`.trim(),
        ir_version: Number(this.g.model.ir_version ?? 0),
        opset: (this.g.model.opset_import ?? []).map((o) => `${o.domain || 'ai.onnx'}:${o.version}`),
        custom_domains: [...new Set(this.g.nodes.filter((n) => isCustomDomain(n.domain)).map((n) => n.domain!))],
      },
      network: this.name,
      qnn: `${this.name}.qnn`,
      input: inputInfo,
      output: {
        onnx_name: cur,
        layer: lastLayer,
        type: outType,
        shape:
          state.kind === 'acc'
            ? state.mvau.conv
              ? [state.mvau.conv.outChw[1], state.mvau.conv.outChw[2], state.mvau.mh]
              : [state.mvau.mh]
            : state.chw
              ? [state.chw[1], state.chw[2], state.chw[0]]
              : [state.shape.slice(1).reduce((a, b) => a * b, 1)],
        float:
          (accOffset ? '(value + acc_offset[c]) · scale[c] + offset[c]' : 'value · scale[c] + offset[c]') +
          ' (one entry: every channel)' +
          (argmax ? '; the class is the index of the largest (TopK k=1 dropped)' : ''),
        scale,
        offset,
        ...(accOffset ? { acc_offset: accOffset } : {}),
        argmax,
        nodes: outNodes,
      },
      layers: this.layersInfo,
    };
    return { name: this.name, qnnFile: `${this.name}.qnn`, qnn, files: this.files, info };
  }

  private defaultDivisor(inName: string): number {
    if (/^U?INT\d+$/.test(this.g.datatypes.get(inName) ?? '')) return 1;
    const first = this.next(inName);
    if (first && first.op_type === 'Div' && first.input?.[0] === inName) {
      const k = this.g.consts.get(first.input[1]);
      if (k && k.data.length === 1 && k.data[0] === 255) return 1;
    }
    return 255;
  }

  private targetLine(): string {
    const t = this.opts.target ?? 'xc7z020@100MHz';
    const m = /^\s*([A-Za-z0-9_-]+)\s*@\s*([0-9.]+)\s*(Hz|kHz|MHz|GHz)?\s*$/.exec(t);
    if (!m) throw new ImportError(`--target '${t}': give DEVICE@CLOCK, e.g. xc7z020@100MHz`);
    const fps = this.opts.fps;
    if (fps !== undefined && !/^[0-9]+(\.[0-9]+)?[kMG]?$/.test(fps))
      throw new ImportError(`--fps '${fps}': give a number such as 20k or 1.5M`);
    return `target ${m[1]} @ ${m[2]} ${m[3] ?? 'MHz'}${fps !== undefined ? `, fps >= ${fps}` : ''}`;
  }

  private unsupported(n: NodeProto): never {
    const dom = n.domain ? ` (domain ${n.domain})` : '';
    throw new ImportError(`${n.op_type}${dom} at node '${n.name}' is not supported. The importer takes chains of: ${SUPPORTED}`);
  }

  /** The one node that continues the chain from tensor t (Shape nodes are glue, evaluated as constants). */
  private next(t: string): NodeProto | undefined {
    const cs = (this.g.consumers.get(t) ?? []).filter((n) => n.op_type !== 'Shape');
    if (cs.length > 1) {
      throw new ImportError(
        `tensor '${t}' feeds ${cs.map((n) => `${n.op_type} '${n.name}'`).join(' and ')}: the importer takes chains (no branches or residual Add)`,
      );
    }
    return cs[0];
  }

  // ---- constants -------------------------------------------------------------------

  private constOf(n: NodeProto, name: string | undefined): ConstTensor {
    const v = name ? this.constValue(name) : undefined;
    if (!v)
      throw new ImportError(`${n.op_type} '${n.name}': input '${name}' is not a constant; only constant operands are supported there`);
    return v;
  }

  /** Evaluates the glue: a tensor computable from initializers, Constant nodes and known shapes. */
  private constValue(name: string): ConstTensor | undefined {
    const known = this.g.consts.get(name);
    if (known) return known;
    const n = this.g.producer.get(name);
    if (!n || isCustomDomain(n.domain)) return undefined;
    const ins = (n.input ?? []).map((x) => (x ? this.constValue(x) : undefined));
    const op = n.op_type;
    let r: ConstTensor | undefined;
    if (op === 'Shape') {
      const s = this.shapes.get(n.input![0]);
      if (s) r = { dims: [s.length], data: Float64Array.from(s), dtype: 7 };
    } else if (ins.some((x) => x === undefined) && !(op === 'Unsqueeze' || op === 'Squeeze')) {
      return undefined;
    } else if (op === 'Gather') {
      const [d, i] = ins as ConstTensor[];
      if (d.dims.length === 1) {
        const idx = Array.from(i.data, (v) => (v < 0 ? v + d.data.length : v));
        r = { dims: i.dims, data: Float64Array.from(idx, (k) => d.data[k]), dtype: d.dtype };
      }
    } else if (op === 'Unsqueeze' || op === 'Squeeze') {
      const d = ins[0];
      if (!d) return undefined;
      const axes = attrInts(n, 'axes') ?? (ins[1] ? Array.from(ins[1].data) : []);
      let dims = [...d.dims];
      if (op === 'Unsqueeze') for (const a of [...axes].sort((x, y) => x - y)) dims.splice(a < 0 ? a + dims.length + 1 : a, 0, 1);
      else dims = dims.filter((v, i) => !(axes.length ? axes.map((a) => (a < 0 ? a + d.dims.length : a)).includes(i) : v === 1));
      r = { dims, data: d.data, dtype: d.dtype };
    } else if (op === 'Concat') {
      const parts = ins as ConstTensor[];
      if (parts.every((p) => p.dims.length === 1)) {
        const data = Float64Array.from(parts.flatMap((p) => Array.from(p.data)));
        r = { dims: [data.length], data, dtype: parts[0].dtype };
      }
    } else if (op === 'Cast' || op === 'Identity') {
      r = ins[0];
    } else if (op === 'Reshape') {
      const d = ins[0]!;
      r = { dims: resolveShape(Array.from(ins[1]!.data), d.dims), data: d.data, dtype: d.dtype };
    } else if (op === 'Transpose') {
      r = transpose(ins[0]!, attrInts(n, 'perm'));
    } else if (['Mul', 'Div', 'Add', 'Sub', 'Pow'].includes(op ?? '')) {
      const [a, b] = ins as ConstTensor[];
      if (a.data.length === 1 || b.data.length === 1 || a.data.length === b.data.length) {
        const len = Math.max(a.data.length, b.data.length);
        const A = (i: number): number => a.data[a.data.length === 1 ? 0 : i];
        const B = (i: number): number => b.data[b.data.length === 1 ? 0 : i];
        const fl = a.dtype === 1 || b.dtype === 1;
        const fn = {
          Mul: (x: number, y: number) => x * y,
          Div: (x: number, y: number) => x / y,
          Add: (x: number, y: number) => x + y,
          Sub: (x: number, y: number) => x - y,
          Pow: (x: number, y: number) => x ** y,
        }[op as 'Mul'];
        const data = Float64Array.from({ length: len }, (_, i) => (fl ? f32(fn(A(i), B(i))) : fn(A(i), B(i))));
        r = { dims: a.data.length >= b.data.length ? a.dims : b.dims, data, dtype: a.dtype };
      }
    } else if (op === 'Sqrt' || op === 'Reciprocal' || op === 'Neg') {
      const d = ins[0]!;
      const fn = op === 'Sqrt' ? Math.sqrt : op === 'Neg' ? (x: number) => -x : (x: number) => 1 / x;
      r = { dims: d.dims, data: Float64Array.from(d.data, (x) => f32(fn(x))), dtype: d.dtype };
    }
    if (r) this.g.consts.set(name, r);
    return r;
  }

  /** The constant broadcast against a tensor of `shape` whose non-1 dims are its channels: one value per element, or one. */
  private broadcast(k: ConstTensor, shape: number[], n: NodeProto): number[] {
    if (k.data.length === 1) return [k.data[0]];
    // Right-aligned as numpy broadcasts: one value per channel (axis 1) ...
    const kd = [...Array<number>(Math.max(0, shape.length - k.dims.length)).fill(1), ...k.dims];
    if (kd.length === shape.length && kd.every((d, i) => (i === 1 ? d === shape[1] : d === 1))) return Array.from(k.data);
    // ... or a flat [1, C] tensor matched by its non-1 dims.
    const total = shape.reduce((a, b) => a * b, 1);
    if (k.data.length === total && shape.length <= 3) {
      const kn = k.dims.filter((d) => d !== 1);
      const sd = shape.filter((d) => d !== 1);
      if (kn.length === sd.length && kn.every((d, i) => d === sd[i])) return Array.from(k.data);
    }
    throw new ImportError(
      `${n.op_type} '${n.name}': a constant of shape [${k.dims.join(', ')}] against [${shape.join(', ')}] is not supported (one value, or one per channel)`,
    );
  }

  private reshape(n: NodeProto, shape: number[]): number[] {
    const op = n.op_type;
    if (op === 'Flatten') {
      const axis = attrInt(n, 'axis', 1)!;
      const a = axis < 0 ? axis + shape.length : axis;
      return [shape.slice(0, a).reduce((x, y) => x * y, 1), shape.slice(a).reduce((x, y) => x * y, 1)];
    }
    if (op === 'Reshape') return resolveShape(Array.from(this.constOf(n, n.input![1]).data), shape);
    const axes = attrInts(n, 'axes') ?? (n.input?.[1] ? Array.from(this.constOf(n, n.input[1]).data) : []);
    const dims = [...shape];
    if (op === 'Unsqueeze') {
      for (const a of [...axes].sort((x, y) => x - y)) dims.splice(a < 0 ? a + dims.length + 1 : a, 0, 1);
      return dims;
    }
    const norm = axes.map((a) => (a < 0 ? a + shape.length : a));
    return dims.filter((v, i) => !(norm.length ? norm.includes(i) : v === 1));
  }

  // ---- weights ---------------------------------------------------------------------

  /** Integer weights and their scales: an initializer through Quant/BipolarQuant and Transpose. */
  private weights(name: string, via: NodeProto): WeightTensor {
    const n = this.g.producer.get(name);
    const c = this.g.consts.get(name);
    if (c) {
      const ints = c.data;
      const annot = this.g.datatypes.get(name);
      if (!ints.every((v) => Number.isInteger(v))) {
        throw new ImportError(
          `${via.op_type} '${via.name}': weights '${name}' are floats with no Quant/BipolarQuant in front of them (not a quantized layer)`,
        );
      }
      let type: QType;
      if (annot === 'BIPOLAR' || ints.every((v) => v === 1 || v === -1)) type = { kind: 'bipolar' };
      else {
        let lo = 0;
        let hi = 0;
        for (const v of ints) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        type = typeFor(lo, hi);
      }
      return { dims: c.dims, ints, scales: new Float64Array(ints.length).fill(1), type, nodes: [] };
    }
    if (!n) throw new ImportError(`${via.op_type} '${via.name}': weights '${name}' are not constant`);
    if (n.op_type === 'Transpose') {
      const w = this.weights(n.input![0], via);
      const perm = attrInts(n, 'perm');
      const ti = transpose({ dims: w.dims, data: w.ints, dtype: 1 }, perm);
      const ts = transpose({ dims: w.dims, data: w.scales, dtype: 1 }, perm);
      return { ...w, dims: ti.dims, ints: ti.data, scales: ts.data, nodes: [...w.nodes, n.name!] };
    }
    if (isCustomDomain(n.domain) && (n.op_type === 'Quant' || n.op_type === 'BipolarQuant')) {
      const w = this.constValue(n.input![0]);
      if (!w) throw new ImportError(`${n.op_type} '${n.name}': the weights it quantizes are not constant`);
      const s = this.constOf(n, n.input![1]);
      const sc = broadcastTo(s, w.dims, n);
      let ints: Float64Array;
      let type: QType;
      if (n.op_type === 'BipolarQuant') {
        ints = Float64Array.from(w.data, (v) => (v >= 0 ? 1 : -1));
        type = { kind: 'bipolar' };
      } else {
        const q = this.quantAttrs(n);
        const [lo, hi] = quantRange(q.bits, q.signed, q.narrow);
        ints = Float64Array.from(w.data, (v, i) => Math.min(hi, Math.max(lo, roundBy(q.rounding, f32(v / sc[i])))));
        type = q.signed ? { kind: 'int', bits: Math.max(2, q.bits) } : { kind: 'uint', bits: q.bits };
      }
      return { dims: w.dims, ints, scales: sc, type, nodes: [n.name!] };
    }
    throw new ImportError(
      `${via.op_type} '${via.name}': weights come from ${n.op_type} '${n.name}', which is not supported (an initializer through Quant/BipolarQuant and Transpose)`,
    );
  }

  private quantAttrs(n: NodeProto): { bits: number; signed: boolean; narrow: boolean; rounding: Rounding } {
    const zp = this.constOf(n, n.input![2]);
    if (zp.data.some((v) => v !== 0)) throw new ImportError(`Quant '${n.name}': zero point ${zp.data[0]} is not supported (only 0)`);
    const bits = this.constOf(n, n.input![3]).data;
    if (bits.length !== 1 || !Number.isInteger(bits[0]) || bits[0] < 1 || bits[0] > 16)
      throw new ImportError(`Quant '${n.name}': bit width ${bits[0]} is not supported (an integer 1..16)`);
    const rounding = (attrString(n, 'rounding_mode', 'ROUND') ?? 'ROUND').toUpperCase();
    const modes: readonly Rounding[] = ROUNDINGS;
    if (!modes.includes(rounding as Rounding))
      throw new ImportError(`Quant '${n.name}': rounding_mode ${rounding} is not supported (${modes.join(', ')})`);
    return { bits: bits[0], signed: attrInt(n, 'signed', 1) === 1, narrow: attrInt(n, 'narrow', 0) === 1, rounding: rounding as Rounding };
  }

  // ---- layers ----------------------------------------------------------------------

  private matmul(n: NodeProto, st: Extract<State, { kind: 'int' }>, cur: string): State {
    const ins = n.input ?? [];
    if (ins[0] !== cur) throw new ImportError(`${n.op_type} '${n.name}': the data must be the first operand`);
    const mw = st.shape.reduce((a, b) => a * b, 1);
    if (st.shape[0] !== 1 || st.shape.length !== 2)
      throw new ImportError(
        `${n.op_type} '${n.name}': input of shape [${st.shape.join(', ')}]; only [1, K] (a flattened vector) is supported`,
      );
    if (st.scale.some((s) => s !== st.scale[0]))
      throw new ImportError(`${n.op_type} '${n.name}': its input has a scale per channel, which cannot leave the sum`);
    let w = this.weights(ins[1], n);
    if (n.op_type === 'Gemm') {
      if ((attrInt(n, 'transA', 0) ?? 0) !== 0) throw new ImportError(`Gemm '${n.name}': transA=1 is not supported`);
      if (attrInt(n, 'transB', 0) === 1) {
        const ti = transpose({ dims: w.dims, data: w.ints, dtype: 1 }, [1, 0]);
        const ts = transpose({ dims: w.dims, data: w.scales, dtype: 1 }, [1, 0]);
        w = { ...w, dims: ti.dims, ints: ti.data, scales: ts.data };
      }
    }
    if (w.dims.length !== 2 || w.dims[0] !== mw)
      throw new ImportError(`${n.op_type} '${n.name}': weights [${w.dims.join(', ')}] against an input of ${mw}`);
    const mh = w.dims[1];
    // [K, N] → the language's [out, in]; one real scale per output column.
    const matrix = new Float64Array(mh * mw);
    const scale: number[] = [];
    // A flattened spatial input: ONNX flattens (C, H, W), the .qnn's dense flattens (H, W, C).
    const [fc, fh, fw] = st.flatFrom ?? [1, 1, mw];
    const col = (j: number): number => {
      const c = Math.floor(j / (fh * fw));
      const hw = j % (fh * fw);
      return hw * fc + c;
    };
    for (let r = 0; r < mh; r++) {
      const s = w.scales[r];
      for (let j = 0; j < mw; j++) {
        matrix[r * mw + col(j)] = w.ints[j * mh + r];
        if (w.scales[j * mh + r] !== s)
          throw new ImportError(
            `${n.op_type} '${n.name}': the weight scale varies along the input dimension (per-input-channel scales are not supported)`,
          );
      }
      scale.push(s * st.scale[0]);
    }
    if (this.dense) this.emitDense(this.dense);
    const name = `fc${this.denseCount++}`;
    const d: Dense = {
      name,
      input: st.layer,
      inType: st.type,
      mh,
      mw,
      matrix,
      type: w.type,
      scale,
      nodes: [n.name!, ...w.nodes.reverse()],
      negated: [],
    };
    this.dense = d;
    const steps: Step[] = [];
    const folded: string[] = [];
    if (st.zero !== 0) {
      // Σ w·(x + z) = acc + z·Σ w: the producer's level offset, exactly, per row.
      const rowSums = Array.from({ length: mh }, (_, r) => matrix.subarray(r * mw, (r + 1) * mw).reduce((a, b) => a + b, 0));
      d.accOffset = rowSums.map((v) => v * st.zero);
      steps.push({ op: 'add', k: d.accOffset });
      folded.push(`the level offset ${st.zero} of ${st.layer} (× row sums)`);
    }
    steps.push({ op: 'mul', k: scale.every((s) => s === scale[0]) ? [scale[0]] : scale });
    folded.push(`the scales of ${d.nodes.join(', ')} (input × weight)`);
    if (n.op_type === 'Gemm') {
      const alpha = attrFloat(n, 'alpha', 1)!;
      const beta = attrFloat(n, 'beta', 1)!;
      if (alpha !== 1) steps.push({ op: 'mul', k: [alpha] });
      if (ins[2]) {
        const b = this.constOf(n, ins[2]);
        steps.push({ op: 'add', k: Array.from(b.data, (v) => v * beta) });
        folded.push(`the bias of ${n.name}`);
      }
    }
    return { kind: 'acc', shape: [1, mh], mvau: d, steps, nodes: [], folded };
  }

  private levels(n: NodeProto, channels: number): { fn: LevelFn; scale: number[] } {
    if (n.op_type === 'BipolarQuant') {
      const s = this.constOf(n, n.input![1]);
      return { fn: bipolarLevels(), scale: Array.from(s.data) };
    }
    if (n.op_type === 'Quant') {
      const q = this.quantAttrs(n);
      const s = Array.from(this.constOf(n, n.input![1]).data);
      if (s.length !== 1 && s.length !== channels) throw new ImportError(`Quant '${n.name}': ${s.length} scales for ${channels} channels`);
      return { fn: quantLevels(s, q.bits, q.signed, q.narrow, q.rounding), scale: s };
    }
    // MultiThreshold: y = out_scale · Σ[x ≥ T] + out_bias.
    const t = this.constOf(n, n.input![1]);
    if (t.dims.length !== 2 || (t.dims[0] !== 1 && t.dims[0] !== channels))
      throw new ImportError(`MultiThreshold '${n.name}': thresholds [${t.dims.join(', ')}] for ${channels} channels`);
    const rows = Array.from({ length: t.dims[0] }, (_, r) => Array.from(t.data.slice(r * t.dims[1], (r + 1) * t.dims[1])));
    const outScale = attrFloat(n, 'out_scale', 1)!;
    const outBias = attrFloat(n, 'out_bias', 0)!;
    const dtype = attrString(n, 'out_dtype', '') ?? '';
    if (dtype === 'BIPOLAR') {
      if (t.dims[1] !== 1) throw new ImportError(`MultiThreshold '${n.name}': BIPOLAR with ${t.dims[1]} thresholds`);
      return { fn: multiThresholdLevels(rows, 0, true), scale: [outScale / 2] };
    }
    const bias = outBias / outScale;
    if (!Number.isInteger(bias))
      throw new ImportError(`MultiThreshold '${n.name}': out_bias ${outBias} is not a multiple of out_scale ${outScale}`);
    return { fn: multiThresholdLevels(rows, bias, false), scale: [outScale] };
  }

  /** The first quantizer on the float input: its level for every raw value, in float32 as onnxruntime computes it. */
  private inputQuantizer(
    n: NodeProto,
    st: Extract<State, { kind: 'float' }>,
    q: LevelFn,
    raw: QType,
    divisor: number,
  ): { thresholds: number[]; never: number } | undefined {
    if (raw.kind === 'bipolar' || raw.kind === 'pow2') throw new ImportError(`the raw input type must be uN or iN`);
    const lo = raw.kind === 'uint' ? 0 : -(2 ** (raw.bits - 1));
    const hi = raw.kind === 'uint' ? 2 ** raw.bits - 1 : 2 ** (raw.bits - 1) - 1;
    if (n.op_type === 'Quant') {
      const s = this.constOf(n, n.input![1]).data;
      if (s.length !== 1) throw new ImportError(`Quant '${n.name}' on the input: one scale per element is not supported`);
    }
    if (n.op_type === 'MultiThreshold' && this.constOf(n, n.input![1]).dims[0] !== 1) {
      throw new ImportError(`MultiThreshold '${n.name}' on the input: one threshold list per channel is not supported`);
    }
    const f32q = float32Quantizer(n, this);
    const levels: number[] = [];
    for (let v = lo; v <= hi; v++) {
      let x = divisor === 1 ? v : f32(v / divisor);
      for (const o of st.ops) x = f32(o.op === 'relu' ? Math.max(0, x) : applyStep({ op: o.op, k: [o.k] }, 0, x));
      levels.push(f32q(x));
    }
    if (levels.some((l, i) => i > 0 && l < levels[i - 1]))
      throw new ImportError(`${n.op_type} '${n.name}': the input quantizer does not grow with the raw input`);
    if (levels.every((l, i) => l === lo + i) && q.type.kind !== 'bipolar') return undefined;
    const thresholds = q.levels.slice(1).map((want) => {
      const i = levels.findIndex((l) => l >= want);
      return i < 0 ? hi + 1 : lo + i;
    });
    return { thresholds, never: hi + 1 };
  }

  private foldActivation(n: NodeProto, st: Extract<State, { kind: 'acc' }>, q: { fn: LevelFn; scale: number[] }): State {
    const d = st.mvau;
    const { lo, hi } = rowBounds(d.matrix, d.mh, d.mw, d.inType);
    const rows: number[][] = [];
    const constants: { channel: number; level: number }[] = [];
    for (let c = 0; c < d.mh; c++) {
      const f = foldChannel(st.steps, q.fn, c, lo[c], hi[c]);
      if (f.negated) {
        d.negated.push(c);
        for (let j = 0; j < d.mw; j++) d.matrix[c * d.mw + j] = -d.matrix[c * d.mw + j];
      }
      if (f.constant !== undefined) constants.push({ channel: c, level: f.constant });
      rows.push(f.thresholds);
    }
    this.emitDense(d);
    this.dense = undefined;
    const aName = d.conv ? `r${d.name.slice(1)}` : `a${d.name.slice(2)}`;
    const file = `weights/${aName}.npy`;
    const act = activationOf(q.fn);
    const padded = rows.map((r, c) => padThresholds(r, act.count, hi[c] + 1));
    const flat = padded.flat();
    this.files.push({ path: file, bytes: writeNpy({ shape: [d.mh, act.count], dtype: npyInt(flat), data: flat }) });
    const nodes = [...st.nodes, n.name!];
    const comment = [`${nodes.join(', ')} → integer thresholds on ${d.name}'s accumulator`];
    if (d.negated.length)
      comment.push(`${d.negated.length} channel(s) decrease (γ < 0 or a negative scale): their rows of ${d.name} are negated`);
    if (constants.length) comment.push(`constant channel(s) (γ ≈ 0): ${constants.map((c) => c.channel).join(', ')}`);
    if (act.zero !== 0)
      comment.push(
        `levels ${q.fn.levels[0]}…${q.fn.levels[q.fn.levels.length - 1]} as counts 0…${q.fn.levels.length - 1}: the next layer adds ${act.zero} · its row sums`,
      );
    this.out.push({
      comment,
      line: `layer ${aName} = threshold(${d.name}, out=${typeName(act.type)}, thresholds=thresholds("${file}"))`,
    });
    this.layersInfo.push({
      layer: aName,
      op: 'threshold',
      nodes,
      file,
      type: typeName(act.type),
      scale: q.scale,
      ...(act.zero !== 0 ? { level_offset: act.zero } : {}),
      ...(d.negated.length ? { negated_rows: [...d.negated] } : {}),
      ...(constants.length ? { constant_channels: constants } : {}),
      folded: [...st.folded, `${n.name} (${n.op_type})`],
    });
    return {
      kind: 'int',
      shape: d.conv ? [1, ...d.conv.outChw] : [1, d.mh],
      type: act.type,
      scale: q.scale,
      layer: aName,
      zero: act.zero,
      ...(d.conv ? { chw: d.conv.outChw } : {}),
    };
  }

  private conv(n: NodeProto, st: Extract<State, { kind: 'int' }>, cur: string): State {
    const ins = n.input ?? [];
    if (ins[0] !== cur) throw new ImportError(`Conv '${n.name}': the data must be the first operand`);
    const [C, H, W] = st.chw!;
    const w = this.weights(ins[1], n);
    if (w.dims.length !== 4 || w.dims[1] !== C || w.dims[2] !== w.dims[3]) {
      throw new ImportError(
        `Conv '${n.name}': weights [${w.dims.join(', ')}] on ${C} channels; only square 2-D kernels [Cout, ${C}, k, k] are supported`,
      );
    }
    const [mh, , k] = w.dims;
    const group = attrInt(n, 'group', 1)!;
    const dil = attrInts(n, 'dilations') ?? [1, 1];
    const strides = attrInts(n, 'strides') ?? [1, 1];
    const autoPad = attrString(n, 'auto_pad', 'NOTSET')!;
    let pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      if (k % 2 !== 1 || strides.some((v) => v !== 1))
        throw new ImportError(`Conv '${n.name}': ${autoPad} needs an odd kernel and stride 1`);
      pads = [0, 0, 0, 0].map(() => (k - 1) / 2);
    } else if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new ImportError(`Conv '${n.name}': auto_pad ${autoPad} is not supported`);
    if (group !== 1) throw new ImportError(`Conv '${n.name}': group=${group} (depthwise or grouped) is not supported, only group 1`);
    if (dil.some((v) => v !== 1)) throw new ImportError(`Conv '${n.name}': dilations are not supported`);
    if (strides[0] !== strides[1]) throw new ImportError(`Conv '${n.name}': strides [${strides.join(', ')}] must be equal`);
    if (pads.some((p) => p !== pads[0]))
      throw new ImportError(`Conv '${n.name}': pads [${pads.join(', ')}] must be the same on every side`);
    const pad = pads[0];
    if (pad > 0 && (st.type.kind === 'bipolar' || st.zero !== 0)) {
      throw new ImportError(
        `Conv '${n.name}': zero padding of ${st.type.kind === 'bipolar' ? 'a bipolar' : 'a signed or narrow'} activation has no integer 0 to pad with`,
      );
    }
    if (st.scale.some((s) => s !== st.scale[0]))
      throw new ImportError(`Conv '${n.name}': its input has a scale per channel, which cannot leave the sum`);
    const mw = C * k * k;
    const scale: number[] = [];
    for (let r = 0; r < mh; r++) {
      for (let j = 0; j < mw; j++) {
        if (w.scales[r * mw + j] !== w.scales[r * mw])
          throw new ImportError(`Conv '${n.name}': the weight scale varies within a filter (only one per output channel)`);
      }
      scale.push(w.scales[r * mw] * st.scale[0]);
    }
    const s = strides[0];
    const outChw = [mh, Math.floor((H + 2 * pad - k) / s) + 1, Math.floor((W + 2 * pad - k) / s) + 1];
    if (this.dense) this.emitDense(this.dense);
    const d: Dense = {
      name: `c${this.convCount++}`,
      input: st.layer,
      inType: st.type,
      mh,
      mw,
      matrix: Float64Array.from(w.ints),
      type: w.type,
      scale,
      nodes: [n.name!, ...w.nodes.reverse()],
      negated: [],
      conv: { cin: C, k, stride: s, pad, outChw },
    };
    this.dense = d;
    const steps: Step[] = [];
    const folded: string[] = [];
    if (st.zero !== 0) {
      d.accOffset = Array.from({ length: mh }, (_, r) => d.matrix.subarray(r * mw, (r + 1) * mw).reduce((a, b) => a + b, 0) * st.zero);
      steps.push({ op: 'add', k: d.accOffset });
      folded.push(`the level offset ${st.zero} of ${st.layer} (× filter sums)`);
    }
    steps.push({ op: 'mul', k: scale.every((v) => v === scale[0]) ? [scale[0]] : scale });
    folded.push(`the scales of ${d.nodes.join(', ')} (input × weight)`);
    if (ins[2]) {
      steps.push({ op: 'add', k: Array.from(this.constOf(n, ins[2]).data) });
      folded.push(`the bias of ${n.name}`);
    }
    return { kind: 'acc', shape: [1, ...outChw], mvau: d, steps, nodes: [], folded };
  }

  private maxpool(n: NodeProto, st: Extract<State, { kind: 'int' }>): State {
    const [C, H, W] = st.chw!;
    const ks = attrInts(n, 'kernel_shape') ?? [];
    const strides = attrInts(n, 'strides') ?? ks;
    const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
    if (ks.length !== 2 || ks[0] !== ks[1] || strides[0] !== strides[1])
      throw new ImportError(`MaxPool '${n.name}': only square 2-D windows with equal strides are supported`);
    if (pads.some((p) => p !== 0) || (attrInt(n, 'ceil_mode', 0) ?? 0) !== 0 || (attrInts(n, 'dilations') ?? [1, 1]).some((v) => v !== 1)) {
      throw new ImportError(`MaxPool '${n.name}': padding, ceil_mode and dilations are not supported`);
    }
    const [k, s] = [ks[0], strides[0]];
    const name = `p${this.poolCount++}`;
    this.out.push({
      comment: [`${n.name}: ${k}×${k} max-pool`],
      line: `layer ${name} = maxpool(${st.layer}, kernel=${k}${s !== k ? `, stride=${s}` : ''})`,
    });
    this.layersInfo.push({ layer: name, op: 'maxpool', nodes: [n.name!] });
    const chw = [C, Math.floor((H - k) / s) + 1, Math.floor((W - k) / s) + 1];
    // max commutes with the level offset (count + z): the values stay counts.
    return { ...st, shape: [1, ...chw], chw, layer: name };
  }

  private emitDense(d: Dense): void {
    if ((d as Dense & { emitted?: boolean }).emitted) return;
    (d as Dense & { emitted?: boolean }).emitted = true;
    const values = Array.from(d.matrix);
    let type = d.type;
    if (!values.every((v) => fitsType(v, type))) {
      let lo = 0;
      let hi = 0;
      for (const v of values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      type = typeFor(Math.min(lo, -1), hi);
    }
    const file = `weights/${d.name}.npy`;
    const cv = d.conv;
    const dims = cv ? [d.mh, cv.cin, cv.k, cv.k] : [d.mh, d.mw];
    this.files.push({ path: file, bytes: writeNpy({ shape: dims, dtype: npyInt(values), data: values }) });
    this.out.push(
      cv
        ? {
            comment: [`${d.nodes.join(', ')}: ${cv.k}×${cv.k} conv, ${cv.cin} → ${d.mh} channels, ${typeName(type)} weights`],
            line: `layer ${d.name} = conv2d(${d.input}, filters=${d.mh}, kernel=${cv.k}${cv.stride !== 1 ? `, stride=${cv.stride}` : ''}${cv.pad ? `, pad=${cv.pad}` : ''}, weights=${typeName(type)}("${file}"))`,
          }
        : {
            comment: [`${d.nodes.join(', ')}: ${d.mw} → ${d.mh}, ${typeName(type)} weights`],
            line: `layer ${d.name} = dense(${d.input}, units=${d.mh}, weights=${typeName(type)}("${file}"))`,
          },
    );
    this.layersInfo.push({
      layer: d.name,
      op: cv ? 'conv2d' : 'dense',
      nodes: d.nodes,
      file,
      type: typeName(type),
      scale: d.scale.every((s) => s === d.scale[0]) ? [d.scale[0]] : d.scale,
      // Rows negated by the activation's fold (emitted after it, so the file holds them negated).
      ...(d.negated.length ? { negated_rows: [...d.negated] } : {}),
    });
  }

  /** Used by float32Quantizer. */
  constantOf(n: NodeProto, name: string | undefined): ConstTensor {
    return this.constOf(n, name);
  }

  quantAttributes(n: NodeProto): ReturnType<Importer['quantAttrs']> {
    return this.quantAttrs(n);
  }
}

function applyStep(s: Step, c: number, v: number): number {
  const k = 'k' in s ? (s.k.length === 1 ? s.k[0] : s.k[c]) : 0;
  switch (s.op) {
    case 'mul':
      return v * k;
    case 'div':
      return v / k;
    case 'add':
      return v + k;
    case 'sub':
      return v - k;
    case 'rsub':
      return k - v;
    case 'relu':
      return Math.max(0, v);
    case 'bn': {
      const p = (a: number[]): number => (a.length === 1 ? a[0] : a[c]);
      return ((v - p(s.mean)) / Math.sqrt(p(s.variance) + s.eps)) * p(s.gamma) + p(s.beta);
    }
  }
}

/** A quantizer's integer level of a float32 value, computed in float32 like onnxruntime does. */
function float32Quantizer(n: NodeProto, imp: Importer): (x: number) => number {
  if (n.op_type === 'BipolarQuant') return (x) => (x >= 0 ? 1 : -1);
  if (n.op_type === 'Quant') {
    const s = imp.constantOf(n, n.input![1]).data[0];
    const q = imp.quantAttributes(n);
    const [lo, hi] = quantRange(q.bits, q.signed, q.narrow);
    return (x) => Math.min(hi, Math.max(lo, roundBy(q.rounding, f32(x / s))));
  }
  const t = Array.from(imp.constantOf(n, n.input![1]).data);
  const outScale = attrFloat(n, 'out_scale', 1)!;
  const outBias = attrFloat(n, 'out_bias', 0)!;
  const bipolar = attrString(n, 'out_dtype', '') === 'BIPOLAR';
  return (x) => {
    let k = 0;
    for (const v of t) if (x >= v) k++;
    return bipolar ? (k > 0 ? 1 : -1) : k + outBias / outScale;
  };
}

/**
 * How a quantizer's levels are carried: bipolar as bipolar; otherwise as the count of
 * thresholds passed (uB with 2^B − 1 thresholds, padded with ones that are never reached)
 * and the first level as an offset that the next layer folds in (signed and narrow levels).
 */
function activationOf(q: LevelFn): { type: QType; count: number; zero: number } {
  if (q.type.kind === 'bipolar') return { type: q.type, count: 1, zero: 0 };
  const k = q.levels.length - 1;
  let b = 1;
  while (2 ** b - 1 < k) b++;
  return { type: { kind: 'uint', bits: b }, count: 2 ** b - 1, zero: q.levels[0] };
}

function padThresholds(ts: number[], count: number, never: number): number[] {
  return [...ts, ...Array<number>(count - ts.length).fill(never)];
}

function npyInt(values: readonly number[]): 'int8' | 'int16' | 'int32' {
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

function resolveShape(spec: number[], from: number[]): number[] {
  const total = from.reduce((a, b) => a * b, 1);
  const dims = spec.map((d, i) => (d === 0 ? from[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? total / known : d));
}

function transpose(t: ConstTensor, perm: number[] | undefined): ConstTensor {
  const nd = t.dims.length;
  const p = perm ?? [...Array(nd).keys()].reverse();
  const dims = p.map((i) => t.dims[i]);
  const strides = t.dims.map((_, i) => t.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float64Array(t.data.length);
  const idx = new Array<number>(nd).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < nd; k++) src += idx[k] * strides[p[k]];
    out[o] = t.data[src];
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return { dims, data: out, dtype: t.dtype };
}

/** A scale broadcast (numpy rules) to a weight tensor's dims. */
function broadcastTo(s: ConstTensor, dims: number[], n: NodeProto): Float64Array {
  const total = dims.reduce((a, b) => a * b, 1);
  if (s.data.length === 1) return new Float64Array(total).fill(s.data[0]);
  const sd = [...Array(dims.length - s.dims.length).fill(1), ...s.dims];
  if (!sd.every((d, i) => d === 1 || d === dims[i]))
    throw new ImportError(`${n.op_type} '${n.name}': scale [${s.dims.join(', ')}] does not broadcast to [${dims.join(', ')}]`);
  const out = new Float64Array(total);
  const strides = sd.map((_, i) => sd.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < total; o++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += (sd[k] === 1 ? 0 : idx[k]) * strides[k];
    out[o] = s.data[src];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}
