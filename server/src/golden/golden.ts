/**
 * The golden model: a bit-exact integer reference of language.md §3. Tensors are
 * decoded integer values (bipolar as −1/+1, pow2 weights as 0/±2^e) in channels-last,
 * row-major order, exactly the order the hardware streams them.
 */
import { product } from '../model/shape.js';
import { isActivation, isMvau, liveChain } from '../model/engines.js';
import { activationValue } from '../model/activation-value.js';
import type { Activation, LayerModel, MvauLayer, Network, PoolLayer } from '../model/types.js';

/** Values of every layer on the live chain for one input frame, plus the output. */
export interface GoldenTrace {
  layers: Map<string, Int32Array>;
  output: Int32Array;
}

export function runNetwork(net: Network, input: Int32Array): GoldenTrace {
  if (!net.input) throw new Error('the network has no input');
  const expected = product(net.input.shape);
  if (input.length !== expected) throw new Error(`input frame has ${input.length} values; ${net.input.name} needs ${expected}`);
  const layers = new Map<string, Int32Array>();
  let cur = input;
  for (const l of liveChain(net)) {
    cur = runLayer(l, cur);
    layers.set(l.name, cur);
  }
  return { layers, output: cur };
}

export function runLayer(l: LayerModel, input: Int32Array): Int32Array {
  if (isMvau(l)) return mvau(l, input);
  if (isActivation(l)) return activate(l.activation, input, l.inShape[l.inShape.length - 1]);
  return maxpool(l as PoolLayer, input);
}

/** The im2col vector of output pixel `pix`: kernel position major, channel minor; padding is 0. */
export function window(l: MvauLayer, input: Int32Array, pix: number, out: Int32Array): void {
  const nd = l.kernel.length;
  const cin = l.inShape[nd];
  const inH = nd === 2 ? l.inShape[0] : 1;
  const inW = nd === 2 ? l.inShape[1] : l.inShape[0];
  const outW = nd === 2 ? l.outShape[1] : l.outShape[0];
  const k = l.kernel[0];
  const kh = nd === 2 ? k : 1;
  const s = l.stride[0];
  const padT = nd === 2 ? l.pad[0][0] : 0;
  const padL = nd === 2 ? l.pad[1][0] : l.pad[0][0];
  const oy = Math.floor(pix / outW);
  const ox = pix % outW;
  let j = 0;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < k; kx++) {
      const y = oy * s + ky - padT;
      const x = ox * s + kx - padL;
      const inside = y >= 0 && y < inH && x >= 0 && x < inW;
      const base = (y * inW + x) * cin;
      for (let c = 0; c < cin; c++) out[j++] = inside ? input[base + c] : 0;
    }
  }
}

/** Accumulators of a conv or dense layer, [pixels, MH] channels-last. */
export function mvau(l: MvauLayer, input: Int32Array): Int32Array {
  const { mw, mh, matrix } = l;
  const out = new Int32Array(l.pixels * mh);
  const vec = new Int32Array(mw);
  for (let p = 0; p < l.pixels; p++) {
    if (l.op === 'dense') vec.set(input);
    else window(l, input, p, vec);
    for (let r = 0; r < mh; r++) {
      let acc = 0;
      const row = r * mw;
      for (let j = 0; j < mw; j++) acc += matrix[row + j] * vec[j];
      out[p * mh + r] = acc;
    }
  }
  return out;
}

export function activate(act: Activation, x: Int32Array, channels: number): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = activationValue(act, i % channels, x[i]);
  return out;
}

export function maxpool(l: PoolLayer, input: Int32Array): Int32Array {
  const nd = l.kernel.length;
  const c = l.inShape[nd];
  const inW = nd === 2 ? l.inShape[1] : l.inShape[0];
  const outH = nd === 2 ? l.outShape[0] : 1;
  const outW = nd === 2 ? l.outShape[1] : l.outShape[0];
  const k = l.kernel[0];
  const kh = nd === 2 ? k : 1;
  const s = l.stride[0];
  const out = new Int32Array(outH * outW * c);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let ch = 0; ch < c; ch++) {
        let m = -Infinity;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const v = input[((oy * s + ky) * inW + ox * s + kx) * c + ch];
            if (v > m) m = v;
          }
        }
        out[(oy * outW + ox) * c + ch] = m;
      }
    }
  }
  return out;
}
