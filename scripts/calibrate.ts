/**
 * `npm run calibrate`: fits the cost model's LUT and FF coefficients (server/src/cost/
 * calibration.json, read by constants.ts) to what Yosys builds from our RTL (hardware.md §4).
 *
 * 1. The sweep (test/synth/calibration/sweep.ts) is compiled for each coefficient set (xilinx:
 *    xc7z020, `synth_xilinx -family xc7`; ice40: ice40up5k, `synth_ice40 -dsp`; xcup: the
 *    UltraScale+ xczu7ev, `synth_xilinx -family xcup`; the flow's commands after it,
 *    rtl/yosys-script.ts) and synthesised with every
 *    engine template and stream block kept as its own module (synth.ts), so each block of
 *    each network is one sample. Yosys results are cached by content.
 *    The LUT multiplier table is measured the same way (calibration/multipliers.ts: one
 *    registered product per weight and input width, without DSPs) and written beside the
 *    coefficients (`lutMultipliers`); the fit prices the LUT multiplier lanes with it. So
 *    is the adder-tree table (calibration/adder-trees.ts: one registered tree of n signed
 *    w-bit leaves as qnn_mvau writes it, `adderTrees`), which prices the MVAU's trees.
 * 2. Per family and engine kind, the LUT and FF formulas are linear in their coefficients:
 *    each term's value is read off the estimate itself (the coefficient set to a unit, the
 *    others to 0), and the coefficients are fitted by non-negative least squares on the
 *    relative error, reweighted towards the median (IRLS for the absolute error). A block
 *    that repeats another (the same terms and Yosys count: the FIFO networks' pools and
 *    activations, drawn again for each depth) is one sample.
 * 3. The error table (median and worst |error| of LUT and FF, BRAM18 and DSP exact) per
 *    kind and family, before (the coefficients this run started from) and after, is
 *    printed and written to docs/calibration.md with the whole-design check on the
 *    examples and on random networks.
 *
 * Options: --family=SET[,SET] (synthesise and fit only those coefficient sets: xilinx, ice40,
 * xcup; the others keep their coefficients in calibration.json and their rows in the doc),
 * --no-write (fit and report, leave calibration.json and the doc alone),
 * --skip-examples, --examples=REGEX (the examples whose names match; e.g. '^(?!sfc)' leaves out
 * one Yosys does not finish), --example-timeout=SECONDS (default 300), --random=N (default 12),
 * --only=REGEX (the sweep networks whose names match; for trying changes), --dump=FILE (every
 * block's estimate after the fit and its Yosys counts, as JSON).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COST_CONSTANTS, type FamilyFit, type FitSet } from '../server/src/cost/constants.js';
import { fabricOf, type Resources } from '../server/src/cost/fabric.js';
import { fitSetOf } from '../server/src/cost/resources.js';
import { parseDocument, coreServices } from '../server/src/language/parse.js';
import { finalEstimate, type Analysis } from '../server/src/analysis/analyze.js';
import { compileNetwork } from '../server/src/rtl/compile.js';
import { findDevice } from '../server/src/device/devices.js';
import { synthTargetOf } from '../server/src/rtl/yosys-script.js';
import { randomNetwork } from '../test/hw/random-network.js';
import { heldOutNetworks, sweepSpecs } from '../test/synth/calibration/sweep.js';
import { compileSpec, DEVICE, type Block, type BlockKind, type CompiledSpec } from '../test/synth/calibration/samples.js';
import { CACHE_DIR, synthBlocks, synthWhole, yosysVersion, type BlockCounts } from '../test/synth/calibration/synth.js';
import { errorStats, nnls, pctError } from '../test/synth/calibration/fit.js';
import { measureAdderTrees } from '../test/synth/calibration/adder-trees.js';
import { measureLutMultipliers } from '../test/synth/calibration/multipliers.js';
import { CHECKS, SMALL, WIDER } from '../test/synth/calibration/held-out-bounds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CALIBRATION = path.join(ROOT, 'server/src/cost/calibration.json');
const DOC = path.join(ROOT, 'docs/calibration.md');
const WORK = path.join(process.env.TMPDIR ?? '/tmp', 'qnn-calibrate');
/** Every coefficient set, in the order of the tables. */
const ALL_SETS: FitSet[] = ['xilinx', 'ice40', 'xcup'];

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const option = (name: string, dflt: number): number => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
};

/**
 * The sets this run synthesises and fits (`--family=xcup`, `--family=xilinx,ice40`; default
 * all). The others keep their coefficients in calibration.json and their rows in the doc.
 */
const FAMILIES: FitSet[] = (() => {
  const a = args.find((x) => x.startsWith('--family='));
  if (!a) return ALL_SETS;
  const sets = a.slice('--family='.length).split(',');
  const bad = sets.filter((f) => !ALL_SETS.includes(f as FitSet));
  if (bad.length || sets.length === 0) throw new Error(`--family: ${bad.join(', ')} is not one of ${ALL_SETS.join(', ')}`);
  return ALL_SETS.filter((f) => sets.includes(f));
})();
const PARTIAL = FAMILIES.length < ALL_SETS.length;

/** The coefficient set a device's estimate reads (resources.ts `fitOf`). */
function setOfDevice(name: string): FitSet | undefined {
  const d = findDevice(name);
  if (!d) return undefined;
  return fitSetOf(fabricOf(d));
}

/** The coefficient groups of FamilyFit and the block kinds each is fitted on. */
const GROUPS: Record<keyof FamilyFit, BlockKind[]> = {
  mvau: ['mvau', 'mvau_mmv'],
  window: ['window'],
  pool: ['maxpool', 'maxpool_mmv'],
  requant: ['requant'],
  threshold: ['threshold'],
  converter: ['dwc'],
  fifo: ['fifo'],
};
const KINDS: BlockKind[] = ['mvau', 'mvau_mmv', 'window', 'maxpool', 'maxpool_mmv', 'requant', 'threshold', 'dwc', 'fifo'];
type Res = 'lut' | 'ff';

interface Sample {
  block: Block;
  family: FitSet;
  syn: BlockCounts;
}

// ---- the coefficients, swapped in and out of COST_CONSTANTS ---------------------------------

const live = COST_CONSTANTS as unknown as {
  fit: Record<FitSet, FamilyFit>;
  lutMultipliers: Record<FitSet, Record<string, number>>;
  adderTrees: Record<FitSet, Record<string, number>>;
};
const liveTables = live.lutMultipliers;
const liveTrees = live.adderTrees;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
function useFit(fit: Record<FitSet, FamilyFit>): void {
  for (const f of ALL_SETS) live.fit[f] = clone(fit[f]);
}

/** QNN035: the design's output is the same for every input, so synthesis removes the logic the estimate counts. */
function constantOutput(a: Analysis): boolean {
  return a.diagnostics.some((d) => d.code === 'QNN035');
}

// ---- synthesis of the sweep -----------------------------------------------------------------

async function collect(): Promise<{
  samples: Sample[];
  compiled: CompiledSpec[];
  synthMs: number;
  cachedRuns: number;
  runs: number;
  degenerate: string[];
}> {
  const only = args.find((a) => a.startsWith('--only='));
  const specs = sweepSpecs().filter((s) => !only || new RegExp(only.slice(7)).test(s.name));
  const samples: Sample[] = [];
  const compiled: CompiledSpec[] = [];
  let synthMs = 0;
  let cachedRuns = 0;
  let runs = 0;
  const degenerate = new Set<string>();
  const jobs: Promise<void>[] = [];
  let done = 0;
  const setsOf = (s: (typeof specs)[number]): FitSet[] => (s.families ?? ALL_SETS).filter((f) => FAMILIES.includes(f));
  const total = specs.reduce((n, s) => n + setsOf(s).length, 0);
  for (const spec of specs) {
    for (const family of setsOf(spec)) {
      const c = await compileSpec(spec, family, WORK);
      // A constant output: synthesis keeps none of the logic the estimate counts.
      if (constantOutput(c.analysis)) {
        degenerate.add(spec.name);
        continue;
      }
      compiled.push(c);
      jobs.push(
        synthBlocks(c.compiled.rtlDir, c.compiled.top, family).then((s) => {
          runs++;
          if (s.cached) cachedRuns++;
          else synthMs += s.ms;
          for (const b of c.blocks) {
            const syn = s.blocks[b.instance];
            if (!syn) throw new Error(`${b.id} (${family}): no block ${b.instance} in the synthesis (${Object.keys(s.blocks).join(', ')})`);
            samples.push({ block: b, family, syn });
          }
          done++;
          if (!s.cached || done % 50 === 0)
            process.stderr.write(`  [${done}/${total}] ${spec.name} ${family}${s.cached ? '' : ` ${(s.ms / 1000).toFixed(1)} s`}\n`);
        }),
      );
      // Compile ahead of the Yosys queue (synth.ts runs two at a time), but not all at once.
      if (jobs.length >= 4) await Promise.race(jobs.splice(0, 1));
    }
  }
  await Promise.all(jobs);
  samples.sort((a, b) => a.block.id.localeCompare(b.block.id) || a.family.localeCompare(b.family));
  return { samples, compiled, synthMs, cachedRuns, runs, degenerate: [...degenerate] };
}

