/**
 * Pixel parallelism (MMV) in hardware: random 1-D networks whose engines take M pixels per
 * cycle (qnn_window on super-pixels + qnn_mvau_mmv, qnn_maxpool_mmv, stand-alone requant /
 * threshold at M·C lanes), M ∈ {1, 2, 3, 4, 6, 8} where legal (odd M included), kernels
 * 1–5 with same, valid and other padding, int / uint / pow2 / bipolar weights, fused and
 * stand-alone activations. Each is simulated against the golden model under random
 * backpressure (every output element compared), on Icarus too for some, lint-clean under
 * `verilator -Wall`, and without backpressure its measured II is the analysis' II — cycles
 * divided by M — and its latency within 2 % or two cycles (a conv without padding is 2
 * cycles early at M = 1 too: conv1d k3 pad 0 on [24, 1] measures 29 against 31).
 */
import { describe, expect, it, vi } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expectBitExactThenFree } from './bit-exact.js';
import { check } from '../unit/model/helpers.js';
import { simulateNetwork } from '../../server/src/flows/sim/network-sim.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';
import { compileNetwork } from '../../server/src/rtl/compile.js';
import { SeededRandom } from '../../server/src/weights/random.js';
import { divisors } from '../../server/src/model/folding.js';

vi.setConfig({ maxConcurrency: 2 });
const WORK = path.join(tmpdir(), 'qnn-fpga-mmv-tests');
const CASES = Number(process.env.QNN_MMV_CASES ?? 8);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A random chain of MMV engines on [W, C]; returns the .qnn text and the M of each engine. */
function mmvNetwork(seed: number): { text: string; description: string; mmvs: number[] } {
  const r = new SeededRandom(1000 + seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.intInRange(0, xs.length - 1)];
  // Prefer M > 1: the point of the test.
  const pickM = (legal: number[]): number => {
    const wide = legal.filter((m) => m > 1 && m <= 8);
    return wide.length ? pick(wide) : 1;
  };
  let w = pick([12, 16, 24]);
  let c = pick([1, 2, 3]);
  const inBits = r.intInRange(2, 8);
  const inKind = pick(['u', 'i'] as const);
  const inShape = `${w}, ${c}`;
  const lines: string[] = [];
  const desc: string[] = [`in ${inKind}${inBits}[${w},${c}]`];
  const mmvs: number[] = [];
  let prev = 'x';
  const n = r.intInRange(2, 4);
  for (let i = 0; i < n; i++) {
    const name = `l${i}`;
    const op = i === 0 ? 'conv1d' : pick(['conv1d', 'conv1d', 'maxpool', 'requant']);
    if (op === 'conv1d') {
      const k = pick([1, 3, 5].filter((x) => x <= w));
      const pad = pick(k % 2 === 1 ? ['same', '0', '1'] : ['0', '1']);
      const p = pad === 'same' ? (k - 1) / 2 : Number(pad);
      const ow = w + 2 * p - k + 1;
      const f = r.intInRange(1, 4);
      const wk = pick(['i3', 'u2', 'pow2<3>', 'bipolar', 'i4']);
      const m = pickM(divisors(gcd(w, ow)));
      const act = pick(['none', 'requant', 'threshold']);
      lines.push(
        `layer ${name} = conv1d(${prev}, filters=${f}, kernel=${k}, pad=${pad}, weights=${wk}(random, seed=${seed * 10 + i})) fold(pe=${f}, simd=${k * c}, mmv=${m})`,
      );
      desc.push(`conv k${k} p${p} ${wk} M${m}`);
      mmvs.push(m);
      prev = name;
      if (act === 'requant') {
        lines.push(`layer ${name}a = requant(${name}, out=u4, scale=0.05)`);
        prev = `${name}a`;
      } else if (act === 'threshold') {
        lines.push(`layer ${name}a = threshold(${name}, out=u2, thresholds=[-2, 0, 3])`);
        prev = `${name}a`;
      } else if (i < n - 1) {
        // An accumulator is wide: bring it back to 4 bits for what follows.
        lines.push(`layer ${name}a = requant(${name}, out=i4, scale=0.03)`);
        prev = `${name}a`;
      }
      desc.push(act);
      w = ow;
      c = f;
    } else if (op === 'maxpool') {
      const ks = [2, 3].filter((x) => w % x === 0);
      if (ks.length === 0) continue;
      const k = pick(ks);
      const legal = divisors(w).filter((d) => d % k === 0);
      const m = pickM(legal.length ? legal : [1]);
      lines.push(`layer ${name} = maxpool(${prev}, kernel=${k}) fold(pe=${c}${legal.includes(m) ? `, mmv=${m}` : ''})`);
      desc.push(`pool k${k} M${m}`);
      mmvs.push(m);
      prev = name;
      w = Math.floor(w / k);
    } else {
      const m = pickM(divisors(w));
      const thr = r.intInRange(0, 1) === 1;
      lines.push(
        thr
          ? `layer ${name} = threshold(${prev}, out=u1, thresholds=[1]) fold(pe=${c}, mmv=${m})`
          : `layer ${name} = requant(${prev}, out=u3, scale=0.7) fold(pe=${c}, mmv=${m})`,
      );
      desc.push(`${thr ? 'threshold' : 'requant'} M${m}`);
      mmvs.push(m);
      prev = name;
    }
  }
  const text = `network mmv${seed} {
  target xczu7ev @ 250 MHz

  input x: ${inKind}${inBits}[${inShape}]

${lines.map((l) => `  ${l}`).join('\n')}

  output ${prev}
}
`;
  return { text, description: desc.join(' → '), mmvs };
}

