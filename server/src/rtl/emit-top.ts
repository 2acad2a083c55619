/**
 * Writes the generated SystemVerilog: one wrapper module per engine (so the VCD has one
 * scope per engine, named after its .qnn layer) and the top level that chains them with
 * FIFOs and width converters (hardware.md §1). The engines themselves are the
 * parameterised templates in hw-templates/; this file only instantiates them.
 */
import { converterDescriptor } from '../engines/converter.js';
import type { TemplateParams } from '../engines/descriptor.js';
import { fifoDescriptor } from '../engines/fifo.js';
import { descriptorOf } from '../engines/registry.js';
import { streamWidth, type HardwarePlan, type PlanBlock, type StreamSpec } from './plan.js';

function paramList(ps: TemplateParams, indent: string): string {
  return ps.map(([k, v]) => `${indent}.${k}(${typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? v.sv : v})`).join(',\n');
}

/** Port connections of a stream block; only the FIFO takes an input tlast (it carries it along). */
function streamPorts(inS: string, outS: string, indent: string, tlastIn = false): string {
  return [
    `.clk(clk)`,
    `.rst_n(rst_n)`,
    `.s_axis_tdata(${inS}_tdata)`,
    `.s_axis_tvalid(${inS}_tvalid)`,
    `.s_axis_tready(${inS}_tready)`,
    ...(tlastIn ? [`.s_axis_tlast(${inS}_tlast)`] : []),
    `.m_axis_tdata(${outS}_tdata)`,
    `.m_axis_tvalid(${outS}_tvalid)`,
    `.m_axis_tready(${outS}_tready)`,
    `.m_axis_tlast(${outS}_tlast)`,
  ]
    .map((p) => indent + p)
    .join(',\n');
}

function instance(module: string, params: TemplateParams, name: string, inS: string, outS: string, indent = '  '): string {
  return `${indent}${module} #(\n${paramList(params, indent + '  ')}\n${indent}) ${name} (\n${streamPorts(inS, outS, indent + '  ')}\n${indent});\n`;
}

function wires(s: StreamSpec, indent = '  '): string {
  return `${indent}logic [${streamWidth(s) - 1}:0] ${s.name}_tdata;\n${indent}logic ${s.name}_tvalid, ${s.name}_tready, ${s.name}_tlast;\n`;
}

/** The wrapper module of one engine: its scope in the VCD is the layer's name. */
function engineModule(plan: HardwarePlan, b: Extract<PlanBlock, { kind: 'engine' }>): string {
  const e = b.engine;
  const mod = `${plan.network}_${b.instance}`;
  const header = `// Engine '${e.name}': ${e.layers.join(' + ')} (${e.kind}${e.layers.length > 1 ? ', activation fused' : ''})\nmodule ${mod} (\n  input  logic clk,\n  input  logic rst_n,\n  input  logic [${streamWidth(b.in) - 1}:0] s_axis_tdata,\n  input  logic s_axis_tvalid,\n  output logic s_axis_tready,\n  output logic [${streamWidth(b.out) - 1}:0] m_axis_tdata,\n  output logic m_axis_tvalid,\n  input  logic m_axis_tready,\n  output logic m_axis_tlast\n);\n`;
  let body = '';
  for (const t of descriptorOf(e).instances(e, plan.fabric)) {
    if (t.outWire) body += wires({ name: t.output, ...t.outWire });
    body += instance(t.module, t.params, t.name, t.input, t.output);
    if (t.outWire)
      body += `  // Unused: the next block counts its own frames.\n  logic ${t.output}_tlast_unused;\n  assign ${t.output}_tlast_unused = ${t.output}_tlast;\n`;
  }
  return `${header}${body}endmodule\n`;
}

