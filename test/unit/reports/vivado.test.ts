/**
 * The Vivado readers on small texts written here in Vivado's layouts (the real reports
 * are the fixtures suite's, test/fixtures/vivado-reports.test.ts): the cases the
 * fixtures lack — hold failures, OOM kills, blank table cells, truncated files.
 */
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../../server/src/flows/reports/detect.js';
import { ReportError, type VivadoLog, type VivadoTiming, type VivadoUtilization } from '../../../server/src/flows/reports/types.js';
import { columnTable } from '../../../server/src/flows/reports/text-table.js';

const header = (command: string, device: string): string => `Copyright 1986-2022 Xilinx, Inc. All Rights Reserved.
---------------------------------------------------------------------
| Tool Version : Vivado v.2022.2 (lin64) Build 0000000 Mon Jan  1 00:00:00 MST 2023
| Date         : Mon Jan  2 00:00:00 2023
| Command      : ${command}
| Design       : net_top
| Device       : ${device}
| Design State : Routed
---------------------------------------------------------------------
`;

const ULTRASCALE = `${header('report_utilization -file u.rpt', 'xczu7ev-ffvc1156-2-e')}
Utilization Design Information

1. CLB Logic
------------

+----------------------------+------+-------+------------+-----------+-------+
|          Site Type         | Used | Fixed | Prohibited | Available | Util% |
+----------------------------+------+-------+------------+-----------+-------+
| CLB LUTs                   | 1200 |     0 |          0 |    230400 |  0.52 |
|   LUT as Logic             | 1100 |     0 |          0 |    230400 |  0.48 |
| CLB Registers              |  900 |     0 |          0 |    460800 |  0.20 |
+----------------------------+------+-------+------------+-----------+-------+

3. BLOCKRAM
-----------

+-------------------+------+-------+------------+-----------+-------+
|     Site Type     | Used | Fixed | Prohibited | Available | Util% |
+-------------------+------+-------+------------+-----------+-------+
| Block RAM Tile    |  3.5 |     0 |          0 |       312 |  1.12 |
|   RAMB36/FIFO*    |    3 |     0 |          0 |       312 |  0.96 |
|   RAMB18          |    1 |     0 |          0 |       624 |  0.16 |
| URAM              |    2 |     0 |          0 |        96 |  2.08 |
+-------------------+------+-------+------------+-----------+-------+

4. ARITHMETIC
-------------

+----------------+------+-------+------------+-----------+-------+
|    Site Type   | Used | Fixed | Prohibited | Available | Util% |
+----------------+------+-------+------------+-----------+-------+
| DSPs           |   12 |     0 |          0 |      1728 |  0.69 |
+----------------+------+-------+------------+-----------+-------+
`;

const HIERARCHICAL = `${header('report_utilization -hierarchical -file h.rpt', 'xczu7ev-ffvc1156-2-e')}
1. Utilization by Hierarchy
---------------------------

+------------+--------+------------+------------+---------+------+-----+--------+--------+------+------------+
|  Instance  | Module | Total LUTs | Logic LUTs | LUTRAMs | SRLs | FFs | RAMB36 | RAMB18 | URAM | DSP Blocks |
+------------+--------+------------+------------+---------+------+-----+--------+--------+------+------------+
| net_top    |  (top) |        120 |        100 |      12 |    8 |  90 |      1 |      1 |    2 |          2 |
|   c1       | mvau_a |         70 |         60 |       6 |    4 |  50 |      1 |      0 |    2 |          2 |
|     win    |  win_a |         30 |         30 |       0 |    0 |  20 |      0 |      0 |    0 |          0 |
|   d2       | mvau_b |         50 |         40 |       6 |    4 |  40 |      0 |      1 |    0 |          0 |
+------------+--------+------------+------------+---------+------+-----+--------+--------+------+------------+
`;

function timing(summaryRow: string, verdict: string, intra = ''): string {
  return `${header('report_timing_summary -file t.rpt', 'xc7z020-clg400')}
Timing Summary Report

------------------------------------------------------------------------------------------------
| Design Timing Summary
| ---------------------
------------------------------------------------------------------------------------------------

    WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)  THS Failing Endpoints  THS Total Endpoints     WPWS(ns)     TPWS(ns)  TPWS Failing Endpoints  TPWS Total Endpoints
    -------      -------  ---------------------  -------------------      -------      -------  ---------------------  -------------------     --------     --------  ----------------------  --------------------
${summaryRow}


${verdict}


------------------------------------------------------------------------------------------------
| Clock Summary
| -------------
------------------------------------------------------------------------------------------------

Clock    Waveform(ns)       Period(ns)      Frequency(MHz)
-----    ------------       ----------      --------------
ap_clk   {0.000 2.500}      5.000           200.000
  gen    {0.000 5.000}      10.000          100.000


------------------------------------------------------------------------------------------------
| Intra Clock Table
| -----------------
------------------------------------------------------------------------------------------------

Clock             WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)  THS Failing Endpoints  THS Total Endpoints     WPWS(ns)     TPWS(ns)  TPWS Failing Endpoints  TPWS Total Endpoints
-----             -------      -------  ---------------------  -------------------      -------      -------  ---------------------  -------------------     --------     --------  ----------------------  --------------------
${intra}
`;
}

