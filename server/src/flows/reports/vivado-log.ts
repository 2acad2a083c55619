/**
 * A Vivado log (vivado.log, a run's .vds/.vdi, or what `vivado -mode batch` prints):
 * ERROR and CRITICAL WARNING lines with their line numbers (problems link to them), the
 * commands with their elapsed time and peak memory, and how the run ended, out-of-memory
 * deaths included: the kernel's OOM killer leaves only the loader's "Killed" line, a
 * failed allocation leaves std::bad_alloc or "Cannot allocate memory".
 */
import { num, splitLines } from './text-table.js';
import { type LogCommand, type LogMessage, type VivadoLog } from './types.js';

/** `ERROR: [Synth 8-1031] msg [file:line]` → id, message, source location. */
function message(text: string, line: number): LogMessage {
  const m = /^\[([^\]]+?)\]\s*(.*)$/.exec(text);
  const id = m && /^[\w-]+(?: [\w-]+)* \d+-\d+$/.test(m[1]) ? m[1] : null;
  const body = id ? m![2] : text;
  const loc = /\[([^\]]+):(\d+)\]\s*$/.exec(body);
  return { line, id, message: body, file: loc ? loc[1] : null, file_line: loc ? Number(loc[2]) : null };
}

/** Lines that show Vivado died for memory, with the reason given to the user. */
const OUT_OF_MEMORY: readonly { re: RegExp; reason: string }[] = [
  {
    // bin/loader: line 312: 12345 Killed  "$RDI_PROG" "$@"
    re: /\bKilled\b.*\bRDI_PROG\b|^\S*loader: line \d+: +\d+ Killed\b|^Killed\s*$/,
    reason:
      'Vivado was killed (SIGKILL); on Linux that is the kernel out-of-memory killer unless someone killed it by hand. Give the machine more memory or swap, or run fewer jobs at once.',
  },
  { re: /std::bad_alloc/, reason: 'Vivado failed to allocate memory (std::bad_alloc).' },
  { re: /Cannot allocate memory|[Oo]ut of memory|Unable to allocate memory|memory allocation failed/, reason: 'Vivado ran out of memory.' },
];

/** `…: Time (s): cpu = 00:00:18 ; elapsed = 00:00:22 . Memory (MB): peak = 3473.195 ; gain = …` */
const TIMING_LINE = /^(\w+): Time \(s\): cpu = [\d:.]+ ; elapsed = ([\d:.]+) \. Memory \(MB\): peak = ([\d.]+)/;

function seconds(hms: string): number {
  return hms.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** True when the text is a Vivado log: its banner, or Vivado-style message ids. */
export function isVivadoLog(text: string): boolean {
  const head = text.slice(0, 3000);
  if (/^# Vivado v\d{4}\.\d/m.test(head) || /^\*{6} Vivado v\d{4}\.\d/m.test(head)) return true;
  // Without the banner (a copied tail): several messages with Vivado ids such as [Common 17-69].
  const ids = text
    .slice(0, 200_000)
    .match(
      /^(?:ERROR|CRITICAL WARNING|WARNING|INFO): \[(?:Common|Synth|Place|Route|Vivado|Timing|Project|Device|Netlist|DRC|Opt|Physopt|IP_Flow|filemgmt|Constraints|Vivado_Tcl|Designutils|Power|Memdata|Coretcl|Runs) \d+-\d+\]/gm,
    );
  return (ids?.length ?? 0) >= 2;
}

export function parseVivadoLog(text: string): VivadoLog {
  const lines = splitLines(text);
  const errors: LogMessage[] = [];
  const critical: LogMessage[] = [];
  const commands: LogCommand[] = [];
  let warnings = 0;
  let oom: VivadoLog['out_of_memory'] = null;
  let exited = false;
  let peak: number | null = null;
  for (let idx = 0; idx < lines.length; idx++) {
    const line = lines[idx];
    const n = idx + 1;
    let m;
    if ((m = /^ERROR: (.*)$/.exec(line))) errors.push(message(m[1], n));
    else if ((m = /^CRITICAL WARNING: (.*)$/.exec(line))) critical.push(message(m[1], n));
    else if (/^WARNING: /.test(line)) warnings++;
    if (/^INFO: \[Common 17-206\] Exiting Vivado/.test(line) || /^INFO: Exiting Vivado/.test(line)) exited = true;
    if ((m = TIMING_LINE.exec(line))) {
      const mb = num(m[3]);
      if (mb !== null) peak = peak === null ? mb : Math.max(peak, mb);
      commands.push({ name: m[1], line: n, elapsed_s: seconds(m[2]), peak_memory_mb: mb });
    }
    if (!oom) {
      const hit = OUT_OF_MEMORY.find((o) => o.re.test(line));
      if (hit) oom = { line: n, text: line.trim(), reason: hit.reason };
    }
  }
  const ended: VivadoLog['ended'] = oom ? 'out-of-memory' : !exited ? 'incomplete' : errors.length > 0 ? 'errors' : 'normally';
  return {
    kind: 'vivado-log',
    tool_version: /^# Vivado v(\d{4}\.\d+(?:\.\d+)?)/m.exec(text.slice(0, 3000))?.[1] ?? null,
    command_line: /^# Command line: (.*?)\s*$/m.exec(text.slice(0, 3000))?.[1] ?? null,
    ended,
    errors,
    critical_warnings: critical,
    warnings,
    out_of_memory: oom,
    commands,
    peak_memory_mb: peak,
  };
}
