/**
 * The iCEBreaker board shell (docs/board-icebreaker.md): a top level `qnn_icebreaker_top`
 * that puts the compiled accelerator behind the board's FTDI UART (qnn_uart_bridge.sv),
 * clocks it from the 12 MHz oscillator (directly, or through the iCE40 PLL), resets it at
 * power-on and shows its state on the two LEDs; and the pin constraints (.pcf).
 */
import * as path from 'node:path';
import { templatesDir, templatesInDependencyOrder } from '../../rtl/templates.js';
import { ice40Pll, ICE40_PLL_LIMITS, type Ice40Pll } from './ice40-pll.js';
import { bytesPerWord } from './uart-frames.js';

export const ICEBREAKER_TOP = 'qnn_icebreaker_top';
/** The board's oscillator, MHz. */
export const ICEBREAKER_OSC_MHZ = 12;
/** The shell's ports and their iCEBreaker (iCE40UP5K-SG48) pins. */
export const ICEBREAKER_PINS = {
  CLK: 35, // 12 MHz oscillator
  RX: 6, // FTDI channel B TX → FPGA
  TX: 9, // FPGA → FTDI channel B RX
  LEDR_N: 11, // red LED, active low
  LEDG_N: 37, // green LED, active low
} as const;
/** Largest baud-rate error the shell accepts, per cent (8N1 receivers tolerate a few per cent in all). */
export const MAX_BAUD_ERROR_PERCENT = 2;
/** The template modules the shell instantiates, each after the modules it instantiates. */
export const ICEBREAKER_SHELL_TEMPLATES: readonly string[] = ['qnn_uart_rx', 'qnn_uart_tx', 'qnn_uart_bridge'];

/** The shell's template files (absolute paths in hw-templates/), in read order: copy them next to the RTL. */
export function icebreakerShellTemplateFiles(): string[] {
  return templatesInDependencyOrder(ICEBREAKER_SHELL_TEMPLATES).map((m) => path.join(templatesDir(), `${m}.sv`));
}

export interface IcebreakerShellOptions {
  /** The accelerator's top module (the compiled plan's `top`). */
  accelTop: string;
  /** Its input and output stream widths, bits (streamWidth(plan.input), streamWidth(plan.output)). */
  inWidth: number;
  outWidth: number;
  /**
   * Input words per frame (uartFrameLayout): the bridge buffers one whole input frame, which
   * makes the host's rule (send a frame, read its answer, then send the next) lossless.
   */
  inWordsPerFrame: number;
  /** The accelerator clock (`target … @ f`): 12 MHz straight from the oscillator, or 16–275 MHz through the PLL. */
  clockMHz: number;
  /** Default 115200. */
  baud?: number;
  /** Simulation only: clock cycles per UART bit instead of clock / baud (a short bit keeps a simulation short). */
  clksPerBitOverride?: number;
}

