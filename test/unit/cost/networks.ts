/** FINN's MLPs as networks for the cost tests. */
import type { Network } from '../../../server/src/model/types.js';
import { bipolar, NetBuilder } from './net-builder.js';

/** TFC-w1a1 (784-64-64-64-10) at FINN's own folding (finn/tests/end2end fold_tfc: (16,49), (8,8), (8,8), (10,8)). */
export function tfc(o: { clockMhz?: number; fps?: number; fc0Pe?: number } = {}): Network {
  return new NetBuilder({ device: 'xc7z020', clockMhz: o.clockMhz ?? 100, fps: o.fps, input: { shape: [784], type: bipolar } })
    .dense('fc0', 64, bipolar, { pe: o.fc0Pe ?? 16, simd: 49 })
    .threshold('t0', bipolar)
    .dense('fc1', 64, bipolar, { pe: 8, simd: 8 })
    .threshold('t1', bipolar)
    .dense('fc2', 64, bipolar, { pe: 8, simd: 8 })
    .threshold('t2', bipolar)
    .dense('fc3', 10, bipolar, { pe: 10, simd: 8 })
    .build();
}

/**
 * SFC-max (784-256-256-256-10, 1 bit) folded so every layer but the last takes 16 cycles, the II
 * behind FINN's published 12.3 M frames/s at 200 MHz on the ZC706 (200 MHz / 16 = 12.5 M).
 */
export function sfcMax(): Network {
  return new NetBuilder({ device: 'xc7z045', clockMhz: 200, input: { shape: [784], type: bipolar } })
    .dense('fc0', 256, bipolar, { pe: 256, simd: 49 })
    .threshold('t0', bipolar)
    .dense('fc1', 256, bipolar, { pe: 256, simd: 16 })
    .threshold('t1', bipolar)
    .dense('fc2', 256, bipolar, { pe: 256, simd: 16 })
    .threshold('t2', bipolar)
    .dense('fc3', 10, bipolar, { pe: 10, simd: 16 })
    .build();
}
