/**
 * Yosys `stat`: the text it logs (also what `tee -o FILE stat` writes; in a whole log the
 * last statistics are taken) and `stat -json`. Cells by type for the design, and the
 * LUT/FF/BRAM18/DSP counts of the two families qnn synthesises for:
 *
 * - Xilinx (`synth_xilinx`): LUT1..LUT6 and INV (a LUT1, UG953) plus the LUTs that
 *   distributed RAM, ROM and shift registers occupy (Vivado counts those as LUTs too);
 *   FD* flip-flops and LD* latches (both are "Slice Registers"); RAMB18 = 1, RAMB36 = 2
 *   BRAM18 (FIFO18/36 the same); DSP48E1/E2; URAM288.
 * - iCE40 (`synth_ice40`): SB_LUT4; SB_DFF*; SB_RAM40_4K (4-kbit EBRs, which the device
 *   database counts as its iCE40 bram18); SB_MAC16; SB_SPRAM256KA.
 *
 * Two layouts of the text exist: `Number of cells: 64` then `  SB_LUT4  22` (Yosys up to
 * about 0.5x), and `64 cells` then `22   SB_LUT4` (later releases).
 */
import { splitLines } from './text-table.js';
import { ReportError, type YosysStat } from './types.js';

/** Xilinx primitives that occupy LUT sites, and how many each (UG953 / UG974). */
const XILINX_LUTS: Readonly<Record<string, number>> = {
  LUT1: 1,
  LUT2: 1,
  LUT3: 1,
  LUT4: 1,
  LUT5: 1,
  LUT6: 1,
  LUT6_2: 1,
  INV: 1,
  CFGLUT5: 1,
  SRL16E: 1,
  SRLC16E: 1,
  SRLC32E: 1,
  ROM16X1: 1,
  ROM32X1: 1,
  ROM64X1: 1,
  ROM128X1: 2,
  ROM256X1: 4,
  RAM16X1S: 1,
  RAM32X1S: 1,
  RAM64X1S: 1,
  RAM128X1S: 2,
  RAM256X1S: 4,
  RAM512X1S: 8,
  RAM16X1D: 2,
  RAM32X1D: 2,
  RAM64X1D: 2,
  RAM128X1D: 4,
  RAM256X1D: 8,
  RAM32M: 4,
  RAM64M: 4,
  RAM32M16: 8,
  RAM64M8: 8,
};
const XILINX_FF = /^(FD(RE|SE|CE|PE|RSE|CPE)(_1)?|LD(CE|PE|CPE)(_1)?)$/;
const XILINX_BRAM18: Readonly<Record<string, number>> = {
  RAMB18E1: 1,
  RAMB18E2: 1,
  FIFO18E1: 1,
  FIFO18E2: 1,
  RAMB36E1: 2,
  RAMB36E2: 2,
  FIFO36E1: 2,
  FIFO36E2: 2,
};
const XILINX_DSP = /^DSP48E[12]$/;
const XILINX_URAM = /^URAM288(_BASE)?$/;
const XILINX_OTHER = /^(CARRY[48]|MUXF[789]|BUFG\w*|IBUF\w*|OBUF\w*|IOBUF\w*|GND|VCC)$/;

const ICE40_FF = /^SB_DFF\w*$/;
const ICE40_EBR = /^SB_RAM40_4K\w*$/;

const isXilinxCell = (t: string): boolean =>
  t in XILINX_LUTS || XILINX_FF.test(t) || t in XILINX_BRAM18 || XILINX_DSP.test(t) || XILINX_URAM.test(t) || XILINX_OTHER.test(t);
const isIce40Cell = (t: string): boolean => t.startsWith('SB_');

type Counts = Pick<YosysStat, 'family' | 'lut' | 'ff' | 'bram18' | 'dsp' | 'uram' | 'uncounted'> & { ebr?: number; spram?: number };

