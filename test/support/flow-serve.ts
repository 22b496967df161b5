import { startDemoApi, type DemoApi } from '../../fixtures/demo-api/server.js';
import { startServer, silentLogger, type RunningServer } from '../../engine/server/index.js';

/** Definitions the control-flow end-to-end tests serve: the roadmap's Stage 19/21 examples and their tasks, and fixtures/flow. */
export const FLOW_DEFINITIONS = ['fixtures/roadmap/runnable', 'fixtures/roadmap/tasks', 'fixtures/flow'];

/** A trace reduced to what control-flow tests assert: id, status, reason, match, error message, children. */
export interface TraceOutline {
  id: string;
  status: string;
  reason?: string;
  matched?: string;
  workflowRef?: string;
  error?: string;
  children?: TraceOutline[];
}

export function outline(t: any): TraceOutline {
  return {
    id: t.id,
    status: t.status,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.matched ? { matched: t.matched } : {}),
    ...(t.workflowRef ? { workflowRef: t.workflowRef } : {}),
    ...(t.error ? { error: t.error.message } : {}),
    ...(t.children ? { children: t.children.map(outline) } : {}),
  };
}

export interface FlowServe {
  server: RunningServer;
  api: DemoApi;
  /** POSTs `{ input }` to `/api/v1/workflows/:name/execute`; returns the HTTP status and the JSON body. */
  execute(name: string, input: unknown): Promise<{ status: number; body: any }>;
  /** Calls the demo API served, by `METHOD /pattern`, since the last `reset()`. */
  calls(): Promise<Record<string, number>>;
  /**
   * A demo API resource as JSON, read from a second demo API with the same seed (the source of
   * truth for expected outputs; its calls do not count in `calls()`).
   */
  demo(path: string): Promise<any>;
  close(): Promise<void>;
}

/**
 * Starts the demo API (port 0) and `weft serve` (startServer, port 0, no watch) on the
 * control-flow definitions, with `http://demo-api` pointing at the demo API.
 */
export async function startFlowServe(definitions: string[] = FLOW_DEFINITIONS): Promise<FlowServe> {
  const api = await startDemoApi({ port: 0 });
  const reference = await startDemoApi({ port: 0 });
  const server = await startServer({ definitions, port: 0, watch: false, origins: [`http://demo-api=${api.url}`], log: silentLogger });
  return {
    server,
    api,
    async execute(name, input) {
      const res = await fetch(`${server.url}/api/v1/workflows/${name}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
      return { status: res.status, body: await res.json() };
    },
    async calls() {
      return ((await (await fetch(`${api.url}/stats`)).json()) as { byRoute: Record<string, number> }).byRoute;
    },
    async demo(path) {
      return (await fetch(`${reference.url}${path}`)).json();
    },
    async close() {
      await server.close(100);
      await api.close();
      await reference.close();
    },
  };
}
