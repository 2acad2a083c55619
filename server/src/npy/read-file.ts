/**
 * Reading a tensor source file (weights, thresholds, scales, input frames): regular
 * files only, up to a size limit. A named pipe would block the reader until something
 * writes to it and a device such as /dev/zero never ends, so both would hang `qnn check`
 * and the language server; they are refused from their `stat`, before anything is opened
 * for reading.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/**
 * Largest file read: 1 GiB. No tensor the compiler accepts needs more than 512 MiB
 * (at most 2^26 elements, model/elaborate.ts MAX_ELEMENTS, of at most 8 bytes); the rest
 * leaves room for input files that hold several frames.
 */
export const MAX_SOURCE_FILE_BYTES = 2 ** 30;
const LIMIT_TEXT = '1 GiB';

/** Why a path cannot be read as a source file; the message is for the person who wrote the path. */
export class SourceFileError extends Error {
  constructor(
    message: string,
    /** The errno code when the file system refused (ENOENT, EACCES, ...). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SourceFileError';
  }
}

/** The kind of a file that is not a regular file, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Throws a SourceFileError unless `st` is a regular file within the size limit. */
export function requireRegularFile(st: Stats, maxBytes = MAX_SOURCE_FILE_BYTES): void {
  if (!st.isFile()) throw new SourceFileError(`it is ${kindOf(st)}, not a file: give the path of a .npy file`);
  if (st.size > maxBytes) {
    const limit = maxBytes === MAX_SOURCE_FILE_BYTES ? LIMIT_TEXT : `${maxBytes} bytes`;
    throw new SourceFileError(`it is ${st.size} bytes, above the ${limit} limit for a source file`);
  }
}

function errnoError(e: unknown): SourceFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory, not a file'
          : (e as Error).message;
  return new SourceFileError(why, code);
}

/** `stat` of a path (following links) as a SourceFileError on failure. */
export function statSource(absPath: string): Stats {
  try {
    return statSync(absPath);
  } catch (e) {
    throw errnoError(e);
  }
}

/**
 * The bytes of a regular file of at most `maxBytes`. The path is checked with `stat`
 * first, and the opened descriptor again (O_NONBLOCK: a pipe swapped in between the two
 * still does not block the open), so nothing but a regular file is ever read.
 */
export function readRegularFile(absPath: string, maxBytes = MAX_SOURCE_FILE_BYTES): Uint8Array {
  requireRegularFile(statSource(absPath), maxBytes);
  let fd: number;
  try {
    fd = openSync(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw errnoError(e);
  }
  try {
    const st = fstatSync(fd);
    requireRegularFile(st, maxBytes);
    const bytes = new Uint8Array(st.size);
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, off);
      if (n === 0) break; // shrunk while being read: what is there
      off += n;
    }
    return off === bytes.length ? bytes : bytes.subarray(0, off);
  } catch (e) {
    throw e instanceof SourceFileError ? e : errnoError(e);
  } finally {
    closeSync(fd);
  }
}
