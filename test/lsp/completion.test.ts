/**
 * Completion through the built server, in each context of language.md §6: keywords,
 * operators, argument names per operator, types, devices, names in scope, `pad=` values
 * and the valid PE/SIMD divisors of a layer (from the model's MW/MH).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import type { CompletionItem } from 'vscode-languageserver-protocol';
import { applyEdits, EXAMPLES, fileUri, LspClient, positionAt } from './lsp-client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

let counter = 0;
/**
 * Completion at the ‸ in `src` (a fresh document each time). With `typedFrom`, the
 * document is first opened with that text and then edited into `src`, as when typing:
 * a layer being typed rarely parses, and its last parsed version supplies MW / MH.
 */
async function complete(
  src: string,
  typedFrom?: string,
): Promise<{ items: CompletionItem[]; labels: string[]; text: string; offset: number }> {
  const offset = src.indexOf('‸');
  if (offset < 0) throw new Error('no ‸ in source');
  const text = src.slice(0, offset) + src.slice(offset + 1);
  const uri = fileUri(path.join(EXAMPLES, 'peak_detector', `completion-${++counter}.qnn`));
  if (typedFrom !== undefined) {
    await client.open(uri, typedFrom);
    await client.change(uri, text);
  } else await client.open(uri, text);
  const items = await client.completion(uri, positionAt(text, offset));
  return { items, labels: items.map((i) => i.label), text, offset };
}

const HEAD = `network t {
  target xc7z020 @ 100 MHz, fps >= 1k

  const F = 8
  const K = 3

  input x: u8[32, 4]

  layer c1 = conv1d(x, filters=F, kernel=K, weights=i4(random, seed=1)) fold(pe=2, simd=4)
  layer r1 = requant(c1, out=u4, scale=0.01)
`;
const TAIL = `
  output r1
}
`;

