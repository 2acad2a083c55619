/**
 * `qnn build` and *QNN: Build Bitstream*: compile the analysed network, wrap it for its
 * board where it has one, and run the flow of its device (the open iCE40 flow, or Vivado
 * for Xilinx parts), ending with `bitstream/report.json` (protocol/results.ts BuildReport)
 * beside the bitstream, the tools' scripts and the log. Everything is written inside the
 * build folder. A design whose inputs (RTL, ROMs, constraints, shell, tool versions) hash
 * the same as the last successful build's is not rebuilt.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Analysis } from '../analysis/analyze.js';
import { capacityUse, fabricOf } from '../cost/fabric.js';
import { capacityLabels } from '../cost/utilisation.js';
import { findDevice, type Device } from '../device/devices.js';
import { buildFiles } from '../protocol/build-folder.js';
import type { BuildFlow, BuildPathStep, BuildProgress, BuildReport, BuildResources } from '../protocol/results.js';
import { compileNetwork } from '../rtl/compile.js';
import { FILE_LIST, parseFileList } from '../rtl/yosys-script.js';
import { requireTool, toolVersion } from './tools.js';
import { OPEN_PHASES, yosysBuildScript, nextpnrArgs, type OpenFlowDesign } from './open/script.js';
import { runOpenFlow } from './open/run.js';
import { vivadoPreflight } from './vivado/preflight.js';
import { runVivadoBuild, type VivadoRunResult } from './vivado/run.js';
import { rtlSources, VivadoFlowError, VIVADO_BD_PHASES, VIVADO_PHASES, writeVivadoScripts } from './vivado/script.js';
import { BD_OUTPUTS, blockDesignTcl, dmaWidth, dmaWrapperVerilog, zynqBoard, type ZynqBoard } from './vivado/block-design.js';
import { pynqDriver, type StreamLayout } from './vivado/pynq-driver.js';
import { streamWidth } from '../rtl/plan.js';
import { uartFrameLayout } from './board/uart-frames.js';
import { randomFrames } from '../golden/frames.js';
import { runNetwork } from '../golden/golden.js';
import { writeNpy } from '../npy/npy.js';
import type { QType } from '../model/types.js';
import type { CompileResult } from '../rtl/compile.js';
import { boardShellFor, type BoardShellFiles } from './board/shell.js';

/** A build that cannot start (wrong flow for the device, unknown device, a clock the board cannot make); the message says what to do. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface BuildOptions {
  /** Overrides the flow the device implies; it must be one that builds for it. */
  flow?: BuildFlow;
  /** Rebuild even when nothing changed. */
  force?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  onPhase?: (phase: string, seconds: number | null) => void;
}

/** The flow that builds for a device: open for iCE40, Vivado for Xilinx parts. */
export function flowOf(device: Device): BuildFlow {
  return device.flow === 'icestorm' ? 'open' : 'vivado';
}

/** Content hash of every file under a folder (sorted relative paths and their bytes). */
function hashFolder(h: ReturnType<typeof createHash>, dir: string, rel = ''): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) hashFolder(h, p, `${rel}${name}/`);
    else h.update(`${rel}${name}\0`).update(readFileSync(p)).update('\0');
  }
}

/** A tool's identity for the hash: its version line, or (icepack has no version) its path, size and time. */
async function toolIdentity(exe: string, flag: string | null): Promise<string> {
  if (flag) return `${exe} ${await toolVersion(exe, flag)}`;
  const st = statSync(exe);
  return `${exe} ${st.size} ${st.mtimeMs}`;
}

function readReport(file: string): BuildReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuildReport;
  } catch {
    return null;
  }
}

/** Why a bare accelerator may not fit the package's pins, and what to do. */
function ioHint(plan: { input: { elems: number; elemBits: number }; output: { elems: number; elemBits: number } }, device: Device): string {
  const pins = plan.input.elems * plan.input.elemBits + plan.output.elems * plan.output.elemBits + 7;
  return `The bare accelerator has ${pins} I/O pins (its streams' data, valid, ready and last, clock and reset), more than the ${device.name}${
    device.package ? ` ${device.package}` : ''
  } package offers: build it for a board (\`board icebreaker\` wraps it in a UART shell with 4 pins), or narrow the input and output streams (SIMD of the first layer, PE of the last)`;
}

const round = (x: number, d = 3): number => Number(x.toFixed(d));

/**
 * The estimate's totals, like for like with what the tools report: nextpnr counts iCE40
 * logic cells (LUT4s and flip-flops packed), the estimate's logic_cells; on Xilinx LUTs.
 */
