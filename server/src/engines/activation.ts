/**
 * Stand-alone requant and threshold engines (hw-templates/qnn_requant.sv,
 * qnn_threshold.sv): PE lanes, one element per lane per cycle, channels/PE words per
 * pixel. Also the activation helpers the MVAU's fused activation shares (cost parameters,
 * the threshold width, the activation ROM).
 */
import { compareForms, multiplierFabric, roundResources, type Fabric } from '../cost/fabric.js';
import { COST_CONSTANTS as C } from '../cost/constants.js';
import { romImageColumns } from '../cost/memory.js';
import { activationResources, bitLength, type ActivationCostParams } from '../cost/resources.js';
import { validPes } from '../model/folding.js';
import { signedBitsFor, typeBits, typeMax, typeMin } from '../model/qtype.js';
import { channelsOf, product } from '../model/shape.js';
import type { Activation, ActivationLayer, Engine, RequantParams, ThresholdParams } from '../model/types.js';
import type { EngineDescriptor, EngineTiming, Fold, RomFile, TemplateParams, TokenEngine } from './descriptor.js';
import {
  activationImage,
  activationMem,
  clippedThresholds,
  kindCode,
  requantShiftBits,
  thresholdBits,
  thresholdCount,
} from './rom-layout.js';
import { stepResult } from './tokens.js';

function allEqual<T>(xs: readonly T[], eq: (a: T, b: T) => boolean = (a, b) => a === b): boolean {
  return xs.every((x) => eq(x, xs[0]));
}

function popcount(n: number): number {
  let c = 0;
  for (let v = Math.max(0, Math.floor(n)); v > 0; v = Math.floor(v / 2)) c += v % 2;
  return c;
}

/**
 * The parameters the activation resource formulas take (cost/resources.ts), one object per
 * activation, input range and PE: auto-folding asks for each fold's many times, and the
 * per-channel thresholds' lane lists are as large as the layer's.
 */
export function activationCostParams(
  a: Activation,
  input: ActivationInput,
  /** PE lanes; lane p serves channels p, p + PE, … (the shifter's levels are per lane). */
  pe: number,
): ActivationCostParams {
  let byKey = costParamsCache.get(a);
  if (!byKey) costParamsCache.set(a, (byKey = new Map()));
  const key = `${pe}|${input.min}|${input.max}|${input.bits}`;
  let p = byKey.get(key);
  if (!p) byKey.set(key, (p = costParamsOf(a, input, pe)));
  return p;
}

const costParamsCache = new WeakMap<Activation, Map<string, ActivationCostParams>>();

function costParamsOf(a: Activation, input: ActivationInput, pe: number): ActivationCostParams {
  if (a.kind === 'threshold') {
    const clip = [input.min, input.max + 1] as const;
    const count = a.thresholds[0]?.length ?? 1;
    const same = allEqual(a.thresholds, (x, y) => x.length === y.length && x.every((t, i) => t === y[i]));
    if (same) {
      // x ≥ T is constant for T ≤ min (true) or T > max (false), and equal thresholds are one
      // comparator: `distinct` counts what synthesis keeps where it sees the constants (iCE40,
      // up to 6 bits on Xilinx); `comparators` every value the RTL holds, which Xilinx builds
      // into a comparator each when the comparison is wider (resources.ts).
      const inRange = (a.thresholds[0] ?? []).filter((t) => t > input.min && t <= input.max);
      const distinct = new Set(inRange).size;
      const values = [...new Set(clippedThresholds(a, input.min, input.max)[0] ?? [])];
      const comparators = [values.map((t) => [t])];
      return {
        kind: 'threshold',
        count,
        perChannel: false,
        distinct,
        live: inRange.length,
        compareBits: thresholdWidth(a, input),
        comparators,
        clip,
      };
    }
    const clipped = clippedThresholds(a, input.min, input.max);
    // Lane p serves channels p, p + PE, … (rom-layout.ts); each comparator's value on each.
    const comparators = Array.from({ length: pe }, (_, p) => {
      const rows = clipped.filter((_, c) => c % pe === p);
      return Array.from({ length: count }, (_, i) => rows.map((ts) => ts[i]!));
    });
    return {
      kind: 'threshold',
      count,
      perChannel: true,
      compareBits: thresholdWidth(a, input),
      comparators,
      clip,
      romColumns: romColumnsOf(a, input, pe),
    };
  }
  const ms = a.multipliers.length ? a.multipliers : [1];
  const ss = shiftsOf(a);
  const variableShift = sharedShift(a) === undefined;
  // A lane's shifter: a level per bit of S that differs between its channels (the others are
  // wiring), and in a stand-alone engine no more than picking one of its distinct S needs
  // (every select is a function of the channel counter, which synthesis sees through); the
  // lane with the most sets the estimate's.
  let levels = 0;
  let varyingBits = 0;
  for (let p = 0; p < Math.min(pe, ss.length); p++) {
    let varying = 0;
    const distinct = new Set<number>();
    for (let c = p; c < ss.length; c += pe) {
      varying |= ss[c]! ^ ss[p]!;
      distinct.add(ss[c]!);
    }
    levels = Math.max(levels, Math.min(popcount(varying), Math.ceil(Math.log2(distinct.size))));
    varyingBits = Math.max(varyingBits, popcount(varying));
  }
  const perChannel = variableShift || !allEqual(ms);
  return {
    kind: 'requant',
    // M ≥ 1 (model/requant.ts), so at least one bit.
    multiplierBits: Math.max(1, ...ms.map(bitLength)),
    multiplierOnes: popcount(ms[0]),
    perChannel,
    ...(perChannel ? { romColumns: romColumnsOf(a, input, pe) } : {}),
    variableShift,
    maxShift: Math.max(...ss),
    shiftLevels: levels,
    shiftVaryingBits: varyingBits,
    zero: a.zero,
    outSigned: a.out.kind === 'int',
    inputSigned: input.min < 0,
    mbits: a.mbits,
  };
}

