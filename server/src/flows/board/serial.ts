/**
 * A serial port as the board host needs it: set to raw 8N1 at a baud rate with `stty`
 * (no native module: Linux `stty -F`, macOS `stty -f`), then bytes written and exactly N
 * bytes read back within a time limit. Works on USB serial adapters (the iCEBreaker's
 * FTDI: /dev/ttyUSB1) and on pseudo-terminals, which is how it is tested.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, statSync } from 'node:fs';
import * as tty from 'node:tty';

/** A port that cannot be used; the message says what to do. */
export class SerialError extends Error {
  override readonly name = 'SerialError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface SerialPort {
  write(bytes: Uint8Array): Promise<void>;
  /** Exactly n bytes, or a SerialError naming how many came before the time limit. */
  read(n: number, timeoutMs: number): Promise<Uint8Array>;
  close(): void;
}

/** Sets the port to raw 8N1 at `baud` (no echo, no flow control). */
export function configurePort(port: string, baud: number): void {
  const flag = process.platform === 'darwin' ? '-f' : '-F';
  const args = [flag, port, String(baud), 'raw', '-echo', '-echoe', '-echok', '-ixon', '-ixoff', 'cs8', '-cstopb', '-parenb', 'clocal'];
  const r = spawnSync('stty', args, { encoding: 'utf8' });
  if (r.error) throw new SerialError(`cannot run stty to set up ${port}: ${r.error.message}`);
  if (r.status !== 0) throw new SerialError(`stty could not set ${port} to ${baud} baud: ${(r.stderr || r.stdout).trim()}`);
}

export function openSerialPort(port: string, baud: number): SerialPort {
  if (process.platform === 'win32')
    throw new SerialError(
      'qnn run-board talks to serial ports on Linux and macOS; on Windows run it in WSL with the adapter attached (usbipd)',
    );
  let st;
  try {
    st = statSync(port);
  } catch {
    throw new SerialError(
      `no serial port ${port}: plug the board in and look for it (the iCEBreaker's FTDI gives /dev/ttyUSB0 and /dev/ttyUSB1; the UART is the second)`,
    );
  }
  if (!st.isCharacterDevice()) throw new SerialError(`${port} is not a serial port (not a character device)`);
  let fd: number;
  try {
    fd = openSync(port, constants.O_RDWR | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SerialError(
      code === 'EACCES'
        ? `no permission to open ${port}: add yourself to its group (\`sudo usermod -aG dialout $USER\`, then log in again)`
        : `cannot open ${port}: ${(e as Error).message}`,
    );
  }
  try {
    configurePort(port, baud);
  } catch (e) {
    // Not left open: a caller that goes on (the editor, a test) would leak the descriptor.
    closeSync(fd);
    throw e;
  }
  // tty streams do non-blocking I/O on the descriptor (a plain fs stream would block a thread per read).
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  const pending: Buffer[] = [];
  let have = 0;
  let wake: (() => void) | null = null;
  input.on('data', (b: Buffer) => {
    pending.push(b);
    have += b.length;
    wake?.();
  });
  input.pause();
  let closed = false;
  return {
    write: (bytes) => new Promise((resolve, reject) => output.write(bytes, (e) => (e ? reject(e) : resolve()))),
    read: (n, timeoutMs) =>
      new Promise((resolve, reject) => {
        input.resume();
        const timer = setTimeout(() => {
          wake = null;
          input.pause();
          reject(new SerialError(`${have} of ${n} bytes came back from ${port} within ${(timeoutMs / 1000).toFixed(1)} s`));
        }, timeoutMs);
        const check = (): void => {
          if (have < n) return;
          clearTimeout(timer);
          wake = null;
          input.pause();
          const all = Buffer.concat(pending);
          pending.length = 0;
          pending.push(all.subarray(n));
          have = all.length - n;
          resolve(new Uint8Array(all.subarray(0, n)));
        };
        wake = check;
        check();
      }),
    close: () => {
      if (closed) return;
      closed = true;
      input.destroy();
      output.destroy();
      try {
        closeSync(fd);
      } catch {
        // The streams closed it.
      }
    },
  };
}
