/**
 * `qnn check --format github|sarif`: diagnostics as GitHub Actions workflow commands
 * (annotations on the pull request's files) and as a SARIF 2.1.0 log (code scanning).
 * Paths under the working folder are written relative to it (a CI job runs in the
 * repository's root, and both GitHub formats want repository-relative paths).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-types';
import { DIAGNOSTIC_CODES } from '../report/diagnostic-codes.js';
import { severityName } from './load.js';
import { QNN_VERSION } from './version.js';

export interface FileDiagnostics {
  /** The path as given on the command line. */
  file: string;
  diagnostics: readonly Diagnostic[];
}

export const CHECK_FORMATS = ['text', 'json', 'github', 'sarif'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** `file` relative to `cwd` with `/` separators when it lies under it; else undefined. */
function relativeUnder(file: string, cwd: string): string | undefined {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

const code = (d: Diagnostic): string => String(d.code ?? 'QNN001');

// ---- GitHub Actions workflow commands -------------------------------------------------------

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const GITHUB_COMMAND: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/** `::error file=a.qnn,line=3,col=5,endLine=3,endColumn=9,title=QNN040::message` (1-based; end column exclusive). */
export function githubAnnotation(file: string, d: Diagnostic, cwd = process.cwd()): string {
  const { start, end } = d.range;
  const props = [
    `file=${escapeProperty(relativeUnder(file, cwd) ?? path.resolve(cwd, file))}`,
    `line=${start.line + 1}`,
    `col=${start.character + 1}`,
    `endLine=${end.line + 1}`,
    `endColumn=${end.character + 1}`,
    `title=${escapeProperty(code(d))}`,
  ];
  return `::${GITHUB_COMMAND[severityName(d)] ?? 'error'} ${props.join(',')}::${escapeData(d.message)}`;
}

// ---- SARIF 2.1.0 --------------------------------------------------------------------------

type SarifLevel = 'error' | 'warning' | 'note';
const SARIF_LEVEL: Record<string, SarifLevel> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** The parts of SARIF 2.1.0 that qnn writes (the schema: sarif-2.1.0-rtm.5.json). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        rules: Array<{
          id: string;
          name: string;
          shortDescription: { text: string };
          defaultConfiguration: { level: SarifLevel };
        }>;
      };
    };
    originalUriBaseIds: Record<string, { uri: string }>;
    columnKind: 'utf16CodeUnits';
    results: Array<{
      ruleId: string;
      ruleIndex?: number;
      level: SarifLevel;
      message: { text: string };
      locations: Array<{
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
        };
      }>;
    }>;
  }>;
}

const SRCROOT = '%SRCROOT%';

/** One run of `qnn` over the files: every QNN code as a rule, one result per diagnostic. */
export function sarifLog(files: readonly FileDiagnostics[], cwd = process.cwd()): SarifLog {
  const ruleIndex = new Map(DIAGNOSTIC_CODES.map((c, i) => [c.code, i]));
  const results: SarifLog['runs'][number]['results'] = [];
  for (const f of files) {
    const rel = relativeUnder(f.file, cwd);
    const artifactLocation = rel
      ? { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT }
      : { uri: pathToFileURL(path.resolve(cwd, f.file)).href };
    for (const d of f.diagnostics) {
      const id = code(d);
      const { start, end } = d.range;
      results.push({
        ruleId: id,
        ...(ruleIndex.has(id) ? { ruleIndex: ruleIndex.get(id)! } : {}),
        level: SARIF_LEVEL[severityName(d)] ?? 'error',
        message: { text: d.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation,
              // 1-based lines and columns; SARIF's end column is the one after the region.
              region: { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
            },
          },
        ],
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'qnn',
            version: QNN_VERSION,
            semanticVersion: QNN_VERSION,
            rules: DIAGNOSTIC_CODES.map((c) => ({
              id: c.code,
              name: c.name,
              shortDescription: { text: c.summary },
              defaultConfiguration: { level: SARIF_LEVEL[c.severity] },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd).href.replace(/\/?$/, '/') } },
        // LSP columns count UTF-16 code units.
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
