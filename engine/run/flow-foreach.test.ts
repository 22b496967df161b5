import { describe, expect, it } from 'vitest';
import { fakeTask, flowEngine, httpFailure, InFlight, traceAt, turns } from '../../test/support/flow.js';
import { toleranceExceeded } from './executor.js';

const TASKS = fakeTask('process') + fakeTask('list');

/** `process` echoes its input; ids starting with 'bad' fail with HTTP 500. */
const processItem = (i: { id: string; index?: number }) => {
  if (String(i.id).startsWith('bad')) throw httpFailure(500, `HTTP 500 for ${i.id}`);
  return { done: i.id, ...(i.index !== undefined ? { index: i.index } : {}) };
};

const loop = (forEach: string, extra = '') => `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop }
spec:
  tasks:
    - id: each
      forEach: ${forEach}
      taskRef: process
      input: { id: "{{forEach.item}}", index: "{{forEach.index}}" }
${extra}
`;

describe('forEach', () => {
  it('runs the task once per item with the item and its index', async () => {
    const { engine, calls } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item }'), { process: processItem });
    const r = await engine.execute('loop', { ids: ['a', 'b', 'c'] });
    expect(r.status).toBe('succeeded');
    expect(calls.of('process')).toEqual([
      { id: 'a', index: 0 },
      { id: 'b', index: 1 },
      { id: 'c', index: 2 },
    ]);
  });

  it('reports outputs in index order, counts, and the output.results alias', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item }', '  output: { fe: "{{tasks.each.forEach}}", results: "{{tasks.each.output.results}}" }'), { process: processItem });
    const r = await engine.execute('loop', { ids: ['a', 'b'] });
    const outputs = [{ done: 'a', index: 0 }, { done: 'b', index: 1 }];
    expect(r.output).toEqual({ fe: { outputs, itemCount: 2, successCount: 2, failureCount: 0, skippedCount: 0, errors: [] }, results: outputs });
  });

  it('keeps index order when later items finish first', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item }', '  output: { r: "{{tasks.each.forEach.outputs}}" }'), {
      process: async (i: { id: string }) => {
        await turns(10 - Number(i.id));
        return i.id;
      },
    });
    const r = await engine.execute('loop', { ids: ['1', '2', '3', '4'] });
    expect(r.output).toEqual({ r: ['1', '2', '3', '4'] });
  });

  it('gives one trace per item under the step, named step[i]', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item }'), { process: processItem });
    const r = await engine.execute('loop', { ids: ['a', 'b'] });
    const t = traceAt(r.steps, 'each');
    expect(t.kind).toBe('forEach');
    expect(t.children!.map((c) => [c.id, c.index, c.kind, c.status])).toEqual([
      ['each[0]', 0, 'task', 'succeeded'],
      ['each[1]', 1, 'task', 'succeeded'],
    ]);
  });

  it('runs zero items for an empty array', async () => {
    const { engine, calls } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item }', '  output: { fe: "{{tasks.each.forEach}}" }'), { process: processItem });
    const r = await engine.execute('loop', { ids: [] });
    expect(calls.list).toEqual([]);
    expect(r.output).toEqual({ fe: { outputs: [], itemCount: 0, successCount: 0, failureCount: 0, skippedCount: 0, errors: [] } });
  });

  it('iterates a literal array of items', async () => {
    const { engine, calls } = flowEngine(loop('{ items: [x, y], itemVar: item }'), { process: processItem });
    await engine.execute('loop', {});
    expect(calls.of('process').map((c) => c.id)).toEqual(['x', 'y']);
  });

  it('exposes a named indexVar beside forEach.index', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop }
spec:
  tasks:
    - id: each
      forEach: { items: "{{input.ids}}", itemVar: order, indexVar: n }
      taskRef: process
      input: { id: "{{forEach.order}}", index: "{{forEach.n}}" }
