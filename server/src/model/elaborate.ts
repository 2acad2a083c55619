/**
 * Elaboration: the AST of a `.qnn` file → the one network model (types.ts), with the
 * diagnostics of language.md §5 that the model itself can decide (names, arguments,
 * shapes, types, weights, accumulators, folds). Device and frame-rate checks come from
 * the cost model (cost/checks.ts), which reads the model built here.
 */
import type { AstNode } from 'langium';
import * as ast from '../language/generated/ast.js';
import { product } from './shape.js';
import { closeDeviceNames, findDevice } from '../device/devices.js';
import { bareName, evalExpr, ExprError, IncompleteExpr } from './expr.js';
import { nearest, validPes, validSimds } from './folding.js';
import { FREQ_UNITS, parseNumberLiteral } from './numbers.js';
import { fitsType, MAX_ACC_BITS, parseTypeName, signedBitsFor, typeMax, typeMin, typeName, typeRangeError } from './qtype.js';
import { MAX_SEED } from '../weights/random.js';
import { keywordRange, nodeRange, propRange } from './ranges.js';
import { fixedPointScale } from './requant.js';
import { buildEngines } from './engines.js';
import {
  checkValues,
  loadNpy,
  nodeFileAccess,
  randomTensor,
  resolveSourcePath,
  sameShape,
  shapeText,
  SourceError,
  type FileAccess,
} from './weights.js';
import type {
  AccumulatorInfo,
  Activation,
  ActivationLayer,
  LayerModel,
  MvauLayer,
  Network,
  OpKind,
  PoolLayer,
  QnnDiagnostic,
  QType,
  Severity,
  SrcRange,
  Target,
  TestSpec,
  Weights,
} from './types.js';

export interface ElaborationResult {
  network: Network;
  diagnostics: QnnDiagnostic[];
}

export interface ElaborateOptions {
  /** Absolute path of the .qnn file; weight paths are relative to its folder. */
  file?: string;
  files?: FileAccess;
}

/** Operator signatures (language.md §2): required and optional argument names. */
export const OP_ARGS: Record<OpKind, { required: string[]; optional: string[] }> = {
  conv1d: { required: ['filters', 'kernel', 'weights'], optional: ['stride', 'pad', 'acc'] },
  conv2d: { required: ['filters', 'kernel', 'weights'], optional: ['stride', 'pad', 'acc'] },
  dense: { required: ['units', 'weights'], optional: ['acc'] },
  maxpool: { required: ['kernel'], optional: ['stride'] },
  requant: { required: ['out', 'scale'], optional: ['zero', 'mbits'] },
  threshold: { required: ['out', 'thresholds'], optional: [] },
};

export const TEST_ARGS = ['frames', 'seed', 'input'];
/** Largest dimension, filter count, kernel, stride or fold accepted (keeps every tensor allocatable). */
export const MAX_INT_ARG = 1 << 20;
/** Largest tensor (elements) and weight matrix accepted. */
export const MAX_ELEMENTS = 1 << 26;
export const MVAU_OPS: ReadonlySet<string> = new Set(['conv1d', 'conv2d', 'dense']);

/** Thrown inside a layer to stop elaborating it after a reported error. */
class LayerAbort extends Error {}

export function elaborate(root: ast.Network, opts: ElaborateOptions = {}): ElaborationResult {
  return new Elaborator(root, opts).run();
}

class Elaborator {
  private readonly diags: QnnDiagnostic[] = [];
  private readonly consts = new Map<string, number>();
  private readonly files: FileAccess;
  private readonly net: Network;
  /** Declared producers (input and layers) in order, with their AST nodes. */
  private readonly declared = new Map<string, AstNode>();
  private readonly shapes = new Map<string, { shape: number[]; type: QType }>();
  /** Layers declared with an error: references to them are not reported again. */
  private readonly failed = new Set<string>();

  constructor(
    private readonly root: ast.Network,
    private readonly opts: ElaborateOptions,
  ) {
    this.files = opts.files ?? nodeFileAccess;
    this.net = { name: root.name ?? '', file: opts.file, layers: [], tests: [], engines: [], complete: false };
  }

  run(): ElaborationResult {
    const members = this.root.members ?? [];
    this.checkDuplicates(members);
    let blocked = false;
    for (const m of members) {
      switch (m.$type) {
        case 'Const':
          this.constDecl(m);
          break;
        case 'Target':
          this.target(m);
          break;
        case 'Input':
          this.input(m);
          break;
        case 'Layer':
          if (!this.layer(m)) blocked = true;
          break;
        case 'Output':
          this.output(m);
          break;
        case 'Test':
          this.test(m);
          break;
      }
    }
    this.checkRequiredMembers(members);
    this.checkBranching();
    this.checkReachesOutput();
    if (!blocked && this.net.input && this.net.output && this.net.layers.length > 0) {
      this.net.complete = !this.diags.some((d) => d.severity === 'error');
    }
    const explicit = new Map(this.net.layers.filter((l) => l.foldSource === 'explicit').map((l) => [l.name, l.pe]));
    this.net.engines = buildEngines(this.net);
    this.checkFusedFolds(explicit);
    return { network: this.net, diagnostics: this.diags };
  }

  // ---- reporting -------------------------------------------------------------------

  private report(code: string, severity: Severity, message: string, range: SrcRange, data?: Record<string, unknown>): void {
    this.diags.push({ code, severity, message, range, ...(data ? { data } : {}) });
  }

