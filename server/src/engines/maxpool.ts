/**
 * Max-pool (hw-templates/qnn_maxpool.sv): takes one word of PE channels per cycle and
 * emits an output word when its K-wide window closes; a line buffer keeps the partial
 * maxima of K−1 rows (2-D) or pixels (1-D).
 */
import { COST_CONSTANTS as C } from '../cost/constants.js';
import { roundResources, type Fabric } from '../cost/fabric.js';
import { poolMmvResources, poolResources } from '../cost/resources.js';
import { validPes } from '../model/folding.js';
import { typeBits } from '../model/qtype.js';
import { channelsOf, product } from '../model/shape.js';
import type { Engine, PoolLayer } from '../model/types.js';
import type { EngineDescriptor, EngineTiming, Fold, LatencyStage, TemplateInstance, TemplateParams, TokenEngine } from './descriptor.js';
import { kindCode } from './rom-layout.js';
import { stepResult } from './tokens.js';

function layerOf(e: Engine): PoolLayer {
  return e.layer as PoolLayer;
}

function geometry(l: PoolLayer) {
  const dims = l.kernel.length === 2 ? 2 : 1;
  return {
    dims: dims as 1 | 2,
    inH: dims === 2 ? l.inShape[0] : 1,
    inW: dims === 2 ? l.inShape[1] : l.inShape[0],
    outH: dims === 2 ? l.outShape[0] : 1,
    outW: dims === 2 ? l.outShape[1] : l.outShape[0],
    ch: channelsOf(l.inShape),
    k: l.kernel[0],
    stride: l.stride[0],
  };
}

