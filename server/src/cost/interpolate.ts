/**
 * Linear interpolation on the measured tables of the cost model (memory.ts register files,
 * resources.ts adder trees): between a table's points, and beyond its ends along the line
 * through the last two.
 */

/** The two grid points around `x` (sorted, at least two; beyond the grid the last two) and x's weight on the upper. */
export function bracket(grid: readonly number[], x: number): [lo: number, hi: number, t: number] {
  let i = 1;
  while (i < grid.length - 1 && grid[i] < x) i++;
  const lo = grid[i - 1];
  const hi = grid[i];
  return [lo, hi, (x - lo) / (hi - lo)];
}

/** y at `x` on the points (xs[i], ys[i]), xs sorted ascending. */
export function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const [lo, hi, t] = bracket(xs, x);
  const y0 = ys[xs.indexOf(lo)];
  const y1 = ys[xs.indexOf(hi)];
  return y0 + t * (y1 - y0);
}
