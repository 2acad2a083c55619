/**
 * `qnn/estimateView` (what the editor's status bar and "qnn Estimate" output show): for
 * every example, the same estimate as `qnn/analysis`, and the same table as
 * `qnn estimate FILE` prints, character for character, once the FIFO depths are final.
 * Needs out/ (npm run build).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_REQUEST, ESTIMATE_VIEW_REQUEST, type EstimateView } from '../../server/src/protocol/requests.js';
import { ensureBuilt, exampleNames, fileUri, LspClient, readExample, ROOT } from './lsp-client.js';

const CLI = path.join(ROOT, 'out/cli/qnn.cjs');

let client: LspClient;
beforeAll(async () => {
  ensureBuilt();
  client = await LspClient.start();
});
afterAll(async () => {
  await client?.stop();
});

async function view(uri: string): Promise<EstimateView | null> {
  return client.connection.sendRequest(ESTIMATE_VIEW_REQUEST, { uri });
}

/** The view once the FIFO schedule (run when the editor is idle for long networks) is done. */
async function settledView(uri: string): Promise<EstimateView> {
  let v = await view(uri);
  for (let i = 0; i < 100 && v?.estimate.fifo_depths === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await view(uri);
  }
  expect(v).not.toBeNull();
  return v!;
}

describe('qnn/estimateView', () => {
  for (const name of exampleNames()) {
    it(`${name}: the table of qnn estimate and the estimate of qnn/analysis`, async () => {
      const ex = readExample(name);
      await client.open(ex.uri, ex.text);
      const v = await settledView(ex.uri);
      expect(v.estimate).toEqual(await client.connection.sendRequest(ANALYSIS_REQUEST, { uri: ex.uri }));
      const cli = spawnSync(process.execPath, [CLI, 'estimate', ex.file], { encoding: 'utf8', timeout: 120_000 });
      expect(cli.status, cli.stderr).toBe(0);
      expect(v.table + '\n').toBe(cli.stdout);
      expect(v.utilisation.largest_text).toMatch(/ %$/);
    });
  }

  it('is null for a document the server does not know', async () => {
    expect(await view(fileUri('/nonexistent/x.qnn'))).toBeNull();
  });
});
