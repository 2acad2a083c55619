/**
 * `qnn build` for a Xilinx part runs the Vivado flow (preflight, build.tcl, reports) and
 * writes the same bitstream/report.json as the open flow. Vivado cannot be installed here:
 * the stand-in (stand-in/vivado, which runs the Tcl in tclsh with Vivado's commands as
 * recorders and writes canned reports) is the executable; what is checked is the wiring:
 * phases, report fields from the parsed reports, failure and preflight messages, no rebuild.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The Vivado commands the stand-in recorded in a build folder's vivado.log, in order. */
function recordedCalls(outDir: string): string[] {
  return readFileSync(path.join(outDir, 'vivado.log'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CALL '))
    .map((l) => l.slice(5));
}

/** Each pattern matches a call after the previous pattern's (a golden command sequence, other calls between allowed). */
function expectInOrder(calls: readonly string[], order: readonly RegExp[]): void {
  let at = 0;
  for (const re of order) {
    const i = calls.findIndex((c, k) => k >= at && re.test(c));
    expect(i, `${re} after call ${at}`).toBeGreaterThanOrEqual(0);
    at = i + 1;
  }
}

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
    expect(report.resources.labels).toEqual({ lut: 'LUT', ff: 'FF', bram18: 'BRAM18', dsp: 'DSP' });
    expect(readFileSync(path.join(dir, 'build', 'tz', 'bitstream', 'build.tcl'), 'utf8')).toContain('synth_design -top "tz_top"');
    // Unchanged: not run again. The estimate it is compared with is today's, not the one
    // stored with the build (a recalibrated cost model changes it while the RTL stays).
    const reportFile = path.join(dir, 'build', 'tz', 'bitstream', 'report.json');
    const stored = JSON.parse(readFileSync(reportFile, 'utf8')) as BuildReport;
    writeFileSync(
      reportFile,
      JSON.stringify({ ...stored, resources: { ...stored.resources, estimated: { lut: 1, ff: 1, bram18: 1, dsp: 1 } } }),
    );
    const again = JSON.parse(qnnBuild(dir, SRC()).stdout) as BuildReport;
    expect(again.cached).toBe(true);
    expect(again.resources.estimated).toEqual(report.resources.estimated);
    expect((JSON.parse(readFileSync(reportFile, 'utf8')) as BuildReport).resources.estimated).toEqual(report.resources.estimated);
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

  it('the preflight stops a build whose part is not installed, before anything is written', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-build-'));
    const r = qnnBuild(dir, SRC(), { FAKE_VIVADO_PARTS: 'xc7a35ticsg324-1L' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does not have the part xc7z020clg400-1');
  });
});

describe('qnn build for a Zynq board: block design, bitstream, .hwh and the PYNQ driver (stand-in executable)', () => {
  const BOARD = (bits = 4): string => `network tz {
  target xc7z020 @ 100 MHz, board pynq-z2
  input x: u${bits}[12]
  layer d1 = dense(x, units=6, weights=i3(random, seed=1)) fold(pe=2, simd=3)
  layer r1 = requant(d1, out=i5, scale=0.05)
  output r1
}
`;

  it('runs build_bd.tcl through its phases and leaves qnn.bit, qnn.hwh, the driver and frames to check the board with', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-bd-'));
    const r = qnnBuild(dir, BOARD());
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BuildReport;
    expect(report).toMatchObject({ flow: 'vivado', board: 'pynq-z2', top: 'qnn_wrapper', ok: true });
    expect(report.phases.map((p) => p.name)).toEqual(['block design', 'synthesis', 'implementation', 'bitstream', 'reports']);
    const out = path.join(dir, 'build', 'tz', 'bitstream');
    expect(report.bitstream).toBe(path.join(out, 'qnn.bit'));
    for (const f of ['qnn.bit', 'qnn.hwh', 'qnn_driver.py', 'qnn_dma_top.v', 'input.npy', 'expected.npy', 'build_bd.tcl'])
      expect(existsSync(path.join(out, f)), f).toBe(true);
    // The block design, in order: project on the board, PS, DMA, the accelerator, the wiring, the runs.
    expectInOrder(recordedCalls(out), [
      /^create_project -force qnn_bd .* -part xc7z020clg400-1$/,
      /^set_property board_part tul\.com\.tw:pynq-z2:part0:1\.0/,
      /^create_bd_design qnn$/,
      /^create_bd_cell -type ip -vlnv xilinx\.com:ip:processing_system7:5\.5 ps$/,
      /^set_property -dict .*CONFIG\.PCW_FPGA0_PERIPHERAL_FREQMHZ \{?100/,
      /^create_bd_cell -type ip -vlnv xilinx\.com:ip:axi_dma:7\.1 dma$/,
      /CONFIG\.c_m_axis_mm2s_tdata_width \{?16\}?.*CONFIG\.c_s_axis_s2mm_tdata_width \{?16/,
      /^create_bd_cell -type module -reference qnn_dma_top accel$/,
      /^connect_bd_intf_net .*dma\/M_AXIS_MM2S.*accel\/s_axis/,
      /^connect_bd_intf_net .*accel\/m_axis.*dma\/S_AXIS_S2MM/,
      /^make_wrapper /,
      /^launch_runs synth_1/,
      /^launch_runs impl_1 -to_step route_design/,
      /^launch_runs impl_1 -next_step/,
      /^open_run impl_1$/,
    ]);
  });

  it('builds the KV260 (K26 SOM, xck26) like the ZCU104: SOM board part and carrier, zynq_ultra_ps_e, HPM0/HP0 and pl_clk0', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-bd-'));
    const src = BOARD().replace('target xc7z020 @ 100 MHz, board pynq-z2', 'target xck26 @ 150 MHz, board kv260');
    const r = qnnBuild(dir, src, { FAKE_VIVADO_PARTS: 'xc7z020clg400-1 xck26-sfvc784-2LV-c' });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BuildReport;
    expect(report).toMatchObject({ flow: 'vivado', device: 'xck26', board: 'kv260', top: 'qnn_wrapper', ok: true, clock_mhz: 150 });
    expect(report.phases.map((p) => p.name)).toEqual(['block design', 'synthesis', 'implementation', 'bitstream', 'reports']);
    // The K26's capacities from the device database (DS987).
    expect(report.resources.available).toEqual({ lut: 117120, ff: 234240, bram18: 288, dsp: 1248 });
    const out = path.join(dir, 'build', 'tz', 'bitstream');
    expect(report.bitstream).toBe(path.join(out, 'qnn.bit'));
    for (const f of ['qnn.bit', 'qnn.hwh', 'qnn_driver.py', 'qnn_dma_top.v', 'input.npy', 'expected.npy', 'build_bd.tcl'])
      expect(existsSync(path.join(out, f)), f).toBe(true);
    expect(readFileSync(path.join(out, 'qnn_driver.py'), 'utf8')).toContain('on the kv260');
    const calls = recordedCalls(out);
    expectInOrder(calls, [
      /^create_project -force qnn_bd .* -part xck26-sfvc784-2LV-c$/,
      /^set_property board_part xilinx\.com:kv260_som:part0:1\.4 /,
      /^set_property board_connections \{som240_1_connector xilinx\.com:kv260_carrier:som240_1_connector:1\.3\} /,
      /^create_bd_design qnn$/,
      /^create_bd_cell -type ip -vlnv xilinx\.com:ip:zynq_ultra_ps_e:3\.3 ps$/,
      /^apply_bd_automation -rule xilinx\.com:bd_rule:zynq_ultra_ps_e .*apply_board_preset "1"/,
      // HPM0 for the DMA's registers, HP0 for its data, HPM1 (on in the K26 preset, no clock here) off, pl_clk0 at the target clock.
      /^set_property -dict \{CONFIG\.PSU__USE__M_AXI_GP0 1 CONFIG\.PSU__USE__M_AXI_GP1 0 CONFIG\.PSU__USE__S_AXI_GP2 1 CONFIG\.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ 150\} ps$/,
      /^create_bd_cell -type ip -vlnv xilinx\.com:ip:axi_dma:7\.1 dma$/,
      /^create_bd_cell -type module -reference qnn_dma_top accel$/,
      /^connect_bd_intf_net .*dma\/M_AXIS_MM2S.*accel\/s_axis/,
      /^connect_bd_intf_net .*accel\/m_axis.*dma\/S_AXIS_S2MM/,
      /^apply_bd_automation -rule xilinx\.com:bd_rule:axi4 -config \{Master \{\/ps\/M_AXI_HPM0_FPD\} Slave \{\/dma\/S_AXI_LITE\} Clk_master \{\/ps\/pl_clk0\}/,
      /^apply_bd_automation -rule xilinx\.com:bd_rule:axi4 -config \{Master \{\/dma\/M_AXI_MM2S\} Slave \{\/ps\/S_AXI_HP0_FPD\}/,
      /^apply_bd_automation -rule xilinx\.com:bd_rule:axi4 -config \{Master \{\/dma\/M_AXI_S2MM\} Slave \{\/ps\/S_AXI_HP0_FPD\}/,
      /^apply_bd_automation -rule xilinx\.com:bd_rule:clkrst -config \{Clk \{\/ps\/pl_clk0\}\} accel\/ap_clk$/,
      /^validate_bd_design$/,
      /^make_wrapper /,
      /^launch_runs synth_1/,
      /^launch_runs impl_1 -to_step route_design/,
      /^launch_runs impl_1 -next_step/,
      /^open_run impl_1$/,
    ]);
    // Nothing of the Zynq-7000 PS.
    expect(calls.some((c) => /processing_system7|PCW_|FCLK_CLK0/.test(c))).toBe(false);
  });

  it('the driver packs frames into DMA words as the wrapper reads them and unpacks the answers (python3 + numpy, no board)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-bd-'));
    expect(qnnBuild(dir, BOARD()).status).toBe(0);
    const out = path.join(dir, 'build', 'tz', 'bitstream');
    // u4 × SIMD 3 = 12 bits in 16-bit DMA words; i5 × PE 2 = 10 bits out in 16-bit words.
    const script = `
import sys, numpy as np
sys.path.insert(0, ${JSON.stringify(out)})
import qnn_driver as d
x = np.load(${JSON.stringify(path.join(out, 'input.npy'))})
b = d.pack(x)
assert b.size == 4 * 4 * 2, b.size
# Element i of a word at bits [4i, 4i+4): word 0 of frame 0 from its first three values.
w0 = int(x[0][0]) | int(x[0][1]) << 4 | int(x[0][2]) << 8
assert int(b[0]) | int(b[1]) << 8 == w0, (b[:2], w0)
want = np.load(${JSON.stringify(path.join(out, 'expected.npy'))})
words = bytearray()
for f in want:
    for k in range(0, len(f), 2):
        words += (((int(f[k]) & 31) | (int(f[k + 1]) & 31) << 5)).to_bytes(2, 'little')
y = d.unpack(np.frombuffer(bytes(words), dtype=np.uint8), 4)
assert (y == want).all(), (y, want)
print('driver ok')
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('driver ok');
  });

  it('the DMA wrapper is Verilog that connects to the compiled top (Verilator lint)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-bd-'));
    expect(qnnBuild(dir, BOARD()).status).toBe(0);
    const rtl = path.join(dir, 'build', 'tz', 'rtl');
    const files = readFileSync(path.join(rtl, 'files.f'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((f) => path.join(rtl, f));
    const r = spawnSync(
      'verilator',
      ['--lint-only', '-Wno-fatal', '--top-module', 'qnn_dma_top', ...files, path.join(dir, 'build', 'tz', 'bitstream', 'qnn_dma_top.v')],
      {
        encoding: 'utf8',
        cwd: rtl,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/%Error/);
  });

  it('refuses a board without a block design and a board on the wrong part, before Vivado runs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vivado-bd-'));
    const unknown = qnnBuild(dir, BOARD().replace('pynq-z2', 'zedboard'));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(
      "qnn builds a block design for pynq-z2, zcu104 and kv260, not 'zedboard': remove `board zedboard` to build the accelerator out of context",
    );
    expect(existsSync(path.join(dir, 'build', 'tz', 'bitstream', 'vivado.log'))).toBe(false);
    const wrong = qnnBuild(dir, BOARD().replace('pynq-z2', 'zcu104'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('the zcu104 carries an xczu7ev, not xc7z020');
    const kv = qnnBuild(dir, BOARD().replace('pynq-z2', 'kv260'));
    expect(kv.status).toBe(1);
    expect(kv.stderr).toContain('the kv260 carries an xck26, not xc7z020: make the target `xck26`');
  });
});
