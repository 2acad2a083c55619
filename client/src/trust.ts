/**
 * Workspace trust (shared/spec/tooling.md): in Restricted Mode the language features,
 * estimates and viewers work, and nothing is executed. Every command that spawns a
 * process (compile, simulate, build, ...) starts with
 *
 *     if (!requireTrust('Simulate (Verilator)')) return;
 *
 * — a check in the command itself, not only in a `when` clause, since commands can
 * also be run from tasks, keybindings and other extensions.
 */
import * as vscode from 'vscode';

const MANAGE_TRUST = 'Manage Workspace Trust';

/** The message shown when `action` is refused in Restricted Mode. */
export function untrustedMessage(action: string): string {
  return `qnn: "${action}" runs external tools, and this workspace is in Restricted Mode. Trust the workspace to run it; editing, diagnostics and estimates keep working without trust.`;
}

/**
 * True when the workspace is trusted. Otherwise shows a warning that names the
 * refused action (with a button to manage workspace trust) and returns false;
 * the caller must then do nothing.
 */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(untrustedMessage(action), MANAGE_TRUST).then((choice) => {
    if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
