/**
 * The target fabric as the resource model sees it (Xilinx LUT6 + RAMB18 + DSP48, or iCE40
 * LUT4 + 4-kbit EBR + SB_MAC16), and the resource-count record every estimate returns.
 */
import { findDevice, type Device } from '../device/devices.js';
import type { Network } from '../model/types.js';
import { COST_CONSTANTS as C } from './constants.js';

/** Resource families: every Xilinx part in the database (7-series, UltraScale+) counts as 'xilinx'. */
export type Family = 'xilinx' | 'ice40';

export interface Fabric {
  family: Family;
  /** Whether multipliers may go to DSP blocks (false on parts without DSPs, e.g. iCE40 HX8K). */
  dspAvailable: boolean;
  /** Xilinx architecture (`synth_xilinx -family`): 7-series DSP48E1 (default) or UltraScale+ DSP48E2. */
  xilinxArch?: 'xc7' | 'xcup';
}

/**
 * The fabric of a device; an unknown device (or none) is estimated as a Xilinx 7-series
 * part with DSPs, so a network still gets numbers while its target is misspelt.
 */
export function fabricOf(device: Device | undefined): Fabric {
  if (!device) return { family: 'xilinx', dspAvailable: true };
  if (device.family === 'ice40') return { family: 'ice40', dspAvailable: device.dsp > 0 };
  return { family: 'xilinx', dspAvailable: device.dsp > 0, xilinxArch: device.family === 'zynqmp' ? 'xcup' : 'xc7' };
}

/** The fabric of a network's target device (fabricOf: none or unknown reads as Xilinx 7-series). */
export function networkFabric(net: Pick<Network, 'target'>): Fabric {
  return fabricOf(net.target ? findDevice(net.target.device) : undefined);
}

/**
 * How qnn_act_lane writes its comparisons on a fabric: what the compiler passes to the
 * template (engines/activation.ts `activationParams`) and what the estimate prices
 * (resources.ts), decided here once so the two cannot disagree.
 * - `carryThresholds` (CMP_CARRY): each x ≥ T as the sign of x − T. synth_ice40 builds a
 *   compare on the carry chain in an orientation of its own choosing, and T − x costs up to
 *   three times the LUT4s; Xilinx keeps `x >= T`, which cmp2lcu builds in chunks of 3 bits.
 * - `clampTests` (CLAMP_TEST): a requant's clamp bounds at powers of two as tests of the
 *   value's top bits. synth_ice40 builds `wide < 0` as a subtraction on the carry chain;
 *   on Xilinx the tests gained nothing with one S and were mixed after a per-channel
 *   shifter (−14 to +27 % on xc7), so it keeps `<` and `>`.
 * The estimate prices both forms with iCE40's LUT4 model only.
 */
export function compareForms(fab: Fabric): { carryThresholds: boolean; clampTests: boolean } {
  const ice40 = fab.family === 'ice40';
  return { carryThresholds: ice40, clampTests: ice40 };
}

/**
 * The fabric an engine's multipliers see: the device's, or one without DSP blocks when they
 * go to LUTs (`mul=lut`, or moved there by `mul=auto`: engines/mul-alloc.ts), so every
 * multiplier term of the estimate takes its LUT form, as the template's MUL_LUT builds it.
 */
export function multiplierFabric(fab: Fabric, multipliers: 'dsp' | 'lut' | undefined): Fabric {
  return multipliers === 'lut' ? { ...fab, dspAvailable: false } : fab;
}

/**
 * LUT, FF, block RAM and DSP counts. On iCE40: `lut` = LUT4 logic cells, `bram18` = 4-kbit
 * EBRs (the field keeps its Xilinx name so every view reads one shape), `dsp` = SB_MAC16.
 */
export interface Resources {
  lut: number;
  ff: number;
  bram18: number;
  dsp: number;
}

export const RESOURCE_KEYS = ['lut', 'ff', 'bram18', 'dsp'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

export function zeroResources(): Resources {
  return { lut: 0, ff: 0, bram18: 0, dsp: 0 };
}

export function addResources(...rs: Resources[]): Resources {
  const out = zeroResources();
  for (const r of rs) for (const k of RESOURCE_KEYS) out[k] += r[k];
  return out;
}

export function scaleResources(r: Resources, n: number): Resources {
  return { lut: r.lut * n, ff: r.ff * n, bram18: r.bram18 * n, dsp: r.dsp * n };
}

/** Whole counts: LUT and FF estimates carry fractional factors until the end; blocks are whole already. */
export function roundResources(r: Resources): Resources {
  return { lut: Math.round(r.lut), ff: Math.round(r.ff), bram18: Math.ceil(r.bram18), dsp: Math.ceil(r.dsp) };
}

/** LUT6 4:1 muxes (two select levels each) per output bit to select one of n. */
export function muxLuts(n: number): number {
  return n <= 1 ? 0 : Math.ceil((n - 1) / 3);
}

/**
 * LUTs per output bit to select one of n on the fabric: LUT6 4:1 muxes on Xilinx, LUT4 2:1
 * muxes on iCE40 (a 4:1 mux needs six inputs). Measured on synth_ice40: an 8:1 select of 6
 * bits is 42 LUT4s.
 */
export function selectLuts(fab: Fabric, n: number): number {
  if (n <= 1) return 0;
  return fab.family === 'ice40' ? n - 1 : muxLuts(n);
}

/** ⌈log2 n⌉ for n ≥ 1 (bits of a counter that counts to n; 0 for n ≤ 1). */
export function clog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/**
 * What fills the device's `lut` capacity: LUT6 on Xilinx, logic cells on iCE40 (a LUT4 and
 * a flip-flop each, packed as nextpnr does: COST_CONSTANTS.ice40LogicCells).
 */
export function logicUse(r: { lut: number; ff: number }, family: Family): number {
  if (family === 'xilinx') return r.lut;
  const k = C.ice40LogicCells;
  return Math.round(k.lut * r.lut + k.ff * r.ff);
}

/** What `r` takes of the device's capacity `k`: `logicUse` for `lut`, the count itself otherwise. */
export function capacityUse(r: Resources, k: ResourceKey, family: Family): number {
  return k === 'lut' ? logicUse(r, family) : r[k];
}
