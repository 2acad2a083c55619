/**
 * hw-templates/qnn_maxpool.sv: random cases over 1-D/2-D, kernel, stride (overlapping,
 * tiling and gapped windows), channels, PE, unsigned/signed/bipolar elements and bits
 * 1–8, every output element compared with the golden model's `maxpool` under random
 * backpressure (Verilator; a subset on Icarus). With stalls off every output word must
 * leave exactly when documented (1 cycle after the input word that closes its window in
 * 1-D, 2 in 2-D) and the frame interval must be the input words per frame. Plus
 * `verilator --lint-only -Wall`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxpool } from '../../../server/src/golden/golden.js';
import type { PoolLayer } from '../../../server/src/model/types.js';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords, type ElemEncoding } from '../../../server/src/flows/sim/words.js';
import { rng, pick, int } from './random-kit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = path.join(root, 'hw-templates', 'qnn_maxpool.sv');
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-maxpool-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

interface PoolCfg {
  dims: 1 | 2;
  h: number; // 1 for 1-D
  w: number;
  ch: number;
  k: number;
  stride: number;
  enc: Exclude<ElemEncoding, 'pow2'>;
  bits: number;
  pe: number;
}

const KIND = { uint: 0, int: 1, bipolar: 2 } as const;
const outH = (c: PoolCfg): number => (c.dims === 2 ? Math.floor((c.h - c.k) / c.stride) + 1 : 1);
const outW = (c: PoolCfg): number => Math.floor((c.w - c.k) / c.stride) + 1;
const inWords = (c: PoolCfg): number => (c.h * c.w * c.ch) / c.pe;
const outWords = (c: PoolCfg): number => (outH(c) * outW(c) * c.ch) / c.pe;
const params = (c: PoolCfg) => ({
  DIMS: c.dims,
  IN_H: c.h,
  IN_W: c.w,
  CH: c.ch,
  K: c.k,
  STRIDE: c.stride,
  BITS: c.bits,
  KIND: KIND[c.enc],
  PE: c.pe,
});
const label = (c: PoolCfg): string =>
  `${c.dims}D ${c.dims === 2 ? `${c.h}x` : ''}${c.w}x${c.ch} K${c.k} S${c.stride} ${c.enc === 'bipolar' ? 'bipolar' : `${c.enc === 'int' ? 'i' : 'u'}${c.bits}`} PE${c.pe}`;

function layerOf(c: PoolCfg): PoolLayer {
  const nd = c.dims;
  return {
    kernel: Array(nd).fill(c.k),
    stride: Array(nd).fill(c.stride),
    inShape: nd === 2 ? [c.h, c.w, c.ch] : [c.w, c.ch],
    outShape: nd === 2 ? [outH(c), outW(c), c.ch] : [outW(c), c.ch],
  } as unknown as PoolLayer;
}

function randomCfg(r: () => number): PoolCfg {
  const dims = r() < 0.6 ? 2 : 1;
  const k = int(r, 1, 4);
  const stride = pick(r, [1, 1, 2, k, k, 3, k + 1]);
  const h = dims === 2 ? int(r, k, k + 7) : 1;
  const w = dims === 2 ? int(r, k, k + 7) : int(r, k, k + 16);
  const ch = pick(r, [1, 2, 3, 4, 6, 8]);
  const divs = [1, 2, 3, 4, 6, 8].filter((d) => ch % d === 0);
  const enc = pick(r, ['uint', 'int', 'bipolar'] as const);
  const bits = enc === 'bipolar' ? 1 : int(r, enc === 'int' ? 2 : 1, 8);
  return { dims, h, w, ch, k, stride, enc, bits, pe: pick(r, divs) };
}

function randomValue(c: PoolCfg, r: () => number): number {
  if (c.enc === 'bipolar') return r() < 0.5 ? -1 : 1;
  const u = Math.floor(r() * 2 ** c.bits);
  return c.enc === 'int' ? u - 2 ** (c.bits - 1) : u;
}

/** The documented schedule (stalls off): output word j leaves LAT cycles after the input word closing its window. */
function poolSchedule(c: PoolCfg, frames: number): number[] {
  const lat = c.dims === 2 ? 2 : 1;
  const cg = c.ch / c.pe;
  const out: number[] = [];
  for (let f = 0; f < frames; f++)
    for (let oy = 0; oy < outH(c); oy++)
      for (let ox = 0; ox < outW(c); ox++)
        for (let g = 0; g < cg; g++) {
          const y = c.dims === 2 ? oy * c.stride + c.k - 1 : 0;
          const x = ox * c.stride + c.k - 1;
          out.push(f * inWords(c) + (y * c.w + x) * cg + g + lat);
        }
  return out;
}

