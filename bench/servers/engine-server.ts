/**
 * A minimal node:http front for `Engine.execute`, used by the end-to-end benchmark while
 * `weft serve` (engine/server) is not available: `POST /api/v1/workflows/{name}/execute` with the
 * input as the JSON body answers 200 with `executionResultJson(result)`, 502 when the run failed,
 * 400 for bad input, 404 for an unknown workflow.
 *
 * `node --import tsx bench/servers/engine-server.ts --definitions DIR --origin FROM=TO [--port 0]`
 * prints `engine listening on URL`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadRegistry } from '../../engine/load/index.js';
import { DiagnosticError } from '../../engine/model/diagnostic.js';
import { Engine, executionResultJson } from '../../engine/run/index.js';

const { values } = parseArgs({
  options: {
    definitions: { type: 'string', multiple: true },
    origin: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: '0' },
  },
});
if (!values.definitions?.length) {
  console.error('usage: engine-server.ts --definitions DIR [--origin FROM=TO] [--port 0]');
  process.exit(2);
}
const { registry, diagnostics } = await loadRegistry(values.definitions);
const errors = diagnostics.filter((d) => d.severity === 'error');
if (errors.length) {
  for (const d of errors) console.error(`${d.file ?? ''}:${d.line ?? ''}:${d.column ?? ''} ${d.code} ${d.message}`);
  process.exit(1);
}
const engine = new Engine(registry, { origins: values.origin });

const ROUTE = /^\/api\/v1\/workflows\/([^/]+)\/execute$/;

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function execute(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let input: unknown;
  try {
    const text = await readText(req);
    input = text ? JSON.parse(text) : {};
  } catch {
    return send(res, 400, { code: 'WF_BODY_JSON', message: 'The body is not JSON' });
  }
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    const result = await engine.execute(decodeURIComponent(name), input, { signal: controller.signal });
    send(res, result.status === 'succeeded' ? 200 : 502, executionResultJson(result));
  } catch (err) {
    if (err instanceof DiagnosticError) {
      const unknown = err.diagnostics.some((d) => d.code === 'WF_UNKNOWN_WORKFLOW');
      return send(res, unknown ? 404 : 400, { errors: err.diagnostics });
    }
    send(res, 500, { message: (err as Error).message });
  }
}

const server = createServer({ noDelay: true }, (req, res) => {
  const m = req.method === 'POST' && req.url ? ROUTE.exec(req.url) : null;
  if (m) return void execute(m[1], req, res);
  send(res, 404, { message: `no route for ${req.method} ${req.url}` });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`engine listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void engine.close().then(() => process.exit(0)));
});
