/**
 * hw-templates/qnn_mvau.sv (with qnn_act_lane.sv): every product variant (W_KIND × IN_KIND)
 * × every activation (none, requant, threshold), with folds covering PE = MH, SIMD = MW,
 * PE = SIMD = 1 and both at once, bit widths 1–8. The ROMs come from server/src/rtl/mem.ts
 * (the compiler's own code) and every output element is compared with the golden model
 * (`mvau`, `activate`) under random backpressure; with stalls off the frame interval must
 * be exactly PIXELS·NF·SF cycles (the MVAU's analytical rate) and the latency a small
 * constant. One run per variant on Icarus too, `verilator --lint-only -Wall` for several
 * parameter sets, and Yosys `synth_xilinx` must map the pow2 and bipolar variants to 0 DSPs.
 *
 * Each configuration is built once: the ROM files are named by relative paths and
 * written into each run's own folder, so the random data sets share one build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate, mvau } from '../../../server/src/golden/golden.js';
import { signedBitsFor, typeBits, typeMax, typeMin, typeName, typeValues } from '../../../server/src/model/qtype.js';
import type { Activation, MvauLayer, QType } from '../../../server/src/model/types.js';
import { findTool, runProcess } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords } from '../../../server/src/flows/sim/words.js';
import { activationMem, kindCode, thresholdBits, weightMem } from '../../../server/src/engines/rom-layout.js';
import { rng, pick, int, divisors, limiter, randomRequant, randomThresholds } from './random-kit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SRCS = ['qnn_mvau.sv', 'qnn_act_lane.sv', 'qnn_skid.sv'].map((f) => path.join(root, 'hw-templates', f));
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;
const haveYosys = findTool('yosys') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-mvau-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers

/** At most `n` async jobs at a time (the machine has 2 cores; builds already use make -j). */
const limit = limiter(2);

const KIND_TYPE = ['uint', 'int', 'bipolar', 'pow2'] as const;
function qtype(kind: number, bits: number): QType {
  const k = KIND_TYPE[kind]!;
  return k === 'bipolar' ? { kind: 'bipolar' } : { kind: k, bits };
}

// ---------------------------------------------------------------- configurations

type Fold = 'general' | 'PE=MH' | 'SIMD=MW' | 'PE=SIMD=1' | 'PE=MH,SIMD=MW';
const FOLDS: Fold[] = ['general', 'PE=MH', 'SIMD=MW', 'PE=SIMD=1', 'PE=MH,SIMD=MW'];

interface MvauCfg {
  wT: QType;
  iT: QType;
  /** 0 none, 1 requant, 2 threshold. */
  act: 0 | 1 | 2;
  outT: QType;
  mw: number;
  mh: number;
  pe: number;
  simd: number;
  pixels: number;
  accBits: number;
  /** Weight values the random matrices draw from (a subset of wT's values for a tight accumulator). */
  wValues: number[];
  /** Bounds of any accumulator for these weight values and the input type. */
  accMin: number;
  accMax: number;
  mbits: number;
  shiftBits: number;
  zero: number;
  nThresh: number;
  fold: Fold;
}

const nf = (c: MvauCfg): number => c.mh / c.pe;
const sf = (c: MvauCfg): number => c.mw / c.simd;
const obits = (c: MvauCfg): number => (c.act === 0 ? c.accBits : typeBits(c.outT));
const outType = (c: MvauCfg): QType => (c.act === 0 ? { kind: 'int', bits: c.accBits } : c.outT);
const label = (c: MvauCfg): string =>
  `W ${typeName(c.wT)} × IN ${typeName(c.iT)} → ${['acc', 'requant', 'threshold'][c.act]} ${c.act ? typeName(c.outT) : `i${c.accBits}`}` +
  ` MW${c.mw} MH${c.mh} PE${c.pe} SIMD${c.simd} PIX${c.pixels} (${c.fold})`;