  private error(code: string, message: string, range: SrcRange, data?: Record<string, unknown>): void {
    this.report(code, 'error', message, range, data);
  }

  // ---- names ---------------------------------------------------------------------------

  private checkDuplicates(members: ast.Member[]): void {
    const seen = new Map<string, ast.Member>();
    for (const m of members) {
      if (!('name' in m) || m.$type === 'Test' || !m.name) continue;
      const prev = seen.get(m.name);
      if (prev) {
        const line = (prev.$cstNode?.range.start.line ?? 0) + 1;
        this.error('QNN011', `duplicate name '${m.name}': already declared on line ${line}`, propRange(m, 'name'));
      } else seen.set(m.name, m);
    }
  }

  private lookupConst = (name: string): number | undefined => this.consts.get(name);

  private evalNumber(e: ast.Expr, what: string): number {
    try {
      return evalExpr(e, this.lookupConst);
    } catch (err) {
      if (err instanceof ExprError) {
        this.error(err.code, `${what}: ${err.message}`, nodeRange(err.node));
        throw new LayerAbort();
      }
      if (err instanceof IncompleteExpr) throw new LayerAbort();
      throw err;
    }
  }

  private seed(e: ast.Expr): number {
    const s = this.evalInt(e, 'seed', 0, Number.MAX_SAFE_INTEGER);
    if (s > MAX_SEED) {
      this.error('QNN030', `seed ${s} is out of range: seeds are 0 … ${MAX_SEED}`, nodeRange(e));
      throw new LayerAbort();
    }
    return s;
  }

  private evalInt(e: ast.Expr, what: string, min: number, max = MAX_INT_ARG): number {
    const v = this.evalNumber(e, what);
    if (!Number.isInteger(v) || v < min) {
      this.error('QNN030', `${what} must be an integer ≥ ${min}, not ${v}`, nodeRange(e));
      throw new LayerAbort();
    }
    if (v > max) {
      this.error('QNN030', `${what} is ${v}, above the largest supported value ${max}`, nodeRange(e));
      throw new LayerAbort();
    }
    return v;
  }

  private constDecl(c: ast.Const): void {
    if (!c.value || !c.name) return;
    try {
      this.consts.set(c.name, evalExpr(c.value, this.lookupConst));
    } catch (err) {
      if (err instanceof ExprError) this.error(err.code, `const ${c.name}: ${err.message}`, nodeRange(err.node));
      else if (!(err instanceof IncompleteExpr)) throw err;
    }
  }

  // ---- target, input, output, tests ---------------------------------------------------

  private target(t: ast.Target): void {
    if (!t.device) return;
    const range = keywordRange(t, 'target');
    const deviceRange = propRange(t, 'device');
    const device = findDevice(t.device);
    if (!device) {
      const close = closeDeviceNames(t.device);
      this.error('QNN052', `unknown device '${t.device}': did you mean ${close.map((n) => `'${n}'`).join(', ')}?`, deviceRange, { close });
    }
    const unit = FREQ_UNITS[t.unit] ?? 1e6;
    const target: Target = {
      device: device?.name ?? t.device,
      clockHz: parseNumberLiteral(t.freq ?? '0') * unit,
      range,
      deviceRange,
    };
    if (!(target.clockHz > 0)) this.error('QNN030', 'the clock must be above 0', propRange(t, 'freq'));
    if (t.fps !== undefined) target.fps = parseNumberLiteral(t.fps);
    if (t.board !== undefined) {
      target.board = t.board;
      if (device && !device.boards.includes(t.board.toLowerCase())) {
        this.report(
          'QNN010',
          'warning',
          `board '${t.board}' is not known for ${device.name} (known: ${device.boards.join(', ')})`,
          propRange(t, 'board'),
        );
      }
    }
    if (t.bandwidth !== undefined) target.bandwidthGBs = parseNumberLiteral(t.bandwidth);
    this.net.target = target;
  }

  private typeOf(spec: ast.TypeSpec | undefined, allowPow2: boolean, what: string): QType {
    if (!spec) throw new LayerAbort();
    let t: QType | undefined;
    if (spec.$type === 'BipolarType') t = { kind: 'bipolar' };
    else if (spec.$type === 'Pow2Type') t = { kind: 'pow2', bits: Number(spec.bits) };
    else t = parseTypeName(spec.name);
    if (!t) {
      this.error(
        'QNN010',
        `unknown type '${(spec as ast.NamedType).name}' for ${what}: use uN (N = 1…16), iN (N = 2…16), bipolar${allowPow2 ? ' or pow2<N>' : ''}`,
        nodeRange(spec),
      );
      throw new LayerAbort();
    }
    const bad = typeRangeError(t);
    if (bad) {
      this.error('QNN030', bad, nodeRange(spec));
      throw new LayerAbort();
    }
    if (t.kind === 'pow2' && !allowPow2) {
      this.error('QNN030', `${what} cannot be ${typeName(t)}: pow2<N> is for weights only`, nodeRange(spec));
      throw new LayerAbort();
    }
    return t;
  }

