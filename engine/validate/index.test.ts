import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DefinitionRegistry, loadText, type LoadedResource } from '../load/index.js';
import type { Resource, SourceInfo } from '../model/types.js';
import { parseWorkflowRef, validatePaths, validateRegistry, validateText, VALIDATION_CODES } from './index.js';

/**
 * Lets a test make the call graph check fail; otherwise the real check runs. The module cache is
 * reset first, so that the validator imported below is evaluated with the mock even where test
 * files share their modules (vitest.stryker.config.ts).
 */
const callGraph = vi.hoisted(() => {
  vi.resetModules();
  return { failWith: undefined as unknown };
});
vi.mock('./calls.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./calls.js')>();
  return {
    ...actual,
    checkCallGraph: (...args: Parameters<typeof actual.checkCallGraph>) => {
      if (callGraph.failWith !== undefined) throw callGraph.failWith;
      return actual.checkCallGraph(...args);
    },
  };
});

afterEach(() => {
  callGraph.failWith = undefined;
});

const at: SourceInfo = { file: 'memory.yaml', document: 0, locate: () => ({ file: 'memory.yaml', line: 1, column: 1 }) };

function loaded(kind: 'Workflow' | 'WorkflowTask', name: string, spec: unknown): LoadedResource {
  const raw = { apiVersion: 'workflow.io/v1', kind, metadata: { name }, spec };
  const resource = { apiVersion: 'workflow.io/v1', kind, metadata: { name, namespace: 'default' }, spec, source: at } as unknown as Resource;
  return { resource, raw };
}

describe('validateText', () => {
  it('returns load and rule diagnostics together, sorted, with the registry and the file', () => {
    const text = [
      'apiVersion: workflow.io/v1',
      'kind: Workflow',
      'metadata: { name: w }',
      'spec:',
      '  tasks:',
      '    - id: a',
      '      taskRef: missing',
      '---',
      'a: [',
    ].join('\n');
    const r = validateText(text, 'w.yaml');
    expect(r.files).toEqual(['w.yaml']);
    expect(r.registry.workflows.size).toBe(1);
    expect(r.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['WF_UNKNOWN_TASK', 7],
      ['WF_YAML_SYNTAX', 9],
    ]);
  });

  it('validates WorkflowTenant and AlertRule documents too: their schema, and a warning that they are not enforced yet', () => {
    const text = [
      'apiVersion: workflow.io/v1',
      'kind: WorkflowTenant',
      'metadata: { name: acme }',
      'spec:',
      '  quotas: { maxConcurrentWorkflows: 10, maxWorkflowsPerHr: 3 }',
      '---',
      'apiVersion: workflow.io/v1',
      'kind: AlertRule',
      'metadata: { name: slow }',
      'spec: { conditions: [{ type: executionTime, threshold: 5 }], channels: [{ type: slack, channel: ops }] }',
    ].join('\n');
    const r = validateText(text, 'extras.yaml');
    expect(r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.line, message: d.message, hint: d.hint, resource: d.resource }))).toEqual([
      {
        code: 'WF_NOT_SUPPORTED_YET',
        severity: 'warning',
        line: 2,
        message: "WorkflowTenant 'acme' is loaded and checked, but this engine version does not enforce it yet",
        hint: 'Quotas, rate limits and allowed tasks are not applied; keep them in Git for when they are.',
        resource: 'WorkflowTenant/default/acme',
      },
      {
        code: 'WF_SCHEMA_UNKNOWN_FIELD',
        severity: 'error',
        line: 5,
        message: "Unknown field 'maxWorkflowsPerHr' in spec.quotas; did you mean 'maxWorkflowsPerHour'?",
        hint: 'Remove it or fix the spelling. Fields allowed here: maxConcurrentWorkflows, maxConcurrentTasks, maxWorkflowsPerHour, maxExecutionDuration.',
        resource: 'WorkflowTenant/default/acme',
      },
      {
        code: 'WF_NOT_SUPPORTED_YET',
        severity: 'warning',
        line: 8,
        message: "AlertRule 'slow' is loaded and checked, but this engine version does not enforce it yet",
        hint: 'Alert conditions are not evaluated and no channel is called yet.',
        resource: 'AlertRule/default/slow',
      },
    ]);
  });

  it('passes the nesting limit on to the rules', () => {
    const text = [
      'apiVersion: workflow.io/v1',
      'kind: WorkflowTask',
      'metadata: { name: t }',
      'spec: { type: http, http: { url: "https://x.example.com" } }',
      '---',
      'apiVersion: workflow.io/v1',
      'kind: Workflow',
      'metadata: { name: w }',
      'spec:',
      '  tasks:',
      '    - id: outer',
      '      forEach: { items: [1] }',
      '      tasks:',
      '        - id: inner',
      '          forEach: { items: [1] }',
      '          taskRef: t',
    ].join('\n');
    expect(validateText(text, 'w.yaml').diagnostics).toEqual([]);
    expect(validateText(text, 'w.yaml', { maxNestingDepth: 1 }).diagnostics.map((d) => d.code)).toEqual(['WF_NESTING_TOO_DEEP']);
  });

  it('reports a resource defined twice in the text', () => {
    const doc = 'apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: t }\nspec: { type: http, http: { url: "https://x.example.com" } }\n';
    expect(validateText(`${doc}---\n${doc}`, 't.yaml').diagnostics.map((d) => [d.code, d.line])).toEqual([['WF_DUPLICATE_RESOURCE', 8]]);
  });

  it('reports nothing for a clean definition', () => {
    const text = 'apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: t }\nspec: { type: http, http: { url: "https://x.example.com" } }\n';
    expect(validateText(text, 't.yaml').diagnostics).toEqual([]);
  });
});

