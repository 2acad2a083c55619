/**
 * Runs scripts/gen-npy-fixtures.py with a Python that has NumPy. Debian's
 * /usr/bin/python3 is preferred (python3-numpy); `python3` on PATH otherwise.
 * A missing interpreter or NumPy throws with the install command: the NumPy
 * tests must fail, not skip, on a machine that cannot run them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SCRIPT = fileURLToPath(new URL('../../../scripts/gen-npy-fixtures.py', import.meta.url));

export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export function runNumpyScript(args: string[]): string {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    throw new Error(
      `cannot run ${PYTHON} (${r.error.message}): these tests need Python 3 with NumPy; apt-get install python3 python3-numpy`,
    );
  }
  if (r.status === 3) throw new Error(`${r.stderr.trim()}\nThese tests need NumPy: apt-get install python3-numpy`);
  if (r.status !== 0) {
    throw new Error(`${PYTHON} ${SCRIPT} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  }
  return r.stdout;
}
