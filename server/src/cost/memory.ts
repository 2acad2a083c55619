/**
 * Where an on-chip memory goes and what it costs (hardware.md §4).
 *
 * Rule (Yosys `memory_libmap`, which places the templates' inferred memories): the
 * cheapest of logic, LUTRAM and block RAM by the costs in constants.ts `memory`. A ROM
 * costs 1/64 per bit in logic on Xilinx (LUT6 ROMs joined by MUXF7/MUXF8), so it stays
 * in LUTs until it would fill more than about half of the RAMB18s it needs; a written
 * memory costs 1 per bit in registers, so on Xilinx it takes LUTRAM (RAM32M / RAM64M, or
 * RAM64X1S / RAM128X1S for one read where it is written) until it would cost more than
 * the RAMB18s. iCE40 has no LUTRAM: a ROM stays in
 * LUT4 logic up to 1 kbit per EBR, a written memory in registers up to 64 bits per EBR.
 * (FINN's rule, the first anchor, was depth: ≤ 128 in LUTRAM, deeper in BRAM.) A ROM
 * of depth 1 is hard-wired constants and costs no memory at all.
 *
 * Two flavours: `romCost` for contents fixed at build time (weights, thresholds, requant
 * constants) and `ramCost` for buffers written at run time (line buffers, input buffers,
 * FIFOs), which need a write port (dual-port LUTRAM on Xilinx, registers on iCE40).
 */
import { COST_CONSTANTS as C } from './constants.js';
import { clog2, muxLuts, selectLuts, type Fabric, type Resources } from './fabric.js';
import { interpolate } from './interpolate.js';

/** 'logic': hard-wired constants, LUT4 ROM logic or registers; 'none': no memory. */
export type MemKind = 'lutram' | 'bram' | 'logic' | 'none';

export interface MemCost extends Resources {
  kind: MemKind;
  depth: number;
  width: number;
  bits: number;
}

/** The RAMB18 simple dual-port configurations, depth × width. */
const RAMB18_CONFIGS: readonly [number, number][] = [
  [16384, 1],
  [8192, 2],
  [4096, 4],
  [2048, 9],
  [1024, 18],
  [512, 36],
];

/** The iCE40 4-kbit EBR configurations, depth × width. */
const EBR_CONFIGS: readonly [number, number][] = [
  [256, 16],
  [512, 8],
  [1024, 4],
  [2048, 2],
];

/** A family's block RAM configurations. */
function configsOf(fab: Fabric): readonly [number, number][] {
  return fab.family === 'ice40' ? EBR_CONFIGS : RAMB18_CONFIGS;
}

/**
 * Block RAMs for a written memory: a block per depth segment and width slice, in the
 * configuration that needs the fewest (for RAMB18s the same as FINN's aspect-ratio table,
 * hardware.md §4). Each segment needs its own write enable, so unlike a ROM's
 * (`blockRomLayout`) its segments do not share a block.
 */
function ramBlocks(depth: number, width: number, configs: readonly [number, number][]): number {
  if (depth <= 0 || width <= 0) return 0;
  return Math.min(...configs.map(([d, w]) => Math.ceil(depth / d) * Math.ceil(width / w)));
}

/** RAMB18s for a written memory (`ramBlocks`). */
export function ramb18Blocks(depth: number, width: number): number {
  return ramBlocks(depth, width, RAMB18_CONFIGS);
}

/** iCE40 4-kbit EBRs for a written memory (`ramBlocks`). */
export function ebrBlocks(depth: number, width: number): number {
  return ramBlocks(depth, width, EBR_CONFIGS);
}

/**
 * A ROM in block RAMs as Yosys' memory_libmap places it: the depth cut into segments of a
 * configuration's depth, and the segments laid side by side across the blocks' width (a
 * read-only memory needs no per-segment write enable), so a block holds bits of several
 * segments; an output mux picks the segment. memory_libmap takes the cheapest configuration:
 * its blocks plus `muxCost` per bit and extra segment. Measured on CNV's weight ROMs
 * (1,152 × 256 bits: 11 RAMB36 in 512 × 72, that is 22 RAMB18, where a block per segment
 * gives 24 to 30) and on iCE40 (1,152 × 3 bits: one EBR in 256 × 16, five segments).
 */
