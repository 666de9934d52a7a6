import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // Ink renders only its final frame when it detects CI (CI=1); the REPL tests need it to
    // render as it does on a user's terminal, whatever the CI runner sets.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