/**
 * The activation ROM's distinct non-constant bit columns, counted on the words the RTL
 * reads (`activationImage`, the words of `activationRom`); undefined where the constants do
 * not make a ROM yet (an invalid fold, which the checks report).
 */
function romColumnsOf(a: Activation, input: ActivationInput, pe: number): number | undefined {
  try {
    const image = activationImage(a, pe, a.kind === 'threshold' ? thresholdWidth(a, input) : 0, { min: input.min, max: input.max });
    return romImageColumns(image.words, image.width);
  } catch {
    return undefined;
  }
}

/** The range of the value an activation compares: the accumulator's (fused) or the input type's (stand-alone). */
export interface ActivationInput {
  min: number;
  max: number;
  /** Signed bits of that value (the accumulator's ACC_BITS, or the input type's signed width). */
  bits: number;
}

export function standaloneInput(e: Engine): ActivationInput {
  const t = e.inType;
  return { min: typeMin(t), max: typeMax(t), bits: signedBitsFor(typeMin(t), typeMax(t)) };
}

/** Bits of one threshold in the ROM and of the comparison (rom-layout.ts `thresholdBits`). */
export function thresholdWidth(act: ThresholdParams, input: ActivationInput): number {
  return thresholdBits(act, input.min, input.max, input.bits);
}

/** A requant's S per channel (none given: 0). */
function shiftsOf(act: RequantParams): number[] {
  return act.shifts.length ? act.shifts : [0];
}

/** The S every channel of a requant shares, or undefined when they differ. */
export function sharedShift(act: RequantParams): number | undefined {
  const ss = shiftsOf(act);
  return allEqual(ss) ? ss[0] : undefined;
}

/** The activation's template parameters shared by the MVAU (fused) and the stand-alone engines. */
export function activationParams(act: Activation, fab: Fabric): TemplateParams {
  if (act.kind === 'requant') {
    return [
      ['MBITS', act.mbits],
      ['SHIFT_BITS', requantShiftBits(act)],
      // One S for every channel: the template takes it as a constant (its clamp then
      // compares only the bits the shift leaves); −1: each channel's S comes from the ROM.
      ['SHIFT', sharedShift(act) ?? -1],
      ['ZERO', act.zero],
      // Clamp bounds at powers of two as tests of the value's top bits (iCE40: compareForms).
      ...(compareForms(fab).clampTests ? ([['CLAMP_TEST', 1]] as TemplateParams) : []),
    ];
  }
  // ZERO is the threshold's bias too (qnn_act_lane); 0 is the plain count.
  return [
    ['N_THRESH', thresholdCount(act)],
    ['ZERO', act.bias],
    // Each x ≥ T as the sign of x − T, in the orientation the estimate prices (iCE40: compareForms).
    ...(compareForms(fab).carryThresholds ? ([['CMP_CARRY', 1]] as TemplateParams) : []),
  ];
}

/** The activation ROM of an engine (layout in rom-layout.ts). */
export function activationRom(file: string, act: Activation, pe: number, input: ActivationInput): RomFile {
  const bits = act.kind === 'threshold' ? thresholdWidth(act, input) : 0;
  return { role: 'act', file, text: activationMem(act, pe, bits, { min: input.min, max: input.max }) };
}

