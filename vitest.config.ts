import { defineConfig } from 'vitest/config';

// Suites: `unit` (npm test: unit, LSP, CLI and hardware tests), `synth` (npm run test:synth:
// Yosys synthesis of every example) and `fixtures` (npm run test:fixtures: the parsers
// against real files in ../shared/fixtures).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/lsp/**/*.test.ts', 'test/hw/**/*.test.ts', 'test/cli/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'synth',
          include: ['test/synth/**/*.test.ts'],
          testTimeout: 1_800_000,
        },
      },
      {
        test: {
          name: 'fixtures',
          include: ['test/fixtures/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