function params(c: MvauCfg): Record<string, number | string> {
  const p: Record<string, number | string> = {
    MW: c.mw,
    MH: c.mh,
    PE: c.pe,
    SIMD: c.simd,
    IN_BITS: typeBits(c.iT),
    IN_KIND: kindCode(c.iT),
    W_BITS: typeBits(c.wT),
    W_KIND: kindCode(c.wT),
    ACC_BITS: c.accBits,
    PIXELS: c.pixels,
    ACT: c.act,
    WEIGHT_FILE: 'weights.mem',
  };
  if (c.act !== 0) Object.assign(p, { OUT_BITS: typeBits(c.outT), OUT_KIND: kindCode(c.outT), ACT_FILE: 'act.mem' });
  if (c.act === 1) Object.assign(p, { MBITS: c.mbits, SHIFT_BITS: c.shiftBits, ZERO: c.zero });
  if (c.act === 2) Object.assign(p, { N_THRESH: c.nThresh });
  return p;
}

/** Extreme accumulator values over rows of `mw` weights drawn from `wValues`. */
function accBounds(wValues: number[], iT: QType, mw: number): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const w of wValues) {
    const a = w * typeMin(iT);
    const b = w * typeMax(iT);
    lo = Math.min(lo, a, b);
    hi = Math.max(hi, a, b);
  }
  return [lo * mw, hi * mw];
}

function foldDims(r: () => number, fold: Fold): { mw: number; mh: number; pe: number; simd: number } {
  const mw = pick(r, [1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24]);
  const mh = pick(r, [1, 2, 3, 4, 6, 8, 12]);
  const proper = (n: number): number[] => (divisors(n).length > 2 ? divisors(n).slice(1, -1) : divisors(n));
  switch (fold) {
    case 'general':
      return { mw, mh, pe: pick(r, proper(mh)), simd: pick(r, proper(mw)) };
    case 'PE=MH':
      return { mw, mh, pe: mh, simd: pick(r, proper(mw)) };
    case 'SIMD=MW':
      return { mw, mh, pe: pick(r, proper(mh)), simd: mw };
    case 'PE=SIMD=1':
      return { mw, mh, pe: 1, simd: 1 };
    case 'PE=MH,SIMD=MW':
      return { mw, mh, pe: mh, simd: mw };
  }
}

function makeCfg(
  wT: QType,
  iT: QType,
  act: 0 | 1 | 2,
  dims: { mw: number; mh: number; pe: number; simd: number },
  r: () => number,
  fold: Fold,
  over: Partial<MvauCfg> = {},
): MvauCfg {
  const wValues = over.wValues ?? typeValues(wT);
  const [accMin, accMax] = accBounds(wValues, iT, dims.mw);
  let outT: QType = { kind: 'int', bits: 2 };
  let nThresh = 1;
  if (act === 1) outT = r() < 0.5 ? { kind: 'uint', bits: int(r, 1, 8) } : { kind: 'int', bits: int(r, 2, 8) };
  if (act === 2) {
    // A BNN (bipolar × bipolar) usually thresholds to bipolar; otherwise pick.
    outT =
      kindCode(wT) === 2 && kindCode(iT) === 2
        ? { kind: 'bipolar' }
        : r() < 0.25
          ? { kind: 'bipolar' }
          : { kind: 'uint', bits: int(r, 1, 4) };
    nThresh = outT.kind === 'bipolar' ? 1 : 2 ** outT.bits - 1;
  }
  // Thresholds are clipped to [accMin, accMax + 1]: the accumulator width must hold accMax + 1.
  const accBits = act === 2 ? signedBitsFor(accMin, accMax + 1) : signedBitsFor(accMin, accMax);
  return {
    wT,
    iT,
    act,
    outT,
    ...dims,
    pixels: int(r, 1, 3),
    accBits,
    wValues,
    accMin,
    accMax,
    mbits: int(r, 1, 16),
    shiftBits: pick(r, [5, 6]),
    zero: int(r, -5, 5),
    nThresh,
    fold,
    ...over,
  };
}

/** Every W_KIND × IN_KIND × ACT, folds rotating through FOLDS, random widths 1–8. */
const VARIANTS: MvauCfg[] = [];
{
  let i = 0;
  for (const wk of [0, 1, 2, 3]) {
    for (const ik of [0, 1, 2]) {
      for (const act of [0, 1, 2] as const) {
        const r = rng(1000 + i);
        const fold = FOLDS[i % FOLDS.length]!;
        const wBits = wk === 0 ? int(r, 1, 8) : wk === 1 ? int(r, 2, 8) : wk === 3 ? int(r, 2, 5) : 1;
        const iBits = ik === 0 ? int(r, 1, 8) : ik === 1 ? int(r, 2, 8) : 1;
        VARIANTS.push(makeCfg(qtype(wk, wBits), qtype(ik, iBits), act, foldDims(r, fold), r, fold));
        i++;
      }
    }
  }
}

