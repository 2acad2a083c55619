/** Semantic tokens through the built server, decoded with the legend the server announces. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSemanticTokens, LspClient, readExample } from './lsp-client.js';

let client: LspClient;
const ex = readExample('peak_detector');
let tokens: ReturnType<typeof decodeSemanticTokens>;

beforeAll(async () => {
  client = await LspClient.start();
  await client.open(ex.uri, ex.text);
  const legend = client.initializeResult!.capabilities.semanticTokensProvider!.legend;
  const result = await client.semanticTokens(ex.uri);
  tokens = decodeSemanticTokens(result!.data, legend, ex.text);
});
afterAll(async () => {
  await client?.stop();
});

/** The tokens of one source line, as "text:type[+modifiers]". */
function line(start: string): string[] {
  const n = ex.text.split('\n').findIndex((l) => l.trim().startsWith(start));
  return tokens.filter((t) => t.line === n).map((t) => `${t.text}:${t.type}${t.modifiers.length ? `+${t.modifiers.join('+')}` : ''}`);
}

describe('semantic tokens over LSP', () => {
  it('announces a legend with the types used', () => {
    const legend = client.initializeResult!.capabilities.semanticTokensProvider!.legend;
    for (const t of ['keyword', 'operator', 'type', 'number', 'string', 'variable', 'parameter', 'function', 'namespace', 'enumMember']) {
      expect(legend.tokenTypes).toContain(t);
    }
    expect(legend.tokenModifiers).toEqual(expect.arrayContaining(['declaration', 'readonly', 'defaultLibrary']));
  });

  it('classifies the network, target, const and input lines', () => {
    expect(line('network')).toEqual(['network:keyword', 'peak_detector:namespace+declaration']);
    expect(line('target')).toEqual([
      'target:keyword',
      'xc7z020:enumMember',
      '@:operator',
      '200:number',
      'MHz:keyword',
      'fps:keyword',
      '>=:operator',
      '5k:number',
    ]);
    expect(line('const F')).toEqual(['const:keyword', 'F:variable+declaration+readonly', '=:operator', '16:number']);
    expect(line('input')).toEqual(['input:keyword', 'scan:variable+declaration', 'u8:type', '1024:number', '1:number']);
  });

  it('classifies a layer: names as variables, the op, argument names as parameters, types, numbers, strings', () => {
    expect(line('layer c1')).toEqual([
      'layer:keyword',
      'c1:variable+declaration',
      '=:operator',
      'conv1d:function+defaultLibrary',
      'scan:variable',
      'filters:parameter',
      '=:operator',
      'F:variable+readonly',
      'kernel:parameter',
      '=:operator',
      '5:number',
      'pad:parameter',
      '=:operator',
      'same:enumMember',
      'weights:parameter',
      '=:operator',
      'i4:type',
      '"weights/c1.npy":string',
      'fold:keyword',
      'pe:parameter',
      '=:operator',
      '4:number',
      'simd:parameter',
      '=:operator',
      '5:number',
    ]);
    expect(line('layer r1')).toContain('u4:type');
    expect(line('layer c3')).toEqual(
      expect.arrayContaining(['pow2:type', '<:type', '3:type', '>:type', 'random:keyword', 'seed:parameter']),
    );
    expect(line('layer t3')).toEqual(expect.arrayContaining(['thresholds:parameter', '12:number']));
  });

  it('classifies output and test', () => {
    expect(line('output')).toEqual(['output:keyword', 't3:variable']);
    expect(line('test')).toEqual([
      'test:keyword',
      '"random frames":string',
      'frames:parameter',
      '=:operator',
      '32:number',
      'seed:parameter',
      '=:operator',
      '7:number',
    ]);
  });

  it('leaves comments and punctuation to the grammar', () => {
    expect(tokens.some((t) => t.text.startsWith('//'))).toBe(false);
    expect(tokens.some((t) => ['(', ')', ',', '[', ']', '{', '}'].includes(t.text))).toBe(false);
  });
});
