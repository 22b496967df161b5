import { describe, expect, it, vi } from 'vitest';
import { DefinitionRegistry, loadText } from '../load/index.js';
import type { WorkflowResource, WorkflowTaskResource } from '../model/types.js';
import { Findings, isObject, positionOf, readablePath, taskInputSchema, taskOutputSchema, ValidationContext } from './context.js';

const TASK = [
  'apiVersion: workflow.io/v1',
  'kind: WorkflowTask',
  'metadata:',
  '  name: fetch',
  '  namespace: shop',
  'spec:',
  '  type: http',
  '  http:',
  '    url: "https://api.example.com/{{ input.id }}"',
  '    body: |',
  '      line one',
  '      line two',
].join('\n');

function task(): WorkflowTaskResource {
  return loadText(TASK, 'task.yaml').resources[0].resource as WorkflowTaskResource;
}

describe('readablePath', () => {
  it.each([
    ['', ''],
    ['/spec/tasks/2/input/userId', 'spec.tasks[2].input.userId'],
    ['/spec/tasks/0/input/a.b', 'spec.tasks[0].input["a.b"]'],
    ['/spec/http/headers/X-Trace', 'spec.http.headers.X-Trace'],
    ['/spec/output/a~1b', 'spec.output["a/b"]'],
    ['/0/name', '[0].name'],
    ['/spec/1a', 'spec["1a"]'],
    ['/spec/a1', 'spec.a1'],
    ['/spec/_x/$y', 'spec._x.$y'],
    ['/spec/ b', 'spec[" b"]'],
    ['/-a', '["-a"]'],
  ])('%j reads as %j', (pointer, text) => {
    expect(readablePath(pointer)).toBe(text);
  });
});

describe('isObject', () => {
  it('is true only for plain objects', () => {
    expect(isObject({})).toBe(true);
    expect(isObject(null)).toBe(false);
    expect(isObject([])).toBe(false);
    expect(isObject('x')).toBe(false);
    expect(isObject(undefined)).toBe(false);
  });
});

describe('positionOf', () => {
  it('is the line and column of the value at a pointer', () => {
    expect(positionOf(task(), '/spec/http/url')).toEqual({ file: 'task.yaml', line: 9, column: 11 });
  });

  it('moves the column by the offset inside a single-line string', () => {
    const text = 'https://api.example.com/{{ input.id }}';
    expect(positionOf(task(), '/spec/http/url', { text, offset: 24 })).toEqual({ file: 'task.yaml', line: 9, column: 35 });
  });

  it('keeps the start of a multi-line string, whatever the offset', () => {
    expect(positionOf(task(), '/spec/http/body', { text: 'line one\nline two\n', offset: 12 })).toEqual(positionOf(task(), '/spec/http/body'));
  });

  it('ignores an offset given without the text it is inside', () => {
    expect(positionOf(task(), '/spec/http/url', { offset: 5 })).toEqual({ file: 'task.yaml', line: 9, column: 11 });
  });

  it('asks the source for the key position when key is set', () => {
    const r = task();
    const locate = vi.spyOn(r.source, 'locate');
    positionOf(r, '/spec/http/url', { key: true });
    expect(locate).toHaveBeenCalledWith('/spec/http/url', { key: true });
  });
});

describe('Findings', () => {
  it('records each finding with its severity, position, pointer and resource', () => {
    const findings = new Findings(task());
    findings.error('WF_TASK_URL', '/spec/http/url', 'bad url', 'fix it');
    findings.warning('WF_TEMPLATE_STRAY_CLOSE', '/spec/http/url', 'stray', 'open it', { text: 'https://api.example.com/{{ input.id }}', offset: 2 });
    findings.info('WF_TASK_DYNAMIC_ORIGIN', '/spec/type', 'dynamic', 'ok');
    expect(findings.diagnostics).toEqual([
      { code: 'WF_TASK_URL', severity: 'error', message: 'bad url', hint: 'fix it', file: 'task.yaml', line: 9, column: 11, pointer: '/spec/http/url', resource: 'WorkflowTask/shop/fetch' },
      { code: 'WF_TEMPLATE_STRAY_CLOSE', severity: 'warning', message: 'stray', hint: 'open it', file: 'task.yaml', line: 9, column: 13, pointer: '/spec/http/url', resource: 'WorkflowTask/shop/fetch' },
      { code: 'WF_TASK_DYNAMIC_ORIGIN', severity: 'info', message: 'dynamic', hint: 'ok', file: 'task.yaml', line: 7, column: 9, pointer: '/spec/type', resource: 'WorkflowTask/shop/fetch' },
    ]);
  });
});

