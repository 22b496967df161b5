import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { fakeTask, flowEngine, hang, httpFailure, traceAt, turns } from '../../test/support/flow.js';
import { startServer } from '../../test/support/http.js';
import { Engine } from './engine.js';
import { StepError } from './errors.js';
import type { StepTrace } from './trace.js';

const TASKS = fakeTask('echo') + fakeTask('wait') + fakeTask('boom') + fakeTask('flaky', '  retry: { maxAttempts: 3, backoff: 1ms, maxBackoff: 2ms }');
const echo = (i: unknown) => i;

afterEach(() => {
  vi.useRealTimers();
});

/** Every duration of a trace tree is a small non-negative number of milliseconds. */
function expectSaneDurations(steps: readonly StepTrace[]): void {
  for (const s of steps) {
    for (const ms of [s.durationMs, s.waitMs, ...(s.attempts ?? []).map((a) => a.durationMs)]) {
      if (ms !== undefined) {
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThan(10_000);
      }
    }
    if (s.children) expectSaneDurations(s.children);
  }
}

describe('run scope and results', () => {
  it('exposes the workflow and the execution to templates', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: who }
spec:
  tasks: [{ id: a, taskRef: echo, input: { wf: "{{workflow.name}}", ns: "{{workflow.namespace}}", run: "{{execution.id}}" } }]
`, { echo });
    const r = await engine.execute('who', {}, { executionId: 'run-1' });
    expect(calls.of('echo')).toEqual([{ wf: 'who', ns: 'default', run: 'run-1' }]);
    expect(r.executionId).toBe('run-1');
  });

  it('succeeds with no steps at all', async () => {
    const { engine } = flowEngine(`apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: empty }
spec:
  tasks: []
`, {});
    const r = await engine.execute('empty', {});
    expect(r).toMatchObject({ status: 'succeeded', output: {}, steps: [] });
  });

  it('gives the default output only the steps that succeeded', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: some }
spec:
  tasks:
    - { id: ran, taskRef: echo, input: { x: 1 } }
    - { id: skipped, taskRef: echo, condition: { if: "false" } }
`, { echo });
    const r = await engine.execute('some', {});
    expect(Object.keys(r.output as object)).toEqual(['ran']);
  });

  it('fails the run when the output template reads nothing, naming the template', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: bad-output }
spec:
  tasks: [{ id: a, taskRef: echo, input: { x: 1 } }]
  output: { y: "{{tasks.a.output.y}}" }
`, { echo });
    const r = await engine.execute('bad-output', {});
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'template', code: 'WF_TEMPLATE_MISSING', message: "workflow output: {{tasks.a.output.y}} has no key 'y' under 'tasks.a.output' (object)" });
  });

  it('records the task, the method and sane durations on every trace', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: t }
spec:
  tasks:
    - { id: a, taskRef: echo, input: { x: 1 } }
    - id: b
      forEach: { items: [1, 2] }
      taskRef: echo
      input: { x: "{{forEach.item}}" }
`, { echo });
    const r = await engine.execute('t', {});
    expect(traceAt(r.steps, 'a')).toMatchObject({ taskRef: 'echo', method: 'POST', attempts: [{ attempt: 1 }] });
    expect(traceAt(r.steps, 'b')).toMatchObject({ taskRef: 'echo', kind: 'forEach' });
    expectSaneDurations(r.steps);
  });

  it('names the task of a skipped step and the child of a skipped sub-workflow step', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: child }
spec:
  tasks: [{ id: x, taskRef: echo }]
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: t }
spec:
  tasks:
    - { id: a, taskRef: echo, condition: { if: "false" } }
    - { id: b, workflowRef: child, condition: { if: "false" } }