/** Corners: accumulators narrower than one product's type width (the modular path), a wide tree, a big BNN. */
const CORNERS: MvauCfg[] = [
  // i8 weights that are only −1/0/1: ACC_BITS (13) < the i8 × u8 product width (17).
  makeCfg({ kind: 'int', bits: 8 }, { kind: 'uint', bits: 8 }, 0, { mw: 16, mh: 4, pe: 2, simd: 4 }, rng(1), 'general', {
    wValues: [-1, 0, 1],
  }),
  // pow2<8> (shifts up to 126) with small magnitudes: the product is capped at ACC_BITS.
  makeCfg({ kind: 'pow2', bits: 8 }, { kind: 'int', bits: 8 }, 1, { mw: 8, mh: 6, pe: 3, simd: 8 }, rng(2), 'SIMD=MW', {
    wValues: [-4, -2, -1, 0, 1, 2, 4],
    outT: { kind: 'int', bits: 8 },
  }),
  // Wide adder tree with requant.
  makeCfg({ kind: 'int', bits: 4 }, { kind: 'int', bits: 4 }, 1, { mw: 64, mh: 16, pe: 4, simd: 16 }, rng(3), 'general', {
    pixels: 2,
  }),
  // BNN layer: XNOR-popcount over 32 columns per word, bipolar threshold.
  makeCfg({ kind: 'bipolar' }, { kind: 'bipolar' }, 2, { mw: 64, mh: 8, pe: 8, simd: 32 }, rng(4), 'PE=MH'),
  // Unsigned weights × bipolar input, u8 threshold (255 comparators per lane).
  makeCfg({ kind: 'uint', bits: 3 }, { kind: 'bipolar' }, 2, { mw: 12, mh: 4, pe: 2, simd: 3 }, rng(5), 'general', {
    outT: { kind: 'uint', bits: 8 },
    nThresh: 255,
  }),
];

// ---------------------------------------------------------------- one run

interface RunData {
  layer: MvauLayer;
  act?: Activation;
  input: number[];
  expected: number[];
}

function makeLayer(c: MvauCfg, matrix: Int32Array): MvauLayer {
  // A 1×1 conv1d: each pixel's input vector is one MVAU vector.
  return {
    name: 'mvau_test',
    op: 'conv1d',
    mw: c.mw,
    mh: c.mh,
    pixels: c.pixels,
    matrix,
    kernel: [1],
    stride: [1],
    pad: [[0, 0]],
    inShape: [c.pixels, c.mw],
    outShape: [c.pixels, c.mh],
    inType: c.iT,
    outType: outType(c),
    pe: c.pe,
    simd: c.simd,
  } as unknown as MvauLayer;
}

function randomData(c: MvauCfg, frames: number, seed: number): RunData {
  const r = rng(seed);
  const iv = typeValues(c.iT);
  const matrix = Int32Array.from({ length: c.mh * c.mw }, () => pick(r, c.wValues));
  const layer = makeLayer(c, matrix);
  const input: number[] = [];
  const accs: number[] = [];
  for (let f = 0; f < frames; f++) {
    const x = Int32Array.from({ length: c.pixels * c.mw }, () => pick(r, iv));
    input.push(...x);
    accs.push(...mvau(layer, x));
  }
  for (const a of accs) if (a < c.accMin || a > c.accMax) throw new Error(`test bug: accumulator ${a} outside the bounds`);
  // Requant around the shift that maps the accumulator range onto the output range;
  // thresholds near real accumulator values (so outputs spread), plus a few out of range.
  const act: Activation | undefined =
    c.act === 1
      ? randomRequant(r, { channels: c.mh, lo: c.accMin, hi: c.accMax, out: c.outT, mbits: c.mbits, shiftBits: c.shiftBits, zero: c.zero })
      : c.act === 2
        ? randomThresholds(r, { channels: c.mh, count: c.nThresh, lo: c.accMin, hi: c.accMax, near: accs, outside: 5, out: c.outT })
        : undefined;
  const expected = act ? Array.from(activate(act, Int32Array.from(accs), c.mh)) : accs;
  return { layer, act, input, expected };
}

