/**
 * Inlay hints, quick fixes (QNN040 / QNN041 / QNN044 / QNN051), the code lens on `target`
 * and the `qnn/analysis` request, through the built server. Quick fixes are applied, the
 * document re-checked, and the diagnostic must be gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import type { Estimate } from '../../server/src/cost/estimate.js';
import { formatSI } from '../../server/src/model/numbers.js';
import { applyEdits, EXAMPLES, fileUri, LspClient, positionAt, rangeText, readExample } from './lsp-client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

let counter = 0;
function uri(): string {
  return fileUri(path.join(EXAMPLES, 'peak_detector', `actions-${++counter}.qnn`));
}

const NET = (fold: string, target = 'xc7z020 @ 100 MHz') => `network t {
  target ${target}

  input x: u8[32, 4]

  layer c1 = conv1d(x, filters=8, kernel=3, weights=i4(random, seed=1)) ${fold}
  layer r1 = requant(c1, out=u4, scale=0.01)
  layer d1 = dense(r1, units=4, weights=i4(random, seed=2)) fold(pe=1, simd=8)

  output d1
}
`;

async function fixes(u: string, d: Diagnostic): Promise<CodeAction[]> {
  const actions = await client.codeActions(u, d.range, [d]);
  return actions.filter((a): a is CodeAction => 'edit' in a || 'kind' in a);
}

/** Applies a code action's edit to the open document and returns the new diagnostics. */
async function apply(u: string, a: CodeAction): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const edits = a.edit!.changes![u] as TextEdit[];
  const text = applyEdits(client.text(u), edits);
  return { text, diagnostics: await client.change(u, text) };
}

