import { describe, expect, it } from 'vitest';
import { fakeTask, flowEngine, traceAt } from '../../test/support/flow.js';

const TASKS = ['stripe', 'paypal', 'invoice', 'fallback', 'numbered', 'yes'].map((t) => fakeTask(t)).join('');
const handlers = Object.fromEntries(['stripe', 'paypal', 'invoice', 'fallback', 'numbered', 'yes'].map((t) => [t, (input: unknown) => ({ via: t, input })]));

const ROUTE = (withDefault: boolean) => `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: route }
spec:
  tasks:
    - id: route-payment
      input: { amount: "{{input.amount ?? 1}}" }
      switch:
        value: "{{input.method}}"
        cases:
          - { match: stripe, taskRef: stripe }
          - { match: paypal, taskRef: paypal, input: { paypalAmount: "{{input.amount ?? 1}}" } }
          - { match: Stripe, taskRef: invoice }
          - { match: 2, taskRef: numbered }
          - { match: true, taskRef: yes }
${withDefault ? '        default: { taskRef: fallback }' : ''}
  output:
    paid: "{{tasks.route-payment.output}}"
`;

describe('switch', () => {
  it('runs the case whose match equals the value and records the match', async () => {
    const { engine, calls } = flowEngine(ROUTE(true), handlers);
    const r = await engine.execute('route', { method: 'paypal', amount: 5 });
    expect(r.status).toBe('succeeded');
    expect(calls.list).toEqual([{ task: 'paypal', input: { paypalAmount: 5 } }]);
    expect(traceAt(r.steps, 'route-payment')).toMatchObject({ kind: 'switch', matched: 'paypal', taskRef: 'paypal' });
  });

  it("makes the case's output the step's output", async () => {
    const { engine } = flowEngine(ROUTE(true), handlers);
    const r = await engine.execute('route', { method: 'paypal', amount: 5 });
    expect(r.output).toEqual({ paid: { via: 'paypal', input: { paypalAmount: 5 } } });
  });

  it('gives a case without its own input the step input', async () => {
    const { engine, calls } = flowEngine(ROUTE(true), handlers);
    await engine.execute('route', { method: 'stripe', amount: 9 });
    expect(calls.list).toEqual([{ task: 'stripe', input: { amount: 9 } }]);
  });

  it('matches strings case-insensitively', async () => {
    const { engine, calls } = flowEngine(ROUTE(true), handlers);
    const r = await engine.execute('route', { method: 'PayPal' });
    expect(calls.of('paypal')).toHaveLength(1);
    expect(traceAt(r.steps, 'route-payment').matched).toBe('paypal');
  });

  it('takes the first matching case when two match', async () => {
    const { engine, calls } = flowEngine(ROUTE(true), handlers);
    const r = await engine.execute('route', { method: 'STRIPE' });
    expect(calls.list.map((c) => c.task)).toEqual(['stripe']);
    expect(traceAt(r.steps, 'route-payment').matched).toBe('stripe');
  });

  it('matches numbers and booleans by their text', async () => {
    const { engine, calls } = flowEngine(ROUTE(true), handlers);
    await engine.execute('route', { method: 2 });
    await engine.execute('route', { method: true });
    expect(calls.list.map((c) => c.task)).toEqual(['numbered', 'yes']);
  });

  it('runs the default when no case matches', async () => {
    const { engine, calls } = flowEngine(ROUTE(true), handlers);
    const r = await engine.execute('route', { method: 'bitcoin', amount: 3 });
    expect(r.status).toBe('succeeded');
    expect(calls.list).toEqual([{ task: 'fallback', input: { amount: 3 } }]);
    expect(traceAt(r.steps, 'route-payment')).toMatchObject({ matched: 'default', taskRef: 'fallback' });
  });

  it('fails the step with the value in the message when nothing matches and there is no default', async () => {
    const { engine, calls } = flowEngine(ROUTE(false), handlers);
    const r = await engine.execute('route', { method: 'bitcoin' });
    expect(r.status).toBe('failed');
    expect(calls.list).toEqual([]);
    expect(r.error).toMatchObject({
      step: 'route-payment',
      type: 'switch',
      code: 'WF_SWITCH_NO_MATCH',
      message: 'Switch value "bitcoin" matches no case (stripe, paypal, Stripe, 2, true) and there is no default',
      hint: 'Add a case for this value or a default.',
    });
  });

  it('routes a case to a sub-workflow', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: child }
spec:
  tasks: [{ id: inner, taskRef: invoice, input: { n: "{{input.n}}" } }]
  output: { invoiced: "{{tasks.inner.output.input.n}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: parent }
spec:
  tasks:
    - id: pick
      switch:
        value: "{{input.kind}}"
        cases:
          - { match: sub, workflowRef: child, input: { n: 4 } }
        default: { taskRef: fallback }
`, handlers);
    const r = await engine.execute('parent', { kind: 'SUB' });
    expect(r.output).toEqual({ pick: { invoiced: 4 } });
    expect(calls.list).toEqual([{ task: 'invoice', input: { n: 4 } }]);
    expect(traceAt(r.steps, 'pick')).toMatchObject({ matched: 'sub', workflowRef: 'child' });
    expect(traceAt(r.steps, 'pick', 'inner').status).toBe('succeeded');
  });
});
