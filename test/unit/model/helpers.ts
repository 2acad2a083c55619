/** Test helpers: parse a .qnn text and get its model, diagnostics and codes. */
import { parseDocument, coreServices } from '../../../server/src/language/parse.js';
import type { Analysis } from '../../../server/src/analysis/analyze.js';
import type { Diagnostic } from 'vscode-languageserver-types';

export interface Parsed {
  analysis: Analysis;
  diagnostics: Diagnostic[];
  codes: string[];
}

export async function check(text: string, file?: string): Promise<Parsed> {
  const doc = await parseDocument(text, file);
  const analysis = coreServices().qnn.analysis.AnalysisCache.get(doc);
  const diagnostics = doc.diagnostics ?? [];
  return { analysis, diagnostics, codes: diagnostics.map((d) => String(d.code)) };
}

/** A network around the given layer lines (input x: u8[L, C] by default). */
export function net(body: string, opts: { input?: string; target?: string; output?: string } = {}): string {
  const lines = body.trim().split('\n');
  const last = /layer\s+(\w+)/.exec(lines[lines.length - 1])?.[1] ?? 'x';
  return `network t {
  target ${opts.target ?? 'xc7z020 @ 100 MHz'}
  input x: ${opts.input ?? 'u8[16, 4]'}
${lines.map((l) => '  ' + l.trim()).join('\n')}
  output ${opts.output ?? last}
}
`;
}
