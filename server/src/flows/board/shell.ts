/**
 * Board shells: what a board needs around the accelerator to do something on it (the
 * iCEBreaker's UART, clock and pins). The build asks here by board name and gets the
 * files to synthesise with the accelerator, written into the build's folder.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Device } from '../../device/devices.js';
import type { Network } from '../../model/types.js';
import { streamWidth, type HardwarePlan } from '../../rtl/plan.js';
import { icebreakerShell, icebreakerShellTemplateFiles } from './icebreaker.js';
import { uartFrameLayout } from './uart-frames.js';

/** The folder under the build's folder that holds a shell's sources. */
export const BOARD_FOLDER = 'board';

export interface BoardShellContext {
  net: Network;
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
  /** Yosys commands before reading the sources (the iCE40 cell library when a PLL is instantiated). */
  yosysPreamble: string[];
}

/** The iCEBreaker: the UART shell (docs/board-icebreaker.md), its templates and top in board/, its pins in icebreaker.pcf. */
function icebreakerFiles(ctx: BoardShellContext): BoardShellFiles {
  if (ctx.device.name !== 'ice40up5k')
    throw new Error(
      `the iCEBreaker carries an ice40up5k, not ${ctx.device.name}: make the target \`ice40up5k\` or remove \`board icebreaker\``,
    );
  const shell = icebreakerShell({
    accelTop: ctx.plan.top,
    inWidth: streamWidth(ctx.plan.input),
    outWidth: streamWidth(ctx.plan.output),
    inWordsPerFrame: uartFrameLayout(ctx.net, ctx.plan).inWordsPerFrame,
    clockMHz: ctx.clockMhz,
  });
  const dir = path.join(ctx.outDir, BOARD_FOLDER);
  mkdirSync(dir, { recursive: true });
  const sources = icebreakerShellTemplateFiles().map((src) => {
    const to = path.join(dir, path.basename(src));
    copyFileSync(src, to);
    return to;
  });
  for (const f of shell.files) {
    writeFileSync(path.join(dir, f.name), f.text);
    sources.push(path.join(dir, f.name));
  }
  const pcf = path.join(ctx.outDir, 'icebreaker.pcf');
  writeFileSync(pcf, shell.pcf);
  return { top: shell.top, sources, pcf, clockMhz: shell.clock.achievedMHz, yosysPreamble: shell.yosysPreamble };
}

/** The shell of a board, written under ctx.outDir; throws an Error whose message says what to do for a board without one. */
export function boardShellFor(board: string, ctx: BoardShellContext): BoardShellFiles {
  switch (board) {
    case 'icebreaker':
      return icebreakerFiles(ctx);
    default:
      throw new Error(
        `qnn has no board shell for '${board}' on ${ctx.device.name}: the open flow wraps the accelerator for the iCEBreaker (board icebreaker); remove \`board ${board}\` to build the bare accelerator`,
      );
  }
}
