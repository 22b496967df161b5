import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer } from '../../test/support/http.js';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { Engine } from '../run/engine.js';
import { ExecutionRecorder } from './recorder.js';
import { openStore, type ExecutionStore } from './store.js';

const definitions = (greeting: string) => `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec: { type: http, http: { method: GET, url: "http://up/users/{{input.id}}?api_key={{input.key}}" } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: flaky }
spec:
  type: http
  http: { method: GET, url: "http://up/flaky/{{input.id}}" }
  retry: { maxAttempts: 3, backoff: 1ms, maxBackoff: 2ms }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: profile }
spec:
  tasks:
    - { id: user, taskRef: get-user, input: { id: "{{input.id}}", key: "{{input.apiKey}}" } }
  output: { email: "{{tasks.user.output.email}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: greet }
spec:
  input: { type: object, properties: { id: { type: string }, apiKey: { type: string } } }
  tasks:
    - { id: profile, workflowRef: profile, input: { id: "{{input.id}}", apiKey: "{{input.apiKey}}" } }
    - { id: retry, taskRef: flaky, input: { id: "{{input.id}}" } }
  output: { text: "${greeting} {{tasks.profile.output.email}}" }
`;

let api: TestServer;
let dir: string;
let store: ExecutionStore;
const flakyCalls = new Map<string, number>();

beforeAll(async () => {
  api = await startServer((req, res) => {
    const [, kind, id] = new URL(req.url!, 'http://x').pathname.split('/');
    if (kind === 'users') return json(res, 200, { id, email: `${id}@example.com` });
    const n = (flakyCalls.get(id) ?? 0) + 1;
    flakyCalls.set(id, n);
    return n === 1 ? json(res, 503, { message: 'later' }) : json(res, 200, { attempt: n });
  });
  dir = mkdtempSync(join(tmpdir(), 'weft-recorder-'));
  store = await openStore({ path: join(dir, 'weft.db') });
});
afterAll(async () => {
  await store.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function engineWith(greeting: string): Engine {
  return new Engine(new DefinitionRegistry(loadText(definitions(greeting), 'greet.yaml').resources), { origins: [`http://up=${api.url}`] });
}

describe('ExecutionRecorder', () => {
  it('stores a real run whose trace comes back exactly as the engine returned it', async () => {
    const engine = engineWith('hello');
    const recorder = new ExecutionRecorder(store, engine);
    const input = { id: randomUUID(), apiKey: 'k-secret-1' };
    const result = await engine.execute('greet', input);
    await recorder.record(result, { input, trigger: 'api' });
    expect(result.status).toBe('succeeded');
    const trace = await store.getTrace(result.executionId);
    expect(trace!.steps).toEqual(result.steps);
    const run = await store.getExecution(result.executionId);
    expect(run).toMatchObject({ input: { id: input.id, apiKey: '***' }, output: { text: `hello ${input.id}@example.com` }, version: result.workflow.version });
    expect(run!.steps.map((s) => [s.path, s.attempt])).toEqual([
      ['profile', 0],
      ['profile.user', 1],
      ['retry', 2],
    ]);
    expect(run!.steps[1].url).toContain('api_key=***');
    expect(JSON.stringify(run)).not.toContain('k-secret-1');
    await engine.close();
  });

  it('stores the workflow, child workflow and task versions a run used, once each', async () => {
    const engine = engineWith('hi');
    const recorder = new ExecutionRecorder(store, engine);
    let version = '';
    for (let i = 0; i < 3; i++) {
      const input = { id: randomUUID(), apiKey: 'k' };
      const result = await engine.execute('greet', input);
      await recorder.record(result, { input });
      version = result.workflow.version;
    }
    const greet = await store.listVersions('default', 'greet');
    expect(greet.filter((v) => v.version === version)).toHaveLength(1);
    expect((await store.listVersions('default', 'profile')).map((v) => v.version)).toEqual([engine.workflow('profile')!.version]);
    expect((await store.listVersions('default', 'get-user', 'WorkflowTask')).map((v) => v.version)).toEqual([engine.task('get-user')!.version]);
    expect((await store.listVersions('default', 'flaky', 'WorkflowTask')).map((v) => v.version)).toEqual([engine.task('flaky')!.version]);
    await engine.close();
  });

  it('stores a new version when the engine loads a changed workflow', async () => {
    const engine = engineWith('hey');
    const recorder = new ExecutionRecorder(store, engine);
    const before = await store.listVersions('default', 'greet');
    const first = await engine.execute('greet', { id: randomUUID(), apiKey: 'k' });
    await recorder.record(first, { input: {} });
    engine.load(new DefinitionRegistry(loadText(definitions('howdy'), 'greet.yaml').resources));
    const second = await engine.execute('greet', { id: randomUUID(), apiKey: 'k' });
    await recorder.record(second, { input: {} });
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    const after = await store.listVersions('default', 'greet');
    expect(second.workflow.version).not.toBe(first.workflow.version);
    expect(after.map((v) => v.version)).toEqual(expect.arrayContaining([first.workflow.version, second.workflow.version]));
    expect(after.length - before.length).toBe(2);
    await engine.close();
  });

  it('records an asynchronous run as running, then finished', async () => {
    const engine = engineWith('hello');
    const recorder = new ExecutionRecorder(store, engine);
    const executionId = randomUUID();
    const wf = engine.workflow('greet')!;
    const input = { id: randomUUID(), apiKey: 'k' };
    await recorder.start({ executionId, workflow: { name: wf.name, namespace: wf.namespace, version: wf.version }, input, trigger: 'api-async' });
    expect((await store.getExecution(executionId))!.status).toBe('running');
    await recorder.end(await engine.execute('greet', input, { executionId }));
    expect(await store.getExecution(executionId)).toMatchObject({ status: 'succeeded', trigger: 'api-async', input: { ...input, apiKey: '***' } });
    await engine.close();
  });
});
