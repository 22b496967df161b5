import { describe, expect, it } from 'vitest';
import { resourceVersion } from '../model/canonical.js';
import type { WorkflowResource } from '../model/types.js';
import { matchesVersion, parseWorkflowRef } from './calls.js';
import { validateText, type ValidateOptions } from './index.js';

describe('parseWorkflowRef', () => {
  it.each([
    ['invoice', { name: 'invoice' }],
    ['invoice@v2', { name: 'invoice', version: 'v2' }],
    ['billing/invoice', { namespace: 'billing', name: 'invoice' }],
    ['billing/invoice@3f2a9c1', { namespace: 'billing', name: 'invoice', version: '3f2a9c1' }],
    ['@v2', { name: '@v2' }],
  ])('splits %s', (ref, parts) => {
    expect(parseWorkflowRef(ref)).toEqual(parts);
  });
});

describe('matchesVersion', () => {
  const wf = (annotations?: Record<string, string>) => ({ metadata: { name: 'w', namespace: 'default', annotations } }) as unknown as WorkflowResource;
  const hash = () => 'c6ae38e847a0e5849b169367e7ba481298d8a2c277823441bb6c9ac84a7e84b6';

  it('matches the workflow.io/version annotation exactly', () => {
    expect(matchesVersion(wf({ 'workflow.io/version': 'v2' }), 'v2', hash)).toBe(true);
    expect(matchesVersion(wf({ 'workflow.io/version': 'v2' }), 'V2', hash)).toBe(false);
  });

  it('matches a content-hash prefix of at least 7 characters, as the engine compares it', () => {
    expect(matchesVersion(wf(), 'c6ae38e', hash)).toBe(true);
    expect(matchesVersion(wf(), 'c6ae38', hash)).toBe(false);
    expect(matchesVersion(wf(), 'C6AE38E', hash)).toBe(false);
  });
});

const TASK = 'apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: work }\nspec: { type: http, http: { url: "https://api.example.com/work" } }\n';

/** A Workflow document whose steps call the given refs (step id `call-<n>`), or run a task when none. */
function workflow(name: string, refs: string[], extra: { namespace?: string; version?: string } = {}): string {
  const meta = [`name: ${name}`];
  if (extra.namespace) meta.push(`namespace: ${extra.namespace}`);
  if (extra.version) meta.push(`annotations: { workflow.io/version: ${extra.version} }`);
  const steps = refs.length ? refs.map((r, i) => `    - id: call-${i}\n      workflowRef: ${r}\n`).join('') : '    - id: work\n      taskRef: default/work\n';
  return `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { ${meta.join(', ')} }\nspec:\n  tasks:\n${steps}`;
}

function validate(docs: string[], options: ValidateOptions = {}) {
  return validateText([...docs, TASK].join('---\n'), 'calls.yaml', options);
}

function found(docs: string[], options: ValidateOptions = {}) {
  return validate(docs, options).diagnostics.map((d) => ({ code: d.code, pointer: d.pointer, resource: d.resource, message: d.message }));
}

describe('parseWorkflowRef corner cases', () => {
  it('starts the version at the last @ and the name after the first /', () => {
    expect(parseWorkflowRef('a@b@c')).toEqual({ name: 'a@b', version: 'c' });
    expect(parseWorkflowRef('ns/a/b@v1')).toEqual({ namespace: 'ns', name: 'a/b', version: 'v1' });
    expect(parseWorkflowRef('flow@')).toEqual({ name: 'flow', version: '' });
  });
});

describe('resolveWorkflowRef (through workflowRef steps)', () => {
  it('accepts a name, a version annotation and a content-hash prefix without a finding', () => {
    const probe = validate([workflow('leaf', [])]);
    const hash = resourceVersion(probe.registry.workflow('default/leaf')!);
    expect(found([workflow('caller', ['leaf', `leaf@${hash.slice(0, 7)}`, 'tagged@v3', 'billing/inv@v1']), workflow('leaf', []), workflow('tagged', [], { version: 'v3' }), workflow('inv', [], { namespace: 'billing', version: 'v1' })])).toEqual([]);
  });

  it('reports an unknown workflow without a suggestion when no name is close', () => {
    const [d] = validate([workflow('caller', ['zzzzzzzz'])]).diagnostics;
    expect(d).toMatchObject({
      code: 'WF_UNKNOWN_WORKFLOW',
      pointer: '/spec/tasks/0/workflowRef',
      message: "Step 'call-0' calls workflow 'zzzzzzzz', which does not exist in namespace 'default'",
      hint: 'Fix the name, or add the Workflow to the definitions (name, name@version, ns/name or ns/name@version).',
    });
  });

  it('suggests a workflow of another namespace by its ns/name', () => {
    expect(found([workflow('caller', ['billing/invoce']), workflow('invoice', [], { namespace: 'billing' })])[0].message).toBe(
      "Step 'call-0' calls workflow 'billing/invoce', which does not exist in namespace 'billing'. Did you mean 'billing/invoice'?",
    );
  });

  it('reports a version mismatch with the call to write instead, keeping the namespace the ref gave', () => {
    const [d] = validate([workflow('caller', ['billing/inv@v1']), workflow('inv', [], { namespace: 'billing', version: 'v2' })]).diagnostics;
    expect(d.message).toMatch(/^Step 'call-0' calls 'billing\/inv@v1', but workflow 'billing\/inv' is version 'v2' \(content hash [0-9a-f]{12}\)$/);
    expect(d.hint).toBe("Call 'billing/inv@v2', or drop '@v1' to call the current definition.");
  });

  it('offers the content hash as the version of a workflow without an annotation', () => {
    const r = validate([workflow('caller', ['leaf@v9']), workflow('leaf', [])]);
    const hash = resourceVersion(r.registry.workflow('default/leaf')!).slice(0, 12);
    expect(r.diagnostics.map((d) => [d.message, d.hint])).toEqual([
      [`Step 'call-0' calls 'leaf@v9', but workflow 'default/leaf' is not annotated with a version (content hash ${hash})`, `Call 'leaf@${hash}', or drop '@v9' to call the current definition.`],
    ]);
  });

  it('keeps a call with a wrong version in the call graph', () => {
    const codes = found([workflow('a', ['b@v9']), workflow('b', ['a'], { version: 'v1' })]).map((d) => d.code);
    expect(codes).toEqual(['WF_UNKNOWN_WORKFLOW', 'WF_WORKFLOW_CYCLE', 'WF_WORKFLOW_CYCLE']);
  });
});

