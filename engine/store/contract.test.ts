import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { describeWithService, dropTestSchema, POSTGRES_TEST_URL, uniqueTestSchema } from '../../test/support/services.js';
import { storeContract } from './contract.js';
import { openStore } from './store.js';

for (const synchronous of ['normal', 'full'] as const) {
  describe(`SQLite store contract (synchronous=${synchronous})`, () => {
    storeContract(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-store-'));
      const path = join(dir, 'weft.db');
      return {
        open: (options) => openStore({ path, synchronous, ...options }),
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    });
  });
}

await describeWithService('postgres', 'PostgreSQL store contract', () => {
  storeContract(async () => {
    const schema = uniqueTestSchema('contract');
    return {
      open: (options) => openStore({ url: POSTGRES_TEST_URL, schema, poolSize: 4, ...options }),
      dispose: () => dropTestSchema(schema),
    };
  });
});

