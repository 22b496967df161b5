import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeTask, flowEngine, hang, httpFailure, traceAt } from '../../test/support/flow.js';

const TASKS = ['echo', 'boom', 'slow'].map((t) => fakeTask(t)).join('');
const handlers = {
  echo: (i: unknown) => i,
  boom: () => {
    throw httpFailure(503, 'HTTP 503 from boom');
  },
  slow: hang,
};

const wf = (name: string, body: string, meta = '') => `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ${name}${meta} }
spec:
${body}
---
`;

const CHILD = wf(
  'order-processing',
  `  input: { type: object, properties: { orderId: { type: string } }, required: [orderId] }
  tasks:
    - { id: load, taskRef: echo, input: { id: "{{input.orderId}}", customerId: "c-{{input.orderId}}" } }
  output: { orderId: "{{tasks.load.output.id}}", customerId: "{{tasks.load.output.customerId}}" }`,
  ', annotations: { workflow.io/version: v2 }',
);
const BILLING = wf('invoice', `  tasks: [{ id: bill, taskRef: default/echo, input: { billed: "{{input.n}}" } }]\n  output: "{{tasks.bill.output}}"`, ', namespace: billing');

const caller = (ref: string, extra = '') =>
  wf(
    'parent',
    `  tasks:
    - { id: call, workflowRef: "${ref}", input: { orderId: "{{input.id}}", n: 1 }${extra} }
  output: { child: "{{tasks.call.output}}" }`,
  );

describe('workflowRef resolution', () => {
  it.each(['order-processing', 'order-processing@v2', 'default/order-processing', 'default/order-processing@v2'])('calls the child by %s', async (ref) => {
    const { engine } = flowEngine(TASKS + CHILD + caller(ref), handlers);
    const r = await engine.execute('parent', { id: 'o1' });
    expect(r.status).toBe('succeeded');
    expect(r.output).toEqual({ child: { orderId: 'o1', customerId: 'c-o1' } });
  });

  it('calls the child by a prefix of its content hash', async () => {
    const { engine } = flowEngine(TASKS + CHILD + caller('order-processing'), handlers);
    const hash = engine.workflow('order-processing')!.version.slice(0, 10);
    const { engine: e2 } = flowEngine(TASKS + CHILD + caller(`order-processing@${hash}`), handlers);
    expect((await e2.execute('parent', { id: 'o2' })).output).toEqual({ child: { orderId: 'o2', customerId: 'c-o2' } });
  });

  it('calls a workflow in another namespace by ns/name', async () => {
    const { engine } = flowEngine(TASKS + BILLING + caller('billing/invoice'), handlers);
    const r = await engine.execute('parent', { id: 'o1' });
    expect(r.output).toEqual({ child: { billed: 1 } });
  });

  it('fails with the loaded version when @version does not match', async () => {
    const { engine } = flowEngine(TASKS + CHILD + caller('order-processing@v3'), handlers);
    const r = await engine.execute('parent', { id: 'o1' });
    const hash = engine.workflow('order-processing')!.version.slice(0, 12);
    expect(r.error).toMatchObject({
      step: 'call',
      code: 'WF_UNKNOWN_WORKFLOW',
      message: `Workflow 'order-processing@v3': 'default/order-processing' is loaded, but not at version 'v3' (it is 'v2', hash ${hash})`,
    });
  });

  it('gives the hash alone when the loaded child has no version annotation', async () => {
    const { engine } = flowEngine(TASKS + BILLING + caller('billing/invoice@v9'), handlers);
    const r = await engine.execute('parent', { id: 'o1' });
    const hash = engine.workflow('invoice', 'billing')!.version.slice(0, 12);
    expect(r.error).toEqual({
      step: 'call',
      type: 'workflow',
      code: 'WF_UNKNOWN_WORKFLOW',
      message: `Workflow 'billing/invoice@v9': 'billing/invoice' is loaded, but not at version 'v9' (it is hash ${hash})`,
      hint: 'Reference the loaded version (annotation workflow.io/version or a hash prefix of 7+ characters), or drop @version for the latest.',
    });
  });

  it('fails naming the namespace when the workflow is not loaded', async () => {
    const { engine } = flowEngine(TASKS + caller('nope'), handlers);
    const r = await engine.execute('parent', { id: 'o1' });
    expect(r.error).toEqual({ step: 'call', type: 'workflow', code: 'WF_UNKNOWN_WORKFLOW', message: "Workflow 'nope' is not loaded (looked in namespace 'default')", hint: 'Check the workflowRef: name, name@version, ns/name or ns/name@version.' });
  });

  it('resolves a templated workflowRef at run time', async () => {
    const { engine } = flowEngine(TASKS + CHILD + BILLING + caller('{{input.target}}'), handlers);
    expect((await engine.execute('parent', { id: 'o9', target: 'billing/invoice' })).output).toEqual({ child: { billed: 1 } });
    const r = await engine.execute('parent', { id: 'o9', target: 'order-processing' });
    expect(r.output).toEqual({ child: { orderId: 'o9', customerId: 'c-o9' } });
    expect(traceAt(r.steps, 'call').workflowRef).toBe('order-processing');
  });
});

