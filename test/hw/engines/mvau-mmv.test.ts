/**
 * hw-templates/qnn_mvau_mmv.sv: M output pixels per cycle out of one super-window per word
 * (M fully unrolled qnn_mvau copies in lockstep behind a wiring-only select). Cases cover
 * DIMS 1 and 2, M = 1–4, several K / CIN / KX / OFFSET, no activation, requant and
 * threshold, and int, uint, pow2 and bipolar weights. The input is a random stream of
 * super-windows (every element random, the ones no window of the group reaches included,
 * so a wrong select shows); the reference picks each pixel's im2col window out of them with
 * the template's documented formula and runs the golden model (`mvau`, `activate`) on it.
 * The ROMs come from server/src/engines/rom-layout.ts (the compiler's own code). Every
 * output bit is compared under random backpressure on both sides; with stalls off, every
 * frame interval is exactly PIXELS cycles (one group per cycle) and the latency is
 * qnn_mvau's at NF = SF = 1. Verilator for every case, Icarus for a few, `verilator
 * --lint-only -Wall` clean for several, and the template's parameter checks stop lint.
 *
 * Each configuration is built once: the ROM files are named by relative paths and written
 * into each run's own folder, so the random data sets share one build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate, mvau } from '../../../server/src/golden/golden.js';
import { typeBits, typeName, typeValues } from '../../../server/src/model/qtype.js';
import type { Activation, QType } from '../../../server/src/model/types.js';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords } from '../../../server/src/flows/sim/words.js';
import { activationMem, thresholdBits, weightMem } from '../../../server/src/engines/rom-layout.js';
import { rng, pick, limiter, randomRequant, randomThresholds } from './random-kit.js';
import { makeCfg, makeLayer, obits, outType, params as mvauParams, type MvauCfg } from './mvau-kit.js';
import { templateClosure } from '../../../server/src/rtl/templates.js';

const SRCS = templateClosure(['qnn_mvau_mmv']);
const TOP = 'qnn_mvau_mmv';
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-mvau-mmv-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

const limit = limiter(2);

// ---------------------------------------------------------------- configurations

interface MmvCfg {
  dims: 1 | 2;
  m: number;
  cin: number;
  k: number;
  kx: number;
  offset: number;
  /** The fully unrolled MVAU: PE = MH, SIMD = MW = K^DIMS·CIN, PIXELS = groups per frame. */
  mv: MvauCfg;
}

const rows = (c: MmvCfg): number => (c.dims === 2 ? c.k : 1);
/** Elements of one super-window (the input word). */
const superElems = (c: MmvCfg): number => rows(c) * c.kx * c.m * c.cin;
const groups = (c: MmvCfg): number => c.mv.pixels;
const caseLabel = (c: MmvCfg): string =>
  `${c.dims}-D M${c.m} K${c.k} CIN${c.cin} KX${c.kx} OFFSET${c.offset} MH${c.mv.mh} PIX${c.mv.pixels}: ` +
  `W ${typeName(c.mv.wT)} × IN ${typeName(c.mv.iT)} → ${['acc', 'requant', 'threshold'][c.mv.act]}` +
  `${c.mv.act ? ` ${typeName(c.mv.outT)}` : ` i${c.mv.accBits}`}`;

function params(c: MmvCfg): Record<string, number | string> {
  return { MMV: c.m, DIMS: c.dims, CIN: c.cin, K: c.k, KX: c.kx, OFFSET: c.offset, ...mvauParams(c.mv) };
}

function mmvCfg(
  seed: number,
  g: { dims: 1 | 2; m: number; cin: number; k: number; kx: number; offset: number; mh: number; pixels: number },
  wT: QType,
  iT: QType,
  act: 0 | 1 | 2,
  over: Partial<MvauCfg> = {},
): MmvCfg {
  const maxOffset = g.kx * g.m - g.m - g.k + 1;
  if (g.offset < 0 || g.offset > maxOffset) throw new Error(`test bug: OFFSET ${g.offset} outside 0..${maxOffset}`);
  const mw = g.k ** g.dims * g.cin;
  const dims = { mw, mh: g.mh, pe: g.mh, simd: mw };
  const mv = makeCfg(wT, iT, act, dims, rng(seed), 'PE=MH,SIMD=MW', { pixels: g.pixels, ...over });
  return { dims: g.dims, m: g.m, cin: g.cin, k: g.k, kx: g.kx, offset: g.offset, mv };
}

const i = (bits: number): QType => ({ kind: 'int', bits });
const u = (bits: number): QType => ({ kind: 'uint', bits });
const pow2 = (bits: number): QType => ({ kind: 'pow2', bits });
const bip: QType = { kind: 'bipolar' };