const HOLD_FAIL_ROW =
  '      0.412        0.000                      0                  500       -0.120       -0.480                      4                  500        1.750        0.000                       0                   300';
const HOLD_FAIL_INTRA = [
  'ap_clk              0.412        0.000                      0                  500       -0.120       -0.480                      4                  500        1.750        0.000                       0                   300',
  '  gen                                                                                                                                                  4.500        0.000                       0                     1',
].join('\n');

describe('report_utilization', () => {
  it('UltraScale+ layout (CLB names, Prohibited column): BRAM18 = 2 × RAMB36 + RAMB18, URAM and capacities', () => {
    const r = parseReport(ULTRASCALE) as VivadoUtilization;
    expect(r).toMatchObject({
      kind: 'vivado-utilization',
      device: 'xczu7ev-ffvc1156-2-e',
      design: 'net_top',
      tool_version: '2022.2',
      hierarchical: false,
    });
    expect(r).toMatchObject({ lut: 1200, ff: 900, bram18: 7, dsp: 12, uram: 2 });
    expect(r.available).toEqual({ lut: 230400, ff: 460800, bram18: 624, dsp: 1728, uram: 96 });
  });

  it('the same with CRLF line ends', () => {
    expect(parseReport(ULTRASCALE.replace(/\n/g, '\r\n'))).toEqual(parseReport(ULTRASCALE));
  });

  it('a report without its LUT row is refused, never read as 0', () => {
    expect(() => parseReport(ULTRASCALE.replace(/\| CLB LUTs .*\n/, ''))).toThrow(/no "Slice LUTs" or "CLB LUTs" row/);
  });

  it('-hierarchical: the top row, and every instance with depth and path', () => {
    const r = parseReport(HIERARCHICAL) as VivadoUtilization;
    expect(r).toMatchObject({ hierarchical: true, lut: 120, ff: 90, bram18: 3, dsp: 2, uram: 2, available: null });
    expect(r.instances!.map((i) => [i.path, i.module, i.depth, i.lut, i.bram18])).toEqual([
      ['net_top', '(top)', 0, 120, 3],
      ['net_top/c1', 'mvau_a', 1, 70, 2],
      ['net_top/c1/win', 'win_a', 2, 30, 0],
      ['net_top/d2', 'mvau_b', 1, 50, 1],
    ]);
  });

  it('-hierarchical without the DSP column is refused with the columns it has', () => {
    const cut = HIERARCHICAL.replace(/ DSP Blocks \|/, ' Other |');
    expect(() => parseReport(cut)).toThrow(/lacks the column\(s\) dsp/);
  });
});

describe('report_timing_summary', () => {
  it('a hold failure: met false, failures [hold], WHS/THS and failing endpoints', () => {
    const r = parseReport(timing(HOLD_FAIL_ROW, 'Timing constraints are not met.', HOLD_FAIL_INTRA)) as VivadoTiming;
    expect(r).toMatchObject({
      constrained: true,
      met: false,
      failures: ['hold'],
      wns_ns: 0.412,
      whs_ns: -0.12,
      ths_ns: -0.48,
      hold_failing_endpoints: 4,
    });
  });

  it('clocks: blank cells stay null (a clock with only pulse-width checks), fmax = 1000 / (period − WNS)', () => {
    const r = parseReport(timing(HOLD_FAIL_ROW, 'Timing constraints are not met.', HOLD_FAIL_INTRA)) as VivadoTiming;
    expect(r.clocks).toEqual([
      {
        name: 'ap_clk',
        period_ns: 5,
        frequency_mhz: 200,
        wns_ns: 0.412,
        tns_ns: 0,
        whs_ns: -0.12,
        ths_ns: -0.48,
        fmax_mhz: Number((1000 / (5 - 0.412)).toFixed(3)),
      },
      { name: 'gen', period_ns: 10, frequency_mhz: 100, wns_ns: null, tns_ns: null, whs_ns: null, ths_ns: null, fmax_mhz: null },
    ]);
  });

  it('no clocks: constrained false, met null, every figure null', () => {
    const na =
      '         NA           NA                     NA                   NA           NA           NA                     NA                   NA           NA           NA                      NA                    NA';
    const r = parseReport(timing(na, 'There are no user specified timing constraints.')) as VivadoTiming;
    expect(r).toMatchObject({ constrained: false, met: null, wns_ns: null, whs_ns: null, failures: [] });
  });

  it('a verdict that contradicts the figures is refused', () => {
    expect(() => parseReport(timing(HOLD_FAIL_ROW, 'All user specified timing constraints are met.', HOLD_FAIL_INTRA))).toThrow(
      ReportError,
    );
  });

  it('a summary cut before its figures is refused', () => {
    const cut = timing(HOLD_FAIL_ROW, '').split('    -------')[0];
    expect(() => parseReport(cut)).toThrow(/no "Design Timing Summary" table/);
  });
});