`, { echo });
    const r = await engine.execute('t', {});
    expect(traceAt(r.steps, 'a')).toMatchObject({ status: 'skipped', taskRef: 'echo' });
    expect(traceAt(r.steps, 'b')).toMatchObject({ status: 'skipped', kind: 'workflow', workflowRef: 'child' });
  });

  it('returns a mocked output instead of calling the task', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: m }
spec:
  tasks:
    - { id: a, taskRef: echo, input: { x: 1 } }
    - { id: b, taskRef: echo, input: { from: "{{tasks.a.output.mocked}}" } }
`, { echo });
    const r = await engine.execute('m', {}, { mocks: new Map([['a', { mocked: 'yes' }]]) });
    expect(calls.list).toEqual([{ task: 'echo', input: { from: 'yes' } }]);
    expect(r.output).toEqual({ a: { mocked: 'yes' }, b: { from: 'yes' } });
  });

  it('names the earliest failure as the run error', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: two }
spec:
  tasks:
    - { id: late, taskRef: boom, input: { turns: 6, name: late } }
    - { id: early, taskRef: boom, input: { turns: 1, name: early } }
`, {
      boom: async (i: { turns: number; name: string }) => {
        await turns(i.turns);
        throw httpFailure(500, `failed ${i.name}`);
      },
    });
    const r = await engine.execute('two', {});
    expect(r.error).toMatchObject({ step: 'early', message: 'failed early' });
  });

  it('blames the first dependency to fail', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: deps }
spec:
  tasks:
    - { id: a, taskRef: boom, input: { turns: 1 } }
    - { id: b, taskRef: boom, input: { turns: 6 } }
    - { id: c, taskRef: echo, dependsOn: [b, a] }
    - id: d
      forEach: { items: [1] }
      taskRef: echo
      dependsOn: [a]
`, {
      echo,
      boom: async (i: { turns: number }) => {
        await turns(i.turns);
        throw httpFailure(500);
      },
    });
    const r = await engine.execute('deps', {});
    expect(traceAt(r.steps, 'c')).toMatchObject({ status: 'skipped', reason: "dependency 'a' failed" });
    expect(traceAt(r.steps, 'd')).toMatchObject({ status: 'skipped', kind: 'forEach', reason: "dependency 'a' failed" });
  });

  it("fails a group step with its nested step's error type, code and status", async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: group }
spec:
  tasks:
    - id: g
      tasks:
        - { id: inner, taskRef: boom }
`, {
      boom: () => {
        throw httpFailure(409, 'HTTP 409 conflict');
      },
    });
    const r = await engine.execute('group', {});
    expect(r.error).toMatchObject({ step: 'g', type: 'http', code: 'WF_HTTP_STATUS', httpStatus: 409, message: "Nested step 'inner' failed: HTTP 409 conflict" });
  });

  it('reports a task that throws something unexpected as an internal error', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: oops }
spec:
  tasks: [{ id: a, taskRef: boom }]
`, {
      boom: () => {
        throw new Error('kaput');
      },
    });
    const r = await engine.execute('oops', {});
    expect(r.error).toEqual({ step: 'a', type: 'workflow', code: 'WF_INTERNAL', message: 'kaput', hint: 'This is a bug in Weft; please report it with the trace.' });
  });

  it('reports a missing template value as a template error of the step', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: miss }
spec:
  tasks: [{ id: a, taskRef: echo, input: { x: "{{input.nope}}" } }]
`, { echo });
    const r = await engine.execute('miss', { yes: 1 });
    expect(r.error).toMatchObject({ step: 'a', type: 'template', code: 'WF_TEMPLATE_MISSING' });
  });
});

describe('task input and transforms', () => {
  const SCHEMA_TASK = fakeTask('typed', '  inputSchema: { type: object, properties: { id: { type: string } }, required: [id] }');

  it("rejects a task input that breaks the task's inputSchema, naming the field", async () => {
    const { engine, calls } = flowEngine(`${SCHEMA_TASK}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: typed }
spec:
  tasks: [{ id: a, taskRef: typed, input: { id: "{{input.id}}" } }]
`, { typed: echo });
    const wrongType = await engine.execute('typed', { id: 5 });
    expect(wrongType.error).toEqual({
      step: 'a',
      type: 'input',
      code: 'WF_TASK_INPUT',
      message: "Input for task 'typed' is invalid: /id must be string",
      hint: "Map the fields the task's inputSchema requires, with the right types.",
    });
    const missing = await engine.execute('typed', { id: 'x' });
    expect(missing.status).toBe('succeeded');
    expect(calls.list).toEqual([{ task: 'typed', input: { id: 'x' } }]);
  });

  it('names the input itself when a required field is missing', async () => {
    const { engine } = flowEngine(`${SCHEMA_TASK}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: typed }
