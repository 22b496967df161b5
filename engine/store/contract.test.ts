import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { describeWithService, POSTGRES_TEST_URL } from '../../test/support/services.js';
import { storeContract } from './contract.js';
import { openStore } from './store.js';

describe('SQLite store contract', () => {
  storeContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-store-'));
    const path = join(dir, 'weft.db');
    return {
      open: (options) => openStore({ path, ...options }),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});

await describeWithService('postgres', 'PostgreSQL store contract', () => {
  storeContract(async () => {
    const schema = `weft_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    return {
      open: (options) => openStore({ url: POSTGRES_TEST_URL, schema, poolSize: 4, ...options }),
      dispose: () => dropSchema(schema),
    };
  });
});

/** Drops the schema this suite created, and nothing else. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
