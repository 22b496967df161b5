import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Hono } from 'hono';
import { Engine } from '../run/engine.js';
import { createApp, nodeListener } from './app.js';
import { BackgroundRuns, type CallbackOptions } from './async.js';
import type { AuthConfig } from './auth.js';
import { Metrics } from './metrics.js';
import { ExecutionRecorder } from '../store/recorder.js';
import { ExecutionStore, openStore, type StoreOptions } from '../store/store.js';
import { DefinitionCache, registryObjects } from '../store/definition-cache.js';
import { compileDiagnostics, DefinitionSource, type RegistryValidator, type ReloadStatus } from './definitions.js';
import { jsonLogger, type Logger } from './log.js';
import { hasErrors, type Diagnostic } from '../model/diagnostic.js';
import type { DefinitionRegistry } from '../load/registry.js';
import { validateRegistry } from '../validate/index.js';

export { createApp, nodeListener, runProblem, type AppOptions } from './app.js';
export { BackgroundRuns, type CallbackOptions } from './async.js';
export { authenticate, loadTokens, parseTokens, SCOPES, type ApiToken, type AuthConfig, type Scope } from './auth.js';
export { Metrics, METRICS_CONTENT_TYPE } from './metrics.js';
export { analyzeTrace, type TraceAnalysis } from './trace-view.js';
export { catalogRoutes, registerCatalogRoutes } from './catalog.js';
export { compileDiagnostics, DefinitionSource, type FileState, type FileStatus, type RegistryValidator, type ReloadStatus } from './definitions.js';
export { jsonLogger, silentLogger, type LogEntry, type Logger } from './log.js';
export { openApiDocument, operationScopes } from './openapi.js';
export { problem, problemFromDiagnostics, problemResponse, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEMO_API_ALIAS = 'http://demo-api';

export interface ServeOptions {
  /** Directories (or files) of definitions, watched for changes. */
  definitions: string[];
  host?: string;
  /** 8080 unless given; 0 for any free port. */
  port?: number;
  /** Origin aliases `FROM=TO`; they win over the demo API alias. */
  origins?: string[];
  /** Also start the demo API and alias `http://demo-api` to it. */
  withDemoApi?: boolean;
  /** Port of the demo API (8090 unless given; 0 for any free port). */
  demoApiPort?: number;
  /** Watch the definition paths and reload on change (default true). */
  watch?: boolean;
  debounceMs?: number;
  /** Checks each candidate registry; defaults to `checkDefinitions`. */
  validate?: RegistryValidator;
  log?: Logger;
  /**
   * Execution history: an open store, or where to open one (`{}` for SQLite in .weft/weft.db,
   * `{ url: 'postgres://…' }`). Absent: no history (`weft serve` turns it on by default).
   */
  history?: ExecutionStore | StoreOptions;
  /** Bearer-token auth. Absent: every route is open (`weft serve` requires --no-auth for that). */
  auth?: AuthConfig;
  callback?: CallbackOptions;
  /**
   * The definition cache (Roadmap Stage 32.1–32.3): an open cache, or false for none. Default:
   * opened on the history's database when `history` is on (SQLite, or the PostgreSQL URL given).
   * What it holds serves at once at start, before the definition paths are read; every
   * accepted load is then delta-synced into it, and `/api/v1/catalog/*` queries it.
   */
  definitionCache?: DefinitionCache | false;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  app: Hono<any>;
  engine: Engine;
  definitions: DefinitionSource;
  /** The execution history, when on. */
  store?: ExecutionStore;
  /** The definition cache, when on. */
  definitionCache?: DefinitionCache;
  /**
   * The first load of the definition paths. Already settled when `startServer` resolves, except
   * when the server started serving from the definition cache: then it loads in the background.
   */
  loaded: Promise<ReloadStatus>;
  metrics: Metrics;
  /** The demo API's base URL when `withDemoApi` was set. */
  demoApiUrl?: string;
  /**
   * Stops watching, stops accepting, waits for running requests and asynchronous runs (up to
   * `graceMs`; the runs still going are then cancelled and recorded), then closes everything.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The validator's rules, then (when they pass) the engine's compile check: what a registry must
 * pass before it serves.
 */
export function checkDefinitions(registry: DefinitionRegistry): Diagnostic[] {
  const found = validateRegistry(registry);
  return hasErrors(found) ? found : [...found, ...compileDiagnostics(registry)];
}

/**
 * Starts `weft serve`: loads the definitions, serves the API, reloads on change.
 * @example
 * const server = await startServer({ definitions: ['fixtures/examples'], port: 0, withDemoApi: true, demoApiPort: 0 });
 * await fetch(`${server.url}/api/v1/workflows`);
 * await server.close();
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? jsonLogger();
  const host = options.host ?? DEFAULT_HOST;
  let demoApi: { url: string; close(): Promise<void> } | undefined;
  const origins: string[] = [];
  if (options.withDemoApi) {
    const { startDemoApi } = await import('../../fixtures/demo-api/server.js');
    // The demo API is a local fixture: it listens on loopback whatever interface the engine uses.
    demoApi = await startDemoApi({ host: '127.0.0.1', port: options.demoApiPort ?? 8090 });
    origins.push(`${DEMO_API_ALIAS}=${demoApi.url}`);
    log({ level: 'info', msg: 'demo API listening', url: demoApi.url });
  }
  origins.push(...(options.origins ?? []));
  const engine = new Engine(undefined, { origins });
  let runs: BackgroundRuns | undefined;
  const metrics = new Metrics({ httpPools: () => engine.http.agent.stats as never, runningExecutions: () => runs?.size ?? 0 });
  let store: ExecutionStore | undefined;
  const ownStore = options.history !== undefined && !(options.history instanceof ExecutionStore);
  try {
    if (options.history) store = ownStore ? await openStore({ ...(options.history as StoreOptions), onCommit: metrics.observeCommit }) : (options.history as ExecutionStore);
  } catch (err) {
    await demoApi?.close();
    await engine.close();
    throw err;
  }
  let cache: DefinitionCache | undefined;
  const ownCache = options.definitionCache === undefined;
  try {
    if (options.definitionCache) cache = options.definitionCache;
    else if (ownCache) cache = await openCacheBeside(options.history, store);
  } catch (err) {
    if (ownStore) await store?.close();
    await demoApi?.close();
    await engine.close();
    throw err;
  }
  // Serve what the cache holds until the definition paths have loaded.
  let fromCache = false;
  if (cache) {
    try {
      const cached = await cache.registry();
      if (cached.workflows.size + cached.tasks.size > 0) {
        engine.load(cached);
        fromCache = true;
        log({ level: 'info', msg: 'serving the definition cache', workflows: cached.workflows.size, tasks: cached.tasks.size });
      }
    } catch (err) {
      log({ level: 'warn', msg: 'reading the definition cache failed; loading the definition paths first', error: (err as Error).message });
    }
  }
  if (store) {
    runs = new BackgroundRuns({ engine, recorder: new ExecutionRecorder(store, engine), metrics, log, callback: options.callback });
    log({ level: 'info', msg: 'execution history', database: store.dialect, location: store.location });
  }
  const definitions = new DefinitionSource(options.definitions, {
    validate: options.validate ?? checkDefinitions,
    apply: (registry) => void engine.load(registry),
    log,
    debounceMs: options.debounceMs,
  });
  // Keep the cache equal to what serves after every reload, one sync at a time. A reload that
  // could not list a definition path (an unmounted volume) leaves the cache as it was.
  let syncing: Promise<void> = Promise.resolve();
  let cacheClosed = false;
  const stopSyncing = cache
    ? definitions.onReload((status) => {
        if (status.diagnostics.some((d) => d.code === 'WF_LOAD_PATH' && d.severity === 'error')) return;
        const registry = definitions.registry!;
        syncing = syncing.then(async () => {
          if (cacheClosed) return;
          try {
            const delta = await cache!.deltaSync(registryObjects(registry), { sourceVersion: `reload-${status.generation}` });
            log({ level: 'info', msg: 'definition cache synced', generation: status.generation, ...delta });
          } catch (err) {
            log({ level: 'error', msg: 'syncing the definition cache failed', error: (err as Error).message });
          }
        });
      })
    : () => {};
  const app = createApp({ engine, definitions, log, store, runs, metrics, auth: options.auth, catalog: cache, ready: () => fromCache || definitions.status !== undefined });
  const server = createServer(nodeListener(app));
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await demoApi?.close();
    stopSyncing();
    if (ownCache) await cache?.close();
    if (ownStore) await store?.close();
    await engine.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  const loaded = definitions.reload();
  if (fromCache) {
    loaded.catch((err: Error) => log({ level: 'error', msg: 'loading the definitions failed', error: err.message }));
  } else {
    await loaded;
  }
  let stopWatching: () => void = () => {};
  if (options.watch !== false) {
    // Watching starts once the first load is done (with the cache serving, in the background).
    const watching = (async () => {
      await loaded.catch(() => undefined);
      const stop = await definitions.watch();
      if (closing) stop();
      else stopWatching = stop;
    })();
    if (!fromCache) await watching;
  }
  log({ level: 'info', msg: 'weft listening', url, definitions: options.definitions, workflows: engine.workflows().length, tasks: engine.tasks().length, ...(fromCache ? { from: 'definition cache', loading: true } : {}) });

  /** Stops watching and accepting, lets requests and runs finish (up to `graceMs`), then closes the rest. */
  const closeAll = async (graceMs: number): Promise<void> => {
    stopWatching();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    await Promise.all([closed, runs?.close(graceMs)]);
    clearTimeout(grace);
    stopSyncing();
    await syncing;
    cacheClosed = true;
    if (ownCache) await cache?.close();
    if (ownStore) await store?.close();
    await engine.close();
    await demoApi?.close();
  };

  return {
    url,
    port,
    app,
    engine,
    definitions,
    store,
    definitionCache: cache,
    loaded,
    metrics,
    demoApiUrl: demoApi?.url,
    close(graceMs = 5_000) {
      closing ??= (async () => {
        // Some of what closes (the SQLite writer thread) does not keep the process alive by
        // itself: the timer holds the event loop open until everything has closed.
        const hold = setInterval(() => {}, 1_000);
        try {
          await closeAll(graceMs);
        } finally {
          clearInterval(hold);
        }
      })();
      return closing;
    },
  };
}

/**
 * A definition cache on the history's database: the same SQLite file, or the same PostgreSQL
 * URL. None without history, or for an open PostgreSQL store (its URL is not kept).
 */
async function openCacheBeside(history: ExecutionStore | StoreOptions | undefined, store: ExecutionStore | undefined): Promise<DefinitionCache | undefined> {
  if (!history || !store) return undefined;
  if (history instanceof ExecutionStore) return history.dialect === 'sqlite' ? DefinitionCache.open({ path: history.location }) : undefined;
  return DefinitionCache.open({ url: history.url, path: history.path, env: history.env });
}