describe('validatePaths', () => {
  it('turns an unreadable path into a diagnostic', async () => {
    const r = await validatePaths(['/nonexistent/weft-definitions']);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['WF_LOAD_PATH']);
  });

  it('validates the files of a directory together, naming files relative to cwd, with options passed on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-validate-'));
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: a }\nspec:\n  tasks:\n    - id: s\n      workflowRef: b\n');
    await writeFile(join(dir, 'b.yaml'), 'apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: b }\nspec:\n  tasks:\n    - id: s\n      taskRef: tsk\n');
    await writeFile(join(dir, 'c.yaml'), 'apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: tsk }\nspec: { type: http }\n');
    await writeFile(join(dir, '0-broken.yaml'), 'a: [\n');
    const r = await validatePaths([dir], { cwd: dir, maxCallDepth: 1 });
    expect(r.files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['0-broken.yaml', 'a.yaml', 'b.yaml', 'c.yaml']);
    expect(r.registry.workflows.size).toBe(2);
    expect(r.diagnostics.map((d) => [d.file, d.line, d.code])).toEqual([
      ['0-broken.yaml', 2, 'WF_YAML_SYNTAX'],
      ['a.yaml', 7, 'WF_CALL_DEPTH'],
      ['c.yaml', 4, 'WF_TASK_MISSING_HTTP'],
    ]);
  });
});

describe('the public surface', () => {
  it('exports the documented codes and the workflowRef parser', () => {
    expect(VALIDATION_CODES.WF_INTERNAL).toMatch(/bug in the validator/);
    expect(parseWorkflowRef('billing/invoice@v2')).toEqual({ namespace: 'billing', name: 'invoice', version: 'v2' });
  });
});

