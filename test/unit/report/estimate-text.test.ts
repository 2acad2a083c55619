/**
 * Utilisation and the estimate table: one wording of the device use (labels per family,
 * percentages from the estimate's device_pct) and one table, shared by `qnn estimate`,
 * the code lens, QNN050 and the editor's `qnn/estimateView`.
 */
import { describe, expect, it } from 'vitest';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { percentText, utilisation } from '../../../server/src/cost/utilisation.js';
import type { Estimate } from '../../../server/src/protocol/estimate.js';
import { estimateTable, estimateView } from '../../../server/src/report/estimate-text.js';
import { i, NetBuilder, u } from '../cost/net-builder.js';
import { tfc } from '../cost/networks.js';

const count = (n: number): string => n.toLocaleString('en-US');

describe('percentText', () => {
  it('2 decimals below 10 %, 1 below 100 %, none above', () => {
    expect([0, 0.37, 9.99, 12.34, 99.9, 160, 1234.5].map(percentText)).toEqual([
      '0.00 %',
      '0.37 %',
      '9.99 %',
      '12.3 %',
      '99.9 %',
      '160 %',
      '1235 %',
    ]);
  });
});

describe('utilisation', () => {
  it('Xilinx: LUT, FF, BRAM18, DSP in that order, the percentages of the estimate, the largest of them', () => {
    const est = estimateNetwork(tfc());
    const use = utilisation(est);
    expect(use.resources.map((r) => r.label)).toEqual(['LUT', 'FF', 'BRAM18', 'DSP']);
    expect(use.resources.map((r) => r.pct)).toEqual([est.device_pct.lut, est.device_pct.ff, est.device_pct.bram18, est.device_pct.dsp]);
    expect(use.resources.map((r) => r.used)).toEqual([est.totals.lut, est.totals.ff, est.totals.bram18, est.totals.dsp]);
    const top = Math.max(...use.resources.map((r) => r.pct!));
    expect(use.largest!.pct).toBe(top);
    expect(use.largest_text).toBe(`${use.largest!.label} ${percentText(top)}`);
    expect(use.fits).toBe(true);
  });

  it('iCE40 names its own resources; over capacity does not fit', () => {
    const net = new NetBuilder({ device: 'ice40up5k', input: { shape: [64], type: u(8) } })
      .dense('fc', 16, i(8), { pe: 4, simd: 8 })
      .build();
    const use = utilisation(estimateNetwork(net));
    expect(use.resources.map((r) => r.label)).toEqual(['logic cells', 'flip-flops', 'EBRs', 'SB_MAC16']);
    const dsp = use.resources.find((r) => r.resource === 'dsp')!;
    expect(dsp).toMatchObject({ used: 32, capacity: 8, over: true, pct_text: '400 %' });
    expect(use.fits).toBe(false);
  });

  it('a tie goes to the first resource (LUT before FF before BRAM18 before DSP)', () => {
    const est = estimateNetwork(tfc());
    const tied: Estimate = { ...est, device_pct: { lut: 5, ff: 7, bram18: 7, dsp: 0 } };
    expect(utilisation(tied).largest!.resource).toBe('ff');
  });

  it('an unknown device: no percentages, no largest, the LUT count instead', () => {
    const net = tfc();
    net.target!.device = 'xc7z999';
    const est = estimateNetwork(net);
    const use = utilisation(est);
    expect(use.largest).toBeNull();
    expect(use.fits).toBeNull();
    expect(use.resources.every((r) => r.pct === null && r.capacity === null && !r.over)).toBe(true);
    expect(use.largest_text).toBe(`${count(est.totals.lut)} LUT (unknown device)`);
  });
});

describe('estimateTable', () => {
  const est = estimateNetwork(tfc({ fps: 1e6 }));
  const text = estimateTable(est);
  const section = (title: string): string[] => {
    const lines = text.split('\n');
    const start = lines.indexOf(title);
    expect(start).toBeGreaterThan(0);
    const end = lines.indexOf('', start);
    return lines.slice(start + 1, end < 0 ? undefined : end);
  };

  it('summary: network, device, clock, frames/s with the target, II, latency, bottleneck', () => {
    expect(text.split('\n')[0]).toBe(`${est.network} on xc7z020 @ 100 MHz`);
    expect(text).toContain(`II          ${count(est.ii_cycles)} cycles per frame`);
    expect(text).toContain('✓ fps >= 1M');
    expect(text).toContain(`bottleneck  ${est.bottleneck!.layer}`);
  });

  it('says when the FIFO depths are still pending (the editor schedules them when idle)', () => {
    expect(text).not.toContain('FIFO depths');
    expect(estimateTable({ ...est, fifo_depths: 'pending' })).toMatch(/\n {2}FIFO depths {2}pending: /);
  });

  it('resources: the utilisation, worded as everywhere', () => {
    const rows = section('Resources');
    const use = utilisation(est);
    expect(rows).toHaveLength(2 + use.resources.length);
    use.resources.forEach((r, k) => expect(rows[2 + k].split(/\s{2,}/)).toEqual([r.label, count(r.used), count(r.capacity!), r.pct_text]));
  });

  it('one row per layer with its fold, cycles and resources; the bottleneck starred', () => {
    const rows = section('Layers (* bottleneck)');
    expect(rows[0].split(/\s{2,}/).slice(-5)).toEqual(['LUT', 'FF', 'BRAM18', 'DSP', 'weights']);
    expect(rows).toHaveLength(2 + est.layers.length);
    est.layers.forEach((l, k) => {
      const row = rows[2 + k];
      expect(row.startsWith(`${l.name}${l.bottleneck ? ' *' : ''} `)).toBe(true);
      expect(row).toContain(` ${count(l.cycles)} `);
      expect(row).toMatch(new RegExp(` ${[l.lut, l.ff, l.bram18, l.dsp].map(count).join('\\s+')}(\\s|$)`));
    });
  });

  it('the streams: every FIFO and width converter, whose resources the totals count too', () => {
    const rows = section('Streams (width converters and FIFOs)');
    expect(rows).toHaveLength(2 + est.converters.length + est.fifos.length);
    for (const f of est.fifos) expect(rows.some((r) => r.startsWith(`${f.from} `) && r.includes(`FIFO (${f.impl})`))).toBe(true);
  });

  it('iCE40 columns carry the iCE40 names', () => {
    const net = new NetBuilder({ device: 'ice40up5k', input: { shape: [64], type: u(8) } })
      .dense('fc', 16, i(8), { pe: 1, simd: 8 })
      .build();
    const t = estimateTable(estimateNetwork(net));
    // The columns count LUT4s; the utilisation line below counts the logic cells they fill.
    expect(t).toMatch(/LUT4\s+flip-flops\s+EBRs\s+SB_MAC16\s+weights/);
    expect(t).toMatch(/logic cells\s+[\d,]+\s+5,280/);
  });

  it('the editor view carries the same table and utilisation', () => {
    const view = estimateView(est);
    expect(view.table).toBe(text);
    expect(view.utilisation).toEqual(utilisation(est));
    expect(view.fps_target_text).toBe('✓ fps >= 1M');
    expect(view.estimate).toBe(est);
  });
});
