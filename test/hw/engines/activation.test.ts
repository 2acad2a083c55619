/**
 * The standalone (unfused) activation engines, hw-templates/qnn_requant.sv and
 * qnn_threshold.sv (qnn_act_stream.sv + qnn_act_lane.sv, the lane the MVAU fuses too):
 * random cases over input kind and width, output type, PE (1, a divisor, CH), channels and
 * frame size; ROMs from server/src/rtl/mem.ts; every output element compared with the
 * golden model's `activate` under random backpressure; with stalls off, one word per cycle
 * (frame interval = ELEMS_PER_FRAME / PE exactly). One run per case on Icarus too, and
 * `verilator --lint-only -Wall` for several parameter sets. Thresholds with a bias (signed
 * and narrow outputs: ternary i2 with bias −1, i4 −7 … 7, an unsigned output offset by 2)
 * run the same way, and so do requants with one S for every channel, which the template
 * takes as its SHIFT parameter (a random S, S = 0, and an S that shifts every bit out).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate } from '../../../server/src/golden/golden.js';
import { signedBitsFor, typeBits, typeMax, typeMin, typeName, typeValues } from '../../../server/src/model/qtype.js';
import type { Activation, QType } from '../../../server/src/model/types.js';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';
import { packWords, unpackWords } from '../../../server/src/flows/sim/words.js';
import { activationMem, kindCode, thresholdBits } from '../../../server/src/engines/rom-layout.js';
import { sharedShift } from '../../../server/src/engines/activation.js';
import { rng, pick, int, divisors, limiter, randomRequant, randomThresholds } from './random-kit.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const hw = (f: string): string => path.join(root, 'hw-templates', f);
const COMMON = [hw('qnn_act_stream.sv'), hw('qnn_act_lane.sv'), hw('qnn_skid.sv')];
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-act-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

const limit = limiter(2);

interface ActCfg {
  kind: 'requant' | 'threshold';
  inT: QType;
  outT: QType;
  pe: number;
  ch: number;
  /** Elements per frame (a multiple of ch). */
  elems: number;
  mbits: number;
  shiftBits: number;
  zero: number;
  nThresh: number;
  /** The threshold's bias (ZERO): y = bias + count. */
  bias: number;
  /** Threshold width in the ROM: the input range with the clipped top (max + 1). */
  tBits: number;
  /** Requant: one S for all channels (a number: that S), which the template takes as SHIFT. */
  shift?: number | 'shared';
  /** Threshold: CMP_CARRY = 1, each comparison as the sign of x − T (what iCE40 targets get). */
  carry?: boolean;
  /** Requant: CLAMP_TEST = 1, clamp bounds at powers of two tested on the value's top bits (iCE40's). */
  clampTest?: boolean;
}

const top = (c: ActCfg): string => (c.kind === 'requant' ? 'qnn_requant' : 'qnn_threshold');
const sources = (c: ActCfg): string[] => [hw(`${top(c)}.sv`), ...COMMON];
const words = (c: ActCfg): number => c.elems / c.pe;
const label = (c: ActCfg): string =>
  `${c.kind} ${typeName(c.inT)} → ${typeName(c.outT)} CH${c.ch} PE${c.pe} ELEMS${c.elems}` +
  (c.kind === 'requant'
    ? ` mbits${c.mbits} zero${c.zero}${c.shift !== undefined ? ` shift ${c.shift}` : ''}${c.clampTest ? ' CLAMP_TEST' : ''}`
    : ` N${c.nThresh} T${c.tBits}${c.bias ? ` bias${c.bias}` : ''}${c.carry ? ' CMP_CARRY' : ''}`);

