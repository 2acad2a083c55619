// ESLint flat config: typescript-eslint's recommended rules on the TypeScript sources, and
// the architecture invariants of docs/architecture.md ("Layering") as import restrictions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---- Layering: what each folder of server/src may not import --------------------------------
// One entry per folder; docs/architecture.md states each as "Architecture invariant: …" and
// test/unit/architecture/layering.test.ts checks that every one fires. An import is matched by
// its relative path, from any depth (`../cost/x.js`, `../../cost/x.js`).

/** The bottom layer: the network model and what it reads. */
const BELOW_MODEL = ['analysis', 'cost', 'engines', 'report', 'rtl', 'lsp', 'flows', 'cli'];
const LAYERS = {
  model: BELOW_MODEL,
  golden: BELOW_MODEL,
  npy: BELOW_MODEL,
  weights: BELOW_MODEL,
  device: BELOW_MODEL,
  engines: ['analysis', 'report', 'rtl', 'lsp', 'flows', 'cli'],
  cost: ['analysis', 'report', 'rtl', 'lsp', 'flows', 'cli'],
  analysis: ['report', 'rtl', 'lsp', 'flows', 'cli'],
  report: ['analysis', 'rtl', 'lsp', 'flows', 'cli'],
  rtl: ['report', 'lsp', 'flows', 'cli'],
  lsp: ['flows', 'cli'],
  flows: ['lsp', 'cli'],
};

const folderPattern = (folder, forbidden) => ({
  regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
  message: `Architecture invariant (docs/architecture.md): server/src/${folder}/ imports nothing from ${forbidden.map((f) => `${f}/`).join(', ')}.`,
});

/** Everything in server/src runs outside VS Code (language server, CLI). */
const SERVER_PATTERNS = [
  {
    regex: '^vscode$|^vscode-languageclient(/|$)',
    message: 'Architecture invariant (docs/architecture.md): server/src never imports vscode (it runs as the language server and the CLI).',
  },
  {
    regex: '(^|/)client(/|$)',
    message: 'Architecture invariant (docs/architecture.md): server/src never imports anything in client/.',
  },
];

const layering = [
  { files: ['server/src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: SERVER_PATTERNS }] } },
  ...Object.entries(LAYERS).map(([folder, forbidden]) => ({
    files: [`server/src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [...SERVER_PATTERNS, folderPattern(folder, forbidden)] }] },
  })),
  {
    // The wire contract: types, request names and the build-folder function, nothing else.
    files: ['server/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./[^/]+$|node:path$)',
              message:
                'Architecture invariant (docs/architecture.md): server/src/protocol/ imports nothing but its own files and node:path.',
            },
          ],
        },
      ],
    },
  },
  {
    // The extension and the webviews are bundled on their own (esbuild.mjs): of the server they take only the wire contract.
    files: ['client/**/*.ts', 'media/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)server/(?!src/protocol/[^/]+$)',
              message: 'Architecture invariant (docs/architecture.md): client/ imports from server/ only server/src/protocol/.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'server/src/language/generated/**', 'scratch/**', '**/*.cjs', 'build/**', 'media/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Functions passed to page.evaluate run in the browser.
    files: ['test/e2e/**/*.mjs'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', NodeFilter: 'readonly', getComputedStyle: 'readonly' } },
  },
  ...layering,
);
