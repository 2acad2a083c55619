/**
 * The calibration sweep: small networks whose blocks cover every engine descriptor's
 * parameters (hardware.md §4) — dense and conv1d / conv2d MVAUs with int, pow2 and bipolar
 * weights at several PE, SIMD, weight and activation widths, with a fused requant or
 * threshold (shared or per-channel constants) or none, weight memories from hard-wired to
 * block RAM; max-pools in 1-D and 2-D; stand-alone requant and threshold engines; the width
 * converters between engines of different word widths; FIFOs of several depths and widths;
 * MMV convs (lockstep copies of a hard-wired MVAU) and MMV max-pools.
 *
 * Deterministic: the same seed gives the same networks. `heldOutSpecs` draws from the same
 * space with other seeds and keeps only networks not in the sweep (the synthesis test's).
 */
import { SeededRandom } from '../../../server/src/weights/random.js';
import type { NetSpec } from './samples.js';

type Rng = SeededRandom;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.intInRange(0, xs.length - 1)];

const divisorsOf = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** An activation fused after an MVAU (or stand-alone): the layer line and its .npy files. */
interface Act {
  line: (name: string, input: string) => string;
  files: (channels: number, r: Rng) => NetSpec['files'];
  label: string;
}

const ascending = (r: Rng, n: number, lo: number, hi: number): number[] => {
  const xs = Array.from({ length: n }, () => r.intInRange(lo, hi)).sort((a, b) => a - b);
  for (let i = 1; i < n; i++) if (xs[i] <= xs[i - 1]) xs[i] = xs[i - 1] + 1;
  return xs;
};

/**
 * The activations after a value of about ±`accRange`: requant scales that map that range
 * onto the output type (a scale that sends every value to one output would let Yosys
 * remove the multiplier), thresholds inside it.
 */
function activations(r: Rng, accRange: number): Act[] {
  const t = Math.max(4, Math.floor(accRange / 4));
  const scale = (outMax: number): number => Number(((outMax / accRange) * pick(r, [0.7, 1.5, 3])).toPrecision(3));
  return [
    { label: 'none', line: () => '', files: () => ({}) },
    {
      label: 'requant u4',
      line: (n, i) => `layer ${n} = requant(${i}, out=u4, scale=${scale(15)})`,
      files: () => ({}),
    },
    {
      label: 'requant i8 zero',
      line: (n, i) => `layer ${n} = requant(${i}, out=i8, scale=${scale(127)}, zero=3)`,
      files: () => ({}),
    },
    {
      label: 'requant u4 per-channel',
      line: (n, i) => `layer ${n} = requant(${i}, out=u4, scale=scales("${n}_s.npy"))`,
      files: (c, rr) => {
        const s = scale(15);
        return {
          [`act_s.npy`]: { shape: [c], dtype: 'float64', data: Array.from({ length: c }, () => (s * rr.intInRange(50, 200)) / 100) },
        };
      },
    },
    {
      label: 'requant u2 mbits=8',
      line: (n, i) => `layer ${n} = requant(${i}, out=u2, scale=${scale(3)}, mbits=8)`,
      files: () => ({}),
    },
    {
      label: 'threshold u2',
      line: (n, i) => `layer ${n} = threshold(${i}, out=u2, thresholds=[${ascending(r, 3, -t, t).join(', ')}])`,
      files: () => ({}),
    },
    {
      label: 'threshold u2 per-channel',
      line: (n, i) => `layer ${n} = threshold(${i}, out=u2, thresholds=thresholds("${n}_t.npy"))`,
      files: (c, rr) => ({
        [`act_t.npy`]: { shape: [c, 3], dtype: 'int32', data: Array.from({ length: c }, () => ascending(rr, 3, -t, t)).flat() },
      }),
    },
    {
      label: 'threshold u3 per-channel',
      line: (n, i) => `layer ${n} = threshold(${i}, out=u3, thresholds=thresholds("${n}_t.npy"))`,
      files: (c, rr) => ({
        [`act_t.npy`]: { shape: [c, 7], dtype: 'int32', data: Array.from({ length: c }, () => ascending(rr, 7, -t, t)).flat() },
      }),
    },
    {
      label: 'threshold bipolar',
      line: (n, i) => `layer ${n} = threshold(${i}, out=bipolar, thresholds=thresholds("${n}_t.npy"))`,
      files: (c, rr) => ({ [`act_t.npy`]: { shape: [c, 1], dtype: 'int32', data: Array.from({ length: c }, () => rr.intInRange(-t, t)) } }),
    },
  ];
}

