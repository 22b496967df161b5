import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithService, dropTestSchema, POSTGRES_TEST_URL, uniqueTestSchema } from '../support/services.js';
import { startEngineChild, type EngineChild } from './child.js';

await describeWithService('postgres', 'Two engine processes on one PostgreSQL', () => {
  const schema = uniqueTestSchema('replicas');
  let engines: EngineChild[] = [];

  beforeAll(async () => {
    // Both start on an empty schema at once, so both run the migrations concurrently.
    engines = await Promise.all([0, 1].map(() => startEngineChild({ STORE_URL: POSTGRES_TEST_URL, STORE_SCHEMA: schema })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop()));
    await dropTestSchema(schema);
  });

  it('lists on either process the executions started on both', { timeout: 60_000 }, async () => {
    const started: string[] = [];
    for (let i = 0; i < 20; i++) {
      const responses = await Promise.all(
        engines.map((e, n) => fetch(`${e.url}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { userId: `r${n}-${i}` } }) })),
      );
      for (const res of responses) {
        expect(res.status).toBe(200);
        started.push(((await res.json()) as { executionId: string }).executionId);
      }
    }
    for (const e of engines) {
      const { ids } = (await (await fetch(`${e.url}/executions`)).json()) as { ids: string[] };
      expect(new Set(ids)).toEqual(new Set(started));
    }
  });
});
