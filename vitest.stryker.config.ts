import { defineConfig } from 'vitest/config';

/**
 * The unit tests of the core rooms Stryker mutates (stryker.config.json): fast, in-process, no
 * services. End-to-end tests under test/ and other rooms' tests are left out.
 *
 * Test files share one worker and one module graph per run (`isolate: false`). Stryker runs the
 * tests once per mutant, and with isolation each of the 35 files started its own worker and
 * evaluated the engine's modules again, which cost more than the tests themselves. Vitest recycles
 * the worker after every run, so each mutant still starts from freshly evaluated modules (a
 * static mutant, one in module-level code, is active when they load). The tests keep no state
 * between files; `npm test` still runs them isolated.
 */
export default defineConfig({
  test: {
    include: ['engine/{template,expr,plan,validate,run}/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'threads',
    isolate: false,
    poolOptions: { threads: { isolate: false } },
  },
});