/** Renames the activation's files to its layer (`act_s.npy` → `a1_s.npy`). */
function actFiles(act: Act, layer: string, channels: number, r: Rng): NetSpec['files'] {
  const out: NonNullable<NetSpec['files']> = {};
  for (const [f, v] of Object.entries(act.files(channels, r) ?? {})) out[f.replace(/^act/, layer)] = v;
  return out;
}

const IN_TYPES = ['u1', 'u2', 'u4', 'u8', 'i4', 'i8', 'bipolar'] as const;
const W_TYPES = ['i2', 'i4', 'i8', 'u4', 'pow2<3>', 'pow2<4>', 'bipolar'] as const;

function bitsOf(t: string): number {
  if (t === 'bipolar') return 1;
  const m = /(\d+)/.exec(t);
  return Number(m![1]);
}

/** The values of an int type uN / iN: [min, max]. */
function rangeOf(t: string): [number, number] {
  const b = bitsOf(t);
  return t.startsWith('u') ? [0, 2 ** b - 1] : [-(2 ** (b - 1)), 2 ** (b - 1) - 1];
}

/** A rough accumulator range for picking thresholds inside it. */
function accRange(inT: string, wT: string, mw: number): number {
  const a = inT === 'bipolar' ? 1 : 2 ** bitsOf(inT);
  const w = wT === 'bipolar' ? 1 : wT.startsWith('pow2') ? 2 ** (2 ** (bitsOf(wT) - 1) - 2) : 2 ** (bitsOf(wT) - 1);
  return Math.max(8, Math.floor(Math.sqrt(mw) * a * w));
}

/** A dense MVAU network: one dense layer (and its fused activation), sometimes a second engine after it. */
function denseSpec(r: Rng, idx: number): NetSpec {
  let inT: string = pick(r, IN_TYPES);
  let wT: string = pick(r, W_TYPES);
  if (inT === 'bipolar' && wT === 'u4') wT = 'i4';
  const mw = pick(r, [4, 8, 16, 24, 32, 64, 128, 256, 512]);
  const mh = pick(r, [2, 4, 8, 16, 32, 64]);
  const simd = pick(
    r,
    divisorsOf(mw).filter((d) => d <= 32),
  );
  const pe = pick(
    r,
    divisorsOf(mh).filter((d) => d <= 16 && d * simd <= 128),
  );
  // An int × int lane that stays in LUTs is costly on iCE40: keep those small.
  if (pe * simd > 32 && !['bipolar'].includes(wT) && !['bipolar'].includes(inT) && !wT.startsWith('pow2') && bitsOf(inT) * bitsOf(wT) > 8)
    inT = pick(r, ['u2', 'u1', 'bipolar']);
  const acts = activations(r, accRange(inT, wT, mw));
  const act = inT === 'bipolar' && wT === 'bipolar' ? pick(r, [acts[0], acts[5], acts[6], acts[8]]) : pick(r, acts);
  const name = `dense${idx}`;
  const lines = [
    `input x: ${inT}[${mw}]`,
    `layer d1 = dense(x, units=${mh}, weights=${wT}(random, seed=${idx + 1})) fold(pe=${pe}, simd=${simd})`,
  ];
  const files = actFiles(act, 'a1', mh, r);
  let last = 'd1';
  if (act.label !== 'none') {
    lines.push(act.line('a1', 'd1'));
    last = 'a1';
  }
  return { name, body: [...lines, `output ${last}`].map((l) => `  ${l}`).join('\n'), files };
}

