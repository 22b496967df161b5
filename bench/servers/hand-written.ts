/**
 * The hand-written baseline of the four-call workflow (`order-checkout`): node:http plus undici
 * with keep-alive, the same four calls to the demo API (three GETs started together, the POST as
 * soon as the user and the stock are known) and the same JSON shaping of the answer.
 *
 * `node --import ./bin/ts-hooks.mjs bench/servers/hand-written.ts --api http://127.0.0.1:PORT [--port 0]`
 * prints `hand-written listening on URL`; `POST /checkout {userId, sku, quantity}` answers
 * `{orderId, status, total, email, inStock, creditApproved}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';

const { values } = parseArgs({ options: { api: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!values.api) {
  console.error('usage: hand-written.ts --api http://127.0.0.1:PORT [--port 0]');
  process.exit(2);
}
const api = new URL(values.api).origin;
// The same pool settings as the engine's HttpClient.
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, pipelining: 1 });
const ACCEPT = { accept: 'application/json' };

class UpstreamError extends Error {}

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const res = await agent.request({
    origin: api,
    path,
    method,
    headers: body === undefined ? ACCEPT : { ...ACCEPT, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new UpstreamError(`${method} ${path} answered ${res.statusCode}`);
  return JSON.parse(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function checkout(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let input: any;
  try {
    input = await readJson(req);
  } catch (err) {
    return send(res, 400, { message: (err as Error).message });
  }
  const { userId, sku, quantity } = input ?? {};
  if (typeof userId !== 'string' || typeof sku !== 'string' || !Number.isInteger(quantity) || quantity < 1) {
    return send(res, 400, { message: 'userId and sku must be strings and quantity an integer >= 1' });
  }
  try {
    const userP = call('GET', `/users/${encodeURIComponent(userId)}`);
    const stockP = call('GET', `/inventory/${encodeURIComponent(sku)}`);
    const creditP = call('GET', `/credit/${encodeURIComponent(userId)}`);
    creditP.catch(() => undefined); // awaited below; marked handled in case an earlier call fails first
    const [user, stock] = await Promise.all([userP, stockP]);
    const [order, credit] = await Promise.all([call('POST', '/orders', { userId: user.id, items: [{ sku: stock.sku, qty: quantity }] }), creditP]);
    send(res, 200, {
      orderId: order.id,
      status: order.status,
      total: order.total,
      email: user.email,
      inStock: stock.available,
      creditApproved: credit.approved,
    });
  } catch (err) {
    send(res, 502, { message: (err as Error).message });
  }
}

const server = createServer({ noDelay: true }, (req, res) => {
  if (req.method === 'POST' && req.url === '/checkout') return void checkout(req, res);
  send(res, 404, { message: `no route for ${req.method} ${req.url}` });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`hand-written listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void agent.close().then(() => process.exit(0)));
});
