/**
 * The Yosys commands for Xilinx keep an MVAU's deep weight ROM (qnn_rom, more than 32 words)
 * as a module of its own through `synth_xilinx -flatten` (rtl/yosys-script.ts
 * XILINX_KEEP_ROMS), measured against the same design flattened whole: held_dense7's layer
 * (u1 × pow2<3>, PE 4, SIMD 32: a 128 × 384-bit ROM), whose ROM ABC built from shared address
 * decoders inside the flattened MVAU. iCE40's commands leave the design flattened.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countResources, parseYosysStatText } from '../../server/src/flows/reports/yosys-stat.js';
import { findTool, runProcess } from '../../server/src/flows/tools.js';
import { FILE_LIST, parseFileList, XILINX_KEEP_ROMS, yosysReadCommands, yosysSynthCommands } from '../../server/src/rtl/yosys-script.js';
import { compileSpec } from './calibration/samples.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'qnn-rom-hierarchy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BODY = [
  '  input x: u1[512]',
  '  layer d1 = dense(x, units=32, weights=pow2<3>(random, seed=8)) fold(pe=4, simd=32)',
  '  output d1',
].join('\n');

async function synth(rtlDir: string, top: string, commands: string[], out: string): Promise<{ lut: number; hierarchy: string }> {
  const sources = parseFileList(readFileSync(path.join(rtlDir, FILE_LIST), 'utf8'));
  const r = await runProcess(
    findTool('yosys')!,
    ['-q', '-p', [...yosysReadCommands(sources, top), ...commands, `tee -q -o ${out} stat`].join('; ')],
    {
      cwd: rtlDir,
      timeoutMs: 600_000,
    },
  );
  if (r.code !== 0) throw new Error(`yosys failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
  const text = readFileSync(path.join(rtlDir, out), 'utf8');
  return { lut: countResources(parseYosysStatText(text).cells).lut ?? 0, hierarchy: text.split('=== design hierarchy ===')[1] ?? '' };
}

describe.skipIf(!findTool('yosys'))('a deep weight ROM on Xilinx (Yosys)', () => {
  it('is kept apart from the flattened MVAU, and takes far fewer LUTs so', async () => {
    const c = await compileSpec({ name: 'rom128', body: BODY }, 'xilinx', work);
    const mem = readFileSync(path.join(c.compiled.rtlDir, 'd1_weights.mem'), 'utf8').trim().split('\n');
    expect([mem.length, mem[0]!.length * 4]).toEqual([128, 384]);
    const top = c.compiled.top;
    const commands = yosysSynthCommands(top, { family: 'xilinx', xilinx: 'xc7' });
    expect(commands[0]).toBe(XILINX_KEEP_ROMS);
    const [flow, flat] = await Promise.all([
      synth(c.compiled.rtlDir, top, commands, 'flow.txt'),
      synth(c.compiled.rtlDir, top, commands.slice(1), 'flat.txt'),
    ]);
    console.log(`held_dense7's layer on xc7: ${flow.lut} LUTs with its ROM kept apart, ${flat.lut} flattened`);
    expect(flow.hierarchy).toMatch(/\\qnn_rom\s+1/);
    expect(flat.hierarchy).not.toMatch(/qnn_rom/);
    // Measured 2,744 against 3,812 with the activation fused; the ROM alone is 768 LUT6.
    expect(flow.lut, `kept ${flow.lut}, flattened ${flat.lut}`).toBeLessThan(0.85 * flat.lut);
    expect(yosysSynthCommands(top, { family: 'ice40' }).join('\n')).not.toContain('keep_hierarchy');
  }, 900_000);
});
