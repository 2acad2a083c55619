/** The completion site scanner (pure): which context the cursor ‸ is in. */
import { describe, expect, it } from 'vitest';
import { completionContext, tokenize, type CompletionContextInfo } from '../../../server/src/lsp/completion-context.js';

function at(src: string): CompletionContextInfo {
  const offset = src.indexOf('‸');
  return completionContext(src.slice(0, offset) + src.slice(offset + 1), offset);
}

const HEAD = 'network t {\n  const F = 8\n  input x: u8[32, 4]\n  layer c1 = conv1d(x, filters=F, kernel=3, weights=i4(random, seed=1))\n';

describe('tokenize', () => {
  it('skips comments and whitespace, keeps strings, numbers with SI suffixes and >=', () => {
    const { tokens, inert } = tokenize('fps >= 5k // c\n/* b */ "a\\"b" x1');
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual(['id:fps', 'punct:>=', 'number:5k', 'string:"a\\"b"', 'id:x1']);
    expect(inert).toHaveLength(3);
  });
});

describe('completionContext', () => {
  it('network, member and layer sites', () => {
    expect(at('‸').site).toEqual({ kind: 'network' });
    expect(at('network t {\n  ‸\n}').site).toEqual({ kind: 'member' });
    expect(at(`${HEAD}  ‸\n}`).site).toEqual({ kind: 'member', afterLayer: { layer: 'c1', op: 'conv1d' } });
    expect(at(`${HEAD}  layer d = ‸`).site).toEqual({ kind: 'op' });
    expect(at(`${HEAD}  layer d = con‸`)).toMatchObject({ site: { kind: 'op' }, prefix: 'con' });
  });

  it('producers declared above (not the layer itself, not those below)', () => {
    const c = at(`${HEAD}  layer d = dense(‸)\n  layer e = maxpool(d, kernel=2)\n}`);
    expect(c.site).toEqual({ kind: 'producer', layer: 'd' });
    expect(c.declared.map((d) => `${d.kind} ${d.name}`)).toEqual(['const F', 'input x', 'layer c1']);
    expect(at(`${HEAD}  output ‸`).site).toEqual({ kind: 'producer' });
  });

  it('argument names and values', () => {
    expect(at(`${HEAD}  layer d = conv1d(c1, filters=2, ‸)`).site).toEqual({
      kind: 'argName',
      op: 'conv1d',
      layer: 'd',
      given: ['filters'],
    });
    expect(at(`${HEAD}  layer d = conv1d(c1, pad=‸)`).site).toEqual({ kind: 'argValue', op: 'conv1d', layer: 'd', arg: 'pad' });
    expect(at(`${HEAD}  layer d = conv1d(c1, kernel=F * ‸)`).site).toEqual({ kind: 'expr' });
    expect(at(`${HEAD}  layer d = conv1d(c1, kernel=F * (‸`).site).toEqual({ kind: 'expr' });
    expect(at(`${HEAD}  layer d = threshold(c1, out=u2, thresholds=[1, ‸`).site).toEqual({ kind: 'expr' });
    expect(at(`${HEAD}  layer d = dense(c1, weights=pow2<3>(‸`).site).toEqual({ kind: 'sourceArg', afterRandom: false });
    expect(at(`${HEAD}  layer d = dense(c1, weights=i4(random, ‸`).site).toEqual({ kind: 'sourceArg', afterRandom: true });
    expect(at(`${HEAD}  layer d = dense(c1, weights=i4(random, seed=‸`).site).toEqual({ kind: 'expr' });
  });

  it('fold names and values', () => {
    expect(at(`${HEAD}  layer d = dense(c1, units=2) ‸`).site).toEqual({ kind: 'fold', layer: 'd', op: 'dense' });
    expect(at(`${HEAD}  layer d = dense(c1, units=2) fold(‸`).site).toEqual({ kind: 'foldName', op: 'dense', layer: 'd', given: [] });
    expect(at(`${HEAD}  layer d = dense(c1, units=2) fold(pe=2, ‸)`).site).toEqual({
      kind: 'foldName',
      op: 'dense',
      layer: 'd',
      given: ['pe'],
    });
    expect(at(`${HEAD}  layer d = dense(c1, units=2) fold(pe=2, simd=‸)`).site).toEqual({
      kind: 'foldValue',
      op: 'dense',
      layer: 'd',
      which: 'simd',
      other: { pe: '2' },
    });
  });

  it('target, input and test sites', () => {
    expect(at('network t {\n  target ‸').site).toEqual({ kind: 'device' });
    expect(at('network t {\n  target xc7z0‸').prefix).toBe('xc7z0');
    expect(at('network t {\n  target xc7z020 @ 200 ‸').site).toEqual({ kind: 'freqUnit' });
    expect(at('network t {\n  target xc7z020 @ 200 MHz, ‸').site).toEqual({ kind: 'targetOption', given: [] });
    expect(at('network t {\n  target xc7z020 @ 200 MHz, board ‸').site).toEqual({ kind: 'board', device: 'xc7z020' });
    expect(at('network t {\n  input x: ‸').site).toEqual({ kind: 'inputType' });
    expect(at('network t {\n  const N = 3\n  input x: u8[N, ‸').site).toEqual({ kind: 'expr' });
    expect(at('network t {\n  test "a" { frames=1, ‸ }').site).toEqual({ kind: 'testArg', given: ['frames'] });
  });

  it('nothing in comments, strings or after the network', () => {
    expect(at(`${HEAD}  // layer d = ‸`).site).toEqual({ kind: 'none' });
    expect(at(`${HEAD}  layer d = dense(c1, weights=i4("a‸b.npy"))`).site).toEqual({ kind: 'none' });
    expect(at('network t {\n}\n‸').site).toEqual({ kind: 'none' });
  });

  it('the word being typed is replaced whole', () => {
    const c = at(`${HEAD}  layer d = conv1d(c1, fil‸ters=2)`);
    expect(c.prefix).toBe('fil');
    expect(c.replaceEnd - c.replaceStart).toBe('filters'.length);
  });
});
