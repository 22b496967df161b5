import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/store.js';
import { DEFINITIONS, historyApp, post, startUpstream, testRegistry, type HistoryApp, type Upstream } from './test-app.js';

let upstream: Upstream;
let h: HistoryApp;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await historyApp(upstream);
});
afterAll(async () => {
  await h.close();
  await upstream.close();
});

const get = async (path: string): Promise<{ status: number; body: any; headers: Headers }> => {
  const res = await h.app.request(path);
  return { status: res.status, body: await res.json(), headers: res.headers };
};
const execute = async (name: string, input: unknown = {}) => {
  const res = await post(h.app, `/api/v1/workflows/${name}/execute`, { input });
  return { status: res.status, id: res.headers.get('x-execution-id')!, body: (await res.json()) as any };
};

describe('synchronous execute with history on', () => {
  it('answers after the record is committed: a fresh connection to the database reads it at once', async () => {
    const run = await execute('greet', { userId: '7', password: 'hunter2' });
    expect(run.status).toBe(200);
    const other = await openStore({ path: h.store.location });
    try {
      const stored = await other.getExecution(run.id);
      expect(stored).toMatchObject({ id: run.id, workflow: 'greet', status: 'succeeded', trigger: 'api', output: { hello: 'user-7' } });
      expect(stored!.input).toEqual({ userId: '7', password: '***' });
    } finally {
      await other.close();
    }
  });

  it('records a failed run with its step error and still answers 502', async () => {
    const run = await execute('explode');
    expect(run.status).toBe(502);
    const stored = await h.store.getExecution(run.id);
    expect(stored).toMatchObject({ status: 'failed', error: { code: 'WF_HTTP_500', step: 'blow' } });
    expect(stored!.steps[0]).toMatchObject({ stepId: 'blow', status: 'failed', httpStatus: 500 });
  });

  it('records the definition versions the run used and lists them with the loaded one marked current', async () => {
    await execute('greet', { userId: '1' });
    const { body } = await get('/api/v1/workflows/greet/versions');
    const current = h.engine.workflow('greet')!.version;
    expect(body.current).toBe(current);
    expect(body.items).toEqual([expect.objectContaining({ version: current, current: true, definition: expect.objectContaining({ kind: 'Workflow', spec: expect.any(Object) }) })]);
    expect(h.store.hasDefinitionVersion('WorkflowTask', 'default', 'get-user', h.engine.task('get-user')!.version)).toBe(true);
  });
});