/** A stream of one word in and one out per cycle (requant, threshold). */
function streamTokens(name: string, words: number): TokenEngine {
  return {
    name,
    inWords: words,
    outWords: words,
    pattern: 'one word in, one out per cycle',
    step(available) {
      return available > 0 ? stepResult(true, 1) : stepResult(false, 0);
    },
  };
}

/**
 * A stand-alone activation as its template sees it: with MMV M (PE = channels, QNN046) a
 * word of M whole pixels is M·C lanes, channel c' of the word using channel c' mod C's
 * constants (the per-channel lists repeated M times).
 */
function lanesView(e: Engine): { pe: number; ch: number; act: Activation } {
  const act = e.activation!;
  const ch = channelsOf(e.inShape);
  const m = e.mmv;
  if (m === 1) return { pe: e.pe, ch, act };
  const tile = <T>(xs: T[]): T[] => Array.from({ length: m }, () => xs).flat();
  const tiled: Activation =
    act.kind === 'requant'
      ? { ...act, scales: tile(act.scales), multipliers: tile(act.multipliers), shifts: tile(act.shifts) }
      : { ...act, thresholds: tile(act.thresholds) };
  return { pe: e.pe * m, ch: ch * m, act: tiled };
}

function activationDescriptor(kind: 'requant' | 'threshold'): EngineDescriptor {
  const d: EngineDescriptor = {
    kind,
    foldArgs: ['pe'],
    legalFolds(e: Engine): Fold[] {
      return validPes(channelsOf(e.inShape)).map((pe) => ({ pe, simd: pe }));
    },
    computeCycles(e: Engine, f: Fold): number {
      return Math.ceil(product(e.inShape) / f.pe);
    },
    timing(e: Engine): EngineTiming {
      const cycles = d.computeCycles(e, { pe: e.pe, simd: e.pe }) / e.mmv;
      return {
        cycles,
        computeCycles: cycles,
        windowCycles: null,
        nf: channelsOf(e.inShape) / e.pe,
        sf: 1,
        pixels: product(e.inShape.slice(0, -1)),
      };
    },
    latency(e: Engine) {
      const words = Math.ceil(product(e.inShape) / e.inElemsPerWord);
      const pipe = C.latency.activationEnginePipe;
      return { name: e.name, kind: 'engine', words, need: 1, fill: pipe, drain: pipe, span: words - 1 + pipe };
    },
    tokens(e: Engine): TokenEngine {
      return streamTokens(e.name, product(e.inShape) / (e.pe * e.mmv));
    },
    resources(e: Engine, fabric: Fabric) {
      const v = lanesView(e);
      const fab = multiplierFabric(fabric, (e.layer as ActivationLayer).multipliers);
      const total = roundResources(
        activationResources(
          activationCostParams(v.act, standaloneInput(e), v.pe),
          typeBits(e.inType),
          typeBits(e.outType),
          v.ch,
          v.pe,
          fab,
          product(e.inShape),
        ).total,
      );
      return { total, parts: { [kind]: total }, weightMem: 'none', weightBits: 0, macs: 0 };
    },
    instances(e: Engine, fab: Fabric) {
      const { pe, ch, act } = lanesView(e);
      const input = standaloneInput(e);
      const params: TemplateParams = [
        ['PE', pe],
        ['CH', ch],
        ['ELEMS_PER_FRAME', product(e.inShape)],
        ['IN_BITS', typeBits(e.inType)],
        ['IN_KIND', kindCode(e.inType)],
        ['OUT_BITS', typeBits(e.outType)],
        ['OUT_KIND', kindCode(e.outType)],
        ...activationParams(act, fab),
      ];
      if (act.kind === 'threshold') params.push(['T_BITS', thresholdWidth(act, input)]);
      if ((e.layer as ActivationLayer).multipliers === 'lut') params.push(['MUL_LUT', 1]);
      params.push(['ACT_FILE', d.romFiles(e).act!]);
      return [{ module: act.kind === 'requant' ? 'qnn_requant' : 'qnn_threshold', name: kind, params, input: 's_axis', output: 'm_axis' }];
    },
    romFiles(e: Engine) {
      return { act: `${e.name}_act.mem` };
    },
    roms(e: Engine): RomFile[] {
      const v = lanesView(e);
      return [activationRom(d.romFiles(e).act!, v.act, v.pe, standaloneInput(e))];
    },
  };
  return d;
}

export const requantDescriptor = activationDescriptor('requant');
export const thresholdDescriptor = activationDescriptor('threshold');
