/**
 * The Vivado flow without Vivado (it cannot be installed here): the generated Tcl runs in
 * tclsh with Vivado's commands defined as recorders (stand-in/recorder.tcl) and is compared
 * with the golden command sequence; the preflight and the process handling run a stand-in
 * `vivado` (stand-in/vivado) put first on PATH. Nothing here has been run against a real
 * Vivado. Needs tclsh (Debian package tcl).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICES } from '../../../server/src/device/devices.js';
import { ToolMissingError } from '../../../server/src/flows/tools.js';
import { vivadoPreflight } from '../../../server/src/flows/vivado/preflight.js';
import { runVivadoBuild } from '../../../server/src/flows/vivado/run.js';
import {
  buildTcl,
  clocksXdc,
  tclWord,
  VivadoFlowError,
  writeVivadoScripts,
  type VivadoDesign,
  type VivadoPhase,
} from '../../../server/src/flows/vivado/script.js';

const standIn = path.resolve(__dirname, 'stand-in');
const recorder = path.join(standIn, 'recorder.tcl');
// Spaces, $ and brackets in the folder name: every path in the Tcl must be quoted right.
const root = mkdtempSync(path.join(tmpdir(), 'qnn vivado $x [y] '));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A compiled-looking RTL folder: files.f (when given), two sources, a ROM file. */
function rtlFolder(name: string, fileList = true): string {
  const rtl = path.join(root, name, 'rtl');
  mkdirSync(rtl, { recursive: true });
  writeFileSync(path.join(rtl, 'qnn_mvau.sv'), 'module qnn_mvau; endmodule\n');
  writeFileSync(path.join(rtl, 'net_top.sv'), 'module net_top(input clk); qnn_mvau u(); endmodule\n');
  writeFileSync(path.join(rtl, 'fc0_weights.mem'), '00\n');
  if (fileList) writeFileSync(path.join(rtl, 'files.f'), '# compile order\nqnn_mvau.sv\nnet_top.sv\n');
  return rtl;
}

const design = (rtlDir: string, over: Partial<VivadoDesign> = {}): VivadoDesign => ({
  rtlDir,
  top: 'net_top',
  device: 'xc7z020',
  clockMhz: 200,
  ...over,
});

/** The CALL lines of a script run under the recorders, each as its Tcl words. */
function recorded(script: string, env: NodeJS.ProcessEnv = {}): string[][] {
  const r = spawnSync('tclsh', [recorder, script], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.error, 'tclsh must be installed (Debian package tcl)').toBeUndefined();
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const calls = r.stdout.split('\n').filter((l) => l.startsWith('CALL '));
  // The recorder prints Tcl lists: tclsh splits them back into words (unit and record separators between).
  const split = spawnSync('tclsh', [], {
    input: calls.map((l) => `puts -nonewline [join [lrange ${tclWord(l)} 1 end] "\x1f"]\x1e`).join('\n'),
    encoding: 'utf8',
  });
  return split.stdout
    .split('\x1e')
    .slice(0, -1)
    .map((l) => l.split('\x1f'));
}

describe('tclWord', () => {
  it('Tcl reads back exactly the string, whatever it holds', () => {
    const samples = ['plain', 'with space', 'a$b', '[exit 3]', 'q"uote', 'back\\slash', '{brace', 'semi;colon', 'line\nbreak'];
    const script = samples.map((s) => `puts -nonewline ${tclWord(s)}; puts -nonewline "\\0"`).join('\n');
    const r = spawnSync('tclsh', [], { input: script, encoding: 'utf8' });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(samples);
  });
});

