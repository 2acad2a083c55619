/** The open iCE40 flow's commands (flows/open/script.ts): what Yosys, nextpnr and icepack are asked to do. */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { findDevice } from '../../../server/src/device/devices.js';
import { XILINX_KEEP_ROMS, yosysSynthCommands } from '../../../server/src/rtl/yosys-script.js';
import {
  bitstreamName,
  buildShellScript,
  icepackArgs,
  nextpnrArgs,
  OPEN_OUTPUTS,
  yosysBuildScript,
  type OpenFlowDesign,
} from '../../../server/src/flows/open/script.js';

const root = path.resolve('/tmp/proj/build/net');
const design = (over: Partial<OpenFlowDesign> = {}): OpenFlowDesign => ({
  rtlDir: path.join(root, 'rtl'),
  sources: ['qnn_mvau.sv', 'net_d1.sv', 'net_top.sv'],
  top: 'net_top',
  device: findDevice('ice40up5k')!,
  clockMhz: 24,
  pcf: null,
  ...over,
});
const out = path.join(root, 'bitstream');

describe('open flow scripts', () => {
  it('Yosys reads the sources in order in the RTL folder and writes the netlist and statistics to the build folder', () => {
    const ys = yosysBuildScript(design(), out).split('\n');
    expect(ys).toContain('read_verilog -sv qnn_mvau.sv net_d1.sv net_top.sv');
    expect(ys).toContain('hierarchy -check -top net_top');
    expect(ys).toContain('synth_ice40 -top net_top -dsp -json ../bitstream/design.json');
    expect(ys).toContain('tee -o ../bitstream/yosys-stat.txt stat');
  });

  it('refuses a source name a Yosys script cannot hold', () => {
    expect(() => yosysBuildScript(design({ sources: ['my file.sv'] }), out)).toThrow(/space or a quote/);
  });

  it('nextpnr gets the part, package, clock and report; without pins it places the I/O itself', () => {
    const a = nextpnrArgs(design());
    expect(a.slice(0, 3)).toEqual(['--up5k', '--package', 'sg48']);
    expect(a[a.indexOf('--freq') + 1]).toBe('24');
    expect(a).toContain('--pcf-allow-unconstrained');
    expect(a).toContain('--timing-allow-fail');
    expect(a[a.indexOf('--report') + 1]).toBe(OPEN_OUTPUTS.pnrReport);
    const withPins = nextpnrArgs(design({ pcf: 'icebreaker.pcf' }));
    expect(withPins[withPins.indexOf('--pcf') + 1]).toBe('icebreaker.pcf');
    expect(withPins).not.toContain('--pcf-allow-unconstrained');
    const hx = nextpnrArgs(design({ device: findDevice('ice40hx8k')! }));
    expect(hx.slice(0, 3)).toEqual(['--hx8k', '--package', 'ct256']);
  });

  it('is for iCE40 parts only', () => {
    expect(() => nextpnrArgs(design({ device: findDevice('xc7z020')! }))).toThrow(/not an iCE40 part/);
  });

  it('icepack turns the .asc into <top>.bin, and build.sh repeats the three commands', () => {
    expect(icepackArgs(design())).toEqual(['design.asc', bitstreamName('net_top')]);
    const sh = buildShellScript(design(), out);
    expect(sh).toContain('(cd ../rtl && yosys -q -s ../bitstream/synth_ice40.ys)');
    expect(sh).toMatch(/^nextpnr-ice40 --up5k --package sg48 /m);
    expect(sh).toContain('icepack design.asc net_top.bin');
  });
});

describe('the synthesis commands (rtl/yosys-script.ts yosysSynthCommands)', () => {
  it('map multipliers to DSP blocks unless asked not to (the calibration LUT multiplier table)', () => {
    expect(yosysSynthCommands('t', { family: 'ice40' })).toEqual(['synth_ice40 -top t -dsp']);
    expect(yosysSynthCommands('t', { family: 'ice40' }, { dsp: false })).toEqual(['synth_ice40 -top t']);
    const [keep, xilinx, ...after] = yosysSynthCommands('t', { family: 'xilinx', xilinx: 'xcup' }, { dsp: false });
    expect(keep).toBe(XILINX_KEEP_ROMS);
    expect(xilinx).toBe('synth_xilinx -family xcup -top t -flatten -nodsp');
    expect(after).toEqual(yosysSynthCommands('t', { family: 'xilinx', xilinx: 'xcup' }).slice(2));
  });
});
