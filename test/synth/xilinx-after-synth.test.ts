/**
 * What the flow runs after `synth_xilinx` (rtl/yosys-script.ts XILINX_AFTER_SYNTH), measured:
 * synth_xilinx gives each flip-flop with an active-low enable its own inverter (its
 * flip-flops take an active-high CE only, and dfflegalize inverts per cell); the flow's
 * `opt_merge -share_all` leaves one. The design is qnn_skid's pattern: a bank of registers
 * that advance while a stall register is low.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseYosysStatText } from '../../server/src/flows/reports/yosys-stat.js';
import { findTool, runProcess } from '../../server/src/flows/tools.js';
import { XILINX_AFTER_SYNTH, XILINX_KEEP_ROMS, yosysSynthCommands } from '../../server/src/rtl/yosys-script.js';

let work = '';
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-after-synth-'));
  writeFileSync(
    path.join(work, 'bank.sv'),
    [
      'module bank (input logic clk, input logic stall_in, input logic [15:0] d, output logic [15:0] q);',
      '  logic stall;',
      '  always_ff @(posedge clk) stall <= stall_in;',
      '  always_ff @(posedge clk) if (!stall) q <= d;',
      'endmodule',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function synth(commands: string[]): Promise<Record<string, number>> {
  const out = path.join(work, 'stat.txt');
  const r = await runProcess(
    findTool('yosys')!,
    ['-q', '-p', ['read_verilog -sv bank.sv', ...commands, `tee -q -o ${out} stat`].join('; ')],
    {
      cwd: work,
      timeoutMs: 120_000,
    },
  );
  if (r.code !== 0) throw new Error(`yosys failed:\n${r.stdout}${r.stderr}`);
  return parseYosysStatText(readFileSync(out, 'utf8')).cells;
}

describe.skipIf(!findTool('yosys'))('the flow after synth_xilinx (Yosys)', () => {
  it('merges the inverter synth_xilinx gives each flip-flop with an active-low enable', async () => {
    const [keepRoms, synthXilinx, ...after] = yosysSynthCommands('bank', { family: 'xilinx', xilinx: 'xc7' });
    expect(keepRoms).toBe(XILINX_KEEP_ROMS);
    expect(after).toEqual([...XILINX_AFTER_SYNTH]);
    const alone = await synth([synthXilinx!]);
    const flow = await synth([synthXilinx!, ...after]);
    expect(alone.FDRE).toBe(17);
    expect(alone.INV).toBe(16);
    expect(flow.FDRE).toBe(17);
    expect(flow.INV).toBe(1);
  }, 240_000);
});
