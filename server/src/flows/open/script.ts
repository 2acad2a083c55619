/**
 * The open iCE40 flow's commands (hardware.md §8): Yosys `synth_ice40` → nextpnr-ice40
 * (placement, routing, timing against the `target … @ f` clock, `--report` JSON) →
 * icepack (`.bin`). Pure: what is run and with which files, so a test can read it and a
 * user can rerun it by hand from `build.sh` in the build's folder.
 *
 * Yosys runs in the RTL folder, where `$readmemh` finds the ROM files; everything it and
 * the other tools write goes to the build's own folder (`bitstream/`, a sibling of `rtl/`).
 */
import * as path from 'node:path';
import type { Device } from '../../device/devices.js';

/** The phases of an open-flow build, in order; nextpnr's log marks where routing starts. */
export const OPEN_PHASES = ['synthesis', 'placement', 'routing', 'bitstream'] as const;
export type OpenPhase = (typeof OPEN_PHASES)[number];

/** The files an open-flow build writes into its folder. */
export const OPEN_OUTPUTS = {
  yosysScript: 'synth_ice40.ys',
  netlist: 'design.json',
  stat: 'yosys-stat.txt',
  asc: 'design.asc',
  pnrReport: 'nextpnr-report.json',
  shellScript: 'build.sh',
  log: 'build.log',
} as const;

export interface OpenFlowDesign {
  /** The compiled RTL folder (Yosys's working folder). */
  rtlDir: string;
  /** Sources, relative to rtlDir, each after the modules it instantiates. */
  sources: string[];
  top: string;
  /** An iCE40 part of the device database. */
  device: Device;
  clockMhz: number;
  /** The pin constraints file in the build folder, or null: nextpnr places the I/O itself. */
  pcf: string | null;
  /** Yosys commands before the sources are read (e.g. the iCE40 cell library for a PLL primitive). */
  preamble?: string[];
}

/** The bitstream's file name. */
export function bitstreamName(top: string): string {
  return `${top}.bin`;
}

/** A path from the RTL folder to a file in the build folder, with forward slashes (Yosys scripts). */
function fromRtl(design: OpenFlowDesign, outDir: string, file: string): string {
  return path.relative(design.rtlDir, path.join(outDir, file)).split(path.sep).join('/');
}

/** `synth_ice40.ys`: read, check the hierarchy, synthesise (SB_MAC16 for wide products), write the netlist and the statistics. */
export function yosysBuildScript(design: OpenFlowDesign, outDir: string): string {
  for (const s of design.sources)
    if (/\s|"/.test(s)) throw new Error(`source file name '${s}' has a space or a quote, which a Yosys script cannot read`);
  return [
    `# ${design.top} for ${design.device.name}: run in ${design.rtlDir} (the .mem files are read from there)`,
    ...(design.preamble ?? []),
    `read_verilog -sv ${design.sources.join(' ')}`,
    `hierarchy -check -top ${design.top}`,
    `synth_ice40 -top ${design.top} -dsp -json ${fromRtl(design, outDir, OPEN_OUTPUTS.netlist)}`,
    `tee -o ${fromRtl(design, outDir, OPEN_OUTPUTS.stat)} stat`,
    '',
  ].join('\n');
}

/** nextpnr-ice40's arguments, run in the build folder. A missed clock is reported, not an error (`--timing-allow-fail`). */
export function nextpnrArgs(design: OpenFlowDesign): string[] {
  const d = design.device;
  if (d.family !== 'ice40') throw new Error(`${d.name} is not an iCE40 part: the open flow builds for iCE40 only`);
  return [
    `--${d.part}`,
    ...(d.package ? ['--package', d.package] : []),
    '--json',
    OPEN_OUTPUTS.netlist,
    ...(design.pcf ? ['--pcf', design.pcf] : ['--pcf-allow-unconstrained']),
    '--freq',
    String(design.clockMhz),
    '--timing-allow-fail',
    '--report',
    OPEN_OUTPUTS.pnrReport,
    '--asc',
    OPEN_OUTPUTS.asc,
  ];
}

/** icepack's arguments, run in the build folder. */
export function icepackArgs(design: OpenFlowDesign): string[] {
  return [OPEN_OUTPUTS.asc, bitstreamName(design.top)];
}

const shQuote = (s: string): string => (/^[\w./=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** `build.sh`: the same three commands, for a user who wants to run them by hand. */
export function buildShellScript(design: OpenFlowDesign, outDir: string): string {
  const rtl = path.relative(outDir, design.rtlDir).split(path.sep).join('/');
  return [
    '#!/bin/sh',
    `# The open-flow build of ${design.top} for ${design.device.name} @ ${design.clockMhz} MHz, as qnn build runs it.`,
    'set -e',
    'cd "$(dirname "$0")"',
    `(cd ${shQuote(rtl)} && yosys -q -s ${shQuote(path.posix.join(path.relative(design.rtlDir, outDir).split(path.sep).join('/'), OPEN_OUTPUTS.yosysScript))})`,
    `nextpnr-ice40 ${nextpnrArgs(design).map(shQuote).join(' ')}`,
    `icepack ${icepackArgs(design).map(shQuote).join(' ')}`,
    '',
  ].join('\n');
}
