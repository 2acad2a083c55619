/**
 * The reading of a report in words, as `qnn report FILE` prints it. Log messages are
 * `FILE:LINE: error …` lines, which editors and problem matchers link to the log line.
 */
import type {
  NextpnrReport,
  ReportResources,
  TimingPath,
  ToolReport,
  UtilizationInstance,
  VivadoLog,
  VivadoTiming,
  VivadoUtilization,
  YosysStat,
} from './types.js';

const count = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));
const nsText = (n: number | null): string => (n === null ? 'NA' : `${n.toFixed(3)} ns`);
const pct = (used: number | null, avail: number | null | undefined): string =>
  used === null || !avail ? '' : `  (${((100 * used) / avail).toFixed(used / avail < 0.1 ? 2 : 1)} %)`;

/** Names of the resources per table row, with the device's capacity when known. */
function resourceRows(r: ReportResources, avail: ReportResources | null, labels: Record<keyof ReportResources, string>): string[] {
  const keys: (keyof ReportResources)[] = ['lut', 'ff', 'bram18', 'dsp', 'uram'];
  return (
    keys
      // URAM only where the part has some or the design uses it.
      .filter((k) => !(r[k] === null && (avail?.[k] ?? null) === null) && !(k === 'uram' && !r[k] && !avail?.[k]))
      .map((k) => {
        const of = avail && avail[k] !== null ? ` / ${count(avail[k])}` : '';
        return `  ${labels[k].padEnd(8)}${count(r[k]).padStart(9)}${of}${pct(r[k], avail?.[k])}`;
      })
  );
}

const XILINX_LABELS = { lut: 'LUT', ff: 'FF', bram18: 'BRAM18', dsp: 'DSP', uram: 'URAM' };
const ICE40_LABELS = { lut: 'LUT4', ff: 'DFF', bram18: 'EBR', dsp: 'SB_MAC16', uram: 'URAM' };

const MAX_DEPTH_SHOWN = 2;

function utilization(r: VivadoUtilization): string[] {
  const what = r.hierarchical ? 'report_utilization -hierarchical' : 'report_utilization';
  const out = [
    `Vivado utilisation (${what}${r.design_state ? `, ${r.design_state}` : ''}): design ${r.design ?? '?'}, device ${r.device ?? '?'}${r.tool_version ? `, Vivado ${r.tool_version}` : ''}`,
    ...resourceRows(r, r.available, XILINX_LABELS),
  ];
  if (r.instances) {
    const shown = r.instances.filter((i) => i.depth <= MAX_DEPTH_SHOWN);
    const width = Math.max(...shown.map((i) => 2 * i.depth + i.instance.length), 8);
    const row = (i: UtilizationInstance): string =>
      `  ${(' '.repeat(2 * i.depth) + i.instance).padEnd(width)}  ${[i.lut, i.ff, i.bram18, i.dsp].map((n) => count(n).padStart(8)).join('')}`;
    out.push('', `  ${'instance'.padEnd(width)}  ${['LUT', 'FF', 'BRAM18', 'DSP'].map((h) => h.padStart(8)).join('')}`, ...shown.map(row));
    const hidden = r.instances.length - shown.length;
    if (hidden > 0) out.push(`  (${hidden} deeper instances: qnn report --json lists them all)`);
  }
  return out;
}

function pathText(p: TimingPath): string[] {
  const clocks = p.from_clock && p.to_clock ? ` (${p.from_clock === p.to_clock ? p.from_clock : `${p.from_clock} → ${p.to_clock}`})` : '';
  const levels =
    p.logic_levels === null
      ? ''
      : `, ${p.logic_levels} logic level${p.logic_levels === 1 ? '' : 's'}${p.logic_cells ? ` (${p.logic_cells})` : ''}`;
  return [
    `  worst setup path${clocks}: slack ${nsText(p.slack_ns)}, requirement ${nsText(p.requirement_ns)}, data path ${nsText(p.data_path_delay_ns)}${levels}`,
    `    from ${p.source}`,
    `    to   ${p.destination}`,
  ];
}

function timing(r: VivadoTiming): string[] {
  const out = [
    `Vivado timing summary${r.design_state ? ` (${r.design_state})` : ''}: design ${r.design ?? '?'}, device ${r.device ?? '?'}${r.tool_version ? `, Vivado ${r.tool_version}` : ''}`,
  ];
  if (!r.constrained) {
    out.push(
      '  Unconstrained: the design has no clocks (no create_clock), so no path was timed and met is unknown.',
      '  Add a create_clock constraint for the design clock and run the implementation again.',
    );
    return out;
  }
  const failing = (n: number | null): string => (n === null ? '' : `, ${count(n)} failing endpoint${n === 1 ? '' : 's'}`);
  out.push(
    r.met
      ? '  Timing met (setup, hold and pulse width).'
      : `  Timing NOT met: ${r.failures.join(', ')} fail${r.failures.length === 1 ? 's' : ''}.`,
    `  setup        WNS ${nsText(r.wns_ns)}  TNS ${nsText(r.tns_ns)}${failing(r.setup_failing_endpoints)}`,
    `  hold         WHS ${nsText(r.whs_ns)}  THS ${nsText(r.ths_ns)}${failing(r.hold_failing_endpoints)}`,
    `  pulse width  WPWS ${nsText(r.wpws_ns)}${failing(r.pulse_width_failing_endpoints)}`,
  );
  if (r.clocks.length > 0) {
    const width = Math.max(...r.clocks.map((c) => c.name.length));
    out.push('  clocks:');
    for (const c of r.clocks) {
      const f = c.frequency_mhz === null ? '' : ` ${c.frequency_mhz.toFixed(3)} MHz`;
      const slack = c.wns_ns === null ? '' : `  WNS ${nsText(c.wns_ns)}  WHS ${nsText(c.whs_ns)}`;
      const fmax = c.fmax_mhz === null ? '' : `  fmax ${c.fmax_mhz.toFixed(1)} MHz`;
      out.push(`    ${c.name.padEnd(width)}  period ${nsText(c.period_ns)}${f}${slack}${fmax}`);
    }
  }
  if (r.critical_path) out.push(...pathText(r.critical_path));
  return out;
}