/** A conv MVAU network: the window generator and the MVAU, with or without an activation. */
function convSpec(r: Rng, idx: number): NetSpec {
  const dims = pick(r, [1, 1, 2]);
  const c = pick(r, [1, 2, 3, 4, 8, 16]);
  const k = pick(r, dims === 2 ? [1, 2, 3] : [1, 2, 3, 5]);
  const len = dims === 2 ? pick(r, [4, 6, 8, 12]) : pick(r, [8, 16, 32, 64, 256]);
  const stride = pick(r, [1, 1, 1, 2]);
  const pad = k % 2 === 1 && stride === 1 && k > 1 ? pick(r, ['valid', 'same']) : 'valid';
  const filters = pick(r, [2, 4, 8, 16]);
  let inT: string = pick(r, ['u1', 'u2', 'u4', 'u8', 'i4', 'bipolar']);
  const wT: string = pick(
    r,
    W_TYPES.filter((w) => w !== 'u4'),
  );
  if (inT === 'bipolar' && pad === 'same') inT = 'u2';
  const mw = k ** dims * c;
  // SIMD divides Cin or is a multiple of it that divides K·Cin (the window generator's rule).
  const simds = divisorsOf(mw).filter((s) => (c % s === 0 || s % c === 0) && s <= 32);
  const simd = pick(r, simds);
  const pe = pick(
    r,
    divisorsOf(filters).filter((d) => d * simd <= 64),
  );
  if (pe * simd > 16 && !wT.startsWith('pow2') && wT !== 'bipolar' && inT !== 'bipolar' && bitsOf(inT) * bitsOf(wT) > 8) inT = 'u2';
  const acts = activations(r, accRange(inT, wT, mw));
  const act = pick(r, acts);
  const name = `conv${idx}`;
  const shape = dims === 2 ? `${len}, ${len}, ${c}` : `${len}, ${c}`;
  const lines = [
    `input x: ${inT}[${shape}]`,
    `layer c1 = conv${dims}d(x, filters=${filters}, kernel=${k}${stride > 1 ? `, stride=${stride}` : ''}${pad !== 'valid' ? `, pad=${pad}` : ''}, weights=${wT}(random, seed=${idx + 100})) fold(pe=${pe}, simd=${simd})`,
  ];
  const files = actFiles(act, 'a1', filters, r);
  let last = 'c1';
  if (act.label !== 'none') {
    lines.push(act.line('a1', 'c1'));
    last = 'a1';
  }
  return { name, body: [...lines, `output ${last}`].map((l) => `  ${l}`).join('\n'), files };
}

/** Max-pools, then a stand-alone activation or a dense layer behind a width converter. */
function poolSpec(r: Rng, idx: number): NetSpec {
  const dims = pick(r, [1, 2]);
  const c = pick(r, [1, 2, 4, 8, 16, 32]);
  const len = dims === 2 ? pick(r, [4, 6, 8, 12, 16]) : pick(r, [8, 16, 32, 64]);
  const k = pick(r, [2, 2, 3, 4]);
  const stride = pick(r, [k, k, Math.max(1, k - 1)]);
  const inT = pick(r, ['u1', 'u2', 'u4', 'u8', 'i4', 'i8', 'bipolar']);
  const pe = pick(r, divisorsOf(c));
  const shape = dims === 2 ? `${len}, ${len}, ${c}` : `${len}, ${c}`;
  const lines = [
    `input x: ${inT}[${shape}]`,
    `layer p1 = maxpool(x, kernel=${k}${stride !== k ? `, stride=${stride}` : ''}) fold(pe=${pe})`,
  ];
  return { name: `pool${idx}`, body: [...lines, 'output p1'].map((l) => `  ${l}`).join('\n') };
}

/**
 * A 2-D max-pool on the input, with images up to a CNN's 32 × 32 and strides below the
 * kernel: the vertical stage (banks of partial output rows) has terms of its own, and the
 * pool networks above draw only ten 2-D pools, all on images of at most 16 pixels.
 */
function pool2dSpec(r: Rng, idx: number): NetSpec {
  const c = pick(r, [1, 2, 4, 8, 16]);
  const len = pick(r, [8, 12, 16, 24, 32]);
  const k = pick(r, [2, 2, 3, 4]);
  const stride = pick(r, [k, k, Math.max(1, k - 1), 1]);
  const inT = pick(r, ['u1', 'u2', 'u4', 'u8', 'i4', 'i8', 'bipolar']);
  const pe = pick(r, divisorsOf(c));
  const lines = [
    `input x: ${inT}[${len}, ${len}, ${c}]`,
    `layer p1 = maxpool(x, kernel=${k}${stride !== k ? `, stride=${stride}` : ''}) fold(pe=${pe})`,
  ];
  return { name: `pool2d${idx}`, body: [...lines, 'output p1'].map((l) => `  ${l}`).join('\n') };
}

