/**
 * Which report a file is, from its content (never its name), and its reading. A file qnn
 * does not know is refused with the list of what it reads, so no figure is ever guessed.
 */
import { isNextpnrReport, parseNextpnrReport } from './nextpnr-report.js';
import { splitLines, vivadoHeader } from './text-table.js';
import { ReportError, type ReportKind, type ToolReport } from './types.js';
import { isVivadoLog, parseVivadoLog } from './vivado-log.js';
import { isVivadoTimingSummary, parseVivadoTiming } from './vivado-timing.js';
import { isVivadoUtilization, parseVivadoUtilization } from './vivado-utilization.js';
import { isYosysStatJson, isYosysStatText, parseYosysStatJson, parseYosysStatText } from './yosys-stat.js';

export const ACCEPTED = [
  'a Vivado utilisation report (report_utilization, flat or -hierarchical)',
  'a Vivado timing summary (report_timing_summary)',
  'a Vivado log (vivado.log, a run’s .vds or .vdi)',
  'Yosys statistics (the stat text, or stat -json)',
  'a nextpnr report (--report FILE, JSON)',
];

const acceptedText = (): string => `qnn report reads ${ACCEPTED.slice(0, -1).join(', ')} or ${ACCEPTED[ACCEPTED.length - 1]}.`;

/** The kind of report the text is; throws a ReportError naming what is accepted otherwise. */
export function detectReport(text: string): { kind: ReportKind; json?: unknown } {
  const body = text.replace(/^\uFEFF/, '');
  if (body.includes('\0')) throw new ReportError(`this is a binary file, not a text report. ${acceptedText()}`);
  if (/^\s*[{[]/.test(body)) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw new ReportError(`this looks like JSON but does not parse (${(e as Error).message}). ${acceptedText()}`);
    }
    if (isNextpnrReport(json)) return { kind: 'nextpnr-report', json };
    if (isYosysStatJson(json)) return { kind: 'yosys-stat', json };
    const o = json as Record<string, unknown>;
    if (typeof o === 'object' && o !== null && typeof o.modules === 'object' && typeof o.creator === 'string' && /yosys/i.test(o.creator))
      throw new ReportError(
        `this is a Yosys netlist (write_json), not statistics: run \`tee -o stat.json stat -json\` after synthesis. ${acceptedText()}`,
      );
    throw new ReportError(`this JSON is neither nextpnr's --report nor Yosys's stat -json. ${acceptedText()}`);
  }
  if (isVivadoUtilization(body)) return { kind: 'vivado-utilization' };
  if (isVivadoTimingSummary(body)) return { kind: 'vivado-timing' };
  if (isYosysStatText(body)) return { kind: 'yosys-stat' };
  if (isVivadoLog(body)) return { kind: 'vivado-log' };
  const command = vivadoHeader(splitLines(body.slice(0, 4000))).get('Command');
  if (command) {
    const what = command.split(/\s+/)[0];
    throw new ReportError(`this is a Vivado ${what} report, which qnn does not read. ${acceptedText()}`);
  }
  throw new ReportError(`this file is not a report qnn recognises. ${acceptedText()}`);
}

/** Reads a report or log of any accepted kind from its text. */
export function parseReport(text: string): ToolReport {
  const { kind, json } = detectReport(text);
  switch (kind) {
    case 'vivado-utilization':
      return parseVivadoUtilization(text);
    case 'vivado-timing':
      return parseVivadoTiming(text);
    case 'vivado-log':
      return parseVivadoLog(text);
    case 'yosys-stat':
      return json === undefined ? parseYosysStatText(text) : parseYosysStatJson(json);
    case 'nextpnr-report':
      return parseNextpnrReport(json);
  }
}