describe('checkCallGraph', () => {
  it('reports a two-workflow cycle once at each workflow, at the call that closes it', () => {
    expect(found([workflow('a', ['leaf', 'b', 'b']), workflow('b', ['a']), workflow('leaf', [])])).toEqual([
      { code: 'WF_WORKFLOW_CYCLE', pointer: '/spec/tasks/1/workflowRef', resource: 'Workflow/default/a', message: "Workflow 'a' calls itself through sub-workflows: a -> b -> a (via step 'call-1')" },
      { code: 'WF_WORKFLOW_CYCLE', pointer: '/spec/tasks/0/workflowRef', resource: 'Workflow/default/b', message: "Workflow 'b' calls itself through sub-workflows: b -> a -> b (via step 'call-0')" },
    ]);
  });

  it('names workflows as ns/name when the graph spans namespaces', () => {
    expect(found([workflow('a', ['billing/b']), workflow('b', ['default/a'], { namespace: 'billing' })]).map((d) => d.message)).toEqual([
      "Workflow 'default/a' calls itself through sub-workflows: default/a -> billing/b -> default/a (via step 'call-0')",
      "Workflow 'billing/b' calls itself through sub-workflows: billing/b -> default/a -> billing/b (via step 'call-0')",
    ]);
  });

  it('names workflows without their namespace when they all share one other than default', () => {
    const docs = [workflow('a', ['b'], { namespace: 'ops' }), workflow('b', ['a'], { namespace: 'ops' })];
    expect(found(docs)[0].message).toBe("Workflow 'a' calls itself through sub-workflows: a -> b -> a (via step 'call-0')");
  });

  it('allows a chain of exactly maxCallDepth workflows and reports one more', () => {
    const chain = [workflow('w0', ['w1']), workflow('w1', ['w2']), workflow('w2', [])];
    expect(found(chain, { maxCallDepth: 3 })).toEqual([]);
    expect(found(chain, { maxCallDepth: 2 })).toEqual([
      {
        code: 'WF_CALL_DEPTH',
        pointer: '/spec/tasks/0/workflowRef',
        resource: 'Workflow/default/w0',
        message: "Workflow 'w0' nests 3 workflows deep through step 'call-0', more than the maximum of 2: w0 > w1 > w2",
      },
    ]);
  });

  it('counts the default maximum of 5 workflows', () => {
    const docs = [0, 1, 2, 3, 4, 5].map((i) => workflow(`w${i}`, i < 5 ? [`w${i + 1}`] : []));
    expect(found(docs).map((d) => d.message)).toEqual(["Workflow 'w0' nests 6 workflows deep through step 'call-0', more than the maximum of 5: w0 > w1 > w2 > w3 > w4 > w5"]);
    expect(found(docs.slice(1))).toEqual([]);
  });

  it('measures a chain into a cycle without going round it and leaves the cycle to its own diagnostic', () => {
    const d = found([workflow('x', ['a']), workflow('a', ['b']), workflow('b', ['a'])], { maxCallDepth: 2 });
    expect(d.map((f) => [f.code, f.resource])).toEqual([
      ['WF_CALL_DEPTH', 'Workflow/default/x'],
      ['WF_WORKFLOW_CYCLE', 'Workflow/default/a'],
      ['WF_WORKFLOW_CYCLE', 'Workflow/default/b'],
    ]);
    expect(d[0].message).toBe("Workflow 'x' nests 3 workflows deep through step 'call-0', more than the maximum of 2: x > a > b");
  });

  it('reports the first of equally long chains', () => {
    const d = found([workflow('top', ['a', 'b']), workflow('a', []), workflow('b', [])], { maxCallDepth: 1 });
    expect(d.filter((f) => f.resource === 'Workflow/default/top').map((f) => [f.pointer, f.message])).toEqual([
      ['/spec/tasks/0/workflowRef', "Workflow 'top' nests 2 workflows deep through step 'call-0', more than the maximum of 1: top > a"],
    ]);
  });

  it('follows the longest of several calls', () => {
    const d = found([workflow('top', ['short', 'long']), workflow('short', []), workflow('long', ['mid']), workflow('mid', [])], { maxCallDepth: 2 });
    expect(d.map((f) => [f.resource, f.pointer, f.message])).toEqual([
      ['Workflow/default/top', '/spec/tasks/1/workflowRef', "Workflow 'top' nests 3 workflows deep through step 'call-1', more than the maximum of 2: top > long > mid"],
    ]);
  });
});
