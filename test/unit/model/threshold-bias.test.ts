/**
 * threshold's `bias` (issue 9, item 2): y = bias + Σ [x ≥ T], so signed and narrow outputs
 * (Brevitas' ternary {−1, 0, 1} is out=i2, bias=-1, two thresholds). Elaboration (the
 * parameters, QNN030 for a signed out without a bias or a value past `out`, QNN032 for
 * uneven counts), the layer hover, the golden model and the template parameters the engines emit.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-types';
import { activate } from '../../../server/src/golden/golden.js';
import { activationParams } from '../../../server/src/engines/activation.js';
import { compareForms, fabricOf } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { layerHover } from '../../../server/src/lsp/hover-content.js';
import type { Activation, RequantParams, ThresholdParams } from '../../../server/src/model/types.js';
import { check, net } from './helpers.js';

const DENSE = 'layer d = dense(x, units=4, weights=i2(random, seed=1))';

async function thresholdOf(text: string): Promise<ThresholdParams> {
  const { analysis, codes } = await check(text);
  expect(codes).toEqual([]);
  const t = analysis.network.layers.find((l) => l.op === 'threshold')!;
  return (t as { activation: ThresholdParams }).activation;
}

/** The one diagnostic of a text, and the source text its range covers. */
async function only(text: string): Promise<{ d: Diagnostic; covers: string }> {
  const { diagnostics } = await check(text);
  expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toHaveLength(1);
  const d = diagnostics[0];
  const lines = text.split('\n');
  expect(d.range.start.line).toBe(d.range.end.line);
  return { d, covers: lines[d.range.start.line].slice(d.range.start.character, d.range.end.character) };
}

describe('threshold bias: elaboration', () => {
  it('out=i2, bias=-1 with two thresholds is the ternary activation', async () => {
    const a = await thresholdOf(net(`${DENSE}\nlayer t = threshold(d, out=i2, bias=-1, thresholds=[-4, 4])`, { input: 'u8[8]' }));
    expect(a.bias).toBe(-1);
    expect(a.out).toEqual({ kind: 'int', bits: 2 });
    expect(a.thresholds).toEqual(Array(4).fill([-4, 4]));
  });

  it('takes a const expression, fewer than 2^B − 1 thresholds, and an unsigned out', async () => {
    const a = await thresholdOf(
      net(`${DENSE}\nlayer t = threshold(d, out=u3, bias=3 - 1, thresholds=[[1, 2], [3, 4], [5, 6], [7, 8]])`, { input: 'u8[8]' }),
    );
    expect(a.bias).toBe(2);
    expect(a.thresholds[3]).toEqual([7, 8]);
  });

  it('is 0 when not given (the plain count)', async () => {
    const a = await thresholdOf(net(`${DENSE}\nlayer t = threshold(d, out=u2, thresholds=[1, 2, 3])`, { input: 'u8[8]' }));
    expect(a.bias).toBe(0);
  });

  it('the layer hover shows the bias in the formula', async () => {
    const { analysis } = await check(net(`${DENSE}\nlayer t = threshold(d, out=i2, bias=-1, thresholds=[-4, 4])`, { input: 'u8[8]' }));
    const t = analysis.network.layers.find((l) => l.name === 't')!;
    expect(layerHover(analysis.network, t, analysis.estimate)).toContain(
      'threshold: `y = -1 + Σ [acc ≥ T]`, 2 per channel, shared: [-4, 4]',
    );
  });

  it('a signed out without a bias is QNN030 on the type, and proposes bias', async () => {
    const { d, covers } = await only(net(`${DENSE}\nlayer t = threshold(d, out=i2, thresholds=[-4, 4])`, { input: 'u8[8]' }));
    expect(d.code).toBe('QNN030');
    expect(covers).toBe('i2');
    expect(d.message).toContain('a signed out needs bias=');
  });

  it('one threshold too many for a signed out is QNN030 on the thresholds, naming the value past out', async () => {
    const { d, covers } = await only(net(`${DENSE}\nlayer t = threshold(d, out=i2, bias=-1, thresholds=[-4, 0, 4])`, { input: 'u8[8]' }));
    expect(d.code).toBe('QNN030');
    expect(covers).toBe('[-4, 0, 4]');
    expect(d.message).toBe('bias=-1 with 3 thresholds gives -1 … 2, and 2 does not fit out=i2 (-2 … 1)');
  });

  it('a bias below out is QNN030 on the bias', async () => {
    const { d, covers } = await only(net(`${DENSE}\nlayer t = threshold(d, out=i2, bias=-3, thresholds=[0])`, { input: 'u8[8]' }));
    expect(d.code).toBe('QNN030');
    expect(covers).toBe('-3');
    expect(d.message).toContain('-3 does not fit out=i2');
  });

  it('a negative bias on an unsigned out is QNN030', async () => {
    const { d } = await only(net(`${DENSE}\nlayer t = threshold(d, out=u2, bias=-1, thresholds=[0])`, { input: 'u8[8]' }));
    expect(d.code).toBe('QNN030');
    expect(d.message).toContain('-1 does not fit out=u2 (0 … 3)');
  });

  it('a non-integer bias, and a bias on a bipolar out, are QNN030', async () => {
    const half = await only(net(`${DENSE}\nlayer t = threshold(d, out=i2, bias=0.5, thresholds=[0])`, { input: 'u8[8]' }));
    expect(half.d.code).toBe('QNN030');
    expect(half.d.message).toBe('bias must be an integer, not 0.5');
    const bip = await only(net(`${DENSE}\nlayer t = threshold(d, out=bipolar, bias=1, thresholds=[0])`, { input: 'u8[8]' }));
    expect(bip.d.code).toBe('QNN030');
    expect(bip.covers).toBe('1');
    expect(bip.d.message).toContain('a bipolar threshold takes no bias');
  });

  it('with a bias, channels with different counts are QNN032', async () => {
    const { d } = await only(
      net(`${DENSE}\nlayer t = threshold(d, out=i4, bias=-2, thresholds=[[1, 2], [3, 4], [5], [7, 8]])`, { input: 'u8[8]' }),
    );
    expect(d.code).toBe('QNN032');
    expect(d.message).toBe('every channel needs the same number of thresholds: channel 0 has 2, channel 2 has 1');
  });

  it('without a bias the count is still exactly 2^B − 1 (QNN032)', async () => {
    const { d } = await only(net(`${DENSE}\nlayer t = threshold(d, out=u2, thresholds=[1, 2])`, { input: 'u8[8]' }));
    expect(d.code).toBe('QNN032');
    expect(d.message).toContain('out=u2 needs 3 thresholds');
  });
});

