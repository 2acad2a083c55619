/**
 * The adder-tree table (COST_CONSTANTS.adderTrees): what Yosys builds for an MVAU's adder
 * tree in LUTs, per coefficient set, measured rather than fitted. The tree is written as
 * qnn_mvau writes its own (a balanced binary tree of signed leaves, one bit wider per
 * level), between registers. Yosys does not build it as the binary tree it reads: `alumacc`
 * merges the whole sum into one `$macc`, which becomes a carry-save tree of full adders and
 * one final adder, so past a handful of leaves it costs about two LUTs per leaf bit where a
 * tree of carry-chain adders would take one (32 leaves of 4 bits: 279 LUT6 built, 181 as a
 * binary tree). It is synthesised with the flow's own commands (synth.ts `synthCommand`);
 * results are cached by content beside the block syntheses.
 */
import { adderTreeKey } from '../../../server/src/cost/resources.js';
import { moduleLuts, synthCommand, type SynthFamily } from './synth.js';

/** The trees the table covers: 2 to 64 leaves of 1 to 16 bits (resources.ts interpolates between them). */
export const TABLE_TREE_LEAVES = [2, 3, 4, 6, 8, 12, 16, 24, 32, 64];
export const TABLE_TREE_BITS = [1, 2, 3, 4, 6, 8, 12, 16];

/** A registered tree of `n` signed `w`-bit leaves, as qnn_mvau's g_level builds it. */
function treeModule(name: string, n: number, w: number): string {
  const levels = Math.ceil(Math.log2(n));
  const nodes = 2 ** levels;
  const out = w + levels;
  const lines = [
    `module ${name} (input logic clk, input logic [${n * w - 1}:0] x, output logic signed [${out - 1}:0] y);`,
    `  logic [${n * w - 1}:0] xq;`,
  ];
  for (let l = 0; l <= levels; l++) lines.push(`  logic [${(nodes >> l) * (w + l) - 1}:0] v${l};`);
  for (let i = 0; i < nodes; i++)
    lines.push(`  assign v0[${i * w + w - 1}:${i * w}] = ${i < n ? `xq[${i * w + w - 1}:${i * w}]` : `${w}'d0`};`);
  for (let l = 1; l <= levels; l++) {
    const a = w + l - 1;
    const b = w + l;
    for (let i = 0; i < nodes >> l; i++) {
      const lhs = `$signed(v${l - 1}[${2 * i * a + a - 1}:${2 * i * a}])`;
      const rhs = `$signed(v${l - 1}[${(2 * i + 1) * a + a - 1}:${(2 * i + 1) * a}])`;
      lines.push(`  assign v${l}[${i * b + b - 1}:${i * b}] = ${b}'(${lhs}) + ${b}'(${rhs});`);
    }
  }
  lines.push(`  always_ff @(posedge clk) begin xq <= x; y <= $signed(v${levels}); end`, 'endmodule', '');
  return lines.join('\n');
}

/** Yosys' LUT count (LUT6 on Xilinx, SB_LUT4 on iCE40) for a tree of `n` signed `w`-bit leaves, cached. */
export async function treeLuts(n: number, w: number, family: SynthFamily): Promise<number> {
  const name = `tree_${n}_${w}`;
  const source = treeModule(name, n, w);
  const command = synthCommand(name, family);
  return moduleLuts('adder-tree-1', name, source, command, family, 600_000);
}

/** The whole table for one coefficient set, in key order (leaves, then bits). */
export async function measureAdderTrees(family: SynthFamily): Promise<Record<string, number>> {
  const cases = TABLE_TREE_LEAVES.flatMap((n) => TABLE_TREE_BITS.map((w) => [n, w] as const));
  const luts = await Promise.all(cases.map(([n, w]) => treeLuts(n, w, family)));
  return Object.fromEntries(cases.map(([n, w], i) => [adderTreeKey(n, w), luts[i]]));
}
