/**
 * `qnn build` with the real open flow (Yosys synth_ice40 → nextpnr-ice40 → icepack):
 * a bitstream and its report, no rebuild of an unchanged design, a rebuild of a changed
 * one, a failure that names its phase and first error, cancellation that leaves no process
 * behind, and the CLI's messages for a wrong flow and a missing tool.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { buildBitstream } from '../../server/src/flows/bitstream.js';
import type { BuildReport } from '../../server/src/protocol/results.js';

const TINY = (clock: number, seed = 1): string => `network tiny {
  target ice40up5k @ ${clock} MHz
  input x: u4[12]
  layer d1 = dense(x, units=4, weights=i3(random, seed=${seed})) fold(pe=2, simd=3)
  layer r1 = requant(d1, out=u4, scale=0.05)
  output r1
}
`;
// 64 four-bit inputs a word: more pins than the UP5K's sg48 package has.
const WIDE = `network wide {
  target ice40up5k @ 20 MHz
  input x: u4[64]
  layer d1 = dense(x, units=4, weights=i2(random, seed=1)) fold(pe=2, simd=16)
  layer r1 = requant(d1, out=u4, scale=0.05)
  output r1
}
`;
const CLI = path.resolve('out/cli/qnn.cjs');
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'qnn-build-'));

async function build(src: string, dir: string, opts: Parameters<typeof buildBitstream>[3] = {}): Promise<BuildReport> {
  const { analysis } = await check(src);
  return buildBitstream(analysis, path.join(dir, 'net.qnn'), dir, opts);
}

/** Processes whose working folder is under dir (the flow runs every tool in the build folder). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(`${pid} ${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}`);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

describe('qnn build, open iCE40 flow', () => {
  it('writes a bitstream and a report with Fmax, resources used/estimated/available, the critical path and the phases', async () => {
    const dir = tmp();
    const r = await build(TINY(20), dir);
    expect(r.ok, r.first_error ?? '').toBe(true);
    expect(r).toMatchObject({ flow: 'open', device: 'ice40up5k', board: null, top: 'tiny_top', clock_mhz: 20, cached: false });
    // An iCE40 bitstream starts with 0xff 0x00 and carries the sync word 7E AA 99 7E.
    const bin = readFileSync(r.bitstream!);
    expect(bin.subarray(0, 2)).toEqual(Buffer.from([0xff, 0x00]));
    expect(bin.includes(Buffer.from([0x7e, 0xaa, 0x99, 0x7e]))).toBe(true);
    expect(r.phases.map((p) => p.name)).toEqual(['synthesis', 'placement', 'routing', 'bitstream']);
    expect(r.fmax_mhz).toBeGreaterThan(0);
    expect(r.clock_met).toBe(r.fmax_mhz! >= 20);
    expect(r.timing.wns_ns).toBeCloseTo(1000 / 20 - 1000 / r.fmax_mhz!, 2);
    expect(r.timing.critical_path.length).toBeGreaterThan(1);
    expect(r.resources.available).toEqual({ lut: 5280, ff: 5280, bram18: 30, dsp: 8 });
    expect(r.resources.labels).toEqual({ lut: 'logic cells', ff: 'flip-flops', bram18: 'EBRs', dsp: 'SB_MAC16' });
    // Memories and multipliers are counted exactly; logic cells are the place-and-route's.
    expect(r.resources.used!.dsp).toBe(r.resources.estimated.dsp);
    expect(r.resources.used!.bram18).toBe(r.resources.estimated.bram18);
    expect(r.resources.used!.lut).toBeGreaterThan(0);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'bitstream', 'report.json'), 'utf8')) as BuildReport;
    expect(onDisk.input_hash).toBe(r.input_hash);
    // Only the build folder is written: rtl/, report.json (compile) and bitstream/.
    expect(readdirSync(dir).sort()).toEqual(['bitstream', 'report.json', 'rtl']);
    expect(readFileSync(r.log, 'utf8')).toMatch(/== routing[\s\S]*\$ icepack design\.asc tiny_top\.bin/);

    // Unchanged: not rebuilt (the bitstream is the same file, untouched).
    const mtime = statSync(r.bitstream!).mtimeMs;
    const again = await build(TINY(20), dir);
    expect(again.cached).toBe(true);
    expect(again.input_hash).toBe(r.input_hash);
    expect(statSync(again.bitstream!).mtimeMs).toBe(mtime);
    // Changed weights or clock: rebuilt.
    const changed = await build(TINY(20, 2), dir);
    expect(changed.cached).toBe(false);
    expect(changed.input_hash).not.toBe(r.input_hash);
    const clock = await build(TINY(18, 2), dir, {});
    expect(clock.cached).toBe(false);
    expect(clock.clock_mhz).toBe(18);
  }, 180_000);

  it('board icebreaker: the UART shell and its pins around the accelerator, clocked through the PLL at 24 MHz', async () => {
    const dir = tmp();
    const r = await build(TINY(24).replace('@ 24 MHz', '@ 24 MHz, board icebreaker'), dir);
    expect(r.ok, r.first_error ?? '').toBe(true);
    expect(r).toMatchObject({ board: 'icebreaker', top: 'qnn_icebreaker_top', clock_mhz: 24 });
    const nextpnr = readFileSync(r.log, 'utf8');
    expect(nextpnr).toMatch(/--pcf icebreaker\.pcf/);
    expect(readFileSync(path.join(dir, 'bitstream', 'icebreaker.pcf'), 'utf8')).toMatch(/set_io -nowarn CLK 35/);
    expect(readdirSync(path.join(dir, 'bitstream', 'board')).sort()).toEqual([
      'qnn_icebreaker_top.sv',
      'qnn_uart_bridge.sv',
      'qnn_uart_rx.sv',
      'qnn_uart_tx.sv',
    ]);
    // The PLL primitive is read from Yosys's iCE40 library before the sources.
    expect(readFileSync(path.join(dir, 'bitstream', 'synth_ice40.ys'), 'utf8')).toMatch(
      /read_verilog -lib \+\/ice40\/cells_sim\.v\nread_verilog -sv/,
    );
    expect(nextpnr).toMatch(/SB_PLL40_PAD|PLL/);
    // The shell costs logic of its own beyond the accelerator's estimate.
    expect(r.resources.used!.lut!).toBeGreaterThan(r.resources.estimated.lut!);
  }, 180_000);

  it('a design whose pins do not fit the package fails in placement, naming nextpnr’s first error and what to do', async () => {
    const r = await build(WIDE, tmp());
    expect(r.ok).toBe(false);
    expect(r.bitstream).toBeNull();
    expect(r.failed_phase).toBe('placement');
    // Which stream pin nextpnr fails on first (a data bit or a handshake) depends on the
    // design's placement order, which moves with the netlist's cell names.
    expect(r.first_error).toMatch(/^nextpnr-ice40: ERROR: Unable to find a placement location for cell '[sm]_axis_t\w+(\[\d+\])?\$sb_io'/);
    expect(r.first_error).toContain('The bare accelerator has 79 I/O pins');
    expect(r.first_error).toContain('board icebreaker');
    expect(r.phases.map((p) => p.name)).toEqual(['synthesis', 'placement']);
  }, 120_000);

  it('cancelled during synthesis: the report says so and no tool process is left', async () => {
    const dir = tmp();
    const abort = new AbortController();
    const phases: string[] = [];
    const src = readFileSync(path.resolve('examples/peak_detector_icebreaker/peak_detector_icebreaker.qnn'), 'utf8')
      .replace(', board icebreaker', '')
      .replaceAll('../peak_detector/weights', path.resolve('examples/peak_detector/weights'));
    const r = await build(src, dir, {
      signal: abort.signal,
      onPhase: (p, s) => {
        phases.push(`${p} ${s === null ? 'start' : 'end'}`);
        if (p === 'synthesis' && s === null) setTimeout(() => abort.abort(), 1500);
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.failed_phase).toBe('synthesis');
    expect(r.first_error).toBe('cancelled');
    expect(phases).toEqual(['synthesis start', 'synthesis end']);
    expect(processesIn(dir)).toEqual([]);
  }, 120_000);

  it('the CLI refuses a flow the device is not built by, and names the package of a missing tool', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'tiny.qnn'), TINY(20));
    const wrong = spawnSync(process.execPath, [CLI, 'build', path.join(dir, 'tiny.qnn'), '--flow', 'vivado'], { encoding: 'utf8' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('ice40up5k is built by the open flow (Yosys + nextpnr-ice40), not the vivado one');
    const missing = spawnSync(process.execPath, [CLI, 'build', path.join(dir, 'tiny.qnn')], {
      encoding: 'utf8',
      env: { ...process.env, QNN_TOOL_NEXTPNR_ICE40: path.join(dir, 'no-such-nextpnr') },
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nextpnr-ice40 was not found at the configured path');
    expect(missing.stderr).toContain('sudo apt-get install nextpnr-ice40');
    // Nothing was written before the tools were found.
    expect(readdirSync(dir)).toEqual(['tiny.qnn']);
  });

  it('the CLI reports a failed build as QNN080 and a missed clock as QNN081 on the target line, and tool errors on their log line', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'wide.qnn'), WIDE);
    writeFileSync(path.join(dir, 'fast.qnn'), TINY(200));
    const failed = spawnSync(process.execPath, [CLI, 'build', path.join(dir, 'wide.qnn')], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(`${path.join(dir, 'wide.qnn')}:2:3: error QNN080 the build failed in placement: nextpnr-ice40: ERROR:`);
    const logLine = /^(.*build\.log):(\d+):1: error (Unable to find a placement location.*)$/m.exec(failed.stderr);
    expect(logLine).not.toBeNull();
    expect(readFileSync(logLine![1], 'utf8').split('\n')[Number(logLine![2]) - 1]).toBe(`ERROR: ${logLine![3]}`);
    const slow = spawnSync(process.execPath, [CLI, 'build', path.join(dir, 'fast.qnn'), '--json'], { encoding: 'utf8' });
    expect(slow.status).toBe(1);
    const report = JSON.parse(slow.stdout) as BuildReport;
    expect(report.ok).toBe(true);
    expect(report.clock_met).toBe(false);
    expect(slow.stderr).toContain(
      `${path.join(dir, 'fast.qnn')}:2:3: warning QNN081 the built design reaches ${report.fmax_mhz} MHz, short of the 200 MHz clock`,
    );
  }, 120_000);
});