describe('sub-workflow execution', () => {
  it("gives the child its own scope: it cannot read the parent's steps", async () => {
    const { engine, calls } = flowEngine(
      TASKS +
        wf('nosy', `  tasks: [{ id: peek, taskRef: echo, input: { x: "{{tasks.first.output}}" } }]`) +
        wf('parent', `  tasks:\n    - { id: first, taskRef: echo, input: { secret: 1 } }\n    - { id: call, workflowRef: nosy, dependsOn: [first] }`),
      handlers,
    );
    const r = await engine.execute('parent', {});
    expect(r.status).toBe('failed');
    expect(calls.list).toEqual([{ task: 'echo', input: { secret: 1 } }]);
    expect(r.error?.message).toBe("Sub-workflow 'nosy' failed at step 'peek': step 'peek' input: {{tasks.first.output}} has no key 'first' under 'tasks' (object)");
  });

  it("names the child's missing required input", async () => {
    const { engine } = flowEngine(TASKS + CHILD + wf('parent', `  tasks: [{ id: call, workflowRef: order-processing, input: {} }]`), handlers);
    const r = await engine.execute('parent', {});
    expect(r.error).toEqual({ step: 'call', type: 'input', code: 'WF_CHILD_INPUT', message: "Input for workflow 'order-processing' is invalid: input must have required property 'orderId'", hint: "Map the fields the child's input schema requires." });
  });

  it("validates the child's input against its schema", async () => {
    const { engine } = flowEngine(TASKS + CHILD + wf('parent', `  tasks: [{ id: call, workflowRef: order-processing, input: { orderId: 5 } }]`), handlers);
    const r = await engine.execute('parent', {});
    expect(r.error).toMatchObject({ step: 'call', type: 'input', code: 'WF_CHILD_INPUT', message: "Input for workflow 'order-processing' is invalid: /orderId must be string" });
  });

  it('puts the child run in the trace as a nested tree with its own execution id', async () => {
    const { engine } = flowEngine(TASKS + CHILD + caller('order-processing'), handlers);
    const r = await engine.execute('parent', { id: 'o1' });
    const call = traceAt(r.steps, 'call');
    expect(call).toMatchObject({ kind: 'workflow', workflowRef: 'order-processing', status: 'succeeded' });
    expect(call.executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.executionId).not.toBe(r.executionId);
    expect(call.children!.map((c) => [c.id, c.status])).toEqual([['load', 'succeeded']]);
  });

  it("fails the step with the child's error chain", async () => {
    const { engine } = flowEngine(
      TASKS +
        wf('c', `  tasks: [{ id: explode, taskRef: boom }]`) +
        wf('b', `  tasks: [{ id: call-c, workflowRef: c }]`) +
        wf('a', `  tasks: [{ id: call-b, workflowRef: b }]`),
      handlers,
    );
    const r = await engine.execute('a', {});
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({
      step: 'call-b',
      type: 'workflow',
      code: 'WF_CHILD_FAILED',
      message: "Sub-workflow 'b' failed at step 'call-c': Sub-workflow 'c' failed at step 'explode': HTTP 503 from boom",
      cause: {
        workflow: 'default/b',
        step: 'call-c',
        code: 'WF_CHILD_FAILED',
        cause: { workflow: 'default/c', step: 'explode', code: 'WF_HTTP_STATUS', httpStatus: 503, message: 'HTTP 503 from boom' },
      },
    });
    expect(traceAt(r.steps, 'call-b', 'call-c', 'explode').status).toBe('failed');
  });

  it('runs independent parent steps while a child fails', async () => {
    const { engine, calls } = flowEngine(
      TASKS + wf('c', `  tasks: [{ id: explode, taskRef: boom }]`) + wf('a', `  tasks:\n    - { id: call, workflowRef: c }\n    - { id: other, taskRef: echo, input: { ok: 1 } }`),
      handlers,
    );
    const r = await engine.execute('a', {});
    expect(r.status).toBe('failed');
    expect(calls.of('echo')).toEqual([{ ok: 1 }]);
  });
});

