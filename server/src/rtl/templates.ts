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
  return templatesInDependencyOrder(modules)
    .sort()
    .map((m) => path.join(templatesDir(), `${m}.sv`));
}

/**
 * The template modules that `modules` need, with the submodules they instantiate, each
 * after every module it instantiates (for file lists; ties in name order).
 */
export function templatesInDependencyOrder(modules: readonly string[]): string[] {
  const dir = templatesDir();
  const available = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('.sv'))
      .map((f) => f.slice(0, -3)),
  );
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (m: string): void => {
    if (seen.has(m) || !available.has(m)) return;
    seen.add(m);
    const text = readFileSync(path.join(dir, `${m}.sv`), 'utf8').replace(/\/\/.*$/gm, '');
    const deps = new Set([...text.matchAll(/\b(qnn_\w+)\s*(?:#|\w+\s*\()/g)].map((d) => d[1]).filter((d) => d !== m));
    [...deps].sort().forEach(visit);
    order.push(m);
  };
  [...modules].sort().forEach(visit);
  return order;
}
