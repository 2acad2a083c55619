/**
 * Hover texts (language.md §7) as Markdown, built from the model and the estimate of the
 * one cached analysis: nothing here computes a number the estimate has.
 */
import type { DeviceFamily, Estimate, LayerEstimate, ResourceMaybe } from '../protocol/estimate.js';
import { percentText, RESOURCE_LABELS } from '../cost/utilisation.js';
import { findDevice } from '../device/devices.js';
import { chainBreak, isMvau } from '../model/engines.js';
import { foldValueText } from '../model/illegal-fold.js';
import { formatSI } from '../model/numbers.js';
import { ENGINE_LABELS, OPERATORS } from '../model/operators.js';
import { typeMax, typeMin, typeName, typeValues } from '../model/qtype.js';
import { fixedPointScale } from '../model/requant.js';
import { shapeText } from '../model/weights.js';
import type { InputModel, LayerModel, Network, QType, RequantParams, ThresholdParams, Weights } from '../model/types.js';

const MEM_WHERE: Record<string, string> = {
  lutram: 'LUTRAM',
  bram: 'block RAM',
  logic: 'logic (hard-wired or LUT ROM)',
  none: 'no memory',
};

/** 12345 → "12,345"; fractions keep 2 decimals (4 below 10). */
export function num(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 10 ? 4 : 2 });
}

/** 2.77e10, 'op/s' → "27.7 Gop/s". */
export function si(v: number, unit: string): string {
  const f = formatSI(v);
  const m = /^(.*?)([kMG])$/.exec(f);
  return m ? `${m[1]} ${m[2]}${unit}` : `${f} ${unit}`;
}

function pct(v: number | null): string {
  return v === null ? '—' : percentText(v);
}

function tensor(t: QType, shape: readonly number[]): string {
  return `\`${typeName(t)}${shapeText(shape)}\``;
}

