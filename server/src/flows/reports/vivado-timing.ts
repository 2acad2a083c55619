/**
 * Vivado `report_timing_summary`: the Design Timing Summary (WNS/TNS setup, WHS/THS hold,
 * WPWS pulse width), the verdict line, the clocks with their intra-clock slacks, and the
 * worst setup path of the Timing Details. A design without clocks has every figure `NA`
 * and "There are no user specified timing constraints.": `constrained: false`, `met: null`.
 */
import { columnTable, num, splitLines, vivadoHeader, vivadoVersion } from './text-table.js';
import { ReportError, type TimingClock, type TimingPath, type VivadoTiming } from './types.js';

/** The line index of a `| Section` banner (the table follows a few lines below). */
function section(lines: readonly string[], title: string, from = 0): number {
  for (let i = from; i < lines.length; i++) if (lines[i].trimEnd() === `| ${title}`) return i;
  return -1;
}

/** The first column table (header line + dash line) within a few lines after `from`. */
function tableAfter(lines: readonly string[], from: number, firstColumn: RegExp, align: 'left' | 'right' = 'right') {
  if (from < 0) return undefined;
  for (let i = from; i < Math.min(lines.length, from + 12); i++) {
    if (firstColumn.test(lines[i]) && /^\s*-{3,}/.test(lines[i + 1] ?? '')) return columnTable(lines, i, align);
  }
  return undefined;
}

function cell(table: { columns: string[] }, row: { cells: (string | undefined)[] }, name: string): string | undefined {
  const i = table.columns.indexOf(name);
  return i < 0 ? undefined : row.cells[i];
}