/**
 * OFFSET = P'·M − P for a conv of padding P on a super-pixel frame padded by P' (the
 * compiler's case) where noted; the rest are other legal offsets (0 ≤ OFFSET ≤ KX·M − M − K + 1).
 */
const CASES: MmvCfg[] = [
  // 1-D
  mmvCfg(1, { dims: 1, m: 1, cin: 2, k: 3, kx: 3, offset: 0, mh: 3, pixels: 4 }, i(4), u(3), 0),
  // same padding: P = 1, P' = 1.
  mmvCfg(2, { dims: 1, m: 2, cin: 1, k: 3, kx: 3, offset: 1, mh: 2, pixels: 3 }, pow2(3), i(4), 1),
  // P = 2, P' = 1.
  mmvCfg(3, { dims: 1, m: 3, cin: 2, k: 5, kx: 3, offset: 1, mh: 4, pixels: 3 }, bip, bip, 2),
  mmvCfg(4, { dims: 1, m: 4, cin: 3, k: 1, kx: 1, offset: 0, mh: 2, pixels: 2 }, u(3), i(3), 2),
  // P = 1, P' = 1 (OFFSET 3), at the largest legal offset (6) too.
  mmvCfg(5, { dims: 1, m: 4, cin: 2, k: 3, kx: 3, offset: 3, mh: 3, pixels: 3 }, i(3), i(5), 0),
  mmvCfg(6, { dims: 1, m: 2, cin: 3, k: 2, kx: 3, offset: 3, mh: 2, pixels: 2 }, bip, u(4), 1),
  // 2-D
  mmvCfg(7, { dims: 2, m: 2, cin: 1, k: 3, kx: 3, offset: 1, mh: 3, pixels: 3 }, i(3), u(4), 1, { outT: i(6) }),
  // P = 1, P' = 1.
  mmvCfg(8, { dims: 2, m: 3, cin: 2, k: 3, kx: 3, offset: 2, mh: 2, pixels: 2 }, bip, u(2), 2),
  mmvCfg(9, { dims: 2, m: 4, cin: 1, k: 2, kx: 2, offset: 0, mh: 2, pixels: 3 }, pow2(3), u(3), 0),
  mmvCfg(10, { dims: 2, m: 1, cin: 2, k: 3, kx: 3, offset: 0, mh: 2, pixels: 3 }, i(4), bip, 1),
  // P = 2, P' = 2 with K = 5: the largest legal offset (2) at KX = 4.
  mmvCfg(11, { dims: 2, m: 2, cin: 1, k: 5, kx: 4, offset: 2, mh: 2, pixels: 2 }, i(2), i(3), 2, { outT: i(2), nThresh: 2, bias: -1 }),
  // KX < K (rows of KX·M elements, not K·M): P = 2, P' = 1 at M = 4 and at M = 2.
  mmvCfg(12, { dims: 2, m: 4, cin: 1, k: 5, kx: 3, offset: 2, mh: 2, pixels: 2 }, i(3), u(2), 1, { outT: i(5) }),
  mmvCfg(13, { dims: 2, m: 2, cin: 2, k: 5, kx: 3, offset: 0, mh: 3, pixels: 2 }, u(2), u(2), 0),
];

// ---------------------------------------------------------------- data and reference

/** The im2col window (kernel position major, channel minor) of pixel `mp` out of one super-window. */
function selectWindow(c: MmvCfg, sw: readonly number[], mp: number): number[] {
  const win: number[] = [];
  for (let ky = 0; ky < rows(c); ky++)
    for (let kx = 0; kx < c.k; kx++) for (let ch = 0; ch < c.cin; ch++) win.push(sw[(ky * c.kx * c.m + mp + kx + c.offset) * c.cin + ch]!);
  return win;
}

interface RunData {
  matrix: Int32Array;
  act?: Activation;
  /** Super-windows, one per input word, flattened. */
  input: number[];
  /** Output pixels, pixel-major, channel-minor: M per output word. */
  expected: number[];
}

