/** What the simulating commands (`qnn sim`, `qnn fifo-check`) share: options and interruption. */
import { CliError } from './cli-error.js';
import { ToolMissingError } from '../flows/tools.js';
import { SimulationError, type Simulator } from '../flows/sim/runner.js';

export function intOption(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} takes an integer ≥ ${min}, not '${v}'`, 2);
  return n;
}

export function simulatorOption(v: string | undefined): Simulator {
  if (v !== 'verilator' && v !== 'icarus') throw new CliError(`--simulator takes verilator or icarus, not '${v}'`, 2);
  return v;
}

/**
 * Runs `work` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts, so the simulator is
 * stopped rather than orphaned. A missing tool, a failed simulation or one of
 * `userErrors` becomes a one-line message (exit 1), never a stack trace.
 */
export async function interruptible<T>(
  work: (signal: AbortSignal) => Promise<T>,
  userErrors: (abstract new (...args: never[]) => Error)[] = [],
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } catch (e) {
    if (e instanceof ToolMissingError || e instanceof SimulationError || userErrors.some((k) => e instanceof k))
      throw new CliError((e as Error).message);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