async function runCase(
  c: MvauCfg,
  simulator: Simulator,
  opts: { frames: number; seed: number; runName: string; noStall?: boolean; stall?: number },
) {
  const d = randomData(c, opts.frames, opts.seed);
  // The ROM files the compiler would write, with the names the build was made with.
  const runDir = path.join(work, 'mem', opts.runName);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'weights.mem'), weightMem(d.layer, c.pe, c.simd, c.wT));
  if (d.act) {
    if (d.act.kind === 'threshold') expect(thresholdBits(d.act, c.accMin, c.accMax, 2)).toBeLessThanOrEqual(c.accBits);
    writeFileSync(
      path.join(runDir, 'act.mem'),
      activationMem(d.act, c.pe, c.accBits, { min: c.accMin, max: c.accMax, shiftBits: c.shiftBits }),
    );
  }
  const r = await limit(() =>
    simulate({
      simulator,
      sources: SRCS,
      top: 'qnn_mvau',
      params: params(c),
      inWidth: c.simd * typeBits(c.iT),
      outWidth: c.pe * obits(c),
      workDir: work,
      runName: opts.runName,
      runCwd: runDir,
      input: packWords(d.input, typeBits(c.iT), c.simd, c.iT),
      expected: d.expected.length / c.pe,
      inputWordsPerFrame: c.pixels * sf(c),
      noStall: opts.noStall,
      stall: { inValid: opts.stall ?? 0.3, outReady: opts.stall ?? 0.3, seed: opts.seed },
    }),
  );
  return { r, expected: d.expected };
}

function checkData(c: MvauCfg, run: Awaited<ReturnType<typeof runCase>>, frames: number): void {
  const { r, expected } = run;
  expect(r.stalled, label(c)).toBeNull();
  expect(r.extraOutputs, label(c)).toBe(0);
  expect(r.unknownWords, label(c)).toEqual([]);
  expect(r.inputsAccepted, label(c)).toBe(frames * c.pixels * sf(c));
  const got = unpackWords(r.outputs, obits(c), c.pe, outType(c));
  const bad = got.findIndex((v, i) => v !== expected[i]);
  if (bad >= 0) {
    const vec = Math.floor(bad / c.mh);
    throw new Error(
      `${label(c)} on ${r.simulator}: element ${bad} (vector ${vec}, channel ${bad % c.mh}) is ${got[bad]}, expected ${expected[bad]}`,
    );
  }
  expect(got.length, label(c)).toBe(expected.length);
  const lasts = r.tlast.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  const perFrame = c.pixels * nf(c);
  expect(lasts, label(c)).toEqual(Array.from({ length: frames }, (_, f) => (f + 1) * perFrame - 1));
}

/**
 * Frame latency with stalls off (first input word accepted → last output word of the frame)
 * beyond the frame's PIXELS·NF·SF cycles, as documented in qnn_mvau.sv: 3 cycles without an
 * activation, 5 with one.
 */
const extraLatency = (c: MvauCfg): number => (c.act === 0 ? 3 : 5);

// ---------------------------------------------------------------- tests

