/**
 * The extension's settings (package.json `contributes.configuration`), read in one place.
 *
 * Tool paths are listed in `capabilities.untrustedWorkspaces.restrictedConfigurations`:
 * in Restricted Mode VS Code ignores their workspace values, so a cloned repository
 * cannot point `qnn.tools.yosysPath` at a script of its own. Commands that run a tool
 * must still call `requireTrust` (trust.ts) first.
 */
import * as vscode from 'vscode';

export const LANGUAGE_ID = 'qnn';
export const SECTION = 'qnn';

export const SETTINGS = {
  inlayHints: 'qnn.inlayHints.enabled',
  statusBar: 'qnn.statusBar.enabled',
  traceServer: 'qnn.trace.server',
} as const;

/** The external tools whose paths can be set (`qnn.tools.<tool>Path`). */
export const TOOLS = ['verilator', 'iverilog', 'yosys', 'nextpnr', 'icepack', 'vivado'] as const;
export type Tool = (typeof TOOLS)[number];

/** Executable names looked up on PATH when a tool's path setting is empty. */
const DEFAULT_EXECUTABLES: Record<Tool, string> = {
  verilator: 'verilator',
  iverilog: 'iverilog',
  yosys: 'yosys',
  nextpnr: 'nextpnr-ice40',
  icepack: 'icepack',
  vivado: 'vivado',
};

export function toolSetting(tool: Tool): string {
  return `${SECTION}.tools.${tool}Path`;
}

/**
 * The command to run for a tool: its path setting when set, otherwise the
 * executable name (resolved on PATH by the spawner).
 */
export function toolCommand(tool: Tool, scope?: vscode.ConfigurationScope): string {
  const configured = vscode.workspace.getConfiguration(SECTION, scope).get<string>(`tools.${tool}Path`, '').trim();
  return configured || DEFAULT_EXECUTABLES[tool];
}

export function inlayHintsEnabled(scope?: vscode.ConfigurationScope): boolean {
  return vscode.workspace.getConfiguration(SECTION, scope).get<boolean>('inlayHints.enabled', true);
}

export function statusBarEnabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('statusBar.enabled', true);
}
