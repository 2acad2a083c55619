/**
 * Simulation of stream engines and generated designs (hardware.md §7).
 *
 * Typical engine test:
 *
 *   const input = packWords(values, 4, SIMD, 'int');            // element 0 in the LSBs
 *   const r = await simulate({
 *     simulator: 'verilator',                                   // or 'icarus' (same testbench)
 *     sources: ['hw-templates/mvau.sv'], top: 'mvau',
 *     params: { MW: 16, MH: 8, PE: 2, SIMD: 4, WEIGHT_FILE: weightsHex },
 *     inWidth: 4 * SIMD, outWidth: 8 * PE,
 *     workDir: tmp, input, expected: frames * NF, inputWordsPerFrame: SF,
 *     stall: { inValid: 0.3, outReady: 0.3, seed: 7 },          // default on; noStall: true for timing
 *   });
 *   expect(r.stalled).toBeNull();
 *   expect(unpackWords(r.outputs, 8, PE, 'int')).toEqual(golden);
 *   expect(r.ii).toBe(NF * SF);                                  // with noStall: true
 */
export * from './runner.js';
export * from './testbench.js';
export * from './words.js';
export * from './lint.js';
