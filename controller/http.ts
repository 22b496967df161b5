import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { DefinitionCache } from '../engine/store/definition-cache.js';
import { catalogRoutes } from '../engine/server/catalog.js';
import type { SyncController } from './controller.js';

export interface SyncAppOptions {
  /** Shared secret of the Git host's webhook (GitHub: `X-Hub-Signature-256`); unset accepts any call. */
  webhookSecret?: string;
  /** Serve the definition query API (`/api/v1/catalog/*`) over this cache. */
  cache?: DefinitionCache;
}

/**
 * The controller's HTTP API: `POST /api/v1/sync/webhook` (sync at once, 202), `POST /api/v1/sync`
 * (a manual sync, `?prune=true` to prune; answers the reconcile record), `GET /api/v1/sync/status`,
 * `GET /metrics` (Prometheus text) and `GET /healthz`.
 * @example serve({ fetch: syncApp(controller, { webhookSecret }).fetch, port: 8081 })
 */
export function syncApp(controller: SyncController, options: SyncAppOptions = {}): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/api/v1/sync/status', (c) => c.json(controller.status()));
  app.get('/metrics', (c) => c.body(controller.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  app.post('/api/v1/sync/webhook', async (c) => {
    const body = await c.req.text();
    if (options.webhookSecret) {
      const given = c.req.header('x-hub-signature-256') ?? '';
      const expected = `sha256=${createHmac('sha256', options.webhookSecret).update(body).digest('hex')}`;
      const ok = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!ok) return problem(c.req.url, 401, 'WF_SYNC_WEBHOOK_SIGNATURE', 'The webhook signature does not match', 'Set the same secret on the Git host webhook and in the controller (WEFT_SYNC_WEBHOOK_SECRET).');
    }
    if (c.req.header('x-github-event') === 'ping') return c.json({ accepted: false, reason: 'ping' });
    void controller.webhook();
    return c.json({ accepted: true }, 202);
  });
  app.post('/api/v1/sync', async (c) => {
    const record = await controller.request('manual', { prune: c.req.query('prune') === 'true' });
    return c.json(record, record.result === 'failed' || record.result === 'refused' ? 409 : 200);
  });
  if (options.cache) app.route('/', catalogRoutes(options.cache));
  app.notFound((c) => problem(c.req.url, 404, 'WF_NOT_FOUND', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`, 'See controller/README.md for the routes.'));
  return app;
}

function problem(instance: string, status: number, code: string, detail: string, hint: string): Response {
  return new Response(JSON.stringify({ type: `https://weft.dev/problems/${code}`, title: detail, status, code, detail, hint, instance: new URL(instance).pathname }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}
