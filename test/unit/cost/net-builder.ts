/**
 * Builds `Network` models programmatically for the cost-model tests, the way elaboration
 * would (shapes, MW/MH, accumulator bounds from the type extremes, fold source), then
 * the engine chain with `buildEngines`. Every layer gets its own source line, so a test
 * can tell which range a diagnostic points at: layer i (0-based) is on line i + 10.
 */
import { buildEngines } from '../../../server/src/model/engines.js';
import { fixedPointScale } from '../../../server/src/model/requant.js';
import { signedBitsFor, typeMax, typeMin } from '../../../server/src/model/qtype.js';
import type { LayerModel, MvauLayer, Network, QType, SrcRange } from '../../../server/src/model/types.js';

export const u = (bits: number): QType => ({ kind: 'uint', bits });
export const i = (bits: number): QType => ({ kind: 'int', bits });
export const bipolar: QType = { kind: 'bipolar' };
export const pow2 = (bits: number): QType => ({ kind: 'pow2', bits });

export interface Fold {
  pe?: number;
  simd?: number;
}

const range = (line: number, start: number, end: number): SrcRange => ({
  start: { line, character: start },
  end: { line, character: end },
});
export const TARGET_RANGE = range(1, 2, 8);

export function lineOf(index: number): number {
  return index + 10;
}

export class NetBuilder {
  readonly layers: LayerModel[] = [];
  private cur: { name: string; shape: number[]; type: QType };

  constructor(
    private readonly opts: {
      name?: string;
      device?: string;
      clockMhz?: number;
      fps?: number;
      bandwidthGBs?: number;
      input: { shape: number[]; type: QType };
    },
  ) {
    this.cur = { name: 'x', ...opts.input };
  }

  private base(name: string, op: LayerModel['op'], fold: Fold | undefined, outShape: number[], outType: QType) {
    const idx = this.layers.length;
    const line = lineOf(idx);
    return {
      name,
      op,
      input: this.cur.name,
      inShape: this.cur.shape,
      inType: this.cur.type,
      outShape,
      outType,
      pe: fold?.pe ?? 1,
      simd: fold?.simd ?? 1,
      foldSource: fold ? ('explicit' as const) : ('default' as const),
      index: idx,
      ranges: {
        name: range(line, 6, 6 + name.length),
        layer: range(line, 0, 80),
        ...(fold ? { fold: range(line, 60, 80) } : {}),
      },
    };
  }

  private push(l: LayerModel): this {
    this.layers.push(l);
    this.cur = { name: l.name, shape: l.outShape, type: l.outType };
    return this;
  }

  private mvau(
    name: string,
    op: MvauLayer['op'],
    mh: number,
    mw: number,
    pixels: number,
    outSpatial: number[],
    w: QType,
    fold: Fold | undefined,
    conv?: { kernel: number[]; stride: number[]; pad: [number, number][]; wshape: number[] },
  ): this {
    const a = this.cur.type;
    const ps = [typeMin(w) * typeMin(a), typeMin(w) * typeMax(a), typeMax(w) * typeMin(a), typeMax(w) * typeMax(a)];
    const min = Math.min(0, mw * Math.min(...ps));
    const max = Math.max(0, mw * Math.max(...ps));
    const bits = signedBitsFor(min, max);
    const values = new Int32Array(mh * mw);
    const l: MvauLayer = {
      ...this.base(name, op, fold, [...outSpatial, mh], i(bits)),
      op,
      weights: { type: w, shape: conv?.wshape ?? [mh, mw], values, source: { kind: 'random', seed: 0 } },
      kernel: conv?.kernel ?? [],
      stride: conv?.stride ?? [],
      pad: conv?.pad ?? [],
      mw,
      mh,
      pixels,
      acc: { min, max, bits, declared: false, extremeRow: 0 },
      mul: 'auto',
      multipliers: 'dsp',
      matrix: values,
    };
    return this.push(l);
  }

