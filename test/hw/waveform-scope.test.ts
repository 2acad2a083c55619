/**
 * What `qnn sim --vcd` records (issue: waveforms a user can afford): by default the
 * streams only (the testbench and the DUT's top level, where every engine, converter and
 * FIFO port is a valid/ready/data/last stream), and every signal with `--vcd=all`.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { check } from '../unit/model/helpers.js';

const NET = `network tiny {
  target xc7z020 @ 100 MHz
  input x: u4[8, 2]
  layer c = conv1d(x, filters=4, kernel=3, pad=same, weights=i3(random, seed=1)) fold(pe=2, simd=2)
  layer r = requant(c, out=u4, scale=0.05)
  layer p = maxpool(r, kernel=2)
  output p
}
`;

/** The VCD's scopes (nesting joined with '.') and its signals per scope. */
function scopes(vcd: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const stack: string[] = [];
  for (const line of vcd.slice(0, vcd.indexOf('$enddefinitions')).split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t[0] === '$scope') stack.push(t[2]);
    else if (t[0] === '$upscope') stack.pop();
    else if (t[0] === '$var') {
      const k = stack.join('.');
      out.set(k, [...(out.get(k) ?? []), t[4]]);
    }
  }
  return out;
}

describe('qnn sim --vcd scope', () => {
  it('streams by default: the testbench and the top level only, every stream there; all: the engines inside too', async () => {
    const { analysis } = await check(NET);
    const dir = mkdtempSync(path.join(tmpdir(), 'qnn-vcd-scope-'));
    const streams = await simulateNetwork({
      analysis,
      sourceName: 'tiny.qnn',
      outDir: path.join(dir, 's'),
      simulator: 'verilator',
      frames: 1,
      vcd: true,
    });
    const all = await simulateNetwork({
      analysis,
      sourceName: 'tiny.qnn',
      outDir: path.join(dir, 'a'),
      simulator: 'verilator',
      frames: 1,
      vcd: true,
      vcdScope: 'all',
    });
    expect(streams.mismatches).toBe(0);
    expect(all.mismatches).toBe(0);
    const s = scopes(readFileSync(streams.waveform!, 'utf8'));
    const a = scopes(readFileSync(all.waveform!, 'utf8'));
    // Two levels: the testbench and the DUT; nothing deeper.
    const depth = (m: Map<string, string[]>): number => Math.max(...[...m.keys()].map((k) => k.split('.').length));
    expect(depth(s)).toBe(3); // TOP.qnn_sim_tb.dut
    expect(depth(a)).toBeGreaterThan(3);
    const top = [...s.entries()].find(([k]) => k.endsWith('.dut'))![1];
    for (const sig of ['s_axis_tvalid', 's_axis_tready', 's_axis_tdata', 'm_axis_tvalid', 'm_axis_tready', 'm_axis_tdata', 'm_axis_tlast'])
      expect(top).toContain(sig);
    // The stream out of each engine (and FIFO / converter) between blocks.
    expect(top.some((n) => /^c_out_tvalid$/.test(n))).toBe(true);
    expect(top.some((n) => /_tready$/.test(n) && !n.startsWith('s_axis') && !n.startsWith('m_axis'))).toBe(true);
    const count = (m: Map<string, string[]>): number => [...m.values()].reduce((x, v) => x + v.length, 0);
    expect(count(a)).toBeGreaterThan(3 * count(s));
  }, 300_000);

  it('the CLI takes --vcd, --vcd=streams and --vcd=all, and names the choices for anything else', () => {
    const r = spawnSync(
      process.execPath,
      [path.resolve('out/cli/qnn.cjs'), 'sim', 'examples/peak_detector/peak_detector.qnn', '--vcd=everything'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--vcd takes all or streams, not 'everything'");
  });
});
