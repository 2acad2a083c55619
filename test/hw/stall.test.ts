/**
 * A design that stops making progress is stopped after a bounded number of cycles and
 * reported by the engine whose stream stopped: here the second engine of a compiled
 * network is replaced by one that takes its input and never answers.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { streamWidth } from '../../server/src/rtl/plan.js';
import { simulate } from '../../server/src/flows/sim/runner.js';
import { engineStall, readProbes } from '../../server/src/flows/sim/network-sim.js';

const NET = `network stuck {
  target xc7z020 @ 100 MHz
  input x: u4[8]
  layer d1 = dense(x, units=4, weights=i3(random, seed=1)) fold(pe=2, simd=4)
  layer d2 = dense(d1, units=2, weights=i3(random, seed=2)) fold(pe=1, simd=2)
  output d2
}
`;

describe('stall detection', () => {
  it('names the engine that holds its input and produces nothing', async () => {
    const { analysis } = await check(NET);
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-stall-'));
    const c = compileNetwork(analysis, dir, 'stuck.qnn');
    const d2 = c.plan.blocks.find((b) => b.kind === 'engine' && b.engine.name === 'd2')!;
    // The broken engine: ready for its first words, then never again, and no output.
    const broken = path.join(dir, 'broken_d2.sv');
    writeFileSync(
      broken,
      `module stuck_d2 (
  input  logic clk, input logic rst_n,
  input  logic [${streamWidth(d2.in) - 1}:0] s_axis_tdata, input logic s_axis_tvalid, output logic s_axis_tready,
  output logic [${streamWidth(d2.out) - 1}:0] m_axis_tdata, output logic m_axis_tvalid, input logic m_axis_tready, output logic m_axis_tlast
);
  logic [1:0] taken;
  always_ff @(posedge clk) if (!rst_n) taken <= 0; else if (s_axis_tvalid && s_axis_tready) taken <= taken + 1;
  assign s_axis_tready = taken != 2'd3;
  assign m_axis_tdata = '0;
  assign m_axis_tvalid = 1'b0;
  assign m_axis_tlast = 1'b0;
  logic unused;
  assign unused = ^{s_axis_tdata, m_axis_tready};
endmodule
`,
    );
    const sources = c.files.filter((f) => f.endsWith('.sv') && f !== 'stuck_d2.sv').map((f) => path.join(c.rtlDir, f));
    const r = await simulate({
      simulator: 'verilator',
      sources: [...sources, broken],
      top: c.top,
      inWidth: streamWidth(c.plan.input),
      outWidth: streamWidth(c.plan.output),
      workDir: path.join(dir, 'sim'),
      runCwd: c.rtlDir,
      input: Array.from({ length: 8 }, () => 0x1234n),
      expected: 4,
      stallCycles: 500,
      defines: { QNN_SIM: true },
    });
    expect(r.stalled).not.toBeNull();
    expect(r.stalled!.cycle).toBeLessThan(2000);
    const stall = engineStall(c.plan, r.stalled!.cycle, readProbes(r.runDir, r.outputFile), r.stalled!.message);
    expect(stall.engine).toBe('d2');
    expect(stall.reason).toMatch(/holds its input stream/);
  }, 120_000);
});
