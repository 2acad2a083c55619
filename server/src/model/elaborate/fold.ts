/**
 * Folding checks (language.md §8): the fold arguments an operator takes (QNN010), their
 * values (QNN030), PE dividing MH or the channels (QNN041), SIMD dividing MW (QNN040) and
 * feeding whole channels or kernel positions (QNN042), and a fold on an activation fused
 * into its MVAU (QNN045). An unfolded layer under `fps >=` is marked 'auto': auto-folding
 * (folding.ts) chooses its fold after elaboration.
 */
import type * as ast from '../../language/generated/ast.js';
import { isActivation, isMvau } from '../engines.js';
import { legalMmvs, mmvBaseFold, nearest, targetCyclesOf, validPes, validSimds } from '../folding.js';
import { recordIllegalFold } from '../illegal-fold.js';
import type { FoldArgName, OperatorSpec } from '../operators.js';
import { propRange } from '../ranges.js';
import type { LayerModel } from '../types.js';
import { LayerAbort, type Elab } from './context.js';
import { evalInt } from './expressions.js';

/**
 * Checks a layer's `fold(…)` and applies it to the model when there is one. False when a
 * fold value is not an integer ≥ 1 (or is still being typed): the fold is then unknown, and
 * the layer stays out of the model (its shape and type are still handed on).
 */
export function checkFold(cx: Elab, l: ast.Layer, spec: OperatorSpec, m: LayerModel | undefined): boolean {
  const given: Partial<Record<FoldArgName, number>> = {};
  let valuesOk = true;
  for (const f of l.fold?.args ?? []) {
    if (!(spec.fold as readonly string[]).includes(f.name)) {
      const streams = f.name === 'simd' && !spec.fold.includes('simd') ? ` (${spec.op} streams PE channels per cycle)` : '';
      cx.error(
        'QNN010',
        `unknown fold argument '${f.name}' for ${spec.op}: it takes ${spec.fold.join(', ')}${streams}`,
        propRange(f, 'name'),
      );
      continue;
    }
    try {
      given[f.name as FoldArgName] = evalInt(cx, f.value, f.name, 1);
    } catch (e) {
      if (!(e instanceof LayerAbort)) throw e;
      valuesOk = false;
    }
  }
  if (!m) return valuesOk;
  if (!l.fold && targetCyclesOf(cx.net) !== undefined) {
    // Chosen after elaboration, from the engine descriptors' cycles (analysis/auto-fold).
    m.foldSource = 'auto';
    return valuesOk;
  }
  m.foldSource = l.fold ? 'explicit' : 'default';
  const { pe, simd } = given;
  if (isMvau(m)) {
    const cin = spec.spatialDims > 0 ? m.inShape[m.inShape.length - 1] : undefined;
    if (simd !== undefined) {
      const legal = validSimds(m.mw, cin);
      if (m.mw % simd !== 0) {
        cx.error(
          'QNN040',
          `SIMD ${simd} does not divide the input width MW = ${m.mw}${cin ? ` (K·Cin)` : ''}: valid SIMD values are ${legal.join(', ')}`,
          m.ranges.simd!,
          { property: 'simd', valid: legal, nearest: nearest(legal, simd), mw: m.mw },
        );
      } else if (cin !== undefined && !legal.includes(simd)) {
        cx.error(
          'QNN042',
          `SIMD ${simd} is neither a divisor of the ${cin} input channels nor a multiple of them that divides K·Cin = ${m.mw}: the window generator emits whole channels or whole kernel positions per word; valid SIMD values are ${legal.join(', ')}`,
          m.ranges.simd!,
          { property: 'simd', valid: legal, nearest: nearest(legal, simd) },
        );
      } else m.simd = simd;
    }
    if (pe !== undefined) {
      const legal = validPes(m.mh);
      if (m.mh % pe !== 0) {
        cx.error(
          'QNN041',
          `PE ${pe} does not divide the output width MH = ${m.mh}: valid PE values are ${legal.join(', ')}`,
          m.ranges.pe!,
          {
            property: 'pe',
            valid: legal,
            nearest: nearest(legal, pe),
            mh: m.mh,
          },
        );
      } else m.pe = pe;
    }
    checkMmv(cx, m, given.mmv);
    recordIllegalFold(m, given);
    return valuesOk;
  }
  if (pe !== undefined) {
    const channels = m.outShape[m.outShape.length - 1];
    const legal = validPes(channels);
    if (channels % pe !== 0) {
      cx.error(
        'QNN041',
        `PE ${pe} does not divide the ${channels} channels (MH) of '${m.name}': valid PE values are ${legal.join(', ')}`,
        m.ranges.pe!,
        { property: 'pe', valid: legal, nearest: nearest(legal, pe), mh: channels },
      );
    } else m.pe = pe;
  }
  checkMmv(cx, m, given.mmv);
  recordIllegalFold(m, given);
  return valuesOk;
}

/**
 * `mmv=M` (QNN046): M must be legal for the layer (legalMmvs), and M > 1 multiplies an
 * engine that already computes one whole pixel per cycle (an MVAU with NF = SF = 1, a
 * streaming engine with PE = channels), so that every stream word holds M whole pixels.
 */
function checkMmv(cx: Elab, m: LayerModel, mmv: number | undefined): void {
  if (mmv === undefined || !m.ranges.mmv) return;
  const { values, rule } = legalMmvs(m);
  if (!values.includes(mmv)) {
    cx.error('QNN046', `mmv=${mmv} is not legal for '${m.name}': ${rule}; valid mmv values are ${values.join(', ')}`, m.ranges.mmv, {
      property: 'mmv',
      valid: values,
      nearest: nearest(values, mmv),
    });
    return;
  }
  const base = mmvBaseFold(m);
  if (mmv > 1 && (m.pe !== base.pe || (isMvau(m) && m.simd !== base.simd))) {
    const fold = isMvau(m) ? `pe=${base.pe}, simd=${base.simd}` : `pe=${base.pe}`;
    const what = isMvau(m) ? `NF = SF = 1: pe=${base.pe} (MH), simd=${base.simd} (MW)` : `pe=${base.pe} (all channels)`;
    cx.error(
      'QNN046',
      `mmv=${mmv} multiplies an engine that already computes one pixel per cycle: fold '${m.name}' fully first (${what}), i.e. fold(${fold}, mmv=${mmv})`,
      m.ranges.mmv,
      { property: 'mmv', fold: `fold(${fold}, mmv=${mmv})`, foldRange: m.ranges.fold },
    );
    return;
  }
  m.mmv = mmv;
}

/** A fold on an activation fused into an MVAU has no effect: it runs in the MVAU's PE lanes. */
export function checkFusedFolds(cx: Elab, explicit: ReadonlySet<string>): void {
  for (const l of cx.net.layers) {
    if (isActivation(l) && l.fusedInto && explicit.has(l.name) && l.ranges.fold) {
      const mvau = cx.net.layers.find((m) => m.name === l.fusedInto)!;
      cx.report(
        'QNN045',
        'warning',
        `'${l.name}' is fused into '${mvau.name}' and runs in its ${mvau.pe} PE lane(s): this fold has no effect; fold '${mvau.name}' instead`,
        l.ranges.fold,
        { fusedInto: mvau.name },
      );
    }
  }
}
