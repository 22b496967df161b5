import { describe, expect, it } from 'vitest';
import { fakeTask, flowEngine, httpFailure, traceAt } from '../../test/support/flow.js';

const TASKS = fakeTask('credit') + fakeTask('charge') + fakeTask('reject') + fakeTask('audit') + fakeTask('boom');

const handlers = {
  credit: (i: { id: string }) => ({ approved: i.id === 'good', limit: 500 }),
  charge: (i: unknown) => ({ charged: true, got: i }),
  reject: () => ({ rejected: true }),
  audit: (i: unknown) => ({ audited: i }),
  boom: () => {
    throw httpFailure(500, 'HTTP 500 from boom');
  },
};

const IF_ELSE = `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: if-else }
spec:
  tasks:
    - id: check
      taskRef: credit
      input: { id: "{{input.id}}" }
    - id: pay
      condition: { if: "{{tasks.check.output.approved}} == true" }
      taskRef: charge
      dependsOn: [check]
    - id: rejection
      condition: { if: "{{tasks.check.output.approved}} == false" }
      taskRef: reject
      dependsOn: [check]
`;

describe('condition on a step', () => {
  it('runs the step when the condition is true', async () => {
    const { engine, calls } = flowEngine(IF_ELSE, handlers);
    const r = await engine.execute('if-else', { id: 'good' });
    expect(r.status).toBe('succeeded');
    expect(calls.list.map((c) => c.task)).toEqual(['credit', 'charge']);
    expect(traceAt(r.steps, 'pay').status).toBe('succeeded');
  });

  it('skips the step when the condition is false and records the reason', async () => {
    const { engine, calls } = flowEngine(IF_ELSE, handlers);
    const r = await engine.execute('if-else', { id: 'bad' });
    expect(r.status).toBe('succeeded');
    expect(calls.of('charge')).toEqual([]);
    expect(traceAt(r.steps, 'pay')).toMatchObject({ status: 'skipped', reason: "condition '{{tasks.check.output.approved}} == true' was false" });
    expect(traceAt(r.steps, 'rejection').status).toBe('succeeded');
  });

  it('leaves skipped steps out of the default output', async () => {
    const { engine } = flowEngine(IF_ELSE, handlers);
    const r = await engine.execute('if-else', { id: 'bad' });
    expect(r.output).toEqual({ check: { approved: false, limit: 500 }, rejection: { rejected: true } });
  });

  it('runs a step that only dependsOn a skipped step', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: after-skip }
spec:
  tasks:
    - { id: a, taskRef: charge, condition: { if: "{{input.go}} == true" } }
    - { id: b, taskRef: audit, dependsOn: [a], input: { n: 1 } }
`, handlers);
    const r = await engine.execute('after-skip', { go: false });
    expect(r.status).toBe('succeeded');
    expect(traceAt(r.steps, 'a').status).toBe('skipped');
    expect(traceAt(r.steps, 'b').status).toBe('succeeded');
    expect(calls.of('audit')).toEqual([{ n: 1 }]);
  });

  it('skips a step whose template reads a skipped step, naming that step', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: reads-skipped }
spec:
  tasks:
    - { id: a, taskRef: charge, condition: { if: "{{input.go}} == true" } }
    - { id: b, taskRef: audit, input: { charged: "{{tasks.a.output.charged}}" } }
    - { id: c, taskRef: audit, input: { from: "{{tasks.b.output.audited}}" } }
`, handlers);
    const r = await engine.execute('reads-skipped', { go: false });
    expect(r.status).toBe('succeeded');
    expect(calls.list).toEqual([]);
    expect(traceAt(r.steps, 'b')).toMatchObject({ status: 'skipped', reason: "reads the output of step 'a', which was skipped" });
    expect(traceAt(r.steps, 'c')).toMatchObject({ status: 'skipped', reason: "reads the output of step 'b', which was skipped" });
  });

  it('runs a step whose template gives a fallback for the skipped output', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: fallback }
spec:
  tasks:
    - { id: a, taskRef: charge, condition: { if: "{{input.go}} == true" } }
    - { id: b, taskRef: audit, input: { charged: "{{ tasks.a.output.charged ?? 'none' }}" } }
`, handlers);
    const r = await engine.execute('fallback', { go: false });
    expect(traceAt(r.steps, 'b').status).toBe('succeeded');
    expect(calls.of('audit')).toEqual([{ charged: 'none' }]);
  });

  it('lets a condition read whether another step was skipped', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: status-read }
spec:
  tasks:
    - { id: a, taskRef: charge, condition: { if: "{{input.go}} == true" } }
    - { id: b, taskRef: audit, condition: { if: "{{tasks.a.status}} == 'skipped'" }, input: { why: "{{tasks.a.reason}}" } }
`, handlers);
    const r = await engine.execute('status-read', { go: false });
    expect(traceAt(r.steps, 'b').status).toBe('succeeded');
    expect(calls.of('audit')).toEqual([{ why: "condition '{{input.go}} == true' was false" }]);
  });

  it('fails the step when the condition compares incompatible types, naming both sides', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: bad-types }
spec:
  tasks:
    - { id: a, taskRef: charge, condition: { if: "{{input.amount}} > 100" } }
`, handlers);
    const r = await engine.execute('bad-types', { amount: '150' });
    expect(r.status).toBe('failed');
    expect(calls.list).toEqual([]);
    expect(r.error).toMatchObject({ step: 'a', type: 'condition', code: 'WF_CONDITION_TYPE', message: `step 'a': cannot compare the string "150" > the number 100 in condition '{{input.amount}} > 100'` });
  });

  it("skips a failed step's dependents and lets independent branches finish", async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: branches }
spec:
  tasks:
    - { id: x, taskRef: boom }
    - { id: after-x, taskRef: audit, dependsOn: [x], input: { n: 1 } }
    - { id: after-after, taskRef: audit, dependsOn: [after-x], input: { n: 2 } }
    - { id: other, taskRef: audit, input: { n: 3 } }
`, handlers);
    const r = await engine.execute('branches', {});
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ step: 'x', message: 'HTTP 500 from boom', httpStatus: 500 });
    expect(traceAt(r.steps, 'after-x')).toMatchObject({ status: 'skipped', reason: "dependency 'x' failed" });
    expect(traceAt(r.steps, 'after-after')).toMatchObject({ status: 'skipped', reason: "dependency 'after-x' was skipped: dependency 'x' failed" });
    expect(traceAt(r.steps, 'other').status).toBe('succeeded');
    expect(calls.of('audit')).toEqual([{ n: 3 }]);
  });

  it('evaluates a condition with && and || over earlier outputs', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: combined }
spec:
  tasks:
    - { id: check, taskRef: credit, input: { id: "{{input.id}}" } }
    - id: pay
      taskRef: charge
      input: { amount: "{{input.amount}}" }
      condition: { if: "({{tasks.check.output.approved}} == true && {{input.amount}} <= {{tasks.check.output.limit}}) || {{input.vip}} == true" }
`, handlers);
    expect(traceAt((await engine.execute('combined', { id: 'good', amount: 400, vip: false })).steps, 'pay').status).toBe('succeeded');
    expect(traceAt((await engine.execute('combined', { id: 'good', amount: 600, vip: false })).steps, 'pay').status).toBe('skipped');
    expect(traceAt((await engine.execute('combined', { id: 'bad', amount: 600, vip: true })).steps, 'pay').status).toBe('succeeded');
    expect(calls.of('charge')).toEqual([{ amount: 400 }, { amount: 600 }]);
  });
});