describe('completion over LSP', () => {
  it('offers `network` in an empty file and member keywords in the body', async () => {
    expect((await complete('‸')).labels).toEqual(['network']);
    const body = await complete('network t {\n  ‸\n}\n');
    expect(body.labels).toEqual(expect.arrayContaining(['target', 'const', 'input', 'layer', 'output', 'test']));
    expect(body.labels).not.toContain('network');
    const afterLayer = await complete(`${HEAD}  ‸${TAIL}`);
    expect(afterLayer.labels).toEqual(expect.arrayContaining(['layer', 'output', 'test', 'fold']));
  });

  it('completes a keyword being typed, replacing the word', async () => {
    const r = await complete(`${HEAD}  lay‸${TAIL}`);
    const layer = r.items.find((i) => i.label === 'layer')!;
    expect(layer).toBeDefined();
    const edit = layer.textEdit as { range: { start: { character: number }; end: { character: number } }; newText: string };
    expect(edit.range.end.character - edit.range.start.character).toBe(3);
    expect(edit.newText.startsWith('layer ')).toBe(true);
  });

  it('offers the six operators after `layer x =`', async () => {
    const r = await complete(`${HEAD}  layer d = ‸${TAIL}`);
    expect(r.labels.sort()).toEqual(['conv1d', 'conv2d', 'dense', 'maxpool', 'requant', 'threshold']);
    expect(r.items.find((i) => i.label === 'dense')!.detail).toBe('dense(x, units, weights)');
  });

  it("offers the producers declared above as a layer's first argument, nearest first", async () => {
    const r = await complete(`${HEAD}  layer d = dense(‸)\n  layer e = maxpool(d, kernel=2)${TAIL}`);
    expect(r.labels).toEqual(['r1', 'c1', 'x']);
    expect(r.items.find((i) => i.label === 'x')!.detail).toBe('input · u8[32, 4]');
    expect(r.items.find((i) => i.label === 'r1')!.detail).toBe('layer · u4[30, 8]');
  });

  it('offers the producers at `output`', async () => {
    const r = await complete(`${HEAD}\n  output ‸\n}\n`);
    expect(r.labels).toEqual(['r1', 'c1', 'x']);
  });

  it('offers the argument names of the operator, minus those given, required first', async () => {
    const conv = await complete(`${HEAD}  layer d = conv1d(r1, filters=4, ‸)${TAIL}`);
    expect(conv.labels).toEqual(['kernel', 'weights', 'stride', 'pad', 'acc', 'mul']);
    expect(conv.items[0].textEdit && 'newText' in conv.items[0].textEdit ? conv.items[0].textEdit.newText : '').toBe('kernel=');
    const rq = await complete(`${HEAD}  layer d = requant(r1, ‸)${TAIL}`);
    expect(rq.labels).toEqual(['out', 'scale', 'zero', 'mbits']);
    const th = await complete(`${HEAD}  layer d = threshold(r1, out=u2, ‸)${TAIL}`);
    expect(th.labels).toEqual(['thresholds', 'bias']);
    const dense = await complete(`${HEAD}  layer d = dense(r1, un‸)${TAIL}`);
    expect(dense.labels).toEqual(['units', 'weights', 'acc', 'mul']);
  });

  it('offers auto, dsp and lut at mul=, each with what it does', async () => {
    const r = await complete(`${HEAD}  layer d = conv1d(r1, filters=4, kernel=3, weights=i4(random), mul=‸)${TAIL}`);
    expect(r.labels).toEqual(['auto', 'dsp', 'lut']);
    expect(r.items.find((i) => i.label === 'auto')!.detail).toContain('cheapest layers move to LUTs');
  });

  it('offers types for out=, acc= and input types; pow2 only for weights', async () => {
    const out = await complete(`${HEAD}  layer d = requant(c1, out=‸)${TAIL}`);
    expect(out.labels).toEqual(expect.arrayContaining(['u1', 'u16', 'i2', 'i16']));
    expect(out.labels).not.toContain('bipolar');
    expect(out.labels).toHaveLength(31);
    const thOut = await complete(`${HEAD}  layer d = threshold(c1, out=‸)${TAIL}`);
    // uB, bipolar, and iB (which needs a bias) for threshold's out: 16 + 15 + 1.
    expect(thOut.labels).toEqual(expect.arrayContaining(['bipolar', 'u2', 'i2']));
    expect(thOut.labels).toHaveLength(32);
    const input = await complete('network t {\n  input x: ‸\n}\n');
    expect(input.labels).toEqual(expect.arrayContaining(['u8', 'i8', 'bipolar']));
    expect(input.labels.some((l) => l.startsWith('pow2'))).toBe(false);
    const weights = await complete(`${HEAD}  layer d = dense(r1, units=2, weights=‸)${TAIL}`);
    expect(weights.labels).toEqual(expect.arrayContaining(['i4', 'u1', 'bipolar', 'pow2<N>']));
    const src = await complete(`${HEAD}  layer d = dense(r1, units=2, weights=i4(‸))${TAIL}`);
    expect(src.labels).toEqual(expect.arrayContaining(['random', '"file.npy"']));
  });

  it('preselects the inferred accumulator width at acc=', async () => {
    const typed = `${HEAD}  layer d = dense(r1, units=2, weights=i4(random, seed=2))${TAIL}`;
    const r = await complete(`${HEAD}  layer d = dense(r1, units=2, weights=i4(random, seed=2), acc=‸)${TAIL}`, typed);
    const pre = r.items.filter((i) => i.preselect);
    // 240 inputs of u4 (≤ 15) times i4 (−8 … 7): −28800 … 25200 needs i16.
    expect(pre.map((i) => i.label)).toEqual(['i16']);
    expect(pre[0].detail).toContain('-28800 … 25200');
  });

  it('offers same and valid at pad=, and consts in expressions', async () => {
    const pad = await complete(`${HEAD}  layer d = conv1d(r1, filters=4, kernel=3, pad=‸)${TAIL}`);
    expect(pad.labels).toEqual(['same', 'valid', 'F', 'K']);
    const expr = await complete(`${HEAD}  layer d = conv1d(r1, filters=‸)${TAIL}`);
    expect(expr.labels).toEqual(['F', 'K']);
    const inConst = await complete('network t {\n  const A = 2\n  const B = A * ‸\n}\n');
    expect(inConst.labels).toEqual(['A']);
    const dims = await complete('network t {\n  const N = 2\n  input x: u8[N, ‸]\n}\n');
    expect(dims.labels).toEqual(['N']);
  });

  it('offers devices after `target`, units after the clock, boards after `board`', async () => {
    const dev = await complete('network t {\n  target ‸\n}\n');
    expect(dev.labels).toEqual(expect.arrayContaining(['xc7z020', 'xczu9eg', 'ice40up5k']));
    expect(dev.items.find((i) => i.label === 'xc7z020')!.detail).toContain('53,200 LUT');
    const unit = await complete('network t {\n  target xc7z020 @ 100 ‸\n}\n');
    expect(unit.labels).toEqual(['MHz', 'kHz', 'GHz', 'Hz']);
    const opt = await complete('network t {\n  target xc7z020 @ 100 MHz, fps >= 5k, ‸\n}\n');
    expect(opt.labels).toEqual(['board', 'bandwidth']);
    const board = await complete('network t {\n  target xc7z020 @ 100 MHz, board ‸\n}\n');
    expect(board.labels).toEqual(['pynq-z1', 'pynq-z2']);
    // The KV260's K26 SOM: its part after `target`, its board after `board`.
    expect(dev.labels).toContain('xck26');
    expect(dev.items.find((i) => i.label === 'xck26')!.documentation).toEqual(expect.stringContaining('Boards: kv260'));
    const kv = await complete('network t {\n  target xck26 @ 150 MHz, board ‸\n}\n');
    expect(kv.labels).toEqual(['kv260']);
  });

  it('offers the valid PE / SIMD names and divisors at fold( / pe= / simd=', async () => {
    // c1: MW = K·Cin = 3·4 = 12, MH = 8. Valid SIMD (window generator): 1, 2, 4, 12; PE: 1, 2, 4, 8.
    const typed = `${HEAD}${TAIL}`;
    const names = await complete(`${HEAD.replace('fold(pe=2, simd=4)', 'fold(‸)')}${TAIL}`, typed);
    expect(names.labels).toEqual(['pe', 'simd', 'mmv']);
    expect(names.items[0].detail).toBe('valid: 1, 2, 4, 8');
    expect(names.items[1].detail).toBe('valid: 1, 2, 4, 12');
    // MMV divides the row's input and output widths (32 and 30: kernel 3, no padding).
    expect(names.items[2].detail).toBe('valid: 1, 2');
    const pe = await complete(`${HEAD.replace('fold(pe=2, simd=4)', 'fold(pe=‸)')}${TAIL}`, typed);
    expect(pe.labels).toEqual(['1', '2', '4', '8']);
    const simd = await complete(`${HEAD.replace('fold(pe=2, simd=4)', 'fold(pe=2, simd=‸)')}${TAIL}`, typed);
    expect(simd.labels).toEqual(['1', '2', '4', '12']);
    // cycles per frame with that SIMD (and PE 2): NF·SF·pixels = 4 · 12/4 · 30 = 360.
    expect(simd.items.find((i) => i.label === '4')!.detail).toBe('SF = 3 · 360 cycles/frame (current)');
    const typedPool = `${HEAD}  layer p = maxpool(r1, kernel=2)${TAIL}`;
    const onlyPe = await complete(`${HEAD}  layer p = maxpool(r1, kernel=2) fold(‸)${TAIL}`, typedPool);
    expect(onlyPe.labels).toEqual(['pe', 'mmv']);
    const fold = await complete(`${HEAD}  layer p = maxpool(r1, kernel=2) ‸${TAIL}`, typedPool);
    expect(fold.labels).toEqual(['fold']);
    const snippet = fold.items[0].textEdit && 'newText' in fold.items[0].textEdit ? fold.items[0].textEdit.newText : '';
    expect(snippet).toMatch(/^fold\(pe=\$\{1\|\d+(,\d+)*\|\}\)$/);
  });

  it('offers the test arguments inside a test block', async () => {
    const r = await complete(`${HEAD}${TAIL.replace('}', '  test "a" { frames=2, ‸ }\n}')}`);
    expect(r.labels).toEqual(['seed', 'input']);
  });

  it('offers nothing inside comments and strings', async () => {
    expect((await complete(`${HEAD}  // layer d = ‸${TAIL}`)).labels).toEqual([]);
    expect((await complete(`${HEAD}  layer d = dense(r1, units=2, weights=i4("w‸.npy"))${TAIL}`)).labels).toEqual([]);
  });

  it('re-opens the suggestions after an operator or argument name in VS Code only', async () => {
    const src = `${HEAD}  layer d = ‸${TAIL}`;
    expect((await complete(src)).items.every((i) => i.command === undefined)).toBe(true);
    const vscode = await LspClient.start({ clientName: 'Visual Studio Code' });
    try {
      const text = src.replace('‸', '');
      const u = fileUri(path.join(EXAMPLES, 'peak_detector', 'completion-vscode.qnn'));
      await vscode.open(u, text);
      const items = await vscode.completion(u, positionAt(text, src.indexOf('‸')));
      expect(items.find((i) => i.label === 'conv1d')!.command).toEqual({ title: 'suggest', command: 'editor.action.triggerSuggest' });
    } finally {
      await vscode.stop();
    }
  });

  it('an accepted completion gives text that parses', async () => {
    const typed = `${HEAD}  layer d = dense(r1, units=2, weights=i4(random, seed=2))${TAIL}`;
    const r = await complete(`${HEAD}  layer d = dense(r1, units=2, weights=i4(random, seed=2)) fold(pe=‸)${TAIL}`, typed);
    const two = r.items.find((i) => i.label === '2')!;
    const edit = two.textEdit as { range: import('vscode-languageserver-protocol').Range; newText: string };
    const text = applyEdits(r.text, [edit]);
    expect(text).toContain('fold(pe=2)');
  });
});
