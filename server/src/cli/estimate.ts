/** `qnn estimate FILE [--json]`: the cost model's answer for one network (the table is report/estimate-text.ts, which the editor shows too). */
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { estimateTable } from '../report/estimate-text.js';

export async function runEstimate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log('usage: qnn estimate FILE [--json]');
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('give one .qnn file: qnn estimate FILE [--json]', 2);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const est = f.analysis.estimate;
  if (!est) throw new CliError(`${f.file}: nothing to estimate (the network needs a target, an input and at least one layer)`);
  console.log(values.json ? JSON.stringify(est, null, 2) : estimateTable(est));
  return 0;
}
