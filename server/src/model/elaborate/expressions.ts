/**
 * Consts and expressions: `const` declarations, and the values of arguments (integers,
 * numbers, types, inline lists, seeds), each reported with its code when it is wrong.
 */
import type { AstNode } from 'langium';
import * as ast from '../../language/generated/ast.js';
import { bareName, evalExpr, ExprError, IncompleteExpr } from '../expr.js';
import { MAX_ACC_BITS, parseTypeName, typeName, typeRangeError } from '../qtype.js';
import type { OperatorSpec } from '../operators.js';
import { nodeRange } from '../ranges.js';
import type { QType } from '../types.js';
import { MAX_SEED } from '../../weights/random.js';
import { LayerAbort, MAX_INT_ARG, type Elab } from './context.js';

export function constDecl(cx: Elab, c: ast.Const): void {
  if (!c.value || !c.name) return;
  try {
    cx.consts.set(c.name, evalExpr(c.value, lookupIn(cx)));
  } catch (err) {
    if (err instanceof ExprError) cx.error(err.code, `const ${c.name}: ${err.message}`, nodeRange(err.node));
    else if (!(err instanceof IncompleteExpr)) throw err;
  }
}

function lookupIn(cx: Elab): (name: string) => number | undefined {
  return (name) => cx.consts.get(name);
}

/** The value of an expression; a bad one is reported, an incomplete one (a syntax error) is not. */
export function evalNumber(cx: Elab, e: ast.Expr, what: string): number {
  try {
    return evalExpr(e, lookupIn(cx));
  } catch (err) {
    if (err instanceof ExprError) cx.abort(err.code, `${what}: ${err.message}`, nodeRange(err.node));
    if (err instanceof IncompleteExpr) throw new LayerAbort();
    throw err;
  }
}

export function evalInt(cx: Elab, e: ast.Expr, what: string, min: number, max = MAX_INT_ARG): number {
  const v = evalNumber(cx, e, what);
  if (!Number.isInteger(v) || v < min) cx.abort('QNN030', `${what} must be an integer ≥ ${min}, not ${v}`, nodeRange(e));
  if (v > max) cx.abort('QNN030', `${what} is ${v}, above the largest supported value ${max}`, nodeRange(e));
  return v;
}

export function seedValue(cx: Elab, e: ast.Expr): number {
  const s = evalInt(cx, e, 'seed', 0, Number.MAX_SAFE_INTEGER);
  if (s > MAX_SEED) cx.abort('QNN030', `seed ${s} is out of range: seeds are 0 … ${MAX_SEED}`, nodeRange(e));
  return s;
}

/** The expression of an argument that takes a number. */
export function argExpr(cx: Elab, a: ast.Arg): ast.Expr {
  const v = a.value;
  if (!v || !ast.isExpr(v)) cx.abort('QNN030', `'${a.name}' takes a number`, nodeRange(v ?? a));
  return v;
}

export function argInt(cx: Elab, a: ast.Arg, min: number): number {
  return evalInt(cx, argExpr(cx, a), `'${a.name}'`, min);
}

/** An integer argument of an operator, at least the minimum its catalogue entry gives. */
export function intArg(cx: Elab, spec: OperatorSpec, a: ast.Arg): number {
  const v = spec.args.find((s) => s.name === a.name)?.value;
  if (v?.kind !== 'int') throw new Error(`${spec.op}'s '${a.name}' is not an integer argument in the catalogue`);
  return argInt(cx, a, v.min);
}

/** The type of an input, a weight source or a type argument written as bipolar / pow2<N>. */
export function typeOf(cx: Elab, spec: ast.TypeSpec | undefined, allowPow2: boolean, what: string): QType {
  if (!spec) throw new LayerAbort();
  let t: QType | undefined;
  if (spec.$type === 'BipolarType') t = { kind: 'bipolar' };
  else if (spec.$type === 'Pow2Type') t = { kind: 'pow2', bits: Number(spec.bits) };
  else t = parseTypeName(spec.name);
  if (!t) {
    cx.abort(
      'QNN010',
      `unknown type '${(spec as ast.NamedType).name}' for ${what}: use uN (N = 1…16), iN (N = 2…16), bipolar${allowPow2 ? ' or pow2<N>' : ''}`,
      nodeRange(spec),
    );
  }
  const bad = typeRangeError(t);
  if (bad) cx.abort('QNN030', bad, nodeRange(spec));
  if (t.kind === 'pow2' && !allowPow2) cx.abort('QNN030', `${what} cannot be ${typeName(t)}: pow2<N> is for weights only`, nodeRange(spec));
  return t;
}

/** An argument that names a type (`out=u4`, `acc=i16`; `acc` may be up to i48). */
export function argType(cx: Elab, a: ast.Arg, allowPow2: boolean): QType {
  const v = a.value;
  if (v?.$type === 'BipolarType' || v?.$type === 'Pow2Type') return typeOf(cx, v, allowPow2, `'${a.name}'`);
  const name = bareName(v);
  const t = name !== undefined ? parseTypeName(name) : undefined;
  if (!t) {
    cx.abort('QNN030', `'${a.name}' takes a type (uN, iN${a.name === 'out' ? ', bipolar' : ''}), not '${textOf(v)}'`, nodeRange(v ?? a));
  }
  const bad =
    a.name === 'acc' && t.kind === 'int'
      ? t.bits >= 2 && t.bits <= MAX_ACC_BITS
        ? undefined
        : `acc=i${t.bits} is out of range: acc takes i2 … i${MAX_ACC_BITS}`
      : typeRangeError(t);
  if (bad) cx.abort('QNN030', bad, nodeRange(v));
  return t;
}

/** The numbers of an inline list, nested lists flattened in order. */
export function flatList(cx: Elab, list: ast.ListLit): number[] {
  const out: number[] = [];
  const walk = (l: ast.ListLit): void => {
    for (const item of l.items) {
      if (item.$type === 'ListLit') walk(item);
      else out.push(evalNumber(cx, item, 'list value'));
    }
  };
  walk(list);
  return out;
}

/** Rows of a nested list ([[…], […]]) or one row for a flat list. */
export function listRows(cx: Elab, list: ast.ListLit): number[][] {
  if (list.items.length > 0 && list.items.every((i) => i.$type === 'ListLit')) {
    return list.items.map((i) => flatList(cx, i as ast.ListLit));
  }
  return [flatList(cx, list)];
}

export function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? JSON.parse(s) : s;
}

export function textOf(node: AstNode | undefined): string {
  return node?.$cstNode?.text ?? '';
}