  private input(i: ast.Input): void {
    if (!i.name) return;
    try {
      const type = this.typeOf(i.type, false, `input ${i.name}`);
      const shape = i.dims.map((d, k) => this.evalInt(d, `dimension ${k + 1} of ${i.name}`, 1));
      if (shape.length < 1 || shape.length > 3) {
        this.error(
          'QNN020',
          `input ${i.name} has ${shape.length} dimensions: use [N] (flat), [L, C] (1-D) or [H, W, C] (2-D)`,
          nodeRange(i),
        );
        return;
      }
      if (product(shape) > MAX_ELEMENTS) {
        this.error(
          'QNN020',
          `input ${i.name} has ${product(shape)} elements, above the largest supported frame (${MAX_ELEMENTS})`,
          nodeRange(i),
        );
        return;
      }
      if (this.net.input) {
        this.error('QNN011', `a network has one input; '${this.net.input.name}' is already declared`, propRange(i, 'name'));
        return;
      }
      this.net.input = { name: i.name, shape, type, range: propRange(i, 'name') };
      this.declared.set(i.name, i);
      this.shapes.set(i.name, { shape, type });
    } catch (e) {
      if (!(e instanceof LayerAbort)) throw e;
    }
  }

  private output(o: ast.Output): void {
    const name = o.ref?.$refText;
    if (!name || this.failed.has(name)) return;
    if (!this.declared.has(name)) {
      this.error('QNN010', `unknown name '${name}' in output: ${this.knownProducers()}`, propRange(o, 'ref'));
      return;
    }
    if (this.net.output) {
      this.error('QNN011', `a network has one output; 'output ${this.net.output}' is already given`, nodeRange(o));
      return;
    }
    this.net.output = name;
  }

  private test(t: ast.Test): void {
    const spec: TestSpec = { name: t.name?.replace(/^"|"$/g, '') ?? '', frames: 1, seed: 0 };
    for (const a of t.args) {
      try {
        if (!TEST_ARGS.includes(a.name)) {
          this.error('QNN010', `unknown test argument '${a.name}': a test takes ${TEST_ARGS.join(', ')}`, propRange(a, 'name'));
        } else if (a.name === 'input') {
          if (a.value?.$type !== 'Source' || !a.value.path) {
            this.error('QNN030', `input must be a typed file, e.g. input=u8("frames.npy")`, nodeRange(a.value));
          } else spec.inputPath = resolveSourcePath(this.opts.file, unquote(a.value.path));
        } else {
          if (a.name === 'frames') spec.frames = this.argInt(a, 1);
          else spec.seed = this.seed(this.argExpr(a));
        }
      } catch (e) {
        if (e instanceof SourceError) this.error(e.code, e.message, nodeRange(a.value));
        else if (!(e instanceof LayerAbort)) throw e;
      }
    }
    this.net.tests.push(spec);
  }

  private checkRequiredMembers(members: ast.Member[]): void {
    const at = propRange(this.root, 'name');
    if (!members.some((m) => m.$type === 'Target'))
      this.error('QNN013', `network ${this.root.name} needs a target: add 'target xc7z020 @ 100 MHz'`, at);
    if (!members.some((m) => m.$type === 'Input'))
      this.error('QNN013', `network ${this.root.name} needs an input: add e.g. 'input x: u8[784]'`, at);
    if (!members.some((m) => m.$type === 'Output') && this.net.layers.length > 0) {
      const last = this.net.layers[this.net.layers.length - 1].name;
      this.error('QNN013', `network ${this.root.name} needs an output: add 'output ${last}'`, at);
    }
  }

  /** A fold on an activation fused into an MVAU has no effect: it runs in the MVAU's PE lanes. */
  private checkFusedFolds(explicitPe: Map<string, number>): void {
    for (const l of this.net.layers) {
      if ((l.op === 'requant' || l.op === 'threshold') && l.fusedInto && explicitPe.has(l.name) && l.ranges.fold) {
        const mvau = this.net.layers.find((m) => m.name === l.fusedInto)!;
        this.report(
          'QNN045',
          'warning',
          `'${l.name}' is fused into '${mvau.name}' and runs in its ${mvau.pe} PE lane(s): this fold has no effect; fold '${mvau.name}' instead`,
          l.ranges.fold,
          { fusedInto: mvau.name },
        );
      }
    }
  }

  /** The core language is a chain: each producer feeds at most one layer. */
  private checkBranching(): void {
    const consumer = new Map<string, string>();
    for (const l of this.net.layers) {
      const prev = consumer.get(l.input);
      if (prev) {
        this.error(
          'QNN014',
          `'${l.input}' already feeds '${prev}': a network is a chain (branching is not supported yet); feed '${l.name}' from '${prev}' or a later layer`,
          l.ranges.layer,
        );
      } else consumer.set(l.input, l.name);
    }
  }

  private checkReachesOutput(): void {
    if (!this.net.output) return;
    const live = new Set<string>();
    let cur: string | undefined = this.net.output;
    const byName = new Map(this.net.layers.map((l) => [l.name, l]));
    while (cur && !live.has(cur)) {
      live.add(cur);
      cur = byName.get(cur)?.input;
    }
    for (const l of this.net.layers) {
      if (!live.has(l.name)) {
        this.report(
          'QNN012',
          'warning',
          `layer '${l.name}' never reaches the output '${this.net.output}': remove it or feed it to the output`,
          l.ranges.name,
        );
      }
    }
  }

  private knownProducers(): string {
    const names = [...this.declared.keys()];
    return names.length ? `declared above are ${names.map((n) => `'${n}'`).join(', ')}` : 'nothing is declared above it';
  }

