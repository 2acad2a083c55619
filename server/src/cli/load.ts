/** Loading and analysing .qnn files for the CLI commands. */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { parseFile, coreServices } from '../language/parse.js';
import type { Network as NetworkAst } from '../language/generated/ast.js';
import type { Analysis } from '../analysis/analyze.js';
import { CliError } from './cli-error.js';

export interface LoadedFile {
  file: string;
  doc: LangiumDocument<NetworkAst>;
  diagnostics: Diagnostic[];
  analysis: Analysis;
}

export async function loadQnn(file: string): Promise<LoadedFile> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new CliError(`cannot read '${file}': no such file`);
  if (statSync(abs).isDirectory()) throw new CliError(`'${file}' is a folder: give a .qnn file`);
  if (path.extname(abs) !== '.qnn') throw new CliError(`'${file}' is not a .qnn file`);
  const doc = await parseFile(abs);
  // The whole FIFO schedule: the CLI's figures are final (the editor may defer it).
  const analysis = coreServices().qnn.analysis.AnalysisCache.get(doc, { fifoBudgetSteps: Infinity });
  return { file, doc, diagnostics: doc.diagnostics ?? [], analysis };
}

const SEVERITY_NAME = ['', 'error', 'warning', 'info', 'hint'];

export function severityName(d: Diagnostic): string {
  return SEVERITY_NAME[d.severity ?? 1];
}

/** `file:line:col: severity CODE message`, 1-based line and column. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${severityName(d)} ${d.code ?? 'QNN001'} ${d.message}`;
}

export function hasErrors(ds: Diagnostic[]): boolean {
  return ds.some((d) => (d.severity ?? 1) === 1);
}

/** Stops a command on a file with errors: prints them and exits 1. */
export function requireNoErrors(f: LoadedFile): void {
  const errors = f.diagnostics.filter((d) => (d.severity ?? 1) === 1);
  if (errors.length) {
    throw new CliError(
      `${f.file} has ${errors.length} error${errors.length > 1 ? 's' : ''}:\n${errors.map((d) => '  ' + formatDiagnostic(f.file, d)).join('\n')}`,
    );
  }
}
