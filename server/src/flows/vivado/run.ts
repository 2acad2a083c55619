/**
 * Running build.tcl: `vivado -mode batch -source build.tcl` as a cancellable process tree,
 * its output streamed line by line, the phase and the elapsed time of each from the
 * script's QNN-PHASE lines. Afterwards the log says what failed first (ERROR lines, or an
 * out-of-memory death, which the kernel's OOM killer leaves only as the loader's `Killed`
 * line and exit status 137), and the reports give the resources and timing.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProcess } from '../tools.js';
import { parseVivadoLog } from '../reports/vivado-log.js';
import { parseVivadoTiming } from '../reports/vivado-timing.js';
import { parseVivadoUtilization } from '../reports/vivado-utilization.js';
import type { VivadoLog, VivadoTiming, VivadoUtilization } from '../reports/types.js';
import { VIVADO_OUTPUTS, VIVADO_PHASES, type VivadoPhase } from './script.js';

export interface VivadoRunOptions {
  /** The Vivado executable (from the preflight). */
  vivado: string;
  /** The folder build.tcl writes to (vivado.log goes there too). */
  outDir: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** A phase started (seconds: null) or ended (its elapsed seconds). */
  onPhase?: (phase: VivadoPhase, seconds: number | null) => void;
  /** The script's phases (default build.tcl's; a block design's are VIVADO_BD_PHASES). */
  phases?: readonly VivadoPhase[];
}

export interface VivadoRunResult {
  ok: boolean;
  cancelled: boolean;
  timedOut: boolean;
  exitCode: number | null;
  phases: { name: VivadoPhase; seconds: number }[];
  /** The phase that was running when the run failed. */
  failedPhase: VivadoPhase | null;
  /** The first error in words (the first ERROR line, the out-of-memory death, or the exit status). */
  firstError: string | null;
  log: VivadoLog;
  logFile: string;
  utilization: VivadoUtilization | null;
  timing: VivadoTiming | null;
}

function readIfExists<T>(file: string, parse: (text: string) => T): T | null {
  return existsSync(file) ? parse(readFileSync(file, 'utf8')) : null;
}

export async function runVivadoBuild(tclFile: string, opts: VivadoRunOptions): Promise<VivadoRunResult> {
  const logFile = path.join(opts.outDir, VIVADO_OUTPUTS.log);
  const phases: VivadoRunResult['phases'] = [];
  let current: { name: VivadoPhase; start: number } | null = null;
  const known: readonly string[] = opts.phases ?? VIVADO_PHASES;
  const isPhase = (s: string): s is VivadoPhase => known.includes(s);
  const close = (): void => {
    if (!current) return;
    const seconds = (performance.now() - current.start) / 1000;
    phases.push({ name: current.name, seconds });
    opts.onPhase?.(current.name, seconds);
    current = null;
  };
  const r = await runProcess(opts.vivado, ['-mode', 'batch', '-notrace', '-nojournal', '-log', logFile, '-source', path.resolve(tclFile)], {
    cwd: opts.outDir,
    env: opts.env,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    onLine: (line, stream) => {
      const m = /^QNN-PHASE (.+?)\s*$/.exec(line);
      if (m) {
        close();
        if (isPhase(m[1])) {
          current = { name: m[1], start: performance.now() };
          opts.onPhase?.(m[1], null);
        }
      }
      opts.onLine?.(line, stream);
    },
  });
  const failedPhase: VivadoPhase | null = (current as { name: VivadoPhase } | null)?.name ?? null;
  close();
  // Problems link to vivado.log's lines; the loader's Killed line is only in the output.
  const log = parseVivadoLog(existsSync(logFile) ? readFileSync(logFile, 'utf8') : r.stdout);
  const oom =
    log.out_of_memory ??
    parseVivadoLog(`${r.stdout}\n${r.stderr}`).out_of_memory ??
    (!r.cancelled && !r.timedOut && (r.code === 137 || r.exitSignal === 'SIGKILL')
      ? {
          line: 0,
          text: '',
          reason:
            'Vivado was killed (SIGKILL, exit status 137); on Linux that is the kernel out-of-memory killer unless someone killed it by hand.',
        }
      : null);
  if (oom && !log.out_of_memory) {
    log.out_of_memory = oom;
    log.ended = 'out-of-memory';
  }
  const ok = r.code === 0 && !r.cancelled && !r.timedOut && log.errors.length === 0 && !oom;
  let firstError: string | null = null;
  if (!ok) {
    const e = log.errors[0];
    firstError = r.cancelled
      ? 'cancelled'
      : r.timedOut
        ? `Vivado ran past the ${(opts.timeoutMs ?? 0) / 1000} s limit`
        : oom
          ? `out of memory: ${oom.reason}`
          : e
            ? `${e.id ? `[${e.id}] ` : ''}${e.message}`
            : `Vivado exited with ${r.code === null ? `signal ${r.exitSignal}` : `status ${r.code}`} and no ERROR line`;
  }
  const out = (f: string): string => path.join(opts.outDir, f);
  return {
    ok,
    cancelled: r.cancelled,
    timedOut: r.timedOut,
    exitCode: r.code,
    phases,
    failedPhase: ok ? null : failedPhase,
    firstError,
    log,
    logFile,
    utilization: ok ? readIfExists(out(VIVADO_OUTPUTS.utilizationHierarchical), parseVivadoUtilization) : null,
    timing: ok ? readIfExists(out(VIVADO_OUTPUTS.timingSummary), parseVivadoTiming) : null,
  };
}
