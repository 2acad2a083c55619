/**
 * A weight path that is not a regular file (a named pipe, a device, a directory) or is too
 * large is QNN060 at once, in `qnn check` (out/cli/qnn.cjs: build first) and in the
 * analysis the language server runs; nothing but a regular file is ever opened for reading.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../unit/model/helpers.js';
import { CachedFileAccess } from '../../server/src/analysis/file-cache.js';
import { MAX_SOURCE_FILE_BYTES, readRegularFile, SourceFileError } from '../../server/src/npy/read-file.js';
import { loadNpyFile, NpyError } from '../../server/src/npy/npy.js';

const CLI = path.resolve('out/cli/qnn.cjs');
const dir = mkdtempSync(path.join(tmpdir(), 'qnn-source-files-'));
const fifo = path.join(dir, 'fifo.npy');
const zero = path.join(dir, 'zero.npy'); // a link to /dev/zero (the name must end in .npy)
const folder = path.join(dir, 'folder.npy');

/** A network whose one layer reads its weights from `weights` (relative to the .qnn file). */
function source(weights: string): string {
  return `network t {
  target xc7z020 @ 100 MHz
  input x: u8[8]
  layer d = dense(x, units=4, weights=i4("${weights}"))
  output d
}
`;
}

let unblocker: ReturnType<typeof spawn> | undefined;
beforeAll(() => {
  const r = spawnSync('mkfifo', [fifo]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
  // Should the reader ever open the pipe again, this writer releases it after 20 s, so
  // the test fails on its time limit instead of hanging the run.
  unblocker = spawn('sh', ['-c', `sleep 20; : > '${fifo}'`], { stdio: 'ignore' });
  symlinkSync('/dev/zero', zero);
  mkdirSync(folder);
  for (const [name, w] of [
    ['fifo', 'fifo.npy'],
    ['zero', 'zero.npy'],
    ['folder', 'folder.npy'],
  ])
    writeFileSync(path.join(dir, `${name}.qnn`), source(w));
});
afterAll(() => {
  unblocker?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const kinds = [
  { name: 'fifo', what: 'a named pipe' },
  { name: 'zero', what: 'a device' },
  { name: 'folder', what: 'a directory' },
] as const;

describe('qnn check: a weight path that is not a regular file', () => {
  for (const k of kinds) {
    it(`${k.what}: QNN060 at once`, () => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [CLI, 'check', path.join(dir, `${k.name}.qnn`), '--json'], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      const ms = performance.now() - t0;
      expect(r.signal, `qnn check did not finish: ${r.stderr}`).toBeNull();
      expect(r.status, r.stderr).toBe(1);
      const ds = JSON.parse(r.stdout) as { code: string; message: string; line: number }[];
      const d = ds.find((x) => x.code === 'QNN060');
      expect(d, r.stdout).toBeDefined();
      expect(d!.message).toBe(`cannot read '${k.name}.npy' (it is ${k.what}, not a file: give the path of a .npy file)`);
      expect(d!.line).toBe(4);
      expect(ms).toBeLessThan(10_000);
    });
  }
});

describe('the analysis (language server): a weight path that is not a regular file', () => {
  for (const k of kinds) {
    it(`${k.what}: QNN060 on the path`, async () => {
      const file = path.join(dir, `${k.name}.qnn`);
      const { diagnostics } = await check(source(`${k.name}.npy`), file);
      const d = diagnostics.find((x) => x.code === 'QNN060');
      expect(d?.message).toBe(`cannot read '${k.name}.npy' (it is ${k.what}, not a file: give the path of a .npy file)`);
      expect(d?.range.start.line).toBe(3);
    });
  }

  it('the cache refuses them too, and a regular file above the size limit', () => {
    const cache = new CachedFileAccess();
    for (const p of [fifo, zero, folder]) expect(() => cache.readFile(p)).toThrow(SourceFileError);
    expect(() => readRegularFile(zero)).toThrow(/it is a device, not a file/);
    const small = path.join(dir, 'small.npy');
    writeFileSync(small, new Uint8Array(100));
    expect(readRegularFile(small, 100)).toHaveLength(100);
    expect(() => readRegularFile(small, 99)).toThrow('it is 100 bytes, above the 99 bytes limit for a source file');
    expect(MAX_SOURCE_FILE_BYTES).toBe(2 ** 30);
  });

  it('input frames (loadNpyFile, qnn run/sim) are read the same way', () => {
    expect(() => loadNpyFile(fifo)).toThrow(NpyError);
    expect(() => loadNpyFile(fifo)).toThrow(`cannot read '${fifo}': it is a named pipe, not a file`);
    expect(() => loadNpyFile(path.join(dir, 'missing.npy'))).toThrow('no such file');
  });
});
