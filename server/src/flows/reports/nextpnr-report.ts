/**
 * nextpnr's `--report FILE` JSON: `fmax` per clock (achieved and constraint, MHz),
 * `utilization` per BEL type (used/available), and `critical_paths` (one per clock pair,
 * each a list of clock-to-q, routing, logic and setup steps with delays in ns). For iCE40
 * the BELs map to the device database's units: ICESTORM_LC logic cells (a LUT4 and its
 * flip-flop share one, so the flip-flops alone are not in the report), ICESTORM_RAM EBRs,
 * ICESTORM_DSP (SB_MAC16).
 */
import { ReportError, type NextpnrClock, type NextpnrPath, type NextpnrReport, type ReportResources } from './types.js';

/** True when parsed JSON is a nextpnr report. */
export function isNextpnrReport(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const o = json as Record<string, unknown>;
  return typeof o.utilization === 'object' && o.utilization !== null && ('fmax' in o || 'critical_paths' in o);
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function endpoint(e: unknown): string {
  const o = (e ?? {}) as { cell?: unknown; port?: unknown };
  return `${String(o.cell ?? '?')}.${String(o.port ?? '?')}`;
}

export function parseNextpnrReport(json: unknown): NextpnrReport {
  const o = json as { fmax?: unknown; utilization: unknown; critical_paths?: unknown };
  const utilization: NextpnrReport['utilization'] = {};
  for (const [bel, v] of Object.entries(o.utilization as Record<string, unknown>)) {
    const u = v as { used?: unknown; available?: unknown };
    if (!isNum(u.used) || !isNum(u.available))
      throw new ReportError(`nextpnr report: utilization.${bel} needs numeric "used" and "available"`);
    utilization[bel] = { used: u.used, available: u.available };
  }
  const clocks: NextpnrClock[] = Object.entries((o.fmax ?? {}) as Record<string, unknown>).map(([name, v]) => {
    const f = v as { achieved?: unknown; constraint?: unknown };
    if (!isNum(f.achieved)) throw new ReportError(`nextpnr report: fmax of clock ${name} has no numeric "achieved"`);
    const constraint = isNum(f.constraint) ? f.constraint : null;
    return { name, fmax_mhz: round(f.achieved, 3), constraint_mhz: constraint, met: constraint === null ? null : f.achieved >= constraint };
  });
  const constrained = clocks.filter((c) => c.met !== null);
  const paths: NextpnrPath[] = (Array.isArray(o.critical_paths) ? o.critical_paths : []).map((p: unknown) => {
    const cp = p as { from?: unknown; to?: unknown; path?: unknown };
    const steps = (Array.isArray(cp.path) ? cp.path : []).map((s: unknown) => {
      const st = s as { type?: unknown; delay?: unknown; from?: unknown; to?: unknown; net?: unknown };
      return {
        type: String(st.type ?? ''),
        delay_ns: isNum(st.delay) ? round(st.delay, 3) : 0,
        from: endpoint(st.from),
        to: endpoint(st.to),
        net: typeof st.net === 'string' ? st.net : null,
      };
    });
    return {
      from: String(cp.from ?? ''),
      to: String(cp.to ?? ''),
      delay_ns: round(
        steps.reduce((a, s) => a + s.delay_ns, 0),
        3,
      ),
      steps,
    };
  });
  const ice40 = 'ICESTORM_LC' in utilization;
  const u = (bel: string, pick: 'used' | 'available'): number | null => (ice40 ? (utilization[bel]?.[pick] ?? 0) : null);
  const resources = (pick: 'used' | 'available'): ReportResources => ({
    lut: u('ICESTORM_LC', pick),
    // Flip-flops share logic cells with LUTs; the report does not count them apart.
    ff: null,
    bram18: u('ICESTORM_RAM', pick),
    dsp: u('ICESTORM_DSP', pick),
    uram: null,
  });
  return {
    kind: 'nextpnr-report',
    arch: ice40 ? 'ice40' : null,
    clocks,
    met: constrained.length === 0 ? null : constrained.every((c) => c.met),
    utilization,
    ...resources('used'),
    available: ice40 ? resources('available') : null,
    critical_paths: paths,
  };
}
