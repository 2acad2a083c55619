/**
 * `qnn run-board` (out/cli/qnn.cjs) against the simulated iCEBreaker shell through a
 * pseudo-terminal: pty-board.py opens a pty pair and plays the board on the master side,
 * handing each input frame's bytes to `qnn sim FILE --board --input-bytes` (the shell with
 * the accelerator inside, driven through its UART pins) and writing the answer's bytes
 * back. The pty starts in the kernel's default mode (canonical, echo, CR/LF translation),
 * so the frames only get through unchanged if run-board sets the port to raw 8N1; the
 * input frames carry the bytes that mode would change (0x0a, 0x0d, ^C, ^D, ^Q, ^S, 0x7f).
 * Then the error paths that need no board: no such port, a file that is not a port, a
 * device that is not a terminal, a board that never answers; and the serial port module
 * itself (serial.ts) on a pty.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSerialPort, SerialError } from '../../server/src/flows/board/serial.js';
import { findTool, whichSync } from '../../server/src/flows/tools.js';
import { loadNpyFile, writeNpy } from '../../server/src/npy/npy.js';
import { ensureBuilt } from '../lsp/lsp-client.js';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'out/cli/qnn.cjs');
const BRIDGE = path.join(__dirname, 'pty-board.py');
const WORK = path.join(tmpdir(), 'qnn-fpga-hw-tests', 'run-board');
const havePython = whichSync('python3') !== undefined;
const haveVerilator = findTool('verilator') !== undefined;
const onLinux = process.platform === 'linux';

/** uart-shell.test.ts's synthetic network on the iCEBreaker: 8 bytes in (4 words of 12 bits), 6 back (3 of 10 bits) a frame. */
const SYNTHETIC = `network syn {
  target ice40up5k @ 12 MHz, board icebreaker
  input x: u4[12]
  layer d = dense(x, units=6, weights=i3(random, seed=2)) fold(pe=2, simd=3)
  layer r = requant(d, out=i5, scale=0.05)
  output r
}
`;
const IN_BYTES = 8;
const OUT_BYTES = 6;
/**
 * Three frames of u4[12]. A word is 3 elements: its low byte e0 + 16·e1, its high byte e2.
 * Frame 0 sends 0a 03 0d 04 13 0a 7f 0d (LF, ^C, CR, ^D, ^S, 0x7f), frame 1 11 00 ff 0f 04 0a 00 00 (^Q).
 */
const FRAMES = [
  [10, 0, 3, 13, 0, 4, 3, 1, 10, 15, 7, 13],
  [1, 1, 0, 15, 15, 15, 4, 0, 10, 0, 0, 0],
  [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0],
];

const qnnFile = path.join(WORK, 'syn.qnn');
const xNpy = path.join(WORK, 'x.npy');

function qnn(args: string[], timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: WORK, encoding: 'utf8', timeout });
}

/** The fake board: a running pty-board.py, the slave's path, and the lines it has printed since. */
interface Board {
  proc: ChildProcessWithoutNullStreams;
  port: string;
  lines: string[];
  /** Closes its stdin and waits for it to end; returns everything it printed. */
  stop(): Promise<string[]>;
}

async function startBoard(args: string[]): Promise<Board> {
  const proc = spawn('python3', [BRIDGE, ...args], { cwd: WORK });
  const lines: string[] = [];
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const rl = createInterface({ input: proc.stdout });
  const port = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`pty-board.py ended (${code}) before naming its port: ${stderr}`)));
  });
  rl.on('line', (l) => lines.push(l));
  const ended = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    port,
    lines,
    stop: async () => {
      proc.stdin.end();
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await ended;
      clearTimeout(t);
      rl.close();
      return lines;
    },
  };
}

/** Descriptors of this process open on `file`. */
function openOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // Closed meanwhile (the listing's own descriptor).
    }
  }
  return n;
}

beforeAll(() => {
  ensureBuilt();
  mkdirSync(WORK, { recursive: true });
  writeFileSync(qnnFile, SYNTHETIC);
  writeFileSync(xNpy, writeNpy({ shape: [3, 12], dtype: 'int32', data: FRAMES.flat() }));
}, 180_000);

