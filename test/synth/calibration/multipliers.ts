/**
 * The LUT multiplier table (COST_CONSTANTS.lutMultipliers): what Yosys builds for one
 * registered w × a product in LUTs, per coefficient set, measured rather than fitted. The
 * product is written as qnn_mvau writes its int lanes (`PRODW'(av) * PRODW'(wv)`, an
 * unsigned input zero-extended to a signed one), and synthesised without DSPs
 * (`synth_xilinx -nodsp` and the flow's commands after it; `synth_ice40` without `-dsp`), so
 * the table also prices the lanes `mul=lut` moves out of DSPs. Results are cached by content
 * beside the block syntheses (synth.ts).
 */
import { lutMultiplierKey } from '../../../server/src/cost/resources.js';
import { moduleLuts, synthCommand, type SynthFamily } from './synth.js';

/** The widths the table covers: signed weights of 2 to 8 bits, inputs of 1 to 8 bits. */
export const TABLE_WEIGHT_BITS = [2, 3, 4, 5, 6, 7, 8];
export const TABLE_INPUT_BITS = [1, 2, 3, 4, 5, 6, 7, 8];

/** One registered product, as qnn_mvau's int lane forms it. */
function productModule(name: string, w: number, a: number, aSigned: boolean): string {
  const avw = aSigned ? a : a + 1;
  const p = w + a;
  const av = aSigned ? '$signed(a)' : "$signed({1'b0, a})";
  return [
    `module ${name} (input logic clk, input logic signed [${w - 1}:0] wv, input logic [${a - 1}:0] a, output logic signed [${p - 1}:0] y);`,
    `  logic signed [${avw - 1}:0] av;`,
    `  assign av = ${av};`,
    `  always_ff @(posedge clk) y <= ${p}'(av) * ${p}'(wv);`,
    'endmodule',
    '',
  ].join('\n');
}

/** Yosys' LUT count (LUT6 on Xilinx, SB_LUT4 on iCE40) for one w × a product, cached. */
export async function productLuts(w: number, a: number, aSigned: boolean, family: SynthFamily): Promise<number> {
  const name = `mul_${w}_${a}_${aSigned ? 's' : 'u'}`;
  const source = productModule(name, w, a, aSigned);
  const command = synthCommand(name, family, { dsp: false });
  return moduleLuts('lut-multiplier-1', name, source, command, family, 300_000);
}

/** The whole table for one coefficient set, in key order (w, then a, then u before s). */
export async function measureLutMultipliers(family: SynthFamily): Promise<Record<string, number>> {
  const cases = TABLE_WEIGHT_BITS.flatMap((w) =>
    TABLE_INPUT_BITS.flatMap((a) => (a === 1 ? [[w, a, false] as const] : [[w, a, false] as const, [w, a, true] as const])),
  );
  const luts = await Promise.all(cases.map(([w, a, s]) => productLuts(w, a, s, family)));
  return Object.fromEntries(cases.map(([w, a, s], i) => [lutMultiplierKey(w, a, s), luts[i]]));
}
