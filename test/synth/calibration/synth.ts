/**
 * Yosys synthesis of a compiled design with one count per block: every engine template
 * (qnn_mvau, qnn_window, qnn_maxpool, qnn_requant, qnn_threshold) and every stream block
 * (qnn_dwc, qnn_fifo) is kept as its own module (`keep_hierarchy`), the rest is flattened
 * as the flow does (rtl/yosys-script.ts), and `stat` gives each kept module's cells. The
 * instance of each kept module is read from the top's cells (`dump`), so the counts come
 * back by instance name: `c1.mvau`, `c1.window`, `p1.pool`, `dwc_c1_p1`, `fifo_c1_p1`.
 *
 * Results are cached by content (the RTL folder's files, the family, the Yosys version
 * and this script's commands) under node_modules/.cache/qnn-calibrate, so a rerun only
 * synthesises what changed.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool, runProcess } from '../../../server/src/flows/tools.js';
import { countResources, parseYosysStatText } from '../../../server/src/flows/reports/yosys-stat.js';
import { FILE_LIST, parseFileList, yosysReadCommands, yosysSynthCommands, type SynthTarget } from '../../../server/src/rtl/yosys-script.js';
import type { Resources } from '../../../server/src/cost/fabric.js';

/**
 * What a sweep is synthesised for, one fitted coefficient set each (constants.ts `fit`):
 * 'xilinx' is `synth_xilinx -family xc7`, 'xcup' `synth_xilinx -family xcup` (UltraScale+),
 * 'ice40' `synth_ice40 -dsp`.
 */
export type SynthFamily = 'xilinx' | 'ice40' | 'xcup';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CACHE_DIR = process.env.QNN_CALIBRATE_CACHE ?? path.join(ROOT, 'node_modules/.cache/qnn-calibrate');

/** The template modules counted on their own. */
export const BLOCK_MODULES = [
  'qnn_mvau',
  'qnn_mvau_mmv',
  'qnn_window',
  'qnn_maxpool',
  'qnn_maxpool_mmv',
  'qnn_requant',
  'qnn_threshold',
  'qnn_dwc',
  'qnn_fifo',
] as const;

/**
 * The blocks whose own engine instances are flattened into them before the others are kept:
 * an MMV engine's M lockstep qnn_mvau copies are one block, whose equal control registers
 * synthesis merges as the flow's flattened synthesis does.
 */
const MERGED_MODULES = ['qnn_mvau_mmv'] as const;

/** The synthesis commands per family: the flow's (rtl/yosys-script.ts); `dsp: false` without DSP blocks. */
export function synthCommand(top: string, family: SynthFamily, o: { arch?: 'xc7' | 'xcup'; dsp?: boolean } = {}): string {
  const target: SynthTarget =
    family === 'ice40' ? { family } : { family: 'xilinx', xilinx: family === 'xcup' ? 'xcup' : (o.arch ?? 'xc7') };
  return yosysSynthCommands(top, target, { dsp: o.dsp }).join('; ');
}

/**
 * Bumped when the commands around the synthesis (keeping the blocks, reading their counts) or
 * the parsing change what a design without MMV engines gives, so the cache is not reused (the
 * MMV modules' commands only act on designs that have them). The synthesis commands
 * themselves (rtl/yosys-script.ts) are part of the key as they are.
 */
const SCRIPT_VERSION = 'per-block-1';

let yosysVersionText: string | undefined;
export function yosysVersion(): string {
  return (yosysVersionText ??= execFileSync(requireTool('yosys'), ['-V'], { encoding: 'utf8' }).trim());
}

export interface BlockCounts extends Resources {
  /** The kept module's cells by type. */
  cells: Record<string, number>;
}

export interface SynthBlocks {
  /** By instance name (hierarchical, `.`-separated below the top). */
  blocks: Record<string, BlockCounts>;
  /** The whole design (every block and the glue). */
  total: Resources;
  ms: number;
  cached: boolean;
}

/** The sources of a compiled RTL folder, in file-list order. */
function sourcesOf(rtlDir: string): string[] {
  return parseFileList(readFileSync(path.join(rtlDir, FILE_LIST), 'utf8'));
}

