/**
 * Where the tools are: the extension runs on the workspace side (Remote-SSH, WSL, Dev
 * Containers), and the dev container installs a Debian package for every open-source tool
 * the flows call (flows/tools.ts), as CI does (.ci/run). Vivado is proprietary: never in a
 * package list. The container itself is not built here (no Docker engine).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_NAMES, type ToolName } from '../../server/src/flows/tools.js';

const ROOT = path.resolve(__dirname, '../..');
const read = (f: string): string => readFileSync(path.join(ROOT, f), 'utf8');

/** The Debian (bookworm) package that provides each tool. */
const DEBIAN_PACKAGE: Record<Exclude<ToolName, 'vivado'>, string> = {
  verilator: 'verilator',
  iverilog: 'iverilog',
  vvp: 'iverilog',
  yosys: 'yosys',
  'nextpnr-ice40': 'nextpnr-ice40',
  icepack: 'fpga-icestorm',
};

/** The packages of the `apt-get install` command in a shell text (continuation lines joined). */
function aptPackages(text: string): string[] {
  const joined = text.replace(/\\\n/g, ' ');
  const m = /apt-get(?:\s+"[^"]*")?[^\n]*?\binstall\b([^\n&]*)/.exec(joined);
  if (!m) throw new Error('no apt-get install');
  return m[1].split(/\s+/).filter((w) => w && !w.startsWith('-') && !w.startsWith('>') && !w.startsWith('"'));
}

describe('remote and container setup', () => {
  it('the extension is a workspace extension', () => {
    const pkg = JSON.parse(read('package.json')) as { extensionKind?: string[] };
    expect(pkg.extensionKind).toEqual(['workspace']);
  });

  it('devcontainer.json builds the Dockerfile next to it, as the unprivileged user', () => {
    // JSON with comments: only whole-line // comments are used.
    const json = JSON.parse(read('.devcontainer/devcontainer.json').replace(/^\s*\/\/.*$/gm, '')) as {
      build: { dockerfile: string };
      remoteUser: string;
      postCreateCommand: string;
    };
    expect(existsSync(path.join(ROOT, '.devcontainer', json.build.dockerfile))).toBe(true);
    expect(json.remoteUser).toBe('node');
    expect(json.postCreateCommand).toContain('npm ci');
  });

  it('the Dockerfile is Debian bookworm with Node 20 and a package for every open tool, as CI', () => {
    const docker = read('.devcontainer/Dockerfile');
    expect(docker).toMatch(/^FROM node:20-bookworm$/m);
    const container = aptPackages(docker);
    const ci = aptPackages(read('.ci/run'));
    for (const tool of TOOL_NAMES) {
      if (tool === 'vivado') continue;
      expect(container, tool).toContain(DEBIAN_PACKAGE[tool]);
      expect(ci, tool).toContain(DEBIAN_PACKAGE[tool]);
    }
  });
});
