/**
 * hw-templates/qnn_dwc.sv, the width converter: random IN_ELEMS → OUT_ELEMS pairs
 * (equal, down, up, and neither dividing the other), bits 1–8, frames of a random
 * multiple of lcm(IN, OUT) elements. Every element and every tlast compared under random
 * backpressure (Verilator; a subset on Icarus); with stalls off every output word must
 * leave on the documented cycle (dwcSchedule) and the frame interval must be
 * max(FRAME/IN, FRAME/OUT) words: one word per cycle on the busier side. Plus lint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords } from '../../../server/src/flows/sim/words.js';
import { rng, int } from './random-kit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = path.join(root, 'hw-templates', 'qnn_dwc.sv');
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-dwc-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

interface DwcCfg {
  inE: number;
  outE: number;
  bits: number;
  frame: number; // elements per frame
}
const label = (c: DwcCfg): string => `${c.inE}->${c.outE} x${c.bits}b frame ${c.frame}`;
const params = (c: DwcCfg) => ({ IN_ELEMS: c.inE, OUT_ELEMS: c.outE, BITS: c.bits, FRAME_ELEMS: c.frame });

function randomCfg(r: () => number): DwcCfg {
  const sizes = [1, 2, 3, 4, 5, 6, 8, 9, 12, 16, 32];
  const inE = sizes[int(r, 0, sizes.length - 1)]!;
  const outE = sizes[int(r, 0, sizes.length - 1)]!;
  const l = lcm(inE, outE);
  return { inE, outE, bits: int(r, 1, 8), frame: l * int(r, 1, Math.max(1, Math.floor(96 / l))) };
}

/** The documented schedule with stalls off: the cycle each output word is accepted. */
function dwcSchedule(c: DwcCfg, frames: number): number[] {
  const L = lcm(c.inE, c.outE);
  const KI = L / c.inE;
  const KO = L / c.outE;
  const totalIn = (frames * c.frame) / c.inE;
  const totalOut = (frames * c.frame) / c.outE;
  let inDone = 0;
  let ci = 0;
  let hv = false;
  let oi = 0;
  const out: number[] = [];
  for (let cyc = 0; out.length < totalOut; cyc++) {
    const lastOut = oi === KO - 1;
    const holdFree = !hv || lastOut;
    const groupIn = ci === KI - 1;
    const sFire = inDone < totalIn && (!groupIn || holdFree);
    const mFire = hv;
    if (mFire) out.push(cyc);
    if (sFire) {
      inDone++;
      ci = groupIn ? 0 : ci + 1;
    }
    if (sFire && groupIn) {
      hv = true;
      oi = 0;
    } else if (mFire) {
      if (lastOut) hv = false;
      oi = lastOut ? 0 : oi + 1;
    }
  }
  return out;
}

async function runCase(c: DwcCfg, simulator: Simulator, opts: { frames: number; seed: number; noStall?: boolean; runName: string }) {
  const r0 = rng(opts.seed);
  const values = Array.from({ length: opts.frames * c.frame }, () => Math.floor(r0() * 2 ** c.bits));
  const outPerFrame = c.frame / c.outE;
  const r = await simulate({
    simulator,
    sources: [SRC],
    top: 'qnn_dwc',
    params: params(c),
    inWidth: c.inE * c.bits,
    outWidth: c.outE * c.bits,
    workDir: work,
    runName: opts.runName,
    input: packWords(values, c.bits, c.inE, 'uint'),
    expected: opts.frames * outPerFrame,
    inputWordsPerFrame: c.frame / c.inE,
    noStall: opts.noStall,
    stall: { inValid: 0.35, outReady: 0.35, seed: opts.seed },
  });
  expect(r.stalled, label(c)).toBeNull();
  expect(r.extraOutputs, label(c)).toBe(0);
  expect(r.unknownWords, label(c)).toEqual([]);
  expect(r.inputsAccepted, label(c)).toBe((opts.frames * c.frame) / c.inE);
  expect(unpackWords(r.outputs, c.bits, c.outE, 'uint'), label(c)).toEqual(values);
  expect(r.tlast, label(c)).toEqual(Array.from({ length: opts.frames * outPerFrame }, (_, i) => i % outPerFrame === outPerFrame - 1));
  return r;
}

