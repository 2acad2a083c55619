/**
 * The calibration's per-block counts (test/synth/calibration/synth.ts parseStatModules): a
 * module a block keeps inside it (qnn_rom, the MVAU's deep weight ROM) counts in that block,
 * and the top's counts hold every block. Yosys 0.23 `stat` text, as synthBlocks writes it.
 */
import { describe, expect, it } from 'vitest';
import { parseStatModules } from '../../synth/calibration/synth.js';

const STAT = `
=== $paramod$13f4\\qnn_mvau ===

   Number of wires:               2031
   Number of cells:               2472
     $paramod$24f0\\qnn_rom      2
     CARRY4                         36
     FDRE                          119
     LUT6                         1052

=== $paramod$24f0\\qnn_rom ===

   Number of wires:                773
   Number of cells:               1536
     FDRE                          384
     LUT6                          768
     MUXF7                         384

=== top ===

   Number of wires:                 19
   Number of cells:                 49
     $paramod$13f4\\qnn_mvau      1
     BUFG                            1
     LUT2                            3

=== design hierarchy ===

   top                   1
     $paramod$13f4\\qnn_mvau      1
       $paramod$24f0\\qnn_rom      2

   Number of cells:               4055
     LUT6                         2588
`;

describe('calibration: cells per kept module', () => {
  const m = parseStatModules(STAT);

  it('counts a nested kept module in its parent, as many times as it is instantiated', () => {
    expect(m.get('$paramod$13f4\\qnn_mvau')).toEqual({ CARRY4: 36, FDRE: 119 + 2 * 384, LUT6: 1052 + 2 * 768, MUXF7: 2 * 384 });
  });

  it("counts every block in the top's cells, and reads no module from the design hierarchy section", () => {
    expect(m.get('top')).toEqual({ CARRY4: 36, FDRE: 887, LUT6: 2588, MUXF7: 768, BUFG: 1, LUT2: 3 });
    expect([...m.keys()].sort()).toEqual(['$paramod$13f4\\qnn_mvau', '$paramod$24f0\\qnn_rom', 'top']);
  });
});