function contentKey(rtlDir: string, family: SynthFamily, mode: string): string {
  const h = createHash('sha256');
  // The flow's synthesis commands are part of the key (top and -family are in `mode` / `family`).
  h.update(`${SCRIPT_VERSION}\n${yosysVersion()}\n${family}\n${mode}\n${synthCommand('TOP', family)}\n`);
  for (const f of readdirSync(rtlDir).sort()) {
    if (f.startsWith('yosys-') || f === 'synth.ys') continue;
    h.update(`${f}\n`);
    h.update(readFileSync(path.join(rtlDir, f)));
  }
  return h.digest('hex').slice(0, 32);
}

function counts(cells: Record<string, number>, family: SynthFamily): Resources {
  const c = countResources(cells);
  const cellFamily = family === 'xcup' ? 'xilinx' : family;
  if (Object.keys(cells).length > 0 && c.family !== null && c.family !== cellFamily)
    throw new Error(`expected ${family} cells, got ${JSON.stringify(cells)}`);
  return { lut: c.lut ?? 0, ff: c.ff ?? 0, bram18: c.bram18 ?? 0, dsp: c.dsp ?? 0 };
}

/**
 * `stat` text: cells by type per module (`=== name ===` sections), each kept submodule's
 * cells counted in its parent (a module the template keeps, such as qnn_rom, belongs to the
 * block that instantiates it).
 */
export function parseStatModules(text: string): Map<string, Record<string, number>> {
  // The flow's parser (flows/reports/yosys-stat.ts) reads the sections; cell types that name a
  // module ($paramod$<hash>\qnn_rom) are expanded here.
  const stat = parseYosysStatText(text);
  const own = new Map(Object.entries(stat.modules ?? (stat.top ? { [stat.top]: stat.cells } : {})));
  const flat = new Map<string, Record<string, number>>();
  const flatten = (name: string): Record<string, number> => {
    const done = flat.get(name);
    if (done) return done;
    const out: Record<string, number> = {};
    for (const [type, n] of Object.entries(own.get(name) ?? {})) {
      const sub = own.has(type) ? flatten(type) : { [type]: 1 };
      for (const [t, k] of Object.entries(sub)) out[t] = (out[t] ?? 0) + n * k;
    }
    flat.set(name, out);
    return out;
  };
  return new Map([...own.keys()].map((name) => [name, flatten(name)]));
}

/** A queue that runs at most `n` Yosys processes at once (the machine has 2 cores). */
const MAX_PARALLEL = Number(process.env.QNN_CALIBRATE_JOBS ?? 2);
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs one Yosys script in `cwd` through the same queue as the block syntheses. */
export function runYosysQueued(script: string, cwd: string, timeoutMs = 1_800_000): ReturnType<typeof runProcess> {
  return slot(() => runProcess(requireTool('yosys'), ['-q', '-p', script], { cwd, timeoutMs }));
}

/**
 * Yosys' LUT count (LUT6 on Xilinx, SB_LUT4 on iCE40) for one small module (`source`, top
 * `name`) synthesised by `command`, cached by content under `tag` (the measured tables:
 * multipliers.ts, adder-trees.ts).
 */
