/**
 * Where `qnn compile`, `qnn sim` and `qnn fifo-check` write when no `-o` is given, and
 * the files the editor reads there. One convention for the CLI and the editor: a pure
 * function of the .qnn file's path (the folder `build/<file name without .qnn>` next to
 * it), so neither has to parse the network to find it.
 *
 *   build/<name>/rtl/<top>.sv, …            qnn compile
 *   build/<name>/report.json                qnn compile (results.ts CompileReport)
 *   build/<name>/sim/result.json            qnn sim (results.ts SimResult)
 *   build/<name>/fifo-check/fifo-check.json qnn fifo-check (results.ts FifoCheckResult)
 *   build/<name>/bitstream/progress.json    qnn build's current phase (results.ts BuildProgress)
 *   build/<name>/bitstream/report.json      qnn build (results.ts BuildReport), beside the
 *                                           bitstream, the tools' scripts and logs
 *   build/<name>/board-sim/result.json      qnn sim --board (results.ts BoardSimResult), beside
 *                                           the board's shell and the host testbench's files
 */
import * as path from 'node:path';

export const RTL_FOLDER = 'rtl';
export const REPORT_FILE = 'report.json';
export const SIM_FOLDER = 'sim';
export const SIM_RESULT_FILE = 'result.json';
export const FIFO_CHECK_FOLDER = 'fifo-check';
export const FIFO_CHECK_RESULT_FILE = 'fifo-check.json';
export const BITSTREAM_FOLDER = 'bitstream';
export const BUILD_PROGRESS_FILE = 'progress.json';
export const BOARD_SIM_FOLDER = 'board-sim';

/** The default build folder of a .qnn file: `<its folder>/build/<its name without .qnn>`. */
export function buildFolder(qnnFile: string): string {
  return path.join(path.dirname(qnnFile), 'build', path.basename(qnnFile, '.qnn'));
}

/** The files of a build folder (the default one or a `-o DIR`). */
export function buildFiles(outDir: string): {
  rtl: string;
  report: string;
  simFolder: string;
  simResult: string;
  fifoCheckFolder: string;
  fifoCheckResult: string;
  bitstreamFolder: string;
  buildReport: string;
  buildProgress: string;
  boardSimFolder: string;
  boardSimResult: string;
} {
  const simFolder = path.join(outDir, SIM_FOLDER);
  const fifoCheckFolder = path.join(outDir, FIFO_CHECK_FOLDER);
  return {
    rtl: path.join(outDir, RTL_FOLDER),
    report: path.join(outDir, REPORT_FILE),
    simFolder,
    simResult: path.join(simFolder, SIM_RESULT_FILE),
    fifoCheckFolder,
    fifoCheckResult: path.join(fifoCheckFolder, FIFO_CHECK_RESULT_FILE),
    bitstreamFolder: path.join(outDir, BITSTREAM_FOLDER),
    buildReport: path.join(outDir, BITSTREAM_FOLDER, REPORT_FILE),
    buildProgress: path.join(outDir, BITSTREAM_FOLDER, BUILD_PROGRESS_FILE),
    boardSimFolder: path.join(outDir, BOARD_SIM_FOLDER),
    boardSimResult: path.join(outDir, BOARD_SIM_FOLDER, SIM_RESULT_FILE),
  };
}
