/**
 * File reads for the language server: cached by path, re-read when the file's mtime
 * changes. Only regular files are read (a named pipe or a device would block the server).
 */
import { statSync } from 'node:fs';
import type { FileAccess } from '../model/weights.js';
import { readRegularFile, requireRegularFile, statSource } from '../npy/read-file.js';

export class CachedFileAccess implements FileAccess {
  private readonly entries = new Map<string, { mtimeMs: number; size: number; bytes: Uint8Array }>();
  private readonly used = new WeakMap<object, string[]>();
  private lastRead: string[] = [];

  readFile(absPath: string): Uint8Array {
    this.lastRead.push(absPath);
    const st = statSource(absPath);
    requireRegularFile(st);
    const hit = this.entries.get(absPath);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.bytes;
    const bytes = readRegularFile(absPath);
    this.entries.set(absPath, { mtimeMs: st.mtimeMs, size: st.size, bytes });
    return bytes;
  }

  /** Starts recording the files one analysis reads. */
  begin(): void {
    this.lastRead = [];
  }

  end(owner: object): void {
    this.used.set(owner, this.lastRead);
  }

  /** Whether every file an analysis read is still as it was (and still there). */
  unchangedSince(owner: object): boolean {
    for (const p of this.used.get(owner) ?? []) {
      const hit = this.entries.get(p);
      try {
        const st = statSync(p);
        if (!hit || hit.mtimeMs !== st.mtimeMs || hit.size !== st.size) return false;
      } catch {
        if (hit) return false;
      }
    }
    return true;
  }
}
