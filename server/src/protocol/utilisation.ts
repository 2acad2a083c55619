/**
 * The estimate's use of its device, as every view words it (computed by
 * cost/utilisation.ts from the estimate's totals, capacity and `device_pct`). Types only.
 */
import type { DeviceFamily, ResourceCounts } from './estimate.js';

export type ResourceKey = keyof ResourceCounts;

/** One resource of the estimate against the device (cost/utilisation.ts). */
export interface ResourceUse {
  resource: ResourceKey;
  /** The family's name: LUT, FF, BRAM18, DSP on Xilinx; logic cells, flip-flops, EBRs, SB_MAC16 on iCE40. */
  label: string;
  used: number;
  /** null for an unknown device. */
  capacity: number | null;
  /** Percent of the device: the estimate's `device_pct`; null for an unknown device. */
  pct: number | null;
  /** The percentage as every view shows it ("12.3 %"); null for an unknown device. */
  pct_text: string | null;
  /** More than the device has. */
  over: boolean;
}

/** The estimate's use of its device, resource by resource, and the largest use. */
export interface Utilisation {
  family: DeviceFamily;
  device_known: boolean;
  /** In the order LUT, FF, BRAM18, DSP. */
  resources: ResourceUse[];
  /** The resource with the highest percentage (the first on a tie); null for an unknown device. */
  largest: ResourceUse | null;
  /** "BRAM18 12.3 %", or for an unknown device "12,345 LUT (unknown device)". */
  largest_text: string;
  /** Whether every resource fits; null for an unknown device. */
  fits: boolean | null;
}
