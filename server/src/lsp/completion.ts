/**
 * Completion (language.md §6): member keywords, operators after `layer x =`, argument
 * names per operator (minus those given), types, devices and boards after `target`,
 * names in scope (producers declared above; consts in expressions), `pad=` values, and
 * the valid PE/SIMD values of a layer at `fold(` / `pe=` / `simd=` from the model's MW/MH.
 */
import type { LangiumDocument } from 'langium';
import { DefaultCompletionProvider, type CompletionProviderOptions } from 'langium/lsp';
import {
  CompletionItemKind,
  CompletionList,
  InsertTextFormat,
  type CompletionItem,
  type CompletionParams,
  type MarkupContent,
} from 'vscode-languageserver';
import type { QnnServices } from '../language/qnn-lsp-module.js';
import { FOLD_ARGS, OP_NAMES, OPERATORS, operatorSpec, TEST_ARGS, type FoldArgName } from '../model/operators.js';
import { legalMmvs, mmvBaseFold } from '../model/folding.js';
import type { Engine, Network, OpKind } from '../model/types.js';
import { atFold, descriptorOf } from '../engines/registry.js';
import { DEVICES, findDevice } from '../device/devices.js';
import { shapeText } from '../model/weights.js';
import { typeName } from '../model/qtype.js';
import { formatSI } from '../model/numbers.js';
import { engineWithFold, isMvau } from '../model/engines.js';
import { analysisOf, LayerMemory, layerNamed } from './analysis-access.js';
import { completionContext, MEMBER_KEYWORDS, type CompletionContextInfo } from './completion-context.js';

const TRIGGER_SUGGEST = { title: 'suggest', command: 'editor.action.triggerSuggest' };

const UNSIGNED = Array.from({ length: 16 }, (_, i) => `u${i + 1}`);
const SIGNED = Array.from({ length: 15 }, (_, i) => `i${i + 2}`);

const MEMBER_SNIPPETS: Record<(typeof MEMBER_KEYWORDS)[number], { snippet: string; doc: string }> = {
  target: {
    snippet: 'target ${1:xc7z020} @ ${2:100} MHz',
    doc: 'the device and clock: target DEVICE @ F MHz[, fps >= N][, board B][, bandwidth X GB/s]',
  },
  const: { snippet: 'const ${1:N} = ${2:16}', doc: 'a named constant for expressions' },
  input: { snippet: 'input ${1:x}: ${2:u8}[${3:784}]', doc: "the network's input: input NAME: TYPE[dims]" },
  layer: { snippet: 'layer ${1:name} = ', doc: 'a layer: layer NAME = OP(input, args…) [fold(pe=…, simd=…)]' },
  output: { snippet: 'output ${1:name}', doc: "the network's output" },
  test: { snippet: 'test "${1:random frames}" { frames=${2:32}, seed=${3:1} }', doc: 'a simulation test: frames, seed, input' },
};

export class QnnCompletionProvider extends DefaultCompletionProvider {
  private readonly qnn: QnnServices;
  private readonly layers: LayerMemory;
  private reTrigger = false;

  override readonly completionOptions: CompletionProviderOptions = { triggerCharacters: ['(', ',', '=', ':'] };

  constructor(services: QnnServices) {
    super(services);
    this.qnn = services;
    this.layers = new LayerMemory(services);
    // Re-opening the suggestions after `conv1d(` or `pe=` is a VS Code command; other
    // editors would send it back to the server as an unknown command.
    services.shared.lsp.LanguageServer.onInitialize((params) => {
      this.reTrigger = /code/i.test(params.clientInfo?.name ?? '');
    });
  }

  override async getCompletion(document: LangiumDocument, params: CompletionParams): Promise<CompletionList | undefined> {
    const text = document.textDocument.getText();
    const offset = document.textDocument.offsetAt(params.position);
    const ctx = completionContext(text, offset);
    const items = this.itemsFor(document, ctx);
    const range = { start: document.textDocument.positionAt(ctx.replaceStart), end: document.textDocument.positionAt(ctx.replaceEnd) };
    for (const item of items) {
      if (!this.reTrigger) delete item.command;
      const newText = item.insertText ?? item.label;
      delete item.insertText;
      item.textEdit = { range, newText };
      item.filterText ??= item.label;
    }
    return CompletionList.create(items, false);
  }

