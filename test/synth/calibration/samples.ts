/**
 * From a network's text to calibration samples: the network is analysed and compiled as
 * `qnn compile` does, then every block of the hardware plan (engine templates, width
 * converters, FIFOs) is one sample whose estimate can be recomputed after the constants
 * change (`estimate()` reads COST_CONSTANTS when called) and whose Yosys counts come from
 * synth.ts by instance name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument, coreServices } from '../../../server/src/language/parse.js';
import type { Analysis } from '../../../server/src/analysis/analyze.js';
import { compileNetwork, type CompileResult } from '../../../server/src/rtl/compile.js';
import { descriptorOf } from '../../../server/src/engines/registry.js';
import { converterDescriptor } from '../../../server/src/engines/converter.js';
import { fifoResources } from '../../../server/src/cost/resources.js';
import { fabricOf, type Fabric, type Resources } from '../../../server/src/cost/fabric.js';
import { findDevice } from '../../../server/src/device/devices.js';
import { writeNpy, type NpyWritable } from '../../../server/src/npy/npy.js';
import type { SynthFamily } from './synth.js';

/** The block kinds the error table reports. */
export type BlockKind = 'mvau' | 'mvau_mmv' | 'window' | 'maxpool' | 'maxpool_mmv' | 'requant' | 'threshold' | 'dwc' | 'fifo';

/** A network of the sweep (or a held-out one): its text and the .npy files it reads. */
export interface NetSpec {
  name: string;
  /** The body: input, layers, output (the target line is added per family). */
  body: string;
  /** .npy files next to the .qnn (scales, thresholds). */
  files?: Record<string, NpyWritable>;
  /** FIFO depths that replace the analysed ones (the FIFO sweep). */
  fifoDepths?: Record<string, number>;
  /** The families (coefficient sets) it is synthesised for (default all). */
  families?: SynthFamily[];
}

/** The device each set's sweep is compiled for (xcup: a Zynq UltraScale+ part, so its DSP rules are `dsp.xcup`). */
export const DEVICE: Record<SynthFamily, string> = { xilinx: 'xc7z020', ice40: 'ice40up5k', xcup: 'xczu7ev' };

export interface Block {
  /** Network / instance, e.g. `mvau_d3/c1.window`. */
  id: string;
  instance: string;
  kind: BlockKind;
  /** The estimate at the current constants, unrounded where the formula allows. */
  estimate: () => Resources;
  /** A line describing its parameters (for the tables). */
  what: string;
}

export interface CompiledSpec {
  spec: NetSpec;
  family: SynthFamily;
  analysis: Analysis;
  compiled: CompileResult;
  blocks: Block[];
  fab: Fabric;
  codes: string[];
}

export function specText(spec: NetSpec, family: SynthFamily): string {
  return `network ${spec.name} {\n  target ${DEVICE[family]} @ 100 MHz\n${spec.body}\n}\n`;
}

const PART_INSTANCE: Record<string, string> = {
  mvau: 'mvau',
  window: 'window',
  maxpool: 'pool',
  requant: 'requant',
  threshold: 'threshold',
};

/** Analyses and compiles `spec` for `family` under `work`/<name>-<family>/. */
export async function compileSpec(spec: NetSpec, family: SynthFamily, work: string): Promise<CompiledSpec> {
  const dir = path.join(work, `${spec.name}-${family}`);
  mkdirSync(dir, { recursive: true });
  for (const [f, arr] of Object.entries(spec.files ?? {})) writeFileSync(path.join(dir, f), writeNpy(arr));
  const file = path.join(dir, `${spec.name}.qnn`);
  const text = specText(spec, family);
  writeFileSync(file, text);
  const doc = await parseDocument(text, file);
  const analysis = coreServices().qnn.analysis.AnalysisCache.get(doc);
  const codes = (doc.diagnostics ?? []).map((d) => `${d.code}${d.severity === 1 ? '!' : ''}: ${d.message}`);
  const errors = (doc.diagnostics ?? []).filter((d) => d.severity === 1 && d.code !== 'QNN050');
  if (errors.length > 0) throw new Error(`${spec.name} (${family}): ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  const compiled = compileNetwork(analysis, dir, path.basename(file), { fifoDepths: spec.fifoDepths });
  const fab = fabricOf(findDevice(DEVICE[family]));
  const blocks: Block[] = [];
  for (const b of compiled.plan.blocks) {
    if (b.kind === 'engine') {
      const e = b.engine;
      const parts = descriptorOf(e).resources(e, fab).parts;
      for (const key of Object.keys(parts)) {
        blocks.push({
          id: `${spec.name}/${b.instance}.${PART_INSTANCE[key]}`,
          instance: `${b.instance}.${PART_INSTANCE[key]}`,
          // An MMV engine's MVAU (its lockstep copies) and max-pool are kinds of their own in the tables.
          kind: (e.mmv > 1 && (key === 'mvau' || key === 'maxpool') ? `${key}_mmv` : key) as BlockKind,
          estimate: () => descriptorOf(e).resources(e, fab).parts[key],
          what: `${e.layers.join('+')} ${e.kind} pe=${e.pe}${'simd' in e.layer ? ` simd=${(e.layer as { simd: number }).simd}` : ''}${e.mmv > 1 ? ` mmv=${e.mmv}` : ''}`,
        });
      }
    } else if (b.kind === 'dwc') {
      const link = b.link;
      blocks.push({
        id: `${spec.name}/${b.instance}`,
        instance: b.instance,
        kind: 'dwc',
        estimate: () => converterDescriptor.resources(link, fab),
        what: `dwc ${link.producerElems}->${link.consumerElems} x ${link.elemBits}b`,
      });
    } else {
      const depth = b.depth;
      const width = b.fifo.width_bits;
      blocks.push({
        id: `${spec.name}/${b.instance}`,
        instance: b.instance,
        kind: 'fifo',
        estimate: () => fifoResources(depth, width, fab),
        what: `fifo ${depth} x ${width}b`,
      });
    }
  }
  return { spec, family, analysis, compiled, blocks, fab, codes };
}
