/**
 * qnn_skid, the output stage of the MVAU and the stand-alone activations, against Yosys: its
 * LUTs are what `skidResources` counts (a 2:1 mux per data bit and tlast, and its control,
 * C.skid.lutC0), on every coefficient set. Measured on 2026-12-05 (Yosys 0.23): W + 7 LUTs
 * for W data bits on xc7, xcup and iCE40 alike (W = 8: 15). The MVAU and activation fits
 * scale it with their `out` coefficient; this test holds the structure they scale.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skidResources } from '../../server/src/cost/resources.js';
import { findTool } from '../../server/src/flows/tools.js';
import { moduleLuts, synthCommand, type SynthFamily } from './calibration/synth.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATE = readFileSync(path.join(root, 'hw-templates/qnn_skid.sv'), 'utf8');

/** qnn_skid of W data bits with every port at the top, so nothing is optimised away. */
function skidTop(name: string, w: number): string {
  return [
    TEMPLATE,
    `module ${name} (input logic clk, input logic rst_n, output logic en, input logic in_valid, input logic [${w - 1}:0] in_data,`,
    `  input logic in_last, output logic [${w - 1}:0] d, output logic v, input logic r, output logic l);`,
    `  qnn_skid #(.W(${w})) u (.clk(clk), .rst_n(rst_n), .en(en), .in_valid(in_valid), .in_data(in_data), .in_last(in_last),`,
    '    .m_axis_tdata(d), .m_axis_tvalid(v), .m_axis_tready(r), .m_axis_tlast(l));',
    'endmodule',
    '',
  ].join('\n');
}

describe.skipIf(!findTool('yosys'))('qnn_skid against Yosys', () => {
  for (const family of ['xilinx', 'xcup', 'ice40'] as SynthFamily[]) {
    it(`skidResources counts its LUTs (${family})`, async () => {
      const widths = [1, 8, 16];
      const built = await Promise.all(
        widths.map((w) => moduleLuts('skid-1', `skid_${w}`, skidTop(`skid_${w}`, w), synthCommand(`skid_${w}`, family), family, 300_000)),
      );
      expect(built).toEqual(widths.map((w) => skidResources(w).lut));
    }, 600_000);
  }
});