  // ---- layers ----------------------------------------------------------------------------

  /** Elaborates one layer; false when the chain cannot continue past it. */
  private layer(l: ast.Layer): boolean {
    if (!l.name || !l.op) return false;
    const inputName = l.input?.$refText;
    if (!inputName) return this.fail(l);
    if (this.failed.has(inputName)) return this.fail(l);
    if (!this.declared.has(inputName)) {
      const later = this.root.members.some((m) => m !== l && (m.$type === 'Layer' || m.$type === 'Input') && m.name === inputName);
      this.error(
        'QNN010',
        later
          ? `'${inputName}' is declared below '${l.name}': a layer may only use names declared above it`
          : `unknown name '${inputName}': ${this.knownProducers()}`,
        propRange(l, 'input'),
      );
      return this.fail(l);
    }
    const src = this.shapes.get(inputName);
    if (!src) return this.fail(l);
    try {
      const args = this.collectArgs(l);
      const op = l.op as OpKind;
      let model: LayerModel;
      if (op === 'conv1d' || op === 'conv2d' || op === 'dense') model = this.mvau(l, op, args, src.shape, src.type, inputName);
      else if (op === 'maxpool') model = this.pool(l, args, src.shape, src.type, inputName);
      else model = this.activation(l, op, args, src.shape, src.type, inputName);
      this.fold(l, model);
      this.net.layers.push(model);
      this.declared.set(l.name, l);
      this.shapes.set(l.name, { shape: model.outShape, type: model.outType });
      return true;
    } catch (e) {
      if (e instanceof LayerAbort) return this.fail(l);
      throw e;
    }
  }

  private fail(l: ast.Layer): false {
    if (l.name) this.failed.add(l.name);
    return false;
  }

  private collectArgs(l: ast.Layer): Map<string, ast.Arg> {
    const spec = OP_ARGS[l.op as OpKind];
    const all = [...spec.required, ...spec.optional];
    const args = new Map<string, ast.Arg>();
    for (const a of l.args) {
      if (!all.includes(a.name)) {
        this.error('QNN010', `unknown argument '${a.name}' for ${l.op}: it takes ${all.join(', ')}`, propRange(a, 'name'), { valid: all });
      } else if (args.has(a.name)) {
        this.error('QNN011', `argument '${a.name}' is given twice`, propRange(a, 'name'));
      } else args.set(a.name, a);
    }
    const missing = spec.required.filter((r) => !args.has(r));
    if (missing.length) {
      this.error(
        'QNN013',
        `${l.op} needs ${missing.map((m) => `'${m}'`).join(', ')} (required: ${spec.required.join(', ')}; optional: ${spec.optional.join(', ') || 'none'})`,
        propRange(l, 'op'),
        { missing },
      );
      throw new LayerAbort();
    }
    return args;
  }

  private argExpr(a: ast.Arg): ast.Expr {
    const v = a.value;
    if (!v || !ast.isExpr(v)) {
      this.error('QNN030', `'${a.name}' takes a number`, nodeRange(v ?? a));
      throw new LayerAbort();
    }
    return v;
  }

  private argInt(a: ast.Arg, min: number): number {
    return this.evalInt(this.argExpr(a), `'${a.name}'`, min);
  }

  /** An argument that names a type (`out=u4`, `acc=i16`; `acc` may be up to i48). */
  private argType(a: ast.Arg, allowPow2: boolean): QType {
    const v = a.value;
    if (v?.$type === 'BipolarType' || v?.$type === 'Pow2Type') return this.typeOf(v, allowPow2, `'${a.name}'`);
    const name = bareName(v);
    const t = name !== undefined ? parseTypeName(name) : undefined;
    if (!t) {
      this.error(
        'QNN030',
        `'${a.name}' takes a type (uN, iN${a.name === 'out' ? ', bipolar' : ''}), not '${textOf(v)}'`,
        nodeRange(v ?? a),
      );
      throw new LayerAbort();
    }
    const bad =
      a.name === 'acc' && t.kind === 'int'
        ? t.bits >= 2 && t.bits <= MAX_ACC_BITS
          ? undefined
          : `acc=i${t.bits} is out of range: acc takes i2 … i${MAX_ACC_BITS}`
        : typeRangeError(t);
    if (bad) {
      this.error('QNN030', bad, nodeRange(v));
      throw new LayerAbort();
    }
    return t;
  }

  private spatialDims(op: OpKind): number {
    return op === 'conv2d' ? 2 : op === 'conv1d' ? 1 : 0;
  }

