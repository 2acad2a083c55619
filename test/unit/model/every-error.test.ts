/**
 * One analysis reports every error (issue 6, item 4): a layer with an error still hands its
 * consumers the shape and type its declaration gives, so every later layer is analysed and
 * reports its own errors — and only its own (an error is never reported again downstream).
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-types';
import { check } from './helpers.js';

/** The text without its ⟦ ⟧ markers, and the range of each marked span (in order). */
function marked(src: string): { text: string; spans: Array<{ start: Pos; end: Pos; text: string }> } {
  const spans: Array<{ start: Pos; end: Pos; text: string }> = [];
  let text = '';
  let open: Pos | undefined;
  let openAt = 0;
  let line = 0;
  let col = 0;
  for (const ch of src) {
    if (ch === '⟦') {
      open = { line, character: col };
      openAt = text.length;
      continue;
    }
    if (ch === '⟧') {
      spans.push({ start: open!, end: { line, character: col }, text: text.slice(openAt) });
      continue;
    }
    text += ch;
    if (ch === '\n') {
      line++;
      col = 0;
    } else col += ch.length;
  }
  return { text, spans };
}
type Pos = { line: number; character: number };

function at(d: Diagnostic): string {
  return `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
}

describe('an analysis that reports every error', () => {
  it('reports one different error in each of five layers, each on its own token', async () => {
    const { text, spans } = marked(`network five {
  target xc7z020 @ 100 MHz
  input x: u4[8, 2]
  layer c1 = conv1d(x, filters=2, kernel=2, weights=⟦i2([1, 0, -1, 3, 0, 1, 1, -2])⟧)
  layer t2 = threshold(c1, out=u2, thresholds=⟦[5, 2, 9]⟧)
  layer d3 = dense(t2, units=4, weights=i4(random, seed=1), acc=⟦i6⟧)
  layer d4 = dense(d3, units=2, weights=⟦pow2<3>([1, 2, 3, 0, 4, -4, 1, 0])⟧)
  layer r5 = requant(d4, out=u4, scale=0.01) fold(pe=⟦3⟧)
  output r5
}
`);
    const { analysis, diagnostics } = await check(text);
    const want = ['QNN030', 'QNN033', 'QNN031', 'QNN034', 'QNN041'].map(
      (code, i) => `${code}@${spans[i].start.line}:${spans[i].start.character}-${spans[i].end.line}:${spans[i].end.character}`,
    );
    // Exactly these five: nothing downstream repeats an error upstream.
    expect(diagnostics.map(at)).toEqual(want);
    const byCode = new Map(diagnostics.map((d) => [String(d.code), d.message]));
    expect(byCode.get('QNN030')).toContain('does not fit i2');
    expect(byCode.get('QNN033')).toContain('5 comes before 2');
    // d3 reads t2's declared u2[7, 2]: MW = 14, bound 14 · (−8 · 3) … 14 · (7 · 3) = −336 … 294.
    expect(byCode.get('QNN031')).toContain('reaches 294');
    expect(byCode.get('QNN031')).toContain('it needs i10');
    expect(byCode.get('QNN034')).toContain('holds 3 at flat index 2');
    // r5's channels come from d4's declaration (units=2), though d4 has an error.
    expect(byCode.get('QNN041')).toContain('does not divide the 2 channels');
    expect(analysis.network.complete).toBe(false);
  });

  it('hands on the shape the declaration gives: a later layer reports its own shape error', async () => {
    // c1 has a bad weight; its output is still [7, 2] (kernel 2 over 8, filters=2), so d2 needs 14 inputs per unit.
    const { diagnostics } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u4[8, 2]
  layer c1 = conv1d(x, filters=2, kernel=2, weights=i2([1, 0, -1, 3, 0, 1, 1, -2]))
  layer r1 = requant(c1, out=u4, scale=0.1)
  layer d2 = dense(r1, units=2, weights=i4([1, 2, 3]))
  output d2
}
`);
    expect(diagnostics.map((d) => d.code)).toEqual(['QNN030', 'QNN020']);
    expect(diagnostics[1].message).toContain('this layer needs [2, 14] = 28');
  });

  it('models the layers after an activation with an error from its declared out= type', async () => {
    const { analysis, codes } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u8[16]
  layer d1 = dense(x, units=8, weights=i4(random, seed=1))
  layer t1 = threshold(d1, out=u2, thresholds=[1, 2])
  layer d2 = dense(t1, units=4, weights=i4(random, seed=2))
  output d2
}
`);
    expect(codes).toEqual(['QNN032']);
    const net = analysis.network;
    expect(net.layers.map((l) => l.name)).toEqual(['d1', 'd2']);
    const d2 = net.layers[1];
    expect(d2.inShape).toEqual([8]);
    expect(d2.inType).toEqual({ kind: 'uint', bits: 2 });
    // The engines are those whose stream is known: after the layer with the error.
    expect(net.engines.map((e) => e.name)).toEqual(['d2']);
    expect(net.complete).toBe(false);
  });

  it('does not check an accumulator against a type that stands in for an error upstream', async () => {
    // d1's weights are unusable, so its type is the bound of i4 × u8 over 4 inputs (i14), an
    // upper bound. With the 9 fixed to 7, d1 needs i12 and d2's acc=i13 holds its bound
    // (±4,096); against the stand-in it would not (it would need i15): not d2's error.
    const { analysis, codes, diagnostics } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u8[4]
  layer d1 = dense(x, units=2, weights=i4([1, 0, 9, 0, 0, 1, 0, 0]))
  layer d2 = dense(d1, units=2, weights=i4([1, 1, 1, 1]), acc=i13)
  layer d3 = dense(d2, units=2, weights=i4([1, 1, 1, 1]), acc=i12)
  output d3
}
`);
    // d2's declared acc=i13 is certain again, so d3's own QNN031 (it needs i14) is reported.
    expect(codes).toEqual(['QNN030', 'QNN031']);
    expect(diagnostics[1].message).toContain('acc=i12 is too narrow');
    expect(diagnostics[1].message).toContain('it needs i14');
    expect(analysis.network.layers.map((l) => l.name)).toEqual([]);
  });

  it('does not report a bipolar operand that only stands in for an error', async () => {
    // requant rejects out=bipolar (QNN030); its output flows on as a guess, and the pad of c2
    // (not allowed on a bipolar tensor) is not reported against it.
    const { codes } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u8[16, 2]
  layer r1 = requant(x, out=bipolar, scale=0.5)
  layer c2 = conv1d(r1, filters=2, kernel=3, pad=1, weights=i2(random))
  output c2
}
`);
    expect(codes).toEqual(['QNN030']);
  });

  it('stays silent after a layer whose shape is unknown, and reports no unreachable layer through it', async () => {
    const { codes } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u8[8, 2]
  layer c1 = conv1d(x, filters=2, kernel=99, weights=i2(random))
  layer c2 = conv1d(c1, filters=2, kernel=3, weights=i2(random), acc=i2)
  output c2
}
`);
    expect(codes).toEqual(['QNN020']);
  });

  it('reports QNN012 and QNN014 across a layer with an error', async () => {
    const { diagnostics } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u8[8, 2]
  layer a = maxpool(x, kernel=2)
  layer b = maxpool(a, kernel=99)
  layer c = maxpool(x, kernel=2)
  layer tail = maxpool(b, kernel=1)
  output b
}
`);
    expect(diagnostics.map((d) => d.code)).toEqual(['QNN020', 'QNN014', 'QNN012', 'QNN012']);
    expect(diagnostics[0].message).toContain('kernel 99 is larger than the input (4)');
    expect(diagnostics[1].message).toContain("'x' already feeds 'a'");
    expect(diagnostics[2].message).toContain("layer 'c' never reaches the output 'b'");
    expect(diagnostics[3].message).toContain("layer 'tail' never reaches the output 'b'");
  });

  it('keeps a layer whose fold is wrong out of the compiled network: complete stays false', async () => {
    const { analysis, codes } = await check(`network t {
  target xc7z020 @ 100 MHz
  input x: u8[8, 2]
  layer p = maxpool(x, kernel=2) fold(pe=0)
  layer r = requant(p, out=u4, scale=0.5) fold(pe=3)
  output r
}
`);
    expect(codes).toEqual(['QNN030', 'QNN041']);
    expect(analysis.network.complete).toBe(false);
  });
});
