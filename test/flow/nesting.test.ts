/**
 * The nesting patterns of the roadmap's Stage 19.5 table, one fixture each under fixtures/flow,
 * run through `weft serve` against the demo API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outline, startFlowServe, type FlowServe } from '../support/flow-serve.js';

let serve: FlowServe;
beforeAll(async () => {
  serve = await startFlowServe();
});
afterAll(() => serve?.close());
beforeEach(() => serve.api.reset());

describe('condition inside forEach (filter items during iteration)', () => {
  it("loads only user 1's pending orders and counts the skipped one", async () => {
    const { body } = await serve.execute('flow-condition-in-foreach', { userId: '1' });
    expect(body.status).toBe('succeeded');
    expect(body.output.statuses.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([
      ['ord-1-1', 'pending'],
      ['ord-1-2', 'pending'],
      ['ord-1-3', 'shipped'],
    ]);
    expect(body.output.pending).toEqual([await serve.demo('/orders/ord-1-1'), await serve.demo('/orders/ord-1-2'), null]);
    expect(body.output.loaded).toBe(2);
    expect(body.output.skipped).toBe(1);
    expect(body.trace.map(outline)[1]).toEqual({
      id: 'load-pending',
      status: 'succeeded',
      children: [
        { id: 'load-pending[0]', status: 'succeeded' },
        { id: 'load-pending[1]', status: 'succeeded' },
        { id: 'load-pending[2]', status: 'skipped', reason: "condition '{{forEach.order.status}} == 'pending'' was false" },
      ],
    });
  });

  it('skips every item of a user without pending orders and calls nothing per item', async () => {
    const { body } = await serve.execute('flow-condition-in-foreach', { userId: '5' });
    expect(body.output).toMatchObject({ pending: [null, null], loaded: 0, skipped: 2 });
    expect(await serve.calls()).toEqual({ 'GET /users/:id/orders': 1 });
  });
});

describe('forEach inside condition (conditional iteration)', () => {
  it('reserves each SKU when credit is approved with a limit of at least 1000', async () => {
    const { body } = await serve.execute('flow-foreach-in-condition', { customerId: 'c-4', skus: ['SKU-001', 'SKU-002'] });
    expect(body.status).toBe('succeeded');
    expect(body.output.approved).toBe(true);
    expect(body.output.reservations.map((r: { sku: string; qty: number }) => [r.sku, r.qty])).toEqual([
      ['SKU-001', 1],
      ['SKU-002', 1],
    ]);
    expect(body.output.reservations[0].reservationId).toMatch(/^rsv-[0-9a-f]{8}$/);
    expect(await serve.calls()).toEqual({ 'GET /credit/:customerId': 1, 'POST /inventory/reserve': 2 });
  });

  it('skips the whole loop when credit is refused, with the reason, and falls back to no reservations', async () => {
    const { body } = await serve.execute('flow-foreach-in-condition', { customerId: 'c-3', skus: ['SKU-001', 'SKU-002'] });
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ approved: false, reservations: [] });
    expect(body.trace.map(outline)).toEqual([
      { id: 'credit', status: 'succeeded' },
      { id: 'reserve', status: 'skipped', reason: "condition '{{tasks.credit.output.approved}} == true && {{tasks.credit.output.limit}} >= 1000' was false" },
    ]);
    expect(await serve.calls()).toEqual({ 'GET /credit/:customerId': 1 });
  });

  it('fails the loop when an item cannot be reserved (SKU-007 is out of stock)', async () => {
    const { status, body } = await serve.execute('flow-foreach-in-condition', { customerId: 'c-8', skus: ['SKU-001', 'SKU-007'] });
    expect(status).toBe(502);
    expect(body.execution.error.step).toBe('reserve');
    expect(body.execution.error.message).toMatch(/^step 'reserve': 1 of 2 items failed \(none tolerated\); first, item 1: POST http:\/\/127\.0\.0\.1:\d+\/inventory\/reserve answered 409/);
  });
});

describe('nested forEach (arrays of arrays)', () => {
  it('onboards the employees of each department from the demo API, department by department', async () => {
    const { body } = await serve.execute('flow-nested-foreach', {});
    expect(body.status).toBe('succeeded');
    expect(body.output.departments).toBe(3);
    expect(body.output.onboarded).toEqual([
      { 'each-employee': { results: ['e-1', 'e-2', 'e-3'].map((e) => ({ employeeId: e, deptId: 'd-1', onboarded: true })) } },
      { 'each-employee': { results: ['e-4', 'e-5'].map((e) => ({ employeeId: e, deptId: 'd-2', onboarded: true })) } },
      { 'each-employee': { results: ['e-6', 'e-7'].map((e) => ({ employeeId: e, deptId: 'd-3', onboarded: true })) } },
    ]);
    const perDepartment = body.trace[1].children.map((d: any) => [d.id, d.children[0].id, d.children[0].children.length]);
    expect(perDepartment).toEqual([
      ['each-department[0]', 'each-employee', 3],
      ['each-department[1]', 'each-employee', 2],
      ['each-department[2]', 'each-employee', 2],
    ]);
    expect(await serve.calls()).toEqual({ 'GET /departments': 1, 'POST /employees/:id/onboard': 7 });
  });
});

describe('switch inside forEach (route each item differently)', () => {
  it('charges each payment through its own method, matching case-insensitively', async () => {
    const { body } = await serve.execute('flow-switch-in-foreach', { methods: ['stripe', 'PAYPAL', 'invoice'] });
    expect(body.status).toBe('succeeded');
    expect(body.output.methods.map((p: { method: string }) => p.method)).toEqual(['stripe', 'paypal', 'invoice']);
    expect(body.output).toMatchObject({ charged: 3, failed: 0, errors: [] });
    expect(body.trace[0].children.map((t: any) => [t.id, t.matched, t.taskRef])).toEqual([
      ['charge-each[0]', 'stripe', 'stripe-charge'],
      ['charge-each[1]', 'paypal', 'paypal-charge'],
      ['charge-each[2]', 'invoice', 'create-invoice'],
    ]);
    expect(await serve.calls()).toEqual({ 'POST /payments/charge': 3 });
  });

  it('tolerates one unknown method: its output is null and the error names the value', async () => {
    const { body } = await serve.execute('flow-switch-in-foreach', { methods: ['cash', 'stripe'] });
    expect(body.status).toBe('succeeded');
    expect(body.output.methods[0]).toBeNull();
    expect(body.output.methods[1].method).toBe('stripe');
    expect(body.output).toMatchObject({
      charged: 1,
      failed: 1,
      errors: [{ index: 0, type: 'switch', code: 'WF_SWITCH_NO_MATCH', message: 'Switch value "cash" matches no case (stripe, paypal, invoice) and there is no default' }],
    });
  });

  it('fails the step when more methods are unknown than tolerated', async () => {
    const { status, body } = await serve.execute('flow-switch-in-foreach', { methods: ['cash', 'gold', 'stripe'] });
    expect(status).toBe(502);
    expect(body.execution.error.message).toBe(`step 'charge-each': 2 of 3 items failed (tolerated: 1); first, item 0: Switch value "cash" matches no case (stripe, paypal, invoice) and there is no default`);
  });
});

describe('forEach inside a switch case (iterate based on the route)', () => {
  it('reserves every SKU through the looping sub-workflow on the bulk route', async () => {
    const { body } = await serve.execute('flow-foreach-in-switch', { mode: 'Bulk', skus: ['SKU-001', 'SKU-002', 'SKU-003'] });
    expect(body.status).toBe('succeeded');
    expect(body.output.result.reserved).toBe(3);
    expect(body.output.result.reservations.map((r: { sku: string }) => r.sku)).toEqual(['SKU-001', 'SKU-002', 'SKU-003']);
    expect(outline(body.trace[0])).toEqual({
      id: 'route',
      status: 'succeeded',
      matched: 'bulk',
      workflowRef: 'flow-bulk-reserve',
      children: [
        {
          id: 'reserve-each',
          status: 'succeeded',
          children: [
            { id: 'reserve-each[0]', status: 'succeeded' },
            { id: 'reserve-each[1]', status: 'succeeded' },
            { id: 'reserve-each[2]', status: 'succeeded' },
          ],
        },
      ],
    });
    expect(await serve.calls()).toEqual({ 'POST /inventory/reserve': 3 });
  });

  it('reserves one SKU directly on the single route', async () => {
    const { body } = await serve.execute('flow-foreach-in-switch', { mode: 'single', skus: ['SKU-002', 'SKU-003'] });
    expect(body.output.result).toMatchObject({ sku: 'SKU-002', qty: 1 });
    expect(await serve.calls()).toEqual({ 'POST /inventory/reserve': 1 });
  });

  it('fails through the default for an unknown route', async () => {
    const { status, body } = await serve.execute('flow-foreach-in-switch', { mode: 'drone', skus: [] });
    expect(status).toBe(502);
    expect(body.execution.trace[0]).toMatchObject({ matched: 'default', taskRef: 'flow-status', httpStatus: 400 });
  });
});