/**
 * A 2-D MMV max-pool on the input (qnn_maxpool_mmv's row of running maxima): M pixels per
 * cycle, M a multiple of the kernel dividing the row, stride = kernel, PE = channels.
 */
function mmvPoolSpec(r: Rng, idx: number): NetSpec {
  const k = pick(r, [2, 2, 4]);
  const m = k === 4 ? 4 : pick(r, [2, 4]);
  const len = pick(r, [8, 16, 32]);
  const c = pick(r, [1, 2, 4, 8]);
  const inT = pick(r, ['u1', 'u2', 'u4', 'u8', 'i4', 'bipolar']);
  const lines = [`input x: ${inT}[${len}, ${len}, ${c}]`, `layer p1 = maxpool(x, kernel=${k}) fold(pe=${c}, mmv=${m})`];
  return { name: `mmvpool${idx}`, body: [...lines, 'output p1'].map((l) => `  ${l}`).join('\n') };
}

/** A stand-alone requant or threshold on the input (nothing to fuse into), then a second one behind a FIFO. */
function activationSpec(r: Rng, idx: number): NetSpec {
  const c = pick(r, [1, 2, 4, 8, 16, 32]);
  const len = pick(r, [4, 16, 64]);
  const inT = pick(r, ['u4', 'u8', 'i4', 'i8', 'i12', 'i16']);
  const pe = pick(r, divisorsOf(c));
  const acts = activations(r, 2 ** (bitsOf(inT) - 1)).slice(1);
  const act = pick(r, acts);
  const files = actFiles(act, 'a1', c, r);
  const lines = [`input x: ${inT}[${len}, ${c}]`, act.line('a1', 'x') + ` fold(pe=${pe})`];
  return { name: `act${idx}`, body: [...lines, 'output a1'].map((l) => `  ${l}`).join('\n'), files };
}

/**
 * Two stand-alone activations (or max-pools) with a FIFO of a given depth between them, and
 * a width converter when their PE differ.
 */
function fifoSpec(r: Rng, idx: number, depth: number): NetSpec {
  const c = pick(r, [2, 4, 8, 16, 32]);
  const bits = pick(r, [1, 2, 4, 8]);
  const pe1 = pick(r, divisorsOf(c));
  const pe2 = pick(r, [pe1, pe1, pick(r, divisorsOf(c))]);
  const len = 64;
  const lines = [
    `input x: u${bits}[${len}, ${c}]`,
    `layer p1 = maxpool(x, kernel=2) fold(pe=${pe1})`,
    `layer p2 = maxpool(p1, kernel=2) fold(pe=${pe2})`,
    'output p2',
  ];
  return { name: `fifo${idx}`, body: lines.map((l) => `  ${l}`).join('\n'), fifoDepths: { fifo_p1_p2: depth } };
}

/** Two MVAUs in a row: a width converter between words of different SIMD / PE. */
function chainSpec(r: Rng, idx: number): NetSpec {
  const mw = pick(r, [16, 32, 64]);
  const h1 = pick(r, [8, 16, 32]);
  const h2 = pick(r, [4, 8, 10]);
  const pe1 = pick(
    r,
    divisorsOf(h1).filter((d) => d <= 8),
  );
  const simd2 = pick(
    r,
    divisorsOf(h1).filter((d) => d <= 16 && d !== pe1),
  );
  const pe2 = pick(
    r,
    divisorsOf(h2).filter((d) => d <= 4),
  );
  const lines = [
    `input x: u4[${mw}]`,
    `layer d1 = dense(x, units=${h1}, weights=i4(random, seed=${idx + 300})) fold(pe=${pe1}, simd=${pick(
      r,
      divisorsOf(mw).filter((d) => d <= 8),
    )})`,
    `layer a1 = requant(d1, out=u${pick(r, [2, 4, 6])}, scale=${pick(r, ['0.01', '0.004', '0.02'])})`,
    `layer d2 = dense(a1, units=${h2}, weights=pow2<3>(random, seed=${idx + 301})) fold(pe=${pe2}, simd=${simd2})`,
    'output d2',
  ];
  return { name: `chain${idx}`, body: lines.map((l) => `  ${l}`).join('\n') };
}

