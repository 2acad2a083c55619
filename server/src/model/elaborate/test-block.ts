/** `test "NAME" { frames=N, seed=S, input=T("file.npy") }`: the simulations `qnn sim` runs. */
import type * as ast from '../../language/generated/ast.js';
import { TEST_ARGS } from '../operators.js';
import { nodeRange, propRange } from '../ranges.js';
import type { TestSpec } from '../types.js';
import { resolveSourcePath, SourceError } from '../weights.js';
import { LayerAbort, type Elab } from './context.js';
import { argExpr, argInt, seedValue, unquote } from './expressions.js';

const NAMES = TEST_ARGS.map((a) => a.name);

export function testBlock(cx: Elab, t: ast.Test): void {
  const spec: TestSpec = { name: t.name?.replace(/^"|"$/g, '') ?? '', frames: 1, seed: 0 };
  for (const a of t.args) {
    try {
      if (!NAMES.includes(a.name)) {
        cx.error('QNN010', `unknown test argument '${a.name}': a test takes ${NAMES.join(', ')}`, propRange(a, 'name'));
      } else if (a.name === 'input') {
        if (a.value?.$type !== 'Source' || !a.value.path) {
          cx.error('QNN030', `input must be a typed file, e.g. input=u8("frames.npy")`, nodeRange(a.value));
        } else spec.inputPath = resolveSourcePath(cx.opts.file, unquote(a.value.path));
      } else if (a.name === 'frames') spec.frames = argInt(cx, a, 1);
      else spec.seed = seedValue(cx, argExpr(cx, a));
    } catch (e) {
      if (e instanceof SourceError) cx.error(e.code, e.message, nodeRange(a.value));
      else if (!(e instanceof LayerAbort)) throw e;
    }
  }
  cx.net.tests.push(spec);
}
