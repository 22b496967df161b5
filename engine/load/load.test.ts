import { describe, expect, it } from 'vitest';
import { inputToJsonSchema, isJsonSchema, loadText } from './index.js';
import { DefinitionRegistry } from './registry.js';
import { parseYaml, pointerSegments, toPointer } from './yaml.js';

const TASK = `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata:
  name: get-user
spec:
  type: http
  http:
    method: get
    url: "http://users/users/{{input.id}}"
`;

describe('parseYaml', () => {
  it('reads every document of a multi-document file and drops empty ones', () => {
    const r = parseYaml('a: 1\n---\n---\nb: [2]\n', 'x.yaml');
    expect(r.documents.map((d) => [d.index, d.value])).toEqual([
      [0, { a: 1 }],
      [2, { b: [2] }],
    ]);
    expect(r.diagnostics).toEqual([]);
  });

  it('locates values, keys and list items by JSON pointer', () => {
    const doc = parseYaml('top:\n  list:\n    - x: 1\n    - x: "two"\n', 'p.yaml').documents[0];
    expect(doc.locate('/top/list/1/x')).toEqual({ file: 'p.yaml', line: 4, column: 11 });
    expect(doc.locate('/top/list/1/x', { key: true })).toEqual({ file: 'p.yaml', line: 4, column: 7 });
    expect(doc.locate('/top/list/0')).toEqual({ file: 'p.yaml', line: 3, column: 7 });
  });

  it('falls back to the nearest existing parent for a missing pointer', () => {
    const doc = parseYaml('top:\n  a: 1\n', 'p.yaml').documents[0];
    expect(doc.locate('/top/missing/deeper')).toEqual({ file: 'p.yaml', line: 2, column: 3 });
  });

  it('turns a syntax error into a diagnostic at its line and column', () => {
    const r = parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml');
    expect(r.documents).toEqual([]);
    expect(r.diagnostics[0]).toMatchObject({ code: 'WF_YAML_SYNTAX', severity: 'error', file: 'bad.yaml', line: 3 });
  });

  it('reports a duplicate key', () => {
    const r = parseYaml('a: 1\na: 2\n', 'dup.yaml');
    expect(r.diagnostics[0]).toMatchObject({ code: 'WF_YAML_SYNTAX', line: 2, column: 1 });
    expect(r.diagnostics[0].message).toMatch(/unique/i);
  });
});

describe('pointers', () => {
  it('escapes and unescapes ~ and / in segments', () => {
    expect(toPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
    expect(pointerSegments('/a~1b/c~0d/0')).toEqual(['a/b', 'c~d', '0']);
    expect(pointerSegments('')).toEqual([]);
  });
});

describe('loadText', () => {
  it('loads a task with its namespace defaulted and the method upper-cased', () => {
    const r = loadText(TASK, 't.yaml');
    expect(r.diagnostics).toEqual([]);
    const t = r.resources[0].resource;
    expect(t.metadata).toEqual({ name: 'get-user', namespace: 'default' });
    expect((t.spec as any).http.method).toBe('GET');
    expect(t.source.locate('/spec/http/url')).toEqual({ file: 't.yaml', line: 9, column: 11 });
  });

  it('reads the legacy request block as http and keeps positions pointing at it', () => {
    const r = loadText(TASK.replace('workflow.io/v1', 'workflow.example.com/v1').replace('  http:', '  request:'), 'legacy.yaml');
    const t = r.resources[0].resource as any;
    expect(t.spec.http.url).toBe('http://users/users/{{input.id}}');
    expect(t.spec.request).toBeUndefined();
    expect(t.source.locate('/spec/http/url')).toMatchObject({ line: 9 });
    expect(r.resources[0].raw.spec).toHaveProperty('request');
  });

  it('converts a flat input map to a JSON Schema and maxConcurrency to maxParallel', () => {
    const r = loadText(
      `apiVersion: workflow.example.com/v1
kind: Workflow
metadata: { name: legacy }
spec:
  input:
    userId: { type: string, required: true, description: who }
    limit: { type: integer, default: 5 }
  tasks:
    - id: each
      taskRef: t
      forEach: { items: "{{input.ids}}", maxConcurrency: 4 }
      dependsOn: a
`,
      'w.yaml',
    );
    const w = r.resources[0].resource as any;
    expect(w.spec.input).toEqual({
      type: 'object',
      properties: { userId: { type: 'string', description: 'who' }, limit: { type: 'integer', default: 5 } },
      required: ['userId'],
    });
    expect(w.spec.tasks[0].forEach).toEqual({ items: '{{input.ids}}', maxParallel: 4 });
    expect(w.spec.tasks[0].dependsOn).toEqual(['a']);
  });

  it('skips documents that are not Weft resources with an info diagnostic', () => {
    const r = loadText('apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: x }\n', 'argo.yaml');
    expect(r.resources).toEqual([]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'WF_LOAD_NOT_A_RESOURCE', severity: 'info', line: 1 })]);
  });

  it('reports an unknown kind in a Weft group as an error at the kind', () => {
    const r = loadText('apiVersion: workflow.io/v1\nkind: Workflo\nmetadata: { name: x }\n', 'k.yaml');
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'WF_LOAD_UNKNOWN_KIND', severity: 'error', line: 2, column: 7 })]);
  });

  it('reports a resource without a name', () => {
    const r = loadText('apiVersion: workflow.io/v1\nkind: Workflow\nmetadata:\n  namespace: x\nspec: {}\n', 'n.yaml');
    expect(r.diagnostics[0]).toMatchObject({ code: 'WF_SCHEMA_REQUIRED', line: 4 });
  });

  it('warns about a document that is a list or a scalar', () => {
    const r = loadText('- a\n- b\n', 'l.yaml');
    expect(r.diagnostics[0]).toMatchObject({ code: 'WF_LOAD_NOT_A_RESOURCE', severity: 'warning' });
  });
});