/**
 * A wide dense MVAU, as the examples fold them (FINN's TFC / SFC, the pow2 CNN): XNOR,
 * pow2 and narrow int lanes at SIMD 32–64 and PE 4–16, whose adder trees are deep.
 */
function wideSpec(r: Rng, idx: number): NetSpec {
  const [inT, wT] = pick(r, [
    ['bipolar', 'bipolar'],
    ['bipolar', 'bipolar'],
    ['u4', 'pow2<3>'],
    ['u4', 'pow2<4>'],
    ['u2', 'i2'],
    ['u1', 'i4'],
  ] as const);
  const mw = pick(r, [196, 256, 392, 576]);
  const simd = pick(
    r,
    divisorsOf(mw).filter((d) => d >= 28 && d <= 64),
  );
  const mh = pick(r, [16, 32, 64]);
  const pe = pick(
    r,
    divisorsOf(mh).filter((d) => d >= 4 && d * simd <= 512),
  );
  const acts = activations(r, accRange(inT, wT, mw));
  const act = inT === 'bipolar' ? pick(r, [acts[0], acts[6], acts[8]]) : pick(r, [acts[0], acts[1], acts[6]]);
  const lines = [
    `input x: ${inT}[${mw}]`,
    `layer d1 = dense(x, units=${mh}, weights=${wT}(random, seed=${idx + 500})) fold(pe=${pe}, simd=${simd})`,
  ];
  let last = 'd1';
  if (act.label !== 'none') {
    lines.push(act.line('a1', 'd1'));
    last = 'a1';
  }
  return { name: `wide${idx}`, body: [...lines, `output ${last}`].map((l) => `  ${l}`).join('\n'), files: actFiles(act, 'a1', mh, r) };
}

/**
 * An MMV conv (M pixels per cycle: M lockstep copies of a fully unrolled MVAU, so the
 * weights are hard-wired), 1-D or 2-D, sometimes followed by an MMV max-pool.
 */
function mmvSpec(r: Rng, idx: number): NetSpec {
  const dims = pick(r, [1, 1, 2]);
  const m = pick(r, [2, 4]);
  const c = pick(r, dims === 2 ? [1, 2] : [1, 2, 4]);
  const k = pick(r, dims === 2 ? [3] : [3, 5]);
  const len = dims === 2 ? pick(r, [8, 16]) : pick(r, [64, 256]);
  const filters = pick(r, dims === 2 ? [2, 4] : [2, 4, 8]);
  const inT: string = pick(r, ['u2', 'u4', 'u8', 'i4']);
  const wT: string = pick(r, ['i2', 'i2', 'i4', 'u4', 'pow2<3>', 'bipolar']);
  const acts = activations(r, accRange(inT, wT, k ** dims * c));
  const act = pick(r, [acts[0], acts[1], acts[1], acts[4], acts[5], acts[6]]);
  const pool = act.label !== 'none' && pick(r, [false, true]);
  const shape = dims === 2 ? `${len}, ${len}, ${c}` : `${len}, ${c}`;
  const lines = [
    `input x: ${inT}[${shape}]`,
    `layer c1 = conv${dims}d(x, filters=${filters}, kernel=${k}, pad=same, weights=${wT}(random, seed=${idx + 700})) fold(pe=${filters}, simd=${k ** dims * c}, mmv=${m})`,
  ];
  let last = 'c1';
  if (act.label !== 'none') {
    lines.push(act.line('a1', 'c1'));
    last = 'a1';
  }
  if (pool) {
    lines.push(`layer p1 = maxpool(${last}, kernel=2) fold(pe=${filters}, mmv=${m})`);
    last = 'p1';
  }
  return { name: `mmv${idx}`, body: [...lines, `output ${last}`].map((l) => `  ${l}`).join('\n'), files: actFiles(act, 'a1', filters, r) };
}

/**
 * A stand-alone activation with hard-wired constants (one shared threshold set or scale) on a
 * narrow to wide input, at PE up to 16: comparators against constants share the input,
 * thresholds outside the input's range or equal to another are no comparator at all
 * (sorted, duplicates allowed, some past the range on narrow inputs).
 */
