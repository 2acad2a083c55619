/**
 * Random legal networks for the differential hardware suite: layer kinds, sizes, bit
 * widths 1–8, weight kinds (int, uint, pow2, bipolar), valid folds, with and without
 * fusion. Generated as .qnn text, so the whole path (parser → model → RTL) is exercised.
 */
import { SeededRandom } from '../../server/src/weights/random.js';
import { validPes, validSimds } from '../../server/src/model/folding.js';

interface Tensor {
  shape: number[];
  /** 'u' | 'i' | 'bipolar' and bits. */
  kind: 'u' | 'i' | 'bipolar';
  bits: number;
  /** Range of values (for thresholds that actually split it). */
  min: number;
  max: number;
}

export interface RandomNetwork {
  text: string;
  description: string;
}

const typeText = (t: { kind: 'u' | 'i' | 'bipolar'; bits: number }): string => (t.kind === 'bipolar' ? 'bipolar' : `${t.kind}${t.bits}`);

export function randomNetwork(seed: number): RandomNetwork {
  const r = new SeededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.intInRange(0, xs.length - 1)];
  const chance = (p: number): boolean => r.intInRange(0, 999) < p * 1000;

  const dims = pick([0, 1, 1, 2]);
  const c = pick([1, 2, 3, 4]);
  const shape = dims === 0 ? [pick([4, 6, 8, 12])] : dims === 1 ? [pick([6, 8, 12, 16]), c] : [pick([4, 5, 6]), pick([4, 5, 6]), c];
  const inKind = pick(['u', 'u', 'i', 'bipolar'] as const);
  const inBits = inKind === 'bipolar' ? 1 : inKind === 'u' ? r.intInRange(1, 8) : r.intInRange(2, 8);
  const lim = (k: 'u' | 'i' | 'bipolar', b: number): [number, number] =>
    k === 'bipolar' ? [-1, 1] : k === 'u' ? [0, 2 ** b - 1] : [-(2 ** (b - 1)), 2 ** (b - 1) - 1];
  let cur: Tensor = { shape, kind: inKind, bits: inBits, min: lim(inKind, inBits)[0], max: lim(inKind, inBits)[1] };
  const lines: string[] = [];
  const desc: string[] = [`in ${typeText(cur)}[${shape.join(',')}]`];
  let prev = 'x';
  const nLayers = r.intInRange(1, 4);
  let seedN = seed * 10;

  const fold = (pes: number[], simds?: number[]): string => {
    if (chance(0.25)) return '';
    const pe = pick(pes);
    return simds ? ` fold(pe=${pe}, simd=${pick(simds)})` : ` fold(pe=${pe})`;
  };

  for (let i = 0; i < nLayers; i++) {
    const name = `l${i}`;
    const spatial = cur.shape.length - 1;
    const isInt = cur.kind !== 'bipolar';
    const options: string[] = ['dense'];
    if (spatial === 1) options.push('conv1d', 'conv1d', 'maxpool');
    if (spatial === 2) options.push('conv2d', 'conv2d', 'maxpool');
    if (isInt) options.push('requant', 'threshold');
    let op = pick(options);
    if (op === 'maxpool' && cur.shape.slice(0, spatial).some((d) => d < 2)) op = 'dense';
    if (op === 'conv1d' || op === 'conv2d' || op === 'dense') {
      const wk = cur.kind === 'bipolar' ? pick(['bipolar', 'bipolar', 'i', 'pow2'] as const) : pick(['i', 'u', 'pow2', 'bipolar'] as const);
      const wbits = wk === 'i' ? r.intInRange(2, 6) : wk === 'u' ? r.intInRange(1, 4) : wk === 'pow2' ? pick([3, 4]) : 1;
      const wtype = wk === 'bipolar' ? 'bipolar' : wk === 'pow2' ? `pow2<${wbits}>` : `${wk}${wbits}`;
      const out = pick([2, 3, 4, 6, 8]);
      const cin = cur.shape[spatial];
      let outShape: number[];
      let mw: number;
      let argText: string;
      let simds: number[];
      if (op === 'dense') {
        mw = cur.shape.reduce((a, b) => a * b, 1);
        outShape = [out];
        argText = `units=${out}`;
        simds = validSimds(mw);
      } else {
        const k = pick([1, 2, 3]);
        const minSpatial = Math.min(...cur.shape.slice(0, spatial));
        const canPad = cur.kind !== 'bipolar';
        let pad = canPad ? pick(['valid', 'same', '1']) : 'valid';
        if (pad === 'same' && k % 2 === 0) pad = 'valid';
        const p = pad === 'same' ? (k - 1) / 2 : pad === '1' ? 1 : 0;
        const stride = k > 1 && chance(0.3) ? 2 : 1;
        const sp = pad === 'same' && stride !== 1 ? 'valid' : pad;
        const pp = sp === 'same' ? (k - 1) / 2 : sp === '1' ? 1 : 0;
        if (minSpatial + 2 * pp < k) {
          op = 'dense';
          mw = cur.shape.reduce((a, b) => a * b, 1);
          outShape = [out];
          argText = `units=${out}`;
          simds = validSimds(mw);
        } else {
          void p;
          const o = cur.shape.slice(0, spatial).map((d) => Math.floor((d + 2 * pp - k) / stride) + 1);
          outShape = [...o, out];
          mw = k ** spatial * cin;
          argText = `filters=${out}, kernel=${k}${stride > 1 ? `, stride=${stride}` : ''}${sp !== 'valid' ? `, pad=${sp}` : ''}`;
          simds = validSimds(mw, cin);
        }
      }
      lines.push(`layer ${name} = ${op}(${prev}, ${argText}, weights=${wtype}(random, seed=${seedN++}))${fold(validPes(out), simds)}`);
      desc.push(`${op}${wtype}`);
      // The accumulator: a wide signed value; its range is the type bound (random weights).
      cur = { shape: outShape, kind: 'i', bits: 16, min: -(2 ** 12), max: 2 ** 12 };
    } else if (op === 'maxpool') {
      const k = 2;
      const o = cur.shape.slice(0, spatial).map((d) => Math.floor((d - k) / k) + 1);
      lines.push(`layer ${name} = maxpool(${prev}, kernel=${k})${fold(validPes(cur.shape[spatial]))}`);
      desc.push('maxpool');
      cur = { ...cur, shape: [...o, cur.shape[spatial]] };
    } else if (op === 'requant') {
      const outKind = pick(['u', 'i'] as const);
      const ob = outKind === 'u' ? r.intInRange(1, 8) : r.intInRange(2, 8);
      const scale = pick(['0.5', '0.25', '0.0117', '0.1', '1', '0.03']);
      const zero = outKind === 'u' && chance(0.3) ? `, zero=${r.intInRange(0, 2)}` : '';
      lines.push(
        `layer ${name} = requant(${prev}, out=${outKind}${ob}, scale=${scale}${zero})${fold(validPes(cur.shape[cur.shape.length - 1]))}`,
      );
      desc.push(`requant→${outKind}${ob}`);
      const [lo, hi] = lim(outKind, ob);
      cur = { ...cur, kind: outKind, bits: ob, min: lo, max: hi };
    } else {
      const bipolarOut = chance(0.3);
      const ob = bipolarOut ? 1 : r.intInRange(1, 3);
      const n = bipolarOut ? 1 : 2 ** ob - 1;
      const span = Math.max(1, cur.max - cur.min);
      const ts: number[] = [];
      for (let t = 0; t < n; t++) ts.push(Math.round(cur.min + (span * (t + 1)) / (n + 1)) + r.intInRange(-1, 1));
      ts.sort((a, b) => a - b);
      lines.push(
        `layer ${name} = threshold(${prev}, out=${bipolarOut ? 'bipolar' : `u${ob}`}, thresholds=[${ts.join(', ')}])${fold(validPes(cur.shape[cur.shape.length - 1]))}`,
      );
      desc.push(`threshold→${bipolarOut ? 'bipolar' : `u${ob}`}`);
      cur = bipolarOut ? { ...cur, kind: 'bipolar', bits: 1, min: -1, max: 1 } : { ...cur, kind: 'u', bits: ob, min: 0, max: n };
    }
    prev = name;
  }
  const text = `network rnd${seed} {
  target xc7z020 @ 100 MHz
  input x: ${typeText({ kind: inKind, bits: inBits })}[${shape.join(', ')}]
${lines.map((l) => '  ' + l).join('\n')}
  output ${prev}
  test "random" { frames=3, seed=${seed} }
}
`;
  return { text, description: desc.join(' → ') };
}