spec:
  tasks: [{ id: a, taskRef: typed, input: {} }]
`, { typed: echo });
    const r = await engine.execute('typed', {});
    expect(r.error?.message).toBe("Input for task 'typed' is invalid: input must have required property 'id'");
  });

  it('evaluates a transform task and reports a JSONata error with its code', async () => {
    const loaded = loadText(`apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: shape }
spec:
  type: transform
  transform: { expression: "$number(n)" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: tf }
spec:
  tasks: [{ id: t, taskRef: shape, input: { n: "{{input.n}}" } }]
`, 'tf.yaml');
    const engine = new Engine(new DefinitionRegistry(loaded.resources));
    const ok = await engine.execute('tf', { n: '42' });
    expect(ok.output).toEqual({ t: 42 });
    expect(traceAt(ok.steps, 't').method).toBeUndefined();
    const bad = await engine.execute('tf', { n: 'abc' });
    expect(bad.error).toMatchObject({ step: 't', type: 'transform', code: 'WF_TRANSFORM', message: expect.stringMatching(/^JSONata D3030: /), hint: 'Fix the transform expression or its input.' });
  });
});

describe('retries', () => {
  const retryable = (message: string) => new StepError({ type: 'http', code: 'WF_HTTP_503', message, httpStatus: 503 }, true);

  it('retries a retryable failure and records each attempt with its backoff', async () => {
    let n = 0;
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: r }
spec:
  tasks: [{ id: a, taskRef: flaky }]
`, {
      flaky: () => {
        if (++n < 3) throw retryable('HTTP 503');
        return { n };
      },
    });
    const r = await engine.execute('r', {});
    expect(r.output).toEqual({ a: { n: 3 } });
    const attempts = traceAt(r.steps, 'a').attempts!;
    expect(attempts.map((a) => [a.attempt, a.error?.code, a.httpStatus, a.backoffMs === undefined])).toEqual([
      [1, 'WF_HTTP_503', 503, true],
      [2, 'WF_HTTP_503', 503, false],
      [3, undefined, undefined, false],
    ]);
    expect(traceAt(r.steps, 'a').httpStatus).toBe(503);
    expectSaneDurations(r.steps);
  });

  it('stops after maxAttempts and says how many attempts were made', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: r }
spec:
  tasks: [{ id: a, taskRef: flaky }]
`, {
      flaky: () => {
        throw retryable('HTTP 503');
      },
    });
    const r = await engine.execute('r', {});
    expect(calls.list).toHaveLength(3);
    expect(r.error).toMatchObject({ step: 'a', message: 'HTTP 503 (after 3 attempts)' });
  });

  it('does not retry a failure that is not retryable', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: r }
spec:
  tasks: [{ id: a, taskRef: flaky }]
`, {
      flaky: () => {
        throw httpFailure(400, 'HTTP 400');
      },
    });
    const r = await engine.execute('r', {});
    expect(calls.list).toHaveLength(1);
    expect(r.error?.message).toBe('HTTP 400');
  });

  it('gives up at once when the next backoff would pass the workflow deadline', async () => {
    const { engine, calls } = flowEngine(`${fakeTask('slow-retry', '  retry: { maxAttempts: 5, backoff: 60s, maxBackoff: 60s }')}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: r }
spec:
  timeout: 10s
  tasks: [{ id: a, taskRef: slow-retry }]
`, {
      'slow-retry': () => {
        throw retryable('HTTP 503');
      },
    }, { random: () => 0 });
    const r = await engine.execute('r', {});
    expect(calls.list).toHaveLength(1);
    expect(r.error).toMatchObject({ message: 'HTTP 503; the next attempt (in 30000ms) would pass the workflow deadline', hint: 'Raise the workflow timeout or lower the backoff.' });
  });

  it('stops waiting for the next attempt when the caller aborts', async () => {
    const { engine } = flowEngine(`${fakeTask('slow-retry', '  retry: { maxAttempts: 5, backoff: 20s, maxBackoff: 20s }')}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: r }
spec:
  timeout: 120s
  tasks: [{ id: a, taskRef: slow-retry }]
`, {
      'slow-retry': () => {
        throw retryable('HTTP 503');
      },
    });
    const controller = new AbortController();
    const running = engine.execute('r', {}, { signal: controller.signal });
    await turns(3);
    controller.abort(new Error('client closed'));
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(r.error).toMatchObject({ type: 'cancelled', code: 'WF_RUN_CANCELLED', message: 'client closed', hint: 'The caller cancelled or disconnected.' });
    expect(traceAt(r.steps, 'a')).toMatchObject({ status: 'cancelled', error: { type: 'cancelled', code: 'WF_RUN_CANCELLED', message: 'client closed' } });
  });
});