  private mvau(
    l: ast.Layer,
    op: 'conv1d' | 'conv2d' | 'dense',
    args: Map<string, ast.Arg>,
    inShape: number[],
    inType: QType,
    input: string,
  ): MvauLayer {
    const nd = this.spatialDims(op);
    let outShape: number[];
    let kernel: number[] = [];
    let stride: number[] = [];
    let pad: [number, number][] = [];
    let mh: number;
    let mw: number;
    let pixels = 1;
    let cin = 0;
    let wshape: number[];
    if (nd > 0) {
      if (inShape.length !== nd + 1) {
        this.error(
          'QNN020',
          `${op} takes a [${nd === 1 ? 'L, C' : 'H, W, C'}] input; '${input}' is ${shapeText(inShape)}`,
          propRange(l, 'input'),
        );
        throw new LayerAbort();
      }
      mh = this.argInt(args.get('filters')!, 1);
      const k = this.argInt(args.get('kernel')!, 1);
      const s = args.has('stride') ? this.argInt(args.get('stride')!, 1) : 1;
      kernel = Array(nd).fill(k);
      stride = Array(nd).fill(s);
      const p = this.padding(args.get('pad'), k, s, inType);
      pad = Array(nd).fill([p, p]);
      cin = inShape[nd];
      const spatial = inShape.slice(0, nd).map((d, i) => {
        const span = d + pad[i][0] + pad[i][1];
        if (k > span) {
          this.error('QNN020', `kernel ${k} is larger than the ${p ? 'padded ' : ''}input (${span})`, nodeRange(args.get('kernel')!.value));
          throw new LayerAbort();
        }
        return Math.floor((span - k) / s) + 1;
      });
      outShape = [...spatial, mh];
      pixels = product(spatial);
      mw = k ** nd * cin;
      wshape = [mh, cin, ...kernel];
    } else {
      mh = this.argInt(args.get('units')!, 1);
      mw = product(inShape);
      outShape = [mh];
      wshape = [mh, mw];
    }
    if (product(wshape) > MAX_ELEMENTS || product(outShape) > MAX_ELEMENTS) {
      this.error(
        'QNN020',
        `${l.name} is too large: ${product(wshape)} weights and ${product(outShape)} outputs per frame (at most ${MAX_ELEMENTS} each)`,
        nodeRange(l),
      );
      throw new LayerAbort();
    }
    const weights = this.weights(args.get('weights')!, wshape);
    const matrix = toMvauMatrix(weights.values, op, mh, cin, kernel);
    const acc = this.accumulator(args.get('acc'), weights, matrix, mh, mw, inType);
    return {
      name: l.name,
      op,
      input,
      inShape,
      inType,
      outShape,
      outType: { kind: 'int', bits: acc.bits },
      pe: 1,
      simd: 1,
      foldSource: 'default',
      index: this.net.layers.length,
      ranges: this.layerRanges(l),
      weights,
      kernel,
      stride,
      pad,
      mw,
      mh,
      pixels,
      acc,
      matrix,
    };
  }

  private padding(a: ast.Arg | undefined, k: number, s: number, inType: QType): number {
    if (!a) return 0;
    const name = bareName(a.value);
    let p: number;
    if (name === 'valid') p = 0;
    else if (name === 'same') {
      if (k % 2 === 0 || s !== 1) {
        this.error(
          'QNN020',
          `pad=same needs an odd kernel and stride 1 (kernel=${k}, stride=${s}); give the padding as a number`,
          nodeRange(a.value),
        );
        throw new LayerAbort();
      }
      p = (k - 1) / 2;
    } else if (name !== undefined && !this.consts.has(name)) {
      this.error('QNN010', `unknown padding '${name}': use valid, same or a number`, nodeRange(a.value));
      throw new LayerAbort();
    } else p = this.argInt(a, 0);
    if (p > 0 && inType.kind === 'bipolar') {
      this.error('QNN022', `cannot pad a bipolar tensor: 0 is not a bipolar value; use pad=valid`, nodeRange(a.value));
      throw new LayerAbort();
    }
    return p;
  }

  private weights(a: ast.Arg, shape: number[]): Weights {
    const v = a.value;
    if (v?.$type !== 'Source') {
      this.error('QNN030', `weights must be a typed source: i4("w.npy"), pow2<3>(random, seed=1) or bipolar([…])`, nodeRange(v ?? a));
      throw new LayerAbort();
    }
    const type = this.typeOf(v.kind, true, 'weights');
    const count = product(shape);
    try {
      if (v.path !== undefined) {
        const rel = unquote(v.path);
        const abs = resolveSourcePath(this.opts.file, rel);
        const arr = loadNpy(this.files, abs, rel, true);
        if (!sameShape(arr.shape, shape)) {
          this.error(
            'QNN020',
            `'${rel}' has shape ${shapeText(arr.shape)}; this layer needs ${shapeText(shape)} (PyTorch layout)`,
            propRange(v, 'path'),
            { expected: shape, got: arr.shape },
          );
          throw new LayerAbort();
        }
        checkValues(arr.data, type, `'${rel}'`);
        return { type, shape, values: Int32Array.from(arr.data), source: { kind: 'file', path: abs } };
      }
      if (v.list) {
        const flat = this.flatList(v.list);
        if (flat.length !== count) {
          this.error(
            'QNN020',
            `the inline weights hold ${flat.length} values; this layer needs ${shapeText(shape)} = ${count}`,
            nodeRange(v.list),
          );
          throw new LayerAbort();
        }
        checkValues(flat, type, 'the inline weights');
        return { type, shape, values: Int32Array.from(flat), source: { kind: 'inline' } };
      }
      const seed = v.seed ? this.seed(v.seed) : 0;
      return { type, shape, values: randomTensor(type, count, seed), source: { kind: 'random', seed } };
    } catch (e) {
      if (e instanceof SourceError) {
        this.error(e.code, e.message, v.path !== undefined ? propRange(v, 'path') : nodeRange(v));
        throw new LayerAbort();
      }
      throw e;
    }
  }

