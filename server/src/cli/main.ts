/**
 * The `qnn` command line: check, estimate, compile, run, sim, fifo-check, build, report, import.
 * Errors are one line on stderr and exit code 1 (2 for usage); never a stack trace.
 */
import { runCheck } from './check.js';
import { runEstimate } from './estimate.js';
import { runCompile } from './compile.js';
import { runRun } from './run.js';
import { runSim } from './sim.js';
import { runFifoCheck } from './fifo-check.js';
import { runReport } from './report.js';
import { runBuild } from './build.js';
import { runRunBoard } from './run-board.js';
import { runImport } from './import.js';
import { CliError } from './cli-error.js';
import { QNN_VERSION } from './version.js';
import { setToolPaths, TOOL_NAMES, type ToolPaths } from '../flows/tools.js';

const USAGE = `usage: qnn <command> [options]

commands:
  check FILE... [--format text|json|github|sarif] [--json]
                                report diagnostics (GitHub annotations, SARIF 2.1.0
                                for code scanning); exit 1 when there is an error
  estimate FILE [--json]        cycles, frames/s, resources and roofline per layer
  compile FILE -o DIR           Verilog: DIR/rtl/ and DIR/report.json
  run FILE --input x.npy --output y.npy
                                the bit-exact golden model on frames from a .npy file
  sim FILE [-o DIR] [--frames N] [--seed S] [--input x.npy] [--simulator verilator|icarus]
           [--no-stall] [--vcd[=all]] [--board] [--json]
                                simulate the generated RTL against the golden model
                                (--board: the board's UART shell, through its pins)
  fifo-check FILE [-o DIR] [--frames N] [--simulator verilator|icarus] [--json]
                                halve each FIFO deeper than 2 and show that the
                                analysed depth is needed (exit 1 if one is over-sized)
  build FILE [--flow open|vivado] [-o DIR] [--force] [--json]
                                synthesise, place and route and write a bitstream
                                (Yosys + nextpnr-ice40 + icepack for iCE40) with
                                DIR/bitstream/report.json
  run-board FILE --port PORT --input x.npy --output y.npy [--baud B] [--check]
                                run frames on a board built with \`board icebreaker\`
                                through its UART
  import MODEL.onnx -o DIR [--name N] [--target DEVICE@CLOCK] [--fps N]
                                a trained QONNX / FINN-ONNX model (Brevitas) to DIR/N.qnn,
                                DIR/weights/*.npy and DIR/import.json
  report FILE [--json]          read a Vivado utilisation/timing report or log, Yosys
                                stat or a nextpnr report (recognised by content)
  help                          this text

Run 'qnn <command> --help' for a command's options.`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  check: runCheck,
  estimate: runEstimate,
  compile: runCompile,
  run: runRun,
  sim: runSim,
  'fifo-check': runFifoCheck,
  report: runReport,
  build: runBuild,
  'run-board': runRunBoard,
  import: runImport,
};

/** Tool locations from the environment (the extension passes its settings this way). */
function toolPathsFromEnv(): void {
  const paths: ToolPaths = {};
  for (const name of TOOL_NAMES) {
    const v = process.env[`QNN_TOOL_${name.replace(/[^a-z0-9]/gi, '_').toUpperCase()}`];
    if (v) paths[name] = v;
  }
  setToolPaths(paths);
}

export async function main(argv: string[]): Promise<number> {
  toolPathsFromEnv();
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    console.log(`qnn ${QNN_VERSION}`);
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`qnn: unknown command '${cmd}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`qnn ${cmd}: ${e.message}`);
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`qnn ${cmd}: internal error: ${msg}\nPlease report this with the .qnn file that caused it.`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
