/**
 * hw-templates/qnn_fifo.sv: data and tlast through every variant (register slice,
 * skid buffer, memory) under random backpressure on Verilator (a subset on Icarus);
 * with stalls off one word per cycle at the documented latency; with the output
 * stalled it takes exactly DEPTH words. Plus lint. (Block RAM inference in Yosys:
 * test/synth/engines.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../../server/src/flows/tools.js';
import { simulate, type Simulator } from '../../../server/src/flows/sim/runner.js';
import { lintVerilator } from '../../../server/src/flows/sim/lint.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = path.join(root, 'hw-templates', 'qnn_fifo.sv');
const haveVerilator = findTool('verilator') !== undefined;
const haveIcarus = findTool('iverilog') !== undefined && findTool('vvp') !== undefined;

// The testbench drives no s_axis_tlast: this wrapper carries it in the top data bit
// (and shows the FIFO's m_axis_tlast both in the top bit and on m_axis_tlast).
const WRAP = `module qnn_fifo_test_wrap #(parameter int WIDTH = 8, parameter int DEPTH = 2) (
  input  logic clk, input logic rst_n,
  input  logic [WIDTH:0] s_axis_tdata, input logic s_axis_tvalid, output logic s_axis_tready,
  output logic [WIDTH:0] m_axis_tdata, output logic m_axis_tvalid, input logic m_axis_tready,
  output logic m_axis_tlast
);
  logic [WIDTH-1:0] d;
  qnn_fifo #(.WIDTH(WIDTH), .DEPTH(DEPTH)) u_fifo (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_axis_tdata[WIDTH-1:0]), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .s_axis_tlast(s_axis_tdata[WIDTH]),
    .m_axis_tdata(d), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast));
  assign m_axis_tdata = {m_axis_tlast, d};
endmodule
`;

let work: string;
let wrap: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-fifo-test-'));
  wrap = path.join(work, 'qnn_fifo_test_wrap.sv');
  writeFileSync(wrap, WRAP);
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

function randomWords(n: number, width: number, seed: number): bigint[] {
  let s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  const mask = (1n << BigInt(width)) - 1n;
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let w = 0n;
    for (let b = 0; b < width; b += 32) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      w = (w << 32n) | (s >> 32n);
    }
    out.push(w & mask);
  }
  return out;
}

interface FifoCfg {
  width: number;
  depth: number;
}
const label = (c: FifoCfg): string => `WIDTH ${c.width} DEPTH ${c.depth}`;
const latency = (c: FifoCfg): number => (c.depth <= 2 ? 1 : 2);

function base(c: FifoCfg, simulator: Simulator, runName: string) {
  return {
    simulator,
    sources: [SRC, wrap],
    top: 'qnn_fifo_test_wrap',
    params: { WIDTH: c.width, DEPTH: c.depth },
    inWidth: c.width + 1,
    outWidth: c.width + 1,
    workDir: work,
    runName,
  };
}

async function passThrough(
  c: FifoCfg,
  simulator: Simulator,
  opts: { n: number; seed: number; noStall?: boolean; inValid?: number; outReady?: number; runName: string },
) {
  const input = randomWords(opts.n, c.width + 1, opts.seed);
  const r = await simulate({
    ...base(c, simulator, opts.runName),
    input,
    expected: input.length,
    noStall: opts.noStall,
    stall: { inValid: opts.inValid ?? 0.3, outReady: opts.outReady ?? 0.3, seed: opts.seed },
  });
  expect(r.stalled, label(c)).toBeNull();
  expect(r.extraOutputs, label(c)).toBe(0);
  expect(r.unknownWords, label(c)).toEqual([]);
  expect(r.outputs, label(c)).toEqual(input);
  expect(r.tlast, label(c)).toEqual(input.map((w) => w >> BigInt(c.width) === 1n));
  return r;
}

const CASES: FifoCfg[] = [
  { width: 8, depth: 1 },
  { width: 1, depth: 2 },
  { width: 37, depth: 3 },
  { width: 8, depth: 4 },
  { width: 70, depth: 7 },
  { width: 16, depth: 16 },
  { width: 5, depth: 33 },
  { width: 12, depth: 300 },
];

describe.skipIf(!haveVerilator)('qnn_fifo on Verilator', () => {
  it('passes verilator --lint-only -Wall for several parameter sets', async () => {
    const results = await Promise.all(
      [...CASES, { width: 16, depth: 1024 }].map((c) =>
        lintVerilator({ sources: [SRC], top: 'qnn_fifo', params: { WIDTH: c.width, DEPTH: c.depth } }),
      ),
    );
    results.forEach((res) => expect(res.messages.map((m) => m.text).join('\n')).toBe(''));
  });

  it.each(CASES.map((c) => [label(c), c] as const))(
    '%s: data and tlast under stalls, one word per cycle without, holds DEPTH words',
    async (_l, c) => {
      // Several stall mixes: producer slower, consumer slower, both bursty.
      await passThrough(c, 'verilator', { n: 400, seed: c.depth, inValid: 0.1, outReady: 0.5, runName: `v-a-${c.depth}` });
      await passThrough(c, 'verilator', { n: 400, seed: c.depth + 1, inValid: 0.5, outReady: 0.1, runName: `v-b-${c.depth}` });
      await passThrough(c, 'verilator', { n: 400, seed: c.depth + 2, inValid: 0.3, outReady: 0.3, runName: `v-c-${c.depth}` });
      const free = await passThrough(c, 'verilator', { n: 200, seed: c.depth + 3, noStall: true, runName: `v-free-${c.depth}` });
      expect(free.outCycles, label(c)).toEqual(Array.from({ length: 200 }, (_, i) => i + latency(c)));
      // Output never ready: it takes DEPTH words and then holds s_axis_tready low.
      const input = randomWords(c.depth + 10, c.width + 1, 5);
      const full = await simulate({
        ...base(c, 'verilator', `v-full-${c.depth}`),
        input,
        expected: 1,
        stall: { inValid: 0, outReady: 1, seed: 1 },
        stallCycles: 50,
      });
      expect(full.stalled, label(c)).not.toBeNull();
      expect(full.inputsAccepted, label(c)).toBe(c.depth);
    },
  );
});

describe.skipIf(!haveIcarus)('qnn_fifo on Icarus', () => {
  it.each([CASES[0]!, CASES[1]!, CASES[2]!, CASES[6]!].map((c) => [label(c), c] as const))(
    '%s: data and tlast under stalls',
    async (_l, c) => {
      await passThrough(c, 'icarus', { n: 300, seed: 11 + c.depth, runName: `i-${c.depth}` });
      const free = await passThrough(c, 'icarus', { n: 100, seed: 12 + c.depth, noStall: true, runName: `i-free-${c.depth}` });
      expect(free.outCycles, label(c)).toEqual(Array.from({ length: 100 }, (_, i) => i + latency(c)));
    },
  );
});