/**
 * 2-D: the window generator on super-pixel rows, with its row kernel and padding (KX, PADX)
 * different from the column's where M needs it (5×5 'same' at M = 4: 5 rows × 3 super-pixels);
 * a 2-D max-pool stays at M = 1 behind a width converter.
 */
const TWO_D: { text: string; description: string; mmvs: number[] }[] = [
  {
    description: '2-D: u4[6,8,2] → conv2d 5×5 same M4 (a 5×3 super-window, padding 2 rows and 1 super-pixel) → requant → conv2d 1×1 M8',
    mmvs: [4, 8],
    text: `network mmv2d_c {
  target xczu7ev @ 250 MHz
  input x: u4[6, 8, 2]
  layer c = conv2d(x, filters=3, kernel=5, pad=same, weights=i3(random, seed=4)) fold(pe=3, simd=50, mmv=4)
  layer r = requant(c, out=u4, scale=0.05)
  layer d = conv2d(r, filters=2, kernel=1, weights=bipolar(random, seed=5)) fold(pe=2, simd=3, mmv=8)
  output d
}
`,
  },
  {
    description: '2-D: u4[6,8,2] → conv2d 3×3 same M4 → requant → conv2d 1×1 M2',
    mmvs: [4, 2],
    text: `network mmv2d_a {
  target xczu7ev @ 250 MHz
  input x: u4[6, 8, 2]
  layer c = conv2d(x, filters=3, kernel=3, pad=same, weights=i3(random, seed=1)) fold(pe=3, simd=18, mmv=4)
  layer r = requant(c, out=u4, scale=0.05)
  layer d = conv2d(r, filters=2, kernel=1, weights=i3(random, seed=2)) fold(pe=2, simd=3, mmv=2)
  output d
}
`,
  },
  {
    description: '2-D: i3[4,6,3] → conv2d 3×3 same M3 → threshold → maxpool 2×2 M1 → requant M2',
    mmvs: [3, 1, 2],
    text: `network mmv2d_b {
  target xczu7ev @ 250 MHz
  input x: i3[4, 6, 3]
  layer c = conv2d(x, filters=2, kernel=3, pad=same, weights=pow2<3>(random, seed=3)) fold(pe=2, simd=27, mmv=3)
  layer t = threshold(c, out=u2, thresholds=[-3, 0, 4])
  layer p = maxpool(t, kernel=2) fold(pe=2)
  layer q = requant(p, out=u2, scale=0.6) fold(pe=2, mmv=2)
  output q
}
`,
  },
  {
    description: '2-D: u4[5,8,2] → conv2d 3×3 same M4 → threshold → maxpool 2×2 M4 (the 5th row read and ignored) → requant M2',
    mmvs: [4, 4, 2],
    text: `network mmv2d_d {
  target xczu7ev @ 250 MHz
  input x: u4[5, 8, 2]
  layer c = conv2d(x, filters=3, kernel=3, pad=same, weights=i3(random, seed=6)) fold(pe=3, simd=18, mmv=4)
  layer t = threshold(c, out=u3, thresholds=[-6, -3, -1, 0, 2, 4, 7])
  layer p = maxpool(t, kernel=2) fold(pe=3, mmv=4)
  layer q = requant(p, out=u2, scale=0.6) fold(pe=3, mmv=2)
  output q
}
`,
  },
  {
    description: '2-D: i3[7,6,2] → conv2d 1×1 M6 → requant i4 → maxpool 3×3 M6 (signed; the 7th row ignored)',
    mmvs: [6, 6],
    text: `network mmv2d_e {
  target xczu7ev @ 250 MHz
  input x: i3[7, 6, 2]
  layer c = conv2d(x, filters=2, kernel=1, weights=i3(random, seed=7)) fold(pe=2, simd=2, mmv=6)
  layer r = requant(c, out=i4, scale=0.4)
  layer p = maxpool(r, kernel=3) fold(pe=2, mmv=6)
  output p
}
`,
  },
];

describe.concurrent('MMV networks against the golden model', () => {
  const cases = [
    ...Array.from({ length: CASES }, (_, i) => ({ seed: i + 1, ...mmvNetwork(i + 1) })),
    ...TWO_D.map((c, i) => ({ seed: 100 + i, ...c })),
  ];
  for (const { seed, text, description, mmvs } of cases) {
    it(`#${seed}: ${description}`, async () => {
      const { analysis, diagnostics } = await check(text);
      expect(
        diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`),
        text,
      ).toEqual([]);
      // The engines took the M the text gives them.
      expect(
        analysis.network.engines.map((e) => e.mmv),
        text,
      ).toEqual(mmvs);
      const dir = path.join(WORK, `mmv${seed}`);
      const c = compileNetwork(analysis, path.join(dir, 'lint'), 'mmv.qnn');
      const [lint, stalled] = await Promise.all([
        lintVerilator({ sources: c.files.filter((f) => f.endsWith('.sv')).map((f) => path.join(c.rtlDir, f)), top: c.top }),
        simulateNetwork({ analysis, sourceName: 'mmv.qnn', outDir: dir, simulator: 'verilator', frames: 6 }),
      ]);
      expect(lint.messages.map((m) => `${m.severity} ${m.code} ${m.file}:${m.line} ${m.message}`)).toEqual([]);
      const free = await expectBitExactThenFree(stalled, {
        analysis,
        sourceName: 'mmv.qnn',
        outDir: dir,
        text,
        icarus: seed % 3 === 0 || seed === 103,
      });
      expect(free.ii.measured, text).toBe(free.ii.expected);
      expect(Math.abs(free.latency.measured! - free.latency.expected), text).toBeLessThanOrEqual(Math.max(2, 0.02 * free.latency.expected));
    }, 300_000);
  }
});