function clocks(lines: readonly string[]): TimingClock[] {
  const summary = tableAfter(lines, section(lines, 'Clock Summary'), /^Clock\s+Waveform/, 'left');
  const intra = tableAfter(lines, section(lines, 'Intra Clock Table'), /^Clock\s+WNS/);
  const slacks = new Map<string, { cells: (string | undefined)[] }>();
  for (const r of intra?.rows ?? []) slacks.set(r.cells[0]!, r);
  return (summary?.rows ?? []).map((r) => {
    const name = r.cells[0]!;
    const period = num(cell(summary!, r, 'Period(ns)'));
    const s = slacks.get(name);
    const wns = s ? num(cell(intra!, s, 'WNS(ns)')) : null;
    return {
      name,
      period_ns: period,
      frequency_mhz: num(cell(summary!, r, 'Frequency(MHz)')),
      wns_ns: wns,
      tns_ns: s ? num(cell(intra!, s, 'TNS(ns)')) : null,
      whs_ns: s ? num(cell(intra!, s, 'WHS(ns)')) : null,
      ths_ns: s ? num(cell(intra!, s, 'THS(ns)')) : null,
      // The clock at which this domain's worst setup path would have zero slack.
      fmax_mhz: period !== null && wns !== null && period - wns > 0 ? round(1000 / (period - wns), 3) : null,
    };
  });
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** `  Source:   a/b/c/C` style field of a path block. */
function field(block: readonly string[], name: string): string | undefined {
  const re = new RegExp(`^\\s*${name}:\\s+(.*?)\\s*$`);
  for (const l of block) {
    const m = re.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

const ns = (s: string | undefined): number | null => num(/^(-?[\d.]+)ns/.exec(s ?? '')?.[1]);

/** The setup path with the least slack among the Timing Details' Max Delay Paths. */
function criticalPath(lines: readonly string[]): TimingPath | null {
  let worst: TimingPath | null = null;
  let fromClock: string | null = null;
  let toClock: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fc = /^From Clock:\s+(\S+)/.exec(line);
    if (fc) {
      fromClock = fc[1];
      toClock = /^\s+To Clock:\s+(\S+)/.exec(lines[i + 1] ?? '')?.[1] ?? null;
      continue;
    }
    const m = /^Slack(?: \((?:MET|VIOLATED)\))?\s*:\s*(-?[\d.]+)ns/.exec(line);
    if (!m) continue;
    const block = lines.slice(i + 1, i + 16);
    if (!/^Setup/.test(field(block, 'Path Type') ?? '')) continue;
    const slack = Number(m[1]);
    if (worst && worst.slack_ns <= slack) continue;
    const delay = field(block, 'Data Path Delay') ?? '';
    const levels = /^(\d+)\s*(?:\((.*)\))?/.exec(field(block, 'Logic Levels') ?? '');
    worst = {
      slack_ns: slack,
      source: field(block, 'Source') ?? '',
      destination: field(block, 'Destination') ?? '',
      from_clock: fromClock,
      to_clock: toClock,
      path_group: field(block, 'Path Group') ?? null,
      requirement_ns: ns(field(block, 'Requirement')),
      data_path_delay_ns: ns(delay),
      logic_ns: num(/logic (-?[\d.]+)ns/.exec(delay)?.[1]),
      route_ns: num(/route (-?[\d.]+)ns/.exec(delay)?.[1]),
      logic_levels: levels ? Number(levels[1]) : null,
      logic_cells: levels?.[2]?.trim() || null,
    };
  }
  return worst;
}

/** True when the text is a report_timing_summary report. */
export function isVivadoTimingSummary(text: string): boolean {
  const head = text.slice(0, 6000);
  return /^\|\s*Command\s*:\s*report_timing_summary\b/m.test(head) || /^Timing Summary Report\s*$/m.test(head);
}

export function parseVivadoTiming(text: string): VivadoTiming {
  const lines = splitLines(text);
  const header = vivadoHeader(lines);
  const at = section(lines, 'Design Timing Summary');
  const summary = tableAfter(lines, at, /^\s*WNS\(ns\)/);
  const row = summary?.rows[0];
  if (!summary || !row)
    throw new ReportError(
      'this Vivado timing summary has no "Design Timing Summary" table with a row of figures: it may be truncated. Give the whole file written by report_timing_summary.',
    );
  const v = (name: string): number | null => num(cell(summary, row, name));
  const status =
    lines
      .slice(at, at + 30)
      .map((l) => l.trim())
      .find((l) =>
        /^(All user specified timing constraints are met\.|Timing constraints are not met\.|There are no user specified timing constraints\.)/.test(
          l,
        ),
      ) ?? null;
  const wns = v('WNS(ns)');
  const whs = v('WHS(ns)');
  const wpws = v('WPWS(ns)');
  const constrained = !(status?.startsWith('There are no user specified timing constraints') ?? (wns === null && whs === null));
  const failures: VivadoTiming['failures'] = [];
  if (wns !== null && wns < 0) failures.push('setup');
  if (whs !== null && whs < 0) failures.push('hold');
  if (wpws !== null && wpws < 0) failures.push('pulse-width');
  let met: boolean | null = null;
  if (constrained) {
    met = status ? status.startsWith('All user specified timing constraints are met') : failures.length === 0;
    // The verdict line and the figures must agree, or the report is not what it seems.
    if (met !== (failures.length === 0))
      throw new ReportError(
        `this timing summary says "${status}" but its figures say otherwise (WNS ${wns}, WHS ${whs}, WPWS ${wpws}): the file looks edited or corrupt.`,
      );
  }
  return {
    kind: 'vivado-timing',
    device: header.get('Device') ?? null,
    design: header.get('Design') ?? null,
    tool_version: vivadoVersion(header.get('Tool Version')),
    design_state: header.get('Design State') ?? null,
    constrained,
    met,
    status,
    wns_ns: wns,
    tns_ns: v('TNS(ns)'),
    whs_ns: whs,
    ths_ns: v('THS(ns)'),
    wpws_ns: wpws,
    setup_failing_endpoints: v('TNS Failing Endpoints'),
    hold_failing_endpoints: v('THS Failing Endpoints'),
    pulse_width_failing_endpoints: v('TPWS Failing Endpoints'),
    failures,
    clocks: clocks(lines),
    critical_path: criticalPath(lines),
  };
}