  /** The items for a site (without edits); exported through the class for unit tests. */
  itemsFor(document: LangiumDocument, ctx: CompletionContextInfo): CompletionItem[] {
    const site = ctx.site;
    switch (site.kind) {
      case 'none':
        return [];
      case 'network':
        return [snippet('network', 'network ${1:name} {\n  $0\n}', CompletionItemKind.Keyword, 'a network: network NAME { members }')];
      case 'member': {
        const items = MEMBER_KEYWORDS.map((k) =>
          snippet(k, MEMBER_SNIPPETS[k].snippet, CompletionItemKind.Keyword, MEMBER_SNIPPETS[k].doc),
        );
        if (site.afterLayer) items.unshift(...this.foldItems(document, site.afterLayer.layer));
        return items;
      }
      case 'fold':
        return this.foldItems(document, site.layer);
      case 'op':
        return OP_NAMES.map((op) => ({
          label: op,
          kind: CompletionItemKind.Function,
          detail: `${op}(x, ${argNames(op, true).join(', ')})`,
          documentation: `${OPERATORS[op].doc}. Required: ${argNames(op, true).join(', ')}; optional: ${argNames(op, false).join(', ') || 'none'}.`,
          insertText: `${op}($1)`,
          insertTextFormat: InsertTextFormat.Snippet,
          command: TRIGGER_SUGGEST,
        }));
      case 'producer': {
        const net = analysisOf(this.qnn, document)?.network;
        return ctx.declared
          .filter((d) => (d.kind === 'input' || d.kind === 'layer') && d.name !== site.layer)
          .reverse()
          .map((d, i) => {
            const shape = producerShape(net, d.name);
            return {
              label: d.name,
              kind: CompletionItemKind.Variable,
              detail: shape ? `${d.kind} · ${shape}` : d.kind,
              sortText: String(i).padStart(4, '0'),
            };
          });
      }
      case 'argName': {
        const spec = operatorSpec(site.op);
        if (!spec) return [];
        return spec.args
          .filter((a) => !site.given.includes(a.name))
          .map((a, i) => ({
            label: a.name,
            kind: CompletionItemKind.Property,
            detail: a.required ? `required by ${site.op}` : `optional (default: ${a.default})`,
            documentation: a.doc,
            insertText: `${a.name}=`,
            sortText: `${a.required ? 0 : 1}${i}`,
            command: TRIGGER_SUGGEST,
          }));
      }
      case 'argValue':
        return this.argValueItems(document, ctx, site.op, site.layer, site.arg);
      case 'sourceArg':
        return site.afterRandom
          ? [{ label: 'seed', kind: CompletionItemKind.Property, insertText: 'seed=', detail: 'the seed of the reproducible draw' }]
          : [
              snippet(
                'random',
                'random, seed=${1:0}',
                CompletionItemKind.Keyword,
                'seeded random values, uniform over the type (reproducible)',
              ),
              snippet(
                '"file.npy"',
                '"${1:weights.npy}"',
                CompletionItemKind.File,
                'a .npy file, relative to this .qnn file (PyTorch layout)',
              ),
              snippet('[…]', '[$1]', CompletionItemKind.Value, 'inline values'),
            ];
      case 'foldName':
        return this.foldNameItems(document, site.layer, site.op, site.given);
      case 'foldValue':
        return this.foldValueItems(document, site.layer, site.which, site.other);
      case 'device':
        return DEVICES.map((d) => ({
          label: d.name,
          kind: CompletionItemKind.EnumMember,
          detail: `${d.family} · ${d.lut.toLocaleString('en-US')} LUT · ${d.bram18} BRAM18 · ${d.dsp} DSP`,
          documentation: `Boards: ${d.boards.join(', ')}; build flow: ${d.flow}.`,
        }));
      case 'freqUnit':
        return ['MHz', 'kHz', 'GHz', 'Hz'].map((u, i) => ({ label: u, kind: CompletionItemKind.Unit, sortText: String(i) }));
      case 'targetOption':
        return [
          snippet('fps', 'fps >= ${1:1k}', CompletionItemKind.Keyword, 'the frame rate to meet (unfolded layers are folded to meet it)'),
          snippet('board', 'board ${1}', CompletionItemKind.Keyword, 'the board (decides the build shell and DDR bandwidth)'),
          snippet('bandwidth', 'bandwidth ${1:4.2} GB/s', CompletionItemKind.Keyword, 'off-chip bandwidth for the roofline'),
        ].filter((i) => !site.given.includes(i.label));
      case 'board':
        return (findDevice(site.device)?.boards ?? DEVICES.flatMap((d) => d.boards)).map((b) => ({
          label: b,
          kind: CompletionItemKind.EnumMember,
        }));
      case 'inputType':
        return typeItems({ unsigned: true, signed: true, bipolar: true });
      case 'expr':
        return this.constItems(ctx, site.exclude);
      case 'testArg':
        return TEST_ARGS.filter((a) => !site.given.includes(a.name)).map((a) => ({
          label: a.name,
          kind: CompletionItemKind.Property,
          insertText: a.name === 'input' ? 'input=${1:u8}("${2:frames.npy}")' : `${a.name}=`,
          insertTextFormat: a.name === 'input' ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
          detail: a.doc,
        }));
    }
  }