function blockRomLayout(
  depth: number,
  width: number,
  configs: readonly [number, number][],
  blockCost: number,
): { blocks: number; cost: number; segments: number } {
  let best = { blocks: 0, cost: Infinity, segments: 1 };
  for (const [d, w] of configs) {
    const segments = Math.ceil(depth / d);
    const blocks = Math.ceil((segments * width) / w);
    const cost = blocks * blockCost + C.memory.muxCost * (segments - 1) * width;
    if (cost < best.cost) best = { blocks, cost, segments };
  }
  return best;
}

/** RAMB18s for a ROM (`blockRomLayout`): the fewest, unless a split's read mux costs more than the block it saves. */
export function ramb18RomBlocks(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  return blockRomLayout(depth, width, RAMB18_CONFIGS, C.memory.blockRamCost.xilinx).blocks;
}

/** Whether only the 16-bit-wide EBR configuration gives the fewest blocks (more than 8 bits per block). */
function ebrNeeds16(depth: number, width: number): boolean {
  const n = ebrBlocks(depth, width);
  return EBR_CONFIGS.every(([d, w]) => w === 16 || Math.ceil(depth / d) * Math.ceil(width / w) > n);
}

export function blockRams(depth: number, width: number, fab: Fabric): number {
  return ramBlocks(depth, width, configsOf(fab));
}

/** Block RAMs for a ROM and memory_libmap's cost for them (`blockRomLayout`), on either family. */
function romBlocks(depth: number, width: number, fab: Fabric): { blocks: number; cost: number; segments: number } {
  return blockRomLayout(depth, width, configsOf(fab), C.memory.blockRamCost[fab.family]);
}

function mem(kind: MemKind, depth: number, width: number, r: Partial<Resources>): MemCost {
  return { kind, depth, width, bits: depth * width, lut: r.lut ?? 0, ff: r.ff ?? 0, bram18: r.bram18 ?? 0, dsp: 0 };
}

/** Cost of `n` block RAMs for Yosys. */
function blockRamCost(blocks: number, fab: Fabric): number {
  return blocks * C.memory.blockRamCost[fab.family];
}

/**
 * Distinct non-constant bit columns of a ROM image (`words`, one entry each, `width` bits):
 * what a ROM in logic keeps, since Yosys drops constant columns and merges equal ones (with
 * their output registers).
 */
export function romImageColumns(words: readonly bigint[], width: number): number {
  const columns = new Set<string>();
  for (let b = 0; b < width; b++) {
    let col = '';
    for (const w of words) col += (w >> BigInt(b)) & 1n ? '1' : '0';
    if (col.includes('0') && col.includes('1')) columns.add(col);
  }
  return columns.size;
}

/**
 * A memory whose contents are fixed at build time (read-only). `columns`, where the
 * contents are known: the image's distinct non-constant bit columns (`romImageColumns`).
 */
export function romCost(depth: number, width: number, fab: Fabric, columns?: number): MemCost {
  if (depth <= 0 || width <= 0) return mem('none', 0, 0, {});
  if (depth <= 1) return mem('logic', depth, width, {});
  const block = romBlocks(depth, width, fab);
  if (depth * width * C.memory.romLogicCostPerBit[fab.family] > block.cost) {
    // The depth segments laid side by side need an output mux that picks one per bit
    // (`selectLuts`) and a register for the segment select beside the blocks' output
    // registers. On Xilinx the same blocks may be RAMB36 pairs, twice as deep, and so fewer
    // segments (CNV's c5 weights, 73,728 × 16 bits: 64 RAMB18 in 18 segments of 4K × 9, not
    // 36 of 2K × 9). Left out, CNV's MVAUs with such ROMs were 10 to 34 % under Yosys (c3
    // 1,152 × 256 bits, 3 segments: 2,089 estimated, 2,685 Yosys; now 2,424) and the whole
    // design 10 %, now 5 %.
    let segments = block.segments;
    if (fab.family !== 'ice40')
      for (const [d, w] of RAMB18_CONFIGS) {
        const s36 = Math.ceil(depth / (2 * d));
        if (2 * Math.ceil((s36 * width) / w) <= block.blocks) segments = Math.min(segments, s36);
      }
    const lut = width * selectLuts(fab, segments);
    return mem('bram', depth, width, { bram18: block.blocks, lut, ff: clog2(segments) });
  }
  // A ROM in logic has at most 2^depth − 2 distinct non-constant bit columns; Yosys merges
  // equal columns (and their output registers) and drops constant ones, which matters for
  // the shallow activation ROMs (depth NF) of wide PE words.
  const bound = depth < 30 ? Math.min(width, 2 ** depth - 2) : width;
  const kept = columns === undefined ? bound : Math.min(bound, columns);
  if (fab.family === 'ice40') {
    // LUT4 ROM: 16 entries per LUT4 and bit, plus the read mux that joins them.
    const lut = kept * Math.ceil(depth / C.memory.romDepthPerLut4) * (depth > C.memory.romDepthPerLut4 ? C.memory.lut4RomMuxFactor : 1);
    return mem('logic', depth, width, { lut, ff: kept });
  }
  // LUT6 ROMs of 64 entries, four joined by MUXF7/MUXF8 per 256 entries, then LUT muxes.
  const perLut = C.memory.romDepthPerLut6;
  const lut = kept * (Math.ceil(depth / perLut) + muxLuts(Math.ceil(depth / (4 * perLut))));
  return mem('lutram', depth, width, { lut, ff: kept });
}

