/**
 * `qnn check --format github|sarif` and `qnn estimate --json`'s schema_version, through the
 * built CLI on an example copied outside the repository (with an illegal fold in it).
 *
 * The SARIF log is validated against the official SARIF 2.1.0 JSON schema,
 * schemas/sarif-2.1.0-rtm.5.json: copied unchanged from the npm package
 * @microsoft/jest-sarif@1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json, Microsoft's SARIF
 * SDK, MIT; sha256 2d99159a…a4de4f8), with the `jsonschema` validator (draft-04, formats).
 * Needs out/ (built here when stale).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Validator } from 'jsonschema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-types';
import { githubAnnotation, sarifLog, type SarifLog } from '../../server/src/cli/check-formats.js';
import { QNN_VERSION } from '../../server/src/cli/version.js';
import { ESTIMATE_SCHEMA_VERSION, type Estimate } from '../../server/src/protocol/estimate.js';
import { DIAGNOSTIC_CODES } from '../../server/src/report/diagnostic-codes.js';
import { ensureBuilt, EXAMPLES, ROOT } from '../lsp/lsp-client.js';

const CLI = path.join(ROOT, 'out/cli/qnn.cjs');
const SCHEMA = JSON.parse(readFileSync(path.join(__dirname, 'schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
const tmp = mkdtempSync(path.join(tmpdir(), 'qnn-check-formats-'));
const rel = 'nets/tfc/bad net.qnn'; // a space: the SARIF URI must encode it

interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  severity: string;
  code: string;
  message: string;
}

function qnn(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
}

function schemaErrors(log: unknown): string[] {
  return new Validator().validate(log, SCHEMA).errors.map((e) => `${e.property} ${e.message}`);
}

let json: JsonDiagnostic[];
beforeAll(() => {
  ensureBuilt();
  const dir = path.join(tmp, 'nets/tfc');
  cpSync(path.join(EXAMPLES, 'tfc_w1a1'), dir, { recursive: true });
  const text = readFileSync(path.join(dir, 'tfc_w1a1.qnn'), 'utf8');
  writeFileSync(path.join(tmp, rel), text.replace('fold(pe=8, simd=8)', 'fold(pe=8, simd=5)'));
  const r = qnn('check', '--format', 'json', rel);
  expect(r.status).toBe(1);
  json = JSON.parse(r.stdout) as JsonDiagnostic[];
  expect(json.map((d) => d.code)).toContain('QNN040');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('qnn check --format sarif', () => {
  let log: SarifLog;
  beforeAll(() => {
    const r = qnn('check', '--format', 'sarif', rel);
    expect(r.status).toBe(1);
    log = JSON.parse(r.stdout) as SarifLog;
  });

  it('is valid against the SARIF 2.1.0 schema', () => {
    expect(schemaErrors(log)).toEqual([]);
  });

  it('the validator does reject what the schema forbids (a 0 line, an unknown level, no message)', () => {
    const bad = structuredClone(log);
    bad.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    (bad.runs[0].results[1] as { level: string }).level = 'fatal';
    delete (bad.runs[0].results[2] as { message?: unknown }).message;
    const errors = schemaErrors(bad);
    expect(errors.some((e) => e.includes('startLine'))).toBe(true);
    expect(errors.some((e) => e.includes('level'))).toBe(true);
    expect(errors.some((e) => e.includes('message'))).toBe(true);
  });

  it('names the tool, its version and every QNN code as a rule', () => {
    const driver = log.runs[0].tool.driver;
    expect(driver.name).toBe('qnn');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(driver.version).toBe(pkg.version);
    expect(QNN_VERSION).toBe(pkg.version);
    expect(driver.rules.map((r) => r.id)).toEqual(DIAGNOSTIC_CODES.map((c) => c.code));
  });

  it('has one result per diagnostic, with its code, level and 1-based region', () => {
    const results = log.runs[0].results;
    expect(results).toHaveLength(json.length);
    const level = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as Record<string, string>;
    results.forEach((r, i) => {
      const d = json[i];
      expect(r.ruleId).toBe(d.code);
      expect(log.runs[0].tool.driver.rules[r.ruleIndex!].id).toBe(d.code);
      expect(r.level).toBe(level[d.severity]);
      expect(r.message.text).toBe(d.message);
      const { artifactLocation, region } = r.locations[0].physicalLocation;
      expect(artifactLocation).toEqual({ uri: 'nets/tfc/bad%20net.qnn', uriBaseId: '%SRCROOT%' });
      expect(region).toEqual({ startLine: d.line, startColumn: d.column, endLine: d.end_line, endColumn: d.end_column });
    });
    const simd = results.find((r) => r.ruleId === 'QNN040')!;
    const line = readFileSync(path.join(tmp, rel), 'utf8').split('\n')[simd.locations[0].physicalLocation.region.startLine - 1];
    const { startColumn, endColumn } = simd.locations[0].physicalLocation.region;
    expect(line.slice(startColumn - 1, endColumn - 1)).toBe('5');
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${tmp}/`);
  });

  it('a clean file gives a valid log with no results; a file outside the folder an absolute URI', () => {
    const r = qnn('check', '--format', 'sarif', 'nets/tfc/tfc_w1a1.qnn');
    expect(r.status).toBe(0);
    const clean = JSON.parse(r.stdout) as SarifLog;
    expect(schemaErrors(clean)).toEqual([]);
    expect(clean.runs[0].results.every((x) => x.level === 'note')).toBe(true);
    const outside = sarifLog([{ file: path.join(tmp, rel), diagnostics: [diag()] }], path.join(tmp, 'elsewhere'));
    expect(outside.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: `file://${tmp}/nets/tfc/bad%20net.qnn`,
    });
    expect(schemaErrors(outside)).toEqual([]);
  });
});

function diag(message = 'm', code = 'QNN040', severity: Diagnostic['severity'] = 1): Diagnostic {
  return { range: { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } }, message, code, severity };
}

describe('qnn check --format github', () => {
  it('one workflow command per diagnostic: file, 1-based line, col, endLine, endColumn, title', () => {
    const r = qnn('check', '--format', 'github', rel);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(json.length);
    const cmd = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' } as Record<string, string>;
    lines.forEach((l, i) => {
      const d = json[i];
      expect(l).toBe(
        `::${cmd[d.severity]} file=nets/tfc/bad net.qnn,line=${d.line},col=${d.column},endLine=${d.end_line},endColumn=${d.end_column},title=${d.code}::${d.message.replace(/%/g, '%25')}`,
      );
    });
    expect(lines.some((l) => l.startsWith('::error ') && l.includes('title=QNN040::SIMD 5 does not divide'))).toBe(true);
  });

  it('escapes what would end a property or the message', () => {
    const line = githubAnnotation('a,b:c.qnn', diag('50 % over\nsecond line'), '/');
    expect(line).toBe('::error file=a%2Cb%3Ac.qnn,line=3,col=5,endLine=3,endColumn=10,title=QNN040::50 %25 over%0Asecond line');
  });

  it('a wrong format is a usage error that lists the formats', () => {
    const r = qnn('check', '--format', 'xml', rel);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('text, json, github, sarif');
  });
});

describe('qnn estimate --json', () => {
  it('carries schema_version, first', () => {
    const r = qnn('estimate', '--json', 'nets/tfc/tfc_w1a1.qnn');
    expect(r.status, r.stderr).toBe(0);
    const est = JSON.parse(r.stdout) as Estimate;
    expect(est.schema_version).toBe(ESTIMATE_SCHEMA_VERSION);
    expect(Object.keys(est)[0]).toBe('schema_version');
  });
});