function randomData(c: MmvCfg, frames: number, seed: number): RunData {
  const mv = c.mv;
  const r = rng(seed);
  const iv = typeValues(mv.iT);
  const matrix = Int32Array.from({ length: mv.mh * mv.mw }, () => pick(r, mv.wValues));
  const input: number[] = [];
  const windows: number[] = [];
  for (let w = 0; w < frames * groups(c); w++) {
    const sw = Array.from({ length: superElems(c) }, () => pick(r, iv));
    input.push(...sw);
    for (let mp = 0; mp < c.m; mp++) windows.push(...selectWindow(c, sw, mp));
  }
  // A 1×1 conv over every selected window: one MVAU vector per output pixel.
  const pixels = frames * groups(c) * c.m;
  const accs = Array.from(mvau(makeLayer({ ...mv, pixels }, matrix), Int32Array.from(windows)));
  for (const a of accs) if (a < mv.accMin || a > mv.accMax) throw new Error(`test bug: accumulator ${a} outside the bounds`);
  const act: Activation | undefined =
    mv.act === 1
      ? randomRequant(r, {
          channels: mv.mh,
          lo: mv.accMin,
          hi: mv.accMax,
          out: mv.outT,
          mbits: mv.mbits,
          shiftBits: mv.shiftBits,
          zero: mv.zero,
        })
      : mv.act === 2
        ? randomThresholds(r, {
            channels: mv.mh,
            count: mv.nThresh,
            lo: mv.accMin,
            hi: mv.accMax,
            near: accs,
            outside: 5,
            out: mv.outT,
            bias: mv.bias,
          })
        : undefined;
  const expected = act ? Array.from(activate(act, Int32Array.from(accs), mv.mh)) : accs;
  return { matrix, act, input, expected };
}

// ---------------------------------------------------------------- one run

async function runCase(
  c: MmvCfg,
  simulator: Simulator,
  opts: { frames: number; seed: number; runName: string; noStall?: boolean; stall?: number },
) {
  const mv = c.mv;
  const d = randomData(c, opts.frames, opts.seed);
  const runDir = path.join(work, 'mem', opts.runName);
  mkdirSync(runDir, { recursive: true });
  // The ROMs of the copies' shared MVAU (PE = MH, SIMD = MW), as the compiler writes them.
  writeFileSync(path.join(runDir, 'weights.mem'), weightMem(makeLayer(mv, d.matrix), mv.pe, mv.simd, mv.wT));
  if (d.act) {
    if (d.act.kind === 'threshold') expect(thresholdBits(d.act, mv.accMin, mv.accMax, 2)).toBeLessThanOrEqual(mv.accBits);
    writeFileSync(
      path.join(runDir, 'act.mem'),
      activationMem(d.act, mv.pe, mv.accBits, { min: mv.accMin, max: mv.accMax, shiftBits: mv.shiftBits }),
    );
  }
  const r = await limit(() =>
    simulate({
      simulator,
      sources: SRCS,
      top: TOP,
      params: params(c),
      inWidth: superElems(c) * typeBits(mv.iT),
      outWidth: c.m * mv.pe * obits(mv),
      workDir: work,
      runName: opts.runName,
      runCwd: runDir,
      input: packWords(d.input, typeBits(mv.iT), superElems(c), mv.iT),
      expected: opts.frames * groups(c),
      inputWordsPerFrame: groups(c),
      noStall: opts.noStall,
      stall: { inValid: opts.stall ?? 0.3, outReady: opts.stall ?? 0.3, seed: opts.seed },
    }),
  );
  return { r, expected: d.expected };
}

function checkData(c: MmvCfg, run: Awaited<ReturnType<typeof runCase>>, frames: number): void {
  const { r, expected } = run;
  const l = caseLabel(c);
  expect(r.stalled, l).toBeNull();
  expect(r.extraOutputs, l).toBe(0);
  expect(r.unknownWords, l).toEqual([]);
  expect(r.inputsAccepted, l).toBe(frames * groups(c));
  const got = unpackWords(r.outputs, obits(c.mv), c.m * c.mv.pe, outType(c.mv));
  const bad = got.findIndex((v, j) => v !== expected[j]);
  if (bad >= 0) {
    const pixel = Math.floor(bad / c.mv.mh);
    throw new Error(
      `${l} on ${r.simulator}: element ${bad} (group ${Math.floor(pixel / c.m)}, pixel ${pixel % c.m}, channel ${bad % c.mv.mh}) ` +
        `is ${got[bad]}, expected ${expected[bad]}`,
    );
  }
  expect(got.length, l).toBe(expected.length);
  const lasts = r.tlast.map((t, j) => (t ? j : -1)).filter((j) => j >= 0);
  expect(lasts, l).toEqual(Array.from({ length: frames }, (_, f) => (f + 1) * groups(c) - 1));
}

/** qnn_mvau's documented latency beyond the frame's PIXELS cycles: 3 without an activation, 5 with one. */
const extraLatency = (c: MmvCfg): number => (c.mv.act === 0 ? 3 : 5);

// ---------------------------------------------------------------- tests