describe('sub-workflow timeouts', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('bounds the child with the step timeout and aborts its calls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let aborted: unknown;
    const { engine } = flowEngine(TASKS + wf('child', `  tasks: [{ id: wait, taskRef: slow }]\n  timeout: 60s`) + wf('parent', `  tasks: [{ id: call, workflowRef: child, timeout: 250ms }]`), {
      ...handlers,
      slow: (i: unknown, signal: AbortSignal) => {
        signal.addEventListener('abort', () => (aborted = signal.reason), { once: true });
        return hang(i, signal);
      },
    });
    const running = engine.execute('parent', {});
    await vi.advanceTimersByTimeAsync(249);
    expect(aborted).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    const r = await running;
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ step: 'call', type: 'timeout', code: 'WF_STEP_TIMEOUT', message: 'The step did not finish within 250ms' });
    expect(aborted).toBeInstanceOf(Error);
  });

  // Real timers: the deadline is measured on the real clock, so the parent's timer and the
  // child's (1ms later) keep their order only when both run on it.
  it("limits the child to the parent's remaining time", async () => {
    const { engine } = flowEngine(TASKS + wf('child', `  tasks: [{ id: wait, taskRef: slow }]\n  timeout: 60s`) + wf('parent', `  tasks: [{ id: call, workflowRef: child }]\n  timeout: 100ms`), handlers);
    const r = await engine.execute('parent', {});
    expect(r.status).toBe('timed_out');
    expect(r.error).toMatchObject({ code: 'WF_RUN_TIMEOUT', step: 'call' });
    expect(traceAt(r.steps, 'call')).toMatchObject({ status: 'cancelled', error: { code: 'WF_RUN_TIMEOUT' } });
  });

  it('lets a child with a shorter timeout of its own time out by itself', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { engine } = flowEngine(TASKS + wf('child', `  tasks: [{ id: wait, taskRef: slow }]\n  timeout: 50ms`) + wf('parent', `  tasks: [{ id: call, workflowRef: child }]\n  timeout: 60s`), handlers);
    const running = engine.execute('parent', {});
    await vi.advanceTimersByTimeAsync(50);
    const r = await running;
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ step: 'call', type: 'workflow', code: 'WF_CHILD_FAILED', message: "Sub-workflow 'child' timed out at step 'wait': Workflow 'child' did not finish within 50ms" });
  });
});