// ---- the fit --------------------------------------------------------------------------------

const UNIT = 1000;

/** Each sample's term values for one coefficient record: y ≈ y0 + Σ θ_j·x_j. */
function terms(samples: Sample[], family: FitSet, group: keyof FamilyFit, res: Res, keys: string[]): { x: number[][]; y0: number[] } {
  const rec = live.fit[family][group][res] as Record<string, number>;
  const saved = { ...rec };
  const set = (j: number) => keys.forEach((k, i) => (rec[k] = i === j ? UNIT : 0));
  set(-1);
  const y0 = samples.map((s) => s.block.estimate()[res]);
  const cols = keys.map((_, j) => {
    set(j);
    return samples.map((s, i) => (s.block.estimate()[res] - y0[i]) / UNIT);
  });
  Object.assign(rec, saved);
  return { x: samples.map((_, i) => cols.map((c) => c[i])), y0 };
}

/** Relative errors below this many units count as this many (tiny blocks do not dominate). */
const FLOOR = 8;

/**
 * Non-negative coefficients minimising the sum of |relative error|: NNLS on the relative
 * error, then iteratively reweighted (each row by 1/|its error|) towards the L1 fit.
 */
function fitCoefficients(x: number[][], y0: number[], y: number[]): number[] {
  const w = y.map((v) => 1 / Math.max(v, FLOOR));
  let rw = y.map(() => 1);
  let theta: number[] = [];
  for (let it = 0; it < Number(process.env.QNN_IRLS ?? 12); it++) {
    const A = x.map((row, i) => row.map((v) => v * w[i] * rw[i]));
    const b = y.map((v, i) => (v - y0[i]) * w[i] * rw[i]);
    theta = nnls(A, b);
    const r = x.map((row, i) => (row.reduce((s, v, j) => s + v * theta[j], y0[i]) - y[i]) * w[i]);
    rw = r.map((e) => 1 / Math.sqrt(Math.max(Math.abs(e), 0.02)));
  }
  return theta;
}

const round4 = (v: number): number => (v === 0 ? 0 : Number(v.toPrecision(4)));