function table(rows: Array<[string, string]>): string {
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

function resourceTable(
  rows: Array<[string, { lut: number | null; ff: number | null; bram18: number | null; dsp: number | null }, (v: number | null) => string]>,
  family: DeviceFamily,
): string {
  const l = RESOURCE_LABELS[family];
  const head = `| | ${l.lut} | ${l.ff} | ${l.bram18} | ${l.dsp} |\n|---|---:|---:|---:|---:|`;
  return [head, ...rows.map(([k, r, f]) => `| ${k} | ${f(r.lut)} | ${f(r.ff)} | ${f(r.bram18)} | ${f(r.dsp)} |`)].join('\n');
}

const count = (v: number | null): string => (v === null ? '—' : num(v));

/**
 * iCE40: the row under LUT4 that the capacity and the percentage count, the logic cells
 * the LUT4s and flip-flops fill as nextpnr packs them (the estimate's `logic_cells`).
 */
const PACKED = 'logic cells (LUT4s + flip-flops packed)';
const packedRow = (cells: number): ResourceMaybe => ({ lut: cells, ff: null, bram18: null, dsp: null });

/** The resource names of the estimate's device family (cost/utilisation.ts). */
function familyOf(est: Estimate | undefined): DeviceFamily {
  return est?.target.family ?? 'xilinx';
}

/** The value set of a type, compactly. */
export function typeRange(t: QType): string {
  if (t.kind === 'bipolar') return '−1 or +1';
  if (t.kind === 'pow2') {
    const vs = typeValues(t);
    const pos = vs.filter((v) => v > 0);
    return pos.length <= 6 ? `{0, ${pos.map((v) => `±${v}`).join(', ')}}` : `{0, ±1, ±2, …, ±${pos[pos.length - 1]}}`;
  }
  return `${num(typeMin(t))} … ${num(typeMax(t))}`;
}

function typeEncoding(t: QType): string {
  switch (t.kind) {
    case 'uint':
      return `unsigned binary, ${t.bits} bit${t.bits > 1 ? 's' : ''}`;
    case 'int':
      return `two's complement, ${t.bits} bits`;
    case 'bipolar':
      return '1 bit: 0 → −1, 1 → +1';
    case 'pow2':
      return `${t.bits} bits: MSB = sign, low ${t.bits - 1} bits k: k = 0 → 0, k ≥ 1 → 2^(k−1) (a shift, no multiplier)`;
  }
}

export function typeHover(t: QType, role?: string): string {
  const title = `**\`${typeName(t)}\`**${role ? ` — ${role}` : ''}`;
  return `${title}\n\n${table([
    ['values', typeRange(t)],
    ['encoding', typeEncoding(t)],
  ])}`;
}

/** A weight source: its type, where the values come from, the file shape and memory. */
export function weightsHover(layer: LayerModel & { weights: Weights }, est: LayerEstimate | undefined, shownPath?: string): string {
  const w = layer.weights;
  const rows: Array<[string, string]> = [['type', `\`${typeName(w.type)}\`: ${typeRange(w.type)}`]];
  const layout = layer.op === 'conv2d' ? '[Cout, Cin, Kh, Kw]' : layer.op === 'conv1d' ? '[Cout, Cin, K]' : '[out, in]';
  if (w.source.kind === 'file')
    rows.push(['file', `\`${shownPath ?? w.source.path}\``], ['file shape', `\`${shapeText(w.shape)}\` ${layout}`]);
  else if (w.source.kind === 'random')
    rows.push(
      ['values', `seeded random (seed ${w.source.seed}), uniform over the ${typeValues(w.type).length} values`],
      ['shape', `\`${shapeText(w.shape)}\` ${layout}`],
    );
  else rows.push(['values', 'inline list'], ['shape', `\`${shapeText(w.shape)}\` ${layout}`]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of w.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (w.values.length > 0) rows.push(['values used', `${num(lo)} … ${num(hi)} (${num(w.values.length)} weights)`]);
  if (est) rows.push(['memory', `${num(est.weight_bits)} bits in ${MEM_WHERE[est.weight_mem] ?? est.weight_mem}`]);
  return `**weights of \`${layer.name}\`**\n\n${table(rows)}`;
}

export function inputHover(input: InputModel, est: Estimate | undefined): string {
  const elements = input.shape.reduce((a, b) => a * b, 1);
  const rows: Array<[string, string]> = [
    ['tensor', tensor(input.type, input.shape)],
    ['values', typeRange(input.type)],
    ['elements / frame', num(elements)],
  ];
  if (est) rows.push(['bytes / frame in', num(est.roofline.input_bytes)]);
  return `**input \`${input.name}\`**\n\n${table(rows)}`;
}

function requantSection(a: RequantParams): string {
  const uniform = a.scales.every((s, i) => s === a.scales[0] && a.multipliers[i] === a.multipliers[0] && a.shifts[i] === a.shifts[0]);
  const rel = (i: number): number => fixedPointScale(a.scales[i], a.mbits).relError;
  const row = (i: number): string =>
    `| ${uniform ? 'all' : i} | ${num(a.scales[i])} | ${num(a.multipliers[i])} | ${a.shifts[i]} | ${(a.multipliers[i] / 2 ** a.shifts[i]).toPrecision(7)} | ${rel(i).toExponential(2)} |`;
  const head = `requant: \`y = clamp(((acc·M + 2^(S−1)) >> S) + ${a.zero}, ${typeRange(a.out).replace(' … ', ', ')})\`, M ≤ ${a.mbits} bits\n\n| channel | scale | M | S | M/2^S | rel. error |\n|---|---:|---:|---:|---:|---:|`;
  if (uniform) return `${head}\n${row(0)}`;
  const shown = a.scales.slice(0, 8).map((_, i) => row(i));
  let worst = 0;
  for (let i = 0; i < a.scales.length; i++) if (Math.abs(rel(i)) > Math.abs(rel(worst))) worst = i;
  const more =
    a.scales.length > 8
      ? `\n\n${a.scales.length - 8} more channels; largest |rel. error| ${Math.abs(rel(worst)).toExponential(2)} (channel ${worst})`
      : '';
  return `${head}\n${shown.join('\n')}${more}`;
}

function thresholdSection(a: ThresholdParams): string {
  const shared = a.thresholds.every((r) => r.length === a.thresholds[0].length && r.every((t, i) => t === a.thresholds[0][i]));
  const first = a.thresholds[0] ?? [];
  const list = (r: number[]): string => `[${r.slice(0, 8).join(', ')}${r.length > 8 ? ', …' : ''}]`;
  const formula = a.bias !== 0 ? `y = ${a.bias} + Σ [acc ≥ T]` : 'y = Σ [acc ≥ T]';
  return `threshold: \`${formula}\`${a.out.kind === 'bipolar' ? ' (bipolar: +1 if acc ≥ T else −1)' : ''}, ${first.length} per channel, ${shared ? `shared: ${list(first)}` : `per channel (${a.thresholds.length}), channel 0: ${list(first)}`}`;
}

/** Where an engine's multipliers went (`mul=`; a stand-alone requant is placed as `auto`), as the hover says it. */
function multipliersText(m: NonNullable<LayerEstimate['multipliers']>, dsp: number, takesMul: boolean): string {
  // A stand-alone requant takes no mul=: it is placed as mul=auto places a layer.
  const auto = takesMul ? '`mul=auto`' : 'placed as `mul=auto` does';
  if (m.in === 'lut') {
    if (m.moved) return `in LUTs (${auto}: moved there, the device has too few DSP blocks for every layer)`;
    return 'in LUTs (`mul=lut`)';
  }
  const where = dsp > 0 ? `${num(dsp)} DSP block${dsp === 1 ? '' : 's'}` : 'LUTs (too narrow for a DSP block)';
  return `${where} (${takesMul ? `\`mul=${m.declared}\`` : auto})`;
}

/** The hover of a layer: op and engine, output, accumulator, MACs, fold, cycles, resources, memory, streams. */
export function layerHover(net: Network, layer: LayerModel, est: Estimate | undefined): string {
  const le = est?.layers.find((l) => l.name === layer.name);
  const engine = net.engines.find((e) => e.layers.includes(layer.name));
  const parts: string[] = [];
  const fusedInto = le?.fused_into ?? (layer.op === 'requant' || layer.op === 'threshold' ? layer.fusedInto : undefined);
  let title = `**layer \`${layer.name}\`** · \`${layer.op}\``;
  if (fusedInto) title += ` fused into the MVAU of \`${fusedInto}\``;
  else {
    title += ` → ${ENGINE_LABELS[OPERATORS[layer.op].engine]}`;
    const fused = le?.fused ?? engine?.layers.slice(1) ?? [];
    if (fused.length) title += ` with ${fused.map((f) => `\`${f}\` (${net.layers.find((l) => l.name === f)?.op ?? ''})`).join(', ')} fused`;
  }
  parts.push(title);

  const rows: Array<[string, string]> = [];
  rows.push(['input', `\`${layer.input}\` ${tensor(layer.inType, layer.inShape)}`]);
  rows.push(['output', tensor(layer.outType, layer.outShape) + (isMvau(layer) ? ' (accumulator)' : '')]);
  if (engine && engine.layers[0] === layer.name && engine.layers.length > 1)
    rows.push(['engine output', tensor(engine.outType, engine.outShape)]);
  if (isMvau(layer)) {
    const acc = layer.acc;
    rows.push([
      'accumulator',
      `i${le?.acc_bits ?? acc.bits}${acc.declared ? ' (declared)' : ' (inferred)'}, exact bound ${num(le?.acc_min ?? acc.min)} … ${num(le?.acc_max ?? acc.max)}${layer.weights.source.kind === 'random' ? ' (from the type bounds: random weights)' : ` (row ${acc.extremeRow})`}`,
    ]);
    rows.push(['matrix', `MW = ${num(layer.mw)} × MH = ${num(layer.mh)}${layer.pixels > 1 ? `, ${num(layer.pixels)} output pixels` : ''}`]);
  }
  if (le) {
    if (le.macs > 0) rows.push(['MACs / frame', num(le.macs)]);
    // An illegal declared value says so: `SIMD 5 (illegal; estimated as 1)`.
    const fold = isMvau(layer)
      ? `${foldValueText(layer, 'pe', le.pe)} × ${foldValueText(layer, 'simd', le.simd)}`
      : foldValueText(layer, 'pe', le.pe);
    const mmv = le.mmv > 1 ? ` × MMV ${le.mmv} (pixels per cycle)` : '';
    const src = le.fold_source === 'auto' ? ' (auto-chosen for `fps >=`)' : le.fold_source === 'default' ? ' (default)' : '';
    rows.push(['fold', `${fold}${mmv}${src} → NF ${num(le.nf)} × SF ${num(le.sf)}`]);
    if (le.multipliers) rows.push(['multipliers', multipliersText(le.multipliers, le.dsp, isMvau(layer))]);
    let cyc = num(le.cycles);
    if (le.fused_into) cyc += ` (the engine of \`${le.fused_into}\`)`;
    else if (le.window_cycles !== null && le.window_cycles !== le.compute_cycles)
      cyc += ` (MVAU ${num(le.compute_cycles)}, window generator ${num(le.window_cycles)})`;
    cyc += le.bottleneck ? ' — **the bottleneck**' : est && est.ii_cycles > 0 ? `; II ${num(est.ii_cycles)}` : '';
    rows.push(['cycles / frame', cyc]);
    if (le.weight_bits > 0) rows.push(['weight memory', `${num(le.weight_bits)} bits in ${MEM_WHERE[le.weight_mem] ?? le.weight_mem}`]);
    if (!le.fused_into) rows.push(['streams', `in ${le.stream_in_bits} bits/word, out ${le.stream_out_bits} bits/word`]);
  } else if (est) {
    rows.push([
      'hardware',
      chainBreak(net)
        ? 'none yet: a layer between this one and the output has an error (see Problems); it is costed once that is fixed'
        : 'none: the layer is not on the path to the output',
    ]);
  } else {
    rows.push([
      'fold',
      `${foldValueText(layer, 'pe')}${isMvau(layer) ? ` × ${foldValueText(layer, 'simd')}` : ''}; no estimate without a target`,
    ]);
  }
  parts.push(table(rows));

  if (le && !fusedInto) {
    const device = est!.target.device_known ? est!.target.device : undefined;
    const resRows: Array<[string, ResourceMaybe, (v: number | null) => string]> = [[`\`${layer.name}\``, le, count]];
    if (le.logic_cells !== null) resRows.push([PACKED, packedRow(le.logic_cells), count]);
    if (device) resRows.push([`% of ${device}`, le.device_pct, pct]);
    const breakdown = Object.keys(le.breakdown);
    if (breakdown.length > 1) for (const k of breakdown) resRows.push([`· ${k}`, le.breakdown[k], count]);
    parts.push(resourceTable(resRows, familyOf(est)));
  } else if (le && fusedInto) {
    parts.push(`resources: counted in \`${fusedInto}\``);
  }
  if (layer.op === 'requant' || layer.op === 'threshold') {
    const a = (layer as { activation: RequantParams | ThresholdParams }).activation;
    parts.push(a.kind === 'requant' ? requantSection(a) : thresholdSection(a));
  }
  return parts.join('\n\n');
}