export interface IcebreakerShell {
  top: typeof ICEBREAKER_TOP;
  /** The generated sources (the shell's top level), to write next to the accelerator's RTL and read after it and the templates. */
  files: { name: string; text: string }[];
  /** The pin constraints (nextpnr-ice40 --pcf). */
  pcf: string;
  clock: {
    sourceMHz: typeof ICEBREAKER_OSC_MHZ;
    targetMHz: number;
    /** What the accelerator runs at: 12, or the PLL's output. */
    achievedMHz: number;
    /** The PLL's settings, or null when the oscillator clocks the design directly. */
    pll: Ice40Pll | null;
  };
  /** Clock cycles per UART bit (the bridge's CLKS_PER_BIT). */
  clksPerBit: number;
  /** The baud rate asked for, and the one the clock divides to. */
  baud: number;
  achievedBaud: number;
  /** Bytes the bridge buffers: one input frame. */
  fifoBytes: number;
  /**
   * Yosys commands to run before reading the sources when a PLL is instantiated (the
   * SB_PLL40_PAD cell library, so that `hierarchy -check` knows it); empty otherwise.
   */
  yosysPreamble: string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** The clocks the shell can make, in words (error messages). */
const POSSIBLE = `${ICEBREAKER_OSC_MHZ} MHz directly, or ${ICE40_PLL_LIMITS.out.min}–${ICE40_PLL_LIMITS.out.max} MHz through the PLL`;

function positiveInt(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, not ${v}`);
}

/** The clock: the oscillator itself, or the PLL's closest output. */
function shellClock(clockMHz: number): IcebreakerShell['clock'] {
  if (!Number.isFinite(clockMHz) || clockMHz <= 0) throw new Error(`the clock must be a positive number of MHz, not ${clockMHz}`);
  if (clockMHz === ICEBREAKER_OSC_MHZ) return { sourceMHz: ICEBREAKER_OSC_MHZ, targetMHz: clockMHz, achievedMHz: clockMHz, pll: null };
  const pll = ice40Pll(ICEBREAKER_OSC_MHZ, clockMHz);
  if (!pll)
    throw new Error(`the iCEBreaker cannot clock the accelerator at ${clockMHz} MHz: from its 12 MHz oscillator it gives ${POSSIBLE}`);
  return { sourceMHz: ICEBREAKER_OSC_MHZ, targetMHz: clockMHz, achievedMHz: pll.achievedMHz, pll };
}

const mhz = (f: number): string => `${Number(f.toFixed(6))} MHz`;

/** The shell around `accelTop` for the iCEBreaker; throws an Error (its message for users) for a clock or baud it cannot make. */
export function icebreakerShell(opts: IcebreakerShellOptions): IcebreakerShell {
  const baud = opts.baud ?? 115200;
  if (!IDENT.test(opts.accelTop)) throw new Error(`"${opts.accelTop}" is not a module name`);
  if (opts.accelTop === ICEBREAKER_TOP) throw new Error(`the accelerator cannot be called ${ICEBREAKER_TOP}`);
  positiveInt('the input width', opts.inWidth);
  positiveInt('the output width', opts.outWidth);
  positiveInt('the input words per frame', opts.inWordsPerFrame);
  positiveInt('the baud rate', baud);
  const clock = shellClock(opts.clockMHz);
  const hz = clock.achievedMHz * 1e6;
  let clksPerBit: number;
  if (opts.clksPerBitOverride !== undefined) {
    positiveInt('clksPerBitOverride', opts.clksPerBitOverride);
    clksPerBit = opts.clksPerBitOverride;
  } else {
    clksPerBit = Math.round(hz / baud);
    const errPct = (Math.abs(hz / clksPerBit - baud) / baud) * 100;
    if (clksPerBit < 4 || errPct > MAX_BAUD_ERROR_PERCENT)
      throw new Error(
        `${baud} baud cannot be made from ${mhz(clock.achievedMHz)}: ${clksPerBit} clock cycles a bit give ${Math.round(hz / Math.max(1, clksPerBit))} baud` +
          (clksPerBit < 4
            ? ' (the UART needs at least 4 cycles a bit)'
            : `, ${errPct.toFixed(1)} % off (at most ${MAX_BAUD_ERROR_PERCENT} %)`) +
          ': choose a lower baud rate or another clock',
      );
  }
  if (clksPerBit < 4) throw new Error(`the UART needs at least 4 clock cycles a bit, not ${clksPerBit}`);
  const fifoBytes = opts.inWordsPerFrame * bytesPerWord(opts.inWidth);
  const text = topText({ ...opts, clock, clksPerBit, baud, fifoBytes });
  return {
    top: ICEBREAKER_TOP,
    files: [{ name: `${ICEBREAKER_TOP}.sv`, text }],
    pcf: pcfText(),
    clock,
    clksPerBit,
    baud,
    achievedBaud: hz / clksPerBit,
    fifoBytes,
    yosysPreamble: clock.pll ? ['read_verilog -lib +/ice40/cells_sim.v'] : [],
  };
}

function pcfText(): string {
  const lines = ['# iCEBreaker pins of qnn_icebreaker_top (generated by qnn-fpga).'];
  for (const [port, pin] of Object.entries(ICEBREAKER_PINS)) lines.push(`set_io -nowarn ${port} ${pin}`);
  return lines.join('\n') + '\n';
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
const bin = (v: number, bits: number): string => `${bits}'b${v.toString(2).padStart(bits, '0')}`;

function topText(
  o: IcebreakerShellOptions & { clock: IcebreakerShell['clock']; clksPerBit: number; baud: number; fifoBytes: number },
): string {
  const pll = o.clock.pll;
  // The red LED blinks at about 3 Hz after an error: the top bit of a free-running counter.
  const blinkBits = Math.max(2, Math.ceil(Math.log2((o.clock.achievedMHz * 1e6) / 3)));
  const sim = o.clksPerBitOverride !== undefined;
  const clockText = pll
    ? `  // ${mhz(o.clock.achievedMHz)} from the 12 MHz oscillator (asked: ${mhz(o.clock.targetMHz)}): f_out = 12 MHz / (DIVR + 1) * (DIVF + 1) / 2^DIVQ.
  // Simulators pass the oscillator straight through (no PLL model): the design then runs
  // at the oscillator's rate, cycle for cycle the same.
\`ifdef SYNTHESIS
  SB_PLL40_PAD #(
    .FEEDBACK_PATH("SIMPLE"),
    .DIVR(${bin(pll.divr, 4)}),
    .DIVF(${bin(pll.divf, 7)}),
    .DIVQ(${bin(pll.divq, 3)}),
    .FILTER_RANGE(${bin(pll.filterRange, 3)})
  ) pll (
    .PACKAGEPIN(CLK),
    .PLLOUTGLOBAL(clk),
    .LOCK(pll_lock),
    .RESETB(1'b1),
    .BYPASS(1'b0)
  );
\`else
  assign clk = CLK;
  assign pll_lock = 1'b1;
\`endif`
    : `  // The 12 MHz oscillator clocks the design directly.
  assign clk = CLK;
  assign pll_lock = 1'b1;`;
  return `// ${ICEBREAKER_TOP}: generated by qnn-fpga (server/src/flows/board/icebreaker.ts). Do not edit.
// The iCEBreaker shell around ${o.accelTop} (docs/board-icebreaker.md):
//   clock   ${mhz(o.clock.achievedMHz)}${pll ? ' from the PLL' : ' (the oscillator)'}
//   UART    8N1, ${sim ? `${o.clksPerBit} cycles a bit (a simulation setting)` : `${o.baud} baud (${o.clksPerBit} cycles a bit)`}, on the FTDI's second channel
//   bytes   input words of ${count(o.inWidth, 'bit')} as ${count(bytesPerWord(o.inWidth), 'byte')}, output words of ${count(o.outWidth, 'bit')} as ${count(bytesPerWord(o.outWidth), 'byte')}, least significant first
//   host    sends one frame (${o.fifoBytes} bytes, which the bridge can hold), reads its whole answer, then sends the next
//   LEDs    red while a frame is in flight, blinking after a lost byte (reload to clear); green toggles per answered frame
module ${ICEBREAKER_TOP} (
  input  logic CLK,     // pin ${ICEBREAKER_PINS.CLK}: 12 MHz oscillator
  input  logic RX,      // pin ${ICEBREAKER_PINS.RX}: UART from the host (FTDI TX)
  output logic TX,      // pin ${ICEBREAKER_PINS.TX}: UART to the host (FTDI RX)
  output logic LEDR_N,  // pin ${ICEBREAKER_PINS.LEDR_N}: red LED, active low
  output logic LEDG_N   // pin ${ICEBREAKER_PINS.LEDG_N}: green LED, active low
);
  logic clk, pll_lock;
${clockText}

  // Power-on reset: the iCE40 clears every flip-flop at configuration; rst_n rises 255
  // cycles after the clock is stable (the PLL locked).
  logic lock_meta = 1'b0, lock_s = 1'b0;
  logic [7:0] por = 8'd0;
  logic rst_n;
  always_ff @(posedge clk) {lock_s, lock_meta} <= {lock_meta, pll_lock};
  always_ff @(posedge clk) begin
    if (!lock_s) por <= 8'd0;
    else if (!rst_n) por <= por + 8'd1;
  end
  assign rst_n = &por;

  // The accelerator's streams.
  logic [${o.inWidth - 1}:0] in_tdata;
  logic in_tvalid, in_tready;
  logic [${o.outWidth - 1}:0] out_tdata;
  logic out_tvalid, out_tready, out_tlast;

  ${o.accelTop} accel (
    .clk(clk),
    .rst_n(rst_n),
    .s_axis_tdata(in_tdata),
    .s_axis_tvalid(in_tvalid),
    .s_axis_tready(in_tready),
    .m_axis_tdata(out_tdata),
    .m_axis_tvalid(out_tvalid),
    .m_axis_tready(out_tready),
    .m_axis_tlast(out_tlast)
  );

  logic tx, busy, frame_done, overflow, rx_error;
  qnn_uart_bridge #(
    .IN_W(${o.inWidth}),
    .OUT_W(${o.outWidth}),
    .CLKS_PER_BIT(${o.clksPerBit}),
    .FIFO_BYTES(${o.fifoBytes})
  ) bridge (
    .clk(clk),
    .rst_n(rst_n),
    .rx(RX),
    .tx(tx),
    .m_axis_tdata(in_tdata),
    .m_axis_tvalid(in_tvalid),
    .m_axis_tready(in_tready),
    .s_axis_tdata(out_tdata),
    .s_axis_tvalid(out_tvalid),
    .s_axis_tready(out_tready),
    .s_axis_tlast(out_tlast),
    .busy(busy),
    .frame_done(frame_done),
    .overflow(overflow),
    .rx_error(rx_error)
  );
  // The line stays idle (high) while in reset: the flip-flops start at 0.
  assign TX = tx || !rst_n;

  // LEDs.
  logic green;
  logic [${blinkBits - 1}:0] blink;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      green <= 1'b0;
      blink <= '0;
    end else begin
      if (frame_done) green <= !green;
      blink <= blink + 1'b1;
    end
  end
  assign LEDG_N = !green;
  assign LEDR_N = !((overflow || rx_error) ? blink[${blinkBits - 1}] : busy);
endmodule
`;
}
