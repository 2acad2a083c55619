/**
 * Writes the generated SystemVerilog: one wrapper module per engine (so the VCD has one
 * scope per engine, named after its .qnn layer) and the top level that chains them with
 * FIFOs and width converters (hardware.md §1). The engines themselves are the
 * parameterised templates in hw-templates/; this file only instantiates them.
 */
import { isMvau } from '../model/engines.js';
import { typeBits, typeMax, typeMin, signedBitsFor } from '../model/qtype.js';
import type { Engine, MvauLayer, PoolLayer, ThresholdParams } from '../model/types.js';
import { kindCode, requantShiftBits, thresholdBits, thresholdCount } from './mem.js';
import { fifoReason, streamWidth, type HardwarePlan, type PlanBlock, type StreamSpec } from './plan.js';
import { product } from '../model/shape.js';

/** Files of one engine's ROMs, relative to the rtl folder (simulators and synthesis run there). */
export function memFileNames(e: Engine): { weights?: string; act?: string } {
  const hasWeights = isMvau(e.layer);
  return {
    ...(hasWeights ? { weights: `${e.name}_weights.mem` } : {}),
    ...(e.activation ? { act: `${e.name}_act.mem` } : {}),
  };
}

/** Bits of one threshold for an engine's activation ROM (the compared value's range). */
export function engineThresholdBits(e: Engine): number {
  const act = e.activation as ThresholdParams;
  if (isMvau(e.layer)) return thresholdBits(act, e.layer.acc.min, e.layer.acc.max, e.layer.acc.bits);
  const t = e.inType;
  return thresholdBits(act, typeMin(t), typeMax(t), signedBitsFor(typeMin(t), typeMax(t)));
}

/** Range of the value an engine's activation compares (for clipping thresholds). */
export function activationInputRange(e: Engine): { min: number; max: number } {
  if (isMvau(e.layer)) return { min: e.layer.acc.min, max: e.layer.acc.max };
  return { min: typeMin(e.inType), max: typeMax(e.inType) };
}

type Params = [string, number | string][];