  private flatList(list: ast.ListLit): number[] {
    const out: number[] = [];
    const walk = (l: ast.ListLit): void => {
      for (const item of l.items) {
        if (item.$type === 'ListLit') walk(item);
        else out.push(this.evalNumber(item, 'list value'));
      }
    };
    walk(list);
    return out;
  }

  /** Rows of a nested list ([[…], […]]) or one row for a flat list. */
  private listRows(list: ast.ListLit): number[][] {
    if (list.items.length > 0 && list.items.every((i) => i.$type === 'ListLit')) {
      return list.items.map((i) => this.flatList(i as ast.ListLit));
    }
    return [this.flatList(list)];
  }

  private accumulator(accArg: ast.Arg | undefined, w: Weights, matrix: Int32Array, mh: number, mw: number, inType: QType): AccumulatorInfo {
    const amin = typeMin(inType);
    const amax = typeMax(inType);
    let min = Infinity;
    let max = -Infinity;
    let extremeRow = 0;
    if (w.source.kind === 'random') {
      // Random weights may be regenerated: bound by the type, not the draw.
      const ps = [typeMin(w.type) * amin, typeMin(w.type) * amax, typeMax(w.type) * amin, typeMax(w.type) * amax];
      min = mw * Math.min(...ps);
      max = mw * Math.max(...ps);
    } else {
      for (let r = 0; r < mh; r++) {
        let lo = 0;
        let hi = 0;
        for (let j = 0; j < mw; j++) {
          const x = matrix[r * mw + j];
          const a = x * amin;
          const b = x * amax;
          lo += Math.min(a, b);
          hi += Math.max(a, b);
        }
        if (hi > max || lo < min) {
          if (Math.max(hi, -lo) >= Math.max(max, -min)) extremeRow = r;
        }
        min = Math.min(min, lo);
        max = Math.max(max, hi);
      }
    }
    min = Math.min(min, 0);
    max = Math.max(max, 0);
    const needed = signedBitsFor(min, max);
    if (accArg) {
      const t = this.argType(accArg, false);
      if (t.kind !== 'int') {
        this.error('QNN030', `acc must be a signed type iK, not ${typeName(t)}`, nodeRange(accArg.value));
        throw new LayerAbort();
      }
      if (!fitsType(max, t) || !fitsType(min, t)) {
        const v = !fitsType(max, t) ? max : min;
        const where = w.source.kind === 'random' ? 'a row of random weights' : `row ${extremeRow}`;
        this.error(
          'QNN031',
          `acc=${typeName(t)} is too narrow: ${where} reaches ${v} (range ${typeMin(t)} … ${typeMax(t)}); it needs i${needed}`,
          nodeRange(accArg.value),
          { needed },
        );
        throw new LayerAbort();
      }
      return { min, max, bits: t.bits, declared: true, extremeRow };
    }
    return { min, max, bits: needed, declared: false, extremeRow };
  }

  private pool(l: ast.Layer, args: Map<string, ast.Arg>, inShape: number[], inType: QType, input: string): PoolLayer {
    const nd = inShape.length - 1;
    if (nd < 1 || nd > 2) {
      this.error('QNN020', `maxpool takes an [L, C] or [H, W, C] input; '${input}' is ${shapeText(inShape)}`, propRange(l, 'input'));
      throw new LayerAbort();
    }
    const k = this.argInt(args.get('kernel')!, 1);
    const s = args.has('stride') ? this.argInt(args.get('stride')!, 1) : k;
    const spatial = inShape.slice(0, nd).map((d) => {
      if (k > d) {
        this.error('QNN020', `kernel ${k} is larger than the input (${d})`, nodeRange(args.get('kernel')!.value));
        throw new LayerAbort();
      }
      return Math.floor((d - k) / s) + 1;
    });
    return {
      name: l.name,
      op: 'maxpool',
      input,
      inShape,
      inType,
      outShape: [...spatial, inShape[nd]],
      outType: inType,
      pe: 1,
      simd: 1,
      foldSource: 'default',
      index: this.net.layers.length,
      ranges: this.layerRanges(l),
      kernel: Array(nd).fill(k),
      stride: Array(nd).fill(s),
    };
  }

  private activation(
    l: ast.Layer,
    op: 'requant' | 'threshold',
    args: Map<string, ast.Arg>,
    inShape: number[],
    inType: QType,
    input: string,
  ): ActivationLayer {
    const channels = inShape[inShape.length - 1];
    const outArg = args.get('out')!;
    const out = this.argType(outArg, false);
    if (inType.kind === 'bipolar') {
      this.error('QNN030', `${op} takes an integer input; '${input}' is bipolar`, propRange(l, 'input'));
      throw new LayerAbort();
    }
    let activation: Activation;
    if (op === 'requant') {
      if (out.kind === 'bipolar') {
        this.error(
          'QNN030',
          `requant's out must be uN or iN; for a bipolar output use threshold(…, out=bipolar, thresholds=[T])`,
          nodeRange(outArg.value),
        );
        throw new LayerAbort();
      }
      const mbits = args.has('mbits') ? this.argInt(args.get('mbits')!, 1) : 16;
      if (mbits > 32) {
        this.error('QNN030', `mbits=${mbits} is too wide: the multiplier takes at most 32 bits`, nodeRange(args.get('mbits')!.value));
        throw new LayerAbort();
      }
      const zero = args.has('zero') ? this.evalNumber(this.argExpr(args.get('zero')!), "'zero'") : 0;
      if (!Number.isInteger(zero)) {
        this.error('QNN030', `zero must be an integer, not ${zero}`, nodeRange(args.get('zero')!.value));
        throw new LayerAbort();
      }
      const scales = this.scales(args.get('scale')!, channels);
      const fixed = scales.map((s) => fixedPointScale(s, mbits));
      activation = {
        kind: 'requant',
        scales,
        multipliers: fixed.map((f) => f.multiplier),
        shifts: fixed.map((f) => f.shift),
        zero,
        mbits,
        out,
      };
    } else {
      activation = { kind: 'threshold', thresholds: this.thresholds(args.get('thresholds')!, out, channels), out };
    }
    return {
      name: l.name,
      op,
      input,
      inShape,
      inType,
      outShape: inShape,
      outType: out,
      pe: 1,
      simd: 1,
      foldSource: 'default',
      index: this.net.layers.length,
      ranges: this.layerRanges(l),
      activation,
    };
  }

