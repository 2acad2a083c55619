/**
 * Least squares for the calibration: non-negative least squares (Lawson & Hanson 1974,
 * the active-set method) on relative errors, and the error statistics of the table.
 */

/** Solves min ‖A·x − b‖² subject to x ≥ 0 (A: m rows of n columns). */
export function nnls(A: readonly number[][], b: readonly number[], maxIter = 500): number[] {
  const n = A[0]?.length ?? 0;
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const residual = (): number[] => b.map((bi, i) => bi - A[i].reduce((s, a, j) => s + a * x[j], 0));
  const gradient = (r: number[]): number[] => Array.from({ length: n }, (_, j) => A.reduce((s, row, i) => s + row[j] * r[i], 0));
  const tol = 1e-10 * Math.max(1, ...b.map(Math.abs));
  for (let iter = 0; iter < maxIter; iter++) {
    const w = gradient(residual());
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j] > tol && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < maxIter; inner++) {
      const idx = passive.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
      const z = leastSquares(
        A.map((row) => idx.map((j) => row[j])),
        b,
      );
      if (idx.every((_, k) => z[k] > 0)) {
        x.fill(0);
        idx.forEach((j, k) => (x[j] = z[k]));
        break;
      }
      // Step back to the boundary and drop the variables that reach zero.
      let alpha = Infinity;
      idx.forEach((j, k) => {
        if (z[k] <= 0) alpha = Math.min(alpha, x[j] / (x[j] - z[k]));
      });
      idx.forEach((j, k) => (x[j] += alpha * (z[k] - x[j])));
      for (const j of idx) {
        if (x[j] <= 1e-12) {
          passive[j] = false;
          x[j] = 0;
        }
      }
    }
  }
  return x;
}

/** Unconstrained least squares by the normal equations (small n), with a tiny ridge for rank deficiency. */
export function leastSquares(A: readonly number[][], b: readonly number[]): number[] {
  const n = A[0]?.length ?? 0;
  const M = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < A.length; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) M[j][k] += A[i][j] * A[i][k];
      M[j][n] += A[i][j] * b[i];
    }
  }
  for (let j = 0; j < n; j++) M[j][j] += 1e-9 * (1 + M[j][j]);
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c];
    if (Math.abs(d) < 1e-300) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / d;
      if (f !== 0) for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return Array.from({ length: n }, (_, j) => (Math.abs(M[j][j]) < 1e-300 ? 0 : M[j][n] / M[j][j]));
}

export interface ErrorStats {
  n: number;
  /** Median and largest |estimate − synthesis| / synthesis, in %. */
  median: number;
  worst: number;
  /** The sample with the largest error. */
  worstId: string;
}

/** Relative error in % (a synthesis count of 0: the estimate itself, as if against 1). */
export function pctError(est: number, syn: number): number {
  return (100 * (est - syn)) / Math.max(syn, 1);
}

export function errorStats(rows: readonly { id: string; est: number; syn: number }[]): ErrorStats {
  if (rows.length === 0) return { n: 0, median: 0, worst: 0, worstId: '' };
  const errs = rows.map((r) => ({ id: r.id, e: Math.abs(pctError(r.est, r.syn)) })).sort((a, b) => a.e - b.e);
  const mid = errs.length / 2;
  const median = errs.length % 2 ? errs[Math.floor(mid)].e : (errs[mid - 1].e + errs[mid].e) / 2;
  return { n: rows.length, median, worst: errs[errs.length - 1].e, worstId: errs[errs.length - 1].id };
}