describe('timeouts and cancellation', () => {
  it('fails a step whose call ignores its signal when the step timeout passes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: deaf }
spec:
  tasks: [{ id: a, taskRef: wait, timeout: 40ms }]
`, { wait: () => new Promise(() => undefined) });
    const running = engine.execute('deaf', {});
    await vi.advanceTimersByTimeAsync(40);
    const r = await running;
    expect(r.error).toEqual({ step: 'a', type: 'timeout', code: 'WF_STEP_TIMEOUT', message: 'The step did not finish within 40ms', hint: 'Raise the step timeout or make its calls faster.' });
  });

  it('passes a caller abort through a step timeout to the call', async () => {
    let seen: unknown;
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: abortable }
spec:
  tasks: [{ id: a, taskRef: wait, timeout: 60s }]
`, {
      wait: (i: unknown, signal: AbortSignal) => {
        signal.addEventListener('abort', () => (seen = signal.reason));
        return hang(i, signal);
      },
    });
    const controller = new AbortController();
    const running = engine.execute('abortable', {}, { signal: controller.signal });
    await turns(2);
    controller.abort();
    const r = await running;
    expect(r.status).toBe('cancelled');
    expect(seen).toBeInstanceOf(Error);
    expect(traceAt(r.steps, 'a')).toMatchObject({ status: 'cancelled', error: { type: 'cancelled', code: 'WF_RUN_CANCELLED' } });
  });

  it('cancels at once when the caller signal is already aborted', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: never }
spec:
  tasks: [{ id: a, taskRef: echo }]
`, { echo });
    const r = await engine.execute('never', {}, { signal: AbortSignal.abort() });
    expect(calls.list).toEqual([]);
    expect(r.status).toBe('cancelled');
    expect(traceAt(r.steps, 'a')).toMatchObject({ status: 'cancelled', reason: 'the run was cancelled before it started' });
  });

  it('removes its abort listener from the caller signal when the run ends', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: quick }
spec:
  tasks: [{ id: a, taskRef: echo }]
`, { echo });
    const controller = new AbortController();
    await engine.execute('quick', {}, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('times out a hanging HTTP call per attempt and retries it', async () => {
    const server = await startServer(() => undefined);
    try {
      const loaded = loadText(`apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: never-answers }
spec:
  type: http
  http: { method: GET, url: "http://upstream/x" }
  timeout: 30ms
  retry: { maxAttempts: 2, backoff: 1ms, maxBackoff: 1ms }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: h }
spec:
  tasks: [{ id: a, taskRef: never-answers }]
`, 'h.yaml');
      const engine = new Engine(new DefinitionRegistry(loaded.resources), { origins: [`http://upstream=${server.url}`] });
      const r = await engine.execute('h', {});
      expect(r.error).toMatchObject({ step: 'a', type: 'timeout', code: 'WF_TASK_TIMEOUT', message: expect.stringMatching(/^Task 'never-answers' did not answer within 30ms \(http:\/\/127\.0\.0\.1:\d+\/x\) \(after 2 attempts\)$/), hint: 'Raise the task timeout or fix the slow service.' });
      expect(traceAt(r.steps, 'a').attempts).toHaveLength(2);
      await engine.close();
    } finally {
      await server.close();
    }
  });
});
