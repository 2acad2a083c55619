/**
 * Yosys synthesis of a compiled design, for acceptance checks and resource counts:
 * `synth_xilinx` for Xilinx parts, `synth_ice40` for iCE40 (hardware.md §4, §8).
 * Runs in the rtl folder, where `$readmemh` finds the ROM files.
 */
import * as path from 'node:path';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { requireTool, runProcess } from './tools.js';

export type SynthFamily = 'xilinx' | 'ice40';

export interface SynthResult {
  ok: boolean;
  /** Cell counts by type from `stat`. */
  cells: Record<string, number>;
  log: string;
  ms: number;
}

export async function yosysSynth(
  rtlDir: string,
  top: string,
  family: SynthFamily,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SynthResult> {
  const yosys = requireTool('yosys');
  const sources = readdirSync(rtlDir)
    .filter((f) => f.endsWith('.sv'))
    .sort();
  // -defer: elaborate each template only with the parameters it is instantiated with.
  const synth = family === 'xilinx' ? `synth_xilinx -family xc7 -top ${top} -flatten` : `synth_ice40 -top ${top} -dsp`;
  const statFile = `yosys-${family}-stat.txt`;
  rmSync(path.join(rtlDir, statFile), { force: true });
  const script = `read_verilog -defer -sv ${sources.join(' ')}; ${synth}; tee -o ${statFile} stat`;
  const t0 = performance.now();
  const r = await runProcess(yosys, ['-q', '-p', script], {
    cwd: path.resolve(rtlDir),
    timeoutMs: opts.timeoutMs ?? 1_800_000,
    signal: opts.signal,
  });
  const log = r.stdout + r.stderr;
  let stat = '';
  try {
    stat = readFileSync(path.join(rtlDir, statFile), 'utf8');
  } catch {
    // No stat: synthesis failed before it; the log says why.
  }
  const cells: Record<string, number> = {};
  for (const m of stat.matchAll(/^\s+(\$?\w+)\s+(\d+)$/gm)) cells[m[1]] = (cells[m[1]] ?? 0) + Number(m[2]);
  return { ok: r.code === 0 && !/ERROR/.test(log), cells, log, ms: performance.now() - t0 };
}