describe('build.tcl', () => {
  it('the golden command sequence: read the RTL in files.f order and the ROMs, the clock, OOC synthesis, opt/place/route, reports, checkpoints', () => {
    const rtl = rtlFolder('golden');
    const out = path.join(root, 'golden', 'vivado');
    const { tcl } = writeVivadoScripts(design(rtl), out);
    const o = (f: string): string => path.join(out, f);
    expect(recorded(tcl)).toEqual([
      ['read_verilog', '-sv', 'qnn_mvau.sv net_top.sv'],
      ['read_mem', 'fc0_weights.mem'],
      ['read_xdc', o('clocks.xdc')],
      ['synth_design', '-top', 'net_top', '-part', 'xc7z020clg400-1', '-mode', 'out_of_context'],
      ['write_checkpoint', '-force', o('post_synth.dcp')],
      ['report_utilization', '-file', o('utilization_synth.rpt')],
      ['opt_design'],
      ['place_design'],
      ['phys_opt_design'],
      ['route_design'],
      ['report_utilization', '-hierarchical', '-file', o('utilization_hierarchical.rpt')],
      ['report_utilization', '-file', o('utilization.rpt')],
      ['report_timing_summary', '-max_paths', '10', '-file', o('timing_summary.rpt')],
      ['write_checkpoint', '-force', o('post_route.dcp')],
    ]);
  });

  it('the sources are read from the RTL folder (the recorder fails on a file it cannot find there)', () => {
    const rtl = rtlFolder('missing');
    const out = path.join(root, 'missing', 'vivado');
    writeFileSync(path.join(rtl, 'files.f'), 'qnn_mvau.sv\nnot_there.sv\n');
    const { tcl } = writeVivadoScripts(design(rtl), out);
    const r = spawnSync('tclsh', [recorder, tcl], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/File not found: not_there\.sv/);
  });

  it('without files.f (an older compile) every .sv file is read', () => {
    const rtl = rtlFolder('nolist', false);
    expect(buildTcl(design(rtl), path.join(root, 'nolist', 'vivado'))).toContain('read_verilog -sv [list "net_top.sv" "qnn_mvau.sv"]');
  });

  it('clocks.xdc: create_clock on the clock port with the target period', () => {
    const rtl = rtlFolder('xdc');
    const { xdc } = writeVivadoScripts(design(rtl, { clockMhz: 125 }), path.join(root, 'xdc', 'vivado'));
    expect(recorded(xdc)).toEqual([
      ['get_ports', 'clk'],
      ['create_clock', '-period', '8.000', '-name', 'clk', ''],
    ]);
    expect(clocksXdc(design(rtl, { clockMhz: 300, clockPort: 'ap_clk' }))).toContain(
      'create_clock -period 3.333 -name ap_clk [get_ports ap_clk]',
    );
    expect(() => clocksXdc(design(rtl, { clockMhz: 0 }))).toThrow(/positive frequency/);
  });

  it('every Xilinx part of the device database; iCE40 and unknown devices are refused', () => {
    const rtl = rtlFolder('parts');
    const xilinx = DEVICES.filter((d) => d.flow === 'vivado');
    expect(xilinx.length).toBeGreaterThan(5);
    for (const d of xilinx) expect(buildTcl(design(rtl, { device: d.name }), root)).toContain(`-part "${d.part}" -mode out_of_context`);
    expect(() => buildTcl(design(rtl, { device: 'ice40up5k' }), root)).toThrow(/iCE40 part: it is built by the open flow/);
    expect(() => buildTcl(design(rtl, { device: 'xc7z999' }), root)).toThrow(VivadoFlowError);
    expect(() => buildTcl(design(path.join(root, 'nowhere')), root)).toThrow(/run qnn compile first/);
  });
});

