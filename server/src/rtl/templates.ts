/** Locating the engine templates (hw-templates/) from the source tree or a bundle. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The hw-templates folder: found by walking up from this module (works in out/ bundles and in the source tree). */
export function templatesDir(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const cand = path.join(dir, 'hw-templates');
    if (existsSync(path.join(cand, 'qnn_mvau.sv'))) return (cached = cand);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the engine templates (hw-templates/): reinstall qnn-fpga');
}

/** The template files that `modules` need, with the submodules they instantiate, sorted. */
export function templateClosure(modules: string[]): string[] {
  const dir = templatesDir();
  const available = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('.sv'))
      .map((f) => f.slice(0, -3)),
  );
  const need = new Set<string>();
  const visit = (m: string): void => {
    if (need.has(m) || !available.has(m)) return;
    need.add(m);
    const text = readFileSync(path.join(dir, `${m}.sv`), 'utf8').replace(/\/\/.*$/gm, '');
    for (const dep of text.matchAll(/\b(qnn_\w+)\s*(?:#|\w+\s*\()/g)) if (dep[1] !== m) visit(dep[1]);
  };
  modules.forEach(visit);
  return [...need].sort().map((m) => path.join(dir, `${m}.sv`));
}