async function runCase(c: PoolCfg, simulator: Simulator, opts: { frames: number; seed: number; noStall?: boolean; runName: string }) {
  const r0 = rng(opts.seed);
  const frames = Array.from({ length: opts.frames }, () => Array.from({ length: c.h * c.w * c.ch }, () => randomValue(c, r0)));
  const l = layerOf(c);
  const expected = frames.flatMap((f) => Array.from(maxpool(l, Int32Array.from(f))));
  const r = await simulate({
    simulator,
    sources: [SRC],
    top: 'qnn_maxpool',
    params: params(c),
    inWidth: c.pe * c.bits,
    outWidth: c.pe * c.bits,
    workDir: work,
    runName: opts.runName,
    input: packWords(frames.flat(), c.bits, c.pe, c.enc),
    expected: expected.length / c.pe,
    inputWordsPerFrame: inWords(c),
    // Input words after the last window (rows/columns no window uses) still go in.
    drainCycles: 4 * inWords(c) + 64,
    noStall: opts.noStall,
    stall: { inValid: 0.3, outReady: 0.4, seed: opts.seed },
  });
  expect(r.stalled, label(c)).toBeNull();
  expect(r.extraOutputs, label(c)).toBe(0);
  expect(r.unknownWords, label(c)).toEqual([]);
  expect(r.inputsAccepted, label(c)).toBe(opts.frames * inWords(c));
  const got = unpackWords(r.outputs, c.bits, c.pe, c.enc);
  const bad = got.findIndex((v, i) => v !== expected[i]);
  if (bad >= 0) throw new Error(`${label(c)}: output element ${bad} is ${got[bad]}, expected ${expected[bad]}`);
  expect(got.length).toBe(expected.length);
  const lastIdx = r.tlast.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  expect(lastIdx, label(c)).toEqual(Array.from({ length: opts.frames }, (_, f) => (f + 1) * outWords(c) - 1));
  return r;
}

const FIXED: PoolCfg[] = [
  { dims: 2, h: 6, w: 6, ch: 4, k: 2, stride: 2, enc: 'uint', bits: 8, pe: 2 }, // the common 2×2/2
  { dims: 2, h: 7, w: 7, ch: 3, k: 3, stride: 2, enc: 'int', bits: 5, pe: 1 }, // overlapping, odd size
  { dims: 2, h: 5, w: 6, ch: 2, k: 3, stride: 1, enc: 'int', bits: 4, pe: 2 }, // stride 1: 3 open windows
  { dims: 2, h: 8, w: 7, ch: 8, k: 2, stride: 3, enc: 'bipolar', bits: 1, pe: 4 }, // gaps between windows
  { dims: 2, h: 1, w: 1, ch: 6, k: 1, stride: 1, enc: 'uint', bits: 3, pe: 3 }, // identity
  { dims: 2, h: 4, w: 4, ch: 1, k: 4, stride: 4, enc: 'uint', bits: 8, pe: 1 }, // global pool, CG = 1
  { dims: 1, h: 1, w: 12, ch: 4, k: 2, stride: 2, enc: 'int', bits: 8, pe: 4 },
  { dims: 1, h: 1, w: 11, ch: 6, k: 3, stride: 1, enc: 'bipolar', bits: 1, pe: 2 },
  { dims: 1, h: 1, w: 10, ch: 2, k: 2, stride: 3, enc: 'uint', bits: 2, pe: 1 },
];
const RANDOM = [11, 22, 33, 44, 55, 66, 77, 88, 99, 111, 122].map((s) => randomCfg(rng(s)));
// QNN_HW_FUZZ=N adds N more random cases, seeded from QNN_HW_FUZZ_SEED.
const FUZZ = Number(process.env.QNN_HW_FUZZ ?? 0);
const FUZZ_SEED = Number(process.env.QNN_HW_FUZZ_SEED ?? 0xf00d);
const CASES = [...FIXED, ...RANDOM, ...Array.from({ length: FUZZ }, (_, i) => randomCfg(rng(FUZZ_SEED + i)))];

describe.skipIf(!haveVerilator)('qnn_maxpool on Verilator', () => {
  it('passes verilator --lint-only -Wall for several parameter sets', async () => {
    const sets = [CASES[0]!, CASES[1]!, CASES[3]!, CASES[4]!, CASES[5]!, CASES[7]!, CASES[8]!];
    const results = await Promise.all(sets.map((c) => lintVerilator({ sources: [SRC], top: 'qnn_maxpool', params: params(c) })));
    results.forEach((res, i) => expect(res.messages.map((m) => m.text).join('\n'), label(sets[i]!)).toBe(''));
  });

  it.each(CASES.map((c, i) => [i, label(c), c] as const))(
    'case %i: %s — bit-exact under random stalls, exact schedule without',
    async (i, _l, c) => {
      await runCase(c, 'verilator', { frames: 3, seed: 5 + i, runName: `v-stall-${i}` });
      const frames = 4;
      const free = await runCase(c, 'verilator', { frames, seed: 50 + i, noStall: true, runName: `v-free-${i}` });
      expect(free.outCycles.slice(0, frames * outWords(c)), label(c)).toEqual(poolSchedule(c, frames));
      expect(free.ii, label(c)).toBe(inWords(c));
    },
  );
});

describe.skipIf(!haveIcarus)('qnn_maxpool on Icarus', () => {
  it.each([0, 2, 3, 5, 7].map((i) => [i, label(CASES[i]!), CASES[i]!] as const))(
    'case %i: %s — bit-exact under random stalls',
    async (i, _l, c) => {
      await runCase(c, 'icarus', { frames: 2, seed: 70 + i, runName: `i-stall-${i}` });
    },
  );
});
