/**
 * Illegal fold values (QNN040/041/042): the layer keeps the fallback fold (1) so that the
 * network can still be estimated, and every view of that estimate says so, with the value the
 * source declares, e.g. `SIMD 5 (illegal; estimated as 1)`.
 */
import type { LayerModel, Network } from './types.js';

type FoldName = 'pe' | 'simd';

/**
 * After the fold checks: each declared fold value the layer did not take (the check
 * rejected it) is recorded in `m.illegalFold`.
 */
export function recordIllegalFold(m: LayerModel, given: Partial<Record<string, number>>): void {
  const illegal: { pe?: number; simd?: number } = {};
  for (const k of ['pe', 'simd'] as const) {
    const v = given[k];
    if (v !== undefined && v !== m[k]) illegal[k] = v;
  }
  if (illegal.pe !== undefined || illegal.simd !== undefined) m.illegalFold = illegal;
}

/** `SIMD 1`, or `SIMD 5 (illegal; estimated as 1)` when the declared 5 was rejected. */
export function foldValueText(m: LayerModel, k: FoldName, applied: number = m[k]): string {
  const label = k === 'pe' ? 'PE' : 'SIMD';
  const declared = m.illegalFold?.[k];
  return declared === undefined ? `${label} ${applied}` : `${label} ${declared} (illegal; estimated as ${applied})`;
}

/** The illegal fold values of a layer, worded: [`SIMD 5 (illegal; estimated as 1)`]. */
export function illegalFoldTexts(m: LayerModel): string[] {
  return (['pe', 'simd'] as const).filter((k) => m.illegalFold?.[k] !== undefined).map((k) => foldValueText(m, k));
}

/** Every layer whose estimate uses a fallback fold, as `fc1 SIMD 5` (empty when none). */
export function illegalFoldsOf(net: Network): string[] {
  const out: string[] = [];
  for (const l of net.layers) {
    for (const k of ['pe', 'simd'] as const) {
      const declared = l.illegalFold?.[k];
      if (declared !== undefined) out.push(`${l.name} ${k === 'pe' ? 'PE' : 'SIMD'} ${declared}`);
    }
  }
  return out;
}
