/**
 * Device utilisation of an estimate, and the largest use: the one place that names the
 * resources and words their percentages. QNN050, the code lens, the hover, the estimate
 * table and (through `qnn/estimateView`) the client's status bar all read it. The
 * percentages themselves are the estimate's `device_pct` (cost/estimate.ts), not
 * recomputed.
 */
import type { DeviceFamily, Estimate } from '../protocol/estimate.js';
import type { ResourceKey, ResourceUse, Utilisation } from '../protocol/utilisation.js';
import { capacityUse, RESOURCE_KEYS } from './fabric.js';

/** The name of each resource field on each family (the fields keep Xilinx names; fabric.ts). */
export const RESOURCE_LABELS: Readonly<Record<DeviceFamily, Readonly<Record<ResourceKey, string>>>> = {
  xilinx: { lut: 'LUT', ff: 'FF', bram18: 'BRAM18', dsp: 'DSP' },
  ice40: { lut: 'LUT4', ff: 'flip-flops', bram18: 'EBRs', dsp: 'SB_MAC16' },
};

/**
 * What fills each capacity: the same, except iCE40's `lut` capacity, which is logic cells
 * (LUT4s and flip-flops packed; the estimate's `logic_cells`).
 */
const CAPACITY_LABELS: Readonly<Record<DeviceFamily, Readonly<Record<ResourceKey, string>>>> = {
  xilinx: RESOURCE_LABELS.xilinx,
  ice40: { ...RESOURCE_LABELS.ice40, lut: 'logic cells' },
};

/** What each of a device's capacities counts on `family` (iCE40's `lut`: logic cells). */
export function capacityLabels(family: DeviceFamily): Readonly<Record<ResourceKey, string>> {
  return CAPACITY_LABELS[family];
}

export function resourceLabel(family: DeviceFamily, key: ResourceKey): string {
  return RESOURCE_LABELS[family][key];
}

/** A percentage as every view shows it: 2 decimals below 10, 1 below 100, none above ("0.37 %", "12.3 %", "160 %"). */
export function percentText(pct: number): string {
  const digits = pct < 10 ? 2 : pct < 100 ? 1 : 0;
  return `${pct.toFixed(digits)} %`;
}

/** 12345 → "12,345" (no locale dependence). */
const count = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function utilisation(est: Estimate): Utilisation {
  const family = est.target.family;
  const known = est.target.device_known;
  const resources: ResourceUse[] = RESOURCE_KEYS.map((k) => {
    const capacity = known ? est.device_capacity[k] : null;
    const pct = known ? est.device_pct[k] : null;
    // iCE40's `lut` capacity is logic cells: its LUT4s and flip-flops as nextpnr packs them.
    const used = capacityUse(est.totals, k, family);
    return {
      resource: k,
      label: CAPACITY_LABELS[family][k],
      used,
      capacity,
      pct,
      pct_text: pct === null ? null : percentText(pct),
      over: capacity !== null && used > capacity,
    };
  });
  let largest: ResourceUse | null = null;
  for (const r of resources) if (r.pct !== null && (largest === null || r.pct > (largest.pct ?? -1))) largest = r;
  const largest_text = largest
    ? `${largest.label} ${largest.pct_text}`
    : `${count(capacityUse(est.totals, 'lut', family))} ${CAPACITY_LABELS[family].lut} (unknown device)`;
  return {
    family,
    device_known: known,
    resources,
    largest,
    largest_text,
    fits: known ? resources.every((r) => !r.over) : null,
  };
}
