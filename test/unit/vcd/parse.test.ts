/**
 * The VCD reader (server/src/flows/vcd/) on small hand-written dumps: every construct of
 * IEEE 1364 §18 the tools write (scopes, aliases sharing a code, vectors extended by the
 * standard's rule, x/z, reals, dump blocks, comments), CRLF, chunk boundaries anywhere, and
 * files cut short (an error naming the line). The real files of other tools are the
 * fixtures suite's (test/fixtures/vcd.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVcd, parseVcd, VcdError, VcdParser } from '../../../server/src/flows/vcd/parse.js';
import type { Vcd } from '../../../server/src/flows/vcd/vcd.js';

const SMALL = `$date today $end
$version hand-written $end
$comment a comment with $var inside words $end
$timescale 10 ns $end
$scope module top $end
$var wire 1 ! clk $end
$var wire 4 " data [3:0] $end
$scope module sub $end
$var wire 1 ! clk_alias $end
$var reg 8 # count[7:0] $end
$var real 64 $ temp $end
$var wire 70 % wide [69:0] $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
bx "
b0 #
r1.5 $
bz1 %
$end
#5
1!
b1 "
b101 #
$comment mid-file $end
#10
0!
bz0x1 "
b1111111111 #
b1${'0'.repeat(68)}1 %
#15
1!
b10 "
b10 "
r-2.25e3 $
#20
`;

/** Every var's every change, as text (the whole index, compared between readings). */
function dump(v: Vcd): string[] {
  const out: string[] = [];
  for (const x of v.header.vars) {
    const s = v.signalOf(x);
    const ch: string[] = [];
    for (let i = 0; i < s.count; i++) ch.push(`${v.timeOf(s, i)}=${s.bits(i)}`);
    out.push(`${x.path} ${x.width} ${ch.join(' ')}`);
  }
  return out;
}

