/** Shared pieces of the engines' token behaviour (the FIFO schedule, cost/fifo-sizing.ts). */

/** One shared step result: the schedule runs millions of steps, so engines allocate none. */
const result = { took: false, produced: 0 };

export function stepResult(took: boolean, produced: number): { took: boolean; produced: number } {
  result.took = took;
  result.produced = produced;
  return result;
}
