/**
 * Content-keyed build folders: `<root>/<name>-<key>`, where the key hashes everything a
 * build reads (sources, generated testbench, flags, tool version). A build is made in a
 * temporary folder and renamed into place, so concurrent processes (test files, two
 * `qnn sim`s) never see half a build; concurrent requests for one key in this process
 * share a single build. Knows nothing about simulators.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SimulationError } from './sim-error.js';

/** The file that marks a finished build; holds its metadata. */
export const BUILD_META = 'build.json';

/** Builds not used for this long are removed when a new build is made in the same root. */
const UNUSED_MS = 14 * 24 * 3600_000;
/** Leftovers of interrupted builds older than this are removed. */
const STALE_TEMP_MS = 3600_000;

export function hashOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function fileDigest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Name and digest of every HDL file in a folder (what an include directory can contribute). */
export function dirDigests(dir: string): [string, string][] {
  const out: [string, string][] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/\.(s?vh?|v|vh|svh|inc)$/i.test(n)) continue;
    const f = path.join(dir, n);
    try {
      if (statSync(f).isFile()) out.push([n, fileDigest(f)]);
    } catch {
      // Vanished: ignore.
    }
  }
  return out;
}

export interface CachedFolder<M> {
  dir: string;
  /** The folder existed already (or another request in this process built it). */
  cached: boolean;
  meta: M;
  /** Milliseconds the build took (0 when cached). */
  buildMs: number;
}

export interface CachedFolderRequest<M> {
  root: string;
  /** Readable prefix of the folder name. */
  name: string;
  /** Content key (hex). */
  key: string;
  /** false: build again even when the folder exists (and replace it). */
  reuse: boolean;
  /** Fills a fresh folder and returns the metadata stored with it; the folder is discarded on error. */
  make: (dir: string) => Promise<M>;
}

const inFlight = new Map<string, Promise<CachedFolder<unknown>>>();
const pruned = new Set<string>();

export async function cachedFolder<M>(req: CachedFolderRequest<M>): Promise<CachedFolder<M>> {
  const dir = path.join(req.root, `${req.name}-${req.key}`);
  if (req.reuse) {
    const hit = readMeta<M>(dir);
    if (hit !== undefined) return { dir, cached: true, meta: hit, buildMs: 0 };
    const pending = inFlight.get(dir) as Promise<CachedFolder<M>> | undefined;
    if (pending) return { ...(await pending), cached: true, buildMs: 0 };
  }
  const p = (async (): Promise<CachedFolder<M>> => {
    mkdirSync(req.root, { recursive: true });
    prune(req.root);
    const started = Date.now();
    const tmp = tmpName(dir);
    mkdirSync(tmp, { recursive: true });
    try {
      const meta = await req.make(tmp);
      writeFileSync(path.join(tmp, BUILD_META), JSON.stringify(meta, null, 2));
      if (!req.reuse) rmSync(dir, { recursive: true, force: true });
      publish(tmp, dir);
      return { dir, cached: false, meta, buildMs: Date.now() - started };
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  })();
  inFlight.set(dir, p);
  try {
    return await p;
  } finally {
    inFlight.delete(dir);
  }
}

function readMeta<M>(dir: string): M | undefined {
  const file = path.join(dir, BUILD_META);
  let meta: M;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as M;
  } catch {
    return undefined;
  }
  try {
    // Marks it used, for prune().
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A read-only cache still serves.
  }
  return meta;
}

/** Removes leftovers of interrupted builds and builds unused for two weeks (once per root and process). */
export function prune(root: string): void {
  if (pruned.has(root)) return;
  pruned.add(root);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  const now = Date.now();
  for (const n of names) {
    const p = path.join(root, n);
    try {
      if (n.includes('.tmp-')) {
        if (statSync(p).mtimeMs < now - STALE_TEMP_MS) rmSync(p, { recursive: true, force: true });
      } else if (existsSync(path.join(p, BUILD_META)) && statSync(path.join(p, BUILD_META)).mtimeMs < now - UNUSED_MS) {
        rmSync(p, { recursive: true, force: true });
      }
    } catch {
      // Someone else removed it.
    }
  }
}

/** A temporary sibling of `final` (same file system, so a rename publishes it). */
export function tmpName(final: string): string {
  return `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Moves a finished temp folder or file into place; if another process got there first, keeps theirs. */
export function publish(tmp: string, final: string): void {
  try {
    renameSync(tmp, final);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(final)) throw new SimulationError(`could not create ${final}`);
  }
}