describe('columnTable', () => {
  it('places right-aligned values by their end, so blank cells stay blank', () => {
    const lines = ['Name     A(ns)    B(ns)', '----     -----    -----', 'x          1.5      2.0', 'y                  -3.0'];
    expect(columnTable(lines, 0)!.rows.map((r) => r.cells)).toEqual([
      ['x', '1.5', '2.0'],
      ['y', undefined, '-3.0'],
    ]);
  });
});

const BANNER = `#-----------------------------------------------------------
# Vivado v2023.2 (64-bit)
# Start of session at: Mon Jan  2 00:00:00 2023
# Command line: vivado -mode batch -source build.tcl
#-----------------------------------------------------------
source build.tcl
`;

describe('Vivado logs', () => {
  it('errors and critical warnings with their log lines and source locations; commands with time and peak memory', () => {
    const text = `${BANNER}# synth_design -top net_top -part xc7z020clg400-1 -mode out_of_context
CRITICAL WARNING: [Synth 8-6859] multi-driven net on pin Q [/w/rtl/net_top.sv:12]
WARNING: [Synth 8-7129] Port x in module y is either unconnected or has no load
synth_design: Time (s): cpu = 00:01:02 ; elapsed = 00:01:05 . Memory (MB): peak = 2345.500 ; gain = 100.000
ERROR: [Place 30-640] Place Check : This design requires more LUT as Logic cells than are available in the target device.
ERROR: [Common 17-69] Command failed: Placer could not place all instances
INFO: [Common 17-206] Exiting Vivado at Mon Jan  2 00:05:00 2023...
`;
    const r = parseReport(text) as VivadoLog;
    expect(r).toMatchObject({
      kind: 'vivado-log',
      tool_version: '2023.2',
      command_line: 'vivado -mode batch -source build.tcl',
      ended: 'errors',
      warnings: 1,
    });
    expect(r.critical_warnings).toEqual([
      {
        line: 8,
        id: 'Synth 8-6859',
        message: 'multi-driven net on pin Q [/w/rtl/net_top.sv:12]',
        file: '/w/rtl/net_top.sv',
        file_line: 12,
      },
    ]);
    expect(r.errors.map((e) => [e.line, e.id])).toEqual([
      [11, 'Place 30-640'],
      [12, 'Common 17-69'],
    ]);
    expect(r.commands).toEqual([{ name: 'synth_design', line: 10, elapsed_s: 65, peak_memory_mb: 2345.5 }]);
  });

  it('the kernel’s OOM kill (the loader’s Killed line) is out-of-memory, named at its line', () => {
    const text = `${BANNER}Starting Routing Task
/opt/Xilinx/Vivado/2023.2/bin/loader: line 312: 40123 Killed                  "$RDI_PROG" "$@"
`;
    const r = parseReport(text) as VivadoLog;
    expect(r.ended).toBe('out-of-memory');
    expect(r.out_of_memory).toMatchObject({ line: 8 });
    expect(r.out_of_memory!.reason).toMatch(/out-of-memory killer/);
  });

  it('a failed allocation is out-of-memory too', () => {
    const text = `${BANNER}terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\n`;
    expect((parseReport(text) as VivadoLog).ended).toBe('out-of-memory');
  });

  it('a log that stops before Vivado exits is incomplete; one that exits cleanly ended normally', () => {
    expect((parseReport(`${BANNER}Starting Placer Task\n`) as VivadoLog).ended).toBe('incomplete');
    expect((parseReport(`${BANNER}INFO: [Common 17-206] Exiting Vivado at Mon Jan  2 00:05:00 2023...\n`) as VivadoLog).ended).toBe(
      'normally',
    );
  });
});

describe('what qnn report does not read', () => {
  it('another Vivado report is named, with what is accepted', () => {
    expect(() => parseReport(`${header('report_power -file p.rpt', 'xc7z020clg400-1')}\nPower Report\n`)).toThrow(
      /Vivado report_power report, which qnn does not read\. qnn report reads a Vivado utilisation report/,
    );
  });

  it('a Yosys netlist JSON, other JSON, broken JSON, binary and plain text are refused clearly', () => {
    expect(() => parseReport(JSON.stringify({ creator: 'Yosys 0.23', modules: { top: { cells: {} } } }))).toThrow(
      /Yosys netlist \(write_json\), not statistics/,
    );
    expect(() => parseReport('{"a": 1}')).toThrow(/neither nextpnr's --report nor Yosys's stat -json/);
    expect(() => parseReport('{"a": ')).toThrow(/does not parse/);
    expect(() => parseReport('abc\0def')).toThrow(/binary file/);
    expect(() => parseReport('module top; endmodule\n')).toThrow(/not a report qnn recognises/);
  });
});
