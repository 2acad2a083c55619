/**
 * `qnn build` for a Xilinx part runs the Vivado flow (preflight, build.tcl, reports) and
 * writes the same bitstream/report.json as the open flow. Vivado cannot be installed here:
 * the stand-in (stand-in/vivado, which runs the Tcl in tclsh with Vivado's commands as
 * recorders and writes canned reports) is the executable; what is checked is the wiring:
 * phases, report fields from the parsed reports, failure and preflight messages, no rebuild.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../model/helpers.js';
import type { BuildReport } from '../../../server/src/protocol/results.js';

const STAND_IN = path.resolve(__dirname, 'stand-in', 'vivado');
const CLI = path.resolve('out/cli/qnn.cjs');
const SRC = (board = ''): string => `network tz {
  target xc7z020 @ 100 MHz${board}
  input x: u4[12]
  layer d1 = dense(x, units=4, weights=i3(random, seed=1)) fold(pe=2, simd=3)
  layer r1 = requant(d1, out=u4, scale=0.05)
  output r1
}
`;

function qnnBuild(dir: string, src: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(dir, 'tz.qnn');
  writeFileSync(file, src);
  return spawnSync(process.execPath, [CLI, 'build', file, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, QNN_TOOL_VIVADO: STAND_IN, FAKE_VIVADO_PARTS: 'xc7z020clg400-1', ...env },
  });
}

describe('qnn build with Vivado (stand-in executable)', () => {
  it('runs the phases of build.tcl and reports Fmax, WNS/TNS and resources from the parsed reports; no bitstream out of context', async () => {
    await check(SRC()); // the network is valid
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-build-'));
    const r = qnnBuild(dir, SRC());
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BuildReport;
    expect(report).toMatchObject({ flow: 'vivado', device: 'xc7z020', ok: true, bitstream: null, clock_mhz: 100, cached: false });
    expect(report.phases.map((p) => p.name)).toEqual(['synthesis', 'optimisation', 'placement', 'routing', 'reports']);
    // The stand-in's timing summary: WNS 0.250 ns, TNS 0 at 10 ns → Fmax 1000 / 9.75.
    expect(report.timing.wns_ns).toBe(0.25);
    expect(report.timing.tns_ns).toBe(0);
    expect(report.fmax_mhz).toBeCloseTo(1000 / 9.75, 2);
    expect(report.clock_met).toBe(true);
    expect(report.resources.used).not.toBeNull();
    expect(report.resources.available).toEqual({ lut: 53200, ff: 106400, bram18: 280, dsp: 220 });
    expect(readFileSync(path.join(dir, 'build', 'tz', 'bitstream', 'build.tcl'), 'utf8')).toContain('synth_design -top "tz_top"');
    // Unchanged: not run again.
    const again = JSON.parse(qnnBuild(dir, SRC()).stdout) as BuildReport;
    expect(again.cached).toBe(true);
  });

  it('a failing command names its phase and Vivado’s ERROR, as QNN080 on the target and a problem on its log line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-build-'));
    const r = qnnBuild(dir, SRC(), { FAKE_VIVADO_FAIL: 'route_design' });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as BuildReport;
    expect(report.ok).toBe(false);
    expect(report.failed_phase).toBe('routing');
    expect(report.first_error).toContain('[Common 17-69] Command failed: route_design failed');
    expect(r.stderr).toMatch(/tz\.qnn:2:3: error QNN080 the build failed in routing: \[Common 17-69\]/);
    expect(r.stderr).toMatch(/vivado\.log:\d+:1: error \[Common 17-69\] Command failed: route_design/);
  });

  it('the preflight stops a build whose part is not installed, before anything is written, and a board is refused for now', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-build-'));
    const r = qnnBuild(dir, SRC(), { FAKE_VIVADO_PARTS: 'xc7a35ticsg324-1L' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does not have the part xc7z020clg400-1');
    const b = qnnBuild(dir, SRC(', board pynq-z2'));
    expect(b.status).toBe(1);
    expect(b.stderr).toContain('qnn does not build the pynq-z2 block design');
  });
});
