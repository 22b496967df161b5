import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type LogEntry, type ReloadStatus, type RunningServer } from '../../engine/server/index.js';
import { startServer as startUpstream, type TestServer } from '../support/http.js';

const EXAMPLES = 'fixtures/examples';

let dir: string;
let server: RunningServer;
let upstream: TestServer;
let onUpstream: ((res: import('node:http').ServerResponse) => void) | undefined;
const logs: LogEntry[] = [];
const logWaiters = new Set<(entry: LogEntry) => void>();
/** Resolves with the first log line (already written or to come) that matches. */
const logged = (match: (entry: LogEntry) => boolean) =>
  new Promise<LogEntry>((resolve) => {
    const found = logs.find(match);
    if (found) return resolve(found);
    const waiter = (e: LogEntry) => {
      if (!match(e)) return;
      logWaiters.delete(waiter);
      resolve(e);
    };
    logWaiters.add(waiter);
  });

const SLOW_DEFINITIONS = `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: slow-call }
spec:
  type: http
  http: { method: GET, url: "http://slow-upstream/wait" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: slow-flow }
spec:
  timeout: 1h
  tasks:
    - { id: wait, taskRef: slow-call }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-serve-'));
  await cp(join(EXAMPLES, 'tasks'), join(dir, 'tasks'), { recursive: true });
  await cp(join(EXAMPLES, 'workflows'), join(dir, 'workflows'), { recursive: true });
  await writeFile(join(dir, 'slow.yaml'), SLOW_DEFINITIONS);
  upstream = await startUpstream((_req, res) => onUpstream?.(res));
  server = await startServer({
    definitions: [dir],
    port: 0,
    withDemoApi: true,
    demoApiPort: 0,
    origins: [`http://slow-upstream=${upstream.url}`],
    debounceMs: 20,
    log: (e) => {
      logs.push(e);
      for (const w of [...logWaiters]) w(e);
    },
  });
});
afterAll(async () => {
  await server?.close(100);
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

const execute = (name: string, input: unknown, init: RequestInit = {}) =>
  fetch(`${server.url}/api/v1/workflows/${name}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }), ...init });

/** Replaces a file in one step (write a temporary file, then rename), as editors and git do. */
const replaceFile = async (file: string, text: string) => {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
};

/** Resolves with the first reload after which `check` holds. */
const reloadWhere = (check: (s: ReloadStatus) => boolean) =>
  new Promise<ReloadStatus>((resolve) => {
    const off = server.definitions.onReload((s) => {
      if (check(s)) {
        off();
        resolve(s);
      }
    });
  });

describe('weft serve over loopback with the demo API', () => {
  it('answers every documented example with its documented output', async () => {
    const files = (await readdir(join(EXAMPLES, 'expected'))).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const expected = JSON.parse(await readFile(join(EXAMPLES, 'expected', f), 'utf8'));
      const res = await execute(expected.workflow, expected.input);
      const body: any = await res.json();
      expect({ file: f, status: res.status, output: body.output }).toEqual({ file: f, status: 200, output: expected.output });
    }
  });

  it('reports ready with the loaded definitions', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', workflows: 8, tasks: 17, reload: { ok: true, errors: 0 } });
  });

  it('echoes X-Request-Id and answers problem+json over a real connection', async () => {
    const res = await fetch(`${server.url}/api/v1/workflows/user-dashbord/execute`, { method: 'POST', body: '{}', headers: { 'x-request-id': 'e2e-1' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-request-id')).toBe('e2e-1');
    expect(await res.json()).toMatchObject({ code: 'WF_UNKNOWN_WORKFLOW', hint: "Did you mean 'user-dashboard'?", requestId: 'e2e-1' });
  });

  it('answers 413 for a streamed body larger than the limit, reading no further', async () => {
    const chunk = new TextEncoder().encode(`{"input": {"pad": "${'x'.repeat(1024 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${server.url}/api/v1/workflows/user-dashboard/execute`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).code).toBe('WF_REQUEST_TOO_LARGE');
  });

  it('answers 502 with the trace when the demo API fails the run', async () => {
    const res = await execute('order-chain', { orderId: 'ord-does-not-exist' });
    expect(res.status).toBe(502);
    const body: any = await res.json();
    expect(body.code).toBe('WF_HTTP_404');
    expect(body.execution.trace.map((s: any) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
  });

  it('aborts the in-flight upstream call when the client disconnects', async () => {
    const client = new AbortController();
    const upstreamClosed = new Promise<void>((resolve) => {
      onUpstream = (res) => {
        res.once('close', () => resolve());
        client.abort();
      };
    });
    await expect(execute('slow-flow', {}, { signal: client.signal })).rejects.toThrow();
    await upstreamClosed;
    const line = await logged((l) => l.msg === 'request' && l.path === '/api/v1/workflows/slow-flow/execute');
    expect(line.status).toBe(502);
    onUpstream = undefined;
  });

  it('keeps serving the old workflow while its file is broken and serves the fixed version after', async () => {
    const file = join(dir, 'workflows', 'order-summary.yaml');
    const original = await readFile(file, 'utf8');

    const broken = reloadWhere((s) => s.files.some((f) => f.file.endsWith('order-summary.yaml') && f.state === 'kept-previous'));
    await replaceFile(file, original.replace('taskRef: summarize-order', 'taskRef: summarize-ordr'));
    const status = await broken;
    expect(status.ok).toBe(false);
    const diag = status.diagnostics.find((d) => d.severity === 'error')!;
    expect(diag).toMatchObject({ code: expect.stringMatching(/^WF_\w*UNKNOWN_TASK$/), file: expect.stringContaining('order-summary.yaml'), line: expect.any(Number), column: expect.any(Number) });
    expect(diag.message + (diag.hint ?? '')).toContain('summarize-order');

    const stillServing = await execute('order-summary', { orderId: 'ord-1-1' });
    expect(stillServing.status).toBe(200);
    expect(((await stillServing.json()) as any).output.lines).toBe(3);

    const shown: any = await (await fetch(`${server.url}/api/v1/definitions/status`)).json();
    expect(shown.files.find((f: any) => f.file.endsWith('order-summary.yaml'))).toMatchObject({ state: 'kept-previous', errors: 1 });
    expect(logs.some((l) => l.msg === 'definition diagnostic' && String(l.diagnostic).includes('order-summary.yaml:'))).toBe(true);

    const fixed = reloadWhere((s) => s.ok);
    await replaceFile(file, original.replace('lines: "{{tasks.summarize.output.lines}}"', 'lineCount: "{{tasks.summarize.output.lines}}"'));
    await fixed;
    const res = await execute('order-summary', { orderId: 'ord-1-1' });
    const out = ((await res.json()) as any).output;
    expect(out.lineCount).toBe(3);
    expect(out.lines).toBeUndefined();
  });
});
