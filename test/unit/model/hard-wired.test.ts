/**
 * Hard-wired weights (an MVAU at NF = SF = 1): the compiler passes the one weight word as
 * qnn_mvau's WEIGHT_WORD parameter with HARD_WIRED = 1 instead of a one-word ROM file, so
 * synthesis folds the constants before it maps the arithmetic (engines-contract.md). The
 * RTL's values are checked in test/hw/engines/mvau.test.ts (HARD_WIRED cases) and by the
 * MMV networks (test/hw/mmv.test.ts), whose engines are all hard-wired.
 */
import { describe, expect, it } from 'vitest';
import { fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { descriptorOf } from '../../../server/src/engines/registry.js';
import { weightMem } from '../../../server/src/engines/rom-layout.js';
import type { MvauLayer } from '../../../server/src/model/types.js';
import { check, net } from './helpers.js';

/** The helpers' default target (xc7z020). */
const XC7 = fabricOf(findDevice('xc7z020'));

const dense = (fold: string) => `layer d = dense(x, units=4, weights=i3(random, seed=4)) ${fold}`;

async function engineOf(text: string) {
  const r = await check(text);
  expect(r.codes.filter((c) => c < 'QNN043')).toEqual([]);
  return r.analysis.network.engines[0];
}

describe('hard-wired weights', () => {
  it('a full fold passes the weight word as a parameter (HARD_WIRED = 1) and writes no weight ROM', async () => {
    const e = await engineOf(net(dense('fold(pe=4, simd=64)')));
    const d = descriptorOf(e);
    const [mvau] = d.instances(e, XC7);
    const params = Object.fromEntries(mvau.params);
    const l = e.layer as MvauLayer;
    expect(params.HARD_WIRED).toBe(1);
    expect(params.WEIGHT_FILE).toBeUndefined();
    // PE·SIMD·W_BITS bits, the ROM's one word as rom-layout.ts lays it out.
    expect(params.WEIGHT_WORD).toEqual({ sv: `${4 * 64 * 3}'h${weightMem(l, 4, 64, l.weights.type).trim()}` });
    expect(d.roms(e).map((r) => r.role)).toEqual([]);
  });

  it('a folded MVAU reads its weights from the ROM file', async () => {
    const e = await engineOf(net(dense('fold(pe=2, simd=16)')));
    const d = descriptorOf(e);
    const params = Object.fromEntries(d.instances(e, XC7)[0].params);
    expect(params.HARD_WIRED).toBeUndefined();
    expect(params.WEIGHT_FILE).toBe('d_weights.mem');
    expect(d.roms(e).map((r) => r.file)).toEqual(['d_weights.mem']);
  });

  it('an MMV conv passes the word to its lockstep copies (qnn_mvau_mmv)', async () => {
    const e = await engineOf(
      net('layer c = conv1d(x, filters=4, kernel=3, pad=same, weights=i2(random, seed=1)) fold(pe=4, simd=12, mmv=2)'),
    );
    const mmv = descriptorOf(e)
      .instances(e, XC7)
      .find((t) => t.module === 'qnn_mvau_mmv')!;
    const params = Object.fromEntries(mmv.params);
    expect(params.HARD_WIRED).toBe(1);
    expect((params.WEIGHT_WORD as { sv: string }).sv).toMatch(/^96'h[0-9a-f]{24}$/);
  });
});
