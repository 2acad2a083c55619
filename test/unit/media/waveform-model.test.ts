/**
 * The waveform view's model (media/src/waveform-model.ts): time ↔ pixel with zoom and pan
 * kept inside the file, ticks and times in the file's timescale, rows clipped to the view,
 * values in each radix with x/z, values typed for search, the name filter of the tree, and
 * the engine a layer belongs to.
 */
import { describe, expect, it } from 'vitest';
import {
  centerOn,
  deltaText,
  drawSegments,
  engineOfLayer,
  filterTree,
  fit,
  fitText,
  formatTime,
  formatValue,
  pan,
  parseValue,
  signalsUnder,
  streamOfSignal,
  ticks,
  timeToX,
  valueInRow,
  xToTime,
  zoom,
} from '../../../media/src/waveform-model.js';
import type { WaveSignal, WaveStream, WaveTimescale, WaveTreeNode } from '../../../server/src/protocol/waveform.js';

const PS: WaveTimescale = { magnitude: 1, unit: 'ps', seconds: 1e-12 };
const NS: WaveTimescale = { magnitude: 1, unit: 'ns', seconds: 1e-9 };

describe('time and pixels', () => {
  it('maps both ways and fits the file', () => {
    const v = fit(1000, 5000, 400);
    expect(v).toEqual({ t0: 1000, t1: 5000, width: 400 });
    expect(timeToX(v, 3000)).toBe(200);
    expect(xToTime(v, 100)).toBe(2000);
    expect(fit(7, 7, 100)).toEqual({ t0: 7, t1: 8, width: 100 });
  });

  it('zooms about the pointer, never past the file or closer than 64 px a unit', () => {
    const v = fit(0, 1000, 100);
    const z = zoom(v, 0.5, 25, 0, 1000);
    expect(z).toEqual({ t0: 125, t1: 625, width: 100 });
    expect(xToTime(z, 25)).toBe(xToTime(v, 25)); // the time under the pointer stays
    expect(zoom(z, 100, 50, 0, 1000)).toEqual(v); // out: at most the whole file
    expect(zoom(v, 1e-9, 50, 0, 1000).t1 - zoom(v, 1e-9, 50, 0, 1000).t0).toBeCloseTo(100 / 64);
  });

  it('pans by pixels and stops at the ends; centres on a time', () => {
    const v = { t0: 100, t1: 300, width: 200 };
    expect(pan(v, 50, 0, 1000)).toEqual({ t0: 150, t1: 350, width: 200 });
    expect(pan(v, -500, 0, 1000)).toEqual({ t0: 0, t1: 200, width: 200 });
    expect(pan(v, 5000, 0, 1000)).toEqual({ t0: 800, t1: 1000, width: 200 });
    expect(centerOn(v, 600, 0, 1000)).toEqual({ t0: 500, t1: 700, width: 200 });
  });

  it('writes times in the unit that keeps them ≥ 1, never finer than the file', () => {
    expect(formatTime(0, PS)).toBe('0 ps');
    expect(formatTime(12_500, PS)).toBe('12.5 ns');
    expect(formatTime(205_565_000, PS)).toBe('205.565 us');
    expect(formatTime(999, PS)).toBe('999 ps');
    expect(formatTime(1_234_567, NS)).toBe('1.2346 ms');
    expect(formatTime(5, { magnitude: 10, unit: 'ns', seconds: 1e-8 })).toBe('50 ns');
  });

  it('ticks on a 1-2-5 step at least 90 px apart', () => {
    const t = ticks({ t0: 0, t1: 100_000, width: 900 }, PS);
    expect(t.map((x) => x.t)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000]);
    expect(t[1]!.label).toBe('10 ns');
    const u = ticks({ t0: 3, t1: 17, width: 300 }, NS);
    expect(u.map((x) => x.t)).toEqual([5, 10, 15]);
    for (let i = 1; i < u.length; i++) expect(u[i]!.x - u[i - 1]!.x).toBeGreaterThanOrEqual(90);
  });

  it('Δt of the markers, in cycles when the clock period is known', () => {
    expect(deltaText(10_000, 50_000, PS, 10_000)).toBe('Δ = 40 ns (4 cycles)');
    expect(deltaText(50_000, 45_000, PS, null)).toBe('Δ = −5 ns');
  });
});

describe('rows on screen', () => {
  const row = {
    id: 1,
    segments: [
      [0, '0001'],
      [100, null],
      [150, '0011'],
      [400, '0100'],
    ] as [number, string | null][],
  };

  it('clips each segment to the view; the last lasts to the end', () => {
    expect(drawSegments(row, { t0: 120, t1: 420, width: 300 }, 1000)).toEqual([
      { x0: 0, x1: 30, value: null },
      { x0: 30, x1: 280, value: '0011' },
      { x0: 280, x1: 300, value: '0100' },
    ]);
    expect(drawSegments(row, { t0: 0, t1: 50, width: 100 }, 1000)).toEqual([{ x0: 0, x1: 100, value: '0001' }]);
  });

  it('the value in effect at a time', () => {
    expect(valueInRow(row, 99)).toBe('0001');
    expect(valueInRow(row, 120)).toBeNull();
    expect(valueInRow(row, 400)).toBe('0100');
    expect(valueInRow({ id: 1, segments: [[10, '1']] }, 5)).toBeUndefined();
  });

  it('fits value text in the pixels it has', () => {
    expect(fitText('deadbeef', 100, 7)).toBe('deadbeef');
    expect(fitText('deadbeef', 35, 7)).toBe('dead…');
    expect(fitText('deadbeef', 10, 7)).toBe('');
  });
});