describe.skipIf(!haveVerilator)('qnn_mvau on Verilator', () => {
  it('passes verilator --lint-only -Wall for several parameter sets', async () => {
    const sets = [VARIANTS[0]!, VARIANTS[4]!, VARIANTS[11]!, VARIANTS[20]!, VARIANTS[26]!, VARIANTS[31]!, VARIANTS[35]!, ...CORNERS];
    const results = await Promise.all(sets.map((c) => lintVerilator({ sources: SRCS, top: 'qnn_mvau', params: params(c) })));
    results.forEach((res, i) => expect(res.messages.map((m) => m.text).join('\n'), label(sets[i]!)).toBe(''));
  });

  const all = [...VARIANTS, ...CORNERS];
  it.concurrent.each(all.map((c, i) => [i, label(c), c] as const))(
    'case %i: %s — bit-exact under random stalls, NF·SF cycles per vector without',
    async (i, _l, c) => {
      // The first run builds; the other two reuse the build (so the limiter's slots go to
      // different builds rather than to runs waiting for the same one).
      const a = await runCase(c, 'verilator', { frames: 2, seed: 11 + i, runName: `v-stall-${i}` });
      const [b, free] = await Promise.all([
        runCase(c, 'verilator', { frames: 2, seed: 211 + i, runName: `v-heavy-${i}`, stall: 0.7 }),
        runCase(c, 'verilator', { frames: 4, seed: 411 + i, runName: `v-free-${i}`, noStall: true }),
      ]);
      checkData(c, a, 2);
      checkData(c, b, 2);
      checkData(c, free, 4);
      const perFrame = c.pixels * nf(c) * sf(c);
      // Every frame interval, not just the mean, is the analytical NF·SF·PIXELS.
      expect(free.r.frameIntervals, label(c)).toEqual([perFrame, perFrame, perFrame]);
      expect(free.r.ii!, label(c)).toBeLessThanOrEqual(perFrame * 1.02);
      expect(free.r.latency!, label(c)).toBe(perFrame + extraLatency(c));
    },
    180_000,
  );
});

describe.skipIf(!haveIcarus)('qnn_mvau on Icarus', () => {
  it.concurrent.each(VARIANTS.map((c, i) => [i, label(c), c] as const))(
    'variant %i: %s — bit-exact under random stalls',
    async (i, _l, c) => {
      checkData(c, await runCase(c, 'icarus', { frames: 1, seed: 611 + i, runName: `i-stall-${i}` }), 1);
    },
    180_000,
  );
});

// ---------------------------------------------------------------- synthesis

/**
 * Synthesises several configurations in one Yosys run (its start-up dominates small
 * designs): each is wrapped in its own module marked keep_hierarchy, so `synth_xilinx
 * -flatten` flattens the engine into its wrapper and `stat` reports each wrapper's cells.
 */
async function synthStats(cfgs: MvauCfg[]): Promise<Record<string, number>[]> {
  const dir = path.join(work, 'yosys');
  mkdirSync(dir, { recursive: true });
  const wrappers: string[] = [];
  cfgs.forEach((c, k) => {
    const d = randomData(c, 1, 9000 + k);
    writeFileSync(path.join(dir, `w${k}.mem`), weightMem(d.layer, c.pe, c.simd, c.wT));
    if (d.act)
      writeFileSync(
        path.join(dir, `a${k}.mem`),
        activationMem(d.act, c.pe, c.accBits, { min: c.accMin, max: c.accMax, shiftBits: c.shiftBits }),
      );
    const ps = Object.entries({ ...params(c), WEIGHT_FILE: `w${k}.mem`, ...(c.act ? { ACT_FILE: `a${k}.mem` } : {}) })
      .map(([n, v]) => `.${n}(${typeof v === 'string' ? JSON.stringify(v) : v})`)
      .join(', ');
    const iw = c.simd * typeBits(c.iT);
    const ow = c.pe * obits(c);
    wrappers.push(
      `(* keep_hierarchy *)\nmodule syn_${k} (input logic clk, input logic rst_n, input logic [${iw - 1}:0] i_d, input logic i_v, output logic i_r,\n` +
        `  output logic [${ow - 1}:0] o_d, output logic o_v, input logic o_r, output logic o_l);\n` +
        `  qnn_mvau #(${ps}) u (.clk(clk), .rst_n(rst_n), .s_axis_tdata(i_d), .s_axis_tvalid(i_v), .s_axis_tready(i_r),\n` +
        `    .m_axis_tdata(o_d), .m_axis_tvalid(o_v), .m_axis_tready(o_r), .m_axis_tlast(o_l));\nendmodule\n`,
    );
  });
  const ports = cfgs.map((c, k) => {
    const iw = c.simd * typeBits(c.iT);
    const ow = c.pe * obits(c);
    return {
      k,
      decl: `input logic [${iw - 1}:0] i${k}_d, input logic i${k}_v, output logic i${k}_r, output logic [${ow - 1}:0] o${k}_d, output logic o${k}_v, input logic o${k}_r, output logic o${k}_l`,
    };
  });
  const top =
    `module syn_top (input logic clk, input logic rst_n, ${ports.map((p) => p.decl).join(', ')});\n` +
    ports
      .map(
        ({ k }) =>
          `  syn_${k} u${k} (.clk(clk), .rst_n(rst_n), .i_d(i${k}_d), .i_v(i${k}_v), .i_r(i${k}_r), .o_d(o${k}_d), .o_v(o${k}_v), .o_r(o${k}_r), .o_l(o${k}_l));\n`,
      )
      .join('') +
    'endmodule\n';
  writeFileSync(path.join(dir, 'syn_top.sv'), wrappers.join('') + top);
  const script = `read_verilog -defer -sv ${SRCS.join(' ')} syn_top.sv; synth_xilinx -flatten -top syn_top; tee -q -o stat.txt stat`;
  const res = await runProcess(findTool('yosys')!, ['-q', '-p', script], { cwd: dir, timeoutMs: 170_000 });
  expect(res.code, res.stderr + res.stdout).toBe(0);
  const text = readFileSync(path.join(dir, 'stat.txt'), 'utf8');
  return cfgs.map((_, k) => {
    const m = new RegExp(`^=== syn_${k} ===$([\\s\\S]*?)(?=^===|^design hierarchy)`, 'm').exec(text);
    if (!m) throw new Error(`no statistics for syn_${k} in:\n${text}`);
    const cells: Record<string, number> = {};
    for (const c of m[1]!.matchAll(/^\s+(\w+)\s+(\d+)\s*$/gm)) cells[c[1]!] = Number(c[2]);
    return cells;
  });
}