function log(r: VivadoLog, file: string): string[] {
  const msg = (severity: string, m: { line: number; id: string | null; message: string }): string =>
    `${file}:${m.line}: ${severity}${m.id ? ` [${m.id}]` : ''} ${m.message}`;
  const out = [...r.errors.map((m) => msg('error', m)), ...r.critical_warnings.map((m) => msg('critical warning', m))].sort(
    (a, b) => Number(/:(\d+):/.exec(a)?.[1]) - Number(/:(\d+):/.exec(b)?.[1]),
  );
  if (r.out_of_memory) out.push(`${file}:${r.out_of_memory.line}: error out of memory: ${r.out_of_memory.reason}`);
  const ended = {
    normally: 'Vivado exited normally',
    errors: 'Vivado exited after errors',
    'out-of-memory': 'Vivado died for lack of memory',
    incomplete: 'the log ends before Vivado exits (still running, or killed)',
  }[r.ended];
  out.push(
    `Vivado${r.tool_version ? ` ${r.tool_version}` : ''} log: ${ended}; ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}, ${r.critical_warnings.length} critical warning${r.critical_warnings.length === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}.`,
  );
  for (const c of r.commands.filter((c) => /_design$|^write_bitstream$/.test(c.name)))
    out.push(
      `  ${c.name.padEnd(16)} ${c.elapsed_s.toFixed(0).padStart(6)} s${c.peak_memory_mb === null ? '' : `  peak ${c.peak_memory_mb.toFixed(0)} MB`}`,
    );
  return out;
}

function yosys(r: YosysStat): string[] {
  const head = `Yosys statistics (stat${r.format === 'json' ? ' -json' : ''})${r.top ? `, top ${r.top}` : ''}`;
  if (r.note) return [`${head}: ${r.note}.`];
  const family =
    r.family === null
      ? 'not mapped to Xilinx or iCE40 primitives, so no LUT/FF/BRAM/DSP counts'
      : r.family === 'xilinx'
        ? 'Xilinx primitives'
        : 'iCE40 primitives';
  const out = [`${head}: ${count(r.num_cells)} cells, ${family}`];
  if (r.family) out.push(...resourceRows(r, null, r.family === 'ice40' ? ICE40_LABELS : XILINX_LABELS));
  if (r.family === 'ice40' && r.spram) out.push(`  ${'SPRAM'.padEnd(8)}${count(r.spram).padStart(9)}`);
  const types = Object.keys(r.cells).sort();
  const width = Math.max(...types.map((t) => t.length), 4);
  out.push('  cells by type:', ...types.map((t) => `    ${t.padEnd(width)} ${count(r.cells[t]).padStart(8)}`));
  if (r.family && r.uncounted.length > 0) out.push(`  not in the counts above: ${r.uncounted.join(', ')}`);
  return out;
}

function nextpnr(r: NextpnrReport): string[] {
  const out = [`nextpnr report${r.arch ? ` (${r.arch})` : ''}`];
  for (const c of r.clocks) {
    const verdict = c.met === null ? '' : c.met ? `  PASS at ${c.constraint_mhz} MHz` : `  FAIL at ${c.constraint_mhz} MHz`;
    out.push(`  fmax ${c.name}: ${c.fmax_mhz.toFixed(2)} MHz${verdict}`);
  }
  if (r.arch === 'ice40') out.push(...resourceRows(r, r.available, { ...ICE40_LABELS, lut: 'LC' }));
  else for (const [bel, u] of Object.entries(r.utilization)) if (u.used > 0) out.push(`  ${bel}: ${u.used} / ${u.available}`);
  for (const p of r.critical_paths) out.push(`  critical path ${p.from} → ${p.to}: ${p.delay_ns.toFixed(2)} ns in ${p.steps.length} steps`);
  return out;
}

export function describeReport(r: ToolReport, file: string): string {
  switch (r.kind) {
    case 'vivado-utilization':
      return utilization(r).join('\n');
    case 'vivado-timing':
      return timing(r).join('\n');
    case 'vivado-log':
      return log(r, file).join('\n');
    case 'yosys-stat':
      return yosys(r).join('\n');
    case 'nextpnr-report':
      return nextpnr(r).join('\n');
  }
}
