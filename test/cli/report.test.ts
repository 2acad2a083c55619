/** `qnn report FILE [--json]` end to end (out/cli/qnn.cjs: build first). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = path.resolve('out/cli/qnn.cjs');
const data = (f: string): string => path.resolve(__dirname, '../data/reports', f);
const qnn = (...args: string[]) => spawnSync(process.execPath, [CLI, 'report', ...args], { encoding: 'utf8' });

describe('qnn report', () => {
  it('--json prints the reading; the kind comes from the content, whatever the file is called', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-report-'));
    const renamed = path.join(dir, 'utilization.rpt');
    writeFileSync(renamed, readFileSync(data('tiny-ice40.stat.json')));
    const r = qnn(renamed, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'yosys-stat', family: 'ice40', lut: 22, ff: 34, bram18: 1, dsp: 1 });
  });

  it('in words: fmax and verdict per clock, resources of the part', () => {
    const r = qnn(data('tiny-up5k-150mhz.nextpnr.json'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('99.35 MHz  FAIL at 150 MHz');
    expect(r.stdout).toMatch(/EBR\s+1 \/ 30/);
  });

  it('a file it does not know: exit 1 and what it reads; no file: usage, exit 2', () => {
    const r = qnn(data('tiny.v'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tiny\.v: this file is not a report qnn recognises\. qnn report reads a Vivado utilisation report/);
    expect(r.stdout).toBe('');
    expect(qnn().status).toBe(2);
    expect(qnn('/nonexistent/x.rpt').stderr).toMatch(/no such file/);
  });
});
