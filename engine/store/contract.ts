import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../model/diagnostic.js';
import type { WorkflowResource } from '../model/types.js';
import { maskSecrets } from './mask.js';
import { SAMPLE_T0, sampleResult, sampleSteps } from './samples.js';
import { percentileCont, type ExecutionStore, type StoreOptions } from './store.js';

/** Opens stores on one database, fresh for the suite; every `open` sees the same data. */
export interface StoreFactory {
  open(options?: Pick<StoreOptions, 'maxBatch' | 'sqlPercentiles' | 'onCommit'>): Promise<ExecutionStore>;
  /** Removes the suite's database (only what `create` made). */
  dispose(): Promise<void>;
}

const T0 = SAMPLE_T0;

function workflowResource(name: string, url: string): Pick<WorkflowResource, 'apiVersion' | 'kind' | 'metadata' | 'spec'> {
  return { apiVersion: 'workflow.io/v1', kind: 'Workflow', metadata: { name, namespace: 'default' }, spec: { tasks: [{ id: 'a', taskRef: 'get', input: { url } }] } };
}

const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * The behaviour every ExecutionStore must show, whatever the database: registered as a
 * describe block over stores from `create()`.
 */
export function storeContract(create: () => Promise<StoreFactory>): void {
  let factory: StoreFactory;
  let store: ExecutionStore;

  beforeAll(async () => {
    factory = await create();
    store = await factory.open();
  });
  afterAll(async () => {
    await store?.close();
    await factory?.dispose();
  });

  describe('recording and reading', () => {
    it('stores an execution with its input, output, version, trigger and timing', async () => {
      const wf = unique('orders');
      const result = sampleResult(wf, { output: { total: 42, items: [1, 2] } });
      await store.record(result, { input: { orderId: 'o-1' }, trigger: 'api', parentId: 'parent-1' });
      const got = await store.getExecution(result.executionId);
      expect(got).toMatchObject({
        id: result.executionId,
        namespace: 'default',
        workflow: wf,
        version: 'a'.repeat(64),
        status: 'succeeded',
        trigger: 'api',
        parentId: 'parent-1',
        input: { orderId: 'o-1' },
        output: { total: 42, items: [1, 2] },
        startedAt: result.startedAt,
        endedAt: result.endedAt,
        durationMs: 40,
      });
    });

    it('flattens nested steps with their paths, every attempt and its timing', async () => {
      const result = sampleResult(unique('nested'));
      await store.record(result, { input: {} });
      const got = await store.getExecution(result.executionId);
      expect(got!.steps.map((s) => s.path)).toEqual(['user', 'process', 'process[0]', 'process[0].charge', 'process[1]', 'process[1].charge', 'enrich', 'enrich.lookup', 'notify', 'empty', 'route']);
      const user = got!.steps[0];
      expect(user).toMatchObject({ stepId: 'user', kind: 'task', taskRef: 'get-user', attempt: 2, httpStatus: 200, url: 'http://api/users/1?api_key=***', waitMs: 0.125, durationMs: 12.5 });
      expect(user.attempts).toEqual(result.steps[0].attempts);
      const charge1 = got!.steps.find((s) => s.path === 'process[1].charge')!;
      expect(charge1).toMatchObject({ parentSeq: got!.steps.find((s) => s.path === 'process[1]')!.seq, durationMs: 9, startedAt: T0 + 15.125 });
    });

    it('rebuilds the nested trace exactly as the engine produced it', async () => {
      const result = sampleResult(unique('trace'));
      await store.record(result, { input: {} });
      const trace = await store.getTrace(result.executionId);
      expect(trace!.execution).toMatchObject({ id: result.executionId, status: 'succeeded' });
      expect(trace!.steps).toEqual(result.steps);
    });

    it('stores a trace of 4000 forEach items, more values than one statement takes', async () => {
      const steps = sampleSteps(T0);
      steps[1].children = Array.from({ length: 4000 }, (_, i) => ({ id: `process[${i}]`, index: i, kind: 'task' as const, status: 'succeeded' as const, taskRef: 'charge-card', startedAt: T0 + i, durationMs: 1 }));
      const result = sampleResult(unique('huge'), { steps });
      await store.record(result, { input: {} });
      const got = await store.getExecution(result.executionId);
      expect(got!.steps).toHaveLength(4000 + 7);
      expect(got!.steps[4001].path).toBe('process[3999]');
      expect((await store.getTrace(result.executionId))!.steps).toEqual(steps);
    });

    it('returns undefined for an execution that does not exist', async () => {
      expect(await store.getExecution('no-such-run')).toBeUndefined();
      expect(await store.getTrace('no-such-run')).toBeUndefined();
    });

    it('keeps the error of a failed run and no output', async () => {
      const result = sampleResult(unique('failing'), { status: 'failed' });
      await store.record(result, { input: {} });
      const got = await store.getExecution(result.executionId);
      expect(got).toMatchObject({ status: 'failed', error: { code: 'WF_HTTP_STATUS', step: 'user', httpStatus: 500 } });
      expect(got!.output).toBeUndefined();
    });

    it('replaces the steps when the same execution is recorded again', async () => {
      const result = sampleResult(unique('again'));
      await store.record(result, { input: {} });
      await store.record({ ...result, steps: result.steps.slice(0, 1) }, { input: {} });
      const got = await store.getExecution(result.executionId);
      expect(got!.steps.map((s) => s.path)).toEqual(['user']);
    });
  });

  describe('masking', () => {
    it('stores inputs, outputs and errors with credential fields masked at any depth', async () => {
      const result = sampleResult(unique('secrets'), { output: { user: 'ann', session: { accessToken: 'tok-out-123' }, list: [{ password: 'p@ss' }] } });
      await store.record(result, { input: { user: 'ann', apiKey: 'key-in-456', nested: { clientSecret: 's3', Authorization: 'Bearer abcdefgh' } } });
      const got = await store.getExecution(result.executionId);
      expect(got!.input).toEqual({ user: 'ann', apiKey: '***', nested: { clientSecret: '***', Authorization: '***' } });
      expect(got!.output).toEqual({ user: 'ann', session: '***', list: [{ password: '***' }] });
      expect(JSON.stringify(got)).not.toMatch(/tok-out-123|key-in-456|p@ss|abcdefgh/);
    });

    it('masks bearer tokens and URL credentials inside error and step texts', async () => {
      const steps = sampleSteps(T0);
      steps[0].error = { type: 'http', code: 'WF_HTTP_STATUS', message: 'upstream said: invalid header Bearer eyJhbGciOi.secret' };
      const result = sampleResult(unique('err-secrets'), {
        status: 'failed',
        steps,
        error: { type: 'network', code: 'WF_NETWORK', message: 'connect to https://user:hunter2@api.example/x failed', step: 'user' },
      });
      await store.record(result, { input: {} });
      const got = await store.getExecution(result.executionId);
      expect(got!.error!.message).toBe('connect to https://***@api.example/x failed');
      expect(got!.steps[0].error!.message).toBe('upstream said: invalid header Bearer ***');
      expect((await store.getTrace(result.executionId))!.steps[0].error).toEqual(maskSecrets(steps[0].error));
    });
  });

  describe('listing', () => {
    it('filters by workflow, namespace, status and time range, newest first', async () => {
      const wf = unique('filter');
      const rows = [
        sampleResult(wf, { startedAt: T0 + 1 }),
        sampleResult(wf, { startedAt: T0 + 2, status: 'failed' }),
        sampleResult(wf, { startedAt: T0 + 3, workflow: { name: wf, namespace: 'team-b', version: 'b'.repeat(64) } }),
        sampleResult(wf, { startedAt: T0 + 4 }),
      ];
      await Promise.all(rows.map((r) => store.record(r, { input: {} })));
      const ids = async (q: Parameters<ExecutionStore['listExecutions']>[0]) => (await store.listExecutions(q)).items.map((e) => e.id);
      expect(await ids({ workflow: wf })).toEqual([rows[3], rows[2], rows[1], rows[0]].map((r) => r.executionId));
      expect(await ids({ workflow: wf, namespace: 'team-b' })).toEqual([rows[2].executionId]);
      expect(await ids({ workflow: wf, status: 'failed' })).toEqual([rows[1].executionId]);
      expect(await ids({ workflow: wf, from: T0 + 2, to: T0 + 4 })).toEqual([rows[2].executionId, rows[1].executionId]);
    });

    it('lists summaries without inputs and outputs, with the error of failed runs', async () => {
      const wf = unique('summary');
      const failed = sampleResult(wf, { status: 'failed' });
      await store.record(failed, { input: { a: 1 }, trigger: 'cron:nightly' });
      const [item] = (await store.listExecutions({ workflow: wf })).items;
      expect(item).toEqual({
        id: failed.executionId,
        namespace: 'default',
        workflow: wf,
        version: 'a'.repeat(64),
        status: 'failed',
        trigger: 'cron:nightly',
        startedAt: failed.startedAt,
        endedAt: failed.endedAt,
        durationMs: 40,
        error: failed.error,
      });
    });

    it('pages with an opaque cursor through runs that share a start time', async () => {
      const wf = unique('pages');
      const rows = Array.from({ length: 10 }, (_, i) => sampleResult(wf, { startedAt: T0 + Math.floor(i / 3) }));
      await Promise.all(rows.map((r) => store.record(r, { input: {} })));
      const expected = [...rows].sort((a, b) => b.startedAt - a.startedAt || (b.executionId < a.executionId ? -1 : 1)).map((r) => r.executionId);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await store.listExecutions({ workflow: wf, limit: 3, cursor });
        seen.push(...res.items.map((e) => e.id));
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(expected);
      expect(cursor).toBeUndefined();
    });

    it('keeps pages stable while new runs are inserted concurrently', async () => {
      const wf = unique('stable');
      const rows = Array.from({ length: 9 }, (_, i) => sampleResult(wf, { startedAt: T0 + i }));
      await Promise.all(rows.map((r) => store.record(r, { input: {} })));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const newer = Array.from({ length: 4 }, (_, i) => sampleResult(wf, { startedAt: T0 + 1000 + page * 10 + i }));
        const [res] = await Promise.all([store.listExecutions({ workflow: wf, limit: 4, cursor }), ...newer.map((r) => store.record(r, { input: {} }))]);
        seen.push(...res.items.map((e) => e.id));
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      const original = new Set(rows.map((r) => r.executionId));
      const fromPageTwoOn = seen.slice(4);
      expect(fromPageTwoOn.every((id) => original.has(id))).toBe(true);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => original.has(id))).toEqual([...rows].reverse().map((r) => r.executionId).filter((id) => seen.includes(id)));
      expect(rows.every((r) => seen.includes(r.executionId))).toBe(true);
    });

    it('rejects a cursor it did not issue with WF_QUERY_CURSOR', async () => {
      const err = await store.listExecutions({ cursor: 'not-a-cursor' }).catch((e) => e);
      expect(err).toBeInstanceOf(DiagnosticError);
      expect(err.diagnostics[0]).toMatchObject({ code: 'WF_QUERY_CURSOR', pointer: '/cursor' });
    });

    it('rejects a limit outside 1..1000 with WF_QUERY_LIMIT', async () => {
      const err = await store.listExecutions({ limit: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(DiagnosticError);
      expect(err.diagnostics[0]).toMatchObject({ code: 'WF_QUERY_LIMIT', pointer: '/limit' });
    });
  });

  describe('group commit', () => {
    it('commits 32 concurrent records in far fewer transactions than 32', async () => {
      const wf = unique('group');
      const before = { ...store.commitStats };
      const rows = Array.from({ length: 32 }, (_, i) => sampleResult(wf, { startedAt: T0 + i }));
      await Promise.all(rows.map((r) => store.record(r, { input: {} })));
      const commits = store.commitStats.commits - before.commits;
      expect(commits).toBeGreaterThanOrEqual(1);
      expect(commits).toBeLessThanOrEqual(2);
      expect(store.commitStats.largestBatch).toBeGreaterThanOrEqual(16);
      expect((await store.listExecutions({ workflow: wf, limit: 100 })).items).toHaveLength(32);
    });

    it('starts a commit as soon as maxBatch records wait', async () => {
      const small = await factory.open({ maxBatch: 8 });
      try {
        const rows = Array.from({ length: 32 }, () => sampleResult(unique('batch')));
        await Promise.all(rows.map((r) => small.record(r, { input: {} })));
        expect(small.commitStats).toMatchObject({ commits: 4, records: 32, largestBatch: 8 });
      } finally {
        await small.close();
      }
    });

    it('reports every commit with its record count and latency', async () => {
      const seen: Array<{ records: number; durationMs: number; ok: boolean }> = [];
      const observed = await factory.open({ onCommit: (c) => seen.push(c) });
      try {
        await Promise.all([0, 1, 2].map(() => observed.record(sampleResult(unique('observed')), { input: {} })));
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatchObject({ records: 3, ok: true });
        expect(seen[0].durationMs).toBeGreaterThan(0);
        expect(observed.commitStats.totalCommitMs).toBe(seen[0].durationMs);
      } finally {
        await observed.close();
      }
    });

    it('a record is readable from another connection as soon as it resolves', async () => {
      const other = await factory.open();
      try {
        const result = sampleResult(unique('durable'));
        await store.record(result, { input: { n: 1 } });
        expect(await other.getExecution(result.executionId)).toMatchObject({ status: 'succeeded', input: { n: 1 } });
      } finally {
        await other.close();
      }
    });

    it('a bad record fails alone; the others in its batch are stored', async () => {
      const wf = unique('one-bad');
      const good = Array.from({ length: 4 }, () => sampleResult(wf));
      const bad = sampleResult(wf, { workflow: { name: null as unknown as string, namespace: 'default', version: 'x' } });
      const outcomes = await Promise.allSettled([...good, bad].map((r) => store.record(r, { input: {} })));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      expect((await store.listExecutions({ workflow: wf })).items).toHaveLength(4);
      expect(store.commitStats.failedCommits).toBeGreaterThanOrEqual(2);
    });

    it('close commits what is queued, then refuses new records', async () => {
      const closing = await factory.open();
      const result = sampleResult(unique('closing'));
      const pending = closing.record(result, { input: {} });
      await closing.close();
      await pending;
      expect(await store.getExecution(result.executionId)).toBeDefined();
      await expect(closing.record(sampleResult('late'), { input: {} })).rejects.toThrow(/closed/);
    });
  });

  describe('asynchronous runs', () => {
    it('shows a started run as running, then completes it keeping input and trigger', async () => {
      const wf = unique('async');
      const id = randomUUID();
      await store.recordStart({ executionId: id, workflow: { name: wf, namespace: 'default', version: 'c'.repeat(64) }, input: { token: 't-1', q: 1 }, trigger: 'api-async', idempotencyKey: unique('key'), startedAt: T0 });
      expect((await store.listExecutions({ workflow: wf, status: 'running' })).items.map((e) => e.id)).toEqual([id]);
      expect(await store.getExecution(id)).toMatchObject({ status: 'running', input: { token: '***', q: 1 }, steps: [] });
      await store.recordEnd(sampleResult(wf, { executionId: id, startedAt: T0, output: { done: true } }));
      expect(await store.getExecution(id)).toMatchObject({ status: 'succeeded', input: { token: '***', q: 1 }, trigger: 'api-async', output: { done: true }, durationMs: 40 });
    });

    it('completes a run whose start and end wait for the same commit', async () => {
      const wf = unique('fast-async');
      const id = randomUUID();
      await Promise.all([
        store.recordStart({ executionId: id, workflow: { name: wf, namespace: 'default' }, input: { q: 2 }, trigger: 'api-async', startedAt: T0 }),
        store.recordEnd(sampleResult(wf, { executionId: id, startedAt: T0 })),
      ]);
      expect(await store.getExecution(id)).toMatchObject({ status: 'succeeded', input: { q: 2 }, trigger: 'api-async' });
      expect((await store.getExecution(id))!.steps).toHaveLength(11);
    });

    it('cancels a running execution once and reports false for finished or unknown ones', async () => {
      const id = randomUUID();
      await store.recordStart({ executionId: id, workflow: { name: unique('cancel'), namespace: 'default' }, input: {}, startedAt: T0 });
      expect(await store.markCancelled(id, T0 + 25)).toBe(true);
      expect(await store.getExecution(id)).toMatchObject({ status: 'cancelled', endedAt: T0 + 25, durationMs: 25, error: { code: 'WF_RUN_CANCELLED' } });
      expect(await store.markCancelled(id)).toBe(false);
      expect(await store.markCancelled('no-such-run')).toBe(false);
    });

    it('cancels a run whose start is still waiting for its commit', async () => {
      const id = randomUUID();
      const started = store.recordStart({ executionId: id, workflow: { name: unique('cancel-queued'), namespace: 'default' }, input: {} });
      expect(await store.markCancelled(id)).toBe(true);
      await started;
      expect((await store.getExecution(id))!.status).toBe('cancelled');
    });
  });

  describe('idempotency', () => {
    it('finds the first execution recorded with a key within the window', async () => {
      const key = unique('idem');
      const first = sampleResult(unique('idem-wf'), { startedAt: T0 + 10, output: { n: 1 } });
      const second = sampleResult(first.workflow.name, { startedAt: T0 + 20, output: { n: 2 } });
      await store.record(first, { input: {}, idempotencyKey: key });
      await store.record(second, { input: {}, idempotencyKey: key });
      expect(await store.findByIdempotencyKey(key, T0)).toMatchObject({ id: first.executionId, output: { n: 1 }, idempotencyKey: key });
      expect((await store.findByIdempotencyKey(key, T0 + 15))!.id).toBe(second.executionId);
    });

    it('finds nothing for an unknown key or a key older than the window', async () => {
      const key = unique('idem-old');
      await store.record(sampleResult(unique('idem-wf'), { startedAt: T0 }), { input: {}, idempotencyKey: key });
      expect(await store.findByIdempotencyKey(key, T0 + 1)).toBeUndefined();
      expect(await store.findByIdempotencyKey(unique('never'), 0)).toBeUndefined();
    });
  });

  describe('definition versions', () => {
    it('stores each version once, even from two stores, newest first', async () => {
      const name = unique('versioned');
      const v1 = await store.recordDefinitionVersion(workflowResource(name, 'v1'), T0);
      expect(await store.recordDefinitionVersion(workflowResource(name, 'v1'), T0 + 5)).toBe(v1);
      const other = await factory.open();
      try {
        expect(await other.recordDefinitionVersion(workflowResource(name, 'v1'), T0 + 6)).toBe(v1);
        const v2 = await other.recordDefinitionVersion(workflowResource(name, 'v2'), T0 + 10);
        const versions = await store.listVersions('default', name);
        expect(versions.map((v) => [v.version, v.firstSeen])).toEqual([
          [v2, T0 + 10],
          [v1, T0],
        ]);
        expect(versions[1].snapshot).toEqual({ kind: 'Workflow', metadata: { name, namespace: 'default' }, spec: { tasks: [{ id: 'a', taskRef: 'get', input: { url: 'v1' } }] } });
      } finally {
        await other.close();
      }
    });

    it('returns one stored version by its hash, and undefined for an unknown one', async () => {
      const name = unique('by-hash');
      const v1 = await store.recordDefinitionVersion(workflowResource(name, 'v1'), T0);
      expect(await store.getDefinitionVersion('Workflow', 'default', name, v1)).toMatchObject({ version: v1, firstSeen: T0, snapshot: { spec: { tasks: [{ input: { url: 'v1' } }] } } });
      expect(await store.getDefinitionVersion('Workflow', 'default', name, 'f'.repeat(64))).toBeUndefined();
    });

    it('lists no versions for a workflow it never saw', async () => {
      expect(await store.listVersions('default', unique('unseen'))).toEqual([]);
    });
  });

  describe('statistics', () => {
    const durations = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];

    async function recordSeries(wf: string) {
      const rows = durations.map((d, i) => sampleResult(wf, { startedAt: T0 + i, durationMs: d, status: i === 9 ? 'failed' : 'succeeded' }));
      await Promise.all(rows.map((r) => store.record(r, { input: {} })));
      await store.recordStart({ executionId: randomUUID(), workflow: { name: wf, namespace: 'default' }, input: {}, startedAt: T0 + 5 });
      await store.record(sampleResult(wf, { startedAt: T0 + 500, durationMs: 5 }), { input: {} });
    }

    it('computes count, success rate and p50/p95/p99 per workflow over finished runs in the range', async () => {
      const wf = unique('stats');
      await recordSeries(wf);
      const stats = await store.workflowStats({ workflow: wf, from: T0, to: T0 + 100 });
      expect(stats).toHaveLength(1);
      expect(stats[0]).toMatchObject({ namespace: 'default', workflow: wf, count: 10, succeeded: 9, successRate: 0.9 });
      expect(stats[0].p50).toBeCloseTo(55, 9);
      expect(stats[0].p95).toBeCloseTo(percentileCont(durations, 0.95)!, 9);
      expect(stats[0].p99).toBeCloseTo(percentileCont(durations, 0.99)!, 9);
    });

    it('computes per-task statistics over the steps that ran, not the skipped ones', async () => {
      const wf = unique('task-stats');
      await recordSeries(wf);
      const stats = await store.taskStats({ workflow: wf, from: T0, to: T0 + 100 });
      expect(stats.map((s) => s.task)).toEqual(['charge-card', 'get-user', 'gold-lane', 'lookup']);
      const charge = stats.find((s) => s.task === 'charge-card')!;
      expect(charge).toMatchObject({ count: 20, succeeded: 20, successRate: 1 });
      expect(charge.p50).toBeCloseTo(8.5, 9);
      expect((await store.taskStats({ workflow: wf, task: 'lookup', from: T0, to: T0 + 100 }))[0]).toMatchObject({ count: 10, p50: 6, p99: 6 });
    });

    it('gives the same statistics when percentiles are computed in code', async () => {
      const wf = unique('stats-code');
      await recordSeries(wf);
      const inCode = await factory.open({ sqlPercentiles: false });
      try {
        const q = { workflow: wf, from: T0, to: T0 + 100 };
        const [a, b] = [await store.workflowStats(q), await inCode.workflowStats(q)];
        expect(b[0]).toMatchObject({ count: a[0].count, succeeded: a[0].succeeded });
        for (const p of ['p50', 'p95', 'p99'] as const) expect(b[0][p]).toBeCloseTo(a[0][p]!, 9);
        const [ta, tb] = [await store.taskStats(q), await inCode.taskStats(q)];
        expect(tb.map((t) => [t.task, t.count])).toEqual(ta.map((t) => [t.task, t.count]));
        tb.forEach((t, i) => expect(t.p95).toBeCloseTo(ta[i].p95!, 9));
      } finally {
        await inCode.close();
      }
    });

    it('returns no rows for a range without runs', async () => {
      expect(await store.workflowStats({ workflow: unique('none'), from: 0, to: 1 })).toEqual([]);
    });
  });

  describe('migrations', () => {
    it('running the migrations again changes nothing and keeps the data', async () => {
      const result = sampleResult(unique('migrate'));
      await store.record(result, { input: {} });
      const again = await factory.open();
      try {
        expect(await again.migrate()).toBe(0);
        expect((await again.getExecution(result.executionId))!.status).toBe('succeeded');
      } finally {
        await again.close();
      }
    });
  });
}