/** The family's resource counts for a design's cells by type. */
export function countResources(cells: Readonly<Record<string, number>>): Counts {
  const types = Object.keys(cells);
  const sum = (pred: (t: string) => number): number => types.reduce((acc, t) => acc + pred(t) * cells[t], 0);
  const xilinx = types.filter(isXilinxCell).length;
  const ice40 = types.filter(isIce40Cell).length;
  if (xilinx === 0 && ice40 === 0)
    return { family: null, lut: null, ff: null, bram18: null, dsp: null, uram: null, uncounted: types.filter((t) => cells[t] > 0).sort() };
  if (xilinx >= ice40) {
    const counted = (t: string): boolean =>
      t in XILINX_LUTS || XILINX_FF.test(t) || t in XILINX_BRAM18 || XILINX_DSP.test(t) || XILINX_URAM.test(t);
    return {
      family: 'xilinx',
      lut: sum((t) => XILINX_LUTS[t] ?? 0),
      ff: sum((t) => (XILINX_FF.test(t) ? 1 : 0)),
      bram18: sum((t) => XILINX_BRAM18[t] ?? 0),
      dsp: sum((t) => (XILINX_DSP.test(t) ? 1 : 0)),
      uram: sum((t) => (XILINX_URAM.test(t) ? 1 : 0)),
      uncounted: types.filter((t) => !counted(t) && cells[t] > 0).sort(),
    };
  }
  const counted = (t: string): boolean =>
    t === 'SB_LUT4' || ICE40_FF.test(t) || ICE40_EBR.test(t) || t === 'SB_MAC16' || t === 'SB_SPRAM256KA';
  const ebr = sum((t) => (ICE40_EBR.test(t) ? 1 : 0));
  return {
    family: 'ice40',
    lut: sum((t) => (t === 'SB_LUT4' ? 1 : 0)),
    ff: sum((t) => (ICE40_FF.test(t) ? 1 : 0)),
    bram18: ebr,
    dsp: sum((t) => (t === 'SB_MAC16' ? 1 : 0)),
    uram: null,
    ebr,
    spram: sum((t) => (t === 'SB_SPRAM256KA' ? 1 : 0)),
    uncounted: types.filter((t) => !counted(t) && cells[t] > 0).sort(),
  };
}

interface Section {
  name: string;
  cells: Record<string, number>;
  numCells: number | null;
  /** For the design hierarchy: the top module (its first line). */
  top?: string;
}

const SUMMARY_WORDS = /^(wires|wire bits|public wires|public wire bits|ports|port bits|memories|memory bits|processes|cells|submodules)$/;

function parseSection(name: string, body: readonly string[]): Section {
  const cells: Record<string, number> = {};
  let numCells: number | null = null;
  let top: string | undefined;
  let inCells = false;
  for (const line of body) {
    if (top === undefined && name === 'design hierarchy') {
      const h = /^\s+(\S+)\s+1$/.exec(line);
      if (h) top = h[1];
    }
    const oldCells = /^\s+Number of cells:\s+(\d+)\s*$/.exec(line);
    const newCells = /^\s+(\d+)(?:\s+[\d.eE+-]+)?\s+cells\s*$/.exec(line);
    if (oldCells || newCells) {
      numCells = Number((oldCells ?? newCells)![1]);
      inCells = true;
      continue;
    }
    if (!inCells) continue;
    const oldType = /^\s+(\S+)\s+(\d+)\s*$/.exec(line);
    const newType = /^\s+(\d+)(?:\s+[\d.eE+-]+)?\s+(\S+)\s*$/.exec(line);
    if (newType && !SUMMARY_WORDS.test(newType[2])) cells[newType[2]] = (cells[newType[2]] ?? 0) + Number(newType[1]);
    else if (oldType && !/^\d+$/.test(oldType[1])) cells[oldType[1]] = (cells[oldType[1]] ?? 0) + Number(oldType[2]);
    else inCells = false;
  }
  return { name, cells, numCells, top };
}