/** The hover of `target`: capacity, totals and use, frames/s and latency, bottleneck, roofline. */
export function targetHover(net: Network, est: Estimate | undefined): string {
  const t = net.target;
  if (!t) return '';
  const device = findDevice(t.device);
  const clock = `${formatSI(t.clockHz / 1e6)} MHz`;
  const title = `**target \`${t.device}\`** @ ${clock}${device ? ` · ${device.family}, ${device.part}${t.board ? `, board ${t.board}` : ''}` : ' · unknown device'}`;
  if (!est)
    return `${title}\n\nno estimate yet: ${net.engines.length === 0 ? 'the network has no layers on the path to the output' : 'fix the errors first'}`;
  const parts = [title];
  const resRows: Array<[string, ResourceMaybe, (v: number | null) => string]> = [['used', est.totals, count]];
  if (est.logic_cells !== null) resRows.push([PACKED, packedRow(est.logic_cells), count]);
  if (est.target.device_known) resRows.push(['capacity', est.device_capacity, count], ['% used', est.device_pct, pct]);
  parts.push(resourceTable(resRows, familyOf(est)));
  const rows: Array<[string, string]> = [];
  let fps =
    est.lanes > 1
      ? `**${formatSI(est.fps)} frames/s** (${est.lanes} lanes × ${formatSI(est.fps_per_lane)}, II = ${num(est.ii_cycles)} cycles)`
      : `**${formatSI(est.fps)} frames/s** (II = ${num(est.ii_cycles)} cycles)`;
  if (est.target.fps_target !== null)
    fps += est.fps_met
      ? ` — meets \`fps >= ${formatSI(est.target.fps_target)}\``
      : ` — **misses** \`fps >= ${formatSI(est.target.fps_target)}\``;
  rows.push(['throughput', fps]);
  if (est.pixels_per_s > 0) rows.push(['pixels / s', `${formatSI(est.pixels_per_s)} input pixels per second`]);
  rows.push(['latency', `${num(est.latency_us)} µs (${num(est.latency_cycles)} cycles)`]);
  if (est.bottleneck)
    rows.push([
      'bottleneck',
      `\`${est.bottleneck.layer}\`${est.bottleneck.engine !== est.bottleneck.layer ? ` (engine \`${est.bottleneck.engine}\`)` : ''}, ${num(est.bottleneck.cycles)} cycles/frame`,
    ]);
  rows.push(['MACs / frame', num(est.macs_per_frame)]);
  const r = est.roofline;
  const ops = (v: number | null): string => (v === null ? '—' : si(v, 'op/s'));
  let bound = '';
  if (r.design.attainable_ops_s !== null && r.ceilings.device_peak_ops_s !== null) {
    bound = r.design.attainable_ops_s < r.ceilings.device_peak_ops_s ? ' — bandwidth-bound' : ' — compute-bound';
  }
  rows.push([
    'roofline',
    `intensity ${num(r.intensity)} ops/byte; design ${ops(r.design.ops_s)} of attainable ${ops(r.design.attainable_ops_s)}${bound}`,
  ]);
  rows.push([
    'ceilings',
    `bandwidth ${r.bandwidth_gbs === null ? '—' : `${num(r.bandwidth_gbs)} GB/s (${r.bandwidth_source})`}; device peak ${ops(r.ceilings.device_peak_ops_s)}${r.ceilings.precision ? ` at ${r.ceilings.precision}` : ''}; design peak ${ops(r.ceilings.design_peak_ops_s)} (${num(r.ceilings.design_lanes)} MAC lanes)`,
  ]);
  if (est.converters.length)
    rows.push(['width converters', est.converters.map((c) => `\`${c.from}\`→\`${c.to}\` ${c.in_bits}→${c.out_bits} bits`).join(', ')]);
  parts.push(table(rows));
  if (r.notes.length) parts.push(r.notes.map((n) => `_${n}_`).join('\n\n'));
  return parts.join('\n\n');
}

/** The file line of a `scales("…")` / `thresholds("…")` source, above its layer's hover. */
export function activationFileLine(path: string, layer: LayerModel): string {
  if (layer.op !== 'requant' && layer.op !== 'threshold') return `file \`${path}\``;
  const a = layer.activation;
  const channels = layer.outShape[layer.outShape.length - 1];
  if (a.kind === 'requant') {
    const lo = Math.min(...a.scales);
    const hi = Math.max(...a.scales);
    return `file \`${path}\`: ${channels} scales (one per channel), ${num(lo)} … ${num(hi)}`;
  }
  const shared = a.thresholds.every((r) => r.every((t, i) => t === a.thresholds[0][i]));
  const per = a.thresholds[0]?.length ?? 0;
  return `file \`${path}\`: ${per} threshold${per === 1 ? '' : 's'} per channel (${a.bias !== 0 ? `${a.bias} … ${a.bias + per}` : '2^B − 1'} for out=${typeName(a.out)}), ${shared ? 'one row shared by' : 'one row for each of'} the ${channels} channels`;
}
