import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { Engine } from '../run/engine.js';
import { createApp } from './app.js';
import { BackgroundRuns, type CallbackOptions } from './async.js';
import type { AuthConfig } from './auth.js';
import { Metrics } from './metrics.js';
import { ExecutionRecorder } from '../store/recorder.js';
import { ExecutionStore, openStore, type StoreOptions } from '../store/store.js';
import { compileDiagnostics, DefinitionSource, type RegistryValidator } from './definitions.js';
import { jsonLogger, type Logger } from './log.js';
import { hasErrors, type Diagnostic } from '../model/diagnostic.js';
import type { DefinitionRegistry } from '../load/registry.js';
import { validateRegistry } from '../validate/index.js';

export { createApp, runProblem, type AppOptions } from './app.js';
export { BackgroundRuns, type CallbackOptions } from './async.js';
export { authenticate, loadTokens, parseTokens, SCOPES, type ApiToken, type AuthConfig, type Scope } from './auth.js';
export { Metrics, METRICS_CONTENT_TYPE } from './metrics.js';
export { analyzeTrace, type TraceAnalysis } from './trace-view.js';
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
  const app = createApp({ engine, definitions, log, store, runs, metrics, auth: options.auth });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
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
    if (ownStore) await store?.close();
    await engine.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  await definitions.reload();
  const stopWatching = options.watch === false ? () => {} : await definitions.watch();
  log({ level: 'info', msg: 'weft listening', url, definitions: options.definitions, workflows: engine.workflows().length, tasks: engine.tasks().length });

  /** Stops watching and accepting, lets requests and runs finish (up to `graceMs`), then closes the rest. */
  const closeAll = async (graceMs: number): Promise<void> => {
    stopWatching();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    await Promise.all([closed, runs?.close(graceMs)]);
    clearTimeout(grace);
    if (ownStore) await store?.close();
    await engine.close();
    await demoApi?.close();
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    app,
    engine,
    definitions,
    store,
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