describe('radix', () => {
  it('hex, unsigned, signed and binary of known bits', () => {
    expect(formatValue('11110101', 'hex')).toBe('f5');
    expect(formatValue('000000101', 'hex')).toBe('005');
    expect(formatValue('11110101', 'dec')).toBe('245');
    expect(formatValue('11110101', 'signed')).toBe('-11');
    expect(formatValue('01110101', 'signed')).toBe('117');
    expect(formatValue('1', 'signed')).toBe('-1');
    expect(formatValue('0101', 'bin')).toBe('0101');
    expect(formatValue('1'.repeat(64), 'dec')).toBe('18446744073709551615');
  });

  it('x and z: kept in binary, per digit in hex, whole in decimal; reals as they are', () => {
    expect(formatValue('xxxx0001', 'hex')).toBe('x1');
    expect(formatValue('zzzz', 'hex')).toBe('z');
    expect(formatValue('10x1', 'hex')).toBe('X');
    expect(formatValue('1z01', 'hex')).toBe('Z');
    expect(formatValue('10x1', 'dec')).toBe('x');
    expect(formatValue('zzzz', 'signed')).toBe('z');
    expect(formatValue('10x1', 'bin')).toBe('10x1');
    expect(formatValue('1.5', 'hex', 'real')).toBe('1.5');
  });

  it('parses a searched value to the bits the worker compares', () => {
    expect(parseValue('f5', 'hex', 8)).toEqual({ bits: '11110101' });
    expect(parseValue('5', 'hex', 8)).toEqual({ bits: '00000101' });
    expect(parseValue('0x0f5', 'dec', 8)).toEqual({ bits: '11110101' });
    expect(parseValue('-3', 'signed', 4)).toEqual({ bits: '1101' });
    expect(parseValue('13', 'dec', 4)).toEqual({ bits: '1101' });
    expect(parseValue('0b1_01', 'hex', 4)).toEqual({ bits: '0101' });
    expect(parseValue('x', 'hex', 8)).toEqual({ bits: 'xxxxxxxx' });
    expect(parseValue('x1', 'hex', 8)).toEqual({ bits: 'xxxx0001' });
    expect(parseValue('16', 'dec', 4)).toEqual({ error: '16 does not fit in 4 unsigned bits' });
    expect(parseValue('-9', 'signed', 4)).toEqual({ error: '-9 does not fit in 4 signed bits' });
    expect(parseValue('1f', 'hex', 4)).toEqual({ error: '1f is wider than 4 bits' });
    expect(parseValue('g', 'hex', 4)).toEqual({ error: 'g is not a hex value' });
    expect(parseValue(' ', 'hex', 4)).toEqual({ error: 'type a value' });
  });

  it('a value formatted then parsed in the same radix is the same bits', () => {
    for (const bits of ['0000', '1111', '1010', '0111', '1000']) {
      for (const r of ['hex', 'dec', 'signed', 'bin'] as const) expect(parseValue(formatValue(bits, r), r, 4)).toEqual({ bits });
    }
  });
});

describe('signal tree', () => {
  const sig = (id: number, path: string): WaveSignal => ({
    id,
    name: path.split('.').pop()!,
    path,
    width: 1,
    kind: 'bits',
    type: 'wire',
    range: '',
    changes: 1,
  });
  const signals = [
    sig(0, 'TOP.clk'),
    sig(1, 'TOP.tb.dut.c1_out_tdata'),
    sig(2, 'TOP.tb.dut.c1_out_tvalid'),
    sig(3, 'TOP.tb.dut.m_axis_tdata'),
  ];
  const tree: WaveTreeNode[] = [
    {
      label: 'streams of n',
      kind: 'group',
      signals: [],
      children: [
        {
          label: 'c1  (c1 + r1, mvau)',
          kind: 'engine',
          key: 'c1',
          layers: ['c1', 'r1'],
          signals: [],
          children: [{ label: 'c1.out', kind: 'stream', key: 'c1_out', signals: [2, 1], children: [] }],
        },
      ],
    },
    {
      label: 'TOP',
      kind: 'scope',
      signals: [0],
      children: [{ label: 'dut', kind: 'scope', signals: [1, 2, 3], children: [] }],
    },
  ];

  it('filters by every word of the query, in names and paths; a matching node keeps its contents', () => {
    expect(filterTree(tree, signals, '')).toEqual(tree);
    const f = filterTree(tree, signals, 'dut TDATA');
    expect(f.map((n) => n.label)).toEqual(['streams of n', 'TOP']);
    expect(f[1]!.signals).toEqual([]);
    expect(f[1]!.children[0]!.signals).toEqual([1, 3]);
    expect(signalsUnder(f[0]!)).toEqual([1]);
    expect(filterTree(tree, signals, 'mvau')[0]!.children[0]!.children[0]!.signals).toEqual([2, 1]);
    expect(filterTree(tree, signals, 'nothing')).toEqual([]);
  });

  it('finds the engine of a layer (a fused one too) and the stream of a signal', () => {
    expect(engineOfLayer(tree, 'r1')?.key).toBe('c1');
    expect(engineOfLayer(tree, 'c1')?.key).toBe('c1');
    expect(engineOfLayer(tree, 'c9')).toBeUndefined();
    const streams = [{ signal: 'c1_out', tdata: 1, tvalid: 2, tready: 5, tlast: null } as unknown as WaveStream];
    expect(streamOfSignal(streams, 5)?.signal).toBe('c1_out');
    expect(streamOfSignal(streams, 0)).toBeUndefined();
  });
});