function constActSpec(r: Rng, idx: number): NetSpec {
  const inT = pick(r, ['u2', 'u3', 'u4', 'i4', 'u6', 'i6', 'u8', 'i8', 'i12']);
  const c = pick(r, [4, 8, 16]);
  const pe = pick(r, divisorsOf(c));
  const [lo, hi] = rangeOf(inT);
  let line: string;
  if (r.intInRange(0, 2) < 2) {
    const out = pick(r, ['bipolar', 'u1', 'u2', 'u3', 'u4']);
    const n = out === 'bipolar' ? 1 : 2 ** bitsOf(out) - 1;
    const t = Array.from({ length: n }, () => r.intInRange(lo, hi + 1)).sort((x, y) => x - y);
    line = `layer a1 = threshold(x, out=${out}, thresholds=[${t.join(', ')}])`;
  } else {
    const out = pick(r, ['u1', 'u2', 'u4', 'u6', 'i4', 'u8']);
    const outMax = 2 ** (bitsOf(out) - (out.startsWith('i') ? 1 : 0)) - 1;
    const scale = Number(((outMax / Math.max(1, hi)) * pick(r, [0.6, 1, 2])).toPrecision(3));
    line = `layer a1 = requant(x, out=${out}, scale=${scale}${r.intInRange(0, 3) === 0 ? ', zero=1' : ''})`;
  }
  const lines = [`input x: ${inT}[${pick(r, [4, 16])}, ${c}]`, `${line} fold(pe=${pe})`];
  return { name: `cact${idx}`, body: [...lines, 'output a1'].map((l) => `  ${l}`).join('\n') };
}

/**
 * Narrow int layers as the examples build them (peak_detector's c1/c2, pow2_net): u2 to u8 or
 * i4 inputs times i2 to i4 weights, whose products are LUT multipliers (too narrow for a DSP)
 * or DSPs, folded PE 2 to 8 and SIMD 4 to 16 over a conv's kernel, with a fused requant
 * into u4 (its M on a DSP) or none.
 */
function narrowIntSpec(r: Rng, idx: number): NetSpec {
  const inT = pick(r, ['u2', 'u4', 'u4', 'i4', 'u8']);
  const wT = pick(r, ['i2', 'i3', 'i4', 'i4']);
  const c = pick(r, [4, 8, 16]);
  const k = pick(r, [3, 5]);
  const filters = pick(r, [8, 16]);
  const simd = pick(
    r,
    divisorsOf(c).filter((d) => d >= 2),
  );
  const pe = pick(
    r,
    [2, 4, 8].filter((p) => filters % p === 0),
  );
  const len = pick(r, [32, 64]);
  const lines = [
    `input x: ${inT}[${len}, ${c}]`,
    `layer c1 = conv1d(x, filters=${filters}, kernel=${k}, pad=same, weights=${wT}(random, seed=${700 + idx})) fold(pe=${pe}, simd=${simd})`,
  ];
  const requant = r.intInRange(0, 3) > 0;
  if (requant) {
    const range = accRange(inT, wT, k * c);
    lines.push(`layer a1 = requant(c1, out=u4, scale=${Number(((15 / range) * pick(r, [0.7, 1.5])).toPrecision(3))})`);
  }
  return { name: `nint${idx}`, body: [...lines, `output ${requant ? 'a1' : 'c1'}`].map((l) => `  ${l}`).join('\n') };
}

/**
 * Stand-alone requants of one shared scale over the output widths (u1 to u8, i4, i8) and
 * input widths (u2 to i12), PE 1 to 16, some with a zero point or an 8-bit M: the lanes'
 * cost and the skid buffer's (both grow with PE and the output width) apart.
 */
function requantSpec(r: Rng, idx: number): NetSpec {
  const inT = pick(r, ['u2', 'u4', 'i4', 'u6', 'u8', 'i8', 'i12']);
  const out = pick(r, ['u1', 'u2', 'u3', 'u4', 'u6', 'u8', 'i4', 'i8']);
  const c = pick(r, [4, 8, 16]);
  const pe = pick(r, divisorsOf(c));
  const b = bitsOf(inT);
  const hi = inT.startsWith('u') ? 2 ** b - 1 : 2 ** (b - 1) - 1;
  const outMax = 2 ** (bitsOf(out) - (out.startsWith('i') ? 1 : 0)) - 1;
  const scale = Number(((outMax / hi) * pick(r, [0.3, 0.6, 1, 1.5])).toPrecision(3));
  const extra = [r.intInRange(0, 3) === 0 ? ', zero=1' : '', r.intInRange(0, 3) === 0 ? ', mbits=8' : ''].join('');
  const lines = [`input x: ${inT}[${pick(r, [4, 16])}, ${c}]`, `layer a1 = requant(x, out=${out}, scale=${scale}${extra}) fold(pe=${pe})`];
  return { name: `rq${idx}`, body: [...lines, 'output a1'].map((l) => `  ${l}`).join('\n') };
}