  private constItems(ctx: CompletionContextInfo, exclude?: string): CompletionItem[] {
    return ctx.declared
      .filter((d) => d.kind === 'const' && d.name !== exclude)
      .map((d) => ({ label: d.name, kind: CompletionItemKind.Constant, detail: 'const' }));
  }

  private argValueItems(
    document: LangiumDocument,
    ctx: CompletionContextInfo,
    op: string,
    layerName: string,
    arg: string,
  ): CompletionItem[] {
    const consts = this.constItems(ctx);
    // What the operator's catalogue entry says the argument takes.
    const value = operatorSpec(op)?.args.find((a) => a.name === arg)?.value;
    switch (value?.kind) {
      case 'type': {
        if (arg !== 'acc') return typeItems(value);
        const layer = this.layers.layer(document, layerName);
        const needed = layer && isMvau(layer) ? layer.acc : undefined;
        return typeItems(value).map((item) => {
          if (needed && item.label === `i${needed.bits}`) {
            return { ...item, preselect: true, sortText: '0', detail: `the inferred width: holds ${needed.min} … ${needed.max}` };
          }
          return item;
        });
      }
      case 'weights':
        return [
          ...typeItems({ unsigned: true, signed: true, bipolar: true }).map((i) => ({
            ...i,
            insertText: `${i.label}($1)`,
            insertTextFormat: InsertTextFormat.Snippet,
            command: TRIGGER_SUGGEST,
          })),
          {
            label: 'pow2<N>',
            kind: CompletionItemKind.TypeParameter,
            detail: 'power-of-two weights: 0 and ±2^e (shift, no multiplier)',
            insertText: 'pow2<${1:3}>($2)',
            insertTextFormat: InsertTextFormat.Snippet,
            command: TRIGGER_SUGGEST,
          },
        ];
      case 'padding':
        return [...value.names.map((n) => ({ label: n.name, kind: CompletionItemKind.EnumMember, detail: n.doc })), ...consts];
      case 'choice':
        return value.names.map((n) => ({ label: n.name, kind: CompletionItemKind.EnumMember, detail: n.doc }));
      case 'scale':
        return [
          ...consts,
          snippet(
            `${value.reader}("…")`,
            `${value.reader}("\${1:scales.npy}")`,
            CompletionItemKind.Function,
            'one scale per output channel from a .npy file [C]',
          ),
        ];
      case 'thresholds':
        return [
          snippet(
            '[…]',
            '[$1]',
            CompletionItemKind.Value,
            'one ascending list shared by all channels (2^B − 1 values), or one list per channel',
          ),
          snippet(
            `${value.reader}("…")`,
            `${value.reader}("\${1:thresholds.npy}")`,
            CompletionItemKind.Function,
            'thresholds from a .npy file [C, 2^B − 1] or [1, 2^B − 1]',
          ),
        ];
      default:
        return consts;
    }
  }

