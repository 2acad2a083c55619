/**
 * One activation output (language.md §3): a requant's clamp(((x·M + 2^(S−1)) >> S) + zero)
 * or a threshold's bias + the count of thresholds x reaches (bipolar: +1 if any, else −1),
 * for channel `c`. The golden model applies it element by element; QNN035 at the ends of a
 * value range.
 */
import { typeMax, typeMin } from './qtype.js';
import { requantValue } from './requant.js';
import type { Activation } from './types.js';

export function activationValue(act: Activation, c: number, x: number): number {
  if (act.kind === 'requant') return requantValue(x, act.multipliers[c], act.shifts[c], act.zero, typeMin(act.out), typeMax(act.out));
  let n = 0;
  for (const t of act.thresholds[c]) if (x >= t) n++;
  return act.out.kind === 'bipolar' ? (n > 0 ? 1 : -1) : act.bias + n;
}