describe('VCD reader', () => {
  const v = parseVcd(SMALL);

  it('reads the header: timescale, version, date, the scope tree and every var', () => {
    expect(v.timescale).toEqual({ magnitude: 10, unit: 'ns', seconds: 10e-9 });
    expect(v.header.version).toBe('hand-written');
    expect(v.header.date).toBe('today');
    expect(v.scopes.map((s) => s.path)).toEqual(['top']);
    expect(v.scopes[0]!.scopes.map((s) => s.path)).toEqual(['top.sub']);
    expect(v.header.vars.map((x) => [x.path, x.width, x.range, x.type])).toEqual([
      ['top.clk', 1, '', 'wire'],
      ['top.data', 4, '[3:0]', 'wire'],
      ['top.sub.clk_alias', 1, '', 'wire'],
      ['top.sub.count', 8, '[7:0]', 'reg'],
      ['top.sub.temp', 64, '', 'real'],
      ['top.sub.wide', 70, '[69:0]', 'wire'],
    ]);
    expect(v.endTime).toBe(20);
    expect(v.warnings).toEqual([]);
  });

  it('aliases (one identifier code) are one signal with both names', () => {
    const clk = v.find('top.clk')!;
    const alias = v.find('top.sub.clk_alias')!;
    expect(alias.signal).toBe(clk.signal);
    expect(v.signals).toHaveLength(5);
    expect(v.changesIn(alias, 0, 100).map((c) => [c.time, c.value])).toEqual([
      [0, 0n],
      [5, 1n],
      [10, 0n],
      [15, 1n],
    ]);
  });

  it('a change at time 0 is the value from time 0; before a first change there is none', () => {
    expect(v.valueAt(v.find('top.clk')!, 0)).toBe(0n);
    expect(v.valueAt(v.find('top.clk')!, 4)).toBe(0n);
    expect(v.valueAt(v.find('top.clk')!, 5)).toBe(1n);
    const late = parseVcd('$scope module m $end $var wire 1 ! a $end $upscope $end $enddefinitions $end #3 1! #7 0!');
    expect(late.valueAt(late.find('m.a')!, 2)).toBeUndefined();
    expect(late.valueAt(late.find('m.a')!, 3)).toBe(1n);
  });

  it('extends short vectors with 0, or with x/z when the first digit is x/z, and keeps x/z bits', () => {
    const data = v.find('top.data')!;
    expect(v.valueAt(data, 0)).toBe('xxxx');
    expect(v.valueAt(data, 5)).toBe(1n);
    expect(v.valueAt(data, 10)).toBe('z0x1');
    expect(v.valueAt(data, 15)).toBe(2n);
    const wide = v.find('top.sub.wide')!;
    expect(v.valueAt(wide, 0)).toBe('z'.repeat(69) + '1');
    expect(v.valueAt(wide, 10)).toBe((1n << 69n) | 1n);
    expect(v.signalOf(wide).isXz(0)).toBe(true);
  });

  it('a value wider than the var keeps its low bits; reals are numbers', () => {
    expect(v.valueAt(v.find('top.sub.count')!, 10)).toBe(0xffn);
    expect(v.valueAt(v.find('top.sub.temp')!, 0)).toBe(1.5);
    expect(v.valueAt(v.find('top.sub.temp')!, 19)).toBe(-2250);
  });

  it('two changes of a signal at one time are one change (the later value)', () => {
    expect(v.changesIn(v.find('top.data')!, 15, 15)).toEqual([{ time: 15, value: 2n }]);
    const again = parseVcd('$scope module m $end $var wire 1 ! a $end $upscope $end $enddefinitions $end #0 0! 1! #4 0! #4 1!');
    expect(again.changesIn(again.find('m.a')!, 0, 9)).toEqual([
      { time: 0, value: 1n },
      { time: 4, value: 1n },
    ]);
  });

  it('changesIn and valueAt agree at every time', () => {
    for (const x of v.header.vars) {
      const ch = v.changesIn(x, 0, v.endTime);
      for (let t = 0; t <= v.endTime; t++) {
        const last = ch.filter((c) => c.time <= t).pop();
        expect(v.valueAt(x, t)).toEqual(last?.value);
      }
    }
  });

  it('reads CRLF line ends as LF ones, and gives the same index for any chunking', () => {
    const lf = dump(v);
    expect(dump(parseVcd(SMALL.replace(/\n/g, '\r\n')))).toEqual(lf);
    for (const size of [1, 2, 3, 7, 64]) {
      const p = new VcdParser();
      const text = size === 3 ? SMALL.replace(/\n/g, '\r\n') : SMALL;
      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
      expect(dump(p.end())).toEqual(lf);
    }
  });

  it('counts lines like an editor', () => {
    expect(v.stats.lines).toBe(SMALL.split('\n').length - 1);
  });

  it('skips changes of a code no $var declares, with a warning naming the line', () => {
    const w = parseVcd('$scope module m $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n#0\n1!\n1?\n');
    expect(w.warnings).toEqual(['line 4: a value change of code "?", which no $var declares (skipped)']);
    expect(w.valueAt(w.find('m.a')!, 0)).toBe(1n);
  });

  it('a file cut short is an error naming the line', () => {
    const cut = (text: string): VcdError => {
      try {
        parseVcd(text);
      } catch (e) {
        expect(e).toBeInstanceOf(VcdError);
        return e as VcdError;
      }
      throw new Error('no error');
    };
    // Inside a $var of the header.
    const header = SMALL.slice(0, SMALL.indexOf('$var reg 8') + 14);
    expect(cut(header).message).toBe('line 10: the file ends inside $var (opened on line 10, no $end): it is cut short');
    // Before $enddefinitions.
    expect(cut(SMALL.slice(0, SMALL.indexOf('$enddefinitions'))).message).toMatch(/^line 15: the file ends before \$enddefinitions/);
    // A vector value without its code (the last line is "b10").
    const lines = SMALL.split('\n');
    const atB10 = lines.indexOf('b10 "');
    const e = cut(lines.slice(0, atB10).join('\n') + '\nb10');
    expect(e.line).toBe(atB10 + 1);
    expect(e.message).toContain('without its identifier code');
    // A scalar value without its code.
    expect(cut(lines.slice(0, atB10).join('\n') + '\n1').message).toBe(`line ${atB10 + 1}: the value change "1" has no identifier code`);
    // Inside a dump block's comment.
    expect(cut(SMALL.slice(0, SMALL.indexOf('mid-file') + 3)).message).toMatch(/the file ends inside \$comment/);
  });

  it('rejects what is not a VCD, with the line', () => {
    expect(() => parseVcd('hello world')).toThrow(/^line 1: "hello" in the header/);
    expect(() => parseVcd('$timescale 3 ns $end')).toThrow(/^line 1: \$timescale "3ns"/);
    expect(() => parseVcd('$enddefinitions $end\n#5\n#4\n')).toThrow(/^line 3: time #4 is earlier than #5/);
    expect(() => parseVcd('$scope module m $end $var wire 1 ! a $end $upscope $end $enddefinitions $end\n#0\nb12 !\n')).toThrow(
      /^line 3: "b12" is not a binary value/,
    );
  });

  describe('loadVcd (the file read in chunks)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qnn-vcd-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('gives the same index as the whole text, for chunks smaller than a token', async () => {
      const file = path.join(dir, 'small.vcd');
      writeFileSync(file, SMALL.replace(/\n/g, '\r\n'));
      const progress: number[] = [];
      const loaded = await loadVcd(file, { chunkBytes: 5, onProgress: (r) => progress.push(r) });
      expect(dump(loaded)).toEqual(dump(v));
      expect(progress.at(-1)).toBe(Buffer.byteLength(SMALL.replace(/\n/g, '\r\n')));
    });

    it('a cut file read in chunks names the same line', async () => {
      const file = path.join(dir, 'cut.vcd');
      const text = SMALL.slice(0, SMALL.indexOf('bz0x1') + 5);
      writeFileSync(file, text);
      await expect(loadVcd(file, { chunkBytes: 16 })).rejects.toThrow(
        `line ${text.split('\n').length}: the file ends after the value "bz0x1"`,
      );
    });
  });
});
