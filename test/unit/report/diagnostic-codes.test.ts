/**
 * The diagnostic code catalogue (report/diagnostic-codes.ts, the SARIF rules of `qnn
 * check`) against docs/language.md's table and the codes the server emits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../../server/src/report/diagnostic-codes.js';

const ROOT = path.resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('diagnostic codes', () => {
  const catalogue = new Map(DIAGNOSTIC_CODES.map((c) => [c.code, c]));

  it('each code once, in order, with a PascalCase name and a sentence', () => {
    const codes = DIAGNOSTIC_CODES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
    for (const c of DIAGNOSTIC_CODES) {
      expect(c.code).toMatch(/^QNN\d{3}$/);
      expect(c.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(c.summary).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('every row of the docs table, with its severity', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/language.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (QNN\d{3}) \| (error|warning|info|hint) \|/gm)];
    expect(rows.length).toBeGreaterThan(20);
    for (const [, code, severity] of rows) expect(catalogue.get(code)?.severity, code).toBe(severity);
  });

  it('every code the server emits', () => {
    const emitted = new Set<string>();
    for (const f of sources(path.join(ROOT, 'server/src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/'(QNN\d{3})'/g)) emitted.add(m[1]);
    }
    expect(emitted.size).toBeGreaterThan(20);
    for (const code of emitted) expect(catalogue.has(code), code).toBe(true);
  });
});
