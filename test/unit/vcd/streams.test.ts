/**
 * Stream decoding (server/src/flows/vcd/streams.ts) without a simulator: report.json's
 * `top_streams` for the peak detector (each stream's producer, consumer, tensor and word
 * layout agree with the plan's engines), positions in words, element decoding by type
 * (x/z bits included), handshakes on a hand-written VCD (sampled just before each rising
 * edge, never while valid or ready is low or unknown), and where `qnn sim`'s first
 * mismatch lies. test/hw/vcd-streams.test.ts checks the same on real simulations.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { compileNetwork } from '../../../server/src/rtl/compile.js';
import { parseVcd } from '../../../server/src/flows/vcd/parse.js';
import {
  decodeWord,
  findStreams,
  mismatchHandshake,
  positionText,
  risingEdges,
  streamLabel,
  transactions,
} from '../../../server/src/flows/vcd/streams.js';
import type { CompileReport, StreamElemKind, TopStream } from '../../../server/src/protocol/results.js';
import type { QType } from '../../../server/src/model/types.js';
import { product } from '../../../server/src/model/shape.js';
import { check } from '../model/helpers.js';

const PEAK = path.resolve('examples/peak_detector/peak_detector.qnn');

describe("report.json's top_streams", () => {
  it('the element kinds are the model’s', () => {
    expectTypeOf<StreamElemKind>().toEqualTypeOf<QType['kind']>();
  });

  it('lists every stream of the peak detector in order, each carrying its tensor in whole words', async () => {
    const { analysis } = await check(readFileSync(PEAK, 'utf8'), PEAK);
    const r = compileNetwork(analysis, mkdtempSync(path.join(tmpdir(), 'qnn-top-streams-')), 'peak_detector.qnn').report;
    expect(r.top_streams.map((s) => `${s.producer}>${s.signal}>${s.consumer}`)).toEqual([
      'input>s_axis>c1',
      'c1>c1_out>dwc_c1_c2',
      'dwc_c1_c2>dwc_c1_c2_out>fifo_c1_c2',
      'fifo_c1_c2>fifo_c1_c2_out>c2',
      'c2>c2_out>dwc_c2_p1',
      'dwc_c2_p1>dwc_c2_p1_out>fifo_c2_p1',
      'fifo_c2_p1>fifo_c2_p1_out>p1',
      'p1>p1_out>dwc_p1_c3',
      'dwc_p1_c3>dwc_p1_c3_out>fifo_p1_c3',
      'fifo_p1_c3>fifo_p1_c3_out>c3',
      'c3>m_axis>output',
    ]);
    const byName = new Map(r.top_streams.map((s) => [s.signal, s]));
    expect(byName.get('s_axis')).toMatchObject({ tensor: 'scan', shape: [1024, 1], type: 'u8', elem_kind: 'uint', elem_bits: 8, elems: 1 });
    // c1's output is its fused requant's (r1: u4), four channels a word; c3's is t3's (u1).
    expect(byName.get('c1_out')).toMatchObject({ tensor: 'r1', shape: [1024, 16], type: 'u4', elems: 4, width: 16, words_per_frame: 4096 });
    expect(byName.get('fifo_c1_c2_out')).toMatchObject({ tensor: 'r1', elems: 16, width: 64 });
    expect(byName.get('m_axis')).toMatchObject({ tensor: 't3', type: 'u1', width: 1 });
    for (const s of r.top_streams) {
      expect(s.words_per_frame * s.elems).toBe(product(s.shape));
      expect(s.width).toBe(s.elems * s.elem_bits);
    }
    // The engines' widths in the report are those of their streams.
    for (const e of r.engines) {
      expect(r.top_streams.find((s) => s.consumer === e.name)!.width).toBe(e.in_width);
      expect(r.top_streams.find((s) => s.producer === e.name)!.width).toBe(e.out_width);
    }
  });
});

const stream = (over: Partial<TopStream>): TopStream => ({
  signal: 'c1_out',
  producer: 'c1',
  consumer: 'dwc_c1_c2',
  tensor: 'r1',
  shape: [16, 8],
  type: 'u4',
  elem_kind: 'uint',
  elem_bits: 4,
  elems: 4,
  width: 16,
  words_per_frame: 32,
  ...over,
});

describe('positions and values', () => {
  it('words within a pixel, across pixels, in 2-D and in a vector', () => {
    expect(positionText([1024, 16], 12 * 16 + 4, 12 * 16 + 7)).toBe('pixel 12, ch 4..7');
    expect(positionText([1024, 1], 5, 5)).toBe('pixel 5, ch 0');
    expect(positionText([4, 6, 2], 2 * 12 + 3 * 2, 2 * 12 + 3 * 2 + 1)).toBe('y 2, x 3, ch 0..1');
    expect(positionText([10], 4, 7)).toBe('ch 4..7');
    expect(positionText([8, 3], 2, 5)).toBe('pixel 0 ch 2 .. pixel 1 ch 2');
  });

  it('decodes elements by type, element 0 in the low bits; x/z elements are null', () => {
    const u4 = stream({});
    expect(decodeWord(0x2f03n, u4)).toEqual([3, 0, 15, 2]);
    expect(decodeWord('0010xxxx00000011', u4)).toEqual([3, 0, null, 2]);
    expect(decodeWord('z', { elems: 2, elem_bits: 4, elem_kind: 'uint' })).toEqual([null, null]);
    expect(decodeWord(0xf8n, { elems: 2, elem_bits: 4, elem_kind: 'int' })).toEqual([-8, -1]);
    expect(decodeWord(0b0110n, { elems: 4, elem_bits: 1, elem_kind: 'bipolar' })).toEqual([-1, 1, 1, -1]);
    // pow2<3>: sign bit, then the exponent code k (magnitude 2^(k−1)).
    expect(decodeWord(0b111_011_000n, { elems: 3, elem_bits: 3, elem_kind: 'pow2' })).toEqual([0, 4, -4]);
  });

  it('labels a stream by the engine it leaves, else the one it enters', () => {
    const engines = new Set(['c1', 'c2']);
    expect(streamLabel(stream({}), engines)).toEqual({ label: 'c1.out', engine: 'c1' });
    expect(streamLabel(stream({ producer: 'fifo_c1_c2', consumer: 'c2' }), engines)).toEqual({ label: 'c2.in', engine: 'c2' });
    expect(streamLabel(stream({ producer: 'dwc_c1_c2', consumer: 'fifo_c1_c2' }), engines)).toEqual({
      label: 'dwc_c1_c2.out',
      engine: null,
    });
  });
});

/** A testbench and DUT scope as qnn sim writes them, clock period 10, handshakes on known edges. */
const VCD = `$timescale 1ps $end
$scope module TOP $end
$var wire 1 ! clk $end
$scope module tb $end
$var wire 1 ! clk $end
$var wire 8 " s_axis_tdata [7:0] $end
$scope module dut $end
$var wire 1 ! clk $end
$var wire 8 " s_axis_tdata [7:0] $end
$var wire 1 # s_axis_tvalid $end
$var wire 1 $ s_axis_tready $end
$var wire 4 % m_axis_tdata [3:0] $end
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
x#
1$
0&
1'
0(
b0 %
#5
1!
#10
0!
0#
#15
1!
#20
0!
1#
b101 "
#25
1!
#26
b110 "
0$
#30
0!
#35
1!
#40
0!
1$
#45
1!
1&
b1110 %
#50
0!
#55
1!
b111 "
b11 %
1(
#60
0!
0#
#65
1!
0&
#70
`;

