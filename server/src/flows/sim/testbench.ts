/**
 * The stream testbench: one SystemVerilog module that drives any DUT following
 * docs/engines-contract.md (clk, rst_n, s_axis_*, m_axis_* with tlast), with
 * the same cycle-by-cycle behaviour on Verilator and Icarus.
 *
 * Design choices:
 * - The testbench is a clocked module `qnn_sim_tb(input clk)` with no delays.
 *   Verilator runs it from a tiny C++ main (no `--timing`, fastest to build and
 *   run); Icarus wraps it in `qnn_sim_tb_icarus`, which toggles clk every 5 ns.
 * - Everything that does not change the hardware is a runtime plusarg (input and
 *   output files, word count, stall probabilities and seed, stall bound, VCD
 *   file), so one build serves any number of runs.
 * - Random stalls come from two xorshift32 generators inside the testbench
 *   (one for input valid, one for output ready), advanced once per clock edge:
 *   the same seed gives the same stall pattern on both simulators.
 * - While s_axis_tvalid is low, s_axis_tdata carries pseudo-random garbage, so
 *   a DUT that samples data without valid fails loudly.
 *
 * Output file format (one record per line, all numbers decimal except data):
 *   F <frame> <cycle>                        first input word of frame accepted
 *   O <hex data> <tlast> <cycle>             an output word accepted
 *   X <signal> <cycle> <nIn> <nOut>          control signal X/Z (Icarus), stopped
 *   S <side> <cycle> <lastProgressCycle> <nIn> <nOut>   stall detected, stopped
 *   D <cycles> <nIn> <nOut> <inputLeft>      finished normally
 * Cycle 0 is the first rising edge with rst_n high (after 4 reset cycles); a
 * word "accepted at cycle c" had valid && ready during the edge counted c.
 */

export const TB_MODULE = 'qnn_sim_tb';
export const TB_ICARUS_TOP = 'qnn_sim_tb_icarus';
/** Reset cycles (rst_n low) before cycle 0. */
export const TB_RESET_CYCLES = 4;
/** Bumped whenever the generated testbench or C++ main changes (part of the build-cache key). */
export const TB_VERSION = 4;

/** A DUT parameter override: numbers and bigints are written in decimal, strings quoted, `{ sv }` verbatim. */
export type ParamValue = number | bigint | boolean | string | { sv: string };

/** What the generated testbench (and so the build) depends on. */
export interface TestbenchConfig {
  /** DUT module name. */
  top: string;
  /** DUT parameter overrides (`#(.NAME(value))`). */
  params?: Readonly<Record<string, ParamValue>>;
  /** s_axis_tdata width in bits. */
  inWidth: number;
  /** m_axis_tdata width in bits. */
  outWidth: number;
  /** Whether the DUT has m_axis_tlast (default true; every engine does). */
  tlast?: boolean;
  /** Include $dumpfile/$dumpvars (driven by +qnn_vcd=FILE and +qnn_vcd_depth=N at runtime). */
  vcd?: boolean;
}

