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

/** The widths the table covers: signed and unsigned weights of 2 to 8 bits, inputs of 1 to 8 bits. */
export const TABLE_WEIGHT_BITS = [2, 3, 4, 5, 6, 7, 8];
export const TABLE_INPUT_BITS = [1, 2, 3, 4, 5, 6, 7, 8];

/**
 * One registered product, as qnn_mvau's int lane forms it: an unsigned operand zero-extended
 * to a signed one, the product PNAT bits wide (w + a, one more when both are unsigned).
 */
function productModule(name: string, w: number, wSigned: boolean, a: number, aSigned: boolean): string {
  const avw = aSigned ? a : a + 1;
  const p = w + a + (!wSigned && !aSigned ? 1 : 0);
  const av = aSigned ? '$signed(a)' : "$signed({1'b0, a})";
  // A signed weight is the module's signed input; an unsigned one is zero-extended like `av`.
  const weight = wSigned
    ? { port: `input logic signed [${w - 1}:0] wv`, lines: [] }
    : { port: `input logic [${w - 1}:0] w`, lines: [`  logic signed [${w}:0] wv;`, `  assign wv = $signed({1'b0, w});`] };
  return [
    `module ${name} (input logic clk, ${weight.port}, input logic [${a - 1}:0] a, output logic signed [${p - 1}:0] y);`,
    ...weight.lines,
    `  logic signed [${avw - 1}:0] av;`,
    `  assign av = ${av};`,
    `  always_ff @(posedge clk) y <= ${p}'(av) * ${p}'(wv);`,
    'endmodule',
    '',
  ].join('\n');
}

/** Yosys' LUT count (LUT6 on Xilinx, SB_LUT4 on iCE40) for one w × a product, cached. */
export async function productLuts(w: number, wSigned: boolean, a: number, aSigned: boolean, family: SynthFamily): Promise<number> {
  const name = `mul_${wSigned ? '' : 'u'}${w}_${a}_${aSigned ? 's' : 'u'}`;
  const source = productModule(name, w, wSigned, a, aSigned);
  const command = synthCommand(name, family, { dsp: false });
  return moduleLuts('lut-multiplier-1', name, source, command, family, 300_000);
}

/** The whole table for one coefficient set, in key order (signed weights, then unsigned; w, then a, then u before s). */
export async function measureLutMultipliers(family: SynthFamily): Promise<Record<string, number>> {
  const cases = [true, false].flatMap((ws) =>
    TABLE_WEIGHT_BITS.flatMap((w) =>
      TABLE_INPUT_BITS.flatMap((a) => (a === 1 ? [[ws, w, a, false] as const] : [[ws, w, a, false] as const, [ws, w, a, true] as const])),
    ),
  );
  const luts = await Promise.all(cases.map(([ws, w, a, s]) => productLuts(w, ws, a, s, family)));
  return Object.fromEntries(cases.map(([ws, w, a, s], i) => [lutMultiplierKey(w, ws, a, s), luts[i]]));
}
