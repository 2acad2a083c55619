/**
 * Every editor request answers, without an error and without bringing the server down,
 * on broken text: each example with 5 characters cut out at many places (what a user
 * has on screen while typing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleNames, LspClient, positionAt, readExample } from './lsp-client.js';

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

/** Cuts per example, spread evenly over its text. */
const CUTS = 24;

describe('requests on broken text', () => {
  for (const name of exampleNames()) {
    it(`examples/${name} with ${CUTS} cuts`, async () => {
      const ex = readExample(name);
      const u = ex.uri.replace(/\.qnn$/, '-cut.qnn');
      await client.open(u, ex.text);
      const failures: string[] = [];
      const step = Math.ceil(ex.text.length / CUTS);
      for (let cut = 0; cut < ex.text.length; cut += step) {
        const text = ex.text.slice(0, cut) + ex.text.slice(cut + 5);
        await client.change(u, text);
        const pos = positionAt(text, Math.min(cut, text.length));
        const requests: Array<[string, Promise<unknown>]> = [
          ['completion', client.completion(u, pos)],
          ['hover', client.hover(u, pos)],
          ['definition', client.definition(u, pos)],
          ['references', client.references(u, pos)],
          ['symbols', client.symbols(u)],
          ['folding', client.folding(u)],
          ['semanticTokens', client.semanticTokens(u)],
          ['format', client.format(u)],
          ['inlayHints', client.inlayHints(u)],
          ['codeLens', client.codeLenses(u)],
          ['analysis', client.analysis(u)],
        ];
        for (const [what, p] of requests) {
          try {
            await p;
          } catch (e) {
            failures.push(`cut at ${cut}: ${what}: ${String(e)}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(client.stderr).toBe('');
    });
  }
});
