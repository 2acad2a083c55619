/**
 * The shipped examples are in the project's own format: Format Document on every .qnn
 * file under examples/ changes nothing (through the built server, as an editor formats).
 * After editing an example, run Format Document on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdits, EXAMPLES, fileUri, LspClient } from './lsp-client.js';

function qnnFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? qnnFiles(path.join(dir, e.name)) : e.name.endsWith('.qnn') ? [path.join(dir, e.name)] : []))
    .sort();
}

const files = qnnFiles(EXAMPLES);

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

describe('formatting a shipped example is a no-op', () => {
  it('finds the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });
  for (const file of files) {
    it(path.relative(EXAMPLES, file), async () => {
      const text = readFileSync(file, 'utf8');
      const uri = fileUri(file);
      const diags = await client.open(uri, text);
      // A document with a syntax error is not formatted: that would pass for the wrong reason.
      expect(diags.filter((d) => d.severity === 1)).toEqual([]);
      expect(applyEdits(text, await client.format(uri))).toBe(text);
      await client.close(uri);
    });
  }
});
