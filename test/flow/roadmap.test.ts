/**
 * Every Stage 19 and Stage 21 YAML example of the roadmap, embedded unchanged in the workflows of
 * fixtures/roadmap/runnable, run through `weft serve` against the demo API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outline, startFlowServe, type FlowServe } from '../support/flow-serve.js';

let serve: FlowServe;
beforeAll(async () => {
  serve = await startFlowServe();
});
afterAll(() => serve?.close());
beforeEach(() => serve.api.reset());

describe('roadmap Stage 19: forEach (array iteration)', () => {
  it('loads each order with at most 5 in flight and returns outputs in order with the success count', async () => {
    const { status, body } = await serve.execute('roadmap-foreach', { orderIds: ['ord-1-1', 'ord-1-2', 'ord-7-1'] });
    expect(status).toBe(200);
    expect(body.status).toBe('succeeded');
    const orders = [await serve.demo('/orders/ord-1-1'), await serve.demo('/orders/ord-1-2'), await serve.demo('/orders/ord-7-1')];
    expect(body.output).toEqual({ results: orders, count: 3 });
    expect(body.output.results.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([
      ['ord-1-1', 'pending'],
      ['ord-1-2', 'pending'],
      ['ord-7-1', 'shipped'],
    ]);
    expect(body.trace.map(outline)).toEqual([
      {
        id: 'process-items',
        status: 'succeeded',
        children: [
          { id: 'process-items[0]', status: 'succeeded' },
          { id: 'process-items[1]', status: 'succeeded' },
          { id: 'process-items[2]', status: 'succeeded' },
        ],
      },
    ]);
  });

  it('makes one demo API call per item', async () => {
    await serve.execute('roadmap-foreach', { orderIds: ['ord-1-1', 'ord-1-2', 'ord-7-1'] });
    expect(await serve.calls()).toEqual({ 'GET /orders/:id': 3 });
  });

  it('fails the step naming the failed item when an order does not exist', async () => {
    const { status, body } = await serve.execute('roadmap-foreach', { orderIds: ['ord-1-1', 'ord-999-1'] });
    expect(status).toBe(502);
    expect(body.execution.error.step).toBe('process-items');
    expect(body.execution.error.message).toMatch(/^step 'process-items': 1 of 2 items failed \(none tolerated\); first, item 1: GET http:\/\/127\.0\.0\.1:\d+\/orders\/ord-999-1 answered 404/);
  });
});

describe('roadmap Stage 19: if/else conditions', () => {
  it('charges the card when credit is approved and skips the rejection with the reason', async () => {
    const { body } = await serve.execute('roadmap-if-else', { customerId: '42' });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ customerId: '42', approved: true });
    expect(body.trace.map(outline)).toEqual([
      { id: 'check-credit', status: 'succeeded' },
      { id: 'process-payment', status: 'succeeded' },
      { id: 'send-rejection', status: 'skipped', reason: "condition '{{tasks.check-credit.output.approved}} == false' was false" },
    ]);
    expect(await serve.calls()).toEqual({ 'GET /credit/:customerId': 1, 'POST /payments/charge': 1 });
  });

  it('sends the rejection email when credit is refused and skips the payment with the reason', async () => {
    const { body } = await serve.execute('roadmap-if-else', { customerId: '7' });
    expect(body.output).toEqual({ customerId: '7', approved: false });
    expect(body.trace.map(outline)).toEqual([
      { id: 'check-credit', status: 'succeeded' },
      { id: 'process-payment', status: 'skipped', reason: "condition '{{tasks.check-credit.output.approved}} == true' was false" },
      { id: 'send-rejection', status: 'succeeded' },
    ]);
    expect(await serve.calls()).toEqual({ 'GET /credit/:customerId': 1, 'POST /notifications/email': 1 });
  });
});

describe('roadmap Stage 19: switch/case', () => {
  it.each(['stripe', 'paypal', 'invoice'])('charges through the %s case', async (method) => {
    const { body } = await serve.execute('roadmap-switch-case', { paymentMethod: method });
    expect(body.status).toBe('succeeded');
    expect(body.output.payment).toMatchObject({ status: 'captured', approved: true, amount: 100, currency: 'USD', method, customerId: 'roadmap-switch' });
    expect(body.output.payment.paymentId).toMatch(/^pay-[0-9a-f]{8}$/);
    expect(body.trace.map(outline)).toEqual([{ id: 'route-payment', status: 'succeeded', matched: method }]);
    expect(await serve.calls()).toEqual({ 'POST /payments/charge': 1 });
  });

  it('matches the payment method case-insensitively', async () => {
    const { body } = await serve.execute('roadmap-switch-case', { paymentMethod: 'PayPal' });
    expect(body.output.payment.method).toBe('paypal');
    expect(body.trace[0].matched).toBe('paypal');
  });

  it('runs the default for an unknown method, whose 422 fails the run', async () => {
    const { status, body } = await serve.execute('roadmap-switch-case', { paymentMethod: 'bitcoin' });
    expect(status).toBe(502);
    expect(body.execution.status).toBe('failed');
    expect(body.execution.error).toMatchObject({ step: 'route-payment', httpStatus: 422, code: 'WF_HTTP_422' });
    expect(body.execution.trace.map(outline)).toEqual([
      { id: 'route-payment', status: 'failed', matched: 'default', error: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/status\/422 answered 422/) },
    ]);
  });
});

describe('roadmap Stage 19: condition inside forEach', () => {
  it('processes only the pending orders; the shipped one is skipped with its reason and a null output', async () => {
    const orders = [
      { id: 'ord-1-1', status: 'pending' },
      { id: 'ord-7-1', status: 'shipped' },
      { id: 'ord-1-2', status: 'pending' },
    ];
    const { body } = await serve.execute('roadmap-condition-in-foreach', { orders });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ results: [await serve.demo('/orders/ord-1-1'), null, await serve.demo('/orders/ord-1-2')] });
    expect(body.trace.map(outline)).toEqual([
      {
        id: 'process-orders',
        status: 'succeeded',
        children: [
          { id: 'process-orders[0]', status: 'succeeded' },
          { id: 'process-orders[1]', status: 'skipped', reason: "condition '{{forEach.order.status}} == 'pending'' was false" },
          { id: 'process-orders[2]', status: 'succeeded' },
        ],
      },
    ]);
    expect(await serve.calls()).toEqual({ 'GET /orders/:id': 2 });
  });
});

describe('roadmap Stage 19: forEach inside condition', () => {
  it('reserves every item of a cart that has items', async () => {
    const { body } = await serve.execute('roadmap-foreach-in-condition', { cartId: 'cart-1' });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ cartId: 'cart-1', hasItems: true });
    expect(body.trace.map(outline)).toEqual([
      { id: 'check-has-items', status: 'succeeded' },
      { id: 'process-items', status: 'succeeded', children: [{ id: 'process-items[0]', status: 'succeeded' }, { id: 'process-items[1]', status: 'succeeded' }] },
    ]);
    expect(await serve.calls()).toEqual({ 'GET /carts/:id': 1, 'POST /inventory/reserve': 2 });
  });

  it('skips the whole loop for an empty cart, with the reason', async () => {
    const { body } = await serve.execute('roadmap-foreach-in-condition', { cartId: 'empty' });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ cartId: 'empty', hasItems: false });
    expect(body.trace.map(outline)).toEqual([
      { id: 'check-has-items', status: 'succeeded' },
      { id: 'process-items', status: 'skipped', reason: "condition '{{tasks.check-has-items.output.hasItems}} == true' was false" },
    ]);
    expect(await serve.calls()).toEqual({ 'GET /carts/:id': 1 });
  });
});

describe('roadmap Stage 19: nested forEach', () => {
  it('onboards every employee of every department, grouped by department', async () => {
    const departments = await serve.demo('/departments');
    const { body } = await serve.execute('roadmap-nested-foreach', { departments: departments.slice(0, 2) });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({
      departments: [
        {
          'process-employees': {
            results: [
              { employeeId: 'e-1', deptId: 'd-1', onboarded: true },
              { employeeId: 'e-2', deptId: 'd-1', onboarded: true },
              { employeeId: 'e-3', deptId: 'd-1', onboarded: true },
            ],
          },
        },
        { 'process-employees': { results: [{ employeeId: 'e-4', deptId: 'd-2', onboarded: true }, { employeeId: 'e-5', deptId: 'd-2', onboarded: true }] } },
      ],
    });
    const inner = body.trace[0].children.map((d: any) => d.children[0].children.length);
    expect(inner).toEqual([3, 2]);
    expect(await serve.calls()).toEqual({ 'POST /employees/:id/onboard': 5 });
  });
});

describe('roadmap Stage 21: sub-workflow composition', () => {
  it('processes the order in a child workflow, then notifies its customer through another', async () => {
    const { body } = await serve.execute('roadmap-sub-workflow', { orderId: 'ord-12-1' });
    expect(body.status).toBe('succeeded');
    const user = await serve.demo('/users/12');
    expect(body.output).toEqual({
      customerId: '12',
      notification: { notificationId: expect.stringMatching(/^ntf-[0-9a-f]{8}$/), to: user.email, sent: true, template: 'order-confirmation' },
    });
    expect(body.trace.map(outline)).toEqual([
      { id: 'process-order', status: 'succeeded', workflowRef: 'order-processing-v2', children: [{ id: 'load-order', status: 'succeeded' }] },
      { id: 'notify-customer', status: 'succeeded', workflowRef: 'notification-workflow', children: [{ id: 'lookup', status: 'succeeded' }, { id: 'send', status: 'succeeded' }] },
    ]);
    expect(body.trace[0].executionId).not.toBe(body.executionId);
    expect(await serve.calls()).toEqual({ 'GET /orders/:id': 1, 'GET /users/:id': 1, 'POST /notifications/email': 1 });
  });
});
