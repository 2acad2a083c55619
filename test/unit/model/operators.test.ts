/**
 * The operator catalogue (model/operators.ts) against what else states the operators: the
 * grammar's operator names, the table of language.md §4, and the engines the model builds.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AstUtils, GrammarAST } from 'langium';
import { QnnGrammar } from '../../../server/src/language/generated/grammar.js';
import {
  BUILTIN_VALUE_NAMES,
  engineKindOf,
  isMvauOp,
  OP_NAMES,
  OPERATORS,
  optionalArgs,
  requiredArgs,
} from '../../../server/src/model/operators.js';
import type { OpKind } from '../../../server/src/model/types.js';
import { check, net } from './helpers.js';

const root = path.resolve(__dirname, '../../..');

/** The `| op | required | optional (default) | …` rows of language.md §4, by operator. */
function languageTable(): Map<string, { required: string; optional: string }> {
  const text = readFileSync(path.join(root, 'docs/language.md'), 'utf8');
  const section = text.slice(text.indexOf('## 4. Operators'), text.indexOf('## 5.'));
  const rows = new Map<string, { required: string; optional: string }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const op = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (op) rows.set(op, { required: cells[2], optional: cells[3] });
  }
  return rows;
}

describe('the operator catalogue', () => {
  it('has exactly the operators the grammar parses', () => {
    const rule = AstUtils.streamAllContents(QnnGrammar())
      .filter(GrammarAST.isParserRule)
      .find((r) => r.name === 'OpName')!;
    const keywords = AstUtils.streamAllContents(rule)
      .filter(GrammarAST.isKeyword)
      .map((k) => k.value)
      .toArray();
    expect([...OP_NAMES].sort()).toEqual([...keywords].sort());
  });

  it('states the arguments and defaults of the table in language.md §4', () => {
    const table = languageTable();
    expect([...table.keys()].sort()).toEqual([...OP_NAMES].sort());
    for (const op of OP_NAMES) {
      const row = table.get(op)!;
      // Required: each name in backticks, in the catalogue's order.
      const required = [...row.required.matchAll(/`(\w+)`/g)].map((m) => m[1]).filter((n) => requiredArgs(op).includes(n));
      expect(required, op).toEqual(requiredArgs(op));
      // Optional: `name` (default), … or — for none.
      const optional = OPERATORS[op].args.filter((a) => !a.required).map((a) => `${a.name} (${a.default})`);
      const documented = row.optional === '—' ? [] : row.optional.replace(/`/g, '').replace(/\(= /g, '(').split(', ');
      expect(documented, op).toEqual(optional);
    }
  });

  it('gives every argument a doc line, and every optional one a default', () => {
    for (const op of OP_NAMES) {
      for (const a of OPERATORS[op].args) {
        expect(a.doc.length, `${op}.${a.name}`).toBeGreaterThan(10);
        expect(a.required || a.default !== undefined, `${op}.${a.name}`).toBe(true);
      }
      expect(optionalArgs(op).length + requiredArgs(op).length).toBe(OPERATORS[op].args.length);
    }
  });

  it('names the engine the model builds for each operator', async () => {
    const layers: Record<OpKind, string> = {
      conv1d: 'conv1d(x, filters=2, kernel=3, weights=i2(random))',
      conv2d: 'conv2d(x, filters=2, kernel=3, weights=i2(random))',
      dense: 'dense(x, units=2, weights=i2(random))',
      maxpool: 'maxpool(x, kernel=2)',
      requant: 'requant(x, out=u4, scale=0.5)',
      threshold: 'threshold(x, out=u1, thresholds=[128])',
    };
    for (const op of OP_NAMES) {
      const input = OPERATORS[op].spatialDims === 2 ? 'u8[8, 8, 2]' : 'u8[8, 2]';
      const { analysis, codes } = await check(net(`layer l = ${layers[op]}`, { input }));
      expect(
        codes.filter((c) => c.startsWith('QNN0') && c < 'QNN043'),
        op,
      ).toEqual([]);
      expect(
        analysis.network.engines.map((e) => e.kind),
        op,
      ).toEqual([engineKindOf(op)]);
      expect(isMvauOp(op), op).toBe(engineKindOf(op) === 'mvau');
      // A conv's MVAU is fed by a window generator; only convs take a spatial input.
      expect(OPERATORS[op].engine === 'window+mvau', op).toBe(OPERATORS[op].spatialDims > 0);
      expect(OPERATORS[op].fold, op).toEqual(isMvauOp(op) ? ['pe', 'simd', 'mmv'] : ['pe', 'mmv']);
    }
  });

  it('lists the built-in value names rename refuses', () => {
    expect([...BUILTIN_VALUE_NAMES].sort()).toEqual(['auto', 'dsp', 'lut', 'same', 'scales', 'thresholds', 'valid']);
  });
});
