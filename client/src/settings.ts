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

/**
 * The tool paths that are set, as the environment the `qnn` CLI reads
 * (`QNN_TOOL_<EXECUTABLE>`, e.g. QNN_TOOL_NEXTPNR_ICE40); an unset tool is found on PATH.
 */
export function toolEnvironment(scope?: vscode.ConfigurationScope): Record<string, string> {
  const env: Record<string, string> = {};
  for (const tool of TOOLS) {
    const configured = vscode.workspace.getConfiguration(SECTION, scope).get<string>(`tools.${tool}Path`, '').trim();
    if (configured) env[`QNN_TOOL_${DEFAULT_EXECUTABLES[tool].replace(/[^a-z0-9]/gi, '_').toUpperCase()}`] = configured;
  }
  return env;
}

export function inlayHintsEnabled(scope?: vscode.ConfigurationScope): boolean {
  return vscode.workspace.getConfiguration(SECTION, scope).get<boolean>('inlayHints.enabled', true);
}

export function statusBarEnabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('statusBar.enabled', true);
}
