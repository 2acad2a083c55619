/**
 * `verilator --lint-only -Wall`: the engine contract requires every engine to
 * be lint-clean with these flags (docs/engines-contract.md).
 */
import * as path from 'node:path';
import { CancelledError, requireTool, runProcess, type ToolPaths } from '../tools.js';
import { paramLiteral, type ParamValue } from './testbench.js';

export interface LintMessage {
  severity: 'warning' | 'error';
  /** Verilator's warning code (WIDTH, UNUSEDSIGNAL, ...); undefined for plain errors. */
  code?: string;
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** The message with Verilator's context lines. */
  text: string;
}

export interface LintOptions {
  sources: readonly string[];
  top: string;
  params?: Readonly<Record<string, ParamValue>>;
  includeDirs?: readonly string[];
  defines?: Readonly<Record<string, string | number | true>>;
  /** Default ['-Wall']. */
  flags?: readonly string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  toolPaths?: ToolPaths;
}

export interface LintResult {
  /** No warnings and no errors. */
  clean: boolean;
  messages: LintMessage[];
  output: string;
}

/** Lints a module with its parameter overrides. */
export async function lintVerilator(opts: LintOptions): Promise<LintResult> {
  const verilator = requireTool('verilator', { paths: opts.toolPaths });
  const args = [
    '--lint-only',
    ...(opts.flags ?? ['-Wall']),
    '--top-module',
    opts.top,
    ...Object.entries(opts.params ?? {}).map(([k, v]) => `-G${k}=${paramLiteral(v)}`),
    ...(opts.includeDirs ?? []).map((d) => `-I${path.resolve(d)}`),
    ...Object.entries(opts.defines ?? {}).map(([k, v]) => (v === true ? `+define+${k}` : `+define+${k}=${v}`)),
    ...opts.sources.map((s) => path.resolve(s)),
  ];
  const r = await runProcess(verilator, args, { timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal });
  if (r.cancelled) throw new CancelledError('Linting');
  const output = r.stdout + r.stderr;
  const messages = parseVerilatorMessages(output);
  if (r.code !== 0 && messages.length === 0) {
    messages.push({ severity: 'error', message: output.trim() || `verilator exited with code ${r.code}`, text: output });
  }
  return { clean: r.code === 0 && messages.length === 0, messages, output };
}

/** `%Warning-CODE: file:line:col: message` / `%Error: file:line:col: message` blocks, without the final "Exiting due to" line. */
export function parseVerilatorMessages(output: string): LintMessage[] {
  const out: LintMessage[] = [];
  let cur: LintMessage | undefined;
  for (const line of output.split(/\r?\n/)) {
    const m = /^%(Warning|Error)(?:-([A-Z0-9_]+))?: (.*)$/.exec(line);
    if (m) {
      cur = undefined;
      const rest = m[3]!;
      if (/^Exiting due to/.test(rest)) continue;
      const loc = /^([^:]+):(\d+):(?:(\d+):)? (.*)$/.exec(rest);
      cur = {
        severity: m[1] === 'Warning' ? 'warning' : 'error',
        code: m[2],
        file: loc?.[1],
        line: loc ? Number(loc[2]) : undefined,
        column: loc?.[3] ? Number(loc[3]) : undefined,
        message: loc ? loc[4]! : rest,
        text: line,
      };
      out.push(cur);
    } else if (cur && line.trim() !== '') {
      cur.text += '\n' + line;
    }
  }
  return out;
}
