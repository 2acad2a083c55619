/**
 * The webviews' models (media/src/roofline-model.ts, timing-model.ts): what the roofline
 * and timing views draw, from the estimate the server computes and the results `qnn sim`
 * and `qnn build` write. Every figure must be the estimate's own, placed, not recomputed.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingRoof, rooflineModel, si } from '../../../media/src/roofline-model.js';
import { timingModel } from '../../../media/src/timing-model.js';
import { finalEstimate } from '../../../server/src/analysis/analyze.js';
import type { Estimate } from '../../../server/src/protocol/estimate.js';
import type { BuildReport, SimResult } from '../../../server/src/protocol/results.js';
import { check } from '../model/helpers.js';

async function exampleEstimate(name: string): Promise<Estimate> {
  const file = path.resolve('examples', name, `${name}.qnn`);
  const { analysis } = await check(readFileSync(file, 'utf8'), file);
  return finalEstimate(analysis)!;
}

describe('roofline view model', () => {
  it('the roofs are the estimate’s ceilings, and every MVAU layer is a point twice (pipelined and layer by layer)', async () => {
    const e = await exampleEstimate('tfc_w1a1');
    const m = rooflineModel(e);
    const c = e.roofline.ceilings;
    const roof = (id: string) => m.roofs.find((r) => r.id === id);
    expect(roof('ddr')?.value).toBe(c.bandwidth_bytes_s);
    expect(roof('stream')?.value).toBe(c.stream_bytes_s);
    expect(roof('device')?.value).toBe(c.device_peak_ops_s);
    expect(roof('design')?.value).toBe(c.design_peak_ops_s);
    // A LUT roof of its own only where it differs from the device peak (which has DSP lanes too).
    expect(roof('lut')?.value).toBe(c.lut_peak_ops_s === c.device_peak_ops_s ? undefined : c.lut_peak_ops_s!);
    const design = m.points.find((p) => p.kind === 'design')!;
    expect([design.intensity, design.opsPerSecond]).toEqual([e.roofline.design.intensity, e.roofline.design.ops_s]);
    expect(m.points.filter((p) => p.kind === 'pipelined').map((p) => p.layer)).toEqual(e.roofline.layers.map((l) => l.name));
    expect(m.points.filter((p) => p.kind === 'layer-by-layer').map((p) => p.layer)).toEqual(e.roofline.layers.map((l) => l.name));
    for (const l of e.roofline.layers) {
      const pipe = m.points.find((p) => p.id === `${l.name}:pipelined`)!;
      const alone = m.points.find((p) => p.id === `${l.name}:layer`)!;
      expect([pipe.intensity, pipe.opsPerSecond]).toEqual([l.pipelined_intensity, l.achieved_ops_s]);
      expect(alone.intensity).toBe(l.intensity);
      // Pipelining keeps the weights on chip: the same ops over fewer bytes.
      expect(pipe.intensity).toBeGreaterThan(alone.intensity);
      expect(pipe.details.map(([k]) => k)).toEqual(['ops / frame', 'bytes / frame', 'intensity', 'achieved', 'attainable', 'bound by']);
    }
    // The axes hold every point and where each bandwidth roof meets the top ceiling.
    for (const p of m.points) {
      expect(p.intensity).toBeGreaterThanOrEqual(m.x[0]);
      expect(p.intensity).toBeLessThanOrEqual(m.x[1]);
      expect(p.opsPerSecond).toBeGreaterThanOrEqual(m.y[0]);
      expect(p.opsPerSecond).toBeLessThanOrEqual(m.y[1]);
    }
  });

  it('the binding roof is the lowest at the point’s intensity', () => {
    const roofs = [
      { id: 'ddr' as const, kind: 'bandwidth' as const, label: 'DRAM', value: 4e9 },
      { id: 'device' as const, kind: 'compute' as const, label: 'peak', value: 1e11 },
    ];
    expect(bindingRoof(roofs, 1)?.id).toBe('ddr'); // 4 G < 100 G
    expect(bindingRoof(roofs, 1000)?.id).toBe('device'); // 4 T > 100 G
  });

  it('an iCE40 design has no DRAM roof, only the stream ports, and says why', async () => {
    const e = await exampleEstimate('peak_detector_icebreaker');
    const m = rooflineModel(e);
    expect(m.roofs.map((r) => r.id)).not.toContain('ddr');
    expect(m.roofs.map((r) => r.id)).toContain('stream');
    expect(m.notes.join(' ')).toMatch(/UART/);
  });

  it('numbers are worded with SI prefixes', () => {
    expect(si(1.6e9, 'op/s')).toBe('1.60 Gop/s');
    expect(si(450e6, 'B/s')).toBe('450 MB/s');
    expect(si(0)).toBe('0');
  });
});

describe('timing view model', () => {
  it('one bar per engine with its cycles as a share of the II, the bottleneck marked, FIFOs and latency', async () => {
    const e = await exampleEstimate('peak_detector');
    const m = timingModel(e);
    const engines = e.layers.filter((l) => l.fused_into === null);
    expect(m.bars.map((b) => b.engine)).toEqual(engines.map((l) => l.engine));
    for (const b of m.bars) {
      const l = engines.find((x) => x.engine === b.engine)!;
      expect(b.cycles).toBe(l.cycles);
      expect(b.share).toBeCloseTo(l.cycles / e.ii_cycles, 10);
      expect(b.bottleneck).toBe(l.bottleneck);
    }
    expect(m.bars.filter((b) => b.bottleneck).map((b) => b.share)).toEqual([1]);
    expect(m.fifos.map((f) => [f.name, f.depth])).toEqual(e.fifos.map((f) => [f.name, f.depth]));
    expect(m.summary.find(([k]) => k === 'latency')?.[1]).toContain(e.latency_cycles.toLocaleString('en-US'));
    expect(m.measured).toBeNull();
    expect(m.build).toBeNull();
  });

  it('adds the measured II and latency of a simulation and the Fmax, slack and resources of a build', async () => {
    const e = await exampleEstimate('peak_detector');
    const sim = {
      network: e.network,
      simulator: 'verilator',
      frames: 4,
      mismatches: 0,
      ii: { expected: e.ii_cycles, measured: 20479.5 },
      latency: { expected: e.latency_cycles, measured: 20534 },
      stalls_enabled: true,
    } as SimResult;
    const build = {
      network: e.network,
      ok: true,
      flow: 'open',
      device: 'ice40up5k',
      board: 'icebreaker',
      fmax_mhz: 15.154,
      clock_mhz: 12,
      clock_met: true,
      resources: {
        used: { lut: 3852, ff: 1181, bram18: 7, dsp: 3 },
        estimated: { lut: 2441, ff: 943, bram18: 5, dsp: 3 },
        available: { lut: 5280, ff: 5280, bram18: 30, dsp: 8 },
        labels: { lut: 'logic cells', ff: 'flip-flops', bram18: 'EBRs', dsp: 'SB_MAC16' },
      },
      timing: {
        wns_ns: 17.34,
        tns_ns: null,
        critical_path: [
          { type: 'clk-to-q', delay_ns: 1.39, from: 'a.CLK', to: 'a.O', net: null },
          { type: 'setup', delay_ns: 0.47, from: 'b.O', to: 'c.D', net: null },
        ],
      },
      phases: [{ name: 'synthesis', seconds: 13.7 }],
    } as unknown as BuildReport;
    const m = timingModel(e, sim, build);
    expect(Object.fromEntries(m.measured!)).toMatchObject({
      'II measured': `20,479.5 (estimate ${e.ii_cycles.toLocaleString('en-US')}), with random backpressure`,
    });
    const b = Object.fromEntries(m.build!);
    expect(b.Fmax).toBe('15.15 MHz for 12 MHz (met)');
    expect(b['critical path']).toBe('a.CLK → c.D');
    // iCE40: the report's labels (nextpnr counts logic cells, LUT4s and flip-flops packed).
    expect(b['logic cells used / estimated']).toBe('3,852 / 2,441');
    expect(b['SB_MAC16 used / estimated']).toBe('3 / 3');
    // Results of another network are not shown as this one's.
    expect(timingModel(e, { ...sim, network: 'other' }, { ...build, network: 'other' }).measured).toBeNull();
  });
});
