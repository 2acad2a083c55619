/** Constant evaluation of expressions (numbers with SI suffixes, consts, + − * / and parentheses). */
import type { Expr } from '../language/generated/ast.js';
import { parseNumberLiteral } from './numbers.js';

export class ExprError extends Error {
  constructor(
    message: string,
    readonly node: Expr,
    readonly code = 'QNN010',
  ) {
    super(message);
  }
}

/** A part of the expression is missing (the parser recovered from a syntax error, already reported). */
export class IncompleteExpr extends Error {}

/** Evaluates an expression; `lookup` returns a const's value or undefined when unknown. */
export function evalExpr(e: Expr | undefined, lookup: (name: string, node: Expr) => number | undefined): number {
  if (!e?.$type) throw new IncompleteExpr('incomplete expression');
  switch (e.$type) {
    case 'NumberLit':
      if (!e.value) throw new IncompleteExpr('incomplete number');
      return parseNumberLiteral(e.value);
    case 'ParenExpr':
      return evalExpr(e.inner, lookup);
    case 'NegExpr':
      return -evalExpr(e.operand, lookup);
    case 'NameRef': {
      const name = e.ref?.$refText;
      if (!name) throw new IncompleteExpr('incomplete name');
      const v = lookup(name, e);
      if (v === undefined) throw new ExprError(`unknown name '${name}': declare it with 'const ${name} = …' above`, e);
      return v;
    }
    case 'BinaryExpr': {
      const l = evalExpr(e.left, lookup);
      const r = evalExpr(e.right, lookup);
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          if (r === 0) throw new ExprError('division by zero', e, 'QNN030');
          return l / r;
      }
      throw new ExprError(`unknown operator ${e.op as string}`, e, 'QNN001');
    }
  }
}

/** The name an expression stands for when it is a bare identifier (`same`, `u4`), else undefined. */
export function bareName(e: unknown): string | undefined {
  const n = e as { $type?: string; ref?: { $refText: string } };
  return n?.$type === 'NameRef' ? n.ref?.$refText : undefined;
}
