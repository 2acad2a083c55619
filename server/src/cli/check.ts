/** `qnn check FILE... [--json]`: diagnostics, one per line; exit 1 when any is an error. */
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { formatDiagnostic, hasErrors, loadQnn, severityName } from './load.js';

export async function runCheck(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log('usage: qnn check FILE... [--json]');
    return 0;
  }
  if (positionals.length === 0) throw new CliError('give at least one .qnn file: qnn check FILE...', 2);
  let failed = false;
  const json: unknown[] = [];
  for (const file of positionals) {
    const f = await loadQnn(file);
    const ds = [...f.diagnostics].sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    if (hasErrors(ds)) failed = true;
    for (const d of ds) {
      if (values.json) {
        json.push({
          file,
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          end_line: d.range.end.line + 1,
          end_column: d.range.end.character + 1,
          severity: severityName(d),
          code: d.code,
          message: d.message,
        });
      } else console.log(formatDiagnostic(file, d));
    }
  }
  if (values.json) console.log(JSON.stringify(json, null, 2));
  return failed ? 1 : 0;
}
