/**
 * The architecture invariants of docs/architecture.md ("Layering") are lint rules
 * (eslint.config.mjs, `no-restricted-imports`), and `npm test` lints first. Each row:
 * a file in a folder, an import it must not have (the rule fires) and one it may (it does
 * not), linted through ESLint's own API with the repository's configuration.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Invariant {
  /** A (new) file inside the folder, relative to the repository. */
  file: string;
  /** Imports the invariant forbids there. */
  denied: string[];
  /** Imports it allows (the rule is not simply "no imports"). */
  allowed: string[];
}

/** Folders of the bottom layer: nothing from cost/, engines/, rtl/, lsp/, flows/, cli/, analysis/. */
const ABOVE_MODEL = [
  '../cost/x.js',
  '../engines/x.js',
  '../rtl/x.js',
  '../lsp/x.js',
  '../flows/sim/x.js',
  '../cli/x.js',
  '../analysis/x.js',
];

const INVARIANTS: Record<string, Invariant> = {
  'model/ imports nothing above the model': {
    file: 'server/src/model/probe.ts',
    denied: [...ABOVE_MODEL, '../../cost/x.js'],
    allowed: ['./types.js', '../device/devices.js', '../npy/npy.js', '../language/generated/ast.js'],
  },
  'model/ subfolders too': {
    file: 'server/src/model/elaborate/probe.ts',
    denied: ['../../cost/x.js', '../../rtl/x.js'],
    allowed: ['../types.js'],
  },
  'golden/ imports nothing above the model': {
    file: 'server/src/golden/probe.ts',
    denied: ABOVE_MODEL,
    allowed: ['../model/types.js', '../npy/npy.js'],
  },
  'npy/ imports nothing above the model': { file: 'server/src/npy/probe.ts', denied: ABOVE_MODEL, allowed: ['./npy.js', 'node:fs'] },
  'weights/ imports nothing above the model': { file: 'server/src/weights/probe.ts', denied: ABOVE_MODEL, allowed: ['./random.js'] },
  'device/ imports nothing above the model': { file: 'server/src/device/probe.ts', denied: ABOVE_MODEL, allowed: ['./devices.json'] },
  'server/src never imports vscode or client/': {
    file: 'server/src/lsp/probe.ts',
    denied: ['vscode', 'vscode-languageclient/node.js', '../../../client/src/estimate.js'],
    allowed: ['vscode-languageserver', 'langium/lsp', '../model/types.js'],
  },
  'server/src/main.ts never imports vscode': {
    file: 'server/src/main.ts',
    denied: ['vscode', '../../client/src/extension.js'],
    allowed: ['./lsp/x.js'],
  },
  'client/ imports only protocol/ from the server': {
    file: 'client/src/probe.ts',
    denied: [
      '../../server/src/cost/estimate.js',
      '../../server/src/lsp/custom-requests.js',
      '../../server/src/protocol/sub/x.js',
      '../../server/out/x.js',
    ],
    allowed: ['../../server/src/protocol/requests.js', '../../server/src/protocol/build-folder.js', 'vscode', './settings.js'],
  },
  'cost/ imports nothing from analysis/, report/, rtl/, lsp/, flows/, cli/': {
    file: 'server/src/cost/probe.ts',
    denied: [
      '../analysis/analyze.js',
      '../report/estimate-text.js',
      '../rtl/plan.js',
      '../lsp/hover.js',
      '../flows/sim/x.js',
      '../cli/main.js',
    ],
    allowed: ['../model/types.js', '../device/devices.js', '../engines/x.js', '../protocol/estimate.js', './fabric.js'],
  },
  'engines/ imports nothing from analysis/, report/, rtl/, lsp/, flows/, cli/': {
    file: 'server/src/engines/probe.ts',
    denied: [
      '../analysis/analyze.js',
      '../report/estimate-text.js',
      '../rtl/plan.js',
      '../lsp/hover.js',
      '../flows/sim/x.js',
      '../cli/main.js',
    ],
    allowed: ['../cost/fabric.js', '../model/types.js'],
  },
  'analysis/ imports nothing from report/, rtl/, lsp/, flows/, cli/': {
    file: 'server/src/analysis/probe.ts',
    denied: ['../report/estimate-text.js', '../rtl/plan.js', '../lsp/hover.js', '../flows/sim/x.js', '../cli/main.js'],
    allowed: ['../cost/estimate.js', '../model/types.js', '../engines/x.js'],
  },
  'rtl/ imports nothing from lsp/, cli/': {
    file: 'server/src/rtl/probe.ts',
    denied: ['../lsp/hover.js', '../cli/main.js'],
    allowed: ['../cost/estimate.js', '../model/types.js', '../analysis/analyze.js'],
  },
  'lsp/ imports nothing from flows/, cli/': {
    file: 'server/src/lsp/probe.ts',
    denied: ['../flows/sim/network-sim.js', '../cli/main.js'],
    allowed: ['../cost/estimate.js', '../analysis/analyze.js', '../report/estimate-text.js'],
  },
  'flows/ imports nothing from lsp/': {
    file: 'server/src/flows/sim/probe.ts',
    denied: ['../../lsp/hover.js', '../../cli/main.js'],
    allowed: ['../../rtl/compile.js', '../../golden/golden.js', './runner.js'],
  },
  'protocol/ imports nothing but its own files and node:path': {
    file: 'server/src/protocol/probe.ts',
    denied: ['../model/types.js', '../cost/estimate.js', 'node:fs', 'langium', './sub/x.js'],
    allowed: ['./estimate.js', 'node:path'],
  },
  'report/ imports nothing from rtl/, lsp/, flows/, cli/': {
    file: 'server/src/report/probe.ts',
    denied: ['../rtl/plan.js', '../lsp/hover.js', '../flows/sim/x.js', '../cli/main.js'],
    allowed: ['../cost/utilisation.js', '../protocol/estimate.js', '../model/numbers.js'],
  },
};

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The restricted-import messages for one import line in `file`. */
async function restricted(file: string, source: string, kind: 'value' | 'type' | 'export'): Promise<string[]> {
  const code =
    kind === 'value'
      ? `import { x } from '${source}';\nexport const y = x;\n`
      : kind === 'type'
        ? `import type { X } from '${source}';\nexport type Y = X;\n`
        : `export { x } from '${source}';\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architecture invariants are lint errors', () => {
  for (const [name, inv] of Object.entries(INVARIANTS)) {
    it(name, async () => {
      for (const source of inv.denied) {
        for (const kind of ['value', 'type', 'export'] as const) {
          const msgs = await restricted(inv.file, source, kind);
          expect(msgs, `${inv.file}: ${kind} import of ${source}`).toHaveLength(1);
          expect(msgs[0]).toContain('Architecture invariant (docs/architecture.md)');
        }
      }
      for (const source of inv.allowed) expect(await restricted(inv.file, source, 'value'), `${inv.file}: ${source}`).toEqual([]);
    });
  }

  it('each invariant of docs/architecture.md has its row here', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    const stated = doc.split('\n').filter((l) => l.startsWith('Architecture invariant:'));
    expect(stated.length).toBeGreaterThanOrEqual(8);
    // Each stated folder list appears in some row's denied imports.
    for (const line of stated) {
      const folder = /`([\w/.-]+)`/.exec(line)?.[1];
      expect(folder, line).toBeDefined();
      const rows = Object.values(INVARIANTS).filter((inv) => inv.file.includes(folder!.replace(/\/$/, '')));
      expect(rows.length, line).toBeGreaterThan(0);
    }
  });
});
