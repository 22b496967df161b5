import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Runs only the fixture suite of services.test.ts. */
export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  test: { include: ['*.fixture.ts'] },
});
