/**
 * Running the open iCE40 flow: Yosys, nextpnr-ice40 and icepack one after another, each a
 * cancellable process tree with its output streamed line by line into `build.log` and to
 * the caller, the phase and its elapsed time reported as it changes. Afterwards the
 * statistics and nextpnr's report give resources, Fmax and the critical path; a failure
 * names its phase and its first error.
 */
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { requireTool, runProcess, type RunProcessResult } from '../tools.js';
import { parseYosysStatText } from '../reports/yosys-stat.js';
import { parseNextpnrReport } from '../reports/nextpnr-report.js';
import type { NextpnrReport, YosysStat } from '../reports/types.js';
import {
  bitstreamName,
  buildShellScript,
  icepackArgs,
  nextpnrArgs,
  OPEN_OUTPUTS,
  yosysBuildScript,
  type OpenFlowDesign,
  type OpenPhase,
} from './script.js';

export interface OpenFlowOptions {
  signal?: AbortSignal;
  /** Each tool is killed after this long; default 30 minutes. */
  timeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** A phase started (seconds: null) or ended (its elapsed seconds). */
  onPhase?: (phase: OpenPhase, seconds: number | null) => void;
}

export interface OpenFlowResult {
  ok: boolean;
  cancelled: boolean;
  phases: { name: OpenPhase; seconds: number }[];
  failedPhase: OpenPhase | null;
  firstError: string | null;
  /** Yosys's cell statistics (FF and LUT counts), once synthesis has run. */
  stat: YosysStat | null;
  /** nextpnr's report (Fmax, utilisation, critical paths), once place and route has run. */
  pnr: NextpnrReport | null;
  /** The bitstream (absolute path), when icepack wrote it. */
  bitstream: string | null;
  log: string;
}

/** The first error a tool printed (Yosys and nextpnr both write `ERROR: …`), else its exit in words and its last line. */
export function firstErrorOf(tool: string, r: RunProcessResult, timeoutMs: number): string {
  if (r.timedOut) return `${tool} ran past the ${Math.round(timeoutMs / 1000)} s limit`;
  const lines = `${r.stdout}\n${r.stderr}`.split(/\r?\n/);
  const err = lines.find((l) => /^ERROR:/.test(l.trim()));
  if (err) return `${tool}: ${err.trim()}`;
  const last = lines.map((l) => l.trim()).filter((l) => l !== '');
  const how = r.code === null ? `was ended by ${r.exitSignal}` : `exited with status ${r.code}`;
  return `${tool} ${how}${last.length ? `: ${last[last.length - 1]}` : ''}`;
}

/** A tool's output file, parsed; null when absent or unreadable (the log then says what went wrong). */
function readIfPresent<T>(file: string, parse: (text: string) => T): T | null {
  if (!existsSync(file)) return null;
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export async function runOpenFlow(design: OpenFlowDesign, outDir: string, opts: OpenFlowOptions = {}): Promise<OpenFlowResult> {
  const timeoutMs = opts.timeoutMs ?? 1_800_000;
  const yosys = requireTool('yosys');
  const nextpnr = requireTool('nextpnr-ice40');
  const icepack = requireTool('icepack');
  const out = (f: string): string => path.join(outDir, f);
  // Outputs of an earlier build must not be taken for this one's.
  for (const f of [OPEN_OUTPUTS.netlist, OPEN_OUTPUTS.stat, OPEN_OUTPUTS.asc, OPEN_OUTPUTS.pnrReport, bitstreamName(design.top)])
    rmSync(out(f), { force: true });
  writeFileSync(out(OPEN_OUTPUTS.yosysScript), yosysBuildScript(design, outDir));
  writeFileSync(out(OPEN_OUTPUTS.shellScript), buildShellScript(design, outDir), { mode: 0o755 });

  const logFile = out(OPEN_OUTPUTS.log);
  const log: WriteStream = createWriteStream(logFile);
  const phases: OpenFlowResult['phases'] = [];
  let current: { name: OpenPhase; start: number } | null = null;
  const closePhase = (): void => {
    if (!current) return;
    const seconds = (performance.now() - current.start) / 1000;
    phases.push({ name: current.name, seconds });
    opts.onPhase?.(current.name, seconds);
    current = null;
  };
  const startPhase = (name: OpenPhase): void => {
    closePhase();
    current = { name, start: performance.now() };
    log.write(`== ${name}\n`);
    opts.onPhase?.(name, null);
  };
  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    log.write(`${line}\n`);
    opts.onLine?.(line, stream);
  };
  const result = (failed: { tool: string; r: RunProcessResult } | null): OpenFlowResult => {
    const failedPhase: OpenPhase | null = failed ? ((current as { name: OpenPhase } | null)?.name ?? null) : null;
    closePhase();
    const stat = readIfPresent(out(OPEN_OUTPUTS.stat), parseYosysStatText);
    const pnr = readIfPresent(out(OPEN_OUTPUTS.pnrReport), (t) => parseNextpnrReport(JSON.parse(t)));
    const bin = out(bitstreamName(design.top));
    return {
      ok: failed === null,
      cancelled: failed?.r.cancelled ?? false,
      phases,
      failedPhase,
      firstError: failed ? (failed.r.cancelled ? 'cancelled' : firstErrorOf(failed.tool, failed.r, timeoutMs)) : null,
      stat,
      pnr,
      bitstream: failed === null && existsSync(bin) ? bin : null,
      log: logFile,
    };
  };
  const run = (cmd: string, args: string[], cwd: string): Promise<RunProcessResult> => {
    log.write(`$ ${path.basename(cmd)} ${args.join(' ')}\n`);
    return runProcess(cmd, args, { cwd, signal: opts.signal, timeoutMs, onLine });
  };
  const ok = (r: RunProcessResult): boolean => r.code === 0 && !r.cancelled && !r.timedOut;

  try {
    startPhase('synthesis');
    const ys = await run(yosys, ['-q', '-s', path.relative(design.rtlDir, out(OPEN_OUTPUTS.yosysScript))], design.rtlDir);
    if (!ok(ys)) return result({ tool: 'yosys', r: ys });

    startPhase('placement');
    const onPnrLine = onLine;
    log.write(`$ nextpnr-ice40 ${nextpnrArgs(design).join(' ')}\n`);
    const pnr = await runProcess(nextpnr, nextpnrArgs(design), {
      cwd: outDir,
      signal: opts.signal,
      timeoutMs,
      onLine: (line, stream) => {
        // nextpnr packs and places, then logs `Info: Routing..` as the router starts.
        if (current?.name === 'placement' && /^Info: Routing\.\./.test(line)) startPhase('routing');
        onPnrLine(line, stream);
      },
    });
    if (!ok(pnr)) return result({ tool: 'nextpnr-ice40', r: pnr });

    startPhase('bitstream');
    const pack = await run(icepack, icepackArgs(design), outDir);
    if (!ok(pack)) return result({ tool: 'icepack', r: pack });
    return result(null);
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
  }
}