describe('sub-workflow cycles and depth', () => {
  it('stops a dynamic cycle at run time and prints the chain', async () => {
    const { engine, calls } = flowEngine(
      TASKS +
        wf('a', `  tasks: [{ id: to-b, workflowRef: b, input: { next: "{{input.next}}" } }]`) +
        wf('b', `  tasks: [{ id: dyn, workflowRef: "{{input.next}}", input: { next: "{{input.next}}" } }]`),
      handlers,
    );
    const r = await engine.execute('a', { next: 'a' });
    expect(r.status).toBe('failed');
    expect(calls.list).toEqual([]);
    expect(r.error?.message).toBe("Sub-workflow 'b' failed at step 'dyn': Sub-workflow cycle: default/a -> default/b -> default/a");
    expect(r.error?.cause).toMatchObject({ workflow: 'default/b', step: 'dyn', code: 'WF_WORKFLOW_CYCLE' });
  });

  it('stops a workflow that calls itself', async () => {
    const { engine } = flowEngine(TASKS + wf('self', `  tasks: [{ id: again, workflowRef: "{{input.me}}", input: { me: "{{input.me}}" } }]`), handlers);
    const r = await engine.execute('self', { me: 'self' });
    expect(r.error).toEqual({ step: 'again', type: 'workflow', code: 'WF_WORKFLOW_CYCLE', message: 'Sub-workflow cycle: default/self -> default/self', hint: 'A workflow may not call itself through its children.' });
  });

  const chain = (n: number) =>
    TASKS +
    Array.from({ length: n }, (_, i) => (i < n - 1 ? wf(`w${i + 1}`, `  tasks: [{ id: down, workflowRef: w${i + 2} }]`) : wf(`w${i + 1}`, `  tasks: [{ id: leaf, taskRef: echo, input: { depth: ${i + 1} } }]`))).join('');

  it('runs a call chain five workflows deep', async () => {
    const { engine, calls } = flowEngine(chain(5), handlers);
    const r = await engine.execute('w1', {});
    expect(r.status).toBe('succeeded');
    expect(calls.of('echo')).toEqual([{ depth: 5 }]);
    expect(traceAt(r.steps, 'down', 'down', 'down', 'down', 'leaf').status).toBe('succeeded');
  });

  it('refuses a sixth level and prints the chain', async () => {
    const { engine, calls } = flowEngine(chain(6), handlers);
    const r = await engine.execute('w1', {});
    expect(r.status).toBe('failed');
    expect(calls.list).toEqual([]);
    let cause: any = r.error;
    while (cause.cause) cause = cause.cause;
    expect(cause).toMatchObject({
      workflow: 'default/w5',
      code: 'WF_CALL_DEPTH',
      message: 'Sub-workflow call depth 6 exceeds 5: default/w1 -> default/w2 -> default/w3 -> default/w4 -> default/w5 -> default/w6',
    });
  });

  it('honours a configured maximum call depth', async () => {
    const { engine } = flowEngine(chain(3), handlers, { maxCallDepth: 2 });
    const r = await engine.execute('w1', {});
    expect(r.error?.message).toBe("Sub-workflow 'w2' failed at step 'down': Sub-workflow call depth 3 exceeds 2: default/w1 -> default/w2 -> default/w3");
    expect(r.error?.cause).toMatchObject({ type: 'workflow', code: 'WF_CALL_DEPTH', hint: 'Flatten the composition or raise the maximum call depth.' });
  });

  it('allows the same child twice on different branches (no false cycle)', async () => {
    const { engine, calls } = flowEngine(
      TASKS + wf('leaf', `  tasks: [{ id: x, taskRef: echo, input: { n: "{{input.n}}" } }]`) + wf('fan', `  tasks:\n    - { id: one, workflowRef: leaf, input: { n: 1 } }\n    - { id: two, workflowRef: leaf, input: { n: 2 } }`),
      handlers,
    );
    expect((await engine.execute('fan', {})).status).toBe('succeeded');
    expect(calls.of('echo')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('runs a sub-workflow per forEach item', async () => {
    const { engine } = flowEngine(
      TASKS + CHILD + wf('many', `  tasks:\n    - id: each\n      forEach: { items: "{{input.ids}}", itemVar: id, maxParallel: 2 }\n      workflowRef: order-processing\n      input: { orderId: "{{forEach.id}}" }\n  output: "{{tasks.each.forEach.outputs}}"`),
      handlers,
    );
    const r = await engine.execute('many', { ids: ['a', 'b', 'c'] });
    expect(r.output).toEqual([
      { orderId: 'a', customerId: 'c-a' },
      { orderId: 'b', customerId: 'c-b' },
      { orderId: 'c', customerId: 'c-c' },
    ]);
    expect(traceAt(r.steps, 'each', 'each[2]').children!.map((c) => c.id)).toEqual(['load']);
  });
});
