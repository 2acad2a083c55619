/**
 * The client's estimate module lays out the server's `qnn/estimateView` answer and
 * computes nothing itself: what it shows is what the server worded (the same words as
 * the code lens and `qnn estimate`).
 */
import { describe, expect, it } from 'vitest';
import { asEstimateView, estimateReport, overCapacity, statusText, tooltipMarkdown } from '../../../client/src/estimate.js';
import { estimateNetwork } from '../../../server/src/cost/estimate.js';
import { estimateView } from '../../../server/src/report/estimate-text.js';
import { i, NetBuilder, u } from '../cost/net-builder.js';
import { tfc } from '../cost/networks.js';

/** The view as it arrives over JSON-RPC. */
const wire = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe('client estimate view', () => {
  const view = estimateView(estimateNetwork(tfc({ fps: 1e6 })));

  it('accepts the server answer and rejects null, a bare estimate and other shapes', () => {
    expect(asEstimateView(wire(view))).toEqual(wire(view));
    expect(asEstimateView(null)).toBeUndefined();
    expect(asEstimateView(wire(view.estimate))).toBeUndefined();
    expect(asEstimateView({ ...view, table: 3 })).toBeUndefined();
  });

  it('status bar: frames/s and the largest use, as the server words them', () => {
    expect(statusText(view)).toBe(`$(pulse) ${view.fps_text} fps · ${view.utilisation.largest_text}`);
    expect(statusText(view)).toMatch(/^\$\(pulse\) 1\.56M fps · (LUT|FF|BRAM18|DSP) \d+(\.\d+)? %$/);
    expect(overCapacity(view)).toBe(false);
  });

  it('tooltip: one row per resource with the server percentages; the target and bottleneck', () => {
    const md = tooltipMarkdown(view);
    for (const r of view.utilisation.resources) expect(md).toContain(`| ${r.label} | ${r.used.toLocaleString('en-US')} |`);
    for (const r of view.utilisation.resources) expect(md).toContain(`| ${r.pct_text} |`);
    expect(md).toContain('✓ fps >= 1M');
    expect(md).toContain(`Bottleneck: \`${view.estimate.bottleneck!.layer}\``);
  });

  it('over the device: red', () => {
    const net = new NetBuilder({ device: 'ice40up5k', input: { shape: [64], type: u(8) } })
      .dense('fc', 16, i(8), { pe: 4, simd: 8 })
      .build();
    expect(overCapacity(estimateView(estimateNetwork(net)))).toBe(true);
  });

  it('the output channel shows the table of qnn estimate under a title', () => {
    expect(estimateReport(view, 'qnn estimate: tfc.qnn')).toBe(`qnn estimate: tfc.qnn\n\n${view.table}`);
  });
});
