/**
 * An engine process with history on, for the fault and replica tests. Environment:
 * STORE_PATH (SQLite file, STORE_SYNCHRONOUS normal|full) or STORE_URL + STORE_SCHEMA (PostgreSQL). Starts its own loopback
 * upstream, listens on 127.0.0.1 port 0 and prints `{"port":N}` when ready.
 *   POST /execute {input}      runs `checkout` synchronously; answers 200 after the record is durable
 *   GET  /executions           every stored execution id, newest first
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadText } from '../../engine/load/index.js';
import { DefinitionRegistry } from '../../engine/load/registry.js';
import { Engine } from '../../engine/run/engine.js';
import { ExecutionRecorder } from '../../engine/store/recorder.js';
import { openStore } from '../../engine/store/store.js';
import { json, startServer } from '../support/http.js';

export const CHECKOUT_YAML = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec: { type: http, http: { method: GET, url: "http://up/users/{{input.userId}}" } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-cart }
spec: { type: http, http: { method: GET, url: "http://up/carts/{{input.userId}}" } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: price-item }
spec: { type: http, http: { method: GET, url: "http://up/prices/{{input.sku}}" } }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: checkout }
spec:
  input: { type: object, properties: { userId: { type: string } }, required: [userId] }
  tasks:
    - { id: user, taskRef: get-user, input: { userId: "{{input.userId}}" } }
    - { id: cart, taskRef: get-cart, input: { userId: "{{input.userId}}" } }
    - id: prices
      forEach: { items: "{{tasks.cart.output.skus}}", itemVar: sku }
      taskRef: price-item
      input: { sku: "{{forEach.sku}}" }
  output:
    email: "{{tasks.user.output.email}}"
    prices: "{{tasks.prices.forEach.outputs}}"
`;

async function main(): Promise<void> {
  const upstream = await startServer((req, res) => {
    const [, kind, id] = req.url!.split('/');
    if (kind === 'users') return json(res, 200, { id, email: `${id}@example.com` });
    if (kind === 'carts') return json(res, 200, { skus: ['a', 'b', 'c'] });
    if (kind === 'prices') return json(res, 200, { sku: id, cents: id.charCodeAt(0) });
    json(res, 404, { message: 'no route' });
  });
  const loaded = loadText(CHECKOUT_YAML, 'checkout.yaml');
  const engine = new Engine(new DefinitionRegistry(loaded.resources), { origins: [`http://up=${upstream.url}`] });
  const store = process.env.STORE_URL ? await openStore({ url: process.env.STORE_URL, schema: process.env.STORE_SCHEMA }) : await openStore({ path: process.env.STORE_PATH, synchronous: process.env.STORE_SYNCHRONOUS === 'full' ? 'full' : 'normal' });
  const recorder = new ExecutionRecorder(store, engine);

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      try {
        if (req.method === 'POST' && req.url === '/execute') {
          const input = JSON.parse(body).input;
          const result = await engine.execute('checkout', input);
          await recorder.record(result, { input, trigger: 'api' });
          return json(res, 200, { executionId: result.executionId, status: result.status, output: result.output ?? null });
        }
        if (req.method === 'GET' && req.url === '/executions') {
          const ids: string[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 100; page++) {
            const p = await store.listExecutions({ workflow: 'checkout', limit: 1000, cursor });
            ids.push(...p.items.map((e) => e.id));
            if (!(cursor = p.nextCursor)) break;
          }
          return json(res, 200, { ids });
        }
        json(res, 404, { message: 'no route' });
      } catch (err) {
        json(res, 500, { message: (err as Error).message });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.on('SIGTERM', async () => {
    server.close();
    await store.close();
    await engine.close();
    await upstream.close();
    process.exit(0);
  });
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`engine-child: ${(err as Error).message}\n`);
  process.exit(1);
});