export const maxpoolDescriptor: EngineDescriptor = {
  kind: 'maxpool',
  foldArgs: ['pe'],

  legalFolds(e: Engine): Fold[] {
    return validPes(channelsOf(e.inShape)).map((pe) => ({ pe, simd: pe }));
  },

  computeCycles(e: Engine, f: Fold): number {
    return Math.ceil(product(e.inShape) / f.pe);
  },

  timing(e: Engine): EngineTiming {
    const cycles = maxpoolDescriptor.computeCycles(e, { pe: e.pe, simd: e.pe }) / e.mmv;
    return {
      cycles,
      computeCycles: cycles,
      windowCycles: null,
      nf: channelsOf(e.inShape) / e.pe,
      sf: 1,
      pixels: product(e.inShape.slice(0, -1)),
    };
  },

  latency(e: Engine): LatencyStage {
    const l = layerOf(e);
    const g = geometry(l);
    if (e.mmv > 1) {
      // qnn_maxpool_mmv: the words of a window row's last input row complete output words,
      // on m_axis one cycle after (1-D: every word).
      const words = product(e.inShape) / e.inElemsPerWord;
      const perRow = g.inW / e.mmv;
      const kv = g.dims === 2 ? g.k : 1;
      const first = (kv - 1) * perRow;
      const last = (g.outH * kv - 1) * perRow + perRow - 1;
      return { name: e.name, kind: 'engine', words, need: first + 1, fill: 1, drain: 1 - (words - 1 - last), span: last + 1 };
    }
    const words = Math.ceil(product(e.inShape) / e.inElemsPerWord);
    const groups = g.ch / e.pe;
    // The input word that completes a window (its last row and column; channel group c).
    const completing = (oy: number, ox: number, c: number): number =>
      ((oy * g.stride + (g.dims === 2 ? g.k - 1 : 0)) * g.inW + ox * g.stride + g.k - 1) * groups + c;
    const first = completing(0, 0, 0);
    const last = completing(g.outH - 1, g.outW - 1, groups - 1);
    const pipe = g.dims === 2 ? C.latency.poolPipe2d : C.latency.poolPipe1d;
    // Rows and columns after the last window are consumed and ignored: the last output
    // leaves `pipe` cycles after the word that completes it, not after the frame's last word.
    return { name: e.name, kind: 'engine', words, need: first + 1, fill: pipe, drain: pipe - (words - 1 - last), span: last + pipe };
  },

  tokens(e: Engine, frames: number): TokenEngine {
    const l = layerOf(e);
    const g = geometry(l);
    if (e.mmv > 1) {
      // One word in per cycle; the words of a window row's last input row each complete one.
      const words = product(e.inShape) / e.inElemsPerWord;
      const perRow = g.inW / e.mmv;
      const kv = g.dims === 2 ? g.k : 1;
      const completes = (n: number): number => {
        const row = Math.floor((n % words) / perRow);
        return row % kv === kv - 1 && row < g.outH * kv ? 1 : 0;
      };
      let n = 0;
      return {
        name: e.name,
        inWords: words,
        outWords: g.outH * perRow,
        pattern: `pools ${e.mmv} pixels per word into ${e.mmv / g.k}${kv > 1 ? `, and ${kv} rows into one` : ''}, a word in per cycle`,
        step(available) {
          if (available <= 0 || n >= words * frames) return stepResult(false, 0);
          const produced = completes(n);
          n++;
          return stepResult(true, produced);
        },
      };
    }
    const groups = g.ch / e.pe;
    const inWords = product(l.inShape) / e.pe;
    // For each input word of a frame: how many output words complete with it.
    const completes = new Int32Array(inWords);
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const y = oy * g.stride + (g.dims === 2 ? g.k - 1 : 0);
        const x = ox * g.stride + g.k - 1;
        for (let c = 0; c < groups; c++) completes[(y * g.inW + x) * groups + c]++;
      }
    }
    let n = 0;
    return {
      name: e.name,
      inWords,
      outWords: g.outH * g.outW * groups,
      pattern: `takes a word per cycle and emits when a ${g.k}-wide window closes`,
      step(available) {
        if (available <= 0 || n >= inWords * frames) return stepResult(false, 0);
        const produced = completes[n % inWords];
        n++;
        return stepResult(true, produced);
      },
    };
  },

  resources(e: Engine, fab: Fabric) {
    const l = layerOf(e);
    const g = geometry(l);
    if (e.mmv > 1) {
      // qnn_maxpool_mmv: (M/K)·C comparator trees of K inputs and the output register.
      const total = roundResources(
        poolMmvResources(
          {
            kernel: g.k,
            outElems: e.outElemsPerWord,
            bits: typeBits(e.inType),
            rowWords: g.dims === 2 ? g.inW / e.mmv : 0,
            rows: g.inH,
            wordsPerRow: g.inW / e.mmv,
          },
          fab,
        ),
      );
      return { total, parts: { maxpool: total }, weightMem: 'none', weightBits: 0, macs: 0 };
    }
    const total = roundResources(
      poolResources(
        {
          dims: g.dims,
          kernel: g.k,
          stride: g.stride,
          rowWidth: g.inW,
          outRowWidth: g.outW,
          channels: g.ch,
          pe: e.pe,
          bits: typeBits(e.inType),
          bipolar: e.inType.kind === 'bipolar',
          rows: g.inH,
        },
        fab,
      ).total,
    );
    return { total, parts: { maxpool: total }, weightMem: 'none', weightBits: 0, macs: 0 };
  },

  instances(e: Engine): TemplateInstance[] {
    const l = layerOf(e);
    const g = geometry(l);
    if (e.mmv > 1) {
      const params: TemplateParams = [
        ['DIMS', g.dims],
        ['IN_H', g.inH],
        ['IN_W', g.inW],
        ['CH', g.ch],
        ['K', g.k],
        ['BITS', typeBits(l.inType)],
        ['KIND', kindCode(l.inType)],
        ['MMV', e.mmv],
      ];
      return [{ module: 'qnn_maxpool_mmv', name: 'pool', params, input: 's_axis', output: 'm_axis' }];
    }
    return [
      {
        module: 'qnn_maxpool',
        name: 'pool',
        params: [
          ['DIMS', g.dims],
          ['IN_H', g.inH],
          ['IN_W', g.inW],
          ['CH', g.ch],
          ['K', g.k],
          ['STRIDE', g.stride],
          ['BITS', typeBits(l.inType)],
          ['KIND', kindCode(l.inType)],
          ['PE', e.pe],
        ],
        input: 's_axis',
        output: 'm_axis',
      },
    ];
  },

  romFiles() {
    return {};
  },

  roms() {
    return [];
  },
};