/** The template's parameters, as the compiler sets them for `act` (SHIFT: its shared S, or −1). */
function params(c: ActCfg, act: Activation): Record<string, number | string> {
  const p: Record<string, number | string> = {
    PE: c.pe,
    CH: c.ch,
    ELEMS_PER_FRAME: c.elems,
    IN_BITS: typeBits(c.inT),
    IN_KIND: kindCode(c.inT),
    OUT_BITS: typeBits(c.outT),
    OUT_KIND: kindCode(c.outT),
    ACT_FILE: 'act.mem',
  };
  if (act.kind === 'requant')
    Object.assign(p, {
      MBITS: c.mbits,
      SHIFT_BITS: c.shiftBits,
      SHIFT: sharedShift(act) ?? -1,
      ZERO: c.zero,
      ...(c.clampTest ? { CLAMP_TEST: 1 } : {}),
    });
  else Object.assign(p, { N_THRESH: c.nThresh, T_BITS: c.tBits, ZERO: c.bias, ...(c.carry ? { CMP_CARRY: 1 } : {}) });
  return p;
}

function randomCfg(r: () => number, kind: 'requant' | 'threshold', inT: QType, peMode: 'one' | 'divisor' | 'all'): ActCfg {
  const ch = pick(r, [1, 2, 3, 4, 6, 8, 12]);
  const ds = divisors(ch);
  const pe = peMode === 'one' ? 1 : peMode === 'all' ? ch : pick(r, ds.length > 2 ? ds.slice(1, -1) : ds);
  let outT: QType;
  let nThresh = 1;
  if (kind === 'requant') outT = r() < 0.5 ? { kind: 'uint', bits: int(r, 1, 8) } : { kind: 'int', bits: int(r, 2, 8) };
  else {
    outT = r() < 0.25 ? { kind: 'bipolar' } : { kind: 'uint', bits: int(r, 1, 4) };
    nThresh = outT.kind === 'bipolar' ? 1 : 2 ** outT.bits - 1;
  }
  return {
    kind,
    inT,
    outT,
    pe,
    ch,
    elems: ch * int(r, 1, 5),
    mbits: int(r, 1, 20),
    shiftBits: pick(r, [5, 6]),
    zero: int(r, -6, 6),
    nThresh,
    bias: 0,
    tBits: signedBitsFor(typeMin(inT), typeMax(inT) + 1),
  };
}

/** A threshold case with a bias: N thresholds, y = bias + count in `outT`. */
function biasedCfg(r: () => number, inT: QType, outT: QType, nThresh: number, bias: number, peMode: 'one' | 'divisor' | 'all'): ActCfg {
  return { ...randomCfg(r, 'threshold', inT, peMode), outT, nThresh, bias };
}