describe('qnn_mvau_mmv test cases', () => {
  it('cover DIMS 1 and 2, M 1–4, every activation and int / uint / pow2 / bipolar weights', () => {
    const has = (f: (c: MmvCfg) => boolean): boolean => CASES.some(f);
    for (const dims of [1, 2]) for (const m of [1, 2, 3, 4]) expect(has((c) => c.dims === dims && c.m === m)).toBe(true);
    for (const act of [0, 1, 2]) expect(has((c) => c.mv.act === act)).toBe(true);
    for (const kind of ['int', 'uint', 'pow2', 'bipolar']) expect(has((c) => c.mv.wT.kind === kind)).toBe(true);
    // Some windows must leave super-window elements unread (on both sides), or a select
    // reading the wrong ones could not show.
    expect(has((c) => c.offset > 0 && c.m - 1 + c.k - 1 + c.offset < c.kx * c.m - 1)).toBe(true);
    // A 2-D row stride of KX·M elements that differs from K·M (a select mixing them up shows).
    expect(has((c) => c.dims === 2 && c.kx !== c.k)).toBe(true);
  });
});

describe.skipIf(!haveVerilator)('qnn_mvau_mmv on Verilator', () => {
  it('passes verilator --lint-only -Wall for several parameter sets', async () => {
    const sets = [CASES[0]!, CASES[2]!, CASES[4]!, CASES[7]!, CASES[10]!, CASES[11]!];
    const results = await Promise.all(sets.map((c) => lintVerilator({ sources: SRCS, top: TOP, params: params(c) })));
    results.forEach((res, j) => expect(res.output, caseLabel(sets[j]!)).toBe(''));
  });

  it('stops lint with the template message on impossible parameter sets', async () => {
    const base = params(CASES[4]!); // 1-D, M 4, K 3, CIN 2, KX 3: OFFSET up to 6
    const bad: [string, Record<string, number | string>, RegExp][] = [
      ['OFFSET past the super-window', { ...base, OFFSET: 7 }, /qnn_mvau_mmv: OFFSET \(7\)/],
      ['negative OFFSET', { ...base, OFFSET: -1 }, /qnn_mvau_mmv: OFFSET \(-1\)/],
      ['MMV 0', { ...base, MMV: 0 }, /qnn_mvau_mmv: MMV \(0\)/],
      ['PE < MH', { ...base, PE: 1 }, /qnn_mvau_mmv: the MVAU must be fully unrolled/],
      ['MW ≠ K·CIN', { ...base, MW: 4, SIMD: 4 }, /qnn_mvau_mmv: the MVAU must be fully unrolled/],
    ];
    const results = await Promise.all(bad.map(([, p]) => lintVerilator({ sources: SRCS, top: TOP, params: p })));
    results.forEach((res, j) => {
      const [what, , message] = bad[j]!;
      expect(res.clean, what).toBe(false);
      expect(
        res.messages.some((msg) => msg.code === 'USERERROR' && message.test(msg.message)),
        `${what}:\n${res.output}`,
      ).toBe(true);
    });
  });

  it.concurrent.each(CASES.map((c, j) => [j, caseLabel(c), c] as const))(
    'case %i: %s — bit-exact under random stalls, PIXELS cycles per frame without',
    async (j, _l, c) => {
      // The first run builds; the other two reuse the build.
      const a = await runCase(c, 'verilator', { frames: 2, seed: 31 + j, runName: `v-stall-${j}` });
      const [b, free] = await Promise.all([
        runCase(c, 'verilator', { frames: 2, seed: 231 + j, runName: `v-heavy-${j}`, stall: 0.7 }),
        runCase(c, 'verilator', { frames: 4, seed: 431 + j, runName: `v-free-${j}`, noStall: true }),
      ]);
      checkData(c, a, 2);
      checkData(c, b, 2);
      checkData(c, free, 4);
      const perFrame = groups(c);
      // One group of M pixels per cycle: every frame interval is exactly PIXELS cycles.
      expect(free.r.frameIntervals, caseLabel(c)).toEqual([perFrame, perFrame, perFrame]);
      expect(free.r.latency!, caseLabel(c)).toBe(perFrame + extraLatency(c));
    },
    180_000,
  );
});

describe.skipIf(!haveIcarus)('qnn_mvau_mmv on Icarus', () => {
  const some = [CASES[2]!, CASES[6]!, CASES[8]!, CASES[11]!];
  it.concurrent.each(some.map((c, j) => [j, caseLabel(c), c] as const))(
    'case %i: %s — bit-exact under random stalls',
    async (j, _l, c) => {
      checkData(c, await runCase(c, 'icarus', { frames: 2, seed: 631 + j, runName: `i-stall-${j}` }), 2);
    },
    180_000,
  );
});
