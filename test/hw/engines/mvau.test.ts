/**
 * hw-templates/qnn_mvau.sv (with qnn_act_lane.sv): every product variant (W_KIND × IN_KIND)
 * × every activation (none, requant, threshold), with folds covering PE = MH, SIMD = MW,
 * PE = SIMD = 1 and both at once, bit widths 1–8. The ROMs come from server/src/rtl/mem.ts
 * (the compiler's own code) and every output element is compared with the golden model
 * (`mvau`, `activate`) under random backpressure; with stalls off the frame interval must
 * be exactly PIXELS·NF·SF cycles (the MVAU's analytical rate) and the latency a small
 * constant. One run per variant on Icarus too, and `verilator --lint-only -Wall` for several
 * parameter sets. The full-fold variants run again with hard-wired weights (HARD_WIRED = 1,
 * the weight word a parameter, one build per weight matrix). (Yosys mapping pow2 and
 * bipolar variants to 0 DSPs: test/synth/engines.test.ts.)
 *
 * Each configuration is built once: the ROM files are named by relative paths and
 * written into each run's own folder, so the random data sets share one build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeBits } from '../../../server/src/model/qtype.js';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords } from '../../../server/src/flows/sim/words.js';
import { activationMem, thresholdBits, weightMem } from '../../../server/src/engines/rom-layout.js';
import { rng, int, limiter } from './random-kit.js';
import { FOLDS, foldDims, label, makeCfg, nf, obits, outType, params, qtype, randomData, sf, type MvauCfg } from './mvau-kit.js';
import { templateClosure } from '../../../server/src/rtl/templates.js';

const SRCS = templateClosure(['qnn_mvau']);
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

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

/** mul=lut: the int × int variants (the only ones with `*`) again with MUL_LUT = 1. */
const LUT_MUL: MvauCfg[] = VARIANTS.filter((c) => ['int', 'uint'].includes(c.wT.kind) && ['int', 'uint'].includes(c.iT.kind)).map((c) => ({
  ...c,
  mulLut: true,
}));

/**
 * Hard-wired weights: the full-fold variants (PE = MH, SIMD = MW) again with HARD_WIRED = 1,
 * the weight word a parameter (a constant the tools fold into the products) instead of the ROM.
 */
const HARD_WIRED: MvauCfg[] = VARIANTS.filter((c) => c.fold === 'PE=MH,SIMD=MW').map((c) => ({ ...c, hardWired: true }));

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
  // Fused thresholds with a bias: Brevitas' ternary {−1, 0, 1} (out=i2, bias=-1) and −7 … 7.
  makeCfg({ kind: 'int', bits: 2 }, { kind: 'uint', bits: 4 }, 2, { mw: 16, mh: 6, pe: 3, simd: 4 }, rng(6), 'general', {
    outT: { kind: 'int', bits: 2 },
    nThresh: 2,
    bias: -1,
    pixels: 2,
  }),
  makeCfg({ kind: 'int', bits: 4 }, { kind: 'int', bits: 2 }, 2, { mw: 8, mh: 4, pe: 4, simd: 8 }, rng(7), 'PE=MH,SIMD=MW', {
    outT: { kind: 'int', bits: 4 },
    nThresh: 14,
    bias: -7,
  }),
  // A weight ROM of more than 32 words (NF·SF = 4 · 18 = 72): the template reads it through qnn_rom.
  makeCfg({ kind: 'int', bits: 3 }, { kind: 'uint', bits: 4 }, 1, { mw: 36, mh: 8, pe: 2, simd: 2 }, rng(8), 'general', {
    pixels: 2,
  }),
];

// ---------------------------------------------------------------- one run

async function runCase(
  c: MvauCfg,
  simulator: Simulator,
  opts: { frames: number; seed: number; runName: string; noStall?: boolean; stall?: number },
) {
  // Hard-wired: the weights are in the build, so every run of the configuration shares them.
  const d = randomData(c, opts.frames, opts.seed, c.hardWired ? 7 : undefined);
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
      params: params(c, c.hardWired ? weightMem(d.layer, c.pe, c.simd, c.wT).trim() : undefined),
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
    const sets = [
      VARIANTS[0]!,
      VARIANTS[4]!,
      VARIANTS[11]!,
      VARIANTS[20]!,
      VARIANTS[26]!,
      VARIANTS[31]!,
      VARIANTS[35]!,
      ...CORNERS,
      ...LUT_MUL,
      ...HARD_WIRED,
    ];
    const results = await Promise.all(sets.map((c) => lintVerilator({ sources: SRCS, top: 'qnn_mvau', params: params(c) })));
    results.forEach((res, i) => expect(res.messages.map((m) => m.text).join('\n'), label(sets[i]!)).toBe(''));
  });

  const all = [...VARIANTS, ...CORNERS, ...LUT_MUL, ...HARD_WIRED];
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
  // The fused thresholds with a bias (signed outputs) on Icarus too.
  it.concurrent.each(CORNERS.filter((c) => c.bias).map((c, i) => [i, label(c), c] as const))(
    'biased threshold %i: %s — bit-exact under random stalls',
    async (i, _l, c) => {
      checkData(c, await runCase(c, 'icarus', { frames: 2, seed: 711 + i, runName: `i-bias-${i}` }), 2);
    },
    180_000,
  );
  // A weight ROM of more than 32 words (qnn_rom) on Icarus too.
  it.concurrent.each(CORNERS.filter((c) => nf(c) * sf(c) > 32).map((c, i) => [i, label(c), c] as const))(
    'deep weight ROM %i: %s — bit-exact under random stalls',
    async (i, _l, c) => {
      checkData(c, await runCase(c, 'icarus', { frames: 2, seed: 811 + i, runName: `i-rom-${i}` }), 2);
    },
    180_000,
  );
});
