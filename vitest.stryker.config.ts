import { defineConfig } from 'vitest/config';

/**
 * The unit tests of the core rooms Stryker mutates (stryker.config.json): fast, in-process, no
 * services. End-to-end tests under test/ and other rooms' tests are left out.
 */
export default defineConfig({
  test: {
    include: ['engine/{template,expr,plan,validate,run}/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'threads',
  },
});
