import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { DiagnosticError } from '../model/diagnostic.js';
import { fakeTask, flowEngine, hang } from '../../test/support/flow.js';
import { Engine } from './engine.js';

const echo = (i: unknown) => i;

const wf = (name: string, body: string, namespace?: string) => `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ${name}${namespace ? `, namespace: ${namespace}` : ''} }
spec:
${body}
---
`;

const DEFS =
  fakeTask('echo') +
  fakeTask('wait') +
  wf('hello', '  input: { type: object, properties: { n: { type: integer, default: 3 } } }\n  tasks: [{ id: a, taskRef: echo, input: { n: "{{input.n}}", where: default } }]\n  output: "{{tasks.a.output}}"') +
  `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: echo, namespace: team }
spec:
  type: http
  http: { method: POST, url: "http://fake/team-echo" }
---
` +
  wf('hello', '  tasks: [{ id: a, taskRef: echo, input: { where: team } }]\n  output: "{{tasks.a.output}}"', 'team') +
  wf('build-a', '  tasks: []') +
  wf('build-b', '  tasks: []');

function registry(yaml: string): DefinitionRegistry {
  return new DefinitionRegistry(loadText(yaml, 'api.yaml').resources);
}

async function diagnostics(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DiagnosticError);
    return (err as DiagnosticError).diagnostics;
  }
  throw new Error('expected a DiagnosticError');
}

describe('Engine lookups by name and namespace', () => {
  const { engine } = flowEngine(DEFS, { echo });

  it('finds a workflow by name in the default namespace, by name and namespace, or by ns/name', () => {
    expect(engine.workflow('hello')!.key).toBe('default/hello');
    expect(engine.workflow('hello', 'team')!.key).toBe('team/hello');
    expect(engine.workflow('team/hello', 'other')!.key).toBe('team/hello');
    expect(engine.workflow('hello', 'other')).toBeUndefined();
  });

  it('finds a task the same ways', () => {
    expect(engine.task('echo')!.key).toBe('default/echo');
    expect(engine.task('echo', 'team')!.key).toBe('team/echo');
    expect(engine.task('team/echo')!.key).toBe('team/echo');
    expect(engine.task('wait', 'team')).toBeUndefined();
  });

  it('lists every compiled workflow and task', () => {
    expect(engine.workflows().map((w) => w.key).sort()).toEqual(['default/build-a', 'default/build-b', 'default/hello', 'team/hello']);
    expect(engine.tasks().map((t) => t.key).sort()).toEqual(['default/echo', 'default/wait', 'team/echo']);
  });

  it('resolves a versioned ref in a namespace and refuses an empty name', () => {
    expect(engine.resolveWorkflow('hello', 'team')!.key).toBe('team/hello');
    expect(engine.resolveWorkflow(`hello@${engine.workflow('hello', 'team')!.version.slice(0, 8)}`, 'team')!.key).toBe('team/hello');
    expect(engine.resolveWorkflow('@hello')).toBeUndefined();
  });
});

describe('Engine.execute', () => {
  it('runs the workflow of the namespace asked for', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    expect((await engine.execute('hello', {}, { namespace: 'team' })).output).toEqual({ where: 'team' });
    expect((await engine.execute('hello', {})).output).toEqual({ n: 3, where: 'default' });
  });

  it.each([null, undefined])('runs with the schema defaults when the input is %s', async (input) => {
    const { engine } = flowEngine(DEFS, { echo });
    expect((await engine.execute('hello', input)).output).toEqual({ n: 3, where: 'default' });
  });

  it('does not write defaults into the caller input', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    const input = {};
    await engine.execute('hello', input);
    expect(input).toEqual({});
  });

  it('refuses invalid input with WF_INPUT_INVALID diagnostics pointing into /input', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    const d = await diagnostics(engine.execute('hello', { n: 'three' }));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'WF_INPUT_INVALID', severity: 'error', pointer: '/input/n' });
  });

  it('names the namespace of a workflow that is not loaded and points at the list of workflows', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    expect(await diagnostics(engine.execute('zzzzzz', {}, { namespace: 'team' }))).toEqual([
      { code: 'WF_UNKNOWN_WORKFLOW', severity: 'error', message: "Workflow 'zzzzzz' is not loaded in namespace 'team'", hint: 'List the loaded workflows with GET /api/v1/workflows.', pointer: '/name' },
    ]);
    expect((await diagnostics(engine.execute('zzzzzz', {})))[0].message).toBe("Workflow 'zzzzzz' is not loaded in namespace 'default'");
  });

  it('suggests every near name of the namespace', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    expect((await diagnostics(engine.execute('build-c', {})))[0].hint).toBe("Did you mean 'build-a' or 'build-b'?");
  });

  it('gives each run a fresh UUID unless an id is given', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    const a = await engine.execute('hello', {});
    const b = await engine.execute('hello', {});
    expect(a.executionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(b.executionId).not.toBe(a.executionId);
    expect((await engine.executeCompiled(engine.workflow('hello')!, { n: 1 }, { executionId: 'mine' })).executionId).toBe('mine');
  });

  it('runs a compiled workflow with prepared input and no options', async () => {
    const { engine } = flowEngine(DEFS, { echo });
    const wf = engine.workflow('hello')!;
    const r = await engine.executeCompiled(wf, engine.prepareInput(wf, null));
    expect(r).toMatchObject({ status: 'succeeded', output: { n: 3, where: 'default' } });
  });

  it('times a run out at the timeout the caller gives', async () => {
    const { engine } = flowEngine(DEFS + wf('stuck', '  tasks: [{ id: w, taskRef: wait }]'), { echo, wait: hang });
    const r = await engine.execute('stuck', {}, { timeoutMs: 20 });
    expect(r.status).toBe('timed_out');
    expect(r.error).toMatchObject({ code: 'WF_RUN_TIMEOUT' });
  });

  it('uses the mocked output of a step instead of calling its task', async () => {
    const { engine, calls } = flowEngine(DEFS, { echo });
    const r = await engine.execute('hello', {}, { mocks: new Map([['a', 'mocked']]) });
    expect(r.output).toBe('mocked');
    expect(calls.list).toEqual([]);
  });
});

describe('Engine.load', () => {
  it('swaps in a new registry and returns the definitions that did not compile', () => {
    const engine = new Engine(registry(DEFS));
    expect(engine.compileErrors).toEqual([]);
    const next = registry(fakeTask('echo') + wf('other', '  tasks: [{ id: a, taskRef: echo }]') + wf('broken', '  tasks: [{ id: a, taskRef: missing }]'));
    const errors = engine.load(next);
    expect(errors.map((e) => [e.code, e.resource])).toEqual([['WF_UNKNOWN_TASK', 'Workflow/default/broken']]);
    expect(engine.compileErrors).toBe(errors);
    expect(engine.registry).toBe(next);
    expect(engine.workflow('hello')).toBeUndefined();
    expect(engine.workflow('other')).toBeDefined();
  });

  it('gives a workflow without its own timeout the engine default: 30 s unless configured', () => {
    expect(new Engine(registry(DEFS)).workflow('hello')!.timeoutMs).toBe(30_000);
    expect(new Engine(registry(DEFS), { defaultTimeoutMs: 1234 }).workflow('hello')!.timeoutMs).toBe(1234);
  });

  it('starts empty without a registry', () => {
    const engine = new Engine();
    expect(engine.workflows()).toEqual([]);
    expect(engine.registry.workflows.size).toBe(0);
  });
});