`, { process: processItem });
    await engine.execute('loop', { ids: ['p', 'q'] });
    expect(calls.of('process')).toEqual([{ id: 'p', index: 0 }, { id: 'q', index: 1 }]);
  });

  it('names the item variable "item" when itemVar is not given', async () => {
    const { engine, calls } = flowEngine(loop('{ items: "{{input.ids}}" }'), { process: processItem });
    await engine.execute('loop', { ids: ['z'] });
    expect(calls.of('process')).toEqual([{ id: 'z', index: 0 }]);
  });

  it.each([
    [{ ids: 'abc' }, 'a string'],
    [{ ids: { a: 1 } }, 'an object'],
    [{ ids: null }, 'null'],
    [{ ids: 3 }, 'a number'],
    [{ ids: true }, 'a boolean'],
  ])('fails when items is not an array (%j), naming its type', async (input, kind) => {
    const { engine, calls } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item }'), { process: processItem });
    const r = await engine.execute('loop', input);
    expect(r.status).toBe('failed');
    expect(calls.list).toEqual([]);
    expect(r.error).toEqual({ step: 'each', type: 'forEach', code: 'WF_FOREACH_NOT_ARRAY', message: `step 'each': forEach.items resolved to ${kind}, not an array`, hint: 'Point items at an array, e.g. {{ tasks.list.output.items }}.' });
  });
});

describe('forEach concurrency', () => {
  const counted = async (forEach: string, n: number) => {
    const flight = new InFlight();
    const { engine, calls } = flowEngine(loop(forEach), { process: flight.wrap(processItem) });
    const r = await engine.execute('loop', { ids: Array.from({ length: n }, (_, i) => `i${i}`) });
    expect(r.status).toBe('succeeded');
    expect(calls.list).toHaveLength(n);
    return flight.peak;
  };

  it('runs at most maxParallel items at once', async () => {
    expect(await counted('{ items: "{{input.ids}}", itemVar: item, maxParallel: 3 }', 12)).toBe(3);
  });

  it('runs one item at a time with maxParallel 1', async () => {
    expect(await counted('{ items: "{{input.ids}}", itemVar: item, maxParallel: 1 }', 5)).toBe(1);
  });

  it('runs all items at once with maxParallel 0 (unbounded)', async () => {
    expect(await counted('{ items: "{{input.ids}}", itemVar: item, maxParallel: 0 }', 20)).toBe(20);
  });

  it('runs all items at once when maxParallel is not given', async () => {
    expect(await counted('{ items: "{{input.ids}}", itemVar: item }', 15)).toBe(15);
  });

  it('reads maxConcurrency as maxParallel', async () => {
    expect(await counted('{ items: "{{input.ids}}", itemVar: item, maxConcurrency: 2 }', 6)).toBe(2);
  });

  it('lets many items in flight listen on the run signal without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const flight = new InFlight();
      const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, maxParallel: 30 }'), {
        process: flight.wrap((i: { id: string }, signal: AbortSignal) => {
          signal.addEventListener('abort', () => undefined, { once: true });
          return i.id;
        }),
      });
      const r = await engine.execute('loop', { ids: Array.from({ length: 30 }, (_, i) => `i${i}`) });
      await turns(2);
      expect(r.status).toBe('succeeded');
      expect(flight.peak).toBe(30);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('never starts more workers than items', async () => {
    expect(await counted('{ items: "{{input.ids}}", itemVar: item, maxParallel: 50 }', 4)).toBe(4);
  });
});

describe('forEach failures', () => {
  const output = '  output: { fe: "{{tasks.each.forEach}}" }';

  it('fails the step after all items finish when any item fails (no tolerance)', async () => {
    const { engine, calls } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, maxParallel: 1 }'), { process: processItem });
    const r = await engine.execute('loop', { ids: ['a', 'bad-1', 'c', 'bad-2'] });
    expect(calls.list).toHaveLength(4);
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({
      step: 'each',
      type: 'forEach',
      code: 'WF_FOREACH_FAILED',
      message: "step 'each': 2 of 4 items failed (none tolerated); first, item 1: HTTP 500 for bad-1",
    });
    const items = traceAt(r.steps, 'each').children!;
    expect(items.map((t) => t.status)).toEqual(['succeeded', 'failed', 'succeeded', 'failed']);
    expect(items[1].error).toMatchObject({ code: 'WF_HTTP_STATUS', httpStatus: 500 });
  });

  it('succeeds with null outputs and errors listed when failures are within toleratedFailureCount', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, toleratedFailureCount: 1 }', output), { process: processItem });
    const r = await engine.execute('loop', { ids: ['a', 'bad-1', 'c'] });
    expect(r.status).toBe('succeeded');
    expect(r.output).toEqual({
      fe: {
        outputs: [{ done: 'a', index: 0 }, null, { done: 'c', index: 2 }],
        itemCount: 3,
        successCount: 2,
        failureCount: 1,
        skippedCount: 0,
        errors: [{ index: 1, type: 'http', code: 'WF_HTTP_STATUS', message: 'HTTP 500 for bad-1' }],
      },
    });
  });

  it('fails when failures exceed toleratedFailureCount', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, toleratedFailureCount: 1 }'), { process: processItem });
    const r = await engine.execute('loop', { ids: ['bad-a', 'b', 'bad-c'] });
    expect(r.error?.message).toBe("step 'each': 2 of 3 items failed (tolerated: 1); first, item 0: HTTP 500 for bad-a");
  });

  it('names both thresholds when both are set, and the hint says how to accept failures', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, toleratedFailureCount: 3, toleratedFailurePercentage: 25 }'), { process: processItem });
    const r = await engine.execute('loop', { ids: ['bad-a', 'bad-b', 'c', 'd'] });
    expect(r.error).toMatchObject({
      message: "step 'each': 2 of 4 items failed (tolerated: 3 and 25%); first, item 0: HTTP 500 for bad-a",
      hint: 'See the item traces; set toleratedFailureCount or toleratedFailurePercentage to accept some failures.',
    });
  });

  it('tolerates failures up to toleratedFailurePercentage of the items', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, toleratedFailurePercentage: 50 }'), { process: processItem });
    expect((await engine.execute('loop', { ids: ['bad-a', 'bad-b', 'c', 'd'] })).status).toBe('succeeded');
    const r = await engine.execute('loop', { ids: ['bad-a', 'bad-b', 'bad-c', 'd'] });
    expect(r.status).toBe('failed');
    expect(r.error?.message).toBe("step 'each': 3 of 4 items failed (tolerated: 50%); first, item 0: HTTP 500 for bad-a");
  });

  it('lists errors in index order whatever order the items failed in', async () => {
    const { engine } = flowEngine(loop('{ items: "{{input.ids}}", itemVar: item, toleratedFailureCount: 5 }', output), {
      process: async (i: { id: string; index: number }) => {
        await turns(5 - i.index);
        return processItem(i);
      },
    });
    const r = await engine.execute('loop', { ids: ['bad-0', 'ok', 'bad-2', 'bad-3'] });
    expect((r.output as any).fe.errors.map((e: { index: number }) => e.index)).toEqual([0, 2, 3]);
  });
});

describe('toleranceExceeded (Step Functions Map semantics)', () => {
  it('accepts no failure', () => {
    expect(toleranceExceeded({}, 0, 10)).toBe(false);
  });

  it('fails on any failure when no threshold is set', () => {
    expect(toleranceExceeded({}, 1, 10)).toBe(true);
  });

  it('fails when the count threshold is passed', () => {
    expect(toleranceExceeded({ toleratedFailureCount: 2 }, 2, 10)).toBe(false);
    expect(toleranceExceeded({ toleratedFailureCount: 2 }, 3, 10)).toBe(true);
    expect(toleranceExceeded({ toleratedFailureCount: 0 }, 1, 10)).toBe(true);
  });

  it('fails when the percentage threshold is passed, without rounding', () => {
    expect(toleranceExceeded({ toleratedFailurePercentage: 50 }, 1, 3)).toBe(false);
    expect(toleranceExceeded({ toleratedFailurePercentage: 50 }, 2, 3)).toBe(true);
    expect(toleranceExceeded({ toleratedFailurePercentage: 10 }, 1, 10)).toBe(false);
    expect(toleranceExceeded({ toleratedFailurePercentage: 10 }, 2, 10)).toBe(true);
    expect(toleranceExceeded({ toleratedFailurePercentage: 100 }, 10, 10)).toBe(false);
  });

  it('fails when either threshold is passed when both are set', () => {
    expect(toleranceExceeded({ toleratedFailureCount: 5, toleratedFailurePercentage: 10 }, 2, 10)).toBe(true);
    expect(toleranceExceeded({ toleratedFailureCount: 1, toleratedFailurePercentage: 90 }, 2, 10)).toBe(true);
    expect(toleranceExceeded({ toleratedFailureCount: 2, toleratedFailurePercentage: 20 }, 2, 10)).toBe(false);
  });
});

describe('condition on a forEach step', () => {
  const filtered = (condition: string) => `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop }
spec:
  tasks:
    - id: each
      forEach: { items: "{{input.orders}}", itemVar: order }
      condition: { if: "${condition}" }
      taskRef: process
      input: { id: "{{forEach.order.id}}" }
  output: { fe: "{{tasks.each.forEach ?? null}}" }
`;

  it('filters items one by one when the condition reads forEach', async () => {
    const { engine, calls } = flowEngine(filtered("{{forEach.order.status}} == 'pending'"), { process: processItem });
    const r = await engine.execute('loop', { orders: [{ id: 'o1', status: 'pending' }, { id: 'o2', status: 'shipped' }, { id: 'o3', status: 'pending' }] });
    expect(calls.of('process').map((c) => c.id)).toEqual(['o1', 'o3']);
    expect(r.output).toEqual({ fe: { outputs: [{ done: 'o1' }, null, { done: 'o3' }], itemCount: 3, successCount: 2, failureCount: 0, skippedCount: 1, errors: [] } });
    expect(traceAt(r.steps, 'each', 'each[1]')).toMatchObject({ status: 'skipped', reason: "condition '{{forEach.order.status}} == 'pending'' was false" });
  });

  it('gives each item a named indexVar only when one is declared', async () => {
    const { engine, calls } = flowEngine(filtered("{{forEach.undefined ?? 'none'}} == 'none'"), { process: processItem });
    await engine.execute('loop', { orders: [{ id: 'o1' }] });
    expect(calls.of('process')).toEqual([{ id: 'o1' }]);
  });

  it('filters with the item index', async () => {
    const { engine, calls } = flowEngine(filtered('{{forEach.index}} >= 1'), { process: processItem });
    await engine.execute('loop', { orders: [{ id: 'o1' }, { id: 'o2' }] });
    expect(calls.of('process').map((c) => c.id)).toEqual(['o2']);
  });

  it('guards the whole step, once, when the condition does not read forEach', async () => {
    const { engine, calls } = flowEngine(filtered('{{input.enabled}} == true'), { process: processItem });
    const r = await engine.execute('loop', { enabled: false, orders: 'not even an array' });
    expect(r.status).toBe('succeeded');
    expect(r.output).toEqual({ fe: null });
    expect(calls.list).toEqual([]);
    expect(traceAt(r.steps, 'each')).toMatchObject({ kind: 'forEach', status: 'skipped', reason: "condition '{{input.enabled}} == true' was false" });
    expect(traceAt(r.steps, 'each').children).toBeUndefined();
  });

  it('runs every item when a step-level guard is true', async () => {
    const { engine, calls } = flowEngine(filtered('{{input.enabled}} == true'), { process: processItem });
    await engine.execute('loop', { enabled: true, orders: [{ id: 'o1' }, { id: 'o2' }] });
    expect(calls.of('process').map((c) => c.id)).toEqual(['o1', 'o2']);
  });

  it('fails an item whose condition cannot be evaluated, and counts it as a failure', async () => {
    const { engine } = flowEngine(filtered("{{forEach.order.status}} == 'pending'"), { process: processItem });
    const r = await engine.execute('loop', { orders: [{ id: 'o1', status: 'pending' }, { id: 'o2', status: 3 }] });
    expect(r.status).toBe('failed');
    expect(traceAt(r.steps, 'each', 'each[1]').error).toMatchObject({ type: 'condition', code: 'WF_CONDITION_TYPE' });
  });

  it('skips an item whose input reads a skipped step, without failing the loop', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop }
spec:
  tasks:
    - { id: maybe, taskRef: list, condition: { if: "{{input.go}} == true" } }
    - id: each
      forEach: { items: "{{input.ids}}", itemVar: item }
      taskRef: process
      input: { id: "{{forEach.item}}", extra: "{{tasks.maybe.output}}" }
      dependsOn: [maybe]
  output: { fe: "{{tasks.each.forEach}}" }
`, { process: processItem, list: () => [] });
    const r = await engine.execute('loop', { go: false, ids: ['a'] });
    expect(r.status).toBe('succeeded');
    expect((r.output as any).fe).toMatchObject({ itemCount: 1, skippedCount: 1, successCount: 0, outputs: [null] });
    expect(traceAt(r.steps, 'each', 'each[0]')).toMatchObject({ status: 'skipped', reason: "reads the output of step 'maybe', which was skipped" });
  });

  it('fails an item whose template reads a missing value (not a skipped step)', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop }
spec:
  tasks:
    - id: each
      forEach: { items: "{{input.items}}", itemVar: item, toleratedFailureCount: 1 }
      taskRef: process
      input: { id: "{{forEach.item.id}}" }
  output: { fe: "{{tasks.each.forEach}}" }
`, { process: processItem });
    const r = await engine.execute('loop', { items: [{ id: 'a' }, { name: 'no id' }] });
    expect((r.output as any).fe).toMatchObject({ successCount: 1, failureCount: 1, skippedCount: 0, errors: [{ index: 1, type: 'template', code: 'WF_TEMPLATE_MISSING' }] });
    expect(traceAt(r.steps, 'each', 'each[1]').status).toBe('failed');
  });
});
