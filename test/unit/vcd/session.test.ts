/**
 * The viewer's session on a waveform (server/src/flows/vcd/session.ts): a build folder as
 * `qnn sim --vcd` leaves it (report.json, sim/result.json with a mismatch, sim/<net>.vcd),
 * written here by hand. The signal tree puts the streams first, grouped by engine; the
 * mismatch lands on its output handshake; rows hold at most a change per pixel and never a
 * wrong value; transactions come page by page; value search goes both ways.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { WaveformSession } from '../../../server/src/flows/vcd/session.js';
import type { CompileReport, SimResult, TopStream } from '../../../server/src/protocol/results.js';
import type { WaveTimescale, WaveValueKind } from '../../../server/src/protocol/waveform.js';
import type { ValueKind, VcdTimescale } from '../../../server/src/flows/vcd/vcd.js';

const stream = (over: Partial<TopStream>): TopStream => ({
  signal: 's_axis',
  producer: 'input',
  consumer: 'e',
  tensor: 'x',
  shape: [6, 1],
  type: 'u4',
  elem_kind: 'uint',
  elem_bits: 4,
  elems: 1,
  width: 4,
  words_per_frame: 6,
  ...over,
});

/** Clock period 10; s_axis moves a word on every edge from 15 (values 1, 2, 3, …); m_axis on edges 45 and 55. */
function vcdText(): string {
  let t = `$timescale 1ns $end
$scope module TOP $end
$scope module tb $end
$var wire 1 ! clk $end
$var wire 32 ) n [31:0] $end
$scope module dut $end
$var wire 1 ! clk $end
$var wire 4 " s_axis_tdata [3:0] $end
$var wire 1 # s_axis_tvalid $end
$var wire 1 $ s_axis_tready $end
$var wire 2 % m_axis_tdata [1:0] $end
$var wire 1 & m_axis_tvalid $end
$var wire 1 ' m_axis_tready $end
$var wire 1 ( m_axis_tlast $end
$upscope $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
0!
b0 "
0#
1$
b0 %
0&
1'
0(
b0 )
`;
  for (let k = 0; k < 100; k++) {
    const at = 10 * k;
    t += `#${at}\n0!\n`;
    if (k === 1) t += '1#\nb1 "\n';
    if (k >= 2 && k <= 6) t += `b${k.toString(2)} "\n`;
    if (k === 7) t += '0#\n';
    if (k === 4) t += '1&\nb10 %\n';
    if (k === 5) t += 'b11 %\n1(\n';
    if (k === 6) t += '0&\n';
    t += `#${at + 5}\n1!\nb${k.toString(2)} )\n`;
  }
  return t + '#1000\n';
}

