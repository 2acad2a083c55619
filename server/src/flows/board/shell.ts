/**
 * Board shells: what a board needs around the accelerator to do something on it (the
 * iCEBreaker's UART, clock and pins). The build asks here by board name and gets the
 * files to synthesise with the accelerator, written into the build's folder.
 */
import type { Device } from '../../device/devices.js';
import type { HardwarePlan } from '../../rtl/plan.js';

export interface BoardShellContext {
  plan: HardwarePlan;
  /** The `target … @ f` clock. */
  clockMhz: number;
  device: Device;
  /** The build's folder: the shell's files are written under it. */
  outDir: string;
}

export interface BoardShellFiles {
  /** The top-level module: the shell, which instantiates the accelerator. */
  top: string;
  /** The shell's sources (absolute paths), after the accelerator's in read order. */
  sources: string[];
  /** The pin constraints file (absolute path), or null. */
  pcf: string | null;
  /** The clock the accelerator runs at (the PLL's achieved frequency where one is used). */
  clockMhz: number;
}

/** The shell of a board, written under ctx.outDir; throws an Error whose message says what to do for a board without one. */
export function boardShellFor(board: string, ctx: BoardShellContext): BoardShellFiles {
  switch (board) {
    default:
      throw new Error(
        `qnn has no board shell for '${board}' on ${ctx.device.name}: the open flow wraps the accelerator for the iCEBreaker (board icebreaker); remove \`board ${board}\` to build the bare accelerator`,
      );
  }
}