/**
 * Stand-alone thresholds across what the other families leave thin: per-channel sets of every
 * output width (u4 too, 15 a channel), shared sets on every input, and PE from 1 to a lane
 * per channel (a one-entry ROM, whose thresholds synthesis sees as constants), so that the
 * lanes, the count of thresholds and the output register vary apart.
 */
function thresholdSpec(r: Rng, idx: number): NetSpec {
  const inT = pick(r, ['u2', 'u4', 'u6', 'u8', 'i4', 'i6', 'i8', 'i12', 'i16']);
  const out = pick(r, ['bipolar', 'u1', 'u2', 'u3', 'u4']);
  const c = pick(r, [2, 4, 8, 16, 32]);
  const pe = pick(r, divisorsOf(c));
  const [lo, hi] = rangeOf(inT);
  const n = out === 'bipolar' ? 1 : 2 ** bitsOf(out) - 1;
  const files: NetSpec['files'] = {};
  let line: string;
  if (r.intInRange(0, 1) === 0) {
    line = `layer a1 = threshold(x, out=${out}, thresholds=[${ascending(r, n, lo, hi + 1).join(', ')}])`;
  } else {
    line = `layer a1 = threshold(x, out=${out}, thresholds=thresholds("a1_t.npy"))`;
    files['a1_t.npy'] = { shape: [c, n], dtype: 'int32', data: Array.from({ length: c }, () => ascending(r, n, lo, hi + 1)).flat() };
  }
  const lines = [`input x: ${inT}[${pick(r, [4, 16, 64])}, ${c}]`, `${line} fold(pe=${pe})`];
  return { name: `thr${idx}`, body: [...lines, 'output a1'].map((l) => `  ${l}`).join('\n'), files };
}

/**
 * A window generator at the geometry of a real CNN (FINN's CNV, the cnv_w2a2 example): 12 to
 * 32 pixel images of 3 to 128 channels, 3×3 kernels with and without padding, SIMD 3 to 32
 * (several channel groups a pixel), before a small MVAU (2 filters, PE 1) so that the
 * window's own cost is most of the network. The other convs of the sweep have images of at
 * most 12 pixels and 16 channels, where the window's counters and line buffer stay small.
 */
function largeWindowSpec(r: Rng, idx: number): NetSpec {
  const inT = pick(r, ['u2', 'u2', 'u8', 'bipolar']);
  const size = pick(r, [12, 14, 16, 28, 30, 32]);
  const c = pick(r, [3, 16, 32, 64, 128]);
  const simd = pick(
    r,
    divisorsOf(c).filter((d) => d >= 3 && d <= 32),
  );
  // (A bipolar tensor has no 0 to pad with.)
  const pad = pick(r, ['', ', pad=same']);
  const lines = [
    `input x: ${inT}[${size}, ${size}, ${c}]`,
    `layer c1 = conv2d(x, filters=2, kernel=3${inT === 'bipolar' ? '' : pad}, weights=i2(random, seed=${800 + idx})) fold(pe=1, simd=${simd})`,
  ];
  return { name: `lwin${idx}`, body: [...lines, 'output c1'].map((l) => `  ${l}`).join('\n') };
}

const FIFO_DEPTHS = [1, 2, 3, 4, 6, 9, 17, 33, 65, 129, 257, 513, 1025, 2049];

export interface SweepOptions {
  seed?: number;
  /** Networks of each kind. */
  dense?: number;
  conv?: number;
  pool?: number;
  act?: number;
  chain?: number;
  wide?: number;
  mmv?: number;
  /** Stand-alone activations with hard-wired constants. */
  constAct?: number;
  /** Narrow int convs as the examples fold them. */
  narrowInt?: number;
  /** Stand-alone requants of one shared scale. */
  requant?: number;
  /** Window generators at a real CNN's geometry. */
  largeWindow?: number;
  /** 2-D MMV max-pools. */
  mmvPool?: number;
  /** 2-D max-pools. */
  pool2d?: number;
  /** Stand-alone thresholds (shared and per channel, every output width). */
  threshold?: number;
}

