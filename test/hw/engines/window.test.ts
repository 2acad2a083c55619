/**
 * hw-templates/qnn_window.sv, the sliding-window (im2col) generator: random cases over
 * 1-D/2-D, kernel, stride, padding (valid, same, explicit), channels, the IN_ELEMS/SIMD
 * pairs validSimds allows and bits 1–8, every output element compared with the golden
 * model's `window` under random backpressure (Verilator; a subset on Icarus); with
 * stalls off the cycle of every output word must equal the documented schedule
 * (windowSchedule below) and the frame interval must be within 2 % of
 * max(input words, output words) per frame. Plus `verilator --lint-only -Wall`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { window } from '../../../server/src/golden/golden.js';
import { windowInElems } from '../../../server/src/model/engines.js';
import { validSimds } from '../../../server/src/model/folding.js';
import type { MvauLayer } from '../../../server/src/model/types.js';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords } from '../../../server/src/flows/sim/words.js';
import { rng, pick, int } from './random-kit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = path.join(root, 'hw-templates', 'qnn_window.sv');
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-window-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

interface WinCfg {
  dims: 1 | 2;
  h: number; // 1 for 1-D
  w: number; // length for 1-D
  ch: number;
  k: number;
  stride: number;
  pad: number;
  bits: number;
  simd: number;
  /** IN_ELEMS other than the compiler's windowInElems (a divisor of CH and of SIMD). */
  ie?: number;
}

const inElems = (c: WinCfg): number => c.ie ?? windowInElems(c.simd, c.ch);
const outDim = (n: number, c: WinCfg): number => Math.floor((n + 2 * c.pad - c.k) / c.stride) + 1;
const outH = (c: WinCfg): number => (c.dims === 2 ? outDim(c.h, c) : 1);
const outW = (c: WinCfg): number => outDim(c.w, c);
const mw = (c: WinCfg): number => (c.dims === 2 ? c.k * c.k : c.k) * c.ch;
const sf = (c: WinCfg): number => mw(c) / c.simd;
const inWords = (c: WinCfg): number => (c.h * c.w * c.ch) / inElems(c);
const outWords = (c: WinCfg): number => outH(c) * outW(c) * sf(c);
const params = (c: WinCfg) => ({
  DIMS: c.dims,
  IN_H: c.h,
  IN_W: c.w,
  CH: c.ch,
  K: c.k,
  STRIDE: c.stride,
  PAD: c.pad,
  BITS: c.bits,
  IN_ELEMS: inElems(c),
  SIMD: c.simd,
});
const label = (c: WinCfg): string =>
  `${c.dims}D ${c.dims === 2 ? `${c.h}x` : ''}${c.w}x${c.ch} K${c.k} S${c.stride} P${c.pad} u${c.bits} IN_ELEMS${inElems(c)} SIMD${c.simd}`;

/** The minimal layer object golden.window reads. */
function layerOf(c: WinCfg): MvauLayer {
  const nd = c.dims;
  return {
    kernel: Array(nd).fill(c.k),
    stride: Array(nd).fill(c.stride),
    pad: Array(nd).fill([c.pad, c.pad]),
    inShape: nd === 2 ? [c.h, c.w, c.ch] : [c.w, c.ch],
    outShape: nd === 2 ? [outH(c), outW(c), 1] : [outW(c), 1],
  } as unknown as MvauLayer;
}

/** A random legal configuration (the window fits; SIMD from validSimds). */
function randomCfg(r: () => number, wide = false): WinCfg {
  const dims = r() < 0.55 ? 2 : 1;
  const k = dims === 2 ? int(r, 1, wide ? 5 : 4) : int(r, 1, wide ? 7 : 5);
  const stride = int(r, 1, wide ? 4 : 3);
  const mode = pick(r, ['valid', 'same', 'explicit'] as const);
  let pad = 0;
  if (mode === 'same' && k % 2 === 1 && stride === 1) pad = (k - 1) / 2;
  else if (mode === 'explicit') pad = int(r, 0, wide ? k + 1 : k - 1);
  const minDim = Math.max(1, k - 2 * pad);
  const grow = wide ? 14 : 6;
  const h = dims === 2 ? int(r, minDim, minDim + grow) : 1;
  const w = dims === 2 ? int(r, minDim, minDim + grow) : int(r, minDim, minDim + 2 * grow + 2);
  const ch = pick(r, wide ? [1, 2, 3, 4, 5, 6, 8, 12, 16] : [1, 1, 2, 3, 4, 6, 8]);
  const kk = dims === 2 ? k * k : k;
  const simd = pick(r, validSimds(kk * ch, ch));
  return { dims, h, w, ch, k, stride, pad, bits: int(r, 1, 8), simd };
}