const cellCount = (cells: Record<string, number>, re: RegExp): number =>
  Object.entries(cells)
    .filter(([k]) => re.test(k))
    .reduce((a, [, v]) => a + v, 0);

describe.skipIf(!haveYosys)('qnn_mvau in Yosys synth_xilinx', () => {
  const dims = { mw: 8, mh: 4, pe: 2, simd: 4 };
  const SYN: [string, MvauCfg, 'zero' | 'some'][] = [
    ['pow2<4> × i8, no activation', makeCfg({ kind: 'pow2', bits: 4 }, { kind: 'int', bits: 8 }, 0, dims, rng(7), 'general'), 'zero'],
    ['pow2<3> × u4, threshold', makeCfg({ kind: 'pow2', bits: 3 }, { kind: 'uint', bits: 4 }, 2, dims, rng(8), 'general'), 'zero'],
    ['pow2<4> × bipolar', makeCfg({ kind: 'pow2', bits: 4 }, { kind: 'bipolar' }, 0, dims, rng(12), 'general'), 'zero'],
    [
      'bipolar × bipolar (XNOR), threshold',
      makeCfg({ kind: 'bipolar' }, { kind: 'bipolar' }, 2, { mw: 32, mh: 4, pe: 2, simd: 16 }, rng(9), 'general'),
      'zero',
    ],
    ['bipolar × u8 (±a)', makeCfg({ kind: 'bipolar' }, { kind: 'uint', bits: 8 }, 0, dims, rng(10), 'general'), 'zero'],
    ['i4 × bipolar (±w)', makeCfg({ kind: 'int', bits: 4 }, { kind: 'bipolar' }, 0, dims, rng(13), 'general'), 'zero'],
    [
      'i8 × i8 (multipliers: DSPs expected, so the check can fail)',
      makeCfg({ kind: 'int', bits: 8 }, { kind: 'int', bits: 8 }, 0, dims, rng(11), 'general'),
      'some',
    ],
  ];
  it('maps the pow2 and bipolar variants to 0 DSPs (and the i8 × i8 one to some)', async () => {
    const stats = await limit(() => synthStats(SYN.map((s) => s[1])));
    SYN.forEach(([name, , want], k) => {
      const cells = stats[k]!;
      const dsp = cellCount(cells, /^DSP48/);
      if (want === 'zero') expect(dsp, `${name}: ${JSON.stringify(cells)}`).toBe(0);
      else expect(dsp, `${name}: ${JSON.stringify(cells)}`).toBeGreaterThan(0);
      expect(cellCount(cells, /^LUT\d$/), `${name}: ${JSON.stringify(cells)}`).toBeGreaterThan(0);
    });
  }, 180_000);
});
