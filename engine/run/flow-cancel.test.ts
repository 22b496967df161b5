import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTask, flowEngine, hang, traceAt } from '../../test/support/flow.js';

const TASKS = fakeTask('wait') + fakeTask('echo');
const handlers = { wait: hang, echo: (i: unknown) => i };

afterEach(() => {
  vi.useRealTimers();
});

describe('runs that stop early', () => {
  it('marks steps that never started as cancelled when the workflow times out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: slow }
spec:
  timeout: 50ms
  tasks:
    - { id: first, taskRef: wait }
    - { id: second, taskRef: echo, dependsOn: [first], input: { n: 1 } }
`, handlers);
    const running = engine.execute('slow', {});
    await vi.advanceTimersByTimeAsync(50);
    const r = await running;
    expect(r.status).toBe('timed_out');
    expect(r.error).toMatchObject({ type: 'timeout', code: 'WF_RUN_TIMEOUT', message: "Workflow 'slow' did not finish within 50ms", step: 'first' });
    expect(traceAt(r.steps, 'first')).toMatchObject({ status: 'cancelled', error: { type: 'timeout' } });
    expect(traceAt(r.steps, 'second')).toMatchObject({ kind: 'task', status: 'cancelled', reason: 'the workflow timed out before it started' });
    expect(r.error?.hint).toBe('Raise spec.timeout or make the slow steps faster (see the trace).');
    expect(calls.of('echo')).toEqual([]);
  });

  it('marks steps that never started as cancelled when the caller aborts', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: slow }
spec:
  tasks:
    - { id: first, taskRef: wait }
    - { id: second, taskRef: echo, dependsOn: [first] }
`, handlers);
    const controller = new AbortController();
    const running = engine.execute('slow', {}, { signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.error).toMatchObject({ type: 'cancelled', code: 'WF_RUN_CANCELLED', message: 'The caller went away' });
    expect(traceAt(r.steps, 'second')).toMatchObject({ status: 'cancelled', reason: 'the run was cancelled before it started' });
  });

  it('stops starting forEach items when the run times out and marks the rest cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop }
spec:
  timeout: 50ms
  tasks:
    - id: each
      forEach: { items: "{{input.ids}}", itemVar: id, maxParallel: 2 }
      taskRef: wait
      input: { id: "{{forEach.id}}" }
`, handlers);
    const running = engine.execute('loop', { ids: ['a', 'b', 'c', 'd'] });
    await vi.advanceTimersByTimeAsync(50);
    const r = await running;
    expect(r.status).toBe('timed_out');
    expect(calls.of('wait')).toEqual([{ id: 'a' }, { id: 'b' }]);
    const items = traceAt(r.steps, 'each').children!;
    expect(items.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(items[2]).toEqual({ id: 'each[2]', index: 2, kind: 'task', status: 'cancelled', reason: 'the run stopped before this item started' });
    expect(traceAt(r.steps, 'each')).toMatchObject({ status: 'cancelled', error: { type: 'timeout', code: 'WF_RUN_TIMEOUT' } });
  });
});

describe('sub-workflow input isolation', () => {
  it("applies the child's schema defaults to a copy: the parent's data is unchanged", async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: child }
spec:
  input: { type: object, properties: { o: { type: object, properties: { tier: { type: string, default: gold } } } } }
  tasks: [{ id: see, taskRef: echo, input: { o: "{{input.o}}" } }]
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: parent }
spec:
  tasks:
    - { id: call, workflowRef: child, input: { o: "{{input.o}}" } }
    - { id: after, taskRef: echo, dependsOn: [call], input: { o: "{{input.o}}" } }
`, handlers);
    const r = await engine.execute('parent', { o: { id: 1 } });
    expect(r.status).toBe('succeeded');
    expect(calls.list).toEqual([
      { task: 'echo', input: { o: { id: 1, tier: 'gold' } } },
      { task: 'echo', input: { o: { id: 1 } } },
    ]);
  });
});
