/**
 * The simulation runner every engine test builds on (server/src/flows/sim/):
 * the stream testbench on Verilator and Icarus, stall detection, II/latency
 * measurement, build caching, tool lookup and process handling.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ToolMissingError, findTool, requireTool, runProcess, type ToolName } from '../../server/src/flows/tools.js';
import {
  SimulationError,
  buildSimulation,
  defaultBuildRoot,
  runSimulation,
  simulate,
  type SimBuildOptions,
  type SimRunOptions,
  type SimulateOptions,
  type Simulator,
} from '../../server/src/flows/sim/runner.js';
import { generateTestbench, paramLiteral, parseTestbenchOutput } from '../../server/src/flows/sim/testbench.js';
import { packWords, unpackWords, wordToHex, type ElemEncoding } from '../../server/src/flows/sim/words.js';
import { lintVerilator } from '../../server/src/flows/sim/lint.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dut = (name: string): string => path.join(here, 'duts', `${name}.sv`);
const SIMS: Simulator[] = ['verilator', 'icarus'];
const have = {
  verilator: findTool('verilator') !== undefined,
  icarus: findTool('iverilog') !== undefined && findTool('vvp') !== undefined,
};

// One work folder per test run; the Verilator runtime cache stays shared (in $TMPDIR) across runs.
let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'qnn-sim-runner-test-'));
});
afterAll(() => {
  if (work && !process.env.QNN_KEEP_SIM_WORK) rmSync(work, { recursive: true, force: true });
});

/** Deterministic pseudo-random words of `width` bits. */
function randomWords(n: number, width: number, seed: number): bigint[] {
  let s = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
  const mask = (1n << BigInt(width)) - 1n;
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let w = 0n;
    for (let b = 0; b < width; b += 32) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      w = (w << 32n) | (s >> 32n);
    }
    out.push(w & mask);
  }
  return out;
}

function slice(simulator: Simulator, over: Partial<SimulateOptions> & { W?: number; FRAME?: number } = {}): SimulateOptions {
  const W = over.W ?? 8;
  const FRAME = over.FRAME ?? 4;
  const { W: _w, FRAME: _f, ...rest } = over;
  return {
    simulator,
    sources: [dut('reg_slice')],
    top: 'reg_slice',
    params: { W, FRAME },
    inWidth: W,
    outWidth: W,
    workDir: work,
    runName: `${simulator}-${W}-${FRAME}`,
    expected: 0,
    input: [],
    ...rest,
  };
}

