/**
 * The shared Verilator runtime cache (default `$TMPDIR/qnn-fpga-sim-cache`): the
 * Verilator runtime objects (verilated.o, ...), the C++ main and a precompiled
 * verilated.h are built once per Verilator / compiler / flags combination and reused by
 * every design, so a new design compiles only its own generated C++.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, runProcess } from '../tools.js';
import { fileDigest, hashOf, prune, publish, tmpName } from './build-cache.js';
import type { VerilatorOpt } from './backend.js';

const RUNTIME_VERSION = 2;

export interface RuntimeKey {
  verilator: string;
  cxx: string;
  trace: boolean;
  opt: VerilatorOpt;
  /** Text of the C++ main. */
  main: string;
}

export interface VerilatorRuntime {
  dir: string;
  /** The cache holds the runtime objects (else this build stores them afterwards). */
  ready: boolean;
  objects: string[];
  pch: boolean;
}

/** The cache folder for this combination, or undefined when disabled or when make could not take its path. */
export function verilatorRuntime(
  root: string | false | undefined,
  key: RuntimeKey,
  makeSafe: (p: string) => boolean,
): VerilatorRuntime | undefined {
  if (root === false) return undefined;
  const base = root ?? process.env.QNN_SIM_CACHE ?? path.join(os.tmpdir(), 'qnn-fpga-sim-cache');
  const dir = path.join(base, `verilator-rt-${hashOf({ RUNTIME_VERSION, ...key, cxxEnv: process.env.CXX ?? '' }).slice(0, 16)}`);
  if (!makeSafe(dir)) return undefined; // make and -include cannot take it
  const manifest = path.join(dir, 'manifest.json');
  if (!existsSync(manifest)) return { dir, ready: false, objects: [], pch: false };
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { objects: string[]; pch: boolean };
    const ok = m.objects.every((f) => existsSync(path.join(dir, f)));
    return { dir, ready: ok, objects: m.objects, pch: m.pch && existsSync(path.join(dir, 'verilated.h.gch')) };
  } catch {
    return { dir, ready: false, objects: [], pch: false };
  }
}

/** The cached main.o for the model header in `obj` (the main includes it). */
const mainObject = (rt: VerilatorRuntime, header: string): string => path.join(rt.dir, `main-${fileDigest(header).slice(0, 16)}.o`);

/**
 * Before make: copies the cached objects into `obj` (newer than the generated makefile,
 * so make keeps them) and returns the make variables that use the precompiled header.
 */
export function seedFromRuntime(rt: VerilatorRuntime, obj: string, header: string): string[] {
  if (!rt.ready) return [];
  const now = new Date();
  const copy = (from: string, name: string): void => {
    copyFileSync(from, path.join(obj, name));
    utimesSync(path.join(obj, name), now, now);
  };
  for (const f of rt.objects) copy(path.join(rt.dir, f), f);
  const main = mainObject(rt, header);
  if (existsSync(main)) copy(main, 'main.o');
  return rt.pch ? [`CXXFLAGS=-include ${path.join(rt.dir, 'verilated.h')} -Winvalid-pch`] : [];
}

/** After a successful make: stores what the cache lacks (runtime objects, the precompiled header, main.o). */
export async function storeInRuntime(
  rt: VerilatorRuntime,
  obj: string,
  mk: string,
  header: string,
  opt: VerilatorOpt,
  ctl: { signal?: AbortSignal; timeoutMs: number },
): Promise<void> {
  if (!rt.ready) await populate(rt.dir, obj, mk, opt, ctl);
  const main = mainObject(rt, header);
  if (!existsSync(main) && existsSync(path.join(obj, 'main.o'))) atomicCopy(path.join(obj, 'main.o'), main);
}

function atomicCopy(from: string, to: string): void {
  const tmp = tmpName(to);
  try {
    copyFileSync(from, tmp);
    publish(tmp, to);
  } catch {
    rmSync(tmp, { force: true });
  }
}

async function populate(
  dir: string,
  obj: string,
  mk: string,
  opt: VerilatorOpt,
  ctl: { signal?: AbortSignal; timeoutMs: number },
): Promise<void> {
  mkdirSync(path.dirname(dir), { recursive: true });
  prune(path.dirname(dir));
  const tmp = tmpName(dir);
  mkdirSync(tmp, { recursive: true });
  try {
    const objects = readdirSync(obj).filter((f) => /^verilated.*\.o$/.test(f));
    for (const f of objects) copyFileSync(path.join(obj, f), path.join(tmp, f));
    // The precompiled header: built with exactly the flags of the model's own compile.
    writeFileSync(path.join(tmp, 'verilated.h'), '// Precompiled by qnn-fpga for Verilator models.\n#include <verilated.h>\n');
    writeFileSync(
      path.join(obj, 'qnn_pch.mk'),
      `include ${mk}\nqnn_pch:\n\t$(CXX) $(CPPFLAGS) $(OPT_FAST) -x c++-header $(QNN_PCH_IN) -o $(QNN_PCH_OUT)\n`,
    );
    const r = await runProcess(
      'make',
      [
        '-s',
        '-C',
        obj,
        '-f',
        'qnn_pch.mk',
        'qnn_pch',
        `OPT_FAST=${opt}`,
        `QNN_PCH_IN=${path.join(tmp, 'verilated.h')}`,
        `QNN_PCH_OUT=${path.join(tmp, 'verilated.h.gch')}`,
      ],
      { timeoutMs: ctl.timeoutMs, signal: ctl.signal },
    );
    if (r.cancelled) throw new CancelledError('The simulation build');
    const pch = r.code === 0 && existsSync(path.join(tmp, 'verilated.h.gch'));
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify({ objects, pch }, null, 2));
    publish(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof CancelledError) throw e;
    // The cache is an optimisation only.
  }
}