function randomFrames(c: WinCfg, frames: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: frames }, () => Array.from({ length: c.h * c.w * c.ch }, () => Math.floor(r() * 2 ** c.bits)));
}

function expectedWindows(c: WinCfg, frames: number[][]): number[] {
  const l = layerOf(c);
  const out: number[] = [];
  const vec = new Int32Array(mw(c));
  for (const f of frames) {
    const input = Int32Array.from(f);
    for (let p = 0; p < outH(c) * outW(c); p++) {
      window(l, input, p, vec);
      out.push(...vec);
    }
  }
  return out;
}

/** EXTRA_ROWS of qnn_window (rows written ahead while windows wholly in the padding are emitted). */
function extraRows(c: WinCfg): number {
  const H = c.dims === 2 ? c.h : c.w;
  const W = c.dims === 2 ? c.w : 1;
  const KW = c.dims === 2 ? c.k : 1;
  const SW = c.dims === 2 ? c.stride : 1;
  const PW = c.dims === 2 ? c.pad : 0;
  const OH = Math.floor((H + 2 * c.pad - c.k) / c.stride) + 1;
  const OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  const cg = c.ch / inElems(c);
  let extra = 0;
  // Windows wholly in the padding (PAD >= K): the writer runs ahead while they are emitted.
  const count = (n: number, s: number, p: number, k: number, dim: number, lead: boolean): number => {
    let m = 0;
    for (let o = 0; o < n; o++) if (lead ? o * s - p + k <= 0 : o * s - p >= dim) m++;
    return m;
  };
  const nv = count(OH, c.stride, c.pad, c.k, H, true) + count(OH, c.stride, c.pad, c.k, H, false);
  const nh = count(OW, SW, PW, KW, W, true) + count(OW, SW, PW, KW, W, false);
  if (nv > 0 || nh > 0) extra += Math.ceil(Math.ceil(((nv * OW + nh) * sf(c)) / cg) / W) + 1;
  // Input-bound or nearly balanced: the windows that need the frame's last pixel are emitted after
  // it; the writer goes on into the next frame meanwhile and must not stall.
  if (outWords(c) < 2 * inWords(c)) {
    let tail = 0;
    for (let oy = OH - 1; oy >= 0; oy--) {
      if (oy * c.stride - c.pad + c.k < H) break;
      for (let ox = OW - 1; ox >= 0; ox--) {
        if (ox * SW - PW + KW < W) break;
        tail++;
      }
    }
    extra += Math.ceil(Math.ceil((tail * sf(c)) / cg + 1) / W);
  }
  return extra;
}

/**
 * The documented schedule of qnn_window (the header comment of the module), cycle by
 * cycle with the input always valid and the output always ready: the cycle on which each
 * output word is accepted. Line buffer of ROWS rows; pixels counted relative to the
 * frame being emitted.
 */
