/** `qnn build FILE [--flow open|vivado] [-o DIR] [--force] [--json]`: compile, synthesise, place and route, bitstream. */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { buildFolder } from '../protocol/build-folder.js';
import type { BuildFlow, BuildReport } from '../protocol/results.js';
import { buildBitstream, BuildError } from '../flows/bitstream.js';
import { ToolMissingError } from '../flows/tools.js';

const USAGE = `usage: qnn build FILE [--flow open|vivado] [-o DIR] [--force] [--json]
  compiles FILE and builds a bitstream for its target device: Yosys synth_ice40, nextpnr-ice40
  and icepack for iCE40 parts (with the board's shell for \`board icebreaker\`).
  Writes DIR/rtl/ and DIR/bitstream/ (the bitstream, build.log, build.sh and report.json);
  DIR defaults to build/<file name> next to FILE. An unchanged design is not rebuilt
  (--force rebuilds). Exit 1 when the build fails or the clock is not met.`;

const rel = (p: string): string => path.relative(process.cwd(), p) || '.';

function summary(r: BuildReport): string {
  const lines: string[] = [];
  const u = r.resources.used;
  const e = r.resources.estimated;
  const a = r.resources.available;
  const fmt = (x: number | null): string => (x === null ? '–' : x.toLocaleString('en-US'));
  const again = r.cached ? ' (unchanged design: not rebuilt)' : '';
  if (r.ok && r.bitstream) lines.push(`bitstream: ${rel(r.bitstream)}${again}`);
  else if (r.ok) lines.push(`built out of context with Vivado: reports and checkpoints in ${rel(path.dirname(r.log))}${again}`);
  else lines.push(`build failed in ${r.failed_phase ?? 'an unknown phase'}: ${r.first_error ?? 'no error message'}`);
  if (r.fmax_mhz !== null)
    lines.push(
      `Fmax ${r.fmax_mhz.toFixed(2)} MHz for a ${r.clock_mhz} MHz clock: ${r.clock_met ? 'met' : 'NOT met'} (slack ${r.timing.wns_ns?.toFixed(2)} ns)`,
    );
  if (u) {
    const row = (label: string, k: 'lut' | 'ff' | 'bram18' | 'dsp'): string =>
      `  ${label.padEnd(12)} ${fmt(u[k]).padStart(7)} ${fmt(e[k]).padStart(9)} ${fmt(a[k]).padStart(9)}`;
    const ice40 = r.flow === 'open';
    lines.push(`  ${'resource'.padEnd(12)} ${'used'.padStart(7)} ${'estimated'.padStart(9)} ${'available'.padStart(9)}`);
    lines.push(row(ice40 ? 'logic cells' : 'LUT', 'lut'), row(ice40 ? 'flip-flops' : 'FF', 'ff'));
    lines.push(row(ice40 ? 'EBRs' : 'BRAM18', 'bram18'), row(ice40 ? 'SB_MAC16' : 'DSP', 'dsp'));
    if (r.board) lines.push(`  (used includes the ${r.board} shell; estimated is the accelerator alone)`);
  }
  if (r.phases.length) lines.push(`phases: ${r.phases.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')}`);
  lines.push(`log: ${rel(r.log)}`);
  return lines.join('\n');
}

/** The tools' errors and missed clocks as `log:line:1: severity text`, at most 20. */
function logProblems(log: string): string[] {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^(?:ERROR: (.*)|Warning: (Max frequency .*FAIL.*)|CRITICAL WARNING: (.*))$/.exec(line.trim());
    if (m && out.length < 20) out.push(`${log}:${i + 1}:1: ${m[1] !== undefined ? `error ${m[1]}` : `warning ${m[2] ?? m[3]}`}`);
  });
  return out;
}

export async function runBuild(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      flow: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`give one .qnn file\n${USAGE}`, 2);
  if (values.flow !== undefined && values.flow !== 'open' && values.flow !== 'vivado')
    throw new CliError(`--flow is open or vivado, not '${values.flow}'`, 2);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const outDir = path.resolve(values.out ?? buildFolder(f.file));

  // Ctrl-C ends the tools' process trees, then the report says the build was cancelled.
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  process.once('SIGHUP', onSigint);
  const t0 = performance.now();
  const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
  let report: BuildReport;
  try {
    report = await buildBitstream(f.analysis, f.file, outDir, {
      flow: values.flow as BuildFlow | undefined,
      force: values.force,
      signal: abort.signal,
      // Progress on stderr, so that --json's stdout stays one JSON document.
      onPhase: (phase, seconds) =>
        console.error(seconds === null ? `[${elapsed()}] ${phase}…` : `[${elapsed()}] ${phase} done in ${seconds.toFixed(1)} s`),
      onLine: (line) => {
        if (/^(Warning: Max frequency|Info: Max frequency)/.test(line)) console.error(`  ${line}`);
      },
    });
  } catch (e) {
    if (e instanceof BuildError || e instanceof ToolMissingError) throw new CliError(e.message);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
    process.removeListener('SIGHUP', onSigint);
  }
  // Problems in the form the editor's problem matchers read: the build's outcome on the
  // `target` line (QNN080 failed, QNN081 clock not met), and each tool error on its log line.
  const t = f.analysis.network.target?.range.start ?? { line: 0, character: 0 };
  const at = `${path.resolve(f.file)}:${t.line + 1}:${t.character + 1}`;
  for (const p of logProblems(report.log)) console.error(p);
  if (!report.ok && !report.cancelled)
    console.error(
      `${at}: error QNN080 the build failed in ${report.failed_phase ?? 'its first phase'}: ${report.first_error ?? 'see the log'}`,
    );
  if (report.clock_met === false)
    console.error(
      `${at}: warning QNN081 the built design reaches ${report.fmax_mhz} MHz, short of the ${report.clock_mhz} MHz clock: lower the clock in \`target … @ f\` (the frame rate scales with it) or shorten the critical path (see the report)`,
    );
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(`${summary(report)}\nreport: ${rel(path.join(outDir, 'bitstream', 'report.json'))}`);
  if (report.cancelled) return 130;
  return report.ok && report.clock_met !== false ? 0 : 1;
}
