import { Hono } from 'hono';
import type { DefinitionCache } from '../store/definition-cache.js';
import { fail, QueryError, QueryReader, type ApiContext, type Env } from './context.js';
import type { Logger } from './log.js';
import { problem } from './problem.js';

/**
 * The definition query API (Roadmap Stage 32.3) over a `DefinitionCache`:
 * `GET /api/v1/catalog/workflows?search=&namespace=&label=k=v&limit=&offset=` (and `/tasks`),
 * `GET /api/v1/catalog/stats`, `GET /api/v1/catalog/tasks/unused?namespace=`,
 * `GET /api/v1/catalog/tasks/{namespace}/{name}/workflows` (which workflows use a task) and
 * `GET /api/v1/catalog/workflows/{namespace}/{name}/tasks` (the tasks a workflow uses).
 * Without a cache every route answers 503 WF_CATALOG_OFF; query mistakes answer 400 with one
 * entry per parameter (pointer `/query/NAME`).
 */
export function registerCatalogRoutes(app: Hono<Env>, cache: DefinitionCache | undefined, log?: Logger): void {
  const withCache = (handler: (c: ApiContext, cache: DefinitionCache) => Promise<Response>) => async (c: ApiContext) => {
    if (!cache) return fail(c, problem(503, 'WF_CATALOG_OFF', 'The definition cache is turned off on this server', { hint: 'Start weft serve with execution history on and without --no-definition-cache.' }));
    try {
      return await handler(c, cache);
    } catch (err) {
      if (err instanceof QueryError) return fail(c, err.problem);
      log?.({ level: 'error', msg: 'catalog query failed', requestId: c.get('requestId'), error: (err as Error).message });
      return fail(c, problem(503, 'WF_CATALOG_UNAVAILABLE', 'The definition cache did not answer the query', { hint: `Retry in a moment; if it persists, check the database (the server log has the cause under request id ${c.get('requestId')}).` }));
    }
  };

  for (const [path, kind] of [['workflows', 'Workflow'], ['tasks', 'WorkflowTask']] as const) {
    app.get(
      `/api/v1/catalog/${path}`,
      withCache(async (c, cache) => {
        const q = new QueryReader(c, ['search', 'namespace', 'label', 'limit', 'offset']);
        const labels: Record<string, string> = {};
        for (const l of c.req.queries('label') ?? []) {
          const i = l.indexOf('=');
          if (i <= 0) q.add('label', 'WF_QUERY_INVALID', `label '${l}' is not key=value`, 'Use label=team=payments; repeat label to require several.');
          else labels[l.slice(0, i)] = l.slice(i + 1);
        }
        const query = { kind, search: q.string('search'), namespace: q.string('namespace'), labels, limit: q.integer('limit', 1, 1000) ?? 50, offset: q.integer('offset', 0, Number.MAX_SAFE_INTEGER) ?? 0 };
        q.done();
        return c.json(await cache.search(query));
      }),
    );
  }
  app.get(
    '/api/v1/catalog/stats',
    withCache(async (c, cache) => {
      new QueryReader(c, []).done();
      return c.json(await cache.counts());
    }),
  );
  app.get(
    '/api/v1/catalog/tasks/unused',
    withCache(async (c, cache) => {
      const q = new QueryReader(c, ['namespace']);
      const namespace = q.string('namespace');
      q.done();
      return c.json({ items: await cache.unusedTasks(namespace) });
    }),
  );
  app.get(
    '/api/v1/catalog/tasks/:namespace/:name/workflows',
    withCache(async (c, cache) => {
      new QueryReader(c, []).done();
      return c.json({ items: await cache.workflowsUsingTask(c.req.param('namespace')!, c.req.param('name')!) });
    }),
  );
  app.get(
    '/api/v1/catalog/workflows/:namespace/:name/tasks',
    withCache(async (c, cache) => {
      new QueryReader(c, []).done();
      return c.json({ items: await cache.tasksUsedBy(c.req.param('namespace')!, c.req.param('name')!) });
    }),
  );
}

/**
 * The catalog routes as an app of their own (the controller mounts them beside its sync API).
 * @example syncApp.route('/', catalogRoutes(cache))
 */
export function catalogRoutes(cache: DefinitionCache, log?: Logger): Hono<Env> {
  const app = new Hono<Env>();
  registerCatalogRoutes(app, cache, log);
  return app;
}
