// Bundles the extension client, the language server and the CLI to CommonJS
// (VS Code loads extensions as CommonJS; Langium itself is ESM).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  outExtension: { '.js': '.cjs' },
  loader: { '.ts': 'ts' },
  logLevel: 'warning',
  // import.meta.url is used to find bundled data files; map it for CommonJS.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const builds = [
  { entryPoints: { extension: 'client/src/extension.ts' }, outdir: 'out/client', external: ['vscode'] },
  // The server and the CLI are also installed commands (package.json `bin`: qnn-language-server, qnn).
  { entryPoints: { main: 'server/src/main.ts' }, outdir: 'out/server', banner: { js: '#!/usr/bin/env node\n' + common.banner.js } },
  { entryPoints: { qnn: 'server/src/cli/main.ts' }, outdir: 'out/cli', banner: { js: '#!/usr/bin/env node\n' + common.banner.js } },
  // The waveform viewer's VCD reader: a worker thread the extension host starts per open waveform.
  { entryPoints: { 'vcd-worker': 'server/src/flows/vcd/worker.ts' }, outdir: 'out/server' },
  // Webview scripts run in the browser: no Node, one IIFE each.
  {
    entryPoints: { roofline: 'media/src/roofline-view.ts', timing: 'media/src/timing-view.ts', waveform: 'media/src/waveform-view.ts' },
    outdir: 'out/media',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outExtension: { '.js': '.js' },
    define: {},
    banner: {},
  },
];

for (const b of builds) {
  const opts = { ...common, ...b };
  if (watch) await (await esbuild.context(opts)).watch();
  else await esbuild.build(opts);
}