/**
 * Xilinx LUTRAM for a written memory, as memory_libmap picks it from Yosys' library
 * (constants.ts `memory.lutram`): the cheapest option by its cost, with the LUT6s of its
 * primitives and of the read mux that joins the depth segments.
 */
function lutram(depth: number, width: number, ports: RamPorts, syncRead: boolean): { cost: number; lut: number } {
  // A synchronous read port reads at another address than the write port's (the next one):
  // the SDP shapes, plus the emulation of the synchronous read on LUTRAM's asynchronous one.
  const lib = C.memory.lutram[syncRead ? 'sdp' : ports];
  const emulation = syncRead ? C.memory.syncReadEmulationCost : 0;
  let best = { cost: Infinity, lut: 0 };
  for (const o of lib.options) {
    const segments = Math.ceil(depth / 2 ** o.abits);
    const units = Math.ceil((segments * width) / o.width);
    const cost =
      (lib.cost - lib.widthscale) * units +
      (lib.widthscale * segments * width) / o.width +
      C.memory.muxCost * (segments - 1) * width +
      (segments > 1 ? C.memory.demuxCost * segments : 0) +
      emulation;
    const lut = segments * Math.ceil(width / o.primitive.bits) * o.primitive.luts + width * muxLuts(segments);
    if (cost < best.cost) best = { cost, lut };
  }
  return best;
}

/**
 * How a written memory's ports are addressed: 'sdp', a write address and a read address
 * (line buffers, FIFOs); 'sp', one address for both (`mem[a] <= d` and a read of `mem[a]`:
 * the MVAU's input buffer, the max-pool's running maxima), which Xilinx maps to
 * single-port LUTRAM.
 */
export type RamPorts = 'sdp' | 'sp';

/** How a template's buffer is built around its memory (ramCost). */
export interface RamOptions {
  /** Default 'sdp'. */
  ports?: RamPorts;
  /**
   * iCE40: Yosys emulates this template's read port around its EBRs (qnn_fifo, qnn_window,
   * the MVAU's input buffer, the 2-D max-pool's partial rows: a read of an address being
   * written returns the old word), at constants.ts `ebrBufferExtraCost` per EBR: it delays
   * the write (a register per data and address bit) and keeps a bypass word and two flags.
   */
  ebrEmulatedRead?: boolean;
  /**
   * The template reads and writes `mem[counter]`, the read without a register after it (the
   * max-pools' running maxima): Yosys moves the counter's register into the read port
   * (memory_dff), which makes it synchronous and transparent to the write at the counter's
   * current value. On Xilinx memory_libmap prices LUTRAM for it as an SDP memory (whatever
   * `ports` says) plus `syncReadEmulationCost` (the bypass), so shallow ones stay in
   * registers; on both families the read port keeps a copy of the address register
   * instead of a data register.
   */
  syncRead?: boolean;
  /**
   * The words the read port can reach as synthesis sees them, where its address keeps some
   * low bits constant (the window's lanes, whose addresses step by multiples of 2^z): in
   * registers, the read mux is over these only. Default: the depth.
   */
  readWords?: number;
}