const PE_MODES = ['one', 'divisor', 'all'] as const;
const CASES: ActCfg[] = [];
{
  let i = 0;
  for (const kind of ['requant', 'threshold'] as const) {
    for (const inT of [
      { kind: 'uint', bits: 1 },
      { kind: 'uint', bits: 8 },
      { kind: 'int', bits: 2 },
      { kind: 'int', bits: 5 },
      { kind: 'int', bits: 8 },
      { kind: 'int', bits: 16 },
    ] as QType[]) {
      CASES.push(randomCfg(rng(500 + i), kind, inT, PE_MODES[i % 3]!));
      i++;
    }
  }
  // Brevitas' ternary {−1, 0, 1}, a signed 4-bit −7 … 7, and an unsigned output from 2.
  CASES.push(biasedCfg(rng(600), { kind: 'int', bits: 8 }, { kind: 'int', bits: 2 }, 2, -1, 'divisor'));
  CASES.push(biasedCfg(rng(601), { kind: 'int', bits: 16 }, { kind: 'int', bits: 4 }, 14, -7, 'all'));
  CASES.push(biasedCfg(rng(602), { kind: 'uint', bits: 8 }, { kind: 'uint', bits: 3 }, 4, 2, 'one'));
  // Comparisons on the carry chain (iCE40's form): a 16-bit input against thresholds at and
  // past its ends (x − T needs 17 bits), an unsigned one, and a signed count with a bias.
  CASES.push({ ...randomCfg(rng(800), 'threshold', { kind: 'int', bits: 16 }, 'all'), carry: true });
  CASES.push({ ...randomCfg(rng(801), 'threshold', { kind: 'uint', bits: 8 }, 'divisor'), carry: true });
  CASES.push({ ...biasedCfg(rng(802), { kind: 'int', bits: 5 }, { kind: 'int', bits: 3 }, 6, -3, 'one'), carry: true });
  // One S for every channel (the template's SHIFT): a random one, none, and one that shifts
  // every bit out (the output is the clamped zero point).
  CASES.push({ ...randomCfg(rng(700), 'requant', { kind: 'int', bits: 8 }, 'divisor'), shift: 'shared' });
  CASES.push({ ...randomCfg(rng(701), 'requant', { kind: 'uint', bits: 8 }, 'all'), shift: 'shared' });
  CASES.push({ ...randomCfg(rng(702), 'requant', { kind: 'int', bits: 5 }, 'one'), shift: 0, mbits: 3 });
  CASES.push({ ...randomCfg(rng(703), 'requant', { kind: 'int', bits: 5 }, 'divisor'), shift: 31, mbits: 4, shiftBits: 5 });
  // iCE40's clamp (CLAMP_TEST): without a zero point the bounds are at powers of two, tested
  // on the value's top bits (an unsigned output's 0 on its sign); with every bit shifted out,
  // bounds the value cannot pass; with a zero point, bounds that are no power of two (`<`, `>`).
  const clampTest = (seed: number, inT: QType, outT: QType, peMode: (typeof PE_MODES)[number], more: Partial<ActCfg>): ActCfg => ({
    ...randomCfg(rng(seed), 'requant', inT, peMode),
    outT,
    zero: 0,
    clampTest: true,
    ...more,
  });
  CASES.push(clampTest(710, { kind: 'uint', bits: 8 }, { kind: 'uint', bits: 4 }, 'divisor', { shift: 'shared' }));
  CASES.push(clampTest(711, { kind: 'int', bits: 8 }, { kind: 'int', bits: 4 }, 'all', {}));
  CASES.push(clampTest(712, { kind: 'int', bits: 5 }, { kind: 'uint', bits: 4 }, 'one', { shift: 31, mbits: 4, shiftBits: 5 }));
  CASES.push(clampTest(713, { kind: 'int', bits: 5 }, { kind: 'int', bits: 4 }, 'divisor', { shift: 31, mbits: 4, shiftBits: 5 }));
  CASES.push(clampTest(714, { kind: 'int', bits: 16 }, { kind: 'uint', bits: 3 }, 'divisor', { zero: 2 }));
  CASES.push(clampTest(715, { kind: 'uint', bits: 8 }, { kind: 'int', bits: 6 }, 'one', { zero: -3, shift: 'shared' }));
}

function randomData(c: ActCfg, frames: number, seed: number): { act: Activation; input: number[]; expected: number[] } {
  const r = rng(seed);
  const lo = typeMin(c.inT);
  const hi = typeMax(c.inT);
  const input = Array.from({ length: frames * c.elems }, () => int(r, lo, hi));
  const act: Activation =
    c.kind === 'requant'
      ? randomRequant(r, { channels: c.ch, lo, hi, out: c.outT, mbits: c.mbits, shiftBits: c.shiftBits, zero: c.zero, shift: c.shift })
      : randomThresholds(r, { channels: c.ch, count: c.nThresh, lo, hi, near: typeValues(c.inT), outside: 300, out: c.outT, bias: c.bias });
  const expected = Array.from(activate(act, Int32Array.from(input), c.ch));
  return { act, input, expected };
}