  /** The fold values a layer's `fold(…)` can take: its engine's (a fused activation's `pe` is its MVAU's). */
  private foldChoicesOf(document: LangiumDocument, layerName: string): { pes: number[]; simds?: number[] } | undefined {
    const engine = this.layers.engine(document, layerName);
    if (!engine) return undefined;
    const choices = foldChoices(engine);
    return engine.layer.name === layerName ? choices : { pes: choices.pes };
  }

  /** `fold(pe=…, simd=…)` after a layer, with the valid values as choices. */
  private foldItems(document: LangiumDocument, layerName: string): CompletionItem[] {
    const layer = this.layers.layer(document, layerName);
    if (!layer)
      return [
        snippet(
          'fold',
          'fold(pe=${1:1}${2:, simd=1})',
          CompletionItemKind.Keyword,
          'folding: PE output channels and SIMD inputs per cycle',
        ),
      ];
    const { pes, simds } = this.foldChoicesOf(document, layer.name) ?? { pes: [layer.pe] };
    const choice = (vs: number[], n: number, cur: number): string => `\${${n}|${[cur, ...vs.filter((v) => v !== cur)].join(',')}|}`;
    const text = simds
      ? `fold(pe=${choice(pes, 1, layer.pe)}, simd=${choice(simds, 2, layer.simd)})`
      : `fold(pe=${choice(pes, 1, layer.pe)})`;
    return [
      {
        label: 'fold',
        kind: CompletionItemKind.Keyword,
        detail: simds ? `PE ∈ {${pes.join(', ')}}, SIMD ∈ {${simds.join(', ')}}` : `PE ∈ {${pes.join(', ')}}`,
        documentation: markdown(
          `Folding of \`${layer.name}\`: ${simds ? `PE divides MH = ${(layer as { mh: number }).mh}, SIMD divides MW = ${(layer as { mw: number }).mw}` : `PE divides the ${layer.outShape[layer.outShape.length - 1]} channels`}.`,
        ),
        insertText: text,
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: '0',
      },
    ];
  }

  private foldNameItems(document: LangiumDocument, layerName: string, op: string, given: string[]): CompletionItem[] {
    const layer = this.layers.layer(document, layerName);
    const choices = layer ? this.foldChoicesOf(document, layer.name) : undefined;
    const names = (operatorSpec(op)?.fold ?? ['pe']).map((n) => [n, FOLD_ARGS[n].doc] as const);
    return names
      .filter(([n]) => !given.includes(n))
      .map(([n, doc]) => {
        const vs = n === 'mmv' ? (layer ? legalMmvs(layer).values : undefined) : n === 'pe' ? choices?.pes : choices?.simds;
        return {
          label: n,
          kind: CompletionItemKind.Property,
          detail: vs ? `valid: ${vs.join(', ')}` : doc,
          documentation: doc,
          insertText: `${n}=`,
          command: TRIGGER_SUGGEST,
        };
      });
  }

  private foldValueItems(
    document: LangiumDocument,
    layerName: string,
    which: FoldArgName,
    other: Record<string, string>,
  ): CompletionItem[] {
    const engine = this.layers.engine(document, layerName);
    if (!engine) return [];
    if (which === 'mmv') return this.mmvValueItems(engine);
    const d = descriptorOf(engine);
    const legal = d.legalFolds(engine);
    const { pes, simds } = foldChoices(engine);
    const values = which === 'pe' ? pes : simds;
    if (!values) return [];
    const otherPe = other.pe !== undefined ? Number(other.pe) : engine.pe;
    const otherSimd = other.simd !== undefined ? Number(other.simd) : engine.simd;
    const hasSimd = d.foldArgs.includes('simd');
    return values.map((v, i) => {
      const pe = which === 'pe' ? v : otherPe;
      const simd = hasSimd ? (which === 'simd' ? v : otherSimd) : pe;
      // Cycles per frame at that fold, window generator included: the descriptor's, as the estimate shows them.
      const fold = legal.find((f) => f.pe === pe && f.simd === simd);
      const cycles = fold ? d.timing(atFold(engine, fold)).cycles : undefined;
      const t = d.timing(atFold(engine, legal.find((f) => (which === 'pe' ? f.pe === v : f.simd === v)) ?? engine));
      const what = hasSimd ? (which === 'pe' ? `NF = ${t.nf}` : `SF = ${t.sf}`) : `${t.nf} cycles per pixel`;
      return {
        label: String(v),
        kind: CompletionItemKind.Value,
        detail: `${what}${cycles !== undefined ? ` · ${formatSI(cycles)} cycles/frame` : ''}${v === (which === 'pe' ? engine.pe : engine.simd) ? ' (current)' : ''}`,
        sortText: String(i).padStart(4, '0'),
      };
    });
  }