/** The sweep. Names are unique and stable for a seed. */
export function sweepSpecs(o: SweepOptions = {}): NetSpec[] {
  const r = new SeededRandom(o.seed ?? 1);
  const out: NetSpec[] = [];
  for (let i = 0; i < (o.dense ?? 60); i++) out.push(denseSpec(r, i));
  for (let i = 0; i < (o.conv ?? 36); i++) out.push(convSpec(r, i));
  for (let i = 0; i < (o.pool ?? 16); i++) out.push(poolSpec(r, i));
  for (let i = 0; i < (o.act ?? 32); i++) out.push(activationSpec(r, i));
  for (let i = 0; i < (o.chain ?? 10); i++) out.push(chainSpec(r, i));
  FIFO_DEPTHS.forEach((d, i) => out.push(fifoSpec(r, i, d)));
  // Drawn last, so the networks above stay as they were.
  for (let i = 0; i < (o.wide ?? 8); i++) out.push(wideSpec(r, i));
  for (let i = 0; i < (o.mmv ?? 16); i++) out.push(mmvSpec(r, i));
  for (let i = 0; i < (o.constAct ?? 24); i++) out.push(constActSpec(r, i));
  for (let i = 0; i < (o.narrowInt ?? 12); i++) out.push(narrowIntSpec(r, i));
  for (let i = 0; i < (o.requant ?? 24); i++) out.push(requantSpec(r, i));
  for (let i = 0; i < (o.largeWindow ?? 10); i++) out.push(largeWindowSpec(r, i));
  for (let i = 0; i < (o.mmvPool ?? 8); i++) out.push(mmvPoolSpec(r, i));
  for (let i = 0; i < (o.pool2d ?? 12); i++) out.push(pool2dSpec(r, i));
  for (let i = 0; i < (o.threshold ?? 24); i++) out.push(thresholdSpec(r, i));
  return out;
}

/** Networks from the same space with another seed, none equal to a sweep network (held out). */
export function heldOutSpecs(seed: number, counts: SweepOptions, sweep: readonly NetSpec[]): NetSpec[] {
  const seen = new Set(sweep.map((s) => s.body));
  const specs = sweepSpecs({
    dense: 0,
    conv: 0,
    pool: 0,
    act: 0,
    chain: 0,
    wide: 0,
    mmv: 0,
    constAct: 0,
    narrowInt: 0,
    requant: 0,
    largeWindow: 0,
    mmvPool: 0,
    pool2d: 0,
    threshold: 0,
    ...counts,
    seed,
  });
  return specs.filter((s) => !s.name.startsWith('fifo') && !seen.has(s.body)).map((s) => ({ ...s, name: `held_${s.name}` }));
}

/**
 * The held-out set test/synth/calibration.test.ts checks the fitted model on: networks of
 * the sweep's families drawn with another seed (none equal to a sweep network), and FIFOs
 * at depths between the sweep's (1, 2, 3, 4, 6, 9, 17, …): registers, LUTRAM / EBR, block RAM.
 */
export function heldOutNetworks(sweep: readonly NetSpec[] = sweepSpecs()): NetSpec[] {
  return [
    ...heldOutSpecs(
      901,
      {
        dense: 8,
        conv: 6,
        pool: 6,
        act: 12,
        chain: 6,
        mmv: 3,
        constAct: 6,
        requant: 4,
        narrowInt: 3,
        largeWindow: 3,
        mmvPool: 3,
        threshold: 12,
      },
      sweep,
    ),
    ...[5, 12, 40, 700].map((depth, i): NetSpec => ({
      name: `held_fifo${i}`,
      body: [
        `  input x: u${[2, 4, 8, 3][i]}[64, ${[4, 8, 2, 16][i]}]`,
        '  layer p1 = maxpool(x, kernel=2) fold(pe=2)',
        '  layer p2 = maxpool(p1, kernel=2) fold(pe=2)',
        '  output p2',
      ].join('\n'),
      fifoDepths: { fifo_p1_p2: depth },
    })),
  ];
}
