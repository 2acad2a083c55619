/**
 * Where an on-chip memory goes and what it costs (hardware.md §4).
 *
 * Rule (FINN's): a memory at most `lutramMaxDepth` (128) deep lives in LUTs — LUTRAM on
 * Xilinx, logic (ROM) or registers (RAM) on iCE40, which has no LUTRAM — and a deeper one
 * in block RAM: RAMB18 on Xilinx with the aspect-ratio table of the spec, 4-kbit EBRs on
 * iCE40. A ROM of depth 1 is hard-wired constants and costs no memory at all.
 *
 * Two flavours: `romCost` for contents fixed at build time (weights, thresholds, requant
 * constants) and `ramCost` for buffers written at run time (line buffers, input buffers,
 * FIFOs), which need a write port (dual-port LUTRAM on Xilinx, registers on iCE40).
 */
import { COST_CONSTANTS as C } from './constants.js';
import { clog2, type Fabric, type Resources } from './fabric.js';

/** 'logic': hard-wired constants, LUT4 ROM logic or registers; 'none': no memory. */
export type MemKind = 'lutram' | 'bram' | 'logic' | 'none';

export interface MemCost extends Resources {
  kind: MemKind;
  depth: number;
  width: number;
  bits: number;
}

/**
 * RAMB18 blocks for a depth × width memory, hardware.md §4 (FINN's table for simple
 * dual-port RAMB18s: 16K×1, 8K×2, 4K×4, 2K×9, 1K×18, 512×36).
 */
export function ramb18Blocks(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  const d = depth;
  const w = width;
  if (w <= 1) return Math.ceil(d / 16384);
  if (w <= 2) return Math.ceil(d / 8192);
  if (w <= 4) return Math.ceil(d / 4096) * Math.ceil(w / 4);
  if (w <= 9) return Math.ceil(d / 2048) * Math.ceil(w / 9);
  if (w <= 18 || d > 512) return Math.ceil(d / 1024) * Math.ceil(w / 18);
  return Math.ceil(d / 512) * Math.ceil(w / 36);
}

/** iCE40 4-kbit EBRs: the cheapest of the 256×16, 512×8, 1024×4 and 2048×2 configurations. */
export function ebrBlocks(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  const configs: [number, number][] = [
    [256, 16],
    [512, 8],
    [1024, 4],
    [2048, 2],
  ];
  return Math.min(...configs.map(([d, w]) => Math.ceil(depth / d) * Math.ceil(width / w)));
}

export function blockRams(depth: number, width: number, fab: Fabric): number {
  return fab.family === 'ice40' ? ebrBlocks(depth, width) : ramb18Blocks(depth, width);
}

function mem(kind: MemKind, depth: number, width: number, r: Partial<Resources>): MemCost {
  return { kind, depth, width, bits: depth * width, lut: r.lut ?? 0, ff: r.ff ?? 0, bram18: r.bram18 ?? 0, dsp: 0 };
}

/** A memory whose contents are fixed at build time (read-only). */
export function romCost(depth: number, width: number, fab: Fabric): MemCost {
  if (depth <= 0 || width <= 0) return mem('none', 0, 0, {});
  if (depth <= 1) return mem('logic', depth, width, {});
  if (depth > C.memory.lutramMaxDepth) return mem('bram', depth, width, { bram18: blockRams(depth, width, fab) });
  if (fab.family === 'ice40') {
    // LUT4 ROM: 16 entries per LUT4 and bit, plus the read mux that joins them.
    const lut = width * Math.ceil(depth / C.memory.romDepthPerLut4) * (depth > C.memory.romDepthPerLut4 ? C.memory.lut4RomMuxFactor : 1);
    return mem('logic', depth, width, { lut, ff: width });
  }
  return mem('lutram', depth, width, { lut: width * Math.ceil(depth / C.memory.romDepthPerLut6), ff: width });
}

/** A buffer written at run time (one write port, one read port). */
export function ramCost(depth: number, width: number, fab: Fabric): MemCost {
  if (depth <= 0 || width <= 0) return mem('none', 0, 0, {});
  // One or two entries are plain registers (a read mux for two).
  if (depth <= 2) return mem('logic', depth, width, { ff: depth * width, lut: depth > 1 ? width : 0 });
  if (depth > C.memory.lutramMaxDepth) return mem('bram', depth, width, { bram18: blockRams(depth, width, fab) });
  if (fab.family === 'ice40') {
    if (depth * width > C.memory.ice40RegisterMemMaxBits) return mem('bram', depth, width, { bram18: ebrBlocks(depth, width) });
    // Registers with a depth-to-1 read mux per bit (a LUT4 is a 2:1 mux with a spare input) and a write decoder.
    return mem('logic', depth, width, { ff: depth * width + width, lut: width * (depth - 1) + depth + clog2(depth) });
  }
  const cfg = depth <= C.memory.ram32.depth ? C.memory.ram32 : C.memory.ram64;
  const lut = Math.ceil(width / cfg.width) * cfg.luts * Math.ceil(depth / cfg.depth);
  return mem('lutram', depth, width, { lut, ff: width });
}