describe('GET /api/v1/executions', () => {
  it('filters by workflow and status, newest first', async () => {
    const ids = [(await execute('greet', { userId: '2' })).id, (await execute('greet', { userId: '3' })).id];
    const { body } = await get('/api/v1/executions?workflow=greet&status=succeeded&limit=2');
    expect(body.items.map((e: any) => e.id)).toEqual(ids.reverse());
    expect(body.items[0]).toMatchObject({ namespace: 'default', workflow: 'greet', status: 'succeeded', links: { self: `/api/v1/executions/${ids[0]}`, trace: `/api/v1/executions/${ids[0]}/trace` } });
    expect(body.items[0].startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('pages with a next link (also in the Link header) until the last page, without repeating a row', async () => {
    for (let i = 0; i < 5; i++) await execute('greet', { userId: `p${i}` });
    const seen: string[] = [];
    let path: string | undefined = '/api/v1/workflows/greet/executions?limit=2';
    let pages = 0;
    while (path && pages < 50) {
      const page = await get(path);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: any) => e.id));
      if (page.body.next) expect(page.headers.get('link')).toBe(`<${page.body.next}>; rel="next"`);
      path = page.body.next;
      pages++;
    }
    const all = await h.store.listExecutions({ workflow: 'greet', limit: 1000 });
    expect(seen).toEqual(all.items.map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('keeps only runs started in [from, to)', async () => {
    const run = await execute('greet', { userId: 'range' });
    const started = (await h.store.getExecution(run.id))!.startedAt;
    const inside = await get(`/api/v1/executions?from=${new Date(started).toISOString()}&to=${started + 1}`);
    expect(inside.body.items.map((e: any) => e.id)).toContain(run.id);
    const after = await get(`/api/v1/executions?from=${started + 1}`);
    expect(after.body.items.map((e: any) => e.id)).not.toContain(run.id);
  });

  it('answers 400 naming each bad query parameter with a pointer and a hint', async () => {
    const { status, body } = await get('/api/v1/executions?limit=0&status=done&form=2024-01-01');
    expect(status).toBe(400);
    expect(body.errors.map((e: any) => [e.pointer, e.code])).toEqual([
      ['/query/form', 'WF_QUERY_UNKNOWN_PARAMETER'],
      ['/query/status', 'WF_QUERY_INVALID'],
      ['/query/limit', 'WF_QUERY_INVALID'],
    ]);
    expect(body.errors[0].hint).toBe("Did you mean 'from'?");
  });

  it('answers 400 for a cursor it did not issue', async () => {
    const { status, body } = await get('/api/v1/executions?cursor=bogus');
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'WF_QUERY_CURSOR', errors: [expect.objectContaining({ pointer: '/query/cursor' })] });
  });
});

describe('GET /api/v1/executions/{id} and /trace', () => {
  it('shows one execution with input, output and every step record', async () => {
    const run = await execute('pair');
    const { status, body } = await get(`/api/v1/executions/${run.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: run.id, workflow: 'pair', status: 'succeeded', input: {}, output: { names: ['user-1', 'user-2'] } });
    expect(body.steps.map((s: any) => [s.path, s.status, s.httpStatus, s.attempts.length])).toEqual([
      ['a', 'succeeded', 200, 1],
      ['b', 'succeeded', 200, 1],
      ['c', 'succeeded', 200, 1],
    ]);
  });

  it('compares the planned parallel groups with the ones the recorded times show', async () => {
    const run = await execute('pair');
    const { body } = await get(`/api/v1/executions/${run.id}/trace`);
    expect(body.parallelGroups).toEqual({ planned: [['a', 'b'], ['c']], actual: [['a', 'b'], ['c']] });
    expect(body.trace.map((s: any) => s.id)).toEqual(['a', 'b', 'c']);
    expect(body.waitMs.total).toBeGreaterThanOrEqual(body.waitMs.max);
  });

  it('plans against the stored version that ran, not the one loaded now', async () => {
    const own = await historyApp(upstream);
    try {
      const run = await post(own.app, '/api/v1/workflows/pair/execute', {});
      const changed = DEFINITIONS.replace('dependsOn: [b] }', '}').replace('input: { userId: "{{tasks.a.output.id}}" }', 'input: { userId: "3" }');
      own.engine.load(testRegistry(changed));
      const view = (await (await own.app.request(`/api/v1/executions/${run.headers.get('x-execution-id')}/trace`)).json()) as any;
      expect(view.parallelGroups.planned).toEqual([['a', 'b'], ['c']]);
      expect((await (await own.app.request('/api/v1/workflows/pair/test', { method: 'POST', body: '{}' })).json() as any).parallelGroups).toEqual([['a', 'b', 'c']]);
    } finally {
      await own.close();
    }
  });

  it('lists the nested child runs of workflowRef steps', async () => {
    const run = await execute('parent');
    const { body } = await get(`/api/v1/executions/${run.id}/trace`);
    expect(body.childRuns).toEqual([{ path: 'sub', step: 'sub', workflow: 'greet', executionId: expect.any(String), status: 'succeeded' }]);
    expect(body.trace[0].children.map((s: any) => s.id)).toEqual(['fetch']);
  });

  it('answers 404 for an id the history does not have', async () => {
    const { status, body } = await get('/api/v1/executions/nope/trace');
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'WF_UNKNOWN_EXECUTION', hint: expect.stringContaining('GET /api/v1/executions') });
  });
});

describe('statistics', () => {
  it('gives count, success rate and p50/p95/p99 of a workflow over a time range', async () => {
    const from = Date.now() - 1;
    await execute('explode');
    await execute('explode');
    const { body } = await get(`/api/v1/workflows/explode/stats?from=${from}&to=${Date.now() + 1000}`);
    expect(body).toMatchObject({ namespace: 'default', workflow: 'explode', count: 2, succeeded: 0, successRate: 0 });
    expect(body.durationMs.p50).toBeGreaterThan(0);
    expect(body.durationMs.p99).toBeGreaterThanOrEqual(body.durationMs.p50);
  });

  it('gives per-task statistics of the steps that called the task', async () => {
    const from = Date.now() - 1;
    await execute('pair');
    const { body } = await get(`/api/v1/tasks/get-user/stats?workflow=pair&from=${from}&to=${Date.now() + 1000}`);
    expect(body).toMatchObject({ task: 'get-user', workflow: 'pair', count: 3, succeeded: 3, successRate: 1 });
  });

  it('answers zero runs for a loaded workflow that has not run in the range', async () => {
    const { body } = await get('/api/v1/workflows/wait/stats');
    expect(body).toMatchObject({ count: 0, successRate: 0, durationMs: { p50: null, p95: null, p99: null } });
  });

  it('answers 404 with a did-you-mean for a workflow that is neither loaded nor in the history', async () => {
    const { status, body } = await get('/api/v1/workflows/greeet/stats');
    expect(status).toBe(404);
    expect(body.hint).toBe("Did you mean 'greet'?");
  });

  it('answers 400 when from is not before to', async () => {
    const { status, body } = await get('/api/v1/workflows/greet/stats?from=2024-06-02T00:00:00Z&to=2024-06-01T00:00:00Z');
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({ pointer: '/query/from', message: 'from must be before to' });
  });
});