/** `memory.lut4RegisterFile`'s column for `depth` (1: read mux per bit, 2: write decoder), linear between and beyond its depths. */
function lut4Rf(depth: number, col: 1 | 2): number {
  const table = C.memory.lut4RegisterFile;
  return Math.round(
    interpolate(
      table.map((row) => row[0]),
      table.map((row) => row[col]),
      depth,
    ),
  );
}
const lut4ReadMux = (depth: number): number => lut4Rf(depth, 1);
const lut4WriteDecode = (depth: number): number => lut4Rf(depth, 2);

/**
 * `n` copies of the run-time buffer `ramCost(depth, width, fab, o)` that are always written
 * together (the window's lanes: the same word at the same address), each with its own read
 * port. Synthesis merges what the copies have in common:
 * - in registers (`logic`), the storage flip-flops and, on iCE40, the write decoder: what
 *   is left per copy is its read mux and read register (measured: a 1-D window of two
 *   lanes, 6 words of 18 bits in registers, 163 flip-flops where 252 were counted);
 * - in iCE40 EBRs with an emulated read port (`ebrEmulatedRead`), the delayed write and the
 *   bypass word: each copy keeps its two flags (measured: 9 lanes of 8 bits).
 * Other memories stay one per copy.
 */
export function ramCopiesWrittenTogether(depth: number, width: number, fab: Fabric, o: RamOptions, n: number): MemCost {
  const one = ramCost(depth, width, fab, o);
  const shared =
    one.kind === 'logic' && one.depth > 1
      ? { ff: one.depth * one.width, lut: fab.family === 'ice40' ? lut4WriteDecode(one.depth) : 0 }
      : one.kind === 'bram' && fab.family === 'ice40' && o.ebrEmulatedRead
        ? { ff: one.ff - 2, lut: 0 }
        : { ff: 0, lut: 0 };
  return {
    ...one,
    bits: one.bits * n,
    lut: one.lut * n - shared.lut * (n - 1),
    ff: one.ff * n - shared.ff * (n - 1),
    bram18: one.bram18 * n,
  };
}

/** A buffer written at run time (one write port, one read port). */
export function ramCost(depth: number, width: number, fab: Fabric, o: RamOptions = {}): MemCost {
  if (depth <= 0 || width <= 0) return mem('none', 0, 0, {});
  // One entry is a register.
  if (depth <= 1) return mem('logic', depth, width, { ff: width });
  const blocks = blockRams(depth, width, fab);
  const logicCost = depth * width * C.memory.ramLogicCostPerBit;
  // The read port's registers outside block RAM: the data register, or for a synchronous
  // read of `mem[counter]` (`syncRead`) a second address register beside the counter
  // (measured: 2 to 32 entries in registers on both families, 3 to 8 in LUTRAM).
  const readPort = o.syncRead ? clog2(depth) : width;
  if (fab.family === 'ice40') {
    // In the 256×16 configuration Yosys adds a register and a mux per data bit around the
    // EBRs (measured by the calibration sweep: FIFOs and input buffers wider than 8 bits).
    // An emulated read port has instead the delayed write's data and address, the bypass
    // word and two flags (measured register by register: qnn_fifo 65 × 8, 16 and 33 bits,
    // line buffers of 16 and 256 bits).
    const extra = ebrNeeds16(depth, width) ? width : 0;
    const emulation = o.ebrEmulatedRead ? blocks * C.memory.ebrBufferExtraCost : 0;
    if (logicCost > blockRamCost(blocks, fab) + emulation) {
      const ff = o.ebrEmulatedRead ? 2 * width + clog2(depth) + 2 : extra;
      return mem('bram', depth, width, { bram18: blocks, ff, lut: extra });
    }
    // Registers with a depth-to-1 read mux per bit and a write decoder, as measured (constants.ts `lut4RegisterFile`).
    return mem('logic', depth, width, {
      ff: depth * width + readPort,
      lut: width * lut4ReadMux(o.readWords ?? depth) + lut4WriteDecode(depth),
    });
  }
  const l = lutram(depth, width, o.ports ?? 'sdp', o.syncRead ?? false);
  if (blockRamCost(blocks, fab) < Math.min(l.cost, logicCost)) return mem('bram', depth, width, { bram18: blocks });
  if (logicCost < l.cost) return mem('logic', depth, width, { ff: depth * width + readPort, lut: width * muxLuts(o.readWords ?? depth) });
  return mem('lutram', depth, width, { lut: l.lut, ff: readPort });
}