  private scales(a: ast.Arg, channels: number): number[] {
    const v = a.value;
    let scales: number[];
    if (v?.$type === 'Source' && v.kind.$type === 'NamedType' && v.kind.name === 'scales' && v.path !== undefined) {
      const rel = unquote(v.path);
      try {
        const arr = loadNpy(this.files, resolveSourcePath(this.opts.file, rel), rel, false);
        if (!(arr.shape.length === 1 && (arr.shape[0] === channels || arr.shape[0] === 1))) {
          this.error(
            'QNN020',
            `'${rel}' has shape ${shapeText(arr.shape)}; scales need [${channels}] (one per channel) or [1]`,
            propRange(v, 'path'),
          );
          throw new LayerAbort();
        }
        scales = arr.data;
      } catch (e) {
        if (e instanceof SourceError) {
          this.error(e.code, e.message, propRange(v, 'path'));
          throw new LayerAbort();
        }
        throw e;
      }
    } else if (v && ast.isExpr(v)) {
      scales = [this.evalNumber(v, "'scale'")];
    } else {
      this.error('QNN030', `scale takes a number or scales("s.npy")`, nodeRange(v ?? a));
      throw new LayerAbort();
    }
    const bad = scales.findIndex((s) => !(s > 0) || !Number.isFinite(s));
    if (bad >= 0) {
      this.error('QNN030', `scale must be above 0 (got ${scales[bad]}${scales.length > 1 ? ` for channel ${bad}` : ''})`, nodeRange(v));
      throw new LayerAbort();
    }
    return scales.length === 1 ? Array(channels).fill(scales[0]) : scales;
  }

  private thresholds(a: ast.Arg, out: QType, channels: number): number[][] {
    const v = a.value;
    const need = out.kind === 'bipolar' ? 1 : 2 ** out.bits - 1;
    if (out.kind === 'int') {
      this.error('QNN030', `threshold's out must be uB or bipolar (it counts thresholds passed), not ${typeName(out)}`, nodeRange(v));
      throw new LayerAbort();
    }
    let rows: number[][];
    let at: SrcRange = nodeRange(v);
    if (v?.$type === 'ListLit') rows = this.listRows(v);
    else if (v?.$type === 'Source' && v.kind.$type === 'NamedType' && v.kind.name === 'thresholds' && v.path !== undefined) {
      const rel = unquote(v.path);
      at = propRange(v, 'path');
      try {
        const arr = loadNpy(this.files, resolveSourcePath(this.opts.file, rel), rel, true);
        if (arr.shape.length !== 2) {
          this.error('QNN020', `'${rel}' has shape ${shapeText(arr.shape)}; thresholds need [${channels}, ${need}] or [1, ${need}]`, at);
          throw new LayerAbort();
        }
        rows = [];
        for (let r = 0; r < arr.shape[0]; r++) rows.push(arr.data.slice(r * arr.shape[1], (r + 1) * arr.shape[1]));
      } catch (e) {
        if (e instanceof SourceError) {
          this.error(e.code, e.message, at);
          throw new LayerAbort();
        }
        throw e;
      }
    } else {
      this.error('QNN030', `thresholds takes a list [t1, t2, …], a list per channel, or thresholds("t.npy")`, nodeRange(v ?? a));
      throw new LayerAbort();
    }
    if (rows.length !== 1 && rows.length !== channels) {
      this.error('QNN020', `${rows.length} threshold rows for ${channels} channels: give one shared row or one per channel`, at);
      throw new LayerAbort();
    }
    rows.forEach((row, c) => {
      if (row.length !== need) {
        this.error(
          'QNN032',
          `out=${typeName(out)} needs ${need} threshold${need > 1 ? 's' : ''} per channel (2^B − 1), ${rows.length > 1 ? `channel ${c} has` : 'got'} ${row.length}`,
          at,
          { need },
        );
        throw new LayerAbort();
      }
      const nonInt = row.findIndex((t) => !Number.isInteger(t));
      if (nonInt >= 0) {
        this.error('QNN030', `threshold ${row[nonInt]} is not an integer: thresholds compare with the integer accumulator`, at);
        throw new LayerAbort();
      }
      const bad = row.findIndex((t, i) => i > 0 && t < row[i - 1]);
      if (bad >= 0) {
        this.error(
          'QNN033',
          `thresholds must be ascending: ${row[bad - 1]} comes before ${row[bad]}${rows.length > 1 ? ` in channel ${c}` : ''}`,
          at,
        );
        throw new LayerAbort();
      }
    });
    return rows.length === 1 ? Array.from({ length: channels }, () => rows[0]) : rows;
  }