describe('threshold bias: golden model and template parameters', () => {
  const ternary: ThresholdParams = {
    kind: 'threshold',
    thresholds: [
      [-4, 4],
      [0, 0],
    ],
    bias: -1,
    out: { kind: 'int', bits: 2 },
  };

  it('y = bias + count, per channel', () => {
    const x = Int32Array.from([-5, -1, -4, 0, 3, 1, 4, -7, 100, 0]);
    // channel 0: thresholds −4, 4; channel 1: 0, 0.
    expect(Array.from(activate(ternary, x, 2))).toEqual([-1, -1, 0, 1, 0, 1, 1, -1, 1, 1]);
  });

  it('−7 … 7 from 14 thresholds and bias −7', () => {
    const ts = Array.from({ length: 14 }, (_, i) => i * 10);
    const a: ThresholdParams = { kind: 'threshold', thresholds: [ts], bias: -7, out: { kind: 'int', bits: 4 } };
    expect(Array.from(activate(a, Int32Array.from([-1, 0, 65, 130, 1000]), 1))).toEqual([-7, -6, 0, 7, 7]);
  });

  it('the engines pass the bias as ZERO next to N_THRESH, and on iCE40 compare on the carry chain', () => {
    expect(activationParams(ternary, fabricOf(findDevice('xc7z020')))).toEqual([
      ['N_THRESH', 2],
      ['ZERO', -1],
    ]);
    expect(activationParams(ternary, fabricOf(findDevice('ice40up5k')))).toEqual([
      ['N_THRESH', 2],
      ['ZERO', -1],
      ['CMP_CARRY', 1],
    ]);
  });

  it("the template's comparison options follow compareForms, the one place the estimate reads too", () => {
    const requant: RequantParams = {
      kind: 'requant',
      scales: [0.25],
      multipliers: [1],
      shifts: [2],
      zero: 0,
      mbits: 1,
      out: { kind: 'uint', bits: 4 },
    };
    for (const device of ['xc7z020', 'xczu7ev', 'ice40up5k', 'ice40hx8k']) {
      const fab = fabricOf(findDevice(device));
      const forms = compareForms(fab);
      expect(forms, device).toEqual({ carryThresholds: fab.family === 'ice40', clampTests: fab.family === 'ice40' });
      const has = (act: Activation, option: string): boolean => activationParams(act, fab).some(([k]) => k === option);
      expect(has(ternary, 'CMP_CARRY'), device).toBe(forms.carryThresholds);
      expect(has(requant, 'CLAMP_TEST'), device).toBe(forms.clampTests);
    }
  });
});
