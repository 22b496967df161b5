/**
 * Stage 21 beyond the roadmap's example: every reference form, the failure chain, a step timeout
 * bounding its child, and cycles and call depth only known at run time, through `weft serve`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outline, startFlowServe, type FlowServe } from '../support/flow-serve.js';

let serve: FlowServe;
beforeAll(async () => {
  serve = await startFlowServe();
});
afterAll(() => serve?.close());
beforeEach(() => serve.api.reset());

/** The innermost cause of a run error. */
const rootCause = (error: any): any => (error.cause ? rootCause(error.cause) : error);

describe('workflowRef forms', () => {
  it('calls children by name@version, ns/name and ns/name@version, each with its own output', async () => {
    const { body } = await serve.execute('flow-compose', { orderId: 'ord-4-1' });
    expect(body.status).toBe('succeeded');
    const order = await serve.demo('/orders/ord-4-1');
    expect(body.output).toEqual({
      summary: { orderId: 'ord-4-1', customerId: '4', total: order.total },
      sameAsLatest: order.total,
      invoice: { invoiceFor: '4', paymentId: expect.stringMatching(/^pay-[0-9a-f]{8}$/), method: 'invoice' },
      pinned: '4',
    });
    expect(body.trace.map((t: any) => [t.id, t.workflowRef, t.status, t.children.length])).toEqual([
      ['summary', 'flow-order-summary@v2', 'succeeded', 1],
      ['latest', 'default/flow-order-summary', 'succeeded', 1],
      ['invoice', 'billing/invoice-workflow', 'succeeded', 1],
      ['invoice-pinned', 'billing/invoice-workflow@v1', 'succeeded', 1],
    ]);
    expect(await serve.calls()).toEqual({ 'GET /orders/:id': 2, 'POST /payments/charge': 2 });
  });

  it('resolves a templated workflowRef at run time', async () => {
    const { body } = await serve.execute('flow-dynamic', { next: 'flow-dynamic-leaf' });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ reachedBy: 'flow-dynamic-leaf', approved: true });
    expect(outline(body.trace[0])).toEqual({ id: 'call-next', status: 'succeeded', workflowRef: 'flow-dynamic-leaf', children: [{ id: 'credit', status: 'succeeded' }] });
  });

  it('fails a templated workflowRef naming no workflow', async () => {
    const { status, body } = await serve.execute('flow-dynamic', { next: 'no-such-flow' });
    expect(status).toBe(502);
    expect(body.execution.error).toMatchObject({ step: 'call-next', code: 'WF_UNKNOWN_WORKFLOW', message: "Workflow 'no-such-flow' is not loaded (looked in namespace 'default')" });
  });
});

describe('sub-workflow failures', () => {
  it("fails the parent step with the child's error chain and lets independent steps finish", async () => {
    const { status, body } = await serve.execute('flow-fail-top', { code: 404 });
    expect(status).toBe(502);
    const run = body.execution;
    expect(run.error).toMatchObject({ step: 'call-middle', type: 'workflow', code: 'WF_CHILD_FAILED' });
    expect(run.error.message).toMatch(
      /^Sub-workflow 'flow-fail-middle' failed at step 'call-leaf': Sub-workflow 'flow-fail-leaf' failed at step 'call-status': GET http:\/\/127\.0\.0\.1:\d+\/status\/404 answered 404/,
    );
    expect(run.error.cause).toMatchObject({ workflow: 'default/flow-fail-middle', step: 'call-leaf', cause: { workflow: 'default/flow-fail-leaf', step: 'call-status', httpStatus: 404 } });
    expect(run.trace.map(outline).map((t: any) => [t.id, t.status])).toEqual([
      ['call-middle', 'failed'],
      ['independent', 'succeeded'],
    ]);
    expect(outline(run.trace[0]).children![0]).toMatchObject({ id: 'call-leaf', status: 'failed', children: [{ id: 'call-status', status: 'failed' }] });
  });

  it('bounds the child with the step timeout', async () => {
    const started = Date.now();
    const { status, body } = await serve.execute('flow-timeout-parent', { ms: 10_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(status).toBe(502);
    expect(body.execution.error).toMatchObject({ step: 'bounded', type: 'timeout', code: 'WF_STEP_TIMEOUT', message: 'The step did not finish within 300ms' });
  });

  it('lets a child that finishes within the step timeout succeed', async () => {
    const { body } = await serve.execute('flow-timeout-parent', { ms: 0 });
    expect(body.status).toBe('succeeded');
  });
});

describe('run-time cycles and call depth', () => {
  it('stops a cycle made by a dynamic reference and prints the chain', async () => {
    const { status, body } = await serve.execute('flow-dynamic-relay', { next: 'flow-dynamic-relay' });
    expect(status).toBe(502);
    expect(rootCause(body.execution.error)).toMatchObject({
      code: 'WF_WORKFLOW_CYCLE',
      message: 'Sub-workflow cycle: default/flow-dynamic-relay -> default/flow-dynamic -> default/flow-dynamic-relay',
    });
    expect(await serve.calls()).toEqual({});
  });

  it('stops a dynamic call chain six workflows deep at the maximum depth of 5 and prints the chain', async () => {
    const { status, body } = await serve.execute('flow-depth-1', { prefix: 'flow-depth-' });
    expect(status).toBe(502);
    const chain = [1, 2, 3, 4, 5, 6].map((n) => `default/flow-depth-${n}`).join(' -> ');
    expect(rootCause(body.execution.error)).toMatchObject({ workflow: 'default/flow-depth-5', step: 'down', code: 'WF_CALL_DEPTH', message: `Sub-workflow call depth 6 exceeds 5: ${chain}` });
    expect(await serve.calls()).toEqual({});
  });

  it('runs the same chain from the second workflow, five deep', async () => {
    const { body } = await serve.execute('flow-depth-2', { prefix: 'flow-depth-' });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ reached: 'depth-6' });
    expect(await serve.calls()).toEqual({ 'GET /credit/:customerId': 1 });
  });
});
