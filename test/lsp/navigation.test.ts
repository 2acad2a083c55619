/**
 * Go to definition, find references, rename, document symbols and folding ranges through
 * the built server, on layers, the input and consts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentSymbol, Location, LocationLink, TextEdit } from 'vscode-languageserver-protocol';
import { applyEdits, LspClient, posOf, rangeText, readExample } from './lsp-client.js';

let client: LspClient;
const ex = readExample('peak_detector');
beforeAll(async () => {
  client = await LspClient.start();
  await client.open(ex.uri, ex.text);
});
afterAll(async () => {
  await client?.stop();
});

function target(l: Location | LocationLink): { uri: string; text: string } {
  const uri = 'targetUri' in l ? l.targetUri : l.uri;
  const range = 'targetUri' in l ? l.targetSelectionRange : l.range;
  return { uri, text: rangeText(ex.text, range) };
}

function lineOf(l: Location): string {
  return ex.text.split('\n')[l.range.start.line].trim();
}

describe('definition', () => {
  it("goes from a layer's input to the layer", async () => {
    const defs = await client.definition(ex.uri, posOf(ex.text, 'requant(c1', 9));
    expect(defs).toHaveLength(1);
    const t = target(defs[0]);
    expect(t.uri).toBe(ex.uri);
    expect(t.text).toBe('c1');
    const loc = 'targetUri' in defs[0] ? defs[0].targetSelectionRange : defs[0].range;
    expect(loc.start.line).toBe(posOf(ex.text, 'layer c1').line);
  });

  it('goes from `output` to the layer and from the first layer to the input', async () => {
    const out = await client.definition(ex.uri, posOf(ex.text, 'output t3', 8));
    expect(out.map(target).map((t) => t.text)).toEqual(['t3']);
    const input = await client.definition(ex.uri, posOf(ex.text, 'conv1d(scan', 8));
    expect(input.map(target).map((t) => t.text)).toEqual(['scan']);
    const loc = 'targetUri' in input[0] ? input[0].targetSelectionRange : input[0].range;
    expect(loc.start.line).toBe(posOf(ex.text, 'input scan').line);
  });

  it('goes from a const use to the const', async () => {
    const defs = await client.definition(ex.uri, posOf(ex.text, 'filters=F', 8));
    expect(defs.map(target).map((t) => t.text)).toEqual(['F']);
    const loc = 'targetUri' in defs[0] ? defs[0].targetSelectionRange : defs[0].range;
    expect(loc.start.line).toBe(posOf(ex.text, 'const F').line);
  });
});

describe('references', () => {
  it('finds every use of a const, with and without the declaration', async () => {
    const refs = await client.references(ex.uri, posOf(ex.text, 'const F', 6));
    expect(refs.map(lineOf)).toEqual([
      'const F = 16',
      expect.stringContaining('layer c1 = conv1d(scan, filters=F'),
      expect.stringContaining('layer c2 = conv1d(r1, filters=F'),
    ]);
    const uses = await client.references(ex.uri, posOf(ex.text, 'const F', 6), false);
    expect(uses).toHaveLength(2);
    expect(uses.every((r) => rangeText(ex.text, r.range) === 'F')).toBe(true);
  });

  it("finds a layer's consumers, from its declaration and from a use", async () => {
    const fromDecl = await client.references(ex.uri, posOf(ex.text, 'layer c3', 6), false);
    expect(fromDecl.map(lineOf)).toEqual([expect.stringMatching(/^layer t3 = threshold\(c3,/)]);
    const fromUse = await client.references(ex.uri, posOf(ex.text, 'output t3', 7), true);
    expect(fromUse.map(lineOf)).toEqual([expect.stringMatching(/^layer t3 =/), 'output t3']);
  });

  it('finds the uses of the input', async () => {
    const refs = await client.references(ex.uri, posOf(ex.text, 'input scan', 6), false);
    expect(refs.map(lineOf)).toEqual([expect.stringMatching(/^layer c1 = conv1d\(scan,/)]);
  });
});

describe('rename', () => {
  async function renamed(needle: string, delta: number, newName: string): Promise<string> {
    const edit = await client.rename(ex.uri, posOf(ex.text, needle, delta), newName);
    expect(Object.keys(edit?.changes ?? {})).toEqual([ex.uri]);
    return applyEdits(ex.text, edit!.changes![ex.uri] as TextEdit[]);
  }

  it('renames a layer and every reference to it', async () => {
    const text = await renamed('layer c1', 6, 'conv_a');
    expect(text).toContain('layer conv_a = conv1d(scan');
    expect(text).toContain('layer r1 = requant(conv_a, out=u4');
    expect(text).not.toMatch(/\bc1\b(?!\.npy)/);
  });

  it('renames from a reference, including `output`', async () => {
    const text = await renamed('output t3', 8, 'peaks');
    expect(text).toContain('layer peaks = threshold(c3');
    expect(text).toContain('output peaks');
  });

  it('renames the input and a const', async () => {
    const a = await renamed('input scan', 7, 'line');
    expect(a).toContain('input line: u8[1024, 1]');
    expect(a).toContain('conv1d(line, filters=F');
    const b = await renamed('filters=F', 8, 'FILTERS');
    expect(b).toContain('const FILTERS = 16');
    expect(b.match(/filters=FILTERS/g)).toHaveLength(2);
  });

  it('the renamed text still checks without new problems', async () => {
    const text = await renamed('layer r2', 6, 'act2');
    const uri = ex.uri.replace('peak_detector.qnn', 'renamed.qnn');
    const before = (await client.open(uri.replace('renamed', 'renamed-before'), ex.text)).map((d) => d.code).sort();
    const after = (await client.open(uri, text)).map((d) => d.code).sort();
    expect(after).toEqual(before);
  });

  it('prepares a rename on names only, and refuses bad or taken names', async () => {
    const r = (await client.prepareRename(ex.uri, posOf(ex.text, 'layer c2', 7))) as {
      start: { line: number; character: number };
      end: unknown;
    };
    expect(rangeText(ex.text, r as never)).toBe('c2');
    expect(await client.prepareRename(ex.uri, posOf(ex.text, 'conv1d(r1', 2))).toBeNull();
    // Every identifier-like keyword of the grammar is reserved (a member keyword, a unit, an argument keyword).
    for (const kw of ['layer', 'MHz', 'seed', 'maxpool']) {
      await expect(client.rename(ex.uri, posOf(ex.text, 'layer c2', 7), kw)).rejects.toThrow(/not a valid name/);
    }
    await expect(client.rename(ex.uri, posOf(ex.text, 'layer c2', 7), '2x')).rejects.toThrow(/not a valid name/);
    await expect(client.rename(ex.uri, posOf(ex.text, 'layer c2', 7), 'u4')).rejects.toThrow(/read as a type/);
    await expect(client.rename(ex.uri, posOf(ex.text, 'layer c2', 7), 'r1')).rejects.toThrow(/already declared on line 11/);
  });

  it('does not link across files: a name unknown here is not another file’s layer', async () => {
    const other = ex.uri.replace('peak_detector.qnn', 'other.qnn');
    await client.open(
      other,
      'network o {\n  target xc7z020 @ 100 MHz\n  input i: u8[8]\n  layer d = dense(c1, units=2, weights=i4(random, seed=1))\n  output d\n}\n',
    );
    expect(await client.definition(other, posOf(client.text(other), '(c1', 1))).toEqual([]);
    const refs = await client.references(ex.uri, posOf(ex.text, 'layer c1', 6), false);
    expect(refs.every((r) => r.uri === ex.uri)).toBe(true);
  });
});

describe('document symbols', () => {
  it('outlines the network: target, const, input, layers with op and output, output, test', async () => {
    const symbols = await client.symbols(ex.uri);
    expect(symbols).toHaveLength(1);
    const net = symbols[0] as DocumentSymbol;
    expect(net.name).toBe('peak_detector');
    const children = net.children!.map((c) => [c.name, c.detail]);
    expect(children).toEqual([
      ['target xc7z020', '@ 200 MHz, fps >= 5k'],
      ['F', '= 16'],
      ['scan', 'input u8[1024, 1]'],
      ['c1', 'conv1d → i14[1024, 16]'],
      ['r1', 'requant → u4[1024, 16]'],
      ['c2', expect.stringMatching(/^conv1d → i\d+\[1024, 16\]$/)],
      ['r2', 'requant → u4[1024, 16]'],
      ['p1', 'maxpool → u4[512, 16]'],
      ['c3', expect.stringMatching(/^conv1d → i\d+\[512, 1\]$/)],
      ['t3', 'threshold → u1[512, 1]'],
      ['output t3', 'output'],
      ['test "random frames"', 'frames=32, seed=7'],
    ]);
    const c1 = net.children!.find((c) => c.name === 'c1')!;
    expect(rangeText(ex.text, c1.selectionRange)).toBe('c1');
  });
});

describe('folding ranges', () => {
  it('folds the network body, the leading comment block, and a multi-line layer and comment', async () => {
    const text = `// one
// two
network f {
  target xc7z020 @ 100 MHz
  input x: u8[8]
  /* a
     block */
  layer d = dense(x,
    units=2, weights=i4(random, seed=1))
  output d
}
`;
    const uri = ex.uri.replace('peak_detector.qnn', 'folding.qnn');
    await client.open(uri, text);
    const ranges = (await client.folding(uri)).map((r) => [r.startLine, r.endLine, r.kind ?? null]);
    expect(ranges).toEqual(
      expect.arrayContaining([
        [0, 1, 'comment'],
        [2, 9, null],
        [5, 6, 'comment'],
        [7, 8, null],
      ]),
    );
    expect(ranges).toHaveLength(4);
  });
});
