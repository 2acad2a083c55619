/**
 * `qnn report FILE [--json]`: reads a synthesis or implementation report by its content
 * (Vivado utilisation, timing summary or log; Yosys stat; nextpnr --report) and prints its
 * figures, in words or as JSON. A file it does not know is an error naming what it reads.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { ACCEPTED, parseReport } from '../flows/reports/detect.js';
import { describeReport } from '../flows/reports/describe.js';
import { ReportError } from '../flows/reports/types.js';

/** Largest report read: Vivado timing summaries with -max_paths run to tens of MB. */
const MAX_REPORT_BYTES = 512 * 2 ** 20;

const USAGE = `usage: qnn report FILE [--json]

Reads, by its content: ${ACCEPTED.join('; ')}.`;

function readReport(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw new CliError(`cannot read '${file}': ${why}`);
  }
  try {
    // Checked on the open file, so a named pipe or device is refused before any read blocks.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new CliError(`'${file}' is ${st.isDirectory() ? 'a folder' : 'not a regular file'}: give a report or log file`);
    if (st.size > MAX_REPORT_BYTES)
      throw new CliError(`'${file}' is ${st.size} bytes, above the ${MAX_REPORT_BYTES / 2 ** 20} MiB limit for a report`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export async function runReport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('give one report file: qnn report FILE [--json]', 2);
  const file = positionals[0];
  const text = readReport(file);
  let report;
  try {
    report = parseReport(text);
  } catch (e) {
    if (e instanceof ReportError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : describeReport(report, file));
  return 0;
}
