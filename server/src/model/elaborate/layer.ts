/**
 * One `layer` member: its producer, its arguments against the operator catalogue, the
 * operator's own elaboration (mvau.ts, pool.ts, activation.ts) and its fold (fold.ts).
 *
 * A layer with an error still hands its consumers a shape and a type when its declaration
 * gives them (the draft its operator fills in as it goes), so every later layer is
 * analysed and reports its own errors. Only layers whose producer is exactly known, and
 * that have no error stopping them, enter the network model.
 */
import type * as ast from '../../language/generated/ast.js';
import { operatorSpec, requiredArgs, optionalArgs, type EngineName, type OperatorSpec } from '../operators.js';
import { nodeRange, propRange } from '../ranges.js';
import type { LayerModel, QType, SrcRange } from '../types.js';
import { LayerAbort, type ChainNode, type Elab, type Produced } from './context.js';
import { activation } from './activation.js';
import { checkFold } from './fold.js';
import { mvau } from './mvau.js';
import { pool } from './pool.js';

/** A layer's arguments by name (the first of each; unknown names and repeats are reported). */
export class LayerArgs {
  constructor(private readonly byName: Map<string, ast.Arg>) {}

  get(name: string): ast.Arg | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** A required argument; stops the layer when it is missing (QNN013 is already reported). */
  need(name: string): ast.Arg {
    const a = this.byName.get(name);
    if (!a) throw new LayerAbort();
    return a;
  }
}

/** The producer of a layer, as its operator sees it. */
export interface LayerInput extends Produced {
  name: string;
}

/** What is known of a layer's output so far: its stand-in if an error stops it. */
export interface Draft {
  shape?: number[];
  type?: QType;
  uncertain: boolean;
}

export type OpElaborator = (
  cx: Elab,
  l: ast.Layer,
  spec: OperatorSpec,
  args: LayerArgs,
  src: LayerInput,
  draft: Draft,
  ranges: LayerModel['ranges'],
) => LayerModel;

const ELABORATORS: Record<EngineName, OpElaborator> = {
  mvau,
  'window+mvau': mvau,
  maxpool: pool,
  requant: activation,
  threshold: activation,
};

export function layer(cx: Elab, l: ast.Layer): void {
  if (!l.name) {
    cx.incomplete = true; // a syntax error, reported by the parser
    return;
  }
  const spec = operatorSpec(l.op);
  if (!spec) {
    cx.declared.set(l.name, l);
    cx.incomplete = true; // no operator: a syntax error
    return;
  }
  const ranges = layerRanges(l);
  const node: ChainNode = { name: l.name, ranges };
  const src = producer(cx, l, node);
  cx.chain.push(node);
  cx.declared.set(l.name, l);
  const args = collectArgs(cx, l, spec);
  const draft: Draft = { uncertain: false };
  let model: LayerModel | undefined;
  if (src) {
    try {
      model = ELABORATORS[spec.engine](cx, l, spec, args, src, draft, ranges);
    } catch (e) {
      if (!(e instanceof LayerAbort)) throw e;
    }
  }
  const foldKnown = checkFold(cx, l, spec, model);
  if (model) {
    cx.produced.set(l.name, { shape: model.outShape, type: model.outType, uncertain: draft.uncertain });
    if (src!.uncertain || !foldKnown) {
      // Analysed against a stand-in, or with an unknown fold: its checks ran, but its numbers are not the network's.
      cx.incomplete = true;
      return;
    }
    model.index = cx.net.layers.length;
    cx.net.layers.push(model);
    return;
  }
  cx.incomplete = true;
  if (draft.shape && draft.type) cx.produced.set(l.name, { shape: draft.shape, type: draft.type, uncertain: draft.uncertain });
}

/** The layer's producer; undefined (silently) when the producer itself has no output to hand on. */
function producer(cx: Elab, l: ast.Layer, node: ChainNode): LayerInput | undefined {
  const name = l.input?.$refText;
  if (!name) return undefined;
  if (!cx.declared.has(name)) {
    const later = cx.root.members.some((m) => m !== l && (m.$type === 'Layer' || m.$type === 'Input') && m.name === name);
    cx.error(
      'QNN010',
      later
        ? `'${name}' is declared below '${l.name}': a layer may only use names declared above it`
        : `unknown name '${name}': ${cx.knownProducers()}`,
      propRange(l, 'input'),
    );
    return undefined;
  }
  node.input = name;
  const p = cx.produced.get(name);
  return p && { name, ...p };
}

/** Checks the arguments against the catalogue: unknown (QNN010), repeated (QNN011), missing (QNN013). */
function collectArgs(cx: Elab, l: ast.Layer, spec: OperatorSpec): LayerArgs {
  const all = spec.args.map((a) => a.name);
  const args = new Map<string, ast.Arg>();
  for (const a of l.args) {
    if (!all.includes(a.name)) {
      cx.error('QNN010', `unknown argument '${a.name}' for ${l.op}: it takes ${all.join(', ')}`, propRange(a, 'name'), { valid: all });
    } else if (args.has(a.name)) {
      cx.error('QNN011', `argument '${a.name}' is given twice`, propRange(a, 'name'));
    } else args.set(a.name, a);
  }
  const required = requiredArgs(spec.op);
  const missing = required.filter((r) => !args.has(r));
  if (missing.length) {
    cx.error(
      'QNN013',
      `${l.op} needs ${missing.map((m) => `'${m}'`).join(', ')} (required: ${required.join(', ')}; optional: ${optionalArgs(spec.op).join(', ') || 'none'})`,
      propRange(l, 'op'),
      { missing },
    );
  }
  return new LayerArgs(args);
}

function layerRanges(l: ast.Layer): LayerModel['ranges'] {
  // CST ranges, needed only by the few layers with a message, a hover or a lens: each is
  // computed on first use (500-layer files re-elaborate on every keystroke; the name's is a
  // CST search, the others a walk to the node's first and last tokens).
  const r = {} as LayerModel['ranges'];
  lazyRange(r, 'name', () => propRange(l, 'name'));
  lazyRange(r, 'layer', () => nodeRange(l));
  const fold = l.fold;
  if (fold) {
    lazyRange(r, 'fold', () => nodeRange(fold));
    for (const f of fold.args) {
      if (f.name === 'pe' || f.name === 'simd' || f.name === 'mmv') lazyRange(r, f.name, () => nodeRange(f.value));
    }
  }
  return r;
}

/** Defines `key` on `ranges` as a property computed on first read, then kept. */
function lazyRange(ranges: LayerModel['ranges'], key: 'name' | 'layer' | 'fold' | 'pe' | 'simd' | 'mmv', compute: () => SrcRange): void {
  let value: SrcRange | undefined;
  Object.defineProperty(ranges, key, { enumerable: true, configurable: true, get: () => (value ??= compute()) });
}
