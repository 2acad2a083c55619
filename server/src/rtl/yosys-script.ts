/**
 * The file list (`files.f`) and the Yosys script (`synth.ys`) that `qnn compile` writes
 * next to the RTL, and the Yosys commands flows/synth-check.ts runs: one definition of how
 * the design is read and synthesised (hardware.md §4, §8).
 */
import type { Device } from '../device/devices.js';

export const FILE_LIST = 'files.f';
export const YOSYS_SCRIPT = 'synth.ys';

export type SynthFamily = 'xilinx' | 'ice40';

/** What Yosys synthesises for: `synth_xilinx -family <xilinx>` or `synth_ice40`. */
export interface SynthTarget {
  family: SynthFamily;
  /** Xilinx architecture for synth_xilinx: 7 series (xc7) or UltraScale+ (xcup). */
  xilinx?: 'xc7' | 'xcup';
}

/** The synthesis target of a device in the database. */
export function synthTargetOf(device: Device): SynthTarget {
  if (device.family === 'ice40') return { family: 'ice40' };
  return { family: 'xilinx', xilinx: device.family === 'zynqmp' ? 'xcup' : 'xc7' };
}

/** Reading the design: every source (file-list order, paths relative to the rtl folder), then the hierarchy under `top`. */
export function yosysReadCommands(sources: readonly string[], top: string): string[] {
  return [`read_verilog -sv ${sources.join(' ')}`, `hierarchy -check -top ${top}`];
}

/**
 * What follows `synth_xilinx`. Its flip-flops take only an active-high enable and reset, so
 * it gives every flip-flop whose enable or reset is active-low an inverter of its own
 * (dfflegalize works per cell), and ABC leaves equal LUTs on the same inputs apart; nothing
 * in synth_xilinx merges them afterwards. `opt_merge -share_all` does (Vivado has no reason
 * to make such copies): measured on a two-MVAU chain (the sweep's chain3), 1,103 LUTs on
 * xc7, 232 of them INVs, became 880 with 13 INVs, and 1,300 LUTs became 868 on xcup.
 * synth_ice40 leaves no such copies.
 */
export const XILINX_AFTER_SYNTH = ['opt_merge -share_all', 'clean'] as const;

/**
 * The synthesis commands for a target (flattened: resource counts are for the whole design).
 * `dsp: false` maps no multiplier to a DSP block (the calibration's LUT multiplier table);
 * the flow always lets Yosys map them.
 */
export function yosysSynthCommands(top: string, target: SynthTarget, o: { dsp?: boolean } = {}): string[] {
  const dsp = o.dsp ?? true;
  if (target.family === 'ice40') return [`synth_ice40 -top ${top}${dsp ? ' -dsp' : ''}`];
  return [
    XILINX_KEEP_ROMS,
    `synth_xilinx -family ${target.xilinx ?? 'xc7'} -top ${top} -flatten${dsp ? '' : ' -nodsp'}`,
    ...XILINX_AFTER_SYNTH,
  ];
}

/**
 * Before `synth_xilinx`: every qnn_rom instance (an MVAU weight ROM of more than 32 words,
 * hw-templates/qnn_mvau.sv) stays a module of its own through `-flatten`. ABC, mapping the
 * ROM with the rest of the MVAU, built part of it through shared address decoders:
 * held_dense7's 128 × 384-bit ROM took 1,992 LUTs in the MVAU, 768 LUT6 kept apart, and the
 * sweep's wide0 (72 × 1,024 bits) went from 11,257 to 9,297 LUTs. On iCE40, whose deep ROMs
 * are EBRs, the flattened design is left as it was. (A cell selection, `t:`, so a design
 * without one matches nothing without a warning.)
 */
export const XILINX_KEEP_ROMS = 'setattr -set keep_hierarchy 1 t:*\\qnn_rom';

/** `files.f`: the sources, one relative path a line, each after the modules it instantiates. */
export function fileListText(sources: readonly string[]): string {
  return sources.map((s) => `${s}\n`).join('');
}

/** The sources of a file list's text (blank lines and `//` or `#` comments skipped). */
export function parseFileList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//') && !l.startsWith('#'));
}

/**
 * `synth.ys`, run in the rtl folder (where `$readmemh` finds the .mem files):
 * `yosys -s synth.ys`. The label `read:` marks reading and the hierarchy check alone
 * (`yosys -p 'script synth.ys read'`), `synth:` the synthesis and its statistics.
 */
export function yosysScriptText(sources: readonly string[], top: string, target: SynthTarget, what: string): string {
  return [
    `# ${what}`,
    `# Run in this folder (the .mem files are read from here): yosys -s ${YOSYS_SCRIPT}`,
    `# The sources are those of ${FILE_LIST}, in its order.`,
    'read:',
    ...yosysReadCommands(sources, top),
    'synth:',
    ...yosysSynthCommands(top, target),
    'stat',
    '',
  ].join('\n');
}
