/**
 * Vivado `report_utilization`: the flat report (sections of `| Site Type | Used | … |`
 * boxes; 7-series names "Slice LUTs", UltraScale+ names "CLB LUTs") and
 * `report_utilization -hierarchical` (one "Utilization by Hierarchy" box, a row per
 * instance, indentation for depth). BRAM is counted in RAMB18 units, a RAMB36 as two.
 */
import { boxTableAt, num, splitLines, vivadoHeader, vivadoVersion } from './text-table.js';
import { ReportError, type ReportResources, type UtilizationInstance, type VivadoUtilization } from './types.js';

interface SiteRow {
  used: number | null;
  available: number | null;
}

/** Every `| Site Type | Used | … | Available |` row of the report by site name (first occurrence wins). */
function siteRows(lines: readonly string[]): Map<string, SiteRow> {
  const rows = new Map<string, SiteRow>();
  for (let i = 0; i < lines.length;) {
    const table = boxTableAt(lines, i);
    if (!table) break;
    i = table.end + 1;
    if (table.header[0] !== 'Site Type') continue;
    const used = table.header.indexOf('Used');
    const available = table.header.indexOf('Available');
    for (const r of table.rows) {
      const name = r[0].trim().replace(/\*$/, '');
      if (!rows.has(name)) rows.set(name, { used: num(r[used]), available: available >= 0 ? num(r[available]) : null });
    }
  }
  return rows;
}

function first(rows: Map<string, SiteRow>, names: readonly string[]): SiteRow | undefined {
  for (const n of names) {
    const r = rows.get(n);
    if (r) return r;
  }
  return undefined;
}

const LUT_ROWS = ['Slice LUTs', 'CLB LUTs'];
const FF_ROWS = ['Slice Registers', 'CLB Registers'];

function flat(lines: readonly string[]): { used: ReportResources; available: ReportResources } {
  const rows = siteRows(lines);
  const lut = first(rows, LUT_ROWS);
  const ff = first(rows, FF_ROWS);
  const ramb36 = first(rows, ['RAMB36/FIFO', 'RAMB36']);
  const ramb18 = rows.get('RAMB18');
  const tile = rows.get('Block RAM Tile');
  const dsp = first(rows, ['DSPs', 'DSP48E1 only', 'DSP48E2 only']);
  const uram = rows.get('URAM');
  const missing = [
    !lut && `"${LUT_ROWS.join('" or "')}"`,
    !ff && `"${FF_ROWS.join('" or "')}"`,
    !ramb36 && !tile && '"Block RAM Tile"',
    !dsp && '"DSPs"',
  ].filter(Boolean);
  if (missing.length > 0)
    throw new ReportError(
      `this Vivado utilisation report has no ${missing.join(', ')} row: it may be truncated, or from a Vivado whose layout qnn does not know. Give the whole file written by report_utilization.`,
    );
  // A RAMB36 is two RAMB18; the tile count (in RAMB36 units, halves for a RAMB18) when the split rows are absent.
  const bram = (pick: 'used' | 'available'): number | null => {
    if (ramb36 && ramb18) {
      const a = ramb36[pick];
      const b = ramb18[pick];
      if (pick === 'available') return a === null ? null : 2 * a;
      return a === null || b === null ? null : 2 * a + b;
    }
    const t = tile?.[pick];
    return t === null || t === undefined ? null : 2 * t;
  };
  // No URAM row: the part has no UltraRAM (7-series, small UltraScale+), so none is used.
  return {
    used: { lut: lut!.used, ff: ff!.used, bram18: bram('used'), dsp: dsp!.used, uram: uram ? uram.used : 0 },
    available: { lut: lut!.available, ff: ff!.available, bram18: bram('available'), dsp: dsp!.available, uram: uram ? uram.available : 0 },
  };
}

function column(header: readonly string[], names: readonly string[]): number {
  for (const n of names) {
    const i = header.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

function hierarchical(lines: readonly string[]): UtilizationInstance[] {
  let table;
  for (let i = 0; i < lines.length;) {
    const t = boxTableAt(lines, i);
    if (!t) break;
    if (t.header[0] === 'Instance' && t.header[1] === 'Module') {
      table = t;
      break;
    }
    i = t.end + 1;
  }
  if (!table || table.rows.length === 0)
    throw new ReportError(
      'this hierarchical utilisation report has no "| Instance | Module | … |" table with rows: give the whole file written by report_utilization -hierarchical.',
    );
  const h = table.header;
  const col = {
    lut: column(h, ['Total LUTs']),
    ff: column(h, ['FFs']),
    ramb36: column(h, ['RAMB36', 'RAMB36/FIFO']),
    ramb18: column(h, ['RAMB18']),
    uram: column(h, ['URAM']),
    dsp: column(h, ['DSP48 Blocks', 'DSP Blocks', 'DSPs']),
  };
  const absent = Object.entries(col)
    .filter(([k, i]) => i < 0 && k !== 'uram')
    .map(([k]) => k);
  if (absent.length > 0)
    throw new ReportError(
      `this hierarchical utilisation report's table lacks the column(s) ${absent.join(', ')} (it has: ${h.join(', ')}).`,
    );
  const stack: string[] = [];
  return table.rows.map((r) => {
    const raw = r[0];
    // One space of padding after the bar, then two spaces per level.
    const depth = Math.max(0, Math.floor((raw.length - raw.trimStart().length - 1) / 2));
    const instance = raw.trim();
    stack.length = depth;
    stack.push(instance);
    const n = (i: number): number | null => (i < 0 ? null : num(r[i]));
    const r36 = n(col.ramb36);
    const r18 = n(col.ramb18);
    return {
      instance,
      module: r[1].trim(),
      depth,
      path: stack.join('/'),
      lut: n(col.lut),
      ff: n(col.ff),
      bram18: r36 === null || r18 === null ? null : 2 * r36 + r18,
      dsp: n(col.dsp),
      uram: col.uram < 0 ? 0 : n(col.uram),
    };
  });
}

/** True when the text is a report_utilization report (flat or hierarchical). */
export function isVivadoUtilization(text: string): boolean {
  const head = text.slice(0, 4000);
  return /^\|\s*Command\s*:\s*report_utilization\b/m.test(head) || /^Utilization Design Information\s*$/m.test(head);
}

export function parseVivadoUtilization(text: string): VivadoUtilization {
  const lines = splitLines(text);
  const header = vivadoHeader(lines);
  const isHier = /-hierarchical\b/.test(header.get('Command') ?? '') || lines.some((l) => /^\d+\. Utilization by Hierarchy\s*$/.test(l));
  const base = {
    kind: 'vivado-utilization' as const,
    device: header.get('Device') ?? null,
    design: header.get('Design') ?? null,
    tool_version: vivadoVersion(header.get('Tool Version')),
    design_state: header.get('Design State') ?? null,
  };
  if (isHier) {
    const instances = hierarchical(lines);
    const top = instances[0];
    return {
      ...base,
      hierarchical: true,
      lut: top.lut,
      ff: top.ff,
      bram18: top.bram18,
      dsp: top.dsp,
      uram: top.uram,
      available: null,
      instances,
    };
  }
  const { used, available } = flat(lines);
  return { ...base, hierarchical: false, ...used, available };
}