  private layerRanges(l: ast.Layer): LayerModel['ranges'] {
    // The name's range is a CST search, needed only by the few layers with a message
    // or a hover: computed on first use (500-layer files re-elaborate on every keystroke).
    let name: SrcRange | undefined;
    const r: LayerModel['ranges'] = {
      get name(): SrcRange {
        return (name ??= propRange(l, 'name'));
      },
      layer: nodeRange(l),
    };
    if (l.fold) {
      r.fold = nodeRange(l.fold);
      for (const f of l.fold.args) {
        if (f.name === 'pe') r.pe = nodeRange(f.value);
        if (f.name === 'simd') r.simd = nodeRange(f.value);
      }
    }
    return r;
  }

  // ---- folding ---------------------------------------------------------------------------

  private fold(l: ast.Layer, m: LayerModel): void {
    const isMvau = m.op === 'conv1d' || m.op === 'conv2d' || m.op === 'dense';
    let pe: number | undefined;
    let simd: number | undefined;
    for (const f of l.fold?.args ?? []) {
      const valid = isMvau ? ['pe', 'simd'] : ['pe'];
      if (!valid.includes(f.name)) {
        this.error(
          'QNN010',
          `unknown fold argument '${f.name}' for ${m.op}: it takes ${valid.join(', ')}${f.name === 'simd' ? ` (${m.op} streams PE channels per cycle)` : ''}`,
          propRange(f, 'name'),
        );
        continue;
      }
      const v = this.evalInt(f.value, f.name, 1);
      if (f.name === 'pe') pe = v;
      else simd = v;
    }
    const target = this.net.target;
    const targetCycles = target?.fps && target.clockHz ? Math.floor(target.clockHz / target.fps) : undefined;
    if (isMvau) {
      const mv = m as MvauLayer;
      const cin = mv.op === 'dense' ? undefined : mv.inShape[mv.inShape.length - 1];
      if (pe === undefined && simd === undefined && !l.fold && targetCycles !== undefined) {
        // Chosen after elaboration, from the engine descriptors' cycles (analysis/auto-fold).
        mv.foldSource = 'auto';
        return;
      }
      mv.foldSource = l.fold ? 'explicit' : 'default';
      if (simd !== undefined) {
        const legal = validSimds(mv.mw, cin);
        if (mv.mw % simd !== 0) {
          this.error(
            'QNN040',
            `SIMD ${simd} does not divide the input width MW = ${mv.mw}${cin ? ` (K·Cin)` : ''}: valid SIMD values are ${legal.join(', ')}`,
            m.ranges.simd!,
            { property: 'simd', valid: legal, nearest: nearest(legal, simd), mw: mv.mw },
          );
        } else if (cin !== undefined && !legal.includes(simd)) {
          this.error(
            'QNN042',
            `SIMD ${simd} is neither a divisor of the ${cin} input channels nor a multiple of them that divides K·Cin = ${mv.mw}: the window generator emits whole channels or whole kernel positions per word; valid SIMD values are ${legal.join(', ')}`,
            m.ranges.simd!,
            { property: 'simd', valid: legal, nearest: nearest(legal, simd) },
          );
        } else mv.simd = simd;
      }
      if (pe !== undefined) {
        const legal = validPes(mv.mh);
        if (mv.mh % pe !== 0) {
          this.error(
            'QNN041',
            `PE ${pe} does not divide the output width MH = ${mv.mh}: valid PE values are ${legal.join(', ')}`,
            m.ranges.pe!,
            { property: 'pe', valid: legal, nearest: nearest(legal, pe), mh: mv.mh },
          );
        } else mv.pe = pe;
      }
      return;
    }
    const channels = m.outShape[m.outShape.length - 1];
    if (pe === undefined && !l.fold && targetCycles !== undefined) {
      m.foldSource = 'auto';
      return;
    }
    m.foldSource = l.fold ? 'explicit' : 'default';
    if (pe !== undefined) {
      const legal = validPes(channels);
      if (channels % pe !== 0) {
        this.error(
          'QNN041',
          `PE ${pe} does not divide the ${channels} channels (MH) of '${m.name}': valid PE values are ${legal.join(', ')}`,
          m.ranges.pe!,
          { property: 'pe', valid: legal, nearest: nearest(legal, pe), mh: channels },
        );
      } else m.pe = pe;
    }
  }
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? JSON.parse(s) : s;
}

function textOf(node: AstNode | undefined): string {
  return node?.$cstNode?.text ?? '';
}

/**
 * Weights in MVAU order: for a conv, row r's columns run kernel position major, channel
 * minor (the window generator's im2col order); PyTorch stores [Cout, Cin, K…].
 */
export function toMvauMatrix(values: Int32Array, op: OpKind, mh: number, cin: number, kernel: number[]): Int32Array {
  if (op === 'dense') return values;
  const kpos = product(kernel);
  const mw = kpos * cin;
  const out = new Int32Array(mh * mw);
  for (let r = 0; r < mh; r++) {
    for (let c = 0; c < cin; c++) {
      for (let p = 0; p < kpos; p++) {
        out[r * mw + p * cin + c] = values[(r * cin + c) * kpos + p];
      }
    }
  }
  return out;
}
