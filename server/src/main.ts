/**
 * The qnn language server. Started by the extension over IPC, and by other editors
 * (Neovim, Emacs, Helix) as `qnn-language-server --stdio`.
 */
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createQnnServices } from './language/qnn-lsp-module.js';
import { registerCustomRequests } from './lsp/custom-requests.js';

if (process.argv.includes('--version')) {
  console.log('qnn-language-server 0.1.0');
  process.exit(0);
}
if (
  process.argv.includes('--help') ||
  !process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))
) {
  console.error('usage: qnn-language-server --stdio   (or --node-ipc, --socket=PORT, --pipe=NAME)');
  process.exit(process.argv.includes('--help') ? 0 : 2);
}

const connection = createConnection(ProposedFeatures.all);
const { shared, qnn } = createQnnServices({ connection, ...NodeFileSystem });
registerCustomRequests(connection, shared, qnn);
startLanguageServer(shared);
