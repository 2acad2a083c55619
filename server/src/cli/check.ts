/**
 * `qnn check FILE... [--format text|json|github|sarif]`: diagnostics, one per line (text),
 * as a JSON list, as GitHub Actions annotations or as a SARIF 2.1.0 log; exit 1 when any
 * is an error. `--json` is `--format json`.
 */
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { CHECK_FORMATS, githubAnnotation, sarifLog, type CheckFormat, type FileDiagnostics } from './check-formats.js';
import { formatDiagnostic, hasErrors, loadQnn, severityName } from './load.js';

const USAGE = `usage: qnn check FILE... [--format text|json|github|sarif] [--json]
  text     file:line:col: severity CODE message (the default)
  json     a JSON list of {file, line, column, end_line, end_column, severity, code, message}
  github   GitHub Actions workflow commands: annotations on the files of a pull request
  sarif    a SARIF 2.1.0 log (GitHub code scanning: upload with github/codeql-action/upload-sarif)
exit 1 when any diagnostic is an error`;

function formatOf(values: { json?: boolean; format?: string }): CheckFormat {
  const f = values.format ?? (values.json ? 'json' : 'text');
  if (!(CHECK_FORMATS as readonly string[]).includes(f))
    throw new CliError(`unknown format '${f}': use --format ${CHECK_FORMATS.join(', ')}`, 2);
  if (values.json && f !== 'json') throw new CliError(`--json and --format ${f} disagree: give one of them`, 2);
  return f as CheckFormat;
}

export async function runCheck(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, format: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = formatOf(values);
  if (positionals.length === 0) throw new CliError('give at least one .qnn file: qnn check FILE...', 2);
  let failed = false;
  const checked: FileDiagnostics[] = [];
  for (const file of positionals) {
    const f = await loadQnn(file);
    const ds = [...f.diagnostics].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    if (hasErrors(ds)) failed = true;
    checked.push({ file, diagnostics: ds });
    if (format === 'text') for (const d of ds) console.log(formatDiagnostic(file, d));
    if (format === 'github') for (const d of ds) console.log(githubAnnotation(file, d));
  }
  if (format === 'json') {
    const json = checked.flatMap(({ file, diagnostics }) =>
      diagnostics.map((d) => ({
        file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        end_line: d.range.end.line + 1,
        end_column: d.range.end.character + 1,
        severity: severityName(d),
        code: d.code,
        message: d.message,
      })),
    );
    console.log(JSON.stringify(json, null, 2));
  }
  if (format === 'sarif') console.log(JSON.stringify(sarifLog(checked), null, 2));
  return failed ? 1 : 0;
}
