import { Hono } from 'hono';
import type { DefinitionCache } from '../store/definition-cache.js';

/**
 * The definition query API (Roadmap Stage 32.3) over a `DefinitionCache`:
 * `GET /api/v1/catalog/workflows?search=&namespace=&label=k=v&limit=&offset=` (and `/tasks`),
 * `GET /api/v1/catalog/stats`, `GET /api/v1/catalog/tasks/unused?namespace=`,
 * `GET /api/v1/catalog/tasks/{namespace}/{name}/workflows` (which workflows use a task) and
 * `GET /api/v1/catalog/workflows/{namespace}/{name}/tasks` (the tasks a workflow uses).
 */
export function catalogRoutes(cache: DefinitionCache): Hono {
  const app = new Hono();
  for (const [path, kind] of [['workflows', 'Workflow'], ['tasks', 'WorkflowTask']] as const) {
    app.get(`/api/v1/catalog/${path}`, async (c) => {
      const labels: Record<string, string> = {};
      for (const l of c.req.queries('label') ?? []) {
        const i = l.indexOf('=');
        if (i <= 0) return c.json({ type: 'https://weft.dev/problems/WF_CATALOG_QUERY', title: 'Bad label filter', status: 400, code: 'WF_CATALOG_QUERY', detail: `label '${l}' is not key=value`, hint: 'Use label=team=payments.' }, 400, { 'content-type': 'application/problem+json' });
        labels[l.slice(0, i)] = l.slice(i + 1);
      }
      const limit = c.req.query('limit');
      const offset = c.req.query('offset');
      const result = await cache.search({
        kind,
        search: c.req.query('search') || undefined,
        namespace: c.req.query('namespace') || undefined,
        labels,
        ...(limit ? { limit: Math.max(1, Number(limit) || 50) } : {}),
        ...(offset ? { offset: Math.max(0, Number(offset) || 0) } : {}),
      });
      return c.json(result);
    });
  }
  app.get('/api/v1/catalog/stats', async (c) => c.json(await cache.counts()));
  app.get('/api/v1/catalog/tasks/unused', async (c) => c.json({ items: await cache.unusedTasks(c.req.query('namespace') || undefined) }));
  app.get('/api/v1/catalog/tasks/:namespace/:name/workflows', async (c) => c.json({ items: await cache.workflowsUsingTask(c.req.param('namespace'), c.req.param('name')) }));
  app.get('/api/v1/catalog/workflows/:namespace/:name/tasks', async (c) => c.json({ items: await cache.tasksUsedBy(c.req.param('namespace'), c.req.param('name')) }));
  return app;
}