/** The template modules a plan instantiates (files to copy; templates.ts adds their submodules). */
export function templatesUsed(plan: HardwarePlan): string[] {
  const mods = new Set<string>();
  for (const b of plan.blocks) {
    if (b.kind === 'fifo') mods.add(fifoDescriptor.module);
    else if (b.kind === 'dwc') mods.add(converterDescriptor.module);
    else for (const t of descriptorOf(b.engine).instances(b.engine, plan.fabric)) mods.add(t.module);
  }
  return [...mods].sort();
}

/** The wrapper modules, one file each (`<network>_<layer>.sv`), by file name. */
export function emitEngineWrappers(plan: HardwarePlan, header: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const b of plan.blocks)
    if (b.kind === 'engine') files.set(`${plan.network}_${b.instance}.sv`, `${header}\n\n${engineModule(plan, b)}`);
  return files;
}

export function emitTop(plan: HardwarePlan, header: string): string {
  let out = `${header}\n`;
  out += `\n// Top level: ${plan.blocks
    .filter((b) => b.kind === 'engine')
    .map((b) => b.instance)
    .join(' -> ')}\n`;
  out += `module ${plan.top} (\n  input  logic clk,\n  input  logic rst_n,\n`;
  out += `  input  logic [${streamWidth(plan.input) - 1}:0] s_axis_tdata,\n  input  logic s_axis_tvalid,\n  output logic s_axis_tready,\n`;
  out += `  output logic [${streamWidth(plan.output) - 1}:0] m_axis_tdata,\n  output logic m_axis_tvalid,\n  input  logic m_axis_tready,\n  output logic m_axis_tlast\n);\n`;
  // Internal streams (every block's output but the last).
  const last = plan.blocks[plan.blocks.length - 1];
  for (const b of plan.blocks) if (b !== last) out += wires(b.out);
  out += `  // The input stream has no tlast: every engine counts its own frames.\n`;
  for (const b of plan.blocks) {
    const inS = b.in.name;
    const outS = b === last ? 'm_axis' : b.out.name;
    out += '\n';
    if (b.kind === 'engine') {
      out += `  ${plan.network}_${b.instance} ${b.instance} (\n${streamPorts(inS, outS, '    ')}\n  );\n`;
    } else if (b.kind === 'fifo') {
      out += `  // ${b.fifo.reason}\n`;
      out += `  ${fifoDescriptor.module} #(\n${paramList(fifoDescriptor.params(streamWidth(b.in), b.depth), '    ')}\n  ) ${b.instance} (\n${streamPorts(inS, outS, '    ', true)}\n  );\n`;
    } else {
      out += instance(converterDescriptor.module, converterDescriptor.params(b.link), b.instance, inS, outS);
    }
  }
  // tlast of an internal stream is only consumed by a FIFO (it carries it along); engines
  // and converters count their own frames.
  const unused = plan.blocks.filter((b, i) => b !== last && plan.blocks[i + 1].kind !== 'fifo').map((b) => `${b.out.name}_tlast`);
  if (unused.length)
    out += `\n  // Engines count their frames; the internal tlast signals are visible in the waveform only.\n  logic unused_tlast;\n  assign unused_tlast = ^{${unused.join(', ')}};\n`;
  out += emitProbes(plan);
  out += 'endmodule\n';
  return out;
}

/**
 * Simulation only (`QNN_SIM`): the cycle each stream last moved and its valid/ready when
 * the run ends, so a stalled design is reported by the engine whose stream stopped.
 */
