/**
 * The wire contract (server/src/protocol/): the build-folder convention, and the literal
 * unions the contract repeats from the model (it imports nothing), checked equal at
 * compile time (`tsc -b` runs in pretest) so that neither side can grow a value alone.
 */
import * as path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MemKind as CostMemKind } from '../../../server/src/cost/memory.js';
import type { FifoImpl as CostFifoImpl } from '../../../server/src/cost/resources.js';
import type { Family } from '../../../server/src/cost/fabric.js';
import type { LayerModel, OpKind as ModelOpKind } from '../../../server/src/model/types.js';
import { buildFiles, buildFolder } from '../../../server/src/protocol/build-folder.js';
import type { DeviceFamily, FifoImpl, FoldSource, MemKind, OpKind } from '../../../server/src/protocol/estimate.js';
import type { Simulator as ProtocolSimulator } from '../../../server/src/protocol/results.js';
import type { Simulator } from '../../../server/src/flows/sim/runner.js';

describe('build folder', () => {
  it('is build/<file name without .qnn> next to the file', () => {
    expect(buildFolder('/w/nets/peak_detector.qnn')).toBe(path.join('/w/nets', 'build', 'peak_detector'));
    expect(buildFolder('relative/a.b.qnn')).toBe(path.join('relative', 'build', 'a.b'));
  });

  it('holds rtl/, report.json, sim/result.json, fifo-check/fifo-check.json, board-sim/result.json and bitstream/', () => {
    const f = buildFiles('/b');
    expect(f).toEqual({
      rtl: path.join('/b', 'rtl'),
      report: path.join('/b', 'report.json'),
      simFolder: path.join('/b', 'sim'),
      simResult: path.join('/b', 'sim', 'result.json'),
      fifoCheckFolder: path.join('/b', 'fifo-check'),
      fifoCheckResult: path.join('/b', 'fifo-check', 'fifo-check.json'),
      bitstreamFolder: path.join('/b', 'bitstream'),
      buildReport: path.join('/b', 'bitstream', 'report.json'),
      buildProgress: path.join('/b', 'bitstream', 'progress.json'),
      boardSimFolder: path.join('/b', 'board-sim'),
      boardSimResult: path.join('/b', 'board-sim', 'result.json'),
    });
  });
});

describe('literal unions of the contract', () => {
  it('equal the model and cost model ones', () => {
    expectTypeOf<OpKind>().toEqualTypeOf<ModelOpKind>();
    expectTypeOf<FoldSource>().toEqualTypeOf<LayerModel['foldSource']>();
    expectTypeOf<MemKind>().toEqualTypeOf<CostMemKind>();
    expectTypeOf<FifoImpl>().toEqualTypeOf<CostFifoImpl>();
    expectTypeOf<DeviceFamily>().toEqualTypeOf<Family>();
    expectTypeOf<ProtocolSimulator>().toEqualTypeOf<Simulator>();
  });
});