export async function moduleLuts(
  tag: string,
  name: string,
  source: string,
  command: string,
  family: SynthFamily,
  timeoutMs: number,
): Promise<number> {
  const key = createHash('sha256').update(`${tag}\n${yosysVersion()}\n${command}\n${source}`).digest('hex').slice(0, 32);
  const cacheFile = path.join(CACHE_DIR, `${key}.json`);
  if (existsSync(cacheFile)) return (JSON.parse(readFileSync(cacheFile, 'utf8')) as { lut: number }).lut;
  const work = mkdtempSync(path.join(tmpdir(), `qnn-${tag}-`));
  try {
    writeFileSync(path.join(work, `${name}.sv`), source);
    const r = await runYosysQueued(`read_verilog -sv ${name}.sv; ${command}; tee -q -o stat.txt stat`, work, timeoutMs);
    if (r.code !== 0) throw new Error(`yosys failed on ${name} (${family}):\n${(r.stdout + r.stderr).slice(-2000)}`);
    const lut = parseYosysStatText(readFileSync(path.join(work, 'stat.txt'), 'utf8')).lut ?? 0;
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify({ lut }));
    return lut;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Synthesises the compiled design in `rtlDir` (top `top`) for `family` with every block
 * kept, and returns each block instance's LUT / FF / BRAM18 / DSP (yosys-stat.ts counts).
 */
export async function synthBlocks(rtlDir: string, top: string, family: SynthFamily, timeoutMs = 1_800_000): Promise<SynthBlocks> {
  const key = contentKey(rtlDir, family, `blocks:${top}`);
  const cacheFile = path.join(CACHE_DIR, `${key}.json`);
  if (existsSync(cacheFile)) return { ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as SynthBlocks), cached: true };
  const sources = sourcesOf(rtlDir);
  const keep = BLOCK_MODULES.map((m) => `*\\${m}`).join(' ');
  const script = [
    ...yosysReadCommands(sources, top),
    ...MERGED_MODULES.filter((m) => sources.includes(`${m}.sv`)).map((m) => `proc; flatten *\\${m}`),
    // Parametrised instances are derived modules ($paramod$<hash>\qnn_fifo): mark them all.
    `setattr -mod -set keep_hierarchy 1 ${keep}`,
    synthCommand(top, family),
    'tee -q -o yosys-blocks-stat.txt stat',
    `tee -q -o yosys-blocks-cells.txt dump ${top}/t:$paramod*`,
  ].join('; ');
  const r = await runYosysQueued(script, rtlDir, timeoutMs);
  if (r.code !== 0) throw new Error(`yosys failed in ${rtlDir} (${family}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  const modules = parseStatModules(readFileSync(path.join(rtlDir, 'yosys-blocks-stat.txt'), 'utf8'));
  const dump = readFileSync(path.join(rtlDir, 'yosys-blocks-cells.txt'), 'utf8');
  const blocks: Record<string, BlockCounts> = {};
  for (const m of dump.matchAll(/^\s*cell (\S+) \\?(\S+)\s*$/gm)) {
    const cells = modules.get(m[1]);
    if (!cells) throw new Error(`no statistics for module ${m[1]} (instance ${m[2]})`);
    blocks[m[2]] = { ...counts(cells, family), cells };
  }
  // The top's cells with every kept module's in them: the blocks and the glue left after
  // flattening the engine wrappers.
  const topCells = modules.get(top);
  if (!topCells) throw new Error(`no statistics for ${top}`);
  const total = counts(topCells, family);
  const res: SynthBlocks = { blocks, total, ms: r.durationMs, cached: false };
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(res));
  return res;
}

/** The flow's own synthesis (flattened, as `qnn build` and flows/synth-check.ts run it): whole-design counts, cached. */
export async function synthWhole(
  rtlDir: string,
  top: string,
  family: SynthFamily,
  arch: 'xc7' | 'xcup' = 'xc7',
  timeoutMs = 1_800_000,
): Promise<{ total: Resources; ms: number; cached: boolean; timedOut: boolean }> {
  const key = contentKey(rtlDir, family, `whole:${arch}:${top}`);
  const cacheFile = path.join(CACHE_DIR, `${key}.json`);
  if (existsSync(cacheFile)) return { ...JSON.parse(readFileSync(cacheFile, 'utf8')), cached: true };
  const script = [
    ...yosysReadCommands(sourcesOf(rtlDir), top),
    synthCommand(top, family, { arch }),
    'tee -q -o yosys-whole-stat.txt stat',
  ].join('; ');
  const r = await runYosysQueued(script, rtlDir, timeoutMs);
  if (r.timedOut) return { total: { lut: 0, ff: 0, bram18: 0, dsp: 0 }, ms: r.durationMs, cached: false, timedOut: true };
  if (r.code !== 0) throw new Error(`yosys failed in ${rtlDir} (${family}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  const modules = parseStatModules(readFileSync(path.join(rtlDir, 'yosys-whole-stat.txt'), 'utf8'));
  const cells = modules.get(top);
  if (!cells) throw new Error(`no statistics for ${top}`);
  const res = { total: counts(cells, family), ms: r.durationMs, timedOut: false };
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(res));
  return { ...res, cached: false };
}