function emitProbes(plan: HardwarePlan): string {
  const last = plan.blocks[plan.blocks.length - 1];
  const streams: { sig: string; producer: string; consumer: string }[] = [
    { sig: 's_axis', producer: 'input', consumer: plan.blocks[0].instance },
  ];
  plan.blocks.forEach((b, i) => {
    streams.push({ sig: b === last ? 'm_axis' : b.out.name, producer: b.instance, consumer: plan.blocks[i + 1]?.instance ?? 'output' });
  });
  let out = '\n`ifdef QNN_SIM\n  // Simulation only: where each stream last moved, printed when the run ends.\n  longint qnn_cycle;\n';
  out += '  always_ff @(posedge clk) qnn_cycle <= rst_n ? qnn_cycle + 1 : 0;\n';
  for (const s of streams) {
    out += `  longint qnn_last_${s.sig};\n  always_ff @(posedge clk) if (!rst_n) qnn_last_${s.sig} <= -1; else if (${s.sig}_tvalid && ${s.sig}_tready) qnn_last_${s.sig} <= qnn_cycle;\n`;
  }
  out += '  final begin\n';
  for (const s of streams) {
    out += `    $display("QNN_STREAM ${s.sig} ${s.producer} ${s.consumer} %0d %0d %0d", qnn_last_${s.sig}, ${s.sig}_tvalid, ${s.sig}_tready);\n`;
  }
  out += '  end\n`endif\n';
  return out;
}

/**
 * `target …, lanes N`: N copies of the one-lane top side by side, sharing only the clock
 * and reset, with flattened ports: lane i's stream at [i·W +: W] of the data and bit i of
 * valid, ready and tlast.
 */
export function emitLanesTop(plan: HardwarePlan, lanes: number, header: string): string {
  const wi = streamWidth(plan.input);
  const wo = streamWidth(plan.output);
  const top = lanesTopName(plan);
  let out = `${header}\n\n// ${lanes} lanes of ${plan.top}, each on its own stream (lane i: data [i*W +: W], bit i of valid, ready, tlast).\n`;
  out += `module ${top} (\n  input  logic clk,\n  input  logic rst_n,\n`;
  out += `  input  logic [${lanes * wi - 1}:0] s_axis_tdata,\n  input  logic [${lanes - 1}:0] s_axis_tvalid,\n  output logic [${lanes - 1}:0] s_axis_tready,\n`;
  out += `  output logic [${lanes * wo - 1}:0] m_axis_tdata,\n  output logic [${lanes - 1}:0] m_axis_tvalid,\n  input  logic [${lanes - 1}:0] m_axis_tready,\n  output logic [${lanes - 1}:0] m_axis_tlast\n);\n`;
  for (let i = 0; i < lanes; i++) {
    out += `\n  ${plan.top} lane${i} (\n`;
    out += [
      `.clk(clk)`,
      `.rst_n(rst_n)`,
      `.s_axis_tdata(s_axis_tdata[${i * wi} +: ${wi}])`,
      `.s_axis_tvalid(s_axis_tvalid[${i}])`,
      `.s_axis_tready(s_axis_tready[${i}])`,
      `.m_axis_tdata(m_axis_tdata[${i * wo} +: ${wo}])`,
      `.m_axis_tvalid(m_axis_tvalid[${i}])`,
      `.m_axis_tready(m_axis_tready[${i}])`,
      `.m_axis_tlast(m_axis_tlast[${i}])`,
    ]
      .map((x) => `    ${x}`)
      .join(',\n');
    out += '\n  );\n';
  }
  return `${out}endmodule\n`;
}

export function lanesTopName(plan: HardwarePlan): string {
  return `${plan.network}_lanes`;
}

/**
 * Simulation only: the lanes top behind one stream, so the stream testbench and the golden
 * comparison apply unchanged. Frame f goes to lane f mod N and its output is passed on in
 * frame order; each lane has its own random valid gaps and ready stalls (xorshift32 per
 * lane, on when the testbench's +qnn_p_in / +qnn_p_out are), so the lanes run concurrently
 * with different stalls and every lane's every output word is compared.
 */
