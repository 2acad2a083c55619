/**
 * Icarus Verilog backend: `iverilog -g2012` compiles the clock wrapper, the testbench and
 * the DUT into `sim.vvp`; `vvp -n sim.vvp +plusargs` runs it. Waveform dumping needs no
 * special build (the testbench decides at run time).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { requireTool, type ToolPaths } from '../tools.js';
import { buildStep, defineArgs, type BuildJob, type SimBackend } from './backend.js';
import { TB_ICARUS_TOP, TB_MODULE, generateIcarusTop } from './testbench.js';

const VVP = 'sim.vvp';

function errorLines(log: string): string[] {
  const lines = log.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out = lines.filter((l) => /error|I give up|syntax|Unknown module|not found|Unable|failed/i.test(l));
  return out.length > 0 ? out : lines;
}

export const icarus: SimBackend = {
  simulator: 'icarus',
  title: 'Icarus',
  versionFlag: '-V',

  requireCompiler(paths?: ToolPaths): string {
    const iverilog = requireTool('iverilog', { paths });
    requireTool('vvp', { paths });
    return iverilog;
  },

  async build(job: BuildJob, dir: string): Promise<string[]> {
    const topFile = path.join(dir, `${TB_ICARUS_TOP}.sv`);
    const tbFile = path.join(dir, `${TB_MODULE}.sv`);
    writeFileSync(topFile, generateIcarusTop());
    writeFileSync(tbFile, job.testbench);
    const args = [
      '-g2012',
      '-o',
      path.join(dir, VVP),
      '-s',
      TB_ICARUS_TOP,
      ...job.includeDirs.map((d) => `-I${d}`),
      ...defineArgs(job.defines, 'icarus'),
      ...job.extraFlags,
      topFile,
      tbFile,
      ...job.sources,
    ];
    const r = await buildStep(`Icarus (iverilog) could not compile ${job.top}`, job.exe, args, { cwd: dir, logDir: dir, job, errorLines });
    return (r.stdout + '\n' + r.stderr).split(/\r?\n/).filter((l) => /warning/i.test(l));
  },

  artifact: (dir) => path.join(dir, VVP),

  runCommand(artifact, plusargs, paths) {
    return { cmd: requireTool('vvp', { paths }), args: ['-n', artifact, ...plusargs] };
  },
};