describe('ValidationContext', () => {
  const text = [
    'apiVersion: workflow.io/v1',
    'kind: WorkflowTask',
    'metadata: { name: a }',
    'spec: { type: http, http: { url: "https://x.example.com" } }',
    '---',
    'apiVersion: workflow.io/v1',
    'kind: WorkflowTask',
    'metadata: { name: b, namespace: other }',
    'spec: { type: http, http: { url: "https://x.example.com" } }',
    '---',
    'apiVersion: workflow.io/v1',
    'kind: Workflow',
    'metadata: { name: w }',
    'spec: { tasks: [{ id: s, taskRef: a }] }',
  ].join('\n');
  const registry = () => new DefinitionRegistry(loadText(text, 'all.yaml').resources);

  it('limits nesting to 3 and call depth to 5 unless told otherwise', () => {
    expect(new ValidationContext(registry())).toMatchObject({ maxNestingDepth: 3, maxCallDepth: 5 });
    expect(new ValidationContext(registry(), { maxNestingDepth: 1, maxCallDepth: 9 })).toMatchObject({ maxNestingDepth: 1, maxCallDepth: 9 });
  });

  it('finds tasks by name in a namespace or by ns/name', () => {
    const ctx = new ValidationContext(registry());
    expect(ctx.task('a', 'default')?.metadata.name).toBe('a');
    expect(ctx.task('other/b', 'default')?.metadata.name).toBe('b');
    expect(ctx.task('b', 'default')).toBeUndefined();
  });

  it('lists task and workflow names as written from a namespace, asking the registry once per namespace', () => {
    const reg = registry();
    const tasks = vi.spyOn(reg, 'taskNames');
    const workflows = vi.spyOn(reg, 'workflowNames');
    const ctx = new ValidationContext(reg);
    expect(ctx.taskNamesIn('default')).toEqual(['a', 'other/b']);
    expect(ctx.taskNamesIn('default')).toEqual(['a', 'other/b']);
    expect(ctx.taskNamesIn('other')).toEqual(['default/a', 'b']);
    expect(tasks).toHaveBeenCalledTimes(2);
    expect(ctx.workflowNamesIn('default')).toEqual(['w']);
    expect(ctx.workflowNamesIn('default')).toEqual(['w']);
    expect(workflows).toHaveBeenCalledTimes(1);
  });

  it('computes the content hash of a workflow once', () => {
    const reg = registry();
    const ctx = new ValidationContext(reg);
    const w = reg.workflow('w') as WorkflowResource;
    const v = ctx.versionOf(w);
    expect(v).toMatch(/^[0-9a-f]{64}$/);
    (w as { spec: unknown }).spec = { tasks: [] };
    expect(ctx.versionOf(w)).toBe(v);
  });
});

describe('taskInputSchema and taskOutputSchema', () => {
  const withSchemas = (inputSchema: unknown, outputSchema: unknown) => ({ spec: { type: 'http', inputSchema, outputSchema } }) as unknown as WorkflowTaskResource;

  it('return the declared schema objects', () => {
    const t = withSchemas({ type: 'object' }, { type: 'string' });
    expect(taskInputSchema(t)).toEqual({ type: 'object' });
    expect(taskOutputSchema(t)).toEqual({ type: 'string' });
  });

  it('return undefined for no task, no schema or a schema that is not an object', () => {
    expect(taskInputSchema(undefined)).toBeUndefined();
    expect(taskOutputSchema(undefined)).toBeUndefined();
    expect(taskInputSchema(withSchemas(undefined, undefined))).toBeUndefined();
    expect(taskInputSchema(withSchemas([1], 3))).toBeUndefined();
    expect(taskOutputSchema(withSchemas([1], 3))).toBeUndefined();
  });
});
