/** `qnn estimate FILE [--json]`: the cost model's answer for one network. */
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { loadQnn, requireNoErrors } from './load.js';
import type { Estimate } from '../cost/estimate.js';
import { formatSI } from '../model/numbers.js';

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
  console.log(values.json ? JSON.stringify(est, null, 2) : formatEstimate(est));
  return 0;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const pct = (v: number | null): string => (v === null ? '' : ` (${v.toFixed(1)}%)`);

export function formatEstimate(e: Estimate): string {
  const rows = [['layer', 'op', 'engine', 'PE', 'SIMD', 'NF', 'SF', 'cycles', 'acc', 'out', 'LUT', 'FF', 'BRAM18', 'DSP']];
  for (const l of e.layers) {
    rows.push([
      l.name + (l.bottleneck ? ' *' : ''),
      l.op,
      l.fused_into ? `(in ${l.fused_into})` : l.engine,
      String(l.pe),
      String(l.simd),
      String(l.nf),
      String(l.sf),
      String(l.cycles),
      l.acc_bits === null ? '' : `i${l.acc_bits}`,
      `${l.out_type}[${l.out_shape.join(',')}]`,
      String(l.lut),
      String(l.ff),
      String(l.bram18),
      String(l.dsp),
    ]);
  }
  const t = e.totals;
  const c = e.device_capacity;
  const lines = [
    `${e.network} on ${e.target.device} @ ${e.target.clock_mhz} MHz`,
    `  II ${e.ii_cycles} cycles  ->  ${formatSI(e.fps)} frames/s${e.target.fps_target ? ` (target ${formatSI(e.target.fps_target)}: ${e.fps_met ? 'met' : 'NOT met'})` : ''}`,
    `  latency ${e.latency_cycles} cycles (${e.latency_us} us)${e.bottleneck ? `, bottleneck ${e.bottleneck.layer} (${e.bottleneck.cycles} cycles)` : ''}`,
    `  LUT ${t.lut}${c.lut !== null ? `/${c.lut}` : ''}${pct(e.device_pct.lut)}  FF ${t.ff}${c.ff !== null ? `/${c.ff}` : ''}${pct(e.device_pct.ff)}  BRAM18 ${t.bram18}${c.bram18 !== null ? `/${c.bram18}` : ''}${pct(e.device_pct.bram18)}  DSP ${t.dsp}${c.dsp !== null ? `/${c.dsp}` : ''}${pct(e.device_pct.dsp)}`,
    '',
    table(rows),
    '',
    '* bottleneck',
  ];
  return lines.join('\n');
}
