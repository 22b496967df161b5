/**
 * Shared setup of the server's history, async, auth and error tests: a loopback upstream whose
 * `/hang` answers only when the test releases it, definitions that call it, and an app over a
 * SQLite history in a temporary directory.
 */
import type { ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, startServer, type TestServer } from '../../test/support/http.js';
import { loadText } from '../load/index.js';
import { createAjv } from '../model/ajv.js';
import { DefinitionRegistry } from '../load/registry.js';
import { Engine } from '../run/engine.js';
import { ExecutionRecorder } from '../store/recorder.js';
import { openStore, type ExecutionStore } from '../store/store.js';
import { createApp, type AppOptions } from './app.js';
import { BackgroundRuns } from './async.js';
import type { LogEntry } from './log.js';

export const DEFINITIONS = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec:
  type: http
  http: { method: GET, url: "http://api/users/{{input.userId}}" }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: boom }
spec:
  type: http
  http: { method: GET, url: "http://api/boom" }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: hang }
spec:
  type: http
  http: { method: GET, url: "http://api/hang" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: greet }
spec:
  input: { type: object, properties: { userId: { type: string }, password: { type: string } }, required: [userId] }
  tasks:
    - { id: fetch, taskRef: get-user, input: { userId: "{{input.userId}}" } }
  output: { hello: "{{tasks.fetch.output.name}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: pair }
spec:
  tasks:
    - { id: a, taskRef: get-user, input: { userId: "1" } }
    - { id: b, taskRef: get-user, input: { userId: "2" } }
    - { id: c, taskRef: get-user, input: { userId: "{{tasks.a.output.id}}" }, dependsOn: [b] }
  output: { names: ["{{tasks.a.output.name}}", "{{tasks.b.output.name}}"] }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: parent }
spec:
  tasks:
    - { id: sub, workflowRef: greet, input: { userId: "9" } }
  output: { child: "{{tasks.sub.output.hello}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: explode }
spec:
  tasks:
    - { id: blow, taskRef: boom }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: wait }
spec:
  timeout: 1h
  tasks:
    - { id: hold, taskRef: hang }
  output: { done: "{{tasks.hold.output.late}}" }
`;

/** The upstream the definitions call (`http://api`), with the responses `/hang` holds. */
export interface Upstream extends TestServer {
  held: ServerResponse[];
  /** Resolves when the next `/hang` request arrives. */
  nextHang(): Promise<ServerResponse>;
  /** Answers every held request with `{late: true}`. */
  release(): void;
}

export async function startUpstream(): Promise<Upstream> {
  const held: ServerResponse[] = [];
  const waiters: Array<(res: ServerResponse) => void> = [];
  const server = await startServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname.startsWith('/users/')) return json(res, 200, { id: url.pathname.split('/')[2], name: `user-${url.pathname.split('/')[2]}` });
    if (url.pathname === '/boom') return json(res, 500, { message: 'exploded' });
    if (url.pathname === '/hang') {
      const waiter = waiters.shift();
      held.push(res);
      waiter?.(res);
      return;
    }
    json(res, 404, { message: 'no route' });
  });
  return {
    ...server,
    held,
    nextHang: () => new Promise((resolve) => waiters.push(resolve)),
    release: () => {
      for (const res of held.splice(0)) if (!res.destroyed) json(res, 200, { late: true });
    },
  };
}

export function testRegistry(text = DEFINITIONS): DefinitionRegistry {
  const loaded = loadText(text, 'defs.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '));
  return new DefinitionRegistry(loaded.resources);
}

/** An app over a fresh SQLite history; `close()` closes the store and engine and removes the directory. */
export interface HistoryApp {
  app: ReturnType<typeof createApp>;
  engine: Engine;
  store: ExecutionStore;
  runs: BackgroundRuns;
  logs: LogEntry[];
  close(): Promise<void>;
}

export async function historyApp(upstream: TestServer, options: Partial<AppOptions> = {}): Promise<HistoryApp> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-history-'));
  const store = await openStore({ path: join(dir, 'weft.db') });
  const engine = new Engine(testRegistry(), { origins: [`http://api=${upstream.url}`] });
  const logs: LogEntry[] = [];
  const log = (e: LogEntry) => logs.push(e);
  const runs = new BackgroundRuns({ engine, recorder: new ExecutionRecorder(store, engine), log, callback: { backoffMs: 0, timeoutMs: 5_000 } });
  const app = createApp({ engine, store, runs, log, ...options });
  return {
    app,
    engine,
    store,
    runs,
    logs,
    close: async () => {
      await runs.close(0);
      await store.close();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to the app. */
export function post(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }));
}

/** Validates a body against a schema of the document (its `$ref`s resolved against the components). */
export function documentedValidator(document: Record<string, any>) {
  const ajv = createAjv();
  ajv.addSchema(JSON.parse(JSON.stringify({ $id: 'weft-api', components: document.components }).replaceAll('"#/components/', '"weft-api#/components/')));
  return (schema: object, body: unknown): string[] => {
    const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"weft-api#/components/')));
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