async function runCase(
  c: ActCfg,
  simulator: Simulator,
  opts: { frames: number; seed: number; runName: string; noStall?: boolean; stall?: number },
) {
  const d = randomData(c, opts.frames, opts.seed);
  const runDir = path.join(work, 'mem', opts.runName);
  mkdirSync(runDir, { recursive: true });
  if (d.act.kind === 'threshold') expect(thresholdBits(d.act, typeMin(c.inT), typeMax(c.inT), 2)).toBeLessThanOrEqual(c.tBits);
  writeFileSync(
    path.join(runDir, 'act.mem'),
    activationMem(d.act, c.pe, c.tBits, { min: typeMin(c.inT), max: typeMax(c.inT), shiftBits: c.shiftBits }),
  );
  const r = await limit(() =>
    simulate({
      simulator,
      sources: sources(c),
      top: top(c),
      params: params(c, d.act),
      inWidth: c.pe * typeBits(c.inT),
      outWidth: c.pe * typeBits(c.outT),
      workDir: work,
      runName: opts.runName,
      runCwd: runDir,
      input: packWords(d.input, typeBits(c.inT), c.pe, c.inT),
      expected: d.expected.length / c.pe,
      inputWordsPerFrame: words(c),
      noStall: opts.noStall,
      stall: { inValid: opts.stall ?? 0.3, outReady: opts.stall ?? 0.3, seed: opts.seed },
    }),
  );
  return { r, expected: d.expected };
}

function checkData(c: ActCfg, run: Awaited<ReturnType<typeof runCase>>, frames: number): void {
  const { r, expected } = run;
  expect(r.stalled, label(c)).toBeNull();
  expect(r.extraOutputs, label(c)).toBe(0);
  expect(r.unknownWords, label(c)).toEqual([]);
  expect(r.inputsAccepted, label(c)).toBe(frames * words(c));
  const got = unpackWords(r.outputs, typeBits(c.outT), c.pe, c.outT);
  const bad = got.findIndex((v, i) => v !== expected[i]);
  if (bad >= 0)
    throw new Error(`${label(c)} on ${r.simulator}: element ${bad} (channel ${bad % c.ch}) is ${got[bad]}, expected ${expected[bad]}`);
  expect(got.length, label(c)).toBe(expected.length);
  const lasts = r.tlast.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
  expect(lasts, label(c)).toEqual(Array.from({ length: frames }, (_, f) => (f + 1) * words(c) - 1));
}

/** Documented latency of qnn_act_stream: an accepted word is taken at the output 4 cycles later. */
const LATENCY = 4;

describe.skipIf(!haveVerilator)('qnn_requant / qnn_threshold on Verilator', () => {
  it('pass verilator --lint-only -Wall for several parameter sets', async () => {
    const results = await Promise.all(
      CASES.map((c) => lintVerilator({ sources: sources(c), top: top(c), params: params(c, randomData(c, 1, 1).act) })),
    );
    results.forEach((res, i) => expect(res.messages.map((m) => m.text).join('\n'), label(CASES[i]!)).toBe(''));
  });

  it.concurrent.each(CASES.map((c, i) => [i, label(c), c] as const))(
    'case %i: %s — bit-exact under random stalls, one word per cycle without',
    async (i, _l, c) => {
      // The first run builds; the other two reuse the build (so the limiter's slots go to
      // different builds rather than to runs waiting for the same one).
      const a = await runCase(c, 'verilator', { frames: 3, seed: 21 + i, runName: `v-stall-${i}` });
      const [b, free] = await Promise.all([
        runCase(c, 'verilator', { frames: 3, seed: 221 + i, runName: `v-heavy-${i}`, stall: 0.7 }),
        runCase(c, 'verilator', { frames: 4, seed: 421 + i, runName: `v-free-${i}`, noStall: true }),
      ]);
      checkData(c, a, 3);
      checkData(c, b, 3);
      checkData(c, free, 4);
      expect(free.r.frameIntervals, label(c)).toEqual([words(c), words(c), words(c)]);
      // First word of the frame accepted → last word out: (words − 1) + LATENCY.
      expect(free.r.latency!, label(c)).toBe(words(c) - 1 + LATENCY);
    },
    180_000,
  );
});

describe.skipIf(!haveIcarus)('qnn_requant / qnn_threshold on Icarus', () => {
  it.concurrent.each(CASES.map((c, i) => [i, label(c), c] as const))(
    'case %i: %s — bit-exact under random stalls',
    async (i, _l, c) => {
      checkData(c, await runCase(c, 'icarus', { frames: 2, seed: 621 + i, runName: `i-stall-${i}` }), 2);
    },
    180_000,
  );
});
