#!/usr/bin/env python3
"""A board on a pseudo-terminal, for test/hw/run-board.test.ts (standard library only).

    pty-board.py --frame-bytes N [--silent] [-- CMD ...]

Opens a pty pair and prints the slave's path (the "serial port" for `qnn run-board
--port`) on the first line of stdout. The pty is left as the kernel makes it (canonical
mode, echo, CR/LF translation): the host must set it to raw 8N1 itself, as it would a
real adapter, or bytes get changed, held back or echoed.

It then acts as the board: reads exactly N bytes (one input frame) from the master, runs
CMD with {in} and {out} replaced by a file holding those bytes and a file for the answer
(the simulated shell: `qnn sim FILE --board --input-bytes {in} --output-bytes {out}`),
and writes the answer's bytes back; then the next frame. With --silent it reads and
drops everything and never answers (a board that is not programmed).

Each frame served is a line `frame K: N bytes in, M bytes out` on stdout. It ends when
its stdin closes, with a line `leftover L` (bytes received after the last whole frame).
"""
import argparse
import os
import select
import subprocess
import sys
import tempfile


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frame-bytes", type=int, required=True)
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not a.silent and not cmd:
        ap.error("a command is needed unless --silent")

    master, slave = os.openpty()
    # The slave stays open here too: without any open slave, reads on the master fail
    # (EIO) between the host's runs.
    print(os.ttyname(slave), flush=True)
    work = tempfile.mkdtemp(prefix="pty-board-")
    inp, out = os.path.join(work, "in.bin"), os.path.join(work, "out.bin")
    pending = bytearray()
    served = 0
    stdin = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([master, stdin], [], [])
        if stdin in ready and not os.read(stdin, 4096):
            break
        if master not in ready:
            continue
        try:
            pending += os.read(master, 65536)
        except OSError:
            break
        if a.silent:
            pending.clear()
            continue
        while len(pending) >= a.frame_bytes:
            frame, pending = bytes(pending[: a.frame_bytes]), pending[a.frame_bytes :]
            with open(inp, "wb") as f:
                f.write(frame)
            if os.path.exists(out):
                os.remove(out)
            r = subprocess.run([c.replace("{in}", inp).replace("{out}", out) for c in cmd], capture_output=True, text=True)
            sys.stderr.write(r.stdout + r.stderr)
            if not os.path.exists(out):
                sys.stderr.write(f"frame {served}: the command wrote no answer (exit {r.returncode})\n")
                continue
            with open(out, "rb") as f:
                answer = f.read()
            view = memoryview(answer)
            while view:
                n = os.write(master, view)
                view = view[n:]
            print(f"frame {served}: {len(frame)} bytes in, {len(answer)} bytes out", flush=True)
            served += 1
    print(f"leftover {len(pending)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