function windowSchedule(c: WinCfg, frames: number): number[] {
  const H = c.dims === 2 ? c.h : c.w;
  const W = c.dims === 2 ? c.w : 1;
  const KH = c.k;
  const KW = c.dims === 2 ? c.k : 1;
  const SH = c.stride;
  const SW = c.dims === 2 ? c.stride : 1;
  const PH = c.pad;
  const PW = c.dims === 2 ? c.pad : 0;
  const OH = Math.floor((H + 2 * PH - KH) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  const CG = c.ch / inElems(c);
  const SF = sf(c);
  const clampH = (v: number): number => Math.min(H, Math.max(0, v));
  const lo = (oy: number): number => clampH(oy * SH - PH);
  const nx = (oy: number): number => clampH(oy * SH - PH + KH);
  let rows = Math.max(KH, SH + 1);
  for (let oy = 0; oy + 1 < OH; oy++) rows = Math.max(rows, nx(oy + 1) - lo(oy));
  let first = 0;
  while (first + 1 < OH && nx(first) === 0) first++;
  rows = Math.max(rows, H - lo(OH - 1) + nx(first));
  rows += extraRows(c);
  const npix = rows * W;
  const needOf = (y: number, x: number): number => {
    const hy = Math.min(H - 1, y + KH - 1);
    const hx = Math.min(W, Math.max(0, x + KW));
    return hy < 0 || hy * W + hx < 1 ? 1 : hy * W + hx;
  };
  const oldOf = (y: number, x: number, lastRow: boolean): number => {
    const ly = Math.max(0, y);
    let lx = Math.min(W, Math.max(0, x));
    if (!lastRow && y + SH <= 0) lx = 0;
    return Math.min(H * W, ly * W + lx);
  };
  const totalIn = frames * H * W * CG;
  const totalOut = frames * OH * OW * SF;
  let avail = 0;
  let wordsIn = 0;
  let oy = 0;
  let ox = 0;
  let s = 0;
  let need = needOf(-PH, -PW);
  let old = oldOf(-PH, -PW, OH === 1);
  const out: number[] = [];
  for (let cyc = 0; out.length < totalOut; cyc++) {
    if (cyc > 100 * (totalIn + totalOut) + 1000) throw new Error('schedule does not finish');
    let delta = 0;
    if (wordsIn < totalIn && avail < old + npix) {
      wordsIn++;
      if (wordsIn % CG === 0) delta++;
    }
    if (avail >= need) {
      out.push(cyc + 1);
      if (++s === SF) {
        s = 0;
        if (++ox === OW) {
          ox = 0;
          if (++oy === OH) {
            oy = 0;
            delta -= H * W;
          }
        }
        const y = oy * SH - PH;
        const x = ox * SW - PW;
        need = needOf(y, x);
        old = oldOf(y, x, oy === OH - 1);
      }
    }
    avail += delta;
  }
  return out;
}

async function runCase(c: WinCfg, simulator: Simulator, opts: { frames: number; seed: number; noStall?: boolean; runName: string }) {
  const frames = randomFrames(c, opts.frames, opts.seed);
  const input = packWords(frames.flat(), c.bits, inElems(c), 'uint');
  const expected = expectedWindows(c, frames);
  const r = await simulate({
    simulator,
    sources: [SRC],
    top: 'qnn_window',
    params: params(c),
    inWidth: inElems(c) * c.bits,
    outWidth: c.simd * c.bits,
    workDir: work,
    runName: opts.runName,
    input,
    expected: expected.length / c.simd,
    inputWordsPerFrame: inWords(c),
    // Input words after the last window (rows/columns no window uses) still go in.
    drainCycles: 4 * inWords(c) + 64,
    noStall: opts.noStall,
    stall: { inValid: 0.3, outReady: 0.4, seed: opts.seed },
  });
  return { r, expected };
}

function checkData(c: WinCfg, r: Awaited<ReturnType<typeof runCase>>['r'], expected: number[], frames: number): void {
  expect(r.stalled, label(c)).toBeNull();
  expect(r.extraOutputs, label(c)).toBe(0);
  expect(r.unknownWords, label(c)).toEqual([]);
  expect(r.inputsAccepted, label(c)).toBe(frames * inWords(c));
  const got = unpackWords(r.outputs, c.bits, c.simd, 'uint');
  const firstBad = got.findIndex((v, i) => v !== expected[i]);
  if (firstBad >= 0) {
    const perPix = mw(c);
    const pix = Math.floor(firstBad / perPix);
    throw new Error(
      `${label(c)}: element ${firstBad} (frame ${Math.floor(pix / (outH(c) * outW(c)))}, pixel ${pix % (outH(c) * outW(c))}, ` +
        `vector element ${firstBad % perPix}) is ${got[firstBad]}, expected ${expected[firstBad]}`,
    );
  }
  expect(got.length).toBe(expected.length);
  const last = r.tlast.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  const perFrame = outWords(c);
  expect(last, label(c)).toEqual(Array.from({ length: frames }, (_, f) => (f + 1) * perFrame - 1));
}

// Fixed corner cases first, then seeded random ones.
const FIXED: WinCfg[] = [
  { dims: 2, h: 6, w: 7, ch: 3, k: 3, stride: 1, pad: 1, bits: 4, simd: 1 }, // same padding, SIMD < CH
  { dims: 2, h: 6, w: 6, ch: 2, k: 3, stride: 1, pad: 0, bits: 8, simd: 2 }, // valid, SIMD = CH
  { dims: 2, h: 5, w: 5, ch: 1, k: 3, stride: 1, pad: 1, bits: 3, simd: 9 }, // whole window per word
  { dims: 2, h: 7, w: 6, ch: 2, k: 3, stride: 2, pad: 1, bits: 5, simd: 6 }, // one kernel row per word, stride 2
  { dims: 2, h: 6, w: 6, ch: 4, k: 2, stride: 2, pad: 0, bits: 2, simd: 2 }, // K = S (pool-like)
  { dims: 2, h: 7, w: 5, ch: 1, k: 1, stride: 3, pad: 0, bits: 1, simd: 1 }, // 1×1, stride > K: input-bound
  { dims: 1, h: 1, w: 12, ch: 4, k: 3, stride: 1, pad: 1, bits: 8, simd: 2 }, // 1-D same
  { dims: 1, h: 1, w: 11, ch: 2, k: 5, stride: 2, pad: 2, bits: 6, simd: 10 }, // 1-D, whole window per word
  { dims: 1, h: 1, w: 9, ch: 3, k: 2, stride: 3, pad: 1, bits: 7, simd: 3 }, // 1-D stride > K
  { dims: 2, h: 2, w: 3, ch: 1, k: 3, stride: 1, pad: 1, bits: 4, simd: 3 }, // image smaller than the kernel
  { dims: 2, h: 5, w: 6, ch: 2, k: 1, stride: 1, pad: 1, bits: 3, simd: 2 }, // PAD >= K: windows wholly in the padding
  { dims: 1, h: 1, w: 10, ch: 3, k: 2, stride: 3, pad: 3, bits: 5, simd: 3 }, // ... in 1-D, stride > K
  { dims: 2, h: 8, w: 7, ch: 1, k: 6, stride: 1, pad: 2, bits: 3, simd: 4 }, // 4 positions per word straddle kernel rows
  { dims: 2, h: 5, w: 6, ch: 4, k: 3, stride: 2, pad: 1, bits: 6, simd: 2, ie: 1 }, // IN_ELEMS < SIMD <= CH
  { dims: 2, h: 5, w: 5, ch: 6, k: 2, stride: 1, pad: 0, bits: 4, simd: 4, ie: 2 }, // words straddle pixels unevenly
  { dims: 2, h: 2, w: 2, ch: 2, k: 2, stride: 1, pad: 0, bits: 8, simd: 8 }, // one window, one word per frame
  { dims: 1, h: 1, w: 1, ch: 1, k: 1, stride: 1, pad: 0, bits: 2, simd: 1 }, // one input and one output word per frame
];
const RANDOM_SEEDS = [101, 202, 303, 404, 505, 606, 707, 808, 909, 1010, 1111, 1212];
const RANDOM: WinCfg[] = RANDOM_SEEDS.map((s) => randomCfg(rng(s)));
// QNN_HW_FUZZ=N adds N random cases from a wider range (larger sizes, padding up to K+1),
// seeded from QNN_HW_FUZZ_SEED.
const FUZZ = Number(process.env.QNN_HW_FUZZ ?? 0);
const FUZZ_SEED = Number(process.env.QNN_HW_FUZZ_SEED ?? 0xf00d);
const FUZZED: WinCfg[] = Array.from({ length: FUZZ }, (_, i) => randomCfg(rng(FUZZ_SEED + i), true));
const CASES = [...FIXED, ...RANDOM, ...FUZZED];

describe('qnn_window schedule model', () => {
  it('never runs slower than max(input words, output words) per frame (within 2 %)', () => {
    const r = rng(4242);
    for (let i = 0; i < 300; i++) {
      const c = randomCfg(r);
      const frames = 5;
      const t = windowSchedule(c, frames);
      const per = outWords(c);
      const ends = Array.from({ length: frames }, (_, f) => t[(f + 1) * per - 1]!);
      const ii = (ends[frames - 1]! - ends[1]!) / (frames - 2);
      const bound = Math.max(inWords(c), outWords(c));
      expect(ii, label(c)).toBeLessThanOrEqual(bound * 1.02);
    }
  });
});

describe.skipIf(!haveVerilator)('qnn_window on Verilator', () => {
  it('passes verilator --lint-only -Wall for several parameter sets', async () => {
    const sets = [0, 2, 3, 6, 7, 9, 10, 12, 14].map((i) => CASES[i]!);
    const results = await Promise.all(sets.map((c) => lintVerilator({ sources: [SRC], top: 'qnn_window', params: params(c) })));
    results.forEach((res, i) => expect(res.messages.map((m) => m.text).join('\n'), label(sets[i]!)).toBe(''));
  });

  it.each(CASES.map((c, i) => [i, label(c), c] as const))(
    'case %i: %s — bit-exact under random stalls, exact schedule without',
    async (i, _l, c) => {
      const stalled = await runCase(c, 'verilator', { frames: 3, seed: 17 + i, runName: `v-stall-${i}` });
      checkData(c, stalled.r, stalled.expected, 3);
      const frames = 4;
      const free = await runCase(c, 'verilator', { frames, seed: 99 + i, noStall: true, runName: `v-free-${i}` });
      checkData(c, free.r, free.expected, frames);
      expect(free.r.outCycles.slice(0, free.expected.length / c.simd), label(c)).toEqual(windowSchedule(c, frames));
      const bound = Math.max(inWords(c), outWords(c));
      expect(free.r.ii!, label(c)).toBeLessThanOrEqual(bound * 1.02);
    },
  );
});

describe.skipIf(!haveIcarus)('qnn_window on Icarus', () => {
  it.each([0, 2, 3, 7, 9].map((i) => [i, label(CASES[i]!), CASES[i]!] as const))(
    'case %i: %s — bit-exact under random stalls',
    async (i, _l, c) => {
      const { r, expected } = await runCase(c, 'icarus', { frames: 2, seed: 31 + i, runName: `i-stall-${i}` });
      checkData(c, r, expected, 2);
    },
  );
});