const envWith = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${standIn}${path.delimiter}${process.env.PATH}`,
  ...extra,
});

describe('preflight (stand-in vivado on PATH)', () => {
  it('version and part found', async () => {
    const p = await vivadoPreflight('xc7z020clg400-1', {
      paths: {},
      env: envWith({ FAKE_VIVADO_PARTS: 'xc7z020clg400-1 xczu7ev-ffvc1156-2-e' }),
    });
    expect(p).toEqual({ vivado: path.join(standIn, 'vivado'), version: '2023.2', part: 'xc7z020clg400-1' });
  });

  it('a part that is not installed is named, with what to do', async () => {
    await expect(
      vivadoPreflight('xczu9eg-ffvb1156-2-e', { paths: {}, env: envWith({ FAKE_VIVADO_PARTS: 'xc7z020clg400-1' }) }),
    ).rejects.toThrow(/Vivado 2023\.2 does not have the part xczu9eg-ffvb1156-2-e: add its device family/);
  });

  it('no vivado anywhere: the message says how to get it', async () => {
    const err = await vivadoPreflight('xc7z020clg400-1', { paths: {}, env: { ...process.env, PATH: '/nonexistent' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toMatch(/Vivado is proprietary/);
  });

  it('something called vivado that is not Vivado is refused', async () => {
    const dir = path.join(root, 'impostor');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'vivado'), '#!/bin/sh\necho "hello"\n', { mode: 0o755 });
    await expect(vivadoPreflight('xc7z020clg400-1', { paths: { vivado: path.join(dir, 'vivado') }, env: process.env })).rejects.toThrow(
      /did not answer like Vivado/,
    );
  });
});

describe('running build.tcl (stand-in vivado)', () => {
  /** `events` fills while it runs (a test can wait for a phase). */
  async function build(name: string, extra: NodeJS.ProcessEnv = {}, signal?: AbortSignal, events: [VivadoPhase, 'start' | 'end'][] = []) {
    const rtl = rtlFolder(name);
    const out = path.join(root, name, 'vivado');
    const { tcl } = writeVivadoScripts(design(rtl), out);
    const lines: string[] = [];
    const result = await runVivadoBuild(tcl, {
      vivado: path.join(standIn, 'vivado'),
      outDir: out,
      env: envWith(extra),
      signal,
      onPhase: (p, s) => events.push([p, s === null ? 'start' : 'end']),
      onLine: (l) => lines.push(l),
    });
    return { result, events, lines, out };
  }

  it('a clean run: phases live and timed, the log read, utilisation and timing from the reports', async () => {
    const { result, events, lines, out } = await build('ok');
    expect(result).toMatchObject({ ok: true, exitCode: 0, failedPhase: null, firstError: null, cancelled: false });
    const order: VivadoPhase[] = ['synthesis', 'optimisation', 'placement', 'routing', 'reports'];
    expect(result.phases.map((p) => p.name)).toEqual(order);
    expect(events).toEqual(order.flatMap((p) => [[p, 'start'] as const, [p, 'end'] as const]));
    for (const p of result.phases) expect(p.seconds).toBeGreaterThanOrEqual(0);
    expect(lines).toContain('QNN-PHASE routing');
    expect(existsSync(path.join(out, 'vivado.log'))).toBe(true);
    expect(result.log).toMatchObject({ ended: 'normally', errors: [] });
    expect(result.log.commands.map((c) => c.name)).toEqual([
      'synth_design',
      'opt_design',
      'place_design',
      'phys_opt_design',
      'route_design',
    ]);
    expect(result.utilization).toMatchObject({ hierarchical: true, lut: 321, ff: 123, bram18: 3, dsp: 4 });
    expect(result.timing).toMatchObject({ met: true, wns_ns: 0.25, whs_ns: 0.05 });
  });

  it('an ERROR in routing: the failed phase and its first error, linked to the log line', async () => {
    const { result } = await build('fail', { FAKE_VIVADO_FAIL: 'route_design' });
    expect(result).toMatchObject({ ok: false, exitCode: 1, failedPhase: 'routing', utilization: null, timing: null });
    expect(result.firstError).toBe('[Common 17-69] Command failed: route_design failed (stand-in)');
    const log = readFileSync(result.logFile, 'utf8').split('\n');
    expect(log[result.log.errors[0].line - 1]).toMatch(/^ERROR: \[Common 17-69\]/);
  });

  it('killed for memory during placement: said so, with the phase', async () => {
    const { result } = await build('oom', { FAKE_VIVADO_OOM: 'place_design' });
    expect(result).toMatchObject({ ok: false, exitCode: 137, failedPhase: 'placement' });
    expect(result.firstError).toMatch(/^out of memory: Vivado was killed \(SIGKILL\).*out-of-memory killer/);
    expect(result.log.ended).toBe('out-of-memory');
  });

  it('cancel ends the whole process tree: no process is left', async () => {
    const pidFile = path.join(root, 'hang.pid');
    const ac = new AbortController();
    const events: [VivadoPhase, 'start' | 'end'][] = [];
    const started = build('hang', { FAKE_VIVADO_HANG: 'place_design', FAKE_VIVADO_PIDFILE: pidFile }, ac.signal, events);
    const t0 = Date.now();
    // The stand-in hangs in place_design, and the runner has read the phase from its log
    // (on a loaded machine the log line can arrive after the pid file is written).
    const placing = (): boolean => events.some(([p, e]) => p === 'placement' && e === 'start');
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '' || !placing()) {
      if (Date.now() - t0 > 20_000) throw new Error('the stand-in never reached place_design');
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    ac.abort();
    const { result } = await started;
    expect(result).toMatchObject({ ok: false, cancelled: true, failedPhase: 'placement', firstError: 'cancelled' });
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const t1 = Date.now();
    while (alive() && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
  });
});
