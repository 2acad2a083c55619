/**
 * The two table layouts of Vivado's text reports: `| a | b |` boxes (report_utilization)
 * and column tables under a dash line (report_timing_summary), plus the `| Key : Value`
 * header every Vivado report starts with.
 */

/** Lines without their line breaks (CRLF files are common: reports written on Windows). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The `| Tool Version : …`, `| Device : …` header of a Vivado report (keys as written). */
export function vivadoHeader(lines: readonly string[]): Map<string, string> {
  const header = new Map<string, string>();
  for (const line of lines.slice(0, 40)) {
    const m = /^\|\s*([A-Z][A-Za-z ]*?)\s*:\s*(.*?)\s*$/.exec(line);
    if (m) header.set(m[1], m[2]);
  }
  return header;
}

/** `Vivado v.2019.1 (win64) Build …` → `2019.1`. */
export function vivadoVersion(toolVersion: string | undefined): string | null {
  if (!toolVersion) return null;
  return /Vivado v\.?(\d{4}\.\d+(?:\.\d+)?)/.exec(toolVersion)?.[1] ?? toolVersion;
}

/** A number as a report writes it; null for blank, `NA`, `inf` or anything else. */
export function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim().replace(/\*$/, '');
  if (!/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/** The cells of a `| a | b |` row (trimmed), or undefined for a line that is not one. */
export function boxRow(line: string): string[] | undefined {
  const t = line.trimEnd();
  if (!t.startsWith('|') || !t.endsWith('|') || t.length < 2) return undefined;
  return t.slice(1, -1).split('|');
}

/**
 * A box table (`+---+` rules, a header row, data rows) starting at or after `from`:
 * header cells trimmed, rows untrimmed (indentation means depth in hierarchical tables).
 */
export interface BoxTable {
  header: string[];
  rows: string[][];
  /** Line index of each row. */
  lines: number[];
  end: number;
}

export function boxTableAt(lines: readonly string[], from: number): BoxTable | undefined {
  let i = from;
  while (i < lines.length && !lines[i].startsWith('+-')) i++;
  if (i + 2 >= lines.length) return undefined;
  const header = boxRow(lines[i + 1]);
  if (!header || !lines[i + 2].startsWith('+-')) return undefined;
  const rows: string[][] = [];
  const rowLines: number[] = [];
  let j = i + 3;
  for (; j < lines.length; j++) {
    if (lines[j].startsWith('+-')) break;
    const r = boxRow(lines[j]);
    if (!r) break;
    rows.push(r);
    rowLines.push(j);
  }
  return { header: header.map((h) => h.trim()), rows, lines: rowLines, end: j };
}

/**
 * A column table: a header line, a dash line (`-----  -------`), then rows until a blank
 * line. Values may be blank, so each is placed by its position: right-aligned values
 * (slacks, counts) by where they end, left-aligned ones (the clock summary) by where they
 * start. The first column (a clock or group name, possibly indented) is the row's first word.
 */
export interface ColumnTable {
  columns: string[];
  rows: { indent: number; cells: (string | undefined)[] }[];
}

export function columnTable(lines: readonly string[], headerIndex: number, align: 'left' | 'right' = 'right'): ColumnTable | undefined {
  const header = lines[headerIndex];
  const dashes = lines[headerIndex + 1];
  if (header === undefined || dashes === undefined || !/^\s*-+(\s+-+)*\s*$/.test(dashes)) return undefined;
  const spans = [...dashes.matchAll(/-+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const columns = spans.map((s, k) => header.slice(k === 0 ? 0 : spans[k - 1].end, s.end).trim());
  const rows: ColumnTable['rows'] = [];
  for (let i = headerIndex + 2; i < lines.length && lines[i].trim() !== ''; i++) {
    const line = lines[i];
    const words = [...line.matchAll(/\S+/g)].map((m) => ({ text: m[0], end: m.index + m[0].length, start: m.index }));
    if (words.length === 0) break;
    const cells: (string | undefined)[] = new Array<string | undefined>(spans.length).fill(undefined);
    cells[0] = words[0].text;
    for (const w of words.slice(1)) {
      // Right-aligned: the first column whose dashes end at or after the value's end.
      // Left-aligned: the last column whose dashes start at or before the value's start.
      const k = align === 'right' ? spans.findIndex((s, idx) => idx > 0 && s.end >= w.end) : lastStartingBefore(spans, w.start);
      if (k > 0) cells[k] = cells[k] === undefined ? w.text : `${cells[k]} ${w.text}`;
    }
    rows.push({ indent: words[0].start, cells });
  }
  return { columns, rows };
}

function lastStartingBefore(spans: readonly { start: number }[], at: number): number {
  let k = -1;
  spans.forEach((s, idx) => {
    if (s.start <= at) k = idx;
  });
  return k;
}
