/** `qnn compile FILE -o DIR`: RTL, ROM files and report.json. */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import { compileNetwork } from '../rtl/compile.js';
import { buildFolder } from '../protocol/build-folder.js';

export async function runCompile(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log('usage: qnn compile FILE -o DIR [--json]\n  writes DIR/rtl/ (top, engines, .mem ROM files) and DIR/report.json');
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('give one .qnn file: qnn compile FILE -o DIR', 2);
  const f = await loadQnn(positionals[0]);
  requireNoErrors(f);
  const outDir = path.resolve(values.out ?? buildFolder(f.file));
  const t0 = performance.now();
  const r = compileNetwork(f.analysis, outDir, path.basename(f.file));
  const ms = performance.now() - t0;
  if (values.json) {
    console.log(
      JSON.stringify({ top: r.top, rtl: r.rtlDir, report: path.join(outDir, 'report.json'), files: r.files, ms: Math.round(ms) }, null, 2),
    );
  } else {
    console.log(
      `compiled ${f.analysis.network.name} -> ${path.relative(process.cwd(), r.rtlDir) || '.'} (${r.files.length} files, top ${r.top}) in ${ms.toFixed(0)} ms`,
    );
    for (const fifo of r.report.fifos) console.log(`  fifo ${fifo.from} -> ${fifo.to}: depth ${fifo.depth} (${fifo.reason})`);
    for (const d of r.report.width_converters)
      console.log(`  width converter ${d.name}: ${d.in_elems} -> ${d.out_elems} elements of ${d.elem_bits} bits`);
    console.log(`  report: ${path.relative(process.cwd(), path.join(outDir, 'report.json'))}`);
  }
  return 0;
}