describe('packWords / unpackWords', () => {
  it('puts element 0 in the least significant bits', () => {
    expect(packWords([1, 2, 3], 4, 3, 'uint')).toEqual([0x321n]);
    expect(packWords([-1, 0, 1, -8], 4, 2, 'int')).toEqual([0x0fn, 0x81n]);
    expect(packWords([-1, 1, 1, -1], 1, 4, 'bipolar')).toEqual([0b0110n]);
    // pow2<4>: sign bit 3, code k → magnitude 2^(k−1).
    expect(packWords([0, 1, -4, 2], 4, 4, 'pow2')).toEqual([0x2b10n]);
    expect(wordToHex(0x2b10n, 16)).toBe('2b10');
  });

  it('round-trips every encoding, at any width (also wider than 64 bits)', () => {
    const enc = fc.constantFrom<ElemEncoding>('uint', 'int', 'bipolar', 'pow2');
    fc.assert(
      fc.property(
        enc,
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        (e, bits0, epw, nWords, seed) => {
          const bits = e === 'bipolar' ? 1 : bits0;
          let s = seed;
          const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
          const pick = (): number => {
            switch (e) {
              case 'uint':
                return Math.floor(rnd() * 2 ** bits);
              case 'int':
                return Math.floor(rnd() * 2 ** bits) - 2 ** (bits - 1);
              case 'bipolar':
                return rnd() < 0.5 ? -1 : 1;
              case 'pow2': {
                // Codes k = 1..2^(bits−1)−1 are magnitudes 2^(k−1); keep them exact in a double.
                const k = Math.floor(rnd() * Math.min(2 ** (bits - 1), 53));
                if (k === 0) return 0;
                return (rnd() < 0.5 ? -1 : 1) * 2 ** (k - 1);
              }
            }
          };
          const values = Array.from({ length: epw * nWords }, pick);
          const words = packWords(values, bits, epw, e);
          expect(words).toHaveLength(nWords);
          for (const w of words) expect(w >> BigInt(bits * epw)).toBe(0n);
          expect(unpackWords(words, bits, epw, e)).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects values outside the encoding and partial words', () => {
    expect(() => packWords([16], 4, 1, 'uint')).toThrow(/value 0: 16 is not a uint4 value/);
    expect(() => packWords([8], 4, 1, 'int')).toThrow(/not a int4/);
    expect(() => packWords([0], 1, 1, 'bipolar')).toThrow(/bipolar/);
    expect(() => packWords([3], 4, 1, 'pow2')).toThrow(/pow2/);
    expect(() => packWords([1, 2, 3], 4, 2, 'uint')).toThrow(/whole words/);
  });
});

describe('testbench generation', () => {
  it('writes parameter overrides as SystemVerilog literals', () => {
    expect(paramLiteral(5)).toBe('5');
    expect(paramLiteral(-3)).toBe('-3');
    expect(paramLiteral(true)).toBe('1');
    expect(paramLiteral(2n ** 40n)).toBe("42'sd1099511627776");
    expect(paramLiteral('/tmp/w "x".hex')).toBe('"/tmp/w \\"x\\".hex"');
    expect(paramLiteral({ sv: "8'hff" })).toBe("8'hff");
    const sv = generateTestbench({ top: 'mvau', params: { PE: 4, WEIGHTS: '/a/b.hex' }, inWidth: 16, outWidth: 32 });
    expect(sv).toContain('  mvau #(\n    .PE(4),\n    .WEIGHTS("/a/b.hex")\n  ) dut (');
    expect(() => generateTestbench({ top: 'a b', inWidth: 1, outWidth: 1 })).toThrow(/module name/);
  });

  it('parses the output records', () => {
    const r = parseTestbenchOutput('F 0 3\nO 0a 0 4\nO 1x 1 5\nD 6 2 2 0\n');
    expect(r.outputs).toEqual([10n, 16n]);
    expect(r.tlast).toEqual([false, true]);
    expect(r.outCycles).toEqual([4, 5]);
    expect(r.unknownWords).toEqual([1]);
    expect(r.done).toEqual({ cycles: 6, inputsAccepted: 2, outputsReceived: 2, inputLeft: false });
  });
});

describe.each(SIMS)('%s', (simulator) => {
  const skip = !have[simulator];

  it.skipIf(skip)('passes data bit-exact under random stalls (several seeds and widths, incl. > 64 bits)', async () => {
    for (const [W, seed, p] of [
      [8, 1, 0.3],
      [13, 7, 0.5],
      [100, 3, 0.6],
    ] as const) {
      const input = randomWords(64, W, seed);
      const r = await simulate(slice(simulator, { W, input, expected: input.length, stall: { inValid: p, outReady: p, seed } }));
      expect(r.stalled).toBeNull();
      expect(r.outputs).toEqual(input);
      expect(r.tlast).toEqual(input.map((_, i) => i % 4 === 3));
      expect(r.inputsAccepted).toBe(input.length);
      expect(r.extraOutputs).toBe(0);
      expect(r.unknownWords).toEqual([]);
      expect(r.warnings).toEqual([]); // the testbench itself is warning-free
      // Stalls really happened: 64 words in one 1-cycle-latency slice take well over 64 cycles.
      expect(r.cycles).toBeGreaterThan(100);
    }
  });

  it.skipIf(skip)('measures latency and II exactly on a DUT with known timing (no stalls)', async () => {
    // 1-deep register slice, frames of 4 words: the first input word is taken at cycle 0,
    // every word comes out one cycle after it goes in, so the frame's last word leaves at cycle 4.
    const input = randomWords(40, 8, 5);
    const r = await simulate(slice(simulator, { input, expected: 40, inputWordsPerFrame: 4, noStall: true }));
    expect(r.stalled).toBeNull();
    expect(r.outputs).toEqual(input);
    expect(r.frameStarts).toEqual(Array.from({ length: 10 }, (_, k) => 4 * k));
    expect(r.frameEnds).toEqual(Array.from({ length: 10 }, (_, k) => 4 * k + 4));
    expect(r.outCycles).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(r.latency).toBe(4);
    expect(r.ii).toBe(4);
    expect(r.frameIntervals).toEqual(Array(9).fill(4));
    expect(r.cycles).toBe(41);
  });

  it.skipIf(skip)('reports a DUT that stops accepting input (input side)', async () => {
    const input = randomWords(20, 8, 9);
    const r = await simulate({
      ...slice(simulator),
      sources: [dut('stopper')],
      top: 'stopper',
      params: { W: 8, LIMIT: 5, MODE: 0 },
      runName: `${simulator}-stop0`,
      input,
      expected: 20,
      stallCycles: 300,
    });
    expect(r.stalled?.side).toBe('input');
    expect(r.stalled?.message).toMatch(/stalled on the input side.*s_axis_tready low/);
    expect(r.stalled!.cycle - r.stalled!.lastProgressCycle).toBe(300);
    expect(r.outputs).toEqual(input.slice(0, 5));
    expect(r.inputsAccepted).toBe(5);
    expect(r.cycles).toBe(0);
  });

  it.skipIf(skip)('reports a DUT that stops producing output (output side)', async () => {
    const input = randomWords(20, 8, 10);
    const r = await simulate({
      ...slice(simulator),
      sources: [dut('stopper')],
      top: 'stopper',
      params: { W: 8, LIMIT: 5, MODE: 1 },
      runName: `${simulator}-stop1`,
      input,
      expected: 20,
      stallCycles: 300,
    });
    expect(r.stalled?.side).toBe('output');
    expect(r.stalled?.message).toMatch(/produced no output word .* after accepting 20 of 20 input words; received 5 of 20/);
    expect(r.outputs).toEqual(input.slice(0, 5));
  });

  it.skipIf(skip)('catches extra output words, and reads string parameters ($readmemh, relative to runCwd)', async () => {
    writeFileSync(path.join(work, 'rom.hex'), '01\n02\n03\n04\n');
    const input = [10n, 20n, 30n, 40n, 50n, 60n, 70n, 80n];
    const r = await simulate({
      ...slice(simulator),
      sources: [dut('rom_add')],
      top: 'rom_add',
      params: { W: 8, DEPTH: 4, ROM_FILE: 'rom.hex' },
      runName: `${simulator}-rom`,
      runCwd: work,
      input,
      expected: 6,
    });
    expect(r.outputs).toEqual([11n, 22n, 33n, 44n, 51n, 62n, 73n, 84n]);
    expect(r.extraOutputs).toBe(2);
    expect(r.frameEnds).toHaveLength(1); // only tlasts within the expected words count
    expect(readFileSync(path.join(r.runDir, 'sim.log'), 'utf8')).not.toMatch(/error/i);
    expect(readFileSync(path.join(r.buildDir, 'build.log'), 'utf8')).toContain(simulator === 'verilator' ? 'verilator' : 'iverilog');
  });

  it.skipIf(skip)('derives frame ends from a word count for DUTs without tlast', async () => {
    const input = randomWords(12, 8, 11);
    const r = await simulate(
      slice(simulator, { input, expected: 12, tlast: false, outputWordsPerFrame: 3, noStall: true, runName: `${simulator}-notlast` }),
    );
    expect(r.tlast.every((t) => !t)).toBe(true);
    expect(r.frameEnds).toEqual([3, 6, 9, 12]);
    expect(r.ii).toBe(3);
  });

  it.skipIf(skip)(
    'dumps a VCD on request',
    async () => {
      const input = randomWords(8, 8, 12);
      const r = await simulate(slice(simulator, { input, expected: 8, vcd: true, runName: `${simulator}-vcd` }));
      expect(r.waveform).toBeDefined();
      const vcd = readFileSync(r.waveform!, 'utf8');
      expect(vcd).toMatch(/\$scope module dut \$end/);
      expect(vcd).toMatch(/m_axis_tdata/);
      expect(r.outputs).toEqual(input);
      // A traced model is a build of its own (the cache keeps the untraced one): allow for it on a loaded 2-core machine.
    },
    300_000,
  );

  it.skipIf(skip)('turns a build error into a message with the tool’s own error lines', async () => {
    const err = await simulate({ ...slice(simulator), sources: [dut('broken')], top: 'broken' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulationError);
    const msg = (err as Error).message;
    expect(msg).toMatch(
      simulator === 'verilator'
        ? /^Verilator could not build broken:\n%Error: .*broken\.sv:6/
        : /^Icarus \(iverilog\) could not compile broken:\n.*broken\.sv:6: syntax error/,
    );
  });

  it.skipIf(skip)('names the modules it found when the top is misspelt', async () => {
    await expect(simulate({ ...slice(simulator), top: 'reg_slise' })).rejects.toThrow(
      /^No module reg_slise in the sources \(reg_slice\.sv\); they declare: reg_slice$/,
    );
  });

  it.skipIf(skip)('can be cancelled while running', async () => {
    // The stopper never finishes with a huge stall bound; abort it once it runs. (The
    // design of the input-side test: a run option change, so no build of its own.)
    const base: SimulateOptions = {
      ...slice(simulator),
      sources: [dut('stopper')],
      top: 'stopper',
      params: { W: 8, LIMIT: 5, MODE: 0 },
      runName: `${simulator}-cancel`,
      input: randomWords(8, 8, 14),
      expected: 8,
      stallCycles: 10,
    };
    expect((await simulate(base)).stalled?.side).toBe('input');
    const ac = new AbortController();
    const started = Date.now();
    const p = simulate({ ...base, stallCycles: 4_000_000_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(simulate({ ...base, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe.skipIf(!have.verilator || !have.icarus)('Verilator and Icarus agree', () => {
  it('gives identical words, tlast and cycle stamps for the same seed', async () => {
    // The 13-bit slice of the first test: the same builds, other runs.
    const input = randomWords(200, 13, 21);
    const results = [];
    for (const simulator of SIMS) {
      results.push(
        await simulate(
          slice(simulator, {
            W: 13,
            input,
            expected: 200,
            inputWordsPerFrame: 4,
            stall: { inValid: 0.4, outReady: 0.45, seed: 1234 },
          }),
        ),
      );
    }
    const [v, i] = results as [Awaited<ReturnType<typeof simulate>>, Awaited<ReturnType<typeof simulate>>];
    expect(v.outputs).toEqual(input);
    expect(i.outputs).toEqual(v.outputs);
    expect(i.tlast).toEqual(v.tlast);
    expect(i.outCycles).toEqual(v.outCycles);
    expect(i.frameStarts).toEqual(v.frameStarts);
    expect(i.cycles).toBe(v.cycles);
    // A different seed gives a different stall pattern.
    const other = await simulate(slice('icarus', { W: 13, input, expected: 200, stall: { inValid: 0.4, outReady: 0.45, seed: 99 } }));
    expect(other.outputs).toEqual(input);
    expect(other.outCycles).not.toEqual(v.outCycles);
  });

  it('flags an X control signal on Icarus (Verilator is two-state)', async () => {
    const base = {
      ...slice('icarus'),
      sources: [dut('no_reset')],
      top: 'no_reset',
      params: { W: 8 },
      input: [1n],
      expected: 1,
      stallCycles: 50,
    };
    const i = await simulate(base);
    expect(i.stalled?.side).toBe('unknown');
    expect(i.stalled?.message).toMatch(/m_axis_tvalid of no_reset is X\/Z at cycle 0/);
    const v = await simulate({ ...base, simulator: 'verilator', runName: 'verilator-noreset' });
    expect(v.stalled?.side).toBe('input');
  });
});

/** The build options of a simulate() call, with a build folder of its own. */
function buildOptions(o: SimulateOptions, buildRoot: string): SimBuildOptions {
  return {
    simulator: o.simulator,
    sources: o.sources,
    top: o.top,
    params: o.params,
    inWidth: o.inWidth,
    outWidth: o.outWidth,
    tlast: o.tlast,
    buildRoot,
  };
}

describe.skipIf(!have.icarus)('build cache', () => {
  it('reuses a build for the same design, rebuilds when sources or parameters change', async () => {
    const dir = mkdtempSync(path.join(work, 'cache-'));
    const src = path.join(dir, 'reg_slice.sv');
    writeFileSync(src, readFileSync(dut('reg_slice'), 'utf8'));
    const input = randomWords(16, 8, 1);
    const run = (over: Partial<SimulateOptions> = {}) =>
      simulate({ ...slice('icarus'), sources: [src], workDir: dir, buildRoot: path.join(dir, 'builds'), input, expected: 16, ...over });
    const a = await run();
    expect(a.cached).toBe(false);
    expect(a.buildMs).toBeGreaterThan(0);
    const b = await run({ stall: { seed: 77, inValid: 0.5, outReady: 0.5 }, input: input.slice().reverse() }); // runtime-only changes
    expect(b.cached).toBe(true);
    expect(b.buildMs).toBe(0);
    expect(b.buildDir).toBe(a.buildDir);
    expect(b.outputs).toEqual(input.slice().reverse());
    const c = await run({ params: { W: 8, FRAME: 2 } });
    expect(c.cached).toBe(false);
    expect(c.buildDir).not.toBe(a.buildDir);
    writeFileSync(src, readFileSync(src, 'utf8') + '\n// changed\n');
    const d = await run();
    expect(d.cached).toBe(false);
    expect(d.buildDir).not.toBe(a.buildDir);
    // Concurrent requests for one new design share a single build.
    const [e, f] = await Promise.all([
      run({ params: { W: 8, FRAME: 3 }, runName: 'e' }),
      run({ params: { W: 8, FRAME: 3 }, runName: 'f' }),
    ]);
    expect([e.cached, f.cached].sort()).toEqual([false, true]);
    expect(e.outputs).toEqual(input);
    expect(f.outputs).toEqual(input);
  });

  it.skipIf(!have.verilator)(
    'never rebuilds for a run option, and rebuilds for every build option that changes what is built',
    async () => {
      const root = mkdtempSync(path.join(work, 'options-'));
      const src = path.join(root, 'reg_slice.sv');
      writeFileSync(src, readFileSync(dut('reg_slice'), 'utf8'));
      const design = { ...slice('icarus'), sources: [src], workDir: root };
      const first = await buildSimulation(buildOptions(design, path.join(root, 'builds')));
      expect(first.cached).toBe(false);
      const stamp = statSync(first.artifact).mtimeMs;
      const input = randomWords(16, 8, 4);
      writeFileSync(path.join(root, 'words.hex'), input.map((w) => w.toString(16)).join('\n') + '\n');
      // One change of every run option (the Record makes the type checker ask for a new one).
      const runChanges: Record<keyof SimRunOptions, Partial<SimRunOptions>> = {
        runDir: { runDir: path.join(root, 'elsewhere') },
        input: { input: input.slice(0, 8), expected: 8 },
        inputFile: { input: undefined, inputFile: path.join(root, 'words.hex') },
        expected: { expected: 12 },
        inputWordsPerFrame: { inputWordsPerFrame: 4 },
        outputWordsPerFrame: { outputWordsPerFrame: 2 },
        stall: { stall: { inValid: 0.6, outReady: 0.1, seed: 99 } },
        noStall: { noStall: true },
        stallCycles: { stallCycles: 500 },
        drainCycles: { drainCycles: 3 },
        vcd: { vcd: true },
        vcdDepth: { vcd: path.join(root, 'shallow.vcd'), vcdDepth: 1 },
        runCwd: { runCwd: root },
        signal: { signal: new AbortController().signal },
        timeoutMs: { timeoutMs: 30_000 },
        onLine: { onLine: () => undefined },
      };
      for (const [name, change] of Object.entries(runChanges)) {
        const b = await buildSimulation(buildOptions(design, path.join(root, 'builds')));
        const r = await runSimulation(b, { runDir: path.join(root, 'run'), input, expected: 16, ...change });
        expect(r.cached, name).toBe(true);
        expect(r.buildDir, name).toBe(first.dir);
        expect(r.stalled, name).toBeNull();
        // And through simulate(), which takes both kinds at once.
        const s = await simulate({ ...design, buildRoot: path.join(root, 'builds'), input, expected: 16, ...change });
        expect(s.cached, name).toBe(true);
        expect(s.buildDir, name).toBe(first.dir);
      }
      expect(statSync(first.artifact).mtimeMs).toBe(stamp);
      // The waveform depth is a run setting too: level 1 keeps the DUT's scope out.
      const shallow = readFileSync(path.join(root, 'shallow.vcd'), 'utf8');
      expect(shallow).toMatch(/\$scope module tb \$end/);
      expect(shallow).not.toMatch(/\$scope module dut \$end/);

      // Every build option: a different build (or, for process controls, the same one).
      const alt = path.join(root, 'alt');
      mkdirSync(alt);
      writeFileSync(path.join(alt, 'reg_slice.sv'), readFileSync(src, 'utf8') + '\n// another file\n');
      writeFileSync(path.join(alt, 'defs.svh'), '`define QNN_UNUSED 1\n');
      const buildChanges: Record<keyof SimBuildOptions, Partial<SimBuildOptions> | 'same build'> = {
        simulator: { simulator: 'verilator' },
        sources: { sources: [path.join(alt, 'reg_slice.sv')] },
        top: { sources: [dut('stopper')], top: 'stopper', params: { W: 8, LIMIT: 5, MODE: 0 } },
        params: { params: { W: 8, FRAME: 5 } },
        inWidth: { inWidth: 9 },
        outWidth: { outWidth: 9 },
        tlast: { tlast: false },
        includeDirs: { includeDirs: [alt] },
        defines: { defines: { QNN_SIM: true } },
        extraFlags: { extraFlags: ['-Wall'] },
        opt: 'same build', // Verilator only
        trace: 'same build', // Verilator only (Icarus dumps without it)
        traceDepth: 'same build', // Verilator only
        buildRoot: 'same build',
        cache: { cache: false },
        runtimeCacheDir: 'same build',
        toolPaths: 'same build',
        signal: 'same build',
        timeoutMs: 'same build',
        onLine: 'same build',
      };
      const seen = new Set([first.dir]);
      for (const [name, change] of Object.entries(buildChanges)) {
        const same: Partial<SimBuildOptions> = {
          buildRoot: path.join(root, 'builds'),
          opt: '-O0',
          trace: true,
          runtimeCacheDir: false,
          toolPaths: {},
          signal: new AbortController().signal,
          timeoutMs: 60_000,
          onLine: () => undefined,
        };
        if (change === 'same build') {
          const b = await buildSimulation({ ...buildOptions(design, path.join(root, 'builds')), ...same });
          expect(b.cached, name).toBe(true);
          continue;
        }
        const b = await buildSimulation({ ...buildOptions(design, path.join(root, 'builds')), ...change });
        expect(b.cached, name).toBe(false);
        if (name !== 'cache') {
          expect(seen.has(b.dir), name).toBe(false);
          seen.add(b.dir);
        } else expect(b.dir).toBe(first.dir);
        const r = await runSimulation(b, { runDir: path.join(root, `run-${name}`), input: [1n, 2n], expected: 2 });
        expect(r.outputs, name).toEqual([1n, 2n]);
      }
    },
  );
});

describe.skipIf(!have.verilator)('Verilator build options', () => {
  it('reuses one build for every run, including a waveform run of a traced build; opt and trace are separate builds', async () => {
    // The shared build cache: the traced build is the one the VCD test made, the -O0 one
    // (the tests' default, vitest.config.ts) the one most tests here run.
    const design = slice('verilator');
    const root = defaultBuildRoot(work);
    const runs = path.join(work, 'verilator-options');
    const traced = await buildSimulation({ ...buildOptions(design, root), trace: true });
    const input = randomWords(8, 8, 13);
    const free = await runSimulation(traced, { runDir: path.join(runs, 'free'), input, expected: 8, noStall: true });
    const wave = await runSimulation(traced, { runDir: path.join(runs, 'wave'), input, expected: 8, vcd: true, stall: { seed: 5 } });
    expect(free.outputs).toEqual(input);
    expect(wave.outputs).toEqual(input);
    expect(readFileSync(wave.waveform!, 'utf8')).toMatch(/m_axis_tdata/);
    const again = await simulate({
      ...design,
      buildRoot: root,
      workDir: runs,
      trace: true,
      input,
      expected: 8,
      vcd: true,
      vcdDepth: 2,
      runName: 'v-again',
    });
    expect(again.buildDir).toBe(traced.dir);
    expect(again.cached).toBe(true);
    // An untraced build cannot dump: a clear message, not a silent rebuild.
    const plain = await buildSimulation({ ...buildOptions(design, root), trace: false, opt: '-O1' });
    expect(plain.dir).not.toBe(traced.dir);
    await expect(runSimulation(plain, { runDir: path.join(runs, 'x'), input, expected: 8, vcd: true })).rejects.toThrow(
      /no waveform support: build it with trace: true/,
    );
    const o0 = await buildSimulation({ ...buildOptions(design, root), trace: false, opt: '-O0' });
    expect(new Set([traced.dir, plain.dir, o0.dir]).size).toBe(3);
    expect((await runSimulation(o0, { runDir: path.join(runs, 'o0'), input, expected: 8 })).outputs).toEqual(input);
  });
});

describe('folders with $, spaces and quotes in their path', () => {
  // GNU make expands `$b` in the paths Verilator writes into its makefiles (issue 6, item 9);
  // `a$b'c` has no space, so it was built in place and failed.
  it.each(SIMS.flatMap((sim) => ["a $b 'c", "a$b'c"].map((name) => [sim, name] as const)))('%s in "%s"', async (simulator, name) => {
    if (!have[simulator]) return;
    const dir = path.join(work, 'odd', simulator, name);
    mkdirSync(dir, { recursive: true });
    const src = path.join(dir, 'reg_slice.sv');
    writeFileSync(src, readFileSync(dut('reg_slice'), 'utf8'));
    const input = randomWords(12, 8, 3);
    const r = await simulate({
      ...slice(simulator),
      sources: [src],
      workDir: dir,
      buildRoot: path.join(dir, 'build $(x) #1'),
      runCwd: dir,
      input,
      expected: 12,
      vcd: path.join(dir, 'wave $w.vcd'),
    });
    expect(r.outputs).toEqual(input);
    expect(r.buildDir.startsWith(dir)).toBe(true);
    expect(readFileSync(r.waveform!, 'utf8')).toMatch(/m_axis_tdata/);
  });
});

describe.skipIf(!have.verilator)('lintVerilator', () => {
  it('passes a clean module and reports warnings and errors with their location', async () => {
    expect((await lintVerilator({ sources: [dut('reg_slice')], top: 'reg_slice', params: { W: 12, FRAME: 3 } })).clean).toBe(true);
    const w = await lintVerilator({ sources: [dut('lint_dirty')], top: 'lint_dirty' });
    expect(w.clean).toBe(false);
    expect(w.messages.some((m) => m.severity === 'warning' && m.code === 'WIDTH' && m.file?.endsWith('lint_dirty.sv') && m.line! > 0)).toBe(
      true,
    );
    const e = await lintVerilator({ sources: [dut('broken')], top: 'broken' });
    expect(e.messages[0]).toMatchObject({ severity: 'error', line: 6 });
  });
});

describe('tools', () => {
  const packages: [ToolName, RegExp][] = [
    ['verilator', /apt-get install verilator/],
    ['iverilog', /apt-get install iverilog/],
    ['vvp', /apt-get install iverilog/],
    ['yosys', /apt-get install yosys/],
    ['nextpnr-ice40', /apt-get install nextpnr-ice40/],
    ['icepack', /apt-get install fpga-icestorm/],
    ['vivado', /Vivado is proprietary.*settings64\.sh/],
  ];
  it.each(packages)('a missing %s names what to install', (tool, re) => {
    const env = { PATH: '/nonexistent' };
    expect(findTool(tool, { env })).toBeUndefined();
    let err: unknown;
    try {
      requireTool(tool, { env });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toMatch(new RegExp(`^${tool} was not found on PATH\\.`));
    expect((err as Error).message).toMatch(re);
    expect((err as Error).stack).not.toMatch(/\n\s+at /);
  });

  it('prefers a configured path, and reports a wrong one', () => {
    const vl = findTool('verilator');
    if (vl) expect(requireTool('verilator', { paths: { verilator: vl }, env: { PATH: '' } })).toBe(vl);
    expect(() => requireTool('yosys', { paths: { yosys: '/no/such/yosys' } })).toThrow(
      /yosys was not found at the configured path \/no\/such\/yosys \(no such file\)\. Install it with `sudo apt-get install yosys`/,
    );
  });

  it('simulate reports a missing simulator through PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      for (const [sim, pkg] of [
        ['verilator', 'verilator'],
        ['icarus', 'iverilog'],
      ] as const) {
        const err = await simulate(slice(sim)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ToolMissingError);
        expect((err as Error).message).toContain(`apt-get install ${pkg}`);
      }
    } finally {
      process.env.PATH = saved;
    }
  });

  it('runProcess streams lines and returns the exit code', async () => {
    const lines: string[] = [];
    const r = await runProcess('sh', ['-c', 'echo one; echo two >&2; printf three; exit 3'], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('one\nthree');
    expect(r.stderr).toBe('two\n');
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one', 'stdout:three']);
    expect(r.timedOut || r.cancelled).toBe(false);
  });

  /** Running (a killed process may linger as a zombie until PID 1 reaps it). */
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return process.platform === 'linux' ? false : true;
    }
  };

  it('runProcess kills the whole process tree on abort and on timeout', async () => {
    for (const mode of ['abort', 'timeout'] as const) {
      const ac = new AbortController();
      let grandchild = 0;
      const p = runProcess('sh', ['-c', 'sleep 60 & echo $!; wait'], {
        signal: ac.signal,
        timeoutMs: mode === 'timeout' ? 500 : undefined,
        onLine: (l) => {
          grandchild = Number(l);
          if (mode === 'abort') ac.abort();
        },
      });
      const r = await p;
      expect(mode === 'abort' ? r.cancelled : r.timedOut).toBe(true);
      expect(grandchild).toBeGreaterThan(0);
      await new Promise((res) => setTimeout(res, 100));
      expect(alive(grandchild)).toBe(false);
    }
  });

  it('runProcess rejects a command that does not exist', async () => {
    await expect(runProcess('/no/such/iverilog', [])).rejects.toBeInstanceOf(ToolMissingError);
    await expect(runProcess('no-such-command-qnn', [])).rejects.toThrow(/Cannot run no-such-command-qnn: not found/);
    const ac = new AbortController();
    ac.abort();
    expect((await runProcess('sleep', ['5'], { signal: ac.signal })).cancelled).toBe(true);
  });
});