describe('validateRegistry', () => {
  it('reports a rule that throws as WF_INTERNAL naming the resource, and still validates the others', () => {
    const exploding = new Proxy(
      {},
      {
        get() {
          throw new Error('spec unreadable');
        },
      },
    );
    const registry = new DefinitionRegistry([
      loaded('Workflow', 'broken', exploding),
      loaded('Workflow', 'fine', { tasks: [{ id: 'a', taskRef: 'nope' }] }),
    ]);
    const diagnostics = validateRegistry(registry);
    const internal = diagnostics.filter((d) => d.code === 'WF_INTERNAL');
    expect(internal.length).toBeGreaterThan(0);
    expect(internal.map((d) => d.message)).toEqual([
      "The 'schema' rule failed on Workflow/default/broken: spec unreadable",
      "The 'workflow' rule failed on Workflow/default/broken: spec unreadable",
    ]);
    for (const d of internal) {
      expect(d).toMatchObject({ severity: 'error', resource: 'Workflow/default/broken', file: 'memory.yaml', line: 1 });
      expect(d.message).toContain('Workflow/default/broken');
      expect(d.message).toContain('spec unreadable');
      expect(d.message).not.toMatch(/\n\s+at /);
    }
    expect(diagnostics.some((d) => d.code === 'WF_UNKNOWN_TASK' && d.resource === 'Workflow/default/fine')).toBe(true);
  });

  it('names the failing rule and keeps what the rule found before it failed', () => {
    const task = loaded('WorkflowTask', 't', { type: 'transform', transform: { expression: 'a +' } });
    const failing = Object.defineProperty(task.resource.spec, 'inputSchema', {
      get() {
        throw 'schema gone';
      },
    });
    expect(failing).toBeDefined();
    const diagnostics = validateRegistry(new DefinitionRegistry([{ resource: task.resource, raw: { ...task.raw, spec: { type: 'transform', transform: { expression: 'a +' } } } }]));
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['WF_INTERNAL', "The 'task' rule failed on WorkflowTask/default/t: schema gone"],
      ['WF_TASK_TRANSFORM_SYNTAX', "Task 't' transform expression is not valid JSONata: Unexpected end of expression"],
    ]);
    expect(diagnostics[0]).toEqual({
      code: 'WF_INTERNAL',
      severity: 'error',
      message: "The 'task' rule failed on WorkflowTask/default/t: schema gone",
      hint: 'This is a bug in the Weft validator, not necessarily in the definition; the other rules still ran. Please report it with the resource.',
      file: 'memory.yaml',
      line: 1,
      column: 1,
      pointer: '',
      resource: 'WorkflowTask/default/t',
    });
  });

  it('reports a failing rule without a position when the resource cannot be located', () => {
    const broken = loaded('Workflow', 'w', new Proxy({}, { get: () => { throw new Error('spec unreadable'); } }));
    const resource = { ...broken.resource, source: { file: 'x.yaml', document: 0, locate: () => { throw new Error('no source'); } } } as unknown as Resource;
    const diagnostics = validateRegistry(new DefinitionRegistry([{ resource, raw: { ...broken.raw, spec: { tasks: [] } } }]));
    expect(diagnostics).toEqual([
      {
        code: 'WF_INTERNAL',
        severity: 'error',
        message: "The 'workflow' rule failed on Workflow/default/w: spec unreadable",
        hint: 'This is a bug in the Weft validator, not necessarily in the definition; the other rules still ran. Please report it with the resource.',
      },
    ]);
  });

  it('reports a failing call graph check as WF_INTERNAL and keeps the other diagnostics', () => {
    callGraph.failWith = new Error('graph exploded');
    const registry = new DefinitionRegistry([loaded('Workflow', 'w', { tasks: [{ id: 'a', taskRef: 'nope' }] })]);
    expect(validateRegistry(registry).map((d) => [d.code, d.message])).toEqual([
      ['WF_INTERNAL', "The 'calls' rule failed on the workflow call graph: graph exploded"],
      ['WF_UNKNOWN_TASK', expect.stringContaining("'nope'")],
    ]);
  });

  it('checks the schema of the document as written, and skips it for a resource without one', () => {
    const task = loaded('WorkflowTask', 't', { type: 'http', http: { url: 'https://x.example.com' }, retries: 3 });
    const registry = new DefinitionRegistry([task]);
    expect(validateRegistry(registry).map((d) => d.code)).toEqual(['WF_SCHEMA_UNKNOWN_FIELD']);
    registry.raw.clear();
    expect(validateRegistry(registry)).toEqual([]);
  });

  it('checks extra resources only when their document is kept', () => {
    const text = 'apiVersion: workflow.io/v1\nkind: WorkflowTenant\nmetadata: { name: acme }\nspec: { quotaz: 1 }\n';
    const { resources, extras } = loadText(text, 'tenant.yaml');
    const registry = new DefinitionRegistry(resources, extras);
    expect(validateRegistry(registry).map((d) => [d.code, d.line, d.column])).toEqual([
      ['WF_NOT_SUPPORTED_YET', 2, 7],
      ['WF_SCHEMA_UNKNOWN_FIELD', 4, 9],
    ]);
    registry.raw.clear();
    expect(validateRegistry(registry).map((d) => d.code)).toEqual(['WF_NOT_SUPPORTED_YET']);
  });

  it('never throws and never reports WF_INTERNAL for fields of the wrong type anywhere', () => {
    const text = `
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: odd }
spec:
  input: [1]
  output: 7
  tasks:
    - 3
    - id: 5
      taskRef: 7
      workflowRef: [x]
      input: "{{ input.x }}"
      dependsOn: a
      condition: "{{ input.x }} == 1"
      switch: [1]
      forEach: { items: { a: 1 }, itemVar: 4, indexVar: [] }
      tasks: { id: x }
    - id: b
      switch: { value: 1, cases: [1, { match: [1], taskRef: {}, input: 2 }], default: 3 }
      condition: { if: 4 }
      forEach: "{{ input.x }}"
      tasks: [null, { id: c, tasks: 3, dependsOn: [1, null] }]
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: odd-task }
spec:
  type: 3
  http: { url: 5, headers: [1], query: "x", body: "{{ tasks.x }}" }
  transform: { expression: 4 }
  inputSchema: 3
  outputSchema: [1]
`;
    const r = validateText(text, 'odd.yaml');
    expect(r.diagnostics.length).toBeGreaterThan(10);
    expect(r.diagnostics.filter((d) => d.code === 'WF_INTERNAL')).toEqual([]);
  });

  // Large enough that per-workflow work done over the whole registry would show; small enough
  // for the mutation run, which repeats this test for almost every mutant of the validator.
  it('validates 200 workflows and 100 tasks with indexes built once, finding every planted error', () => {
    const tasks = Array.from({ length: 100 }, (_, i) =>
      loaded('WorkflowTask', `task-${i}`, {
        type: 'http',
        inputSchema: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, n: { type: 'integer' } } },
        outputSchema: { type: 'object', properties: { id: { type: 'string' }, count: { type: 'integer' }, items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } },
        http: { method: 'POST', url: `https://api${i % 7}.example.com/things/{{ input.id }}`, body: { n: '{{ input.n }}' } },
      }),
    );
    const workflows = Array.from({ length: 200 }, (_, i) => {
      const t = (k: number) => `task-${(i * 3 + k) % 100}`;
      const broken = i % 20 === 0; // 10 workflows with one unknown task each
      return loaded('Workflow', `flow-${i}`, {
        input: { type: 'object', properties: { id: { type: 'string' }, list: { type: 'array' } } },
        tasks: [
          { id: 'first', taskRef: broken ? 'no-such-task' : t(0), input: { id: '{{ input.id }}' }, timeout: '5s', retry: { maxAttempts: 3, backoff: '200ms' } },
          { id: 'second', taskRef: t(1), input: { id: '{{ tasks.first.output.id }}', n: '{{ tasks.first.output.count }}' } },
          {
            id: 'each',
            forEach: { items: '{{ tasks.second.output.items }}', itemVar: 'thing', maxParallel: 4 },
            condition: { if: "{{ tasks.second.output.count }} > 0 && {{ input.id }} != 'x'" },
            taskRef: t(2),
            input: { id: '{{ forEach.thing.name }}' },
          },
          {
            id: 'route',
            switch: { value: '{{ input.id }}', cases: [{ match: 'a', taskRef: t(3) }, { match: 'b', taskRef: t(4) }], default: { taskRef: t(5) } },
            input: { id: '{{ tasks.each.forEach.outputs[0].id }}' },
            dependsOn: ['each'],
          },
          ...(i > 0 && i % 10 === 0 ? [{ id: 'sub', workflowRef: `flow-${i - 1}`, input: { id: '{{ input.id }}' } }] : []),
        ],
        output: { id: '{{ tasks.second.output.id }}', results: '{{ tasks.each.output.results }}' },
      });
    });
    const registry = new DefinitionRegistry([...tasks, ...workflows]);
    const diagnostics = validateRegistry(registry);
    expect(diagnostics.map((d) => d.code)).toEqual(Array(10).fill('WF_UNKNOWN_TASK'));
  });
});

describe('loadText and validateRegistry together', () => {
  it('checks references across resources loaded from different texts', () => {
    const a = loadText('apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec:\n  tasks:\n    - id: a\n      taskRef: t\n', 'a.yaml');
    const b = loadText('apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: t }\nspec: { type: http, http: { url: "https://x.example.com" } }\n', 'b.yaml');
    expect(validateRegistry(new DefinitionRegistry([...a.resources, ...b.resources]))).toEqual([]);
  });
});