export function emitLanesHarness(plan: HardwarePlan, lanes: number, inWordsPerFrame: number, outWordsPerFrame: number): string {
  const wi = streamWidth(plan.input);
  const wo = streamWidth(plan.output);
  const lw = Math.max(1, Math.ceil(Math.log2(lanes)));
  return `// Generated by qnn-fpga (server/src/rtl/emit-top.ts). Simulation only: ${lanes} lanes of ${plan.top} behind one stream.
module ${lanesHarnessName(plan)} (
  input  logic clk,
  input  logic rst_n,
  input  logic [${wi - 1}:0] s_axis_tdata,
  input  logic s_axis_tvalid,
  output logic s_axis_tready,
  output logic [${wo - 1}:0] m_axis_tdata,
  output logic m_axis_tvalid,
  input  logic m_axis_tready,
  output logic m_axis_tlast
);
  localparam int N = ${lanes};
  localparam int IN_WORDS = ${inWordsPerFrame};
  localparam int OUT_WORDS = ${outWordsPerFrame};
  logic [N*${wi}-1:0] lane_s_data;
  logic [N-1:0] lane_s_valid, lane_s_ready, lane_m_valid, lane_m_ready, lane_m_last;
  logic [N*${wo}-1:0] lane_m_data;
  ${lanesTopName(plan)} lanes (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(lane_s_data), .s_axis_tvalid(lane_s_valid), .s_axis_tready(lane_s_ready),
    .m_axis_tdata(lane_m_data), .m_axis_tvalid(lane_m_valid), .m_axis_tready(lane_m_ready), .m_axis_tlast(lane_m_last)
  );

  // Per-lane stall generators (off unless the testbench stalls).
  int unsigned p_in, p_out;
  logic stalls;
  initial begin
    if (!$value$plusargs("qnn_p_in=%d", p_in)) p_in = 0;
    if (!$value$plusargs("qnn_p_out=%d", p_out)) p_out = 0;
    stalls = (p_in != 0) || (p_out != 0);
  end
  function automatic logic [31:0] xorshift32(input logic [31:0] x);
    logic [31:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 17);
    return y ^ (y << 5);
  endfunction
  logic [N-1:0] gate_in, gate_out;
  for (genvar i = 0; i < N; i++) begin : g_lane
    logic [31:0] rng;
    always_ff @(posedge clk) rng <= rst_n ? xorshift32(rng) : 32'h2545F491 ^ (32'(i + 1) * 32'h9E3779B9);
    assign gate_in[i] = !stalls || rng[1:0] != 2'b00;
    assign gate_out[i] = !stalls || rng[3:2] != 2'b00;
    assign lane_s_data[i*${wi} +: ${wi}] = s_axis_tdata;
  end

  // Input: frame f to lane f mod N.
  logic [${lw - 1}:0] in_lane, out_lane;
  int unsigned in_word, out_word;
  always_comb begin
    lane_s_valid = '0;
    lane_s_valid[in_lane] = s_axis_tvalid && gate_in[in_lane];
  end
  assign s_axis_tready = lane_s_ready[in_lane] && gate_in[in_lane];
  // Output: frame by frame, from the lane that computed it.
  always_comb begin
    lane_m_ready = '0;
    lane_m_ready[out_lane] = m_axis_tready && gate_out[out_lane];
  end
  assign m_axis_tvalid = lane_m_valid[out_lane] && gate_out[out_lane];
  assign m_axis_tdata = lane_m_data[out_lane*${wo} +: ${wo}];
  assign m_axis_tlast = lane_m_last[out_lane];
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      in_lane <= '0;
      out_lane <= '0;
      in_word <= 0;
      out_word <= 0;
    end else begin
      if (s_axis_tvalid && s_axis_tready) begin
        in_word <= (in_word == IN_WORDS - 1) ? 0 : in_word + 1;
        if (in_word == IN_WORDS - 1) in_lane <= (in_lane == ${lw}'(N - 1)) ? '0 : in_lane + 1'b1;
      end
      if (m_axis_tvalid && m_axis_tready) begin
        out_word <= (out_word == OUT_WORDS - 1) ? 0 : out_word + 1;
        if (out_word == OUT_WORDS - 1) out_lane <= (out_lane == ${lw}'(N - 1)) ? '0 : out_lane + 1'b1;
      end
    end
  end
endmodule
`;
}

export function lanesHarnessName(plan: HardwarePlan): string {
  return `${plan.network}_lanes_sim`;
}