describe('quick fixes', () => {
  it('QNN040: one action per nearest valid SIMD; applying one removes the error', async () => {
    const u = uri();
    const ds = await client.open(u, NET('fold(pe=2, simd=5)'));
    const d = ds.find((x) => x.code === 'QNN040')!;
    expect(d.data).toMatchObject({ nearest: [1, 2, 4] });
    const actions = await fixes(u, d);
    expect(actions.map((a) => a.title)).toEqual(['Change SIMD to 1', 'Change SIMD to 2', 'Change SIMD to 4']);
    expect(actions.every((a) => a.kind === 'quickfix')).toBe(true);
    expect(actions.filter((a) => a.isPreferred).map((a) => a.title)).toEqual(['Change SIMD to 4']);
    const { text, diagnostics } = await apply(u, actions[2]);
    expect(text).toContain('fold(pe=2, simd=4)');
    expect(diagnostics.filter((x) => x.code === 'QNN040')).toEqual([]);
    expect(diagnostics.filter((x) => x.severity === 1)).toEqual([]);
  });

  it('QNN041: one action per nearest valid PE; applying one removes the error', async () => {
    const u = uri();
    const ds = await client.open(u, NET('fold(pe=3, simd=4)'));
    const d = ds.find((x) => x.code === 'QNN041')!;
    expect(rangeText(client.text(u), d.range)).toBe('3');
    const actions = await fixes(u, d);
    expect(actions.map((a) => a.title)).toEqual(['Change PE to 1', 'Change PE to 2', 'Change PE to 4']);
    const preferred = actions.find((a) => a.isPreferred)!;
    expect(preferred.title).toBe('Change PE to 2');
    const { text, diagnostics } = await apply(u, preferred);
    expect(text).toContain('fold(pe=2, simd=4)');
    expect(diagnostics.filter((x) => x.code === 'QNN041')).toEqual([]);
  });

  it('QNN041 on a streaming layer (PE divides the channels)', async () => {
    const u = uri();
    const text = NET('fold(pe=2, simd=4)')
      .replace('layer d1', 'layer p = maxpool(r1, kernel=2) fold(pe=3)\n  layer d1')
      .replace('dense(r1', 'dense(p');
    const ds = await client.open(u, text);
    const d = ds.find((x) => x.code === 'QNN041')!;
    const actions = await fixes(u, d);
    expect(actions.map((a) => a.title)).toEqual(['Change PE to 1', 'Change PE to 2', 'Change PE to 4']);
    const { diagnostics } = await apply(
      u,
      actions.find((a) => a.isPreferred)!,
    );
    expect(diagnostics.filter((x) => x.code === 'QNN041')).toEqual([]);
  });

  it('QNN044: applies the smaller fold, with the LUTs saved in the title', async () => {
    const u = uri();
    // u4 input: LUT multipliers (u8 × i4 products are DSP48s, and fewer lanes would not save LUTs).
    const ds = await client.open(u, NET('fold(pe=8, simd=4)').replace('u8[32, 4]', 'u4[32, 4]'));
    const d = ds.find((x) => x.code === 'QNN044')!;
    expect(d.severity).toBe(4);
    expect(rangeText(client.text(u), d.range)).toBe('fold(pe=8, simd=4)');
    const data = d.data as { fold: string; lutSaved: number };
    const actions = await fixes(u, d);
    expect(actions.map((a) => a.title)).toEqual([`Apply ${data.fold} (saves about ${data.lutSaved.toLocaleString('en-US')} LUTs)`]);
    const before = (await client.analysis(u)) as Estimate;
    const { text, diagnostics } = await apply(u, actions[0]);
    expect(text).toContain(data.fold);
    expect(diagnostics.filter((x) => x.code === 'QNN044' && x.range.start.line === d.range.start.line)).toEqual([]);
    const after = (await client.analysis(u)) as Estimate;
    expect(after.ii_cycles).toBe(before.ii_cycles);
    expect(before.totals.lut - after.totals.lut).toBeGreaterThan(0);
  });

  it('QNN045: removes a fold that has no effect', async () => {
    const u = uri();
    const ds = await client.open(u, NET('fold(pe=2, simd=4)').replace('scale=0.01)', 'scale=0.01) fold(pe=4)'));
    const d = ds.find((x) => x.code === 'QNN045')!;
    const actions = await fixes(u, d);
    expect(actions.map((a) => a.title)).toEqual(["Remove the fold (it has no effect: fold 'c1' instead)"]);
    const { text, diagnostics } = await apply(u, actions[0]);
    expect(text).toContain('layer r1 = requant(c1, out=u4, scale=0.01)\n');
    expect(diagnostics.filter((x) => x.code === 'QNN045')).toEqual([]);
  });

  it('QNN047: removes a mul= that has no effect', async () => {
    const u = uri();
    const ds = await client.open(
      u,
      NET('fold(pe=2, simd=4)').replace('weights=i4(random, seed=2))', 'weights=pow2<3>(random, seed=2), mul=lut)'),
    );
    const d = ds.find((x) => x.code === 'QNN047')!;
    const actions = await fixes(u, d);
    expect(actions.map((a) => a.title)).toEqual(['Remove mul=lut (it has no effect here)']);
    const { text, diagnostics } = await apply(u, actions[0]);
    expect(text).toContain('layer d1 = dense(r1, units=4, weights=pow2<3>(random, seed=2)) fold(pe=1, simd=8)\n');
    expect(diagnostics.filter((x) => x.code === 'QNN047')).toEqual([]);
  });

  it('QNN051: applies the fold of the bottleneck that meets fps >=', async () => {
    const u = uri();
    // 100 MHz / 500k = 200 cycles; c1 takes NF·SF·pixels = 4 · 3 · 30 = 360.
    const ds = await client.open(u, NET('fold(pe=2, simd=4)', 'xc7z020 @ 100 MHz, fps >= 500k'));
    const d = ds.find((x) => x.code === 'QNN051')!;
    expect(rangeText(client.text(u), d.range)).toBe('c1');
    const actions = await fixes(u, d);
    expect(actions).toHaveLength(1);
    const { diagnostics } = await apply(u, actions[0]);
    expect(diagnostics.filter((x) => x.code === 'QNN051')).toEqual([]);
  });

  it('finds the payload itself when the client sends the diagnostic without data', async () => {
    const u = uri();
    const ds = await client.open(u, NET('fold(pe=2, simd=5)'));
    const { data: _data, ...bare } = ds.find((x) => x.code === 'QNN040')!;
    expect((await fixes(u, bare)).map((a) => a.title)).toEqual(['Change SIMD to 1', 'Change SIMD to 2', 'Change SIMD to 4']);
  });
});