const FIXED: DwcCfg[] = [
  { inE: 4, outE: 4, bits: 8, frame: 16 }, // pass-through
  { inE: 8, outE: 2, bits: 3, frame: 32 }, // down
  { inE: 1, outE: 6, bits: 5, frame: 36 }, // up
  { inE: 6, outE: 4, bits: 4, frame: 24 }, // neither divides: output busier
  { inE: 4, outE: 6, bits: 1, frame: 24 }, // neither divides: input busier
  { inE: 9, outE: 3, bits: 2, frame: 9 }, // one group per frame
  { inE: 3, outE: 5, bits: 7, frame: 30 },
  { inE: 16, outE: 1, bits: 1, frame: 16 },
  { inE: 1, outE: 1, bits: 1, frame: 1 }, // one-word frames
];
const RANDOM = [3, 14, 15, 92, 65, 35, 89, 79].map((s) => randomCfg(rng(s)));
// QNN_HW_FUZZ=N adds N more random cases, seeded from QNN_HW_FUZZ_SEED.
const FUZZ = Number(process.env.QNN_HW_FUZZ ?? 0);
const FUZZ_SEED = Number(process.env.QNN_HW_FUZZ_SEED ?? 0xf00d);
const CASES = [...FIXED, ...RANDOM, ...Array.from({ length: FUZZ }, (_, i) => randomCfg(rng(FUZZ_SEED + i)))];

describe('qnn_dwc schedule model', () => {
  it('runs one word per cycle on the busier side', () => {
    const r = rng(7);
    for (let i = 0; i < 300; i++) {
      const c = randomCfg(r);
      const frames = 4;
      const t = dwcSchedule(c, frames);
      const per = c.frame / c.outE;
      const ii = (t[frames * per - 1]! - t[per - 1]!) / (frames - 1);
      expect(ii, label(c)).toBe(Math.max(c.frame / c.inE, c.frame / c.outE));
    }
  });
});

describe.skipIf(!haveVerilator)('qnn_dwc on Verilator', () => {
  it('passes verilator --lint-only -Wall for several parameter sets', async () => {
    const results = await Promise.all(FIXED.map((c) => lintVerilator({ sources: [SRC], top: 'qnn_dwc', params: params(c) })));
    results.forEach((res, i) => expect(res.messages.map((m) => m.text).join('\n'), label(FIXED[i]!)).toBe(''));
  });

  it.each(CASES.map((c, i) => [i, label(c), c] as const))(
    'case %i: %s — bit-exact under stalls, exact schedule without',
    async (i, _l, c) => {
      await runCase(c, 'verilator', { frames: 4, seed: 3 + i, runName: `v-stall-${i}` });
      const frames = 4;
      const free = await runCase(c, 'verilator', { frames, seed: 40 + i, noStall: true, runName: `v-free-${i}` });
      expect(free.outCycles.slice(0, (frames * c.frame) / c.outE), label(c)).toEqual(dwcSchedule(c, frames));
      expect(free.ii, label(c)).toBe(Math.max(c.frame / c.inE, c.frame / c.outE));
    },
  );
});

describe.skipIf(!haveIcarus)('qnn_dwc on Icarus', () => {
  it.each([1, 2, 3, 4, 6].map((i) => [i, label(CASES[i]!), CASES[i]!] as const))(
    'case %i: %s — bit-exact under stalls',
    async (i, _l, c) => {
      await runCase(c, 'icarus', { frames: 3, seed: 60 + i, runName: `i-stall-${i}` });
    },
  );
});