function paramList(ps: Params, indent: string): string {
  return ps.map(([k, v]) => `${indent}.${k}(${typeof v === 'string' ? JSON.stringify(v) : v})`).join(',\n');
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

function instance(module: string, params: Params, name: string, inS: string, outS: string, indent = '  '): string {
  return `${indent}${module} #(\n${paramList(params, indent + '  ')}\n${indent}) ${name} (\n${streamPorts(inS, outS, indent + '  ')}\n${indent});\n`;
}

function mvauParams(e: Engine, l: MvauLayer): Params {
  const files = memFileNames(e);
  const act = e.activation;
  const ps: Params = [
    ['MW', l.mw],
    ['MH', l.mh],
    ['PE', l.pe],
    ['SIMD', l.simd],
    ['IN_BITS', typeBits(l.inType)],
    ['IN_KIND', kindCode(l.inType)],
    ['W_BITS', typeBits(l.weights.type)],
    ['W_KIND', kindCode(l.weights.type)],
    ['ACC_BITS', act?.kind === 'threshold' ? engineThresholdBits(e) : l.acc.bits],
    ['PIXELS', l.pixels],
    ['ACT', act ? (act.kind === 'requant' ? 1 : 2) : 0],
    ['OUT_BITS', typeBits(e.outType)],
    ['OUT_KIND', kindCode(e.outType)],
  ];
  if (act?.kind === 'requant') ps.push(['MBITS', act.mbits], ['SHIFT_BITS', requantShiftBits(act)], ['ZERO', act.zero]);
  if (act?.kind === 'threshold') ps.push(['N_THRESH', thresholdCount(act)]);
  ps.push(['WEIGHT_FILE', files.weights!]);
  if (files.act) ps.push(['ACT_FILE', files.act]);
  return ps;
}

function windowParams(l: MvauLayer, inElems: number): Params {
  const nd = l.kernel.length;
  return [
    ['DIMS', nd],
    ['IN_H', nd === 2 ? l.inShape[0] : 1],
    ['IN_W', nd === 2 ? l.inShape[1] : l.inShape[0]],
    ['CH', l.inShape[nd]],
    ['K', l.kernel[0]],
    ['STRIDE', l.stride[0]],
    ['PAD', l.pad[0][0]],
    ['BITS', typeBits(l.inType)],
    ['IN_ELEMS', inElems],
    ['SIMD', l.simd],
  ];
}

function poolParams(e: Engine, l: PoolLayer): Params {
  const nd = l.kernel.length;
  return [
    ['DIMS', nd],
    ['IN_H', nd === 2 ? l.inShape[0] : 1],
    ['IN_W', nd === 2 ? l.inShape[1] : l.inShape[0]],
    ['CH', l.inShape[nd]],
    ['K', l.kernel[0]],
    ['STRIDE', l.stride[0]],
    ['BITS', typeBits(l.inType)],
    ['KIND', kindCode(l.inType)],
    ['PE', e.pe],
  ];
}

function activationParams(e: Engine): Params {
  const act = e.activation!;
  const ch = e.inShape[e.inShape.length - 1];
  const ps: Params = [
    ['PE', e.pe],
    ['CH', ch],
    ['ELEMS_PER_FRAME', product(e.inShape)],
    ['IN_BITS', typeBits(e.inType)],
    ['IN_KIND', kindCode(e.inType)],
    ['OUT_BITS', typeBits(e.outType)],
    ['OUT_KIND', kindCode(e.outType)],
  ];
  if (act.kind === 'requant') ps.push(['MBITS', act.mbits], ['SHIFT_BITS', requantShiftBits(act)], ['ZERO', act.zero]);
  else ps.push(['N_THRESH', thresholdCount(act)], ['T_BITS', engineThresholdBits(e)]);
  ps.push(['ACT_FILE', memFileNames(e).act!]);
  return ps;
}

function wires(s: StreamSpec, indent = '  '): string {
  return `${indent}logic [${streamWidth(s) - 1}:0] ${s.name}_tdata;\n${indent}logic ${s.name}_tvalid, ${s.name}_tready, ${s.name}_tlast;\n`;
}

/** The wrapper module of one engine: its scope in the VCD is the layer's name. */
function engineModule(plan: HardwarePlan, b: Extract<PlanBlock, { kind: 'engine' }>): string {
  const e = b.engine;
  const l = e.layer;
  const mod = `${plan.network}_${b.instance}`;
  const header = `// Engine '${e.name}': ${e.layers.join(' + ')} (${e.kind}${e.layers.length > 1 ? ', activation fused' : ''})\nmodule ${mod} (\n  input  logic clk,\n  input  logic rst_n,\n  input  logic [${streamWidth(b.in) - 1}:0] s_axis_tdata,\n  input  logic s_axis_tvalid,\n  output logic s_axis_tready,\n  output logic [${streamWidth(b.out) - 1}:0] m_axis_tdata,\n  output logic m_axis_tvalid,\n  input  logic m_axis_tready,\n  output logic m_axis_tlast\n);\n`;
  let body = '';
  if (isMvau(l) && l.op !== 'dense') {
    const win: StreamSpec = { name: 'window', elems: l.simd, elemBits: typeBits(l.inType) };
    body += wires(win);
    body += `  // Unused: the window generator counts its own frames.\n  logic window_tlast_unused;\n  assign window_tlast_unused = window_tlast;\n`;
    body += instance('qnn_window', windowParams(l, b.in.elems), 'window', 's_axis', 'window');
    body += instance('qnn_mvau', mvauParams(e, l), 'mvau', 'window', 'm_axis');
  } else if (isMvau(l)) {
    body += instance('qnn_mvau', mvauParams(e, l), 'mvau', 's_axis', 'm_axis');
  } else if (l.op === 'maxpool') {
    body += instance('qnn_maxpool', poolParams(e, l as PoolLayer), 'pool', 's_axis', 'm_axis');
  } else {
    body += instance(e.kind === 'requant' ? 'qnn_requant' : 'qnn_threshold', activationParams(e), e.kind, 's_axis', 'm_axis');
  }
  return `${header}${body}endmodule\n`;
}

/** The engines a plan uses (template files to copy). */
export function templatesUsed(plan: HardwarePlan): string[] {
  const mods = new Set<string>();
  for (const b of plan.blocks) {
    if (b.kind === 'fifo') mods.add('qnn_fifo');
    else if (b.kind === 'dwc') mods.add('qnn_dwc');
    else {
      const l = b.engine.layer;
      if (isMvau(l)) {
        mods.add('qnn_mvau');
        if (l.op !== 'dense') mods.add('qnn_window');
      } else if (l.op === 'maxpool') mods.add('qnn_maxpool');
      else mods.add(b.engine.kind === 'requant' ? 'qnn_requant' : 'qnn_threshold');
    }
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
      out += `  // ${fifoReason(b)}\n`;
      out += `  qnn_fifo #(\n    .WIDTH(${streamWidth(b.in)}),\n    .DEPTH(${b.depth})\n  ) ${b.instance} (\n${streamPorts(inS, outS, '    ', true)}\n  );\n`;
    } else {
      out += instance(
        'qnn_dwc',
        [
          ['IN_ELEMS', b.in.elems],
          ['OUT_ELEMS', b.out.elems],
          ['BITS', b.in.elemBits],
          ['FRAME_ELEMS', b.frameElems],
        ],
        b.instance,
        inS,
        outS,
      );
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
