import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type ExecutionStore } from '../../engine/store/store.js';
import { describeWithService, dropTestSchema, POSTGRES_TEST_URL, uniqueTestSchema } from '../support/services.js';
import { CHECKOUT_STEP_PATHS, loadThenKill, startEngineChild, type EngineChild } from './child.js';

const children: EngineChild[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop()));
});

/** Every run whose 200 reached the client is stored, finished, with its output and every step. */
async function expectAcknowledgedRunsComplete(env: Record<string, string>, reopen: () => Promise<ExecutionStore>): Promise<void> {
  const child = await startEngineChild(env);
  children.push(child);
  const { acknowledged, unanswered } = await loadThenKill(child, { workers: 8, maxRequests: 400, killAfter: 60 });
  expect(await child.exited).toBe('SIGKILL');
  expect(acknowledged.length).toBeGreaterThanOrEqual(60);
  expect(unanswered).toBeGreaterThanOrEqual(1);

  const store = await reopen();
  try {
    for (const ack of acknowledged) {
      const run = await store.getExecution(ack.executionId);
      expect(run, `execution ${ack.executionId} answered 200 but is missing`).toBeDefined();
      expect(run).toMatchObject({ status: 'succeeded', workflow: 'checkout', trigger: 'api', output: ack.output });
      expect(run!.endedAt).toBeGreaterThanOrEqual(run!.startedAt);
      expect(run!.steps.map((s) => s.path)).toEqual(CHECKOUT_STEP_PATHS);
      expect(run!.steps.every((s) => s.status === 'succeeded')).toBe(true);
      expect(run!.steps.filter((s) => s.kind === 'task').every((s) => s.attempts.length === 1 && s.httpStatus === 200)).toBe(true);
    }
  } finally {
    await store.close();
  }
}

describe('SQLite history under SIGKILL', () => {
  for (const synchronous of ['normal', 'full'] as const) {
    it(`keeps every execution whose 200 response reached the client (synchronous=${synchronous})`, { timeout: 90_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-kill-'));
      try {
        const path = join(dir, 'weft.db');
        await expectAcknowledgedRunsComplete({ STORE_PATH: path, STORE_SYNCHRONOUS: synchronous }, () => openStore({ path }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

await describeWithService('postgres', 'PostgreSQL history under SIGKILL', () => {
  it('keeps every execution whose 200 response reached the client', { timeout: 90_000 }, async () => {
    const schema = uniqueTestSchema('kill');
    try {
      await expectAcknowledgedRunsComplete({ STORE_URL: POSTGRES_TEST_URL, STORE_SCHEMA: schema }, () => openStore({ url: POSTGRES_TEST_URL, schema }));
    } finally {
      await dropTestSchema(schema);
    }
  });
});
