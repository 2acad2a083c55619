/**
 * Yosys synthesis of a compiled design, for acceptance checks and resource counts:
 * `synth_xilinx` for Xilinx parts, `synth_ice40` for iCE40 (hardware.md §4, §8).
 * Runs in the rtl folder, where `$readmemh` finds the ROM files, with the commands of the
 * compiler's synth.ys (rtl/yosys-script.ts) for the family asked for.
 */
import * as path from 'node:path';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { requireTool, runProcess } from './tools.js';
import { parseYosysStatText } from './reports/yosys-stat.js';
import { FILE_LIST, parseFileList, yosysReadCommands, yosysSynthCommands, type SynthFamily } from '../rtl/yosys-script.js';

export type { SynthFamily } from '../rtl/yosys-script.js';

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
  // The compiler's file list; a folder without one: its .sv files (Yosys needs no order).
  const list = path.join(rtlDir, FILE_LIST);
  const sources = existsSync(list)
    ? parseFileList(readFileSync(list, 'utf8'))
    : readdirSync(rtlDir)
        .filter((f) => f.endsWith('.sv'))
        .sort();
  const statFile = `yosys-${family}-stat.txt`;
  rmSync(path.join(rtlDir, statFile), { force: true });
  const script = [...yosysReadCommands(sources, top), ...yosysSynthCommands(top, { family }), `tee -o ${statFile} stat`].join('; ');
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
  // The whole design's cells: with a kept module (qnn_rom on Xilinx), the design hierarchy's totals.
  const cells = stat ? { ...parseYosysStatText(stat).cells } : {};
  return { ok: r.code === 0 && !/ERROR/.test(log), cells, log, ms: performance.now() - t0 };
}