/** Runtime settings, passed as plusargs. */
export interface TestbenchRun {
  inputFile: string;
  outputFile: string;
  /** Output words to receive before finishing. */
  expected: number;
  /** Input words per frame (for frame start timestamps); 0 = the whole input is one frame. */
  inputWordsPerFrame?: number;
  /** Probability (0..1) that the testbench withholds s_axis_tvalid on a cycle where it could present a word. */
  inStall?: number;
  /** Probability (0..1) that m_axis_tready is low on a cycle. */
  outStall?: number;
  /** Seed of both stall generators (unsigned 32-bit). */
  seed?: number;
  /** Stop and report a stall after this many cycles with no handshake on either side. */
  stallCycles?: number;
  /** Cycles to keep running (ready high) after the expected words, to catch extra output words. */
  drainCycles?: number;
  /** Write a VCD here (the build must have been generated with `vcd: true`). */
  vcdFile?: string;
  /** Hierarchy levels dumped below the testbench (0 or absent: all). A network's engines sit 3 levels down. */
  vcdDepth?: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function svString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

/** SystemVerilog literal for a parameter value. */
export function paramLiteral(v: ParamValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return svString(v);
  if (typeof v === 'object') return v.sv;
  const big = typeof v === 'bigint' ? v : BigInt(v);
  if (typeof v === 'number' && !Number.isSafeInteger(v))
    throw new RangeError(`parameter value ${v} is not a safe integer: pass a bigint or { sv }`);
  const mag = big < 0n ? -big : big;
  if (mag < 2n ** 31n) return big.toString();
  // Wider than an unsized literal: size it (one spare bit for the sign).
  const bits = mag.toString(2).length + 1;
  return `${big < 0n ? '-' : ''}${bits}'sd${mag.toString()}`;
}

function checkConfig(c: TestbenchConfig): void {
  if (!IDENT.test(c.top)) throw new Error(`"${c.top}" is not a SystemVerilog module name`);
  if (c.top === TB_MODULE || c.top === TB_ICARUS_TOP) throw new Error(`the DUT cannot be called ${c.top}`);
  for (const w of [c.inWidth, c.outWidth])
    if (!Number.isInteger(w) || w < 1) throw new Error(`stream widths must be positive integers, not ${w}`);
  for (const k of Object.keys(c.params ?? {})) if (!IDENT.test(k)) throw new Error(`"${k}" is not a parameter name`);
}

/** The testbench module (SystemVerilog-2012, accepted by Verilator 5.006 and Icarus 11). */
export function generateTestbench(c: TestbenchConfig): string {
  checkConfig(c);
  const tlast = c.tlast ?? true;
  const params = Object.entries(c.params ?? {});
  const inst =
    params.length === 0
      ? `  ${c.top} dut (`
      : `  ${c.top} #(\n${params.map(([k, v]) => `    .${k}(${paramLiteral(v)})`).join(',\n')}\n  ) dut (`;
  const gw = Math.ceil(c.inWidth / 32);
  return `// Generated by qnn-fpga (server/src/flows/sim/testbench.ts, version ${TB_VERSION}). Do not edit.
// Stream testbench for ${c.top}: drives s_axis from +qnn_in=FILE (one hex word per line), writes
// every m_axis word to +qnn_out=FILE. Other plusargs: +qnn_expected=N +qnn_frame_words=N
// +qnn_p_in=0..65536 +qnn_p_out=0..65536 +qnn_seed=N +qnn_stall_cycles=N +qnn_drain=N +qnn_vcd=FILE +qnn_vcd_depth=N
module ${TB_MODULE} (
  input logic clk
);
  localparam int IN_W = ${c.inWidth};
  localparam int OUT_W = ${c.outWidth};
  localparam int GW = ${gw};

  // DUT ports
  logic rst_n = 1'b0;
  logic [IN_W-1:0] s_axis_tdata = '0;
  logic s_axis_tvalid = 1'b0;
  logic s_axis_tready;
  logic [OUT_W-1:0] m_axis_tdata;
  logic m_axis_tvalid;
  logic m_axis_tready = 1'b0;
  logic m_axis_tlast;
${tlast ? '' : "  assign m_axis_tlast = 1'b0;\n"}
${inst}
    .clk(clk),
    .rst_n(rst_n),
    .s_axis_tdata(s_axis_tdata),
    .s_axis_tvalid(s_axis_tvalid),
    .s_axis_tready(s_axis_tready),
    .m_axis_tdata(m_axis_tdata),
    .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)${tlast ? ',\n    .m_axis_tlast(m_axis_tlast)' : ''}
  );

  // Runtime settings
  string in_file;
  string out_file;
  string vcd_file;
  int unsigned vcd_depth;
  int unsigned expected;
  int unsigned frame_words;
  int unsigned p_in;
  int unsigned p_out;
  int unsigned seed;
  int unsigned stall_cycles;
  int unsigned drain;

  // Testbench state
  integer fin = 0;
  integer fout = 0;
  integer rc;
  logic [IN_W-1:0] head;  // next input word to present
  logic have_head = 1'b0;
  logic [31:0] rng_in;
  logic [31:0] rng_out;
  logic [GW*32-1:0] garbage;
  int unsigned reset_left = ${TB_RESET_CYCLES};
  int unsigned cycle = 0;
  int unsigned last_progress = 0;
  int unsigned n_in = 0;
  int unsigned n_out = 0;
  int unsigned n_frames = 0;
  int unsigned drain_left = 0;
  int unsigned done_cycle = 0;
  logic finishing = 1'b0;
  logic progress;
  logic next_rst_n;

  function automatic logic [31:0] xorshift32(input logic [31:0] x);
    logic [31:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 17);
    y = y ^ (y << 5);
    return y;
  endfunction

  initial begin
    if (!$value$plusargs("qnn_in=%s", in_file)) in_file = "input.hex";
    if (!$value$plusargs("qnn_out=%s", out_file)) out_file = "output.txt";
    if (!$value$plusargs("qnn_expected=%d", expected)) expected = 0;
    if (!$value$plusargs("qnn_frame_words=%d", frame_words)) frame_words = 0;
    if (!$value$plusargs("qnn_p_in=%d", p_in)) p_in = 0;
    if (!$value$plusargs("qnn_p_out=%d", p_out)) p_out = 0;
    if (!$value$plusargs("qnn_seed=%d", seed)) seed = 1;
    if (!$value$plusargs("qnn_stall_cycles=%d", stall_cycles)) stall_cycles = 20000;
    if (!$value$plusargs("qnn_drain=%d", drain)) drain = 16;
    fout = $fopen(out_file, "w");
    if (fout == 0) begin
      $display("qnn_sim_tb: ERROR: cannot open output file %s", out_file);
      $finish;
    end
    fin = $fopen(in_file, "r");
    if (fin == 0) begin
      $display("qnn_sim_tb: ERROR: cannot open input file %s", in_file);
      $finish;
    end
    rc = $fscanf(fin, "%h", head);
    have_head = (rc == 1);
    rng_in = seed ^ 32'h9E3779B9;
    if (rng_in == 32'h0) rng_in = 32'h1;
    rng_out = seed ^ 32'h7F4A7C15;
    if (rng_out == 32'h0) rng_out = 32'h1;
${
  c.vcd
    ? `    if ($value$plusargs("qnn_vcd=%s", vcd_file)) begin
      if (!$value$plusargs("qnn_vcd_depth=%d", vcd_depth)) vcd_depth = 0;
      $dumpfile(vcd_file);
      $dumpvars(vcd_depth, ${TB_MODULE});
    end
`
    : ''
}  end

  always @(posedge clk) begin
    rng_in = xorshift32(rng_in);
    rng_out = xorshift32(rng_out);
    garbage = {GW{rng_in ^ 32'hA5C3_5A3C}};
    if (rst_n) begin
      // Observe the handshakes of this edge.
      progress = 1'b0;
      if (s_axis_tvalid && s_axis_tready) begin
        if (n_in == 0 || (frame_words != 0 && n_in % frame_words == 0)) begin
          $fwrite(fout, "F %0d %0d\\n", n_frames, cycle);
          n_frames = n_frames + 1;
        end
        n_in = n_in + 1;
        if (fin != 0) begin
          rc = $fscanf(fin, "%h", head);
          have_head = (rc == 1);
        end
        progress = 1'b1;
      end
      if (m_axis_tvalid && m_axis_tready) begin
        $fwrite(fout, "O %h %0d %0d\\n", m_axis_tdata, m_axis_tlast, cycle);
        n_out = n_out + 1;
        progress = 1'b1;
      end
      if (progress) last_progress = cycle;
      if ($isunknown(s_axis_tready)) begin
        $fwrite(fout, "X s_axis_tready %0d %0d %0d\\n", cycle, n_in, n_out);
        $fclose(fout);
        $finish;
      end else if ($isunknown(m_axis_tvalid)) begin
        $fwrite(fout, "X m_axis_tvalid %0d %0d %0d\\n", cycle, n_in, n_out);
        $fclose(fout);
        $finish;
      end
      if (finishing) begin
        if (drain_left == 0) begin
          $fwrite(fout, "D %0d %0d %0d %0d\\n", done_cycle, n_in, n_out, have_head);
          $fclose(fout);
          $finish;
        end
        drain_left = drain_left - 1;
      end else if (n_out >= expected) begin
        finishing = 1'b1;
        done_cycle = n_out == 0 ? 0 : cycle + 1;
        drain_left = drain;
      end else if (cycle - last_progress >= stall_cycles) begin
        if (have_head && s_axis_tvalid && !s_axis_tready)
          $fwrite(fout, "S input %0d %0d %0d %0d\\n", cycle, last_progress, n_in, n_out);
        else if (!m_axis_tvalid && !have_head)
          $fwrite(fout, "S output %0d %0d %0d %0d\\n", cycle, last_progress, n_in, n_out);
        else if ((m_axis_tvalid && !m_axis_tready) || (have_head && !s_axis_tvalid))
          $fwrite(fout, "S testbench %0d %0d %0d %0d\\n", cycle, last_progress, n_in, n_out);
        else
          $fwrite(fout, "S output %0d %0d %0d %0d\\n", cycle, last_progress, n_in, n_out);
        $fclose(fout);
        $finish;
      end
      cycle = cycle + 1;
    end
    // Drive the next cycle.
    if (reset_left != 0) reset_left = reset_left - 1;
    next_rst_n = (reset_left == 0);
    rst_n <= next_rst_n;
    if (s_axis_tvalid && !(rst_n && s_axis_tready)) begin
      // A valid word stays until it is taken.
    end else if (next_rst_n && have_head && (rng_in & 32'hFFFF) >= p_in) begin
      s_axis_tvalid <= 1'b1;
      s_axis_tdata <= head;
    end else begin
      s_axis_tvalid <= 1'b0;
      s_axis_tdata <= garbage[IN_W-1:0];
    end
    m_axis_tready <= next_rst_n && (finishing || (rng_out & 32'hFFFF) >= p_out);
  end
endmodule
`;
}

/** Icarus top: a 100 MHz clock around the testbench. Compile it first (it sets the default timescale). */
export function generateIcarusTop(): string {
  return `// Generated by qnn-fpga. Do not edit.
\`timescale 1ns / 1ps
module ${TB_ICARUS_TOP};
  logic clk = 1'b0;
  always #5 clk = ~clk;
  ${TB_MODULE} tb (.clk(clk));
endmodule
`;
}

/** C++ main for the Verilator build: toggles clk (10 ns period) until $finish. */
export function generateVerilatorMain(): string {
  return `// Generated by qnn-fpga. Do not edit.
#include "V${TB_MODULE}.h"
#include "verilated.h"
#include <memory>

int main(int argc, char** argv) {
    const std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    ctx->commandArgs(argc, argv);
    ctx->traceEverOn(true);
    // 5 ns in units of the design's time precision.
    uint64_t half = 5;
    for (int p = ctx->timeprecision(); p < -9; ++p) half *= 10;
    const std::unique_ptr<V${TB_MODULE}> top{new V${TB_MODULE}{ctx.get()}};
    top->clk = 0;
    top->eval();
    while (!ctx->gotFinish()) {
        ctx->timeInc(half);
        top->clk = 1;
        top->eval();
        if (ctx->gotFinish()) break;
        ctx->timeInc(half);
        top->clk = 0;
        top->eval();
    }
    top->final();
    return 0;
}
`;
}

function prob16(p: number | undefined, what: string): number {
  const v = p ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${what} must be a probability from 0 to 1, not ${p}`);
  return Math.round(v * 65536);
}

function uint(v: number | undefined, dflt: number, what: string): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`${what} must be an unsigned 32-bit integer, not ${v}`);
  return x;
}

/** Plusargs for one run. */
export function testbenchPlusargs(r: TestbenchRun): string[] {
  const args = [
    `+qnn_in=${r.inputFile}`,
    `+qnn_out=${r.outputFile}`,
    `+qnn_expected=${uint(r.expected, 0, 'expected')}`,
    `+qnn_frame_words=${uint(r.inputWordsPerFrame, 0, 'inputWordsPerFrame')}`,
    `+qnn_p_in=${prob16(r.inStall, 'inStall')}`,
    `+qnn_p_out=${prob16(r.outStall, 'outStall')}`,
    `+qnn_seed=${uint(r.seed, 1, 'seed')}`,
    `+qnn_stall_cycles=${Math.max(1, uint(r.stallCycles, 20000, 'stallCycles'))}`,
    `+qnn_drain=${uint(r.drainCycles, 16, 'drainCycles')}`,
  ];
  if (r.vcdFile) args.push(`+qnn_vcd=${r.vcdFile}`, `+qnn_vcd_depth=${uint(r.vcdDepth, 0, 'vcdDepth')}`);
  return args;
}

export type StallSide = 'input' | 'output' | 'testbench';

export interface TestbenchOutput {
  outputs: bigint[];
  tlast: boolean[];
  /** Cycle each output word was accepted. */
  outCycles: number[];
  /** Indices of output words with X/Z bits (Icarus only; those bits read as 0). */
  unknownWords: number[];
  frameStarts: number[];
  /** Set when the run finished normally. */
  done?: { cycles: number; inputsAccepted: number; outputsReceived: number; inputLeft: boolean };
  stall?: { side: StallSide; cycle: number; lastProgressCycle: number; inputsAccepted: number; outputsReceived: number };
  unknownControl?: { signal: string; cycle: number; inputsAccepted: number; outputsReceived: number };
}

/** Parses the testbench's output file (see the format at the top of this file). */
export function parseTestbenchOutput(text: string): TestbenchOutput {
  const r: TestbenchOutput = { outputs: [], tlast: [], outCycles: [], unknownWords: [], frameStarts: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    switch (f[0]) {
      case 'O': {
        const hex = f[1] ?? '';
        if (/[xXzZ]/.test(hex) || /[xXzZ]/.test(f[2] ?? '')) r.unknownWords.push(r.outputs.length);
        r.outputs.push(BigInt('0x' + (hex.replace(/[xXzZ]/g, '0') || '0')));
        r.tlast.push(f[2] === '1');
        r.outCycles.push(Number(f[3]));
        break;
      }
      case 'F':
        r.frameStarts.push(Number(f[2]));
        break;
      case 'D':
        r.done = { cycles: Number(f[1]), inputsAccepted: Number(f[2]), outputsReceived: Number(f[3]), inputLeft: f[4] === '1' };
        break;
      case 'S':
        r.stall = {
          side: f[1] as StallSide,
          cycle: Number(f[2]),
          lastProgressCycle: Number(f[3]),
          inputsAccepted: Number(f[4]),
          outputsReceived: Number(f[5]),
        };
        break;
      case 'X':
        r.unknownControl = { signal: f[1] ?? '?', cycle: Number(f[2]), inputsAccepted: Number(f[3]), outputsReceived: Number(f[4]) };
        break;
      case '':
      case undefined:
        break;
      default:
        throw new Error(`unexpected line ${i + 1} in the testbench output: ${lines[i]}`);
    }
  }
  return r;
}
