import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { compileRegistry } from './compile.js';
import { parseOrigins } from './http.js';

const options = { origins: parseOrigins(['http://api=http://127.0.0.1:1']), defaultTimeoutMs: 30_000 };
const TASK = `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: t }
spec:
  type: http
  inputSchema: { type: object, properties: { id: { type: string } } }
  timeout: 2s
  retry: { maxAttempts: 4, backoff: 50ms }
  http: { method: post, url: "http://api/x/{{input.id}}" }
---
`;

function compile(yaml: string) {
  return compileRegistry(new DefinitionRegistry(loadText(yaml, 'c.yaml').resources), options);
}

describe('compileRegistry', () => {
  it('compiles a task once: origin through the aliases, method, timeout, input schema, version', () => {
    const { tasks, errors } = compile(TASK);
    expect(errors).toEqual([]);
    const t = tasks.get('default/t')!;
    expect(t).toMatchObject({ key: 'default/t', name: 't', namespace: 'default', type: 'http', timeoutMs: 2000 });
    expect(t.http).toMatchObject({ origin: 'http://127.0.0.1:1', method: 'POST', bodyKind: 'none' });
    expect(t.validateInput!({ id: 'a' })).toBe(true);
    expect(t.validateInput!({ id: 1 })).toBe(false);
    expect(t.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('merges the step retry over the task retry and defaults the workflow timeout', () => {
    const { workflows } = compile(`${TASK}apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w }
spec:
  tasks:
    - { id: a, taskRef: t, retry: { maxAttempts: 2 } }
    - { id: b, taskRef: t, dependsOn: [a], timeout: 1s }
`);
    const w = workflows.get('default/w')!;
    expect(w.timeoutMs).toBe(30_000);
    const [a, b] = w.group.steps;
    expect(a.body).toMatchObject({ kind: 'task', retry: { maxAttempts: 2, backoffMs: 50 } });
    expect(b).toMatchObject({ deps: [0], timeoutMs: 1000 });
    expect(a.dependents).toEqual([1]);
    expect(w.group.roots).toEqual([0]);
  });

  it.each([
    ['an unknown task', `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: nope } ] }\n`, 'WF_UNKNOWN_TASK', /task 'nope'/],
    ['a step with nothing to run', `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a } ] }\n`, 'WF_STEP_NO_ACTION', /nothing to run/],
    ['a cycle', `${TASK}apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: t, dependsOn: [b] }, { id: b, taskRef: t, dependsOn: [a] } ] }\n`, 'WF_CYCLE', /a -> b -> a/],
    ['a malformed condition', `${TASK}apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: t, condition: { if: "{{input.x}} ==" } } ] }\n`, 'WF_CONDITION_SYNTAX', /step 'a'/],
    ['an http task without http', `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: h }\nspec: { type: http }\n`, 'WF_TASK_NO_HTTP', /no http block/],
    ['a transform task without an expression', `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: x }\nspec: { type: transform }\n`, 'WF_TASK_NO_TRANSFORM', /transform.expression/],
    ['a template in the host', `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: h }\nspec: { type: http, http: { url: "http://{{input.h}}/x" } }\n`, 'WF_TASK_URL', /scheme or host/],
    ['a template syntax error', `${TASK}apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: t, input: { id: "{{input.id" } } ] }\n`, 'WF_TEMPLATE_SYNTAX', /Unclosed/],
  ])('returns %s as a compile error, not a throw', (_what, yaml, code, message) => {
    const { errors } = compile(yaml);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe(code);
    expect(errors[0].message).toMatch(message);
    expect(errors[0].resource).toMatch(/^(Workflow|WorkflowTask)\/default\//);
  });

  it('compiles a transform task to a JSONata evaluator', async () => {
    const { tasks } = compile(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: sum }\nspec: { type: transform, transform: { expression: "$sum(n)" } }\n`);
    expect(await tasks.get('default/sum')!.transform!.evaluate({ n: [1, 2, 3] })).toBe(6);
  });

  it('lowercases switch matches and keeps their labels', () => {
    const { workflows } = compile(`${TASK}apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w }
spec:
  tasks:
    - id: s
      switch: { value: "{{input.k}}", cases: [ { match: Stripe, taskRef: t }, { match: 2, taskRef: t } ], default: { taskRef: t } }
`);
    const body = workflows.get('default/w')!.group.steps[0].body as any;
    expect(body.cases.map((c: any) => [c.match, c.label])).toEqual([['stripe', 'Stripe'], ['2', '2']]);
    expect(body.fallback.kind).toBe('task');
  });
});
