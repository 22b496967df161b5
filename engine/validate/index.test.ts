import { describe, expect, it } from 'vitest';
import { DefinitionRegistry, loadText, type LoadedResource } from '../load/index.js';
import type { Resource, SourceInfo } from '../model/types.js';
import { validatePaths, validateRegistry, validateText } from './index.js';

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
    for (const d of internal) {
      expect(d).toMatchObject({ severity: 'error', resource: 'Workflow/default/broken', file: 'memory.yaml', line: 1 });
      expect(d.message).toContain('Workflow/default/broken');
      expect(d.message).toContain('spec unreadable');
      expect(d.message).not.toMatch(/\n\s+at /);
    }
    expect(diagnostics.some((d) => d.code === 'WF_UNKNOWN_TASK' && d.resource === 'Workflow/default/fine')).toBe(true);
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

  it('validates 1,000 workflows and 500 tasks with indexes built once, finding every planted error', () => {
    const tasks = Array.from({ length: 500 }, (_, i) =>
      loaded('WorkflowTask', `task-${i}`, {
        type: 'http',
        inputSchema: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, n: { type: 'integer' } } },
        outputSchema: { type: 'object', properties: { id: { type: 'string' }, count: { type: 'integer' }, items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } },
        http: { method: 'POST', url: `https://api${i % 7}.example.com/things/{{ input.id }}`, body: { n: '{{ input.n }}' } },
      }),
    );
    const workflows = Array.from({ length: 1000 }, (_, i) => {
      const t = (k: number) => `task-${(i * 3 + k) % 500}`;
      const broken = i % 100 === 0; // 10 workflows with one unknown task each
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