/** True when the text holds Yosys statistics (`=== module ===` and a cell count). */
export function isYosysStatText(text: string): boolean {
  return /^=== .+ ===\s*$/m.test(text) && (/^\s+Number of cells:\s+\d+/m.test(text) || /^\s+\d+(?:\s+[\d.eE+-]+)?\s+cells\s*$/m.test(text));
}

export function parseYosysStatText(text: string): YosysStat {
  let lines = splitLines(text);
  // A whole Yosys log may print statistics more than once: the last are the final netlist's.
  const last = lines.map((l) => /\bPrinting statistics\.\s*$/.test(l)).lastIndexOf(true);
  if (last >= 0) lines = lines.slice(last + 1);
  const sections: Section[] = [];
  let name: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (name !== undefined) sections.push(parseSection(name, body));
  };
  for (const line of lines) {
    const h = /^=== (.+?)(?: \(partially selected\))? ===\s*$/.exec(line);
    if (h) {
      flush();
      name = h[1];
      body = [];
    } else body.push(line);
  }
  flush();
  const modules = sections.filter((s) => s.name !== 'design hierarchy');
  const design = sections.find((s) => s.name === 'design hierarchy');
  return result('text', design ?? (modules.length === 1 ? modules[0] : undefined), modules);
}

function result(format: 'text' | 'json', design: Section | undefined, modules: readonly Section[]): YosysStat {
  const perModule = modules.length > 1 ? Object.fromEntries(modules.map((m) => [m.name, m.cells])) : undefined;
  if (!design) {
    return {
      kind: 'yosys-stat',
      format,
      top: null,
      family: null,
      cells: {},
      num_cells: null,
      lut: null,
      ff: null,
      bram18: null,
      dsp: null,
      uram: null,
      uncounted: [],
      modules: perModule,
      note:
        modules.length === 0
          ? 'no module statistics in the file'
          : `${modules.length} modules and no design hierarchy, so their totals are unknown (a module may be instantiated many times): run stat -top <module>, or flatten before stat`,
    };
  }
  const top = design.top ?? (design.name === 'design hierarchy' ? null : design.name);
  return {
    kind: 'yosys-stat',
    format,
    top,
    cells: design.cells,
    num_cells: design.numCells,
    ...countResources(design.cells),
    modules: perModule,
  };
}

/** True when parsed JSON is `stat -json` output. */
export function isYosysStatJson(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const o = json as Record<string, unknown>;
  const mods = o.modules;
  if (typeof mods !== 'object' || mods === null) return false;
  const first = Object.values(mods)[0] as Record<string, unknown> | undefined;
  return (
    (first !== undefined && typeof first === 'object' && 'num_cells_by_type' in first) ||
    (typeof o.design === 'object' && o.design !== null && 'num_cells_by_type' in o.design)
  );
}

function jsonSection(name: string, v: unknown): Section {
  const o = (v ?? {}) as Record<string, unknown>;
  const byType = (o.num_cells_by_type ?? {}) as Record<string, unknown>;
  const cells: Record<string, number> = {};
  for (const [t, n] of Object.entries(byType)) {
    if (typeof n !== 'number') throw new ReportError(`stat -json: the count of cell type ${t} is not a number`);
    cells[t.replace(/^\\/, '')] = n;
  }
  return { name, cells, numCells: typeof o.num_cells === 'number' ? o.num_cells : null };
}

export function parseYosysStatJson(json: unknown): YosysStat {
  const o = json as { modules: Record<string, unknown>; design?: unknown };
  const modules = Object.entries(o.modules).map(([k, v]) => jsonSection(k.replace(/^\\/, ''), v));
  let design: Section | undefined;
  if (modules.length === 1) design = modules[0];
  else if (o.design !== undefined) {
    // The JSON does not name the top: it is the one module no other module instantiates.
    const instantiated = new Set(modules.flatMap((m) => Object.keys(m.cells)));
    const tops = modules.filter((m) => !instantiated.has(m.name));
    design = { ...jsonSection('design hierarchy', o.design), top: tops.length === 1 ? tops[0].name : undefined };
  }
  return result('json', design, modules);
}