function fitAll(samples: Sample[]): Record<FitSet, FamilyFit> {
  const fitted = clone(live.fit);
  for (const family of FAMILIES) {
    for (const group of Object.keys(GROUPS) as (keyof FamilyFit)[]) {
      const rows = samples.filter((s) => s.family === family && GROUPS[group].includes(s.block.kind));
      for (const res of ['lut', 'ff'] as Res[]) {
        const rec = fitted[family][group][res] as Record<string, number>;
        const keys = Object.keys(rec);
        if (rows.length < keys.length) {
          console.warn(`  ${family} ${group}.${res}: ${rows.length} samples for ${keys.length} coefficients, kept as they were`);
          continue;
        }
        // A block that repeats another (the same terms and count: the FIFO networks draw the
        // same pools and activations for each depth) is one sample, not one per copy. Counted
        // once, held-out xcup max-pools went 9.0 / 28 -> 8.4 / 25 % and xcup thresholds'
        // worst 50 -> 44 %.
        const all = terms(rows, family, group, res, keys);
        const seen = new Set<string>();
        const keep = rows.map((s, i) => {
          const key = `${all.x[i].map((v) => v.toFixed(6)).join(',')}|${all.y0[i].toFixed(6)}|${s.syn[res]}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const x = all.x.filter((_, i) => keep[i]);
        const y0 = all.y0.filter((_, i) => keep[i]);
        const kept = rows.filter((_, i) => keep[i]);
        // A term that is zero on every sample cannot be fitted: it keeps its value.
        const used = keys.map((_, j) => x.some((r) => Math.abs(r[j]) > 1e-9));
        const idx = keys.map((_, j) => j).filter((j) => used[j]);
        const fixed = y0.map((v, i) => v + keys.reduce((s, k, j) => s + (used[j] ? 0 : rec[k] * x[i][j]), 0));
        const theta = fitCoefficients(
          x.map((r) => idx.map((j) => r[j])),
          fixed,
          kept.map((s) => s.syn[res]),
        );
        idx.forEach((j, t) => (rec[keys[j]] = round4(theta[t])));
      }
    }
  }
  return fitted;
}

// ---- the tables -----------------------------------------------------------------------------

interface KindRow {
  kind: BlockKind;
  family: FitSet;
  n: number;
  lut: ReturnType<typeof errorStats>;
  ff: ReturnType<typeof errorStats>;
  bram: number;
  dsp: number;
}

function table(samples: Sample[]): KindRow[] {
  const est = samples.map((s) => s.block.estimate());
  const out: KindRow[] = [];
  for (const family of FAMILIES) {
    for (const kind of KINDS) {
      const idx = samples.map((s, i) => (s.family === family && s.block.kind === kind ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) continue;
      const rows = (r: Res) => idx.map((i) => ({ id: samples[i].block.id, est: Math.round(est[i][r]), syn: samples[i].syn[r] }));
      out.push({
        kind,
        family,
        n: idx.length,
        lut: errorStats(rows('lut')),
        ff: errorStats(rows('ff')),
        bram: idx.filter((i) => Math.ceil(est[i].bram18) === samples[i].syn.bram18).length,
        dsp: idx.filter((i) => Math.ceil(est[i].dsp) === samples[i].syn.dsp).length,
      });
    }
  }
  return out;
}

const pct = (v: number): string => `${v.toFixed(1)} %`;

// ---- the previous doc: the rows of the sets a partial run (--family) does not refit ----------

const PREVIOUS_DOC = (() => {
  try {
    return readFileSync(DOC, 'utf8');
  } catch {
    return '';
  }
})();

/** The body rows of the first table after `heading` in the previous doc (header and separator left out). */
function previousRows(heading: string): string[] {
  const at = PREVIOUS_DOC.indexOf(heading);
  if (at < 0) return [];
  const lines = PREVIOUS_DOC.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  if (start < 0) return [];
  const rows: string[] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l);
  }
  return rows;
}

/** Cell `i` (from 0) of a table row. */
const cellOf = (row: string, i: number): string => (row.split('|')[i + 1] ?? '').trim();

/** Whether a previous row (its set in cell `i`) is kept: its set is not refitted by this run. */
const keptRow = (row: string, i: number): boolean => {
  const set = cellOf(row, i) as FitSet;
  return ALL_SETS.includes(set) && !FAMILIES.includes(set);
};

const ERROR_HEADING = '## Error per engine';
const WORST_HEADING = 'Largest errors after the fit:';
const DESIGN_HEADING = '## Whole designs';

function errorTable(before: KindRow[], after: KindRow[]): string {
  const lines = [
    '| family | engine | blocks | LUT median | LUT worst | FF median | FF worst | BRAM18 exact | DSP exact |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const kept = PARTIAL ? previousRows(ERROR_HEADING).filter((row) => keptRow(row, 0)) : [];
  for (const set of ALL_SETS) {
    lines.push(...kept.filter((row) => cellOf(row, 0) === set));
    for (const a of after.filter((x) => x.family === set)) {
      const b = before.find((r) => r.kind === a.kind && r.family === a.family)!;
      const two = (x: number, y: number) => `${pct(x)} → **${pct(y)}**`;
      lines.push(
        `| ${a.family} | ${a.kind} | ${a.n} | ${two(b.lut.median, a.lut.median)} | ${two(b.lut.worst, a.lut.worst)} | ${two(b.ff.median, a.ff.median)} | ${two(b.ff.worst, a.ff.worst)} | ${a.bram}/${a.n} | ${a.dsp}/${a.n} |`,
      );
    }
  }
  return lines.join('\n');
}

function worstTable(samples: Sample[], n = 12): string {
  const est = samples.map((s) => s.block.estimate());
  const rows = samples.flatMap((s, i) =>
    (['lut', 'ff'] as Res[]).map((r) => ({ s, r, e: Math.round(est[i][r]), err: pctError(Math.round(est[i][r]), s.syn[r]) })),
  );
  const all = rows.map((r) => ({
    err: r.err,
    line: `| ${r.s.block.id} | ${r.s.family} | ${r.s.block.what} | ${r.r.toUpperCase()} | ${r.e} | ${r.s.syn[r.r]} | ${r.err > 0 ? '+' : ''}${r.err.toFixed(0)} % |`,
  }));
  // A partial run: the previous rows of the other sets compete for the same places.
  if (PARTIAL)
    for (const line of previousRows(WORST_HEADING).filter((row) => keptRow(row, 1)))
      all.push({ err: Number.parseFloat(cellOf(line, 6)), line });
  all.sort((a, b) => Math.abs(b.err) - Math.abs(a.err));
  const lines = ['| block | family | what | resource | estimate | Yosys | error |', '|---|---|---|---|---:|---:|---:|'];
  for (const r of all.slice(0, n)) lines.push(r.line);
  return lines.join('\n');
}

function mismatches(samples: Sample[]): string[] {
  // A partial run: the previous doc's mismatches of the sets it does not refit.
  const kept = PARTIAL
    ? PREVIOUS_DOC.split('\n').filter((l) => {
        const m = /^- \S+ \((\w+), .*(?:BRAM18|DSP) \d+ estimated, \d+ built$/.exec(l);
        return m !== null && ALL_SETS.includes(m[1] as FitSet) && !FAMILIES.includes(m[1] as FitSet);
      })
    : [];
  return kept
    .map((l) => l.slice(2))
    .concat(
      samples.flatMap((s) => {
        const e = s.block.estimate();
        const out: string[] = [];
        if (Math.ceil(e.bram18) !== s.syn.bram18)
          out.push(`${s.block.id} (${s.family}, ${s.block.what}): BRAM18 ${Math.ceil(e.bram18)} estimated, ${s.syn.bram18} built`);
        if (Math.ceil(e.dsp) !== s.syn.dsp)
          out.push(`${s.block.id} (${s.family}, ${s.block.what}): DSP ${Math.ceil(e.dsp)} estimated, ${s.syn.dsp} built`);
        return out;
      }),
    );
}

// ---- whole designs: the examples and random networks ----------------------------------------

/** One set's fit in calibration.json `generated.sets`. */
interface SetRun {
  date: string;
  networks: number;
  blocks: number;
}

interface Generated {
  by: string;
  date: string;
  yosys: string;
  networks: number;
  blocks: number;
  sets?: Partial<Record<FitSet, SetRun>>;
}

interface DesignRow {
  name: string;
  device: string;
  before: Resources;
  after: Resources;
  syn: Resources | null;
  seconds: number;
  note: string;
  /** Warnings that make the design degenerate for the comparison (QNN035: its output is a constant). */
  degenerate?: string;
}

async function analyse(text: string, file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  const doc = await parseDocument(text, file);
  return coreServices().qnn.analysis.AnalysisCache.get(doc, { fifoBudgetSteps: Infinity });
}

/**
 * Estimates `text` under each coefficient set and compiles it as the fitted model folds it
 * (sequential: the coefficients are swapped in COST_CONSTANTS); `synth` then synthesises
 * it whole with the flow's commands (two Yosys runs at a time).
 */
async function prepareDesign(
  name: string,
  text: string,
  dir: string,
  fits: { before: Record<FitSet, FamilyFit>; after: Record<FitSet, FamilyFit> },
) {
  const totals = async (fit: Record<FitSet, FamilyFit>, tag: string) => {
    useFit(fit);
    const a = await analyse(text, path.join(dir, tag, `${name}.qnn`));
    return { a, est: finalEstimate(a)!.totals };
  };
  const before = (await totals(fits.before, 'before')).est;
  const { a, est: after } = await totals(fits.after, 'after');
  const device = a.network.target?.device ?? '?';
  const target = synthTargetOf(findDevice(device)!);
  const c = compileNetwork(a, path.join(dir, 'after'), `${name}.qnn`);
  // A layer whose output is constant: Yosys removes it and what feeds it, the estimate does not.
  const degenerate = constantOutput(a) ? 'QNN035' : undefined;
  return {
    synth: async (timeoutS: number): Promise<DesignRow> => {
      const r = await synthWhole(c.rtlDir, c.top, target.family, target.xilinx ?? 'xc7', timeoutS * 1000);
      const row = { name, device, before, after, seconds: r.ms / 1000, degenerate };
      process.stderr.write(`  ${name}: ${r.timedOut ? 'timed out' : `${(r.ms / 1000).toFixed(0)} s${r.cached ? ' (cached)' : ''}`}\n`);
      if (r.timedOut) return { ...row, syn: null, note: `Yosys took more than ${timeoutS} s: skipped` };
      return { ...row, syn: r.total, note: r.cached ? 'cached' : '' };
    },
  };
}

function designTable(rows: DesignRow[]): string {
  const cell = (b: number, a: number, s: number | undefined) =>
    s === undefined ? `${b} → ${a}` : `${b} → **${a}** / ${s} (${pctError(a, s) > 0 ? '+' : ''}${pctError(a, s).toFixed(0)} %)`;
  const lines = [
    '| design | device | LUT: before → after / Yosys | FF: before → after / Yosys | BRAM18 after / Yosys | DSP after / Yosys | Yosys time |',
    '|---|---|---|---|---|---|---:|',
  ];
  const body = rows.map((r) => {
    const s = r.syn ?? undefined;
    return `| ${r.name} | ${r.device} | ${cell(Math.round(r.before.lut), Math.round(r.after.lut), s?.lut)} | ${cell(Math.round(r.before.ff), Math.round(r.after.ff), s?.ff)} | ${r.after.bram18} / ${s?.bram18 ?? '—'} | ${r.after.dsp} / ${s?.dsp ?? '—'} | ${r.syn ? `${r.seconds.toFixed(0)} s${r.degenerate ? `; ${DEGENERATE}` : ''}` : r.note} |`;
  });
  // A partial run: the previous rows of the designs on devices of the other sets.
  if (PARTIAL)
    body.push(
      ...previousRows(DESIGN_HEADING).filter((row) => {
        const set = setOfDevice(cellOf(row, 1));
        // With --skip-examples the refitted sets' rows stay as the previous run measured them.
        const kept = set !== undefined && (!FAMILIES.includes(set) || flag('skip-examples'));
        return kept && !rows.some((r) => r.name === cellOf(row, 0));
      }),
    );
  // The examples by name, then the random networks by seed and set.
  const key = (row: string): [number, string, number] => {
    const name = cellOf(row, 0);
    const m = /^rnd(\d+)_(\w+)$/.exec(name);
    return m ? [1, m[1], ALL_SETS.indexOf(m[2] as FitSet)] : [0, name, 0];
  };
  body.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) || x[2] - y[2];
  });
  lines.push(...body);
  return lines.join('\n') + '\n\n' + designSummary(body);
}

/** The time cell's mark on a design left out of the summary. */
const DEGENERATE = 'QNN035 (a constant output): left out';

/**
 * The issue's target on whole designs (median |error| ≤ 10 % for LUT and FF, worst ≤ 25 %),
 * over the table's rows (this run's and, in a partial run, the kept ones).
 */
function designSummary(rows: string[]): string {
  // The after-fit estimate and Yosys' count of each row's cell: `before → **after** / Yosys (e %)`.
  const samples = (cell: number) =>
    rows
      .filter((row) => !row.includes(DEGENERATE))
      .map((row) => ({ id: cellOf(row, 0), m: /\*\*(\d+)\*\* \/ (\d+)/.exec(cellOf(row, cell)) }))
      .filter((e): e is { id: string; m: RegExpExecArray } => e.m !== null)
      .map((e) => ({ id: e.id, est: Number(e.m[1]), syn: Number(e.m[2]) }));
  const line = (what: string, cell: number) => {
    const s = errorStats(samples(cell));
    if (s.n === 0) return `${what}: no synthesised design`;
    const met = s.median <= 10 && s.worst <= 25 ? 'met' : 'not met';
    return `${what}: median ${s.median.toFixed(1)} %, worst ${s.worst.toFixed(1)} % (${s.worstId}): target ${met}`;
  };
  const left = rows.filter((row) => row.includes(DEGENERATE)).map((row) => cellOf(row, 0));
  return [
    `Over ${samples(2).length} designs${left.length ? ` (left out: ${left.join(', ')}, whose output does not depend on its input, QNN035)` : ''}, |estimate − Yosys| / Yosys:`,
    '',
    `- ${line('LUT', 2)}`,
    `- ${line('FF', 3)}`,
  ].join('\n');
}

function exampleFiles(): string[] {
  const dir = path.join(ROOT, 'examples');
  return readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(dir, d))
        .filter((f) => f.endsWith('.qnn'))
        .map((f) => path.join(dir, d, f)),
    )
    .sort();
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  const before = clone(live.fit);
  console.log(`Calibration sweep: ${yosysVersion()}; work ${WORK}; Yosys cache ${CACHE_DIR}`);
  // The LUT multiplier table is measured, not fitted; the fit below prices the lanes with it.
  for (const f of FAMILIES) {
    const table = await measureLutMultipliers(f);
    const old = liveTables[f] ?? {};
    const changed = Object.keys(table).filter((k) => old[k] !== table[k]);
    const shown = changed.slice(0, 8).map((k) => `${k} ${old[k] ?? '-'} → ${table[k]}`);
    const detail = changed.length ? ` (${shown.join(', ')}${changed.length > shown.length ? ', …' : ''})` : '';
    console.log(`LUT multipliers, ${f}: ${Object.keys(table).length} products measured, ${changed.length} changed${detail}`);
    liveTables[f] = table;
    const trees = await measureAdderTrees(f);
    const oldTrees = liveTrees[f] ?? {};
    const changedTrees = Object.keys(trees).filter((k) => oldTrees[k] !== trees[k]).length;
    console.log(`Adder trees, ${f}: ${Object.keys(trees).length} trees measured, ${changedTrees} changed`);
    liveTrees[f] = trees;
  }
  const { samples, compiled, synthMs, cachedRuns, runs, degenerate } = await collect();
  console.log(
    `${compiled.length} compiled networks, ${runs} Yosys runs (${cachedRuns} cached, ${(synthMs / 1000).toFixed(0)} s of Yosys), ${samples.length} blocks`,
  );
  if (degenerate.length) console.log(`Left out, their output a constant (QNN035): ${degenerate.join(', ')}`);
  const beforeRows = table(samples);
  const after = fitAll(samples);
  useFit(after);
  const afterRows = table(samples);
  const errTable = errorTable(beforeRows, afterRows);
  console.log('\n' + errTable + '\n');
  const dump = args.find((a) => a.startsWith('--dump='));
  if (dump) {
    const rows = samples.map((s) => ({
      id: s.block.id,
      family: s.family,
      kind: s.block.kind,
      what: s.block.what,
      est: s.block.estimate(),
      syn: s.syn,
    }));
    writeFileSync(dump.slice(7), JSON.stringify(rows));
  }
  const missed = mismatches(samples);
  if (missed.length) console.log(`BRAM18 / DSP mismatches (memory placement and DSP rules are not fitted):\n  ${missed.join('\n  ')}`);

  const designs: DesignRow[] = [];
  if (!flag('skip-examples')) {
    const timeout = option('example-timeout', 300);
    const only = args.find((a) => a.startsWith('--examples='));
    const examplesOnly = only ? new RegExp(only.slice('--examples='.length)) : undefined;
    const prepared: Awaited<ReturnType<typeof prepareDesign>>[] = [];
    for (const file of exampleFiles()) {
      const name = path.basename(file, '.qnn');
      if (examplesOnly && !examplesOnly.test(name)) continue;
      // Weights are read relative to the .qnn: the copies point at the example's folder.
      const dir = path.dirname(file);
      const text = readFileSync(file, 'utf8').replace(/"((?:\.\.\/|weights\/|data\/)[^"]*)"/g, (_, p: string) =>
        JSON.stringify(path.join(dir, p)),
      );
      // Only the examples whose target reads a set this run fits (--family).
      const set = setOfDevice(/\btarget\s+([\w-]+)/.exec(text)?.[1] ?? '');
      if (!set || !FAMILIES.includes(set)) continue;
      prepared.push(await prepareDesign(name, text, path.join(WORK, 'examples', name), { before, after }));
    }
    for (let i = 0; i < option('random', 12); i++) {
      const seed = 7001 + i;
      for (const family of FAMILIES) {
        const text = randomNetwork(seed).text.replace(/target \S+/, `target ${DEVICE[family]}`);
        prepared.push(await prepareDesign(`rnd${seed}_${family}`, text, path.join(WORK, 'random', `${seed}-${family}`), { before, after }));
      }
    }
    designs.push(...(await Promise.all(prepared.map((p) => p.synth(timeout)))));
  }
  useFit(after);
  const dTable = designs.length || PARTIAL ? designTable(designs) : '';
  if (dTable) console.log('\n' + dTable + '\n');

  if (!flag('no-write')) {
    const previous = JSON.parse(readFileSync(CALIBRATION, 'utf8')) as Record<string, unknown> & { generated?: Generated };
    const date = new Date().toISOString().slice(0, 10);
    // Per set: when it was fitted and on how many networks and blocks (a partial run keeps the others').
    const old = previous.generated;
    const oldSets = old?.sets ?? {};
    const sets: Partial<Record<FitSet, SetRun>> = {};
    for (const f of ALL_SETS) {
      if (FAMILIES.includes(f))
        sets[f] = {
          date,
          networks: compiled.filter((c) => c.family === f).length,
          blocks: samples.filter((x) => x.family === f).length,
        };
      else if (oldSets[f]) sets[f] = oldSets[f];
      else if (old && f !== 'xcup')
        // Written before the per-set record: the sweep was the same for xilinx and ice40.
        sets[f] = { date: old.date, networks: old.networks / 2, blocks: old.blocks / 2 };
    }
    const runs = Object.values(sets);
    const generated: Generated = {
      by: 'npm run calibrate (scripts/calibrate.ts)',
      date,
      yosys: yosysVersion(),
      networks: runs.reduce((n, x) => n + x.networks, 0),
      blocks: runs.reduce((n, x) => n + x.blocks, 0),
      sets,
    };
    // The sets this run does not fit are written back exactly as they were read.
    const coefficients = Object.fromEntries(ALL_SETS.map((f) => [f, FAMILIES.includes(f) ? after[f] : (previous[f] ?? after[f])]));
    const out = { $comment: previous.$comment, generated, ...coefficients, lutMultipliers: liveTables, adderTrees: liveTrees };
    writeFileSync(CALIBRATION, JSON.stringify(out, null, 2) + '\n');
    writeFileSync(DOC, doc({ errTable, worst: worstTable(samples), missed, degenerate, dTable, generated, after }));
    console.log(`wrote ${path.relative(ROOT, CALIBRATION)} and ${path.relative(ROOT, DOC)}`);
  }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

function doc(d: {
  errTable: string;
  worst: string;
  missed: string[];
  degenerate: string[];
  dTable: string;
  generated: Generated;
  after: Record<FitSet, FamilyFit>;
}): string {
  const g = d.generated;
  const runs = ALL_SETS.filter((f) => g.sets?.[f]).map((f) => `${f} ${g.sets![f]!.date}`);
  // The UltraScale+ line: pow2_net (xczu9eg) as this or the previous run measured it.
  const pow2 = d.dTable.split('\n').find((l) => cellOf(l, 0) === 'pow2_net');
  const pow2Line = pow2 ? `\n  Whole design, pow2_net on ${cellOf(pow2, 1)}, LUT before → after / Yosys: ${cellOf(pow2, 2)}.` : '';
  const coeff = (f: FitSet) =>
    (Object.keys(d.after[f]) as (keyof FamilyFit)[])
      .map(
        (g) =>
          `| ${g} | ${Object.entries(d.after[f][g].lut)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} | ${Object.entries(d.after[f][g].ff)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} |`,
      )
      .join('\n');
  return `# Calibration of the resource estimate

The LUT and FF formulas of the cost model (server/src/cost/resources.ts, hardware.md §4) are
sums of terms, one per structure the templates instantiate, each with a coefficient per
resource family. \`npm run calibrate\` (scripts/calibrate.ts) fits those coefficients to what
Yosys builds from our RTL and writes them to server/src/cost/calibration.json, the one data
file constants.ts reads. This page is written by the same run.

Generated with ${g.yosys}: ${g.networks} compiled networks (the sweep for each
coefficient set), ${g.blocks} blocks; fitted: ${runs.join(', ')}.

## How it works

- **Sweep** (test/synth/calibration/sweep.ts, deterministic): dense and conv1d / conv2d MVAUs with
  int (i2, i4, i8, u4), pow2<3>, pow2<4> and bipolar weights, u1–u8, i4, i8 and bipolar
  inputs, PE 1–16 and SIMD 1–64 (wide XNOR, pow2 and narrow-int layers as the examples fold them), no activation or a fused requant (shared or per-channel
  scales, mbits 8 and 16, with and without zero point) or threshold (shared or per-channel,
  u2, u3, bipolar), weight memories from hard-wired (NF·SF = 1: the weights are the
  template's WEIGHT_WORD constant) to block RAM; 1-D and 2-D max-pools; stand-alone requant
  and threshold engines; width converters between MVAUs; FIFOs of depth 1 to 2049; MMV
  convolutions and max-pools (2 and 4 pixels per cycle, 1-D and 2-D: qnn_mvau_mmv and
  qnn_maxpool_mmv, each kept as one block with its M copies); stand-alone thresholds and
  requants of hard-wired constants on u2 to i12 inputs at PE up to 16 (\`cact*\`, \`rq*\`:
  thresholds outside the input's range or repeated, outputs u1 to u8); narrow int convs as
  the examples fold them (\`nint*\`: u2 to u8 × i2 to i4, PE 2 to 8, SIMD 4 to 16, a fused requant);
  window generators at a real CNN's geometry (\`lwin*\`: 12 to 32-pixel images of 3 to 128
  channels, SIMD 3 to 32, as CNV's); 2-D MMV max-pools on the input (\`mmvpool*\`: kernel 2
  and 4, 2 and 4 pixels per cycle, u1 to u8, i4 and bipolar, 1 to 8 channels); 2-D
  max-pools on images up to 32 × 32 with strides below the kernel (\`pool2d*\`); stand-alone
  thresholds across the rest of their space (\`thr*\`: u2 to i16 inputs, bipolar to u4
  outputs, shared or per-channel sets, 15 a channel included, PE from 1 to one lane per
  channel).
- **Synthesis** (test/synth/calibration/synth.ts): each network is compiled as \`qnn compile\` does
  and synthesised for each coefficient set as the flow does (rtl/yosys-script.ts): xc7z020
  (\`synth_xilinx -family xc7 -flatten\`), ice40up5k (\`synth_ice40 -dsp\`) and, for the
  UltraScale+ parts (devices.json family zynqmp), xczu7ev (\`synth_xilinx -family xcup
  -flatten\`, compiled with the xcup DSP rules); after synth_xilinx, \`opt_merge -share_all\`
  merges the equal cells it leaves (an inverter per flip-flop with an active-low enable or
  reset, equal LUTs on the same inputs: a fifth of an MVAU chain's LUTs on xc7, a third on xcup),
  and before it, an MVAU weight ROM of more than 32 words (qnn_rom) is kept as a module of its
  own through the flattening (counted here in its MVAU); with every template instance
  (qnn_mvau, qnn_mvau_mmv, qnn_window, qnn_maxpool, qnn_maxpool_mmv, qnn_requant,
  qnn_threshold, qnn_dwc, qnn_fifo) kept as its own module, so \`stat\` counts each block; the counts are those of \`qnn report\` (flows/reports/yosys-stat.ts). Results
  are cached by content under node_modules/.cache/qnn-calibrate: a rerun only synthesises
  what changed.
- **Fit**: per family and engine the formula is linear in its coefficients; each term's
  value is read off the estimate itself, and the coefficients are fitted by non-negative
  least squares on the relative error (blocks under ${FLOOR} units count as ${FLOOR}), reweighted
  towards the least absolute error; a block that repeats another (the same terms and Yosys
  count, as the FIFO networks' pools and activations do) is one sample. Memory placement
  (LUT, LUTRAM or block RAM) and the DSP mapping rules are Yosys' own rules, not fitted.

Rerun: \`npm run calibrate\` (about 50 min of Yosys on 2 cores from a cold cache; seconds
when nothing changed). \`-- --no-write\` reports without writing, \`-- --skip-examples\` leaves
out the whole designs, \`-- --examples=REGEX\` synthesises only the examples whose names match,
\`-- --example-timeout=S\` skips an example whose synthesis takes longer,
\`-- --family=xcup\` (or \`xilinx\`, \`ice40\`, comma-separated) synthesises and fits only those
sets: the others keep their coefficients and their rows on this page.
The synthesis test \`npx vitest run --project synth test/synth/calibration.test.ts\` checks
held-out configurations (${heldOutNetworks().length} networks the sweep does not contain) against the fitted
model, one test per engine and coefficient set: BRAM18 and DSP exact, LUT and FF within
the issue's target (median ≤ 10 %, worst block ≤ 25 %) or, where the model does not meet
it, within the bound its \`WIDER\` table names with what was measured (${Object.keys(WIDER).length || 'none'} of the ${CHECKS}
engine × set × resource checks${Object.keys(WIDER).length ? '' : ': every one meets the target'}).

## Error per engine (blocks of the sweep): before → after

Before: the coefficients the run that fitted the set started from (the first xcup fit started
from the Xilinx set, which UltraScale+ parts used until then; the xilinx and xcup fits of
2026-12-04 started from coefficients fitted to synth_xilinx's counts before the flow merged
its duplicated cells, so their "before" LUT medians are 0 to 154 % off, mostly high). Errors are |estimate − Yosys| / Yosys.

${d.errTable}
${
  d.degenerate.length
    ? `\nLeft out of the sweep: ${d.degenerate.join(', ')}, whose output is the same for every input (QNN035), so synthesis keeps none of the logic the estimate counts.\n`
    : ''
}
For the record, the hand-set model before the first calibration (commit b917745: FINN-R's
anchors, \`ice40LutFactor\` 1.5, no per-family coefficients) on the same ${FIRST_SWEEP.blocks} blocks of
the first sweep (${FIRST_SWEEP.yosys}):

${FIRST_SWEEP.table}

Its totals on the examples (LUT / FF): ${FIRST_SWEEP.examples}.

Largest errors after the fit:

${d.worst}

${d.missed.length ? `BRAM18 / DSP mismatches (memory placement and DSP mapping are Yosys' rules, not fitted):\n\n${d.missed.map((m) => `- ${m}`).join('\n')}\n` : 'Every block has the BRAM18 and DSP counts Yosys gives.\n'}
## Whole designs: the examples and random networks

The flow's own synthesis (flattened), against the estimate's totals; before → after.

${d.dTable || '(not run)'}

## What the fit does not capture

- **Structure Yosys changes**, which the formulas follow where the sweep showed it: a LUT ROM
  keeps only its distinct non-constant columns (equal columns and their output registers are
  merged, constant ones dropped: at most 2^depth − 2, so a depth-4 activation ROM of 1,568
  bits has 14 flip-flops; an activation ROM's are counted on its image, \`romImageColumns\`,
  which took the sweep's requant LUT median on xc7 from 9.4 to 6.5 % and the held-out
  iCE40 thresholds' from 10.6 to 8.7 %); \`synth_xilinx\` packs
  the accumulator into a DSP48 (the MAC's own when SIMD = 1, the requant's when the
  accumulator is its wider operand: its pre-adder and D/AD registers take the tree root and
  the accumulator; on 7-series only: with \`-family xcup\` they stay in fabric, and so does
  the tree's first adder a DSP48E1's post-adder takes; a u8 × i2 MAC at SIMD 1 is one
  DSP48E1 alone on xc7, one DSP48E2 and a 20-bit accumulator in fabric on xcup); a
  comparator x ≥ T is a carry chain over an inverted copy of x (INV cells), against ROM
  entries as against constants; on iCE40 an EBR in its 256×16 configuration comes with a register and a
  mux per data bit; XNOR lanes are a plain adder-tree popcount (FINN-R's 3-pairs-per-LUT6
  compression is not what Yosys builds from qnn_mvau).
- **Wide LUT ROMs on Xilinx** used to come out under Yosys: ABC, mapping a weight ROM of 65
  to 128 words together with the rest of a flattened MVAU, built part of it through shared
  decoders of the address. held_dense7's (u1 × pow2<3>, PE 4, SIMD 32: 128 × 384 bits) took
  1,992 LUTs where alone a column of 7 address bits is two LUT6 and a MUXF7 (768 LUT6, 384
  MUXF7), as the estimate prices it. The template now reads a ROM of more than 32 words
  through qnn_rom, and the flow's Yosys commands for Xilinx keep it apart
  (rtl/yosys-script.ts \`XILINX_KEEP_ROMS\`): on xc7, held_dense7 3,812 → 2,768 LUTs, the
  sweep's wide0 (72 × 1,024 bits) 11,257 → 9,297 and wide5 (112 × 448) 8,162 → 6,971; on
  xcup, wide0 10,251 → 9,321. Shallower ROMs stay inline: kept apart, a 2-word ROM's
  constant and address bits no longer fold into the products (held_conv0 on xc7: 115 → 203
  LUTs). On iCE40 the deep ROMs are EBRs and the design is flattened as before. Vivado
  flattens it too; whether it has ABC's trouble has not been measured.
- **Width converters on iCE40** used to cost a LUT4 per output bit more than the template
  needs: with one output word a group, qnn_dwc still picked the word through a slice select
  on a counter that only ever holds 0, which synthesis cannot prove, so every bit was gated
  (1 → 8 words of 12 bits: 115 LUT4s; 19 now that the template sends the group as it is;
  synth_xilinx had already folded it away). The fit had priced it as a LUT per collected
  bit (\`collect\`, 1.1 on iCE40, about 0 elsewhere); the term is gone. The iCE40 output
  select is priced as LUT4 2:1 muxes (8:1 of 6 bits: 42 LUT4s), not LUT6 4:1 ones.
- **Block RAM ROMs cut into depth segments** read them through an output mux (a LUT6 per
  4:1 on Xilinx, a LUT4 per 2:1 on iCE40) with a registered segment select, which the
  estimate left out although its own layout (\`blockRomLayout\`) implies it. The sweep has
  no such ROM; CNV has four: its MVAUs with them were 10 to 34 % under Yosys on xc7 (c3,
  1,152 × 256 bits in three segments: 2,089 estimated, 2,685 Yosys; now 2,424), and the
  whole design 10 % under (now 5 %). On Xilinx the blocks may be RAMB36 pairs, twice as deep,
  so fewer segments: c5's 73,728 × 16 bits are 64 RAMB18 in 18 segments, not 36 (priced
  with 36, c5 came out 31 % over; with 18, 4 %).
- **Scatter within a kind**: ABC's LUT mapping of a given template varies by tens of percent
  with constants (random weights, thresholds, scales) and widths; one coefficient per term
  cannot follow it, which is what the worst cases above show.
- **The requant's clamp** used to compare a 34-bit biased value (\`max(PW, 32) + 2\` bits):
  with the shift read from the ROM, Yosys kept 34-bit carry chains for a signed value (2 × 9
  CARRY4 per lane on xc7), which no formula of the output width followed. qnn_act_lane now
  compares the shifted value with the output range moved by −ZERO, adds ZERO on OUT_BITS
  bits, and takes a shared S as the parameter SHIFT, so the value is PW − S bits before
  synthesis sees it (a stand-alone i12 → i4 requant with a zero point, PE 8, on iCE40: 714
  LUTs → 238). The estimate (resources.ts \`requantClamp\`) counts the compares the value's
  range can fail, as wide as synthesis sees it (x times the MBITS-wide M, less a shared S or
  a one-channel lane's constant S), and the output bits that are registers: a requant that
  never clamps keeps only its value's bits (random network 7004, u8 × 0.03 into u6, holds a
  4-bit value: its LUT error went from +39 % to −7 % on iCE40, its FF error on xczu7ev from
  +36 % to +18 %). A stand-alone lane's LUT multiplier and per-channel shifter have their own
  coefficients (\`mul\`, \`shift\`); the shifter has a level per bit of S that differs
  between a lane's channels, and no more than picking one of its distinct S needs.
- **UltraScale+** has its own coefficient set (the \`xcup\` rows above, fitted on the sweep
  synthesised for xczu7ev): \`-family xcup\` maps the same RTL with other LUT6 and MUXF7-9
  counts and DSP48E2 rules. Most of what had set it apart was synth_xilinx's duplicated cells:
  with them, pow2_net on xczu9eg was 43,052 LUTs; merged by the flow's \`opt_merge
  -share_all\`, 27,762.${pow2Line}
- **synth_xilinx's duplicated cells**: it gives each flip-flop with an active-low enable or
  reset an inverter of its own (\`dfflegalize\` works per cell; the engines' pipeline enable
  is the skid buffer's "empty", \`!skid_valid\`), and ABC leaves equal LUTs on the same
  inputs apart. The flow merges them (rtl/yosys-script.ts \`XILINX_AFTER_SYNTH\`), and so
  does this calibration: before, 232 of the 1,103 LUTs of a two-MVAU chain (chain3) on xc7
  were such inverters, and the estimate had been fitted to count them. synth_ice40 leaves
  none (its inverters are on distinct signals).
- **Hard-wired products** are counted one by one, not fitted: each lane multiplies its
  input by its own constant, which is a DSP when what \`wreduce\` leaves of it (trailing
  zeros shifted out, redundant sign bits dropped) passes the fabric's DSP rule, else
  shift-and-add LUTs (resources.ts \`constantMultiplier\`), and equal products (the same
  input times the same constant, in two PEs) are one; MMV copies keep their own, overlapping
  windows or not (each copy has its own input register and enable). A PE adding hard-wired
  pow2 or bipolar products adds only the non-zero ones, each as wide as its constant's odd part
  needs (\`hardWiredTreeLuts\`); unsigned int constants keep the full product width in the
  tree. On a 1- or 2-bit input an int constant's product is wiring too, and where the leaves
  are sign-extended to the full width (a signed input) the tree is priced as Yosys'
  \`$macc\` (the measured table below), not as a binary tree: the sweep's u2 × i4 MMV convs
  (mmv3, mmv4) were 52 and 36 % under on xc7 that way, 26 and 24 % after.
- **Negated leaves** (hard-wired signed int weights): qnn_mvau multiplies by |w| and feeds
  the tree ~(x·|w|) for a negative w, adding the count of such leaves at the root. Yosys had
  built x·w for a negative constant as a full-width signed product whose sign bits every tree
  level added; the complement of the narrow product under constant ones it folds. Measured
  (4 PEs of 20 random i2 weights on u4 inputs): 861 → 605 LUT4s on iCE40, 596 → 467 LUTs on
  xc7, 611 → 482 on xcup; the peak_detector_4g example 16,141 → 14,059 LUTs. The estimate
  prices these leaves narrow on any input, as the \`$macc\` when a PE has one (as narrowed
  binary trees, mmv3 and mmv4 were 45 and 46 % under on xc7), counts the root's add of the
  negated leaves' count, and on iCE40 the inverters of the complemented products, one per
  column and magnitude (opt_merge merges equal ones; counted per weight, the held-out iCE40
  MMV convs' LUT median was 11.2 %). x·5 and x·−5 are now one product, as are x·3 and x·6
  (sweep mmv2: 8 DSPs, 10 before). The sweep's MMV convs' LUT median / worst: xc7 13.1 /
  27 → 6.5 / 27 %, iCE40 5.2 / 16 → 2.9 / 19 %, xcup 13.2 / 26 → 9.5 / 27 %.
- **Degenerate networks**: a requant whose scale maps every input to the same output (random
  network 7001: u3 values × 0.0117) lets Yosys remove its whole chain; the estimate counts the
  hardware the RTL describes, and the editor warns (QNN035). Such designs are left out of the
  summary above. A shared threshold set's comparators are counted as Yosys builds them: only
  the distinct thresholds inside the compared value's range (the accumulator's exact bounds,
  or the input type's), none at all when every threshold misses it. On Xilinx a value of up
  to 6 bits is compared in one LUT6 (no carry chain, no inverted copy of it), and comparators
  against constants have their own coefficient (\`compare\`; sweep thresholds on xc7, LUT
  median 12.2 → 9.8 %, worst 67 → 46 %, with both); on iCE40 they stay with the lane's.
- **Stand-alone thresholds, the wider space** (\`thr*\`, 24 networks, and 12 more held out):
  the sweep had drawn them from few shapes (per-channel sets of u2, u3 and bipolar outputs,
  a ROM of several words). On the new ones the model as it was fitted missed widely: LUT
  median 21.7 % and worst 89 % on xc7 (a u4 output's 15 per-channel thresholds, i4 inputs at
  PE 16), and the held-out set grown to 23 blocks was 12.5 / 49 % on xc7, 10.9 / 42 % on
  iCE40, 7.4 / 49 % on xcup. Fitted with them: 11.4 / 39, 7.6 / 42 and 10.2 / 39 %, wider
  than the target on all three sets (\`WIDER\`). The misses follow the structure, not the
  fit: measured alone (Yosys 0.23), x ≥ T against a ROM word of 2 to 8 entries costs about
  what it does against a constant (17 bits: 29 LUTs for three on xc7 against constants, 33
  from a 2-entry ROM, 41 from 4 entries, the difference the ROM's columns), about half a LUT
  a bit either way, where the model has an inverted copy of x and a quarter LUT a bit; and
  the count of n comparator bits is about half a binary tree of 1-bit leaves (n = 15: 14
  LUTs on xc7, 17 on iCE40; the tree is 39). Put into the model one at a time, and with
  the skid buffer's coefficient held at its measured 1, neither met the target on the
  held-out blocks: the skid (\`out\`) and the count both grow with PE × output bits, and the
  fit trades one for the other.
- **Thresholds on Xilinx are priced from their bits** (resources.ts
  \`laneCompareLuts\`). The same i12 block of 16 lanes with one shared threshold synthesises
  to 91 to 155 LUTs on xc7 depending on the threshold alone (2047: 91, 1515: 123, 853 or 0:
  155). synth_xilinx cuts every x ≥ T into chunks of 3 bits from the MSB (Yosys' cmp2lcu: the
  threshold still comes from a ROM register when it runs, so both operands count as LUT
  inputs), each with a propagate (the chunk's bits equal) and a generate (x's chunk above
  T's) on one carry chain; once T is constant, a generate is no LUT where T's chunk is all
  ones or 0 followed by ones, and the sign chunk compares in offset binary. That rule gives
  the LUTs of 53 single-threshold blocks exactly (i8 to i16, u6 and u8 inputs, xc7 and xcup
  alike). Built that way, a threshold synthesis could see is constant true or false is still a
  comparator (i12 thresholds −2048, 853 and 2048: 347 LUTs), comparators whose chunks hold
  the same bits share their LUTs, a chunk that varies over a lane's channels (a per-channel
  ROM) has both LUTs, and up to 6 bits the two chunks are plain logic that ABC packs into one
  LUT6 per comparator where x and the threshold's distinct varying bits fit. With the count
  of n comparator bits measured alone (constants.ts \`thresholdCountLuts\`: n = 15, 14 LUTs)
  and both under \`compare\`, the fit puts \`compare\` at 0.97, the ROM at 0.93 and the skid at
  1.18 on xc7, and the sweep's xc7 thresholds went from LUT median / worst 11.0 / 70 % to
  4.6 / 34 %; held out (23 blocks) 11.4 / 39 → 4.0 / 21 % on xc7, 10.2 / 39 → 3.1 / 15 % on
  xcup (blocks within ${SMALL} LUTs pass). The thresholds fused after an MVAU's accumulator
  are the same qnn_act_lane and are priced the same way (under the MVAU's \`threshold\`
  coefficient): the sweep's MVAUs went from LUT median / worst 6.7 / 55 to 6.0 / 42 % on xc7
  and 6.1 / 60 to 6.1 / 46 % on xcup, the held-out ones from 5.0 / 21 to 5.7 / 24 % on xc7
  and 8.9 / 21 to 5.6 / 20 % on xcup, and whole designs from LUT median 8.4 to 7.8 % (worst
  21.5 to 23.1 %, rnd7010_xcup).
- **Thresholds on iCE40 compare on the carry chain, in one orientation**: synth_ice40 builds
  \`x >= T\` as a subtraction on SB_CARRY cells but orients it itself, x − T or T − x, lane by
  lane (16 lanes of one design: 8 each way), and T − x against a constant costs up to three
  times the LUT4s, so no rule could follow it (7.6 / 42 % held out, a wider bound). On iCE40
  the template now writes each comparison as the sign of x − T (qnn_act_lane's CMP_CARRY,
  docs/engines-contract.md; bit-exact on Verilator and Icarus, test/hw/ice40-compare.test.ts):
  stand-alone blocks of 1 to 15 thresholds went from 88–235 LUT4s to 32–93. Its cost is then
  what \`ice40LaneCompare\` counts: a LUT4 for the sign of each distinct comparison inside the
  value's range (none where x cannot be negative: the sign is the carry itself), ~T's
  inverters for a per-channel set under the ROM's term (one per distinct ROM column, as the
  ROM), and the count of the comparisons measured alone (constants.ts \`thresholdCountLuts\`,
  LUT4s: 15 bits, 17), over every live threshold, equal ones included (a function of at most
  four distinct comparisons: a LUT4 a bit). Sweep thresholds on iCE40 went from LUT median /
  worst 12.0 / 113 to 4.0 / 22 %, held out from 7.6 / 42 to 4.7 / 19 % (the wider bound is
  gone; one for xcup requants took its place: the templates' new text moved ABC's mapping of
  held_act5, 312 → 344 LUTs for the same logic, past the target), the sweep's iCE40 MVAUs
  (fused thresholds) from 6.4 / 51 to 5.3 / 46 %, and whole designs from LUT median 7.8 to
  7.2 % (worst 23.1 %, unchanged). Xilinx keeps
  \`x >= T\`: cmp2lcu's chunks cost less there than the carry chain for narrow or few
  comparisons (i12, PE 16, one threshold: 142 LUTs against 206), more for wide per-channel
  sets (u8, 7 thresholds, PE 2: 220 against 184), which the estimate does not yet choose
  between.
- **Requant clamps on iCE40 test their bounds' bits** (2026-12-06): synth_ice40 built a clamp
  bound like \`wide < 0\` as a subtraction on the carry chain. On iCE40 the template now tests
  a bound at a power of two (every requant without a zero point) on the value's top bits
  (qnn_act_lane's CLAMP_TEST, docs/engines-contract.md; bit-exact on Verilator and Icarus,
  test/hw/ice40-compare.test.ts): flattened, a stand-alone u6 → u4 requant at PE 8 went from
  174 to 86 LUT4s, a per-channel i8 → u4 one at PE 2 from 463 to 324, whole random designs
  from 479 to 423 LUT4s (rnd7004_ice40), 402 to 378 and 889 to 830. \`requantClamp\` prices
  each test as a LUT4 tree over the bits it reads, on the template's value (a bit wider
  stand-alone, where x is widened by a sign bit), and a bound with a zero point, still \`<\`
  or \`>\`, as a subtraction on the carry chain, a LUT4 a bit (measured before CLAMP_TEST:
  \`wide < 0\` cost 7.5 LUT4s a lane on a 6-bit value, 15 on 10 bits). Two more requant terms: on Xilinx an S read
  from the activation ROM keeps the rounding add in fabric (the DSP's post-adder takes only a
  constant: held_act5 lost 74 of its 286 LUTs with the rounding removed); and one M's
  x · M in LUTs is counted as maccmap builds it (a full adder a bit a term: two LUT4s on
  iCE40, \`constantProductLuts\`) under a coefficient of its own, \`requantMul\` (0.66 on
  iCE40; the sweep has no such lane on Xilinx, where it stays at mulInt). Under the requant
  coefficient, which CLAMP_TEST's smaller DSP lanes took to 0.36, held_mmv1 (16 fused lanes
  in LUTs; 187 LUT4s a lane, counted by replacing the requant lanes with registers) was 40 %
  under; under the lanes' \`mulInt\`, the sweep's MMV convs, which also have hard-wired
  negative constants, took the cost from \`carryOperand\` (1.2 refitted to 0.04). With
  \`requantMul\`, carryOperand stays at 1.09 and held_mmv1 is 21 % under. Held out (LUT
  median / worst): iCE40 requants 10.5 / 28 → 8.8 / 18 % (their wider bound is gone), xcup
  requants 4.6 / 26 → 4.6 / 18 % (gone too), xc7 requants 7.8 / 14 % (held_act5 was 24 %
  under); iCE40 MVAUs 4.2 / 22 %, MMV MVAUs 9.8 / 21 %. The sweep's requants went from 6.4 /
  36 to 5.4 / 49 % on iCE40 (the worst is cact23, 37 LUT4s), 6.5 / 48 to 5.7 / 48 % on xc7
  and xcup; whole designs from LUT median 7.2 to 8.6 %, worst 23.1 to 22.9 %
  (rnd7004_ice40). All three sets were resynthesised
  from the new templates (Xilinx builds the same logic, CLAMP_TEST = 0, but the new text
  moved ABC's mapping of one held-out xcup MVAU, held_dense5, from 477 to 443 LUTs: 26 %
  over its unchanged estimate, a wider bound, gone since: see unsigned weights below).
- **LUT multipliers are measured, not fitted**: the run synthesises one registered product for
  every weight of 2 to 8 bits times every input of 1 to 8 bits, each signed and unsigned, as
  qnn_mvau writes it, without DSPs (\`synth_xilinx -nodsp\`, \`synth_ice40\`), and writes the
  LUT counts to calibration.json \`lutMultipliers\`, one table per set
  (test/synth/calibration/multipliers.ts; resources.ts \`lutMultiplierLutsOn\`). A formula
  across widths cannot follow how unevenly the size grows (i3 × u4 is 10 LUT6 built, 16 by the
  formula; UltraScale+ builds i5 × u4 from 51 where 7 series takes 30); it still prices wider
  products (\`lutMultiplierLuts\`, within 13 % of Yosys up to i16 × i16,
  test/synth/lut-multiplier.test.ts). The held-out conv with i3 × u4 lanes (held_nint2) went
  from +36 % to +2 % on xc7 and from +34 % to 0 % on xcup. Unsigned weights have entries of
  their own (2026-12-06, keyed \`u4x4u\`): the table had priced a u4 weight as an i5 one, the
  width qnn_mvau zero-extends it to, but a signed weight's top bit varies and a zero-extended
  one's does not (u4 × u4 is 22 LUT6 on UltraScale+ and 7 series, i5 × u4 51 and 30; iCE40 26
  LUT4s, 42). held_dense5 (six u4 × u4 lanes on xcup) went from 26 % over to 21 % under, and
  the last \`WIDER\` entry went with it (held-out xcup MVAUs, LUT median / worst 4.9 / 26 →
  5.4 / 23 %); a per-channel requant's x · M, M unsigned, reads the same entries. The sweep's
  MVAUs moved by less than a point (xcup 6.2 / 40.8 → 6.0 / 39.9 %), whole designs from LUT
  median 8.6 to 8.4 %, worst 22.9 to 24.1 % (rnd7004_ice40).
- **Adder trees are measured, not fitted**: Yosys does not build an MVAU's tree as the
  binary tree of carry-chain adders the template writes. \`alumacc\` merges it into one
  \`$macc\`, a carry-save tree of full adders and a final adder: about two LUTs per leaf bit
  past a handful of leaves (32 leaves of 4 bits: 279 LUT6, a binary tree 181). The run
  synthesises a tree of 2 to 64 signed leaves of 1 to 16 bits on each set and writes the
  counts to calibration.json \`adderTrees\` (test/synth/calibration/adder-trees.ts;
  resources.ts \`adderTreeLutsOn\`, linear between and beyond the points, within 10 % of
  Yosys off the grid: test/synth/adder-tree.test.ts); an XNOR lane's leaf counts as one bit
  (a popcount). Before it the sweep's xc7 MVAUs of SIMD 25 and more were 20 % under (median)
  where every other SIMD was within 3 %, and the held-out iCE40 MMV convs 22.5 % (median).
  Hard-wired products of unsigned constants on wider inputs are added by the same measured
  trees, at the full product width (signed constants: negated leaves, above).
  On 7-series parts a tree whose leaves are DSP products has its own coefficient
  (\`treeDsp\`, fitted near a third of \`tree\`): \`xilinx_dsp\` packs adds into the DSP48E1
  post-adders and cascades them (PCOUT to PCIN) past the first level the estimate takes out
  (\`absorbed\`). With it the held-out xc7 MVAUs went from 8.9 / 24 to 5.9 / 22 % (LUT median
  / worst) and the MMV convs from 14.8 / 26 to 9.8 / 18 %, which ended their wider bound.
  iCE40 and \`-family xcup\` keep such trees in fabric (fitted there, it came out equal to
  \`tree\` on xcup, and on iCE40 rested on two blocks), so it is 0 in those sets.
  On iCE40 hard-wired int weights on a 1- or 2-bit input are not free: an SB_CARRY takes
  its operands from nets, so each product bit that is not a wire is a LUT4
  (\`narrowProductLuts\`, counted with the inverters of negative constants under
  \`carryOperand\`), and the narrowed tree is the measured \`$macc\` (two LUT4s a full
  adder). held_mmv1 (u2 × u4, PE 4 × SIMD 6 × MMV 4) went from 29.5 to 23 % under, which
  ended the held-out iCE40 MMV convs' wider bound (7.7 / 29 → 9.1 / 23 %).
- **The stand-alone requant's rounding adder** (+ 2^(S−1), in LUTs where iCE40's SB_MAC16
  leaves it: a signed x) has its own coefficient, \`round\`, and, as in LUTs, loses the
  bits below S − 1 a shared S never reads (a lane that serves one channel has a constant S
  too). Fitted at 1.3 LUT4 a bit; \`lane\`, which had priced it at 0.57, is now 0.84, and the
  skid buffer's \`out\` fell from 1.96 to 1.44. iCE40 requants: sweep LUT 8.6 / 35 → 6.4 /
  36 %, held-out 11.7 / 38 → 10.5 / 28 %; still wider than the target, on small blocks
  (held_rq0, 29 LUT4s, is 37 estimated: its lanes are 3 LUT4s each).
- **Memory placement and DSP mapping** are Yosys' rules (memory.ts, resources.ts
  \`multiplierDsps\`), not fitted; memory.ts prices each placement as memory_libmap does
  (its library files' costs, and its read-mux and write-decode scores). A ROM in block RAM
  has its depth cut into segments of a configuration's depth, laid side by side across the
  blocks' width (\`blockRomLayout\`: CNV's c3 weights, 1,152 × 256 bits, are 22 RAMB18, not
  31; on iCE40 a 1,152 × 3 ROM is one EBR, not two). A buffer read where it is written (the
  MVAU's input buffer) takes single-port LUTRAM on Xilinx (RAM64X1S, RAM128X1S), cheaper
  than the RAM64M a separate read address needs: CNV's c3 and c4 input buffers (72 × 32,
  144 × 16) stay in LUTRAM where a RAMB18 was estimated. The max-pool's running maxima are
  read at a counter without a register after them: \`memory_dff\` moves the counter's
  register into the read port, which becomes synchronous and transparent to the write, and
  memory_libmap then prices LUTRAM as an SDP memory plus the emulation (measured: up to 24
  bits stay in registers, 2 × 12, 3 × 4, 8 × 1), with a copy of the address register beside
  it. On iCE40 an EBR whose read may meet its write (FIFOs, line buffers, the MVAU's input
  buffer, the 2-D max-pool's partial rows) has its read port emulated: the write delayed by
  a register per data and address bit, a bypass word and two flags, shared by copies
  written with the same word. cnv_w2a2 comes to 190 RAMB18 estimated for 190 built (216
  two fits ago, then 192).
- **Registers as synthesis keeps them**: the flip-flop counts follow the templates register
  by register, as synthesis reduces them (measured by name in Yosys' netlists): qnn_window's
  four NW-bit pixel counts, its origin (1-D: no x0, and y0 is the lane tracker's y when a
  window is one word) and its base addresses, whose low bits stay zero where they step by
  whole rows; the max-pool's counters per dimension and the vertical stage's flags (equal
  ones merged); MMV copies' own valid flags; the accumulator register taken into the
  requant DSP where nothing accumulates (NF·SF = 1). The held-out windows' FF on xc7 came
  from a worst of 37 % to within 6 % with unit coefficients.
- **qnn_window's constant dimensions** (a template fix): a counter of one value (SF, OW or
  OH = 1; every 1-D window has OW = 1) is always 0, and a single channel group or kernel
  column keeps its tracker's cg, kx and x unchanged, but synthesis cannot prove that from
  the registers, so it built the whole column logic of every 1-D window. The template now
  says so, and a 1-D window of 8-bit pixels (K = 5) went from 593 to 355 LUT4s on iCE40
  (235 to 191 LUTs on xc7); the iCEBreaker example from 2,517 to 1,844 LUT4s. The estimate
  follows the template (\`windowMotion\`: the origin, rows and columns that move), counts
  the storage of lanes' copies in registers once (written with the same word, synthesis
  merges them), and prices a lane's read mux over the words its address can reach
  (\`windowReadWords\`: its low bits stay constant where every step is a multiple of 2^z).
  Where a row has one window (OW = 1) x0 and the column step are gone, and with one row of
  windows (OH = 1) the two row steps. Resynthesised and refitted, the whole designs went
  from LUT median 9.6 % to 8.5 %, worst 24.5 % to 23.6 %; priced as before on the new
  template they had come out at 10.4 / 23.5 % (the windows shrank, their estimate less).
  Then its signed compares with 0 became sign bits and a ≥ b became !(a < b) (synth_ice40
  built x ≥ 0 as a carry chain, and a ≥ b with an inverter per bit): iCE40 windows 10 to
  26 % smaller, xc7 2 to 5 %. The estimate counts one in-frame compare per moving
  coordinate (the other is the sign bit) and the column clamps of the need / oldest sums
  where a row has several windows; refitted: whole designs LUT median 9.6 %, worst 23.1 %.
- **qnn_window without padding** (a template fix): the padding mask (\`pad_q ? 0 : q\`, a LUT
  per output bit) was built for valid convolutions too, with the trackers' y and x that
  feed it (and, in 1-D, the origin y0 that only they read), because synthesis could not
  prove every unit in the frame. Without padding the template no longer builds the mask:
  lwin7 (32 × 32 × 3 u2, SIMD 3) 446 → 394 LUT4s on iCE40, 326 → 288 LUTs and 139 → 124
  FFs on xc7; cnv_w2a2 (six valid convs) 16,371 → 15,915 LUTs. The estimate drops the mask,
  the trackers' coordinates and y0 where there is no padding, and counts old_pix at the
  bits the frame's pixel count needs. The column step and clamps of a row of several
  windows (2-D) have their own coefficient, \`columns\`: the iCE40 2-D windows were 9 %
  under on average where the 1-D ones were even. Refitted: the sweep's iCE40 windows LUT
  3.3 / 28 % (4.8 / 31 % refitted without \`columns\`, 3.8 / 31 % on the template with the
  mask), held-out 9.6 / 22 → 3.7 / 16 % (xc7 5.4 / 19 → 3.1 / 13 %); whole designs LUT
  median 9.4 %, worst 23.1 % (10.8 % without \`columns\`).

## The coefficients

Xilinx (LUT6, FD*):

| engine | LUT | FF |
|---|---|---|
${coeff('xilinx')}

iCE40 (SB_LUT4, SB_DFF*):

| engine | LUT | FF |
|---|---|---|
${coeff('ice40')}

UltraScale+ (xcup: LUT6, FD*):

| engine | LUT | FF |
|---|---|---|
${coeff('xcup')}
`;
}

/**
 * The hand-set model of commit b917745 on the first calibration sweep (the 166 networks
 * before the wide ones were added), measured once with that commit's cost model against the
 * same cached Yosys results: kept as history, it cannot be recomputed from this tree.
 */
const FIRST_SWEEP = {
  blocks: 532,
  yosys: 'Yosys 0.23',
  examples:
    'cnv_w2a2 15,990 / 6,443; peak_detector 5,355 / 2,193; peak_detector_icebreaker 2,441 / 943; ' +
    'pow2_net 34,694 / 4,433 (its own auto-folding); sfc_w1a1 72,614 / 28,461; tfc_w1a1 4,483 / 2,523',
  table: `| family | engine | blocks | LUT median | LUT worst | FF median | FF worst | BRAM18 exact | DSP exact |
|---|---|---:|---:|---:|---:|---:|---:|---:|
| xilinx | mvau | 116 | 17.3 % | 145.1 % | 9.6 % | 182.9 % | 116/116 | 116/116 |
| xilinx | window | 36 | 12.8 % | 70.9 % | 7.9 % | 36.7 % | 36/36 | 36/36 |
| xilinx | maxpool | 44 | 10.7 % | 88.5 % | 32.2 % | 88.6 % | 44/44 | 44/44 |
| xilinx | requant | 12 | 3.5 % | 517.8 % | 34.3 % | 175.8 % | 12/12 | 12/12 |
| xilinx | threshold | 20 | 19.3 % | 79.9 % | 3.2 % | 257.0 % | 20/20 | 20/20 |
| xilinx | dwc | 14 | 20.0 % | 50.0 % | 0.0 % | 0.0 % | 14/14 | 14/14 |
| xilinx | fifo | 24 | 11.4 % | 166.7 % | 0.0 % | 0.0 % | 24/24 | 24/24 |
| ice40 | mvau | 116 | 31.0 % | 178.4 % | 8.9 % | 139.2 % | 115/116 | 116/116 |
| ice40 | window | 36 | 13.6 % | 28.6 % | 22.7 % | 80.2 % | 36/36 | 36/36 |
| ice40 | maxpool | 44 | 69.6 % | 180.8 % | 24.1 % | 64.8 % | 44/44 | 44/44 |
| ice40 | requant | 12 | 63.1 % | 476.9 % | 14.3 % | 122.0 % | 12/12 | 12/12 |
| ice40 | threshold | 20 | 80.7 % | 241.3 % | 3.2 % | 257.0 % | 20/20 | 20/20 |
| ice40 | dwc | 14 | 35.3 % | 87.0 % | 1.9 % | 8.3 % | 14/14 | 14/14 |
| ice40 | fifo | 24 | 34.8 % | 100.0 % | 0.0 % | 90.7 % | 21/24 | 24/24 |`,
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