describe('input schemas', () => {
  it('tells a JSON Schema from a flat map', () => {
    expect(isJsonSchema({ type: 'object' })).toBe(true);
    expect(isJsonSchema({ properties: { a: { type: 'string' } } })).toBe(true);
    expect(isJsonSchema({})).toBe(true);
    expect(isJsonSchema({ a: { type: 'string' } })).toBe(false);
    expect(isJsonSchema({ properties: { type: 'string' } })).toBe(false);
  });

  it('keeps a JSON Schema unchanged and gives an empty one an object type', () => {
    const s = { type: 'object', properties: { a: {} } };
    expect(inputToJsonSchema(s)).toBe(s);
    expect(inputToJsonSchema({})).toEqual({ type: 'object', properties: {} });
  });
});

describe('DefinitionRegistry', () => {
  it('finds tasks by name in a namespace or by ns/name', () => {
    const reg = new DefinitionRegistry(loadText(TASK + '---\n' + TASK.replace('name: get-user', 'name: get-user\n  namespace: billing'), 't.yaml').resources);
    expect(reg.task('get-user')?.metadata.namespace).toBe('default');
    expect(reg.task('billing/get-user')?.metadata.namespace).toBe('billing');
    expect(reg.task('get-user', 'billing')?.metadata.namespace).toBe('billing');
    expect(reg.taskNames('billing')).toEqual(['default/get-user', 'get-user']);
  });

  it('reports a duplicate definition with the place of the first', () => {
    const reg = new DefinitionRegistry([...loadText(TASK, 'a.yaml').resources, ...loadText(TASK, 'b.yaml').resources]);
    expect(reg.diagnostics).toEqual([expect.objectContaining({ code: 'WF_DUPLICATE_RESOURCE', file: 'b.yaml', line: 4 })]);
    expect(reg.diagnostics[0].message).toContain('a.yaml:4:9');
    expect(reg.all()).toHaveLength(1);
  });
});

describe('YAML hints', () => {
  it('suggests --- when a top-level key repeats (two resources without a separator)', () => {
    const r = parseYaml('apiVersion: a\nkind: B\napiVersion: c\n', 'two.yaml');
    expect(r.diagnostics[0]).toMatchObject({ line: 3, column: 1 });
    expect(r.diagnostics[0].hint).toContain('---');
  });

  it('keeps the general hint for a nested duplicate key', () => {
    const r = parseYaml('a:\n  b: 1\n  b: 2\n', 'n.yaml');
    expect(r.diagnostics[0].hint).not.toContain('---');
  });
});

describe('extra kinds and fragments', () => {
  it('loads WorkflowTenant and AlertRule as extras, not as tasks or workflows', () => {
    const r = loadText('apiVersion: workflow.io/v1\nkind: WorkflowTenant\nmetadata: { name: acme }\nspec: { namespace: acme }\n---\napiVersion: workflow.io/v1\nkind: AlertRule\nmetadata: { name: slow }\nspec: { conditions: [], channels: [] }\n', 'x.yaml');
    expect(r.resources).toEqual([]);
    expect(r.extras.map((e) => e.resource.kind)).toEqual(['WorkflowTenant', 'AlertRule']);
    const reg = new DefinitionRegistry(r.resources, r.extras);
    expect([...reg.extras.keys()]).toEqual(['WorkflowTenant/default/acme', 'AlertRule/default/slow']);
    expect(reg.all()).toEqual([]);
  });

  it('names a bare tasks list as a workflow fragment', () => {
    const r = loadText('tasks:\n  - id: a\n    taskRef: t\n', 'frag.yaml');
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'WF_LOAD_FRAGMENT', severity: 'info', line: 1, column: 1 })]);
    expect(r.diagnostics[0].hint).toContain('kind: Workflow');
  });
});

describe('value parsing', () => {
  it('keeps dates as strings and reads merge keys', () => {
    const r = parseYaml('base: &b { x: 1 }\nwhen: 2024-01-15\nitem:\n  <<: *b\n  y: 2\n', 'm.yaml');
    expect(r.documents[0].value).toEqual({ base: { x: 1 }, when: '2024-01-15', item: { x: 1, y: 2 } });
  });

  it('locates values in a later document of a file parsed on the fast path', () => {
    const r = parseYaml('a: 1\n---\nb:\n  c: [1, 2]\n', 'f.yaml');
    expect(r.documents[1].locate('/b/c/1')).toEqual({ file: 'f.yaml', line: 4, column: 10 });
  });
});
