/**
 * Verilator backend: `verilator --cc --exe` turns the testbench and the DUT into C++,
 * `make` compiles it with the shared runtime (verilator-runtime.ts) into one executable
 * that takes the run's plusargs. Waveforms need a traced build (`trace`).
 *
 * Paths: Verilator writes the build folder into its generated makefile, and GNU make
 * expands `$`, splits at spaces and treats quotes, `#`, `%`, `:` and `;` specially, so a
 * build folder like `/tmp/a $b 'c` breaks the C++ compile. Such builds run in a scratch
 * folder under the system temporary folder; only the executable is copied back.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireTool, toolVersion, whichSync } from '../tools.js';
import { buildStep, defineArgs, type BuildJob, type SimBackend } from './backend.js';
import { SimulationError } from './sim-error.js';
import { TB_MODULE, generateVerilatorMain } from './testbench.js';
import { seedFromRuntime, storeInRuntime, verilatorRuntime } from './verilator-runtime.js';

const EXE = `V${TB_MODULE}`;

/** Paths GNU make and Verilator's makefiles take literally. */
const MAKE_SAFE = process.platform === 'win32' ? /^[A-Za-z0-9_.\\/:+,@=~-]+$/ : /^[A-Za-z0-9_./+,@=~-]+$/;
export const makeSafe = (p: string): boolean => MAKE_SAFE.test(p);

/** %Error blocks (with their indented context lines), C++ compiler errors and make's own. */
function errorLines(log: string): string[] {
  const lines = log.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^%Error/.test(l) || /\berror\b:/.test(l) || /^make.*Error|^make: \*\*\*/.test(l)) {
      out.push(l);
      while (i + 1 < lines.length && /^\s+[:|]|^\s{2,}\S/.test(lines[i + 1]!) && !/^%/.test(lines[i + 1]!)) out.push(lines[++i]!);
    }
  }
  return out.length > 0 ? out : lines;
}

export const verilator: SimBackend = {
  simulator: 'verilator',
  title: 'Verilator',
  versionFlag: '--version',

  requireCompiler: (paths) => requireTool('verilator', { paths }),

  async build(job: BuildJob, dir: string): Promise<string[]> {
    if (makeSafe(dir)) return buildIn(dir, dir, job);
    const tmp = os.tmpdir();
    if (!makeSafe(tmp)) {
      throw new SimulationError(
        `Verilator cannot build in ${dir} (GNU make takes only letters, digits and - _ . / + , @ = ~ in a path), ` +
          `and the temporary folder ${tmp} has other characters too: set TMPDIR to a folder such as /tmp.`,
      );
    }
    const scratch = mkdtempSync(path.join(tmp, 'qnn-verilator-'));
    try {
      return await buildIn(scratch, dir, job);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },

  artifact: (dir) => path.join(dir, EXE),

  runCommand: (artifact, plusargs) => ({ cmd: artifact, args: [...plusargs] }),
};

/** Builds in `work` (a make-safe folder) and leaves the executable and the log in `dir`. */
async function buildIn(work: string, dir: string, job: BuildJob): Promise<string[]> {
  const cxx = process.env.CXX ?? 'g++';
  if (!whichSync('make') || !whichSync(cxx)) {
    throw new SimulationError(
      `Verilator builds need make and a C++ compiler (${cxx}): install them with \`sudo apt-get install make g++\`.`,
    );
  }
  const obj = path.join(work, 'obj');
  const tbFile = path.join(work, `${TB_MODULE}.sv`);
  const mainFile = path.join(work, 'main.cpp');
  writeFileSync(tbFile, job.testbench);
  if (work !== dir) writeFileSync(path.join(dir, `${TB_MODULE}.sv`), job.testbench);
  const mainText = generateVerilatorMain();
  writeFileSync(mainFile, mainText);
  const args = [
    '--cc',
    '--exe',
    '--no-timing',
    '-Wno-fatal',
    // A template's parameter check ($error at elaboration, hw-templates/) stops the build.
    '-Werror-USERERROR',
    '--x-assign',
    'fast',
    '--top-module',
    TB_MODULE,
    '--Mdir',
    obj,
    ...(job.trace ? ['--trace', ...(job.traceDepth ? ['--trace-depth', String(job.traceDepth)] : [])] : []),
    ...job.includeDirs.map((d) => `-I${d}`),
    ...defineArgs(job.defines, 'verilator'),
    ...job.extraFlags,
    tbFile,
    ...job.sources,
    mainFile,
  ];
  const ctx = { cwd: work, logDir: dir, job, errorLines };
  const v = await buildStep(`Verilator could not build ${job.top}`, job.exe, args, ctx);
  const warnings = (v.stdout + '\n' + v.stderr).split(/\r?\n/).filter((l) => /^%Warning/.test(l));
  // The dependency file lists the sources by path for Verilator's own rebuilds, which a
  // one-shot build never needs; make would read it and trip over a `$` in a source path.
  for (const f of readdirSync(obj)) if (f.endsWith('__ver.d')) rmSync(path.join(obj, f), { force: true });

  const mk = `${EXE}.mk`;
  const header = path.join(obj, `${EXE}.h`);
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const rt = verilatorRuntime(
    job.runtimeCacheDir,
    { verilator: job.version, cxx: await toolVersion(cxx), trace: job.trace, opt: job.opt, main: mainText },
    makeSafe,
  );
  const makeVars = [`OPT_FAST=${job.opt}`, `OPT_SLOW=-O0`, ...(rt ? seedFromRuntime(rt, obj, header) : [])];
  await buildStep(
    `The C++ compile of the Verilator model of ${job.top} failed`,
    'make',
    ['-s', '-C', obj, '-f', mk, `-j${jobs}`, ...makeVars],
    ctx,
  );
  if (!existsSync(path.join(obj, EXE))) throw new SimulationError(`Verilator build of ${job.top} produced no executable`);
  if (rt) await storeInRuntime(rt, obj, mk, header, job.opt, job);

  if (work === dir) renameSync(path.join(obj, EXE), path.join(dir, EXE));
  else {
    copyFileSync(path.join(obj, EXE), path.join(dir, EXE));
    chmodSync(path.join(dir, EXE), 0o755);
  }
  rmSync(obj, { recursive: true, force: true });
  return warnings;
}
