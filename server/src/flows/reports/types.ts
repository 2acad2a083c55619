/**
 * What `qnn report` reads out of a tool's report or log: one shape per kind of file.
 * Field names are snake_case, as in report.json. A number the file does not give is
 * `null`, never a guess.
 */

/** A report or log qnn could not read; the message says what it accepts. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Resources in the units of the device database: LUTs, flip-flops, BRAM18 (a RAMB36 is 2), DSP slices, UltraRAM. */
export interface ReportResources {
  lut: number | null;
  ff: number | null;
  bram18: number | null;
  dsp: number | null;
  uram: number | null;
}

/** One row of `report_utilization -hierarchical`. */
export interface UtilizationInstance extends ReportResources {
  /** Cell name as printed (`(top)` style rows are the parent's own logic). */
  instance: string;
  module: string;
  /** Depth in the hierarchy: 0 for the top. */
  depth: number;
  /** Instance path from the top, joined by `/`. */
  path: string;
}

export interface VivadoUtilization extends ReportResources {
  kind: 'vivado-utilization';
  /** The `Device` of the report header as Vivado writes it (7-series parts without `xc`). */
  device: string | null;
  design: string | null;
  tool_version: string | null;
  /** `Design State` (Synthesized, Fully Placed, Routed); null when the header has none. */
  design_state: string | null;
  hierarchical: boolean;
  /** Capacities from the Available column (flat reports only). */
  available: ReportResources | null;
  instances?: UtilizationInstance[];
}

export interface TimingClock {
  name: string;
  period_ns: number | null;
  frequency_mhz: number | null;
  /** Intra-clock figures (null where the clock has no such paths). */
  wns_ns: number | null;
  tns_ns: number | null;
  whs_ns: number | null;
  ths_ns: number | null;
  /** 1000 / (period − WNS): the clock this domain's setup paths would meet; null without setup paths. */
  fmax_mhz: number | null;
}

export interface TimingPath {
  slack_ns: number;
  source: string;
  destination: string;
  from_clock: string | null;
  to_clock: string | null;
  path_group: string | null;
  requirement_ns: number | null;
  data_path_delay_ns: number | null;
  logic_ns: number | null;
  route_ns: number | null;
  logic_levels: number | null;
  /** The cells on the path by type, as Vivado lists them (e.g. `CARRY4=3 LUT2=1`). */
  logic_cells: string | null;
}

export interface VivadoTiming {
  kind: 'vivado-timing';
  device: string | null;
  design: string | null;
  tool_version: string | null;
  design_state: string | null;
  /** False when the design has no user timing constraints (no clocks): then `met` is null. */
  constrained: boolean;
  /** Setup, hold and pulse width all met; null for an unconstrained design. */
  met: boolean | null;
  /** The report's own verdict line, as written. */
  status: string | null;
  wns_ns: number | null;
  tns_ns: number | null;
  whs_ns: number | null;
  ths_ns: number | null;
  wpws_ns: number | null;
  setup_failing_endpoints: number | null;
  hold_failing_endpoints: number | null;
  pulse_width_failing_endpoints: number | null;
  /** Which checks fail: `setup`, `hold`, `pulse-width`. */
  failures: ('setup' | 'hold' | 'pulse-width')[];
  clocks: TimingClock[];
  /** The worst setup path of the Timing Details (null when the report lists none). */
  critical_path: TimingPath | null;
}

export interface LogMessage {
  /** 1-based line in the log. */
  line: number;
  /** Vivado's message id, e.g. `Synth 8-1031`; null for messages without one. */
  id: string | null;
  message: string;
  /** Source file and line the message points at, when it ends in `[file:line]`. */
  file: string | null;
  file_line: number | null;
}

export interface LogCommand {
  /** The Tcl command (synth_design, place_design, route_design, ...). */
  name: string;
  line: number;
  elapsed_s: number;
  peak_memory_mb: number | null;
}

export interface VivadoLog {
  kind: 'vivado-log';
  tool_version: string | null;
  command_line: string | null;
  /**
   * How the run ended: `normally` (Vivado exited, no error), `errors` (it exited after
   * errors), `out-of-memory` (killed or failed for memory), `incomplete` (the log stops
   * before Vivado exits: still running, or killed without a word).
   */
  ended: 'normally' | 'errors' | 'out-of-memory' | 'incomplete';
  errors: LogMessage[];
  critical_warnings: LogMessage[];
  warnings: number;
  /** The line that shows the run died for memory, and why we think so. */
  out_of_memory: { line: number; text: string; reason: string } | null;
  commands: LogCommand[];
  /** Largest `Memory (MB): peak` in the log. */
  peak_memory_mb: number | null;
}

export interface YosysStat extends ReportResources {
  kind: 'yosys-stat';
  /** `text` (the log's statistics, or `tee -o`) or `json` (`stat -json`). */
  format: 'text' | 'json';
  /** The module the counts are for: the design hierarchy's top, or the only module. */
  top: string | null;
  /** Whose primitives the cells are; null for a design not mapped to either. */
  family: 'xilinx' | 'ice40' | null;
  /** Cells by type for the whole design (the hierarchy's totals). */
  cells: Record<string, number>;
  num_cells: number | null;
  /** iCE40 only: 4-kbit EBRs (SB_RAM40_4K; the device database counts these as bram18) and SPRAMs. */
  ebr?: number;
  spram?: number;
  /** Cell types present that count towards none of lut/ff/bram18/dsp/uram (carry chains, muxes, I/O, clock buffers). */
  uncounted: string[];
  /** Cells by type per module, when the file lists several. */
  modules?: Record<string, Record<string, number>>;
  /** Why the totals are null, when they are. */
  note?: string;
}

export interface NextpnrClock {
  name: string;
  fmax_mhz: number;
  constraint_mhz: number | null;
  met: boolean | null;
}

export interface NextpnrPathStep {
  type: string;
  delay_ns: number;
  from: string;
  to: string;
  net: string | null;
}

export interface NextpnrPath {
  from: string;
  to: string;
  delay_ns: number;
  steps: NextpnrPathStep[];
}

export interface NextpnrReport extends ReportResources {
  kind: 'nextpnr-report';
  /** `ice40` when the utilisation names iCE40 BELs; null otherwise (then lut/ff/bram18/dsp are null). */
  arch: 'ice40' | null;
  clocks: NextpnrClock[];
  /** Every clock with a constraint reaches it; null when no clock has one. */
  met: boolean | null;
  utilization: Record<string, { used: number; available: number }>;
  available: ReportResources | null;
  critical_paths: NextpnrPath[];
}

export type ToolReport = VivadoUtilization | VivadoTiming | VivadoLog | YosysStat | NextpnrReport;
export type ReportKind = ToolReport['kind'];
