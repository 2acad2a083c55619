/**
 * The iCEBreaker shell generator: clock (oscillator or PLL), baud divisor and its error,
 * the pins, the generated top's parameters and the errors a user sees. The shell's
 * behaviour is simulated in test/hw/uart-shell.test.ts.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ice40Pll } from '../../../server/src/flows/board/ice40-pll.js';
import {
  ICEBREAKER_SHELL_TEMPLATES,
  icebreakerShell,
  icebreakerShellTemplateFiles,
  type IcebreakerShellOptions,
} from '../../../server/src/flows/board/icebreaker.js';

const BASE: IcebreakerShellOptions = { accelTop: 'net_top', inWidth: 12, outWidth: 10, inWordsPerFrame: 4, clockMHz: 12 };

describe('icebreakerShell', () => {
  it('at 12 MHz: the oscillator directly, 104 cycles a bit at 115200 baud, one input frame buffered', () => {
    const s = icebreakerShell(BASE);
    expect(s.top).toBe('qnn_icebreaker_top');
    expect(s.clock).toEqual({ sourceMHz: 12, targetMHz: 12, achievedMHz: 12, pll: null });
    expect(s.clksPerBit).toBe(104);
    expect(s.baud).toBe(115200);
    expect(s.achievedBaud).toBeCloseTo(12e6 / 104, 6);
    expect(s.fifoBytes).toBe(8); // 4 words of 2 bytes
    expect(s.yosysPreamble).toEqual([]);
    expect(s.files.map((f) => f.name)).toEqual(['qnn_icebreaker_top.sv']);
    const text = s.files[0].text;
    expect(text).toMatch(/^module qnn_icebreaker_top \(/m);
    expect(text).not.toMatch(/SB_PLL40_PAD/);
    expect(text).toMatch(/\.IN_W\(12\),\s*\.OUT_W\(10\),\s*\.CLKS_PER_BIT\(104\),\s*\.FIFO_BYTES\(8\)/);
    expect(text).toMatch(/net_top accel \(/);
    for (const port of ['CLK', 'RX', 'TX', 'LEDR_N', 'LEDG_N']) expect(text).toMatch(new RegExp(`logic ${port},?\\s+// pin`));
  });

  it('pins as on the iCEBreaker, set_io -nowarn', () => {
    expect(
      icebreakerShell(BASE)
        .pcf.split('\n')
        .filter((l) => l.startsWith('set_io')),
    ).toEqual([
      'set_io -nowarn CLK 35',
      'set_io -nowarn RX 6',
      'set_io -nowarn TX 9',
      'set_io -nowarn LEDR_N 11',
      'set_io -nowarn LEDG_N 37',
    ]);
  });

  it('another clock through SB_PLL40_PAD for synthesis only, the baud divisor from the achieved clock', () => {
    const s = icebreakerShell({ ...BASE, clockMHz: 50 });
    const pll = ice40Pll(12, 50)!;
    expect(s.clock).toEqual({ sourceMHz: 12, targetMHz: 50, achievedMHz: 50.25, pll });
    expect(s.clksPerBit).toBe(Math.round(50.25e6 / 115200)); // 436
    expect(s.yosysPreamble).toEqual(['read_verilog -lib +/ice40/cells_sim.v']);
    const text = s.files[0].text;
    const synth = /`ifdef SYNTHESIS\n([\s\S]*?)`else\n([\s\S]*?)`endif/.exec(text);
    expect(synth, text).not.toBeNull();
    expect(synth![1]).toContain('SB_PLL40_PAD #(');
    expect(synth![1]).toContain(".DIVR(4'b0000)");
    expect(synth![1]).toContain(`.DIVF(7'b${pll.divf.toString(2).padStart(7, '0')})`);
    expect(synth![1]).toContain(`.DIVQ(3'b${pll.divq.toString(2).padStart(3, '0')})`);
    expect(synth![1]).toContain(".FILTER_RANGE(3'b001)");
    expect(synth![1]).toContain('.PACKAGEPIN(CLK)');
    // Simulators: the clock straight through, locked.
    expect(synth![2]).toContain('assign clk = CLK;');
    expect(synth![2]).toContain("assign pll_lock = 1'b1;");
  });

  it('says which clocks are possible when it cannot make one', () => {
    for (const f of [13, 10, 15.9, 276, 300, 0, -12, Number.NaN]) {
      expect(() => icebreakerShell({ ...BASE, clockMHz: f }), `${f} MHz`).toThrow(
        f > 0 ? /12 MHz directly, or 16–275 MHz through the PLL/ : /positive number of MHz/,
      );
    }
    expect(() => icebreakerShell({ ...BASE, clockMHz: 13 })).toThrow(/cannot clock the accelerator at 13 MHz/);
  });

  it('accepts a baud error up to 2 %, not more, and at least 4 cycles a bit', () => {
    expect(icebreakerShell({ ...BASE, baud: 921600 }).clksPerBit).toBe(13); // 0.16 % off
    expect(icebreakerShell({ ...BASE, baud: 3_000_000 }).clksPerBit).toBe(4); // exact
    // 12 MHz / 2.5 Mbaud = 4.8 → 5 cycles: 2.4 Mbaud, 4 % off.
    expect(() => icebreakerShell({ ...BASE, baud: 2_500_000 })).toThrow(/2400000 baud, 4\.0 % off \(at most 2 %\)/);
    expect(() => icebreakerShell({ ...BASE, baud: 4_000_000 })).toThrow(/at least 4 cycles a bit/);
  });

  it('a simulation override of the cycles a bit', () => {
    const s = icebreakerShell({ ...BASE, clksPerBitOverride: 8 });
    expect(s.clksPerBit).toBe(8);
    expect(s.achievedBaud).toBe(1.5e6);
    expect(s.files[0].text).toMatch(/\.CLKS_PER_BIT\(8\)/);
    expect(s.files[0].text).toMatch(/a simulation setting/);
    expect(() => icebreakerShell({ ...BASE, clksPerBitOverride: 3 })).toThrow(/at least 4 clock cycles a bit/);
  });

  it('rejects impossible accelerators', () => {
    expect(() => icebreakerShell({ ...BASE, accelTop: '1top' })).toThrow(/not a module name/);
    expect(() => icebreakerShell({ ...BASE, accelTop: 'qnn_icebreaker_top' })).toThrow(/cannot be called/);
    expect(() => icebreakerShell({ ...BASE, inWidth: 0 })).toThrow(/input width must be a positive integer/);
    expect(() => icebreakerShell({ ...BASE, inWordsPerFrame: 1.5 })).toThrow(/words per frame/);
  });

  it('lists its templates in read order, all present', () => {
    const files = icebreakerShellTemplateFiles();
    expect(files.map((f) => path.basename(f, '.sv'))).toEqual(['qnn_uart_rx', 'qnn_uart_tx', 'qnn_uart_bridge']);
    expect([...ICEBREAKER_SHELL_TEMPLATES].sort()).toEqual(files.map((f) => path.basename(f, '.sv')).sort());
    for (const f of files) expect(existsSync(f), f).toBe(true);
  });
});
