/**
 * QNN035: an activation whose output is the same for every value it can receive (a requant
 * scale that rounds the whole input range to one value, thresholds all below or above it).
 * Such a layer carries no information: synthesis removes it and everything before it, and
 * the network's answers do not depend on its input. The range is the fused accumulator's
 * exact bounds when an MVAU feeds the activation, else the input type's.
 */
import { activationValue } from '../activation-value.js';
import { isMvau } from '../engines.js';
import { typeMax, typeMin } from '../qtype.js';
import type { Activation, ActivationLayer, LayerModel } from '../types.js';
import type { Elab } from './context.js';

/** Each channel's one output, when every channel gives one value over its whole input range; else undefined. */
export function constantOutputs(a: Activation, channels: number, min: number, max: number): number[] | undefined {
  // Both activations are monotone non-decreasing in x: the ends decide.
  const values: number[] = [];
  for (let c = 0; c < channels; c++) {
    const lo = activationValue(a, c, min);
    if (activationValue(a, c, max) !== lo) return undefined;
    values.push(lo);
  }
  return values;
}

export function checkConstantActivations(cx: Elab, layers: readonly LayerModel[]): void {
  // Ranges are only known once the network elaborates cleanly.
  if (cx.diags.some((d) => d.severity === 'error')) return;
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const l of layers) {
    if (l.op !== 'requant' && l.op !== 'threshold') continue;
    const act = (l as ActivationLayer).activation;
    const producer = byName.get(l.input);
    // After an MVAU the values are its accumulator's, whose exact bounds are known.
    const mvau = producer && isMvau(producer) ? producer : undefined;
    const [min, max] = mvau ? [mvau.acc.min, mvau.acc.max] : [typeMin(l.inType), typeMax(l.inType)];
    const channels = l.inShape[l.inShape.length - 1];
    const values = constantOutputs(act, channels, min, max);
    if (values === undefined) continue;
    const same = values.every((v) => v === values[0]);
    const why =
      act.kind === 'requant'
        ? `every input in [${min}, ${max}]${mvau ? ` (the accumulator of '${mvau.name}')` : ''} scales and rounds to the same value: check the scale`
        : `every threshold lies at or below ${min} or above ${max}${mvau ? ` (the accumulator of '${mvau.name}')` : ''}: check the thresholds`;
    cx.report(
      'QNN035',
      'warning',
      `${l.op} '${l.name}' outputs ${same ? values[0] : 'one value per channel'} for every input: ${why}. The network's answers do not depend on what comes before it, and synthesis removes those layers`,
      l.ranges.name,
    );
  }
}