  dense(name: string, units: number, w: QType, fold?: Fold): this {
    const mw = this.cur.shape.reduce((x, y) => x * y, 1);
    return this.mvau(name, 'dense', units, mw, 1, [], w, fold);
  }

  /** conv1d on [L, C] or conv2d on [H, W, C] (by the input's rank). */
  conv(name: string, o: { filters: number; kernel: number; stride?: number; pad?: number; w: QType; fold?: Fold }): this {
    const nd = this.cur.shape.length - 1;
    const s = o.stride ?? 1;
    const p = o.pad ?? 0;
    const cin = this.cur.shape[nd];
    const spatial = this.cur.shape.slice(0, nd).map((d) => Math.floor((d + 2 * p - o.kernel) / s) + 1);
    const kernel = Array(nd).fill(o.kernel);
    return this.mvau(
      name,
      nd === 2 ? 'conv2d' : 'conv1d',
      o.filters,
      o.kernel ** nd * cin,
      spatial.reduce((x, y) => x * y, 1),
      spatial,
      o.w,
      o.fold,
      { kernel, stride: Array(nd).fill(s), pad: Array(nd).fill([p, p]), wshape: [o.filters, cin, ...kernel] },
    );
  }

  /** A threshold with one shared list (or a distinct list per channel). */
  threshold(name: string, out: QType, o: { perChannel?: boolean; fold?: Fold } = {}): this {
    const c = this.cur.shape[this.cur.shape.length - 1];
    const n = out.kind === 'bipolar' ? 1 : 2 ** out.bits - 1;
    const thresholds = Array.from({ length: c }, (_, ch) => Array.from({ length: n }, (_, k) => k * 4 + (o.perChannel ? ch : 0)));
    return this.push({
      ...this.base(name, 'threshold', o.fold, this.cur.shape, out),
      op: 'threshold',
      activation: { kind: 'threshold', thresholds, bias: 0, out },
    });
  }

  requant(name: string, out: QType, scale: number | number[], o: { zero?: number; fold?: Fold } = {}): this {
    const c = this.cur.shape[this.cur.shape.length - 1];
    const scales = Array.isArray(scale) ? scale : Array(c).fill(scale);
    const fixed = scales.map((s) => fixedPointScale(s, 16));
    return this.push({
      ...this.base(name, 'requant', o.fold, this.cur.shape, out),
      op: 'requant',
      activation: {
        kind: 'requant',
        scales,
        multipliers: fixed.map((f) => f.multiplier),
        shifts: fixed.map((f) => f.shift),
        zero: o.zero ?? 0,
        mbits: 16,
        out,
      },
    });
  }

  maxpool(name: string, kernel: number, o: { stride?: number; fold?: Fold } = {}): this {
    const nd = this.cur.shape.length - 1;
    const s = o.stride ?? kernel;
    const spatial = this.cur.shape.slice(0, nd).map((d) => Math.floor((d - kernel) / s) + 1);
    return this.push({
      ...this.base(name, 'maxpool', o.fold, [...spatial, this.cur.shape[nd]], this.cur.type),
      op: 'maxpool',
      kernel: Array(nd).fill(kernel),
      stride: Array(nd).fill(s),
    });
  }

  build(): Network {
    const o = this.opts;
    const net: Network = {
      name: o.name ?? 'net',
      input: { name: 'x', shape: o.input.shape, type: o.input.type, range: range(3, 6, 7) },
      layers: this.layers,
      output: this.cur.name,
      tests: [],
      engines: [],
      complete: true,
    };
    if (o.device !== undefined) {
      net.target = {
        device: o.device,
        clockHz: (o.clockMhz ?? 100) * 1e6,
        range: TARGET_RANGE,
        deviceRange: range(1, 9, 9 + o.device.length),
        ...(o.fps !== undefined ? { fps: o.fps } : {}),
        ...(o.bandwidthGBs !== undefined ? { bandwidthGBs: o.bandwidthGBs } : {}),
      };
    }
    net.engines = buildEngines(net);
    return net;
  }
}
