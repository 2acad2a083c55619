/**
 * Streams decoded from a real waveform (server/src/flows/vcd/streams.ts): a small network
 * with a conv2d (signed activations), a max-pool and a dense layer, simulated with
 * `--vcd` under backpressure on Verilator and on Icarus; every handshake on every stream of
 * the top level, decoded with report.json's `top_streams`, must equal the golden model's
 * tensor that stream carries (the input frame, or the engine's last layer's output), in
 * order, word by word: the output stream is what `qnn sim` checked, the inner ones are
 * checked here only.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { loadVcd } from '../../server/src/flows/vcd/parse.js';
import { findStreams, risingEdges, transactions } from '../../server/src/flows/vcd/streams.js';
import { runNetwork } from '../../server/src/golden/golden.js';
import { randomFrames } from '../../server/src/golden/frames.js';
import type { CompileReport } from '../../server/src/protocol/results.js';
import { buildFiles } from '../../server/src/protocol/build-folder.js';
import { check } from '../unit/model/helpers.js';

const NET = `network tiny2d {
  target xc7z020 @ 100 MHz
  input x: u4[6, 6, 2]
  layer c = conv2d(x, filters=4, kernel=3, pad=same, weights=i3(random, seed=1)) fold(pe=2, simd=2)
  layer r = requant(c, out=i4, scale=0.05)
  layer p = maxpool(r, kernel=2)
  layer d = dense(p, units=4, weights=i2(random, seed=2)) fold(pe=2, simd=4)
  layer t = requant(d, out=u3, scale=0.1)
  output t
}
`;

describe('streams decoded from qnn sim --vcd', () => {
  for (const simulator of ['verilator', 'icarus'] as const) {
    it(`every handshake of every stream equals the golden tensor it carries (${simulator})`, async () => {
      const { analysis } = await check(NET);
      const dir = mkdtempSync(path.join(tmpdir(), `qnn-vcd-streams-${simulator}-`));
      const r = await simulateNetwork({ analysis, sourceName: 'tiny2d.qnn', outDir: dir, simulator, frames: 1, seed: 3, vcd: true });
      expect(r.mismatches).toBe(0);
      const report = JSON.parse(readFileSync(buildFiles(dir).report, 'utf8')) as CompileReport;
      const vcd = await loadVcd(r.waveform!);
      const found = findStreams(vcd, report);
      expect(found.missing).toEqual([]);
      expect(found.scope).toMatch(/\.dut$/);
      const edges = risingEdges(vcd, found.clock);
      // The waveform's frame: the same seeded input the simulation drove.
      const frame = randomFrames(analysis.network, 1, 3)[0]!;
      const golden = runNetwork(analysis.network, frame);
      const tensor = (name: string): number[] => [...(name === 'x' ? frame : golden.layers.get(name)!)];
      const labels: string[] = [];
      for (const st of found.streams) {
        const list = transactions(vcd, st, edges);
        const want = tensor(st.stream.tensor);
        expect(list.length, st.label).toBe(st.stream.words_per_frame);
        expect(
          list.flatMap((t) => t.values),
          `${st.label} (${st.stream.signal})`,
        ).toEqual(want);
        // Times ascend; tlast (where there is one) closes the frame.
        expect(list.every((t, i) => i === 0 || t.time > list[i - 1]!.time)).toBe(true);
        if (st.tlast && st.stream.signal === 'm_axis') expect(list.map((t) => t.last)).toEqual(list.map((_, i) => i === list.length - 1));
        labels.push(`${st.label}=${st.stream.signal}`);
      }
      // The edge each word moved on is the one the testbench counted it on (its n_in and n_out count up there).
      const tb = found.scope.slice(0, found.scope.lastIndexOf('.'));
      for (const [signal, counter] of [
        ['s_axis', 'n_in'],
        ['m_axis', 'n_out'],
      ] as const) {
        const n = vcd.find(`${tb}.${counter}`)!;
        const list = transactions(
          vcd,
          found.streams.find((s) => s.stream.signal === signal)!,
          edges,
        );
        expect(list.map((t) => [vcd.valueAt(n, t.time - 1), vcd.valueAt(n, t.time)])).toEqual(
          list.map((_, k) => [BigInt(k), BigInt(k + 1)]),
        );
      }
      expect(labels).toEqual(expect.arrayContaining(['c.in=s_axis', 'c.out=c_out', 'p.out=p_out', 'd.out=m_axis']));
      // One decoded text in full: the conv's output, pixel (y 0, x 0), channels 0..1.
      const first = transactions(
        vcd,
        found.streams.find((s) => s.label === 'c.out')!,
        edges,
      )[0]!;
      const r0 = golden.layers.get('r')!;
      expect(first.text).toBe(`c.out[y 0, x 0, ch 0..1] = ${r0[0]}, ${r0[1]}`);
    }, 600_000);
  }
});