  /** `mmv=`: the legal M (legalMmvs), each with the engine's cycles per frame at it (its descriptor's, at the full fold M > 1 needs). */
  private mmvValueItems(engine: Engine): CompletionItem[] {
    const { values, rule } = legalMmvs(engine.layer);
    const base = mmvBaseFold(engine.layer);
    return values.map((v, i) => {
      const at = v === 1 ? engine : engineWithFold(engine, base.pe, base.simd, v);
      const cycles = descriptorOf(engine).timing(at).cycles;
      return {
        label: String(v),
        kind: CompletionItemKind.Value,
        detail: `${formatSI(cycles)} cycles/frame${v > 1 ? ` at pe=${base.pe}${isMvau(engine.layer) ? `, simd=${base.simd}` : ''}` : ''}${v === engine.mmv ? ' (current)' : ''}`,
        documentation: rule,
        sortText: String(i).padStart(4, '0'),
      };
    });
  }
}

/** Legal PE (and, where the fold takes it, SIMD) values of an engine, from its descriptor. */

export function foldChoices(e: Engine): { pes: number[]; simds?: number[] } {
  const d = descriptorOf(e);
  const legal = d.legalFolds(e);
  const uniq = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
  return { pes: uniq(legal.map((f) => f.pe)), ...(d.foldArgs.includes('simd') ? { simds: uniq(legal.map((f) => f.simd)) } : {}) };
}

/** `u8[1024, 1]`: a producer's output type and shape from the model. */
function producerShape(net: Network | undefined, name: string): string | undefined {
  if (net?.input?.name === name) return `${typeName(net.input.type)}${shapeText(net.input.shape)}`;
  const l = layerNamed(net, name);
  return l ? `${typeName(l.outType)}${shapeText(l.outShape)}` : undefined;
}

/** An operator's required (or optional) argument names, from the catalogue. */
function argNames(op: OpKind, required: boolean): string[] {
  return OPERATORS[op].args.filter((a) => a.required === required).map((a) => a.name);
}

function typeItems(which: { unsigned?: boolean; signed?: boolean; bipolar?: boolean }): CompletionItem[] {
  const items: CompletionItem[] = [];
  if (which.unsigned)
    UNSIGNED.forEach((t, i) =>
      items.push({
        label: t,
        kind: CompletionItemKind.TypeParameter,
        detail: `unsigned, 0 … ${2 ** (i + 1) - 1}`,
        sortText: `1${String(i).padStart(2, '0')}`,
      }),
    );
  if (which.signed)
    SIGNED.forEach((t, i) =>
      items.push({
        label: t,
        kind: CompletionItemKind.TypeParameter,
        detail: `signed, ${-(2 ** (i + 1))} … ${2 ** (i + 1) - 1}`,
        sortText: `2${String(i).padStart(2, '0')}`,
      }),
    );
  if (which.bipolar) items.push({ label: 'bipolar', kind: CompletionItemKind.TypeParameter, detail: '−1 or +1 (1 bit)', sortText: '3' });
  return items;
}

function snippet(label: string, text: string, kind: CompletionItemKind, doc: string): CompletionItem {
  return { label, kind, detail: doc, insertText: text, insertTextFormat: InsertTextFormat.Snippet };
}

function markdown(value: string): MarkupContent {
  return { kind: 'markdown', value };
}
