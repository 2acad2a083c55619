import { defineConfig } from 'vitest/config';

// Two suites: `unit` (npm test: unit, LSP, CLI and hardware tests) and `fixtures`
// (npm run test:fixtures: the parsers against real files in ../shared/fixtures).
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
          name: 'fixtures',
          include: ['test/fixtures/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