describe('waveform session', () => {
  it("the wire's value kinds and time units are the reader's", () => {
    expectTypeOf<WaveValueKind>().toEqualTypeOf<ValueKind>();
    expectTypeOf<WaveTimescale>().toEqualTypeOf<VcdTimescale>();
  });

  let dir: string;
  let file: string;
  let s: WaveformSession;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qnn-wave-session-'));
    mkdirSync(path.join(dir, 'sim'));
    file = path.join(dir, 'sim', 'n.vcd');
    writeFileSync(file, vcdText());
    const report: Partial<CompileReport> = {
      network: 'n',
      engines: [{ name: 'e', layers: ['e', 'a'], kind: 'mvau', in_width: 4, out_width: 2, files: [] }],
      top_streams: [
        stream({}),
        stream({
          signal: 'm_axis',
          producer: 'e',
          consumer: 'output',
          tensor: 'a',
          shape: [2],
          type: 'u2',
          elem_bits: 2,
          width: 2,
          words_per_frame: 2,
        }),
      ],
    };
    writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
    const result: Partial<SimResult> = {
      network: 'n',
      waveform: file,
      first_mismatch: { layer: 'a', frame: 0, index: 1, channel: 1, position: [], expected: 2, got: 3 },
    };
    writeFileSync(path.join(dir, 'sim', 'result.json'), JSON.stringify(result));
    s = await WaveformSession.open(file);
  });

  it('overview: streams grouped by engine first, then the scopes; the clock; the mismatch on its handshake', () => {
    const o = s.overview;
    expect(o.network).toBe('n');
    expect(o.streamsNote).toBeNull();
    expect(o.end).toBe(1000);
    expect(o.timescale.unit).toBe('ns');
    expect(o.tree.map((n) => n.label)).toEqual(['streams of n', 'TOP']);
    const engine = o.tree[0]!.children[0]!;
    expect(engine).toMatchObject({ kind: 'engine', key: 'e', layers: ['e', 'a'] });
    expect(engine.children.map((c) => c.label)).toEqual(['e.in  (s_axis: 1 × u4)', 'e.out  (m_axis: 1 × u2)']);
    expect(engine.children[0]!.signals.map((id) => o.signals[id]!.name)).toEqual(['s_axis_tvalid', 's_axis_tready', 's_axis_tdata']);
    expect(o.signals[o.clock!]!.path).toBe('TOP.tb.dut.clk');
    expect(o.period).toBe(10);
    expect(o.streams.map((x) => [x.label, x.transactions])).toEqual([
      ['e.in', 6],
      ['e.out', 2],
    ]);
    // m_axis moves on edges 45 (2) and 55 (3): the mismatch (element 1) is the second.
    expect(o.mismatch).toEqual({
      time: 55,
      stream: 'm_axis',
      transaction: 1,
      text: 'a, frame 0, element 1 (ch 1): expected 2, got 3',
      reason: null,
    });
  });

  it('rows: every change when they fit, else bands of many changes, never a wrong value', () => {
    const n = s.overview.signals.find((x) => x.path === 'TOP.tb.n')!;
    // Zoomed in: [200, 300] holds n's changes at 205, …, 295 and the value at 200 (19, from 195).
    const near = s.rows([n.id], 200, 300, 500)[0]!;
    expect(near.segments[0]).toEqual([195, (19).toString(2).padStart(32, '0')]);
    expect(near.segments.map(([t]) => t)).toEqual([195, 205, 215, 225, 235, 245, 255, 265, 275, 285, 295]);
    // Zoomed out to 20 pixels for 100 changes of the clock and of n.
    const clk = s.overview.clock!;
    for (const id of [clk, n.id]) {
      for (const px of [3, 20, 64]) {
        const row = s.rows([id], 0, 1000, px)[0]!;
        expect(row.segments.length).toBeLessThanOrEqual(2 * px + 2);
        for (let i = 1; i < row.segments.length; i++) expect(row.segments[i]![0]).toBeGreaterThan(row.segments[i - 1]![0]);
        // A value segment holds the value at its time; a band is always closed by a value.
        for (const [t, v] of row.segments) if (v !== null) expect(v).toBe(s.values([id], t)[0]);
        expect(row.segments.at(-1)![1]).not.toBeNull();
        // Bands only where there are more changes than fit: the clock's 200 always; n's 101 not in 64 pixels.
        expect(row.segments.some(([, v]) => v === null)).toBe(s.overview.signals[id]!.changes > 2 * px);
      }
    }
  });

  it('values at a time; before a first change there is none', () => {
    const ids = ['TOP.tb.dut.s_axis_tdata', 'TOP.tb.dut.m_axis_tlast'].map((p) => s.overview.signals.find((x) => x.path === p)!.id);
    expect(s.values(ids, 52)).toEqual(['0101', '1']);
    expect(s.values(ids, 0)).toEqual(['0000', '0']);
  });

  it('transactions page by page, and the one at a time', () => {
    const all = s.transactions('s_axis', 0, 100);
    expect(all.total).toBe(6);
    expect(all.items.map((t) => [t.time, t.values[0]])).toEqual([
      [15, '1'],
      [25, '2'],
      [35, '3'],
      [45, '4'],
      [55, '5'],
      [65, '6'],
    ]);
    expect(all.items[2]!.text).toBe('e.in[pixel 2, ch 0] = 3');
    expect(s.transactions('s_axis', 4, 10).items.map((t) => t.index)).toEqual([4, 5]);
    expect(s.transactionAt('s_axis', 40)).toBe(2);
    expect(s.transactionAt('s_axis', 0)).toBe(0);
    expect(() => s.transactions('nope', 0, 1)).toThrow(/no stream nope/);
  });

  it('search: the next and the previous change to a value', () => {
    const n = s.overview.signals.find((x) => x.path === 'TOP.tb.n')!.id;
    const bits = (v: number): string => v.toString(2).padStart(32, '0');
    expect(s.search(n, bits(42), 0, 1)).toBe(425);
    expect(s.search(n, bits(42), 425, 1)).toBeNull();
    expect(s.search(n, bits(42), 1000, -1)).toBe(425);
    expect(s.search(n, bits(42), 425, -1)).toBeNull();
    const data = s.overview.signals.find((x) => x.path === 'TOP.tb.dut.s_axis_tdata')!.id;
    expect(s.search(data, '0011', 0, 1)).toBe(30);
    expect(s.search(data, 'xxxx', 0, 1)).toBeNull();
  });

  it('a waveform outside a build folder opens without streams, saying why', async () => {
    const lone = path.join(dir, 'lone.vcd');
    writeFileSync(lone, vcdText());
    const o = (await WaveformSession.open(lone)).overview;
    expect(o.streams).toEqual([]);
    expect(o.streamsNote).toMatch(/No report.json beside this waveform/);
    expect(o.tree.map((x) => x.label)).toEqual(['TOP']);
    expect(o.mismatch).toBeNull();
  });
});