describe('handshakes on a hand-written waveform', () => {
  const vcd = parseVcd(VCD);
  const report: Pick<CompileReport, 'top_streams' | 'engines' | 'network'> = {
    network: 'n',
    engines: [{ name: 'e', layers: ['e'], kind: 'mvau', in_width: 8, out_width: 4, files: [] }],
    top_streams: [
      stream({
        signal: 's_axis',
        producer: 'input',
        consumer: 'e',
        tensor: 'x',
        shape: [4, 1],
        type: 'u8',
        elem_bits: 8,
        elems: 1,
        width: 8,
        words_per_frame: 4,
      }),
      stream({
        signal: 'm_axis',
        producer: 'e',
        consumer: 'output',
        tensor: 'e',
        shape: [2],
        type: 'i4',
        elem_kind: 'int',
        elem_bits: 4,
        elems: 1,
        width: 4,
        words_per_frame: 2,
      }),
      stream({ signal: 'gone_out', producer: 'e', consumer: 'output' }),
    ],
  };
  const found = findStreams(vcd, report);

  it('finds the DUT scope (the most streams), its clock, and says which streams are missing', () => {
    expect(found.scope).toBe('TOP.tb.dut');
    expect(found.clock.path).toBe('TOP.tb.dut.clk');
    expect(found.streams.map((s) => s.label)).toEqual(['e.in', 'e.out']);
    expect(found.missing).toEqual(['gone_out']);
    expect(risingEdges(vcd, found.clock)).toEqual([5, 15, 25, 35, 45, 55, 65]);
  });

  it('takes a word where valid and ready were both 1 just before a rising edge (not x, not after the edge)', () => {
    const edges = risingEdges(vcd, found.clock);
    // s_axis: valid x at 5, 0 at 15; 1 from 20 with ready 1 → edge 25 (data 5); ready 0 at 26 → none at 35;
    // ready back at 40 → edges 45 (data 6) and 55 (data 6: tdata changes at 55 itself); valid 0 at 60.
    const ins = transactions(vcd, found.streams[0]!, edges);
    expect(ins.map((t) => [t.time, t.values[0], t.word])).toEqual([
      [25, 5, 0],
      [45, 6, 1],
      [55, 6, 2],
    ]);
    expect(ins[0]!.text).toBe('e.in[pixel 0, ch 0] = 5');
    // m_axis: valid from 45 → edges 55 (−2) and 65 (3, tlast set at 55).
    const outs = transactions(vcd, found.streams[1]!, edges);
    expect(outs.map((t) => [t.time, t.values[0], t.last])).toEqual([
      [55, -2, false],
      [65, 3, true],
    ]);
    expect(outs[1]!.text).toBe('e.out[ch 1] = 3');
  });

  it("places qnn sim's first mismatch on the output handshake that carried it, or says why not", () => {
    const edges = risingEdges(vcd, found.clock);
    const out = found.streams[1]!;
    const list = transactions(vcd, out, edges);
    const m = { layer: 'e', frame: 0, index: 1, channel: 1, position: [], expected: 2, got: 3 };
    expect(mismatchHandshake(out, list.length, m)).toEqual({ handshake: 1, element: 0 });
    expect(mismatchHandshake(out, list.length, { ...m, frame: 3 })).toEqual({
      handshake: null,
      reason: 'the first mismatch is in frame 3, and the waveform holds frame 0',
    });
    // Two elements a word: element 5 is the third word's second.
    expect(mismatchHandshake({ ...out, stream: { ...out.stream, elems: 2, words_per_frame: 4 } }, 8, { ...m, frame: 1, index: 5 })).toEqual(
      {
        handshake: 6,
        element: 1,
      },
    );
  });

  it('a report without top_streams asks to compile again', () => {
    expect(() => findStreams(vcd, { ...report, top_streams: undefined as unknown as TopStream[] })).toThrow(
      /compile or simulate the network again/,
    );
  });
});