describe('inlay hints', () => {
  it('after each layer: output type and shape, cycles per frame, and the auto-chosen fold', async () => {
    const ex = readExample('pow2_net');
    await client.open(ex.uri, ex.text);
    const est = (await client.analysis(ex.uri)) as Estimate;
    const hints = await client.inlayHints(ex.uri);
    const lines = ex.text.split('\n');
    const byLayer = new Map<string, string[]>();
    for (const h of hints) {
      const name = /layer (\w+)/.exec(lines[h.position.line])![1];
      byLayer.set(name, [...(byLayer.get(name) ?? []), typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')]);
      expect(h.position.character).toBe(lines[h.position.line].length);
    }
    for (const l of est.layers) {
      const labels = byLayer.get(l.name)!;
      const shape = `${l.out_type}[${l.out_shape.join(', ')}]`;
      if (l.fused_into) {
        expect(labels).toEqual([`→ ${shape} · in ${l.fused_into}`]);
      } else {
        expect(l.fold_source).toBe('auto');
        const fold = l.op === 'maxpool' ? `fold(pe=${l.pe})` : `fold(pe=${l.pe}, simd=${l.simd})`;
        expect(labels).toEqual([fold, `→ ${shape} · ${formatSI(l.cycles)} cyc${l.bottleneck ? ' (bottleneck)' : ''}`]);
      }
    }
  });

  it('writing the hinted folds into the file changes nothing in the estimate', async () => {
    const ex = readExample('pow2_net');
    const u = ex.uri.replace('pow2_net.qnn', 'pow2_net-folded.qnn');
    await client.open(u, ex.text);
    const before = (await client.analysis(u)) as Estimate;
    const edits = (await client.inlayHints(u)).flatMap((h) => h.textEdits ?? []);
    expect(edits.length).toBeGreaterThan(0);
    const text = applyEdits(ex.text, edits);
    expect(text).toMatch(/layer c1 = conv2d\(.*\)\) fold\(pe=\d+, simd=\d+\)/);
    const ds = await client.change(u, text);
    expect(ds.filter((d) => d.severity === 1)).toEqual([]);
    const after = (await client.analysis(u)) as Estimate;
    expect(after.layers.map((l) => [l.name, l.pe, l.simd, l.cycles, l.fold_source])).toEqual(
      before.layers.map((l) => [l.name, l.pe, l.simd, l.cycles, l.fold_source === 'auto' ? 'explicit' : l.fold_source]),
    );
    expect(after.fps).toBe(before.fps);
    expect(await client.inlayHints(u).then((hs) => hs.filter((h) => (h.textEdits ?? []).length > 0))).toEqual([]);
  });

  it('follow the qnn.inlayHints.enabled setting', async () => {
    const off = await LspClient.start({ settings: { qnn: { inlayHints: { enabled: false } } } });
    try {
      const ex = readExample('peak_detector');
      await off.open(ex.uri, ex.text);
      expect(await off.inlayHints(ex.uri)).toEqual([]);
      await off.changeSettings({ qnn: { inlayHints: { enabled: true } } });
      await expect.poll(() => off.inlayHintRefreshes).toBeGreaterThan(0);
      expect((await off.inlayHints(ex.uri)).length).toBeGreaterThan(0);
    } finally {
      await off.stop();
    }
  });

  it('only for layers in the requested range', async () => {
    const ex = readExample('peak_detector');
    await client.open(ex.uri, ex.text);
    const line = ex.text.split('\n').findIndex((l) => l.includes('layer c2'));
    const hints = await client.inlayHints(ex.uri, { start: { line, character: 0 }, end: { line, character: 5 } });
    expect(hints.map((h) => h.position.line)).toEqual([line]);
  });
});

describe('code lens on target', () => {
  it("shows the network's frames/s and its largest device usage", async () => {
    const ex = readExample('peak_detector');
    await client.open(ex.uri, ex.text);
    const est = (await client.analysis(ex.uri)) as Estimate;
    const lenses = await client.codeLenses(ex.uri);
    expect(lenses).toHaveLength(1);
    expect(rangeText(ex.text, lenses[0].range)).toBe('target');
    const pct = est.device_pct;
    const [key, value] = (Object.entries(pct) as Array<[string, number]>).sort((a, b) => b[1] - a[1])[0];
    const label = { lut: 'LUT', ff: 'FF', bram18: 'BRAM18', dsp: 'DSP' }[key];
    expect(lenses[0].command!.title).toBe(
      `${formatSI(est.fps)} frames/s ✓ fps >= 5000 · bottleneck ${est.bottleneck!.layer} · ${label} ${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} % of xc7z020 (largest use)`,
    );
  });
});

describe('qnn/analysis', () => {
  it('returns the estimate of the open document, follows edits, and null for unknown documents', async () => {
    const u = uri();
    await client.open(u, NET('fold(pe=2, simd=4)'));
    const a = (await client.analysis(u)) as Estimate;
    expect(a.network).toBe('t');
    expect(a.layers.map((l) => l.name)).toEqual(['c1', 'r1', 'd1']);
    expect(a.target).toMatchObject({ device: 'xc7z020', clock_mhz: 100 });
    await client.change(u, NET('fold(pe=8, simd=12)'));
    const b = (await client.analysis(u)) as Estimate;
    expect(b.layers[0]).toMatchObject({ pe: 8, simd: 12 });
    expect(await client.analysis(fileUri('/nonexistent/x.qnn'))).toBeNull();
  });

  it('is null for a network without an engine', async () => {
    const u = uri();
    await client.open(u, 'network e {\n  target xc7z020 @ 100 MHz\n  input x: u8[4]\n}\n');
    expect(await client.analysis(u)).toBeNull();
  });

  it('positions in hints and diagnostics are on the text the client sent', async () => {
    const u = uri();
    const text = NET('fold(pe=2, simd=5)');
    const ds = await client.open(u, text);
    const d = ds.find((x) => x.code === 'QNN040')!;
    expect(d.range.start).toEqual(positionAt(text, text.indexOf('simd=5') + 5));
  });
});
