// End-to-end tests: Debian's Chromium (playwright-core) against console mode.
// Run with: npx vitest run --config vitest.e2e.config.ts
// The renderer is built first (test/e2e/global-setup.ts); screenshots go to
// artifacts/e2e/ (git-ignored).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
