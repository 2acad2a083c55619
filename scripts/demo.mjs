#!/usr/bin/env node
// The main job on the bundled example, as the README's first command runs it:
// check every example, estimate, compile and simulate the peak detector (bit-exact
// against the golden model, under random backpressure, with a waveform), build an iCE40
// bitstream of it for the iCEBreaker (Yosys + nextpnr-ice40 + icepack, in its UART shell),
// and write a report to build/peak_detector/report.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const qnn = path.join(root, 'out/cli/qnn.cjs');
const example = path.join(root, 'examples/peak_detector/peak_detector.qnn');
const out = path.join(root, 'build/peak_detector');
mkdirSync(out, { recursive: true });

if (!existsSync(qnn)) {
  console.error('out/cli/qnn.cjs is missing: run `npm run build` first (npm run demo does it).');
  process.exit(1);
}

const report = ['# qnn-fpga: the peak detector, end to end', ''];
function step(title, args, { allowFail = false } = {}) {
  console.log(`\n== ${title}\n$ qnn ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [qnn, ...args], { cwd: root, encoding: 'utf8' });
  const text = (r.stdout + r.stderr).trimEnd();
  console.log(text);
  report.push(
    `## ${title}`,
    '',
    '```',
    `$ qnn ${args.join(' ')}   # ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${r.status}`,
    text,
    '```',
    '',
  );
  if (r.status !== 0 && !allowFail) {
    writeFileSync(path.join(out, 'report.md'), report.join('\n'));
    console.error(`\n${title} failed (exit ${r.status}); the report so far is in ${path.relative(root, path.join(out, 'report.md'))}`);
    process.exit(r.status ?? 1);
  }
  return r;
}

const examples = readdirSync(path.join(root, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(root, 'examples', d.name))
      .filter((f) => f.endsWith('.qnn'))
      .map((f) => path.join('examples', d.name, f)),
  );
step('Check every example', ['check', ...examples]);
step('Estimate the peak detector', ['estimate', path.relative(root, example)]);
step('Compile to Verilog', ['compile', path.relative(root, example), '-o', path.relative(root, out)]);
const sim = step('Simulate on Verilator against the golden model (random backpressure, waveform)', [
  'sim',
  path.relative(root, example),
  '-o',
  path.relative(root, out),
  '--frames',
  '4',
  '--vcd',
  '--json',
]);
const r = JSON.parse(sim.stdout);

// The same network folded for an iCEBreaker (iCE40 UP5K), built to a bitstream in its UART shell.
const board = path.join(root, 'examples/peak_detector_icebreaker/peak_detector_icebreaker.qnn');
const boardOut = path.join(out, 'icebreaker');
step('Build the iCEBreaker bitstream (Yosys synth_ice40, nextpnr-ice40, icepack; UART shell)', [
  'build',
  path.relative(root, board),
  '-o',
  path.relative(root, boardOut),
]);
const b = JSON.parse(readFileSync(path.join(boardOut, 'bitstream', 'report.json'), 'utf8'));
// The logic inside that bitstream, proven end to end: frames through the shell's UART pins.
const shell = step('Simulate the iCEBreaker shell through its UART pins against the golden model', [
  'sim',
  path.relative(root, board),
  '--board',
  '--frames',
  '1',
  '-o',
  path.relative(root, boardOut),
  '--json',
]);
const bs = JSON.parse(shell.stdout);
const u = b.resources.used;

report.push(
  '## Summary',
  '',
  `- ${r.frames} frames, ${r.mismatches} mismatches, II measured ${r.ii.measured} vs ${r.ii.expected} expected (with backpressure), latency ${r.latency.measured} vs ${r.latency.expected}`,
  `- waveform: ${r.waveform}`,
  `- RTL: ${r.rtl}`,
  `- iCEBreaker bitstream: ${path.relative(root, b.bitstream)}; Fmax ${b.fmax_mhz} MHz for ${b.clock_mhz} MHz (${b.clock_met ? 'met' : 'NOT met'}); ${u.lut} of ${b.resources.available.lut} logic cells, ${u.bram18} of ${b.resources.available.bram18} EBRs, ${u.dsp} of ${b.resources.available.dsp} SB_MAC16; ${b.phases.map((p) => `${p.name} ${p.seconds} s`).join(', ')}`,
  `- the shell simulated through its pins: ${bs.frames} frame(s), ${bs.bytes_in} bytes in, ${bs.bytes_out} bytes out, ${bs.mismatches} mismatches against the golden model`,
  '',
);
writeFileSync(path.join(out, 'report.md'), report.join('\n'));
console.log(
  `\nreport: ${path.relative(root, path.join(out, 'report.md'))}\nwaveform: ${path.relative(root, r.waveform)}\nbitstream: ${path.relative(root, b.bitstream)} (flash it with: iceprog ${path.relative(root, b.bitstream)})`,
);
