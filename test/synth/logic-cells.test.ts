/**
 * iCE40 logic cells as nextpnr-ice40 packs them (COST_CONSTANTS.ice40LogicCells: 1.235 per
 * LUT4 + 0.385 per flip-flop). The coefficients were fitted by least squares on 12 builds of
 * the open flow (Yosys 0.23 synth_ice40, nextpnr-ice40, board icebreaker), the random
 * networks 7002 to 7012 and peak_detector_icebreaker, from each build's own Yosys counts
 * (LUT4, SB_DFF*) and nextpnr's ICESTORM_LC: median error 3 %, worst 13 % (7010: 208 LUT4,
 * 179 flip-flops, 289 cells, where the model says 326; peak_detector_icebreaker: 3,850 and 3,837). Here three of those networks are
 * built again and the model, applied to what Yosys counted, must land within 15 % of the
 * cells nextpnr used; and the report's `estimated.lut` is the estimate's logic cells.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { check } from '../unit/model/helpers.js';
import { buildBitstream } from '../../server/src/flows/bitstream.js';
import { logicUse } from '../../server/src/cost/fabric.js';
import { findTool } from '../../server/src/flows/tools.js';
import { randomNetwork } from '../hw/random-network.js';

const tools = (['yosys', 'nextpnr-ice40', 'icepack'] as const).every((t) => findTool(t));

describe.skipIf(!tools)('iCE40 logic cells: LUT4s and flip-flops as nextpnr packs them', () => {
  for (const seed of [7003, 7005, 7011]) {
    it(`random network ${seed} on the iCEBreaker`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'qnn-lc-'));
      const src = randomNetwork(seed).text.replace(/target \S+ @ \S+ MHz/, 'target ice40up5k @ 12 MHz, board icebreaker');
      const { analysis } = await check(src);
      const r = await buildBitstream(analysis, path.join(dir, 'net.qnn'), dir, {});
      expect(r.ok, r.first_error ?? '').toBe(true);
      const stat = readFileSync(path.join(dir, 'bitstream', 'yosys-stat.txt'), 'utf8');
      const sum = (re: RegExp) => [...stat.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
      const built = { lut: sum(/^\s+SB_LUT4\s+(\d+)$/gm), ff: sum(/^\s+SB_DFF\w*\s+(\d+)$/gm) };
      expect(built.lut).toBeGreaterThan(0);
      const cells = r.resources.used!.lut!;
      const model = logicUse(built, 'ice40');
      expect(
        Math.abs(model - cells) / cells,
        `${model} modelled from ${built.lut} LUT4 + ${built.ff} FF, ${cells} placed`,
      ).toBeLessThanOrEqual(0.15);
      // The report compares like with like: the estimate's logic cells (the accelerator alone).
      expect(r.resources.estimated.lut).toBe(analysis.estimate!.logic_cells);
    }, 300_000);
  }
});