function estimatedResources(analysis: Analysis): BuildReport['resources']['estimated'] {
  const est = analysis.estimate?.totals;
  const lut = analysis.estimate ? capacityUse(analysis.estimate.totals, 'lut', analysis.estimate.target.family) : null;
  return { lut, ff: est?.ff ?? null, bram18: est?.bram18 ?? null, dsp: est?.dsp ?? null };
}

export async function buildBitstream(analysis: Analysis, qnnFile: string, outDir: string, opts: BuildOptions = {}): Promise<BuildReport> {
  const net = analysis.network;
  const target = net.target;
  if (!target) throw new BuildError(`${net.name} has no target: add \`target DEVICE @ CLOCK\` to say what to build for`);
  const device = findDevice(target.device);
  if (!device) throw new BuildError(`unknown device '${target.device}'`);
  const flow = flowOf(device);
  if (opts.flow && opts.flow !== flow)
    throw new BuildError(
      `${device.name} is built by the ${flow === 'open' ? 'open flow (Yosys + nextpnr-ice40)' : 'Vivado flow'}, not the ${opts.flow} one: ${
        opts.flow === 'open' ? 'the open flow builds for iCE40 parts (ice40up5k, ice40hx8k)' : 'Vivado builds for Xilinx parts'
      }; change the target or leave out --flow`,
    );
  const clockMhz = target.clockHz / 1e6;
  const files = buildFiles(outDir);
  const prepared =
    flow === 'open'
      ? await prepareOpen(analysis, qnnFile, outDir, device, clockMhz)
      : await prepareVivado(analysis, qnnFile, outDir, device, clockMhz, opts);
  const inputHash = prepared.hash.digest('hex');

  const previous = readReport(files.buildReport);
  const reusable = previous?.ok && previous.input_hash === inputHash && (previous.bitstream === null || existsSync(previous.bitstream));
  const labels = { ...capacityLabels(fabricOf(device).family) };
  const estimated = estimatedResources(analysis);
  // The tools are not run again, but the estimate the report compares with is today's: it
  // is not an input of the build (a recalibrated cost model changes it, the RTL stays), and
  // labels are served to a report written before they were added.
  if (!opts.force && previous && reusable) {
    const report: BuildReport = { ...previous, resources: { ...previous.resources, estimated, labels }, cached: false };
    writeFileSync(files.buildReport, `${JSON.stringify(report, null, 2)}\n`);
    return { ...report, cached: true };
  }

  // progress.json follows the phases, for a caller that only sees the files (the editor).
  const progress: BuildProgress = { phase: null, phase_started: null, phases: prepared.phases, done: [] };
  const writeProgress = (): void => writeFileSync(files.buildProgress, `${JSON.stringify(progress)}\n`);
  writeProgress();
  const r = await prepared.run({
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    onLine: opts.onLine,
    onPhase: (phase, seconds) => {
      if (seconds === null) Object.assign(progress, { phase, phase_started: Date.now() });
      else progress.done.push({ name: phase, seconds: round(seconds, 2) });
      writeProgress();
      opts.onPhase?.(phase, seconds);
    },
  });
  Object.assign(progress, { phase: null, phase_started: null });
  writeProgress();

  const report: BuildReport = {
    network: net.name,
    flow,
    device: device.name,
    board: target.board ?? null,
    top: prepared.top,
    ok: r.ok,
    bitstream: r.bitstream,
    fmax_mhz: r.fmaxMhz,
    clock_mhz: prepared.clockMhz,
    clock_met: r.fmaxMhz === null ? null : r.fmaxMhz >= prepared.clockMhz,
    resources: {
      used: r.used,
      estimated,
      available: { lut: device.lut, ff: device.ff, bram18: device.bram18, dsp: device.dsp },
      labels,
    },
    timing: { wns_ns: r.wnsNs, tns_ns: r.tnsNs, critical_path: r.criticalPath },
    phases: r.phases.map((p) => ({ name: p.name, seconds: round(p.seconds, 2) })),
    failed_phase: r.failedPhase,
    first_error: r.firstError,
    cancelled: r.cancelled,
    log: r.log,
    input_hash: inputHash,
    cached: false,
  };
  writeFileSync(files.buildReport, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** What a flow's run gives the report. */
interface FlowOutcome {
  ok: boolean;
  cancelled: boolean;
  phases: { name: string; seconds: number }[];
  failedPhase: string | null;
  firstError: string | null;
  log: string;
  bitstream: string | null;
  fmaxMhz: number | null;
  wnsNs: number | null;
  tnsNs: number | null;
  criticalPath: BuildPathStep[];
  used: BuildResources | null;
}

interface FlowRunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  onPhase: (phase: string, seconds: number | null) => void;
}

/** A flow ready to run: its top, its clock, the hash of everything it reads, and the run. */
interface PreparedFlow {
  top: string;
  /** The phases the run goes through, in order (progress). */
  phases: readonly string[];
  clockMhz: number;
  hash: Hash;
  run: (o: FlowRunOptions) => Promise<FlowOutcome>;
}

function startHash(flow: BuildFlow, device: Device, board: string | undefined, clockMhz: number): Hash {
  return createHash('sha256').update(`qnn-build 2\0${flow}\0${device.name}\0${board ?? ''}\0${clockMhz}\0`);
}

/** A board's shell or block design carries one stream: `lanes N` is built without it, for now. */
function lanesOnBoard(board: string, lanes: number): string {
  return `board ${board} connects one input and one output stream, and lanes ${lanes} makes ${lanes} of each: remove \`board ${board}\` to build the ${lanes}-lane accelerator on its own (out of context), or remove \`lanes\` to build one lane for the board`;
}

/** The open iCE40 flow: the tools found, the design compiled and wrapped for its board. */
async function prepareOpen(analysis: Analysis, qnnFile: string, outDir: string, device: Device, clockMhz: number): Promise<PreparedFlow> {
  const target = analysis.network.target!;
  // Tools first: a missing one is reported before anything is written.
  const yosys = requireTool('yosys');
  const nextpnr = requireTool('nextpnr-ice40');
  const icepack = requireTool('icepack');

  const compiled = compileNetwork(analysis, outDir, path.basename(qnnFile));
  const bitDir = buildFiles(outDir).bitstreamFolder;
  mkdirSync(bitDir, { recursive: true });

  // The board's shell (UART, clock, pins) around the accelerator, or the bare accelerator.
  let shell: BoardShellFiles | null = null;
  try {
    if (target.board && (target.lanes ?? 1) > 1) throw new Error(lanesOnBoard(target.board, target.lanes!));
    shell = target.board
      ? boardShellFor(target.board, { net: analysis.network, plan: compiled.plan, clockMhz, device, outDir: bitDir })
      : null;
  } catch (e) {
    throw new BuildError(e instanceof Error ? e.message : String(e));
  }
  const rtlSources = parseFileList(readFileSync(path.join(compiled.rtlDir, FILE_LIST), 'utf8'));
  const design: OpenFlowDesign = {
    rtlDir: compiled.rtlDir,
    sources: [...rtlSources, ...(shell?.sources.map((s) => path.relative(compiled.rtlDir, s).split(path.sep).join('/')) ?? [])],
    top: shell?.top ?? compiled.top,
    device,
    clockMhz: shell?.clockMhz ?? clockMhz,
    pcf: shell?.pcf ? path.basename(shell.pcf) : null,
    preamble: shell?.yosysPreamble ?? [],
  };

  const h = startHash('open', device, target.board, design.clockMhz);
  h.update(yosysBuildScript(design, bitDir)).update(nextpnrArgs(design).join(' '));
  hashFolder(h, compiled.rtlDir);
  if (shell) for (const f of [...shell.sources, ...(shell.pcf ? [shell.pcf] : [])]) h.update(readFileSync(f));
  for (const id of await Promise.all([toolIdentity(yosys, '-V'), toolIdentity(nextpnr, '--version'), toolIdentity(icepack, null)]))
    h.update(`${id}\0`);

  const run = async (o: FlowRunOptions): Promise<FlowOutcome> => {
    const r = await runOpenFlow(design, bitDir, o);
    // The accelerator's clock in nextpnr's report: the clock net with a constraint that is
    // not one of the packer's constant nets (a ROM read port clocked by a constant shows up
    // as `$PACKER_GND_NET`).
    const clocks = (r.pnr?.clocks ?? []).filter((c) => !/\$PACKER_(GND|VCC)_NET/.test(c.name));
    const clock = clocks.length ? clocks.reduce((a, b) => (b.fmax_mhz < a.fmax_mhz ? b : a)) : null;
    const fmax = clock?.fmax_mhz ?? null;
    const critical =
      r.pnr?.critical_paths.find((p) => clock && p.from.includes(clock.name) && p.to.includes(clock.name)) ?? r.pnr?.critical_paths[0];
    const used: BuildResources | null = r.pnr
      ? { lut: r.pnr.lut, ff: r.stat?.ff ?? null, bram18: r.pnr.bram18, dsp: r.pnr.dsp }
      : r.stat
        ? { lut: r.stat.lut, ff: r.stat.ff, bram18: r.stat.bram18, dsp: r.stat.dsp }
        : null;
    return {
      ok: r.ok,
      cancelled: r.cancelled,
      phases: r.phases,
      failedPhase: r.failedPhase,
      firstError:
        r.firstError && !design.pcf && /\$sb_io'/.test(r.firstError) ? `${r.firstError}. ${ioHint(compiled.plan, device)}` : r.firstError,
      log: r.log,
      bitstream: r.bitstream,
      fmaxMhz: fmax,
      wnsNs: fmax === null ? null : round(1000 / design.clockMhz - 1000 / fmax),
      // nextpnr reports the worst path per clock, not a total.
      tnsNs: null,
      criticalPath: critical?.steps ?? [],
      used,
    };
  };
  return { top: design.top, phases: OPEN_PHASES, clockMhz: design.clockMhz, hash: h, run };
}

/**
 * The Vivado flow: the preflight (Vivado found, the part installed) before anything long,
 * then out-of-context synthesis and implementation with build.tcl. It writes reports and
 * checkpoints, not a bitstream (that needs a board's block design).
 */
async function prepareVivado(
  analysis: Analysis,
  qnnFile: string,
  outDir: string,
  device: Device,
  clockMhz: number,
  opts: BuildOptions,
): Promise<PreparedFlow> {
  const target = analysis.network.target!;
  let pre;
  let board: ZynqBoard | null = null;
  try {
    if (target.board && (target.lanes ?? 1) > 1) throw new BuildError(lanesOnBoard(target.board, target.lanes!));
    board = target.board ? zynqBoard(target.board, device) : null;
    pre = await vivadoPreflight(device.part, { signal: opts.signal });
  } catch (e) {
    if (e instanceof VivadoFlowError) throw new BuildError(e.message);
    throw e;
  }
  const compiled = compileNetwork(analysis, outDir, path.basename(qnnFile));
  const bitDir = buildFiles(outDir).bitstreamFolder;
  if (board) return prepareBlockDesign(analysis, compiled, bitDir, device, board, clockMhz, pre);
  const scripts = writeVivadoScripts({ rtlDir: compiled.rtlDir, top: compiled.top, device: device.name, clockMhz }, bitDir);
  const h = startHash('vivado', device, undefined, clockMhz);
  h.update(readFileSync(scripts.tcl)).update(readFileSync(scripts.xdc)).update(`${pre.vivado} ${pre.version}\0`);
  hashFolder(h, compiled.rtlDir);
  const run = async (o: FlowRunOptions): Promise<FlowOutcome> =>
    vivadoOutcome(await runVivadoBuild(scripts.tcl, { vivado: pre.vivado, outDir: bitDir, ...o }), null, clockMhz);
  return { top: compiled.top, phases: VIVADO_PHASES, clockMhz, hash: h, run };
}

/**
 * A Vivado run as the report gives it: Fmax is the timing report parser's own per clock
 * (1000 / (period − WNS), the slowest clock); a summary without a clock table falls back to
 * the design WNS against the target clock's period.
 */
function vivadoOutcome(r: VivadoRunResult, bitstream: string | null, clockMhz: number): FlowOutcome {
  const t = r.timing;
  const fmaxes = (t?.clocks ?? []).map((c) => c.fmax_mhz).filter((f): f is number => f !== null);
  if (fmaxes.length === 0 && t?.wns_ns != null) fmaxes.push(1000 / (1000 / clockMhz - t.wns_ns));
  const cp = t?.critical_path;
  const u = r.utilization;
  return {
    ok: r.ok,
    cancelled: r.cancelled,
    phases: r.phases,
    failedPhase: r.failedPhase,
    firstError: r.firstError,
    log: r.logFile,
    bitstream,
    fmaxMhz: fmaxes.length ? round(Math.min(...fmaxes)) : null,
    wnsNs: t?.wns_ns ?? null,
    tnsNs: t?.tns_ns ?? null,
    criticalPath: cp
      ? [
          {
            type: `${cp.logic_levels ?? '?'} logic levels (${cp.logic_cells ?? ''})`,
            delay_ns: cp.data_path_delay_ns ?? 0,
            from: cp.source,
            to: cp.destination,
            net: null,
          },
        ]
      : [],
    used: u ? { lut: u.lut, ff: u.ff, bram18: u.bram18, dsp: u.dsp } : null,
  };
}

/** Frames `qnn build` writes beside a board's driver: input.npy and the golden model's expected.npy. */
const DRIVER_FRAMES = 4;

function encodingOf(t: QType): StreamLayout['encoding'] {
  if (t.kind === 'bipolar') return 'bipolar';
  if (t.kind === 'uint') return 'uint';
  if (t.kind === 'int') return 'int';
  throw new BuildError(`a ${t.kind} stream cannot cross the DMA`);
}

/**
 * A Zynq board: the block design (processing system, AXI DMA, the accelerator behind its
 * DMA-width wrapper) to a bitstream and .hwh, with the PYNQ driver and a few frames and
 * their golden answers to check the board with.
 */
function prepareBlockDesign(
  analysis: Analysis,
  compiled: CompileResult,
  bitDir: string,
  device: Device,
  board: ZynqBoard,
  clockMhz: number,
  pre: { vivado: string; version: string },
): PreparedFlow {
  const net = analysis.network;
  const plan = compiled.plan;
  mkdirSync(bitDir, { recursive: true });
  let wrapper: string;
  let tcl: string;
  const { sources, memFiles } = rtlSources(compiled.rtlDir);
  try {
    wrapper = dmaWrapperVerilog({ accelTop: plan.top, inWidth: streamWidth(plan.input), outWidth: streamWidth(plan.output) });
    tcl = blockDesignTcl(
      {
        board,
        part: device.part,
        clockMhz,
        rtlDir: compiled.rtlDir,
        sources,
        memFiles,
        inWidth: streamWidth(plan.input),
        outWidth: streamWidth(plan.output),
      },
      bitDir,
    );
  } catch (e) {
    if (e instanceof VivadoFlowError) throw new BuildError(e.message);
    throw e;
  }
  writeFileSync(path.join(bitDir, BD_OUTPUTS.wrapper), wrapper);
  const tclFile = path.join(bitDir, BD_OUTPUTS.tcl);
  writeFileSync(tclFile, tcl);
  const layout = uartFrameLayout(net, plan);
  const outLayer = net.layers.find((l) => l.name === net.output)!;
  writeFileSync(
    path.join(bitDir, BD_OUTPUTS.driver),
    pynqDriver({
      network: net.name,
      board: board.name,
      input: {
        elems: plan.input.elems,
        bits: plan.input.elemBits,
        encoding: encodingOf(net.input!.type),
        wordBytes: dmaWidth(streamWidth(plan.input)) / 8,
      },
      output: {
        elems: plan.output.elems,
        bits: plan.output.elemBits,
        encoding: encodingOf(outLayer.outType),
        wordBytes: dmaWidth(streamWidth(plan.output)) / 8,
      },
      inWordsPerFrame: layout.inWordsPerFrame,
      outWordsPerFrame: layout.outWordsPerFrame,
      inShape: net.input!.shape,
      outShape: outLayer.outShape,
    }),
  );
  // Frames to check the board with: seeded random inputs and the golden model's answers.
  const frames = randomFrames(net, DRIVER_FRAMES, 1);
  const inData = frames.flatMap((f) => [...f]);
  const outData = frames.flatMap((f) => [...runNetwork(net, f).output]);
  writeFileSync(path.join(bitDir, 'input.npy'), writeNpy({ shape: [DRIVER_FRAMES, ...net.input!.shape], dtype: 'int32', data: inData }));
  writeFileSync(
    path.join(bitDir, 'expected.npy'),
    writeNpy({ shape: [DRIVER_FRAMES, ...outLayer.outShape], dtype: 'int32', data: outData }),
  );

  const h = startHash('vivado', device, board.name, clockMhz);
  h.update(tcl).update(wrapper).update(`${pre.vivado} ${pre.version}\0`);
  hashFolder(h, compiled.rtlDir);
  const run = async (o: FlowRunOptions): Promise<FlowOutcome> => {
    const r = await runVivadoBuild(tclFile, { vivado: pre.vivado, outDir: bitDir, phases: VIVADO_BD_PHASES, ...o });
    const bit = path.join(bitDir, BD_OUTPUTS.bitstream);
    return vivadoOutcome(r, r.ok && existsSync(bit) ? bit : null, clockMhz);
  };
  return { top: 'qnn_wrapper', phases: VIVADO_BD_PHASES, clockMhz, hash: h, run };
}
