/**
 * An illegal fold value (QNN040/041) is estimated with the fallback fold 1; the hover, the
 * inlay hint and the code lens say so with the declared value: `SIMD 5 (illegal; estimated as 1)`.
 * Through the built server.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Estimate } from '../../server/src/protocol/estimate.js';
import { EXAMPLES, fileUri, LspClient, posOf } from './lsp-client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

let counter = 0;
function uri(): string {
  return fileUri(path.join(EXAMPLES, 'peak_detector', `illegal-fold-${++counter}.qnn`));
}

// d1: MW = 32, MH = 8: SIMD 5 does not divide 32 (QNN040), PE 3 does not divide 8 (QNN041).
const NET = (fold: string, target = '  target xc7z020 @ 100 MHz\n') => `network t {
${target}
  input x: u8[32]

  layer d1 = dense(x, units=8, weights=i4(random, seed=1)) ${fold}
  layer r1 = requant(d1, out=u4, scale=0.01)
  layer d2 = dense(r1, units=4, weights=i4(random, seed=2)) fold(pe=1, simd=8)

  output d2
}
`;

async function hoverOf(u: string, text: string): Promise<string> {
  const h = await client.hover(u, posOf(text, 'layer d1', 6));
  return (h!.contents as { value: string }).value;
}

describe('an illegal fold says it is estimated with the fallback', () => {
  it('simd=5: hover, inlay hint and code lens', async () => {
    const u = uri();
    const text = NET('fold(pe=2, simd=5)');
    const diags = await client.open(u, text);
    expect(diags.map((d) => d.code)).toContain('QNN040');
    const est = (await client.analysis(u)) as Estimate;
    const d1 = est.layers.find((l) => l.name === 'd1')!;
    // The estimate really uses the fallback: SF = MW / 1.
    expect(d1.simd).toBe(1);
    expect(d1.sf).toBe(32);

    const hover = await hoverOf(u, text);
    expect(hover).toContain('| fold | PE 2 × SIMD 5 (illegal; estimated as 1) → NF 4 × SF 32 |');

    const hints = await client.inlayHints(u);
    const label = hints
      .map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')))
      .find((l) => l.includes('cyc') && l.includes('SIMD'));
    expect(label).toBeDefined();
    expect(label).toContain(`${d1.cycles} cyc`);
    expect(label).toContain('· SIMD 5 (illegal; estimated as 1)');
    expect(label).not.toContain('PE');

    const lenses = await client.codeLenses(u);
    expect(lenses).toHaveLength(1);
    expect(lenses[0].command!.title).toMatch(/ · illegal fold estimated as 1: d1 SIMD 5$/);
    await client.close(u);
  });

  it('pe=3 and simd=5 both; without a target the hover still says so', async () => {
    const u = uri();
    const text = NET('fold(pe=3, simd=5)');
    const diags = await client.open(u, text);
    expect(diags.map((d) => d.code)).toEqual(expect.arrayContaining(['QNN040', 'QNN041']));
    expect(await hoverOf(u, text)).toContain('| fold | PE 3 (illegal; estimated as 1) × SIMD 5 (illegal; estimated as 1) → NF 8 × SF 32 |');
    const lenses = await client.codeLenses(u);
    expect(lenses[0].command!.title).toMatch(/ · illegal folds estimated as 1: d1 PE 3, d1 SIMD 5$/);

    await client.change(u, NET('fold(pe=3, simd=5)', ''));
    expect(await hoverOf(u, client.text(u))).toContain(
      '| fold | PE 3 (illegal; estimated as 1) × SIMD 5 (illegal; estimated as 1); no estimate without a target |',
    );
    await client.close(u);
  });

  it('a legal fold has no such words', async () => {
    const u = uri();
    const text = NET('fold(pe=2, simd=4)');
    await client.open(u, text);
    expect(await hoverOf(u, text)).toContain('| fold | PE 2 × SIMD 4 → NF 4 × SF 8 |');
    const hints = await client.inlayHints(u);
    expect(hints.some((h) => String(h.label).includes('illegal'))).toBe(false);
    expect((await client.codeLenses(u))[0].command!.title).not.toContain('illegal');
    await client.close(u);
  });
});
