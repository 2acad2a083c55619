/**
 * The state the elaboration passes share: the network being built, the diagnostics, the
 * consts, what each producer hands its consumers, and every layer's place in the chain.
 */
import type * as ast from '../../language/generated/ast.js';
import { nodeFileAccess, type FileAccess } from '../weights.js';
import type { LayerModel, Network, QnnDiagnostic, QType, Severity, SrcRange } from '../types.js';

export interface ElaborateOptions {
  /** Absolute path of the .qnn file; weight paths are relative to its folder. */
  file?: string;
  files?: FileAccess;
}

/** Largest dimension, filter count, kernel, stride or fold accepted (keeps every tensor allocatable). */
export const MAX_INT_ARG = 1 << 20;
/** Largest tensor (elements) and weight matrix accepted. */
export const MAX_ELEMENTS = 1 << 26;

/** Thrown inside a layer to stop elaborating it after a reported (or syntax) error. */
export class LayerAbort extends Error {}

/**
 * What a producer (the input or a layer) hands its consumers. A layer with an error still
 * gets one when its declaration gives a shape and a type, so the layers after it are
 * analysed too.
 */
export interface Produced {
  shape: number[];
  type: QType;
  /**
   * The type is a stand-in for an error upstream (an upper bound from the declared types,
   * or a type the operator rejects): checks that need the exact type (accumulator width,
   * bipolar operands) are skipped downstream, so one error is reported once.
   */
  uncertain: boolean;
}

/** A layer in the chain, with or without an error: what the graph checks walk. */
export interface ChainNode {
  name: string;
  /** The producer's name as written; undefined when it is missing or unknown. */
  input?: string;
  ranges: LayerModel['ranges'];
}

export class Elab {
  readonly diags: QnnDiagnostic[] = [];
  readonly consts = new Map<string, number>();
  readonly files: FileAccess;
  readonly net: Network;
  /** Producers declared so far, with their AST nodes (for "declared above" messages). */
  readonly declared = new Map<string, ast.Input | ast.Layer>();
  /** The output of each producer that has one (a stand-in for a layer with an error). */
  readonly produced = new Map<string, Produced>();
  /** Every layer with a name, in order, whether or not it elaborated. */
  readonly chain: ChainNode[] = [];
  /** Some member stopped on an error (reported here or as a syntax error): the network is not complete. */
  incomplete = false;

  constructor(
    readonly root: ast.Network,
    readonly opts: ElaborateOptions,
  ) {
    this.files = opts.files ?? nodeFileAccess;
    this.net = { name: root.name ?? '', file: opts.file, layers: [], tests: [], engines: [], complete: false };
  }

  report(code: string, severity: Severity, message: string, range: SrcRange, data?: Record<string, unknown>): void {
    this.diags.push({ code, severity, message, range, ...(data ? { data } : {}) });
  }

  error(code: string, message: string, range: SrcRange, data?: Record<string, unknown>): void {
    this.report(code, 'error', message, range, data);
  }

  /** Reports an error and stops the current layer. */
  abort(code: string, message: string, range: SrcRange, data?: Record<string, unknown>): never {
    this.error(code, message, range, data);
    throw new LayerAbort();
  }

  /** `declared above are 'x', 'c1'` for unknown-name messages. */
  knownProducers(): string {
    const names = [...this.declared.keys()];
    return names.length ? `declared above are ${names.map((n) => `'${n}'`).join(', ')}` : 'nothing is declared above it';
  }
}