describe.skipIf(!havePython || !haveVerilator || !onLinux)('qnn run-board through a pty to the simulated iCEBreaker shell', () => {
  let board: Board | undefined;
  afterAll(() => board?.proc.kill('SIGKILL'));

  it('3 frames: exit 0, y.npy equals qnn run (the golden model), the summary line; the board saw exactly 3 frames of 8 bytes', async () => {
    // The simulator build first (shared with uart-shell.test.ts when that ran), so the frames below time only the runs.
    const warm = qnn(['sim', qnnFile, '--board', '--frames', '1', '-o', path.join(WORK, 'board-build')]);
    expect(warm.status, warm.stdout + warm.stderr).toBe(0);
    const golden = qnn(['run', qnnFile, '--input', xNpy, '--output', path.join(WORK, 'golden.npy')]);
    expect(golden.status, golden.stderr).toBe(0);

    board = await startBoard([
      '--frame-bytes',
      String(IN_BYTES),
      '--',
      process.execPath,
      CLI,
      'sim',
      qnnFile,
      '--board',
      '--input-bytes',
      '{in}',
      '--output-bytes',
      '{out}',
      '-o',
      path.join(WORK, 'board'),
    ]);
    expect(board.port).toMatch(/^\/dev\/pts\/\d+$/);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      // Asynchronous: the board's answers come from this test's event loop's children.
      const p = spawn(
        process.execPath,
        [
          CLI,
          'run-board',
          qnnFile,
          '--port',
          board!.port,
          '--input',
          xNpy,
          '--output',
          path.join(WORK, 'y.npy'),
          '--check',
          '--timeout',
          '60',
        ],
        { cwd: WORK },
      );
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      p.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    const lines = await board.stop();
    board = undefined;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(
      new RegExp(
        `^ran 3 frame\\(s\\) on the board at /dev/pts/\\d+ in [\\d.]+ s \\(8 bytes out, 6 back per frame\\): ${path.join(WORK, 'y.npy').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; every value equals the golden model$`,
      ),
    );
    expect(lines).toEqual([
      'frame 0: 8 bytes in, 6 bytes out',
      'frame 1: 8 bytes in, 6 bytes out',
      'frame 2: 8 bytes in, 6 bytes out',
      'leftover 0',
    ]);
    const y = loadNpyFile(path.join(WORK, 'y.npy'));
    const g = loadNpyFile(path.join(WORK, 'golden.npy'));
    expect(y.shape).toEqual([3, 6]);
    expect(g.shape).toEqual([3, 6]);
    expect([...y.data]).toEqual([...g.data]);
  }, 120_000);
});

describe.skipIf(!onLinux)('qnn run-board: the errors that need no board', () => {
  const runBoard = (port: string, ...more: string[]) =>
    qnn(['run-board', qnnFile, '--port', port, '--input', xNpy, '--output', path.join(WORK, 'never.npy'), ...more], 30_000);

  it('a port that does not exist: where the iCEBreaker UART appears', () => {
    const r = runBoard('/dev/ttyUSB-qnn-none');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "qnn run-board: no serial port /dev/ttyUSB-qnn-none: plug the board in and look for it (the iCEBreaker's FTDI gives /dev/ttyUSB0 and /dev/ttyUSB1; the UART is the second)",
    );
  });

  it('a path that is not a character device', () => {
    const r = runBoard(xNpy);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`qnn run-board: ${xNpy} is not a serial port (not a character device)`);
  });

  it('a character device that is not a terminal (/dev/null): stty says so', () => {
    const r = runBoard('/dev/null');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^qnn run-board: stty could not set \/dev\/null to 115200 baud: .*Inappropriate ioctl for device/);
  });

  it.skipIf(!havePython)(
    'a board that never answers: 0 of 6 bytes within the --timeout, then exit 1 at once',
    async () => {
      const board = await startBoard(['--frame-bytes', String(IN_BYTES), '--silent']);
      try {
        const t0 = performance.now();
        const r = runBoard(board.port, '--timeout', '1');
        const seconds = (performance.now() - t0) / 1000;
        expect(r.status).toBe(1);
        expect(r.stderr.trim()).toBe(
          `qnn run-board: frame 0: 0 of ${OUT_BYTES} bytes came back from ${board.port} within 1.0 s. Is the board programmed with this network's bitstream (qnn build), on ${board.port} at 115200 baud?`,
        );
        // The time limit, a node start and the analysis: not a hang on the port.
        expect(seconds).toBeGreaterThan(1);
        expect(seconds).toBeLessThan(10);
      } finally {
        await board.stop();
      }
    },
    30_000,
  );
});

describe.skipIf(!havePython || !onLinux)('serial.ts on a pty', () => {
  it('bytes that arrive before read() are kept, a read takes exactly n and keeps the rest; close leaves no descriptor open', async () => {
    // An echo board that answers each 4 bytes with them three times over.
    const board = await startBoard(['--frame-bytes', '4', '--', 'sh', '-c', 'cat "$0" "$0" "$0" > "$1"', '{in}', '{out}']);
    try {
      const port = openSerialPort(board.port, 115200);
      expect(openOn(board.port)).toBeGreaterThan(0);
      await port.write(Uint8Array.from([0x0a, 0x0d, 0x03, 0x13]));
      // The answer is in before anyone reads.
      await new Promise((r) => setTimeout(r, 500));
      expect([...(await port.read(5, 5000))]).toEqual([0x0a, 0x0d, 0x03, 0x13, 0x0a]);
      expect([...(await port.read(7, 5000))]).toEqual([0x0d, 0x03, 0x13, 0x0a, 0x0d, 0x03, 0x13]);
      await expect(port.read(1, 300)).rejects.toThrow(`0 of 1 bytes came back from ${board.port} within 0.3 s`);
      port.close();
      expect(openOn(board.port)).toBe(0);
    } finally {
      await board.stop();
    }
  }, 30_000);

  it('a device stty cannot set up is not left open', () => {
    const before = openOn('/dev/null');
    expect(() => openSerialPort('/dev/null', 115200)).toThrow(SerialError);
    expect(openOn('/dev/null')).toBe(before);
  });
});
