import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { DiagnosticError } from '../model/diagnostic.js';
import { json, startServer, type TestServer } from '../../test/support/http.js';
import { Engine } from './engine.js';

let api: TestServer;
const counters = new Map<string, number>();

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    const url = new URL(req.url!, 'http://x');
    const p = url.pathname;
    if (p.startsWith('/users/')) return json(res, 200, { id: p.split('/')[2], email: `${p.split('/')[2]}@example.com`, tags: ['a', 'b'] });
    if (p === '/echo') return json(res, 200, { method: req.method, query: Object.fromEntries(url.searchParams), body: body ? (req.headers['content-type']?.includes('json') ? JSON.parse(body) : body) : null, contentType: req.headers['content-type'] ?? null });
    if (p === '/flaky') {
      const key = url.searchParams.get('key')!;
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      if (n <= Number(url.searchParams.get('fail'))) return json(res, Number(url.searchParams.get('status') ?? 503), { message: 'try again' }, url.searchParams.get('ra') ? { 'retry-after': url.searchParams.get('ra')! } : {});
      return json(res, 200, { attempts: n });
    }
    if (p === '/status') return json(res, Number(url.searchParams.get('code')), { message: 'nope' });
    if (p === '/slow') return void setTimeout(() => json(res, 200, { slow: true }), Number(url.searchParams.get('ms')));
    if (p === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('plain words');
    }
    if (p === '/bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.from([1, 2, 3]));
    }
    if (p === '/number') return json(res, 200, 42);
    if (p === '/port') return void setTimeout(() => json(res, 200, req.socket.remotePort), 5);
    json(res, 404, { message: 'no route' });
  });
});
afterAll(() => api.close());

const task = (name: string, url: string, extra = '') => `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: ${name} }
spec:
  type: http
  http:
    method: GET
    url: "${url}"
${extra}
---`;

function engineFor(yaml: string, options = {}): Engine {
  const loaded = loadText(yaml, 'test.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return new Engine(new DefinitionRegistry(loaded.resources), { origins: [`http://api=${api.url}`], ...options });
}

const TASKS = [
  task('get-user', 'http://api/users/{{input.id}}'),
  task('echo', 'http://api/echo', '  inputSchema: { type: object }'),
  task('flaky', 'http://api/flaky?key={{input.key}}&fail={{input.fail}}&status={{input.status ?? 503}}&ra={{input.ra ?? \'\'}}', '  retry: { maxAttempts: 3, backoff: 1ms, maxBackoff: 5ms }'),
  task('status', 'http://api/status?code={{input.code}}', '  retry: { maxAttempts: 3, backoff: 1ms }'),
  task('slow', 'http://api/slow?ms={{input.ms}}', '  timeout: 50ms'),
  task('text', 'http://api/text'),
  task('bin', 'http://api/bin'),
  task('number', 'http://api/number'),
  task('port', 'http://api/port'),
].join('\n');

describe('Engine.execute', () => {
  it('runs a diamond and maps outputs with their types', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: diamond }
spec:
  input: { type: object, properties: { id: { type: string, default: "7" } } }
  tasks:
    - { id: a, taskRef: get-user, input: { id: "{{input.id}}" } }
    - { id: b, taskRef: get-user, input: { id: "b{{tasks.a.output.id}}" } }
    - { id: c, taskRef: number, dependsOn: [a] }
    - id: d
      taskRef: echo
      http: null
      input: { x: 1 }
      dependsOn: [b, c]
  output:
    email: "{{tasks.b.output.email}}"
    n: "{{tasks.c.output}}"
    tags: "{{tasks.a.output.tags}}"
`.replace('      http: null\n', ''));
    const r = await engine.execute('diamond', {});
    expect(r.status).toBe('succeeded');
    expect(r.output).toEqual({ email: 'b7@example.com', n: 42, tags: ['a', 'b'] });
    const byId = Object.fromEntries(r.steps.map((s) => [s.id, s]));
    expect(byId.d.startedAt!).toBeGreaterThanOrEqual(Math.max(byId.b.endedAt!, byId.c.endedAt!));
    expect(byId.a.url).toBe(`${api.url}/users/7`);
    expect(byId.a.httpStatus).toBe(200);
    await engine.close();
  });

  it('sends an object body as JSON with types kept and a string body as text', async () => {
    const engine = engineFor(`
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: post-json }
spec:
  type: http
  http: { method: POST, url: "http://api/echo", query: { q: "{{input.q}}", skip: "{{input.none ?? null}}" }, body: { n: "{{input.n}}", ok: "{{input.ok}}", nested: { list: "{{input.list}}" }, s: "n={{input.n}}" } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: post-text }
spec:
  type: http
  http: { method: POST, url: "http://api/echo", body: "hello {{input.name}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: bodies }
spec:
  tasks:
    - { id: j, taskRef: post-json, input: { n: 3, ok: true, list: [1, 2], q: "a b&c" } }
    - { id: t, taskRef: post-text, input: { name: Ada } }
`);
    const r = await engine.execute('bodies', {});
    expect(r.status).toBe('succeeded');
    const out = r.output as any;
    expect(out.j.body).toEqual({ n: 3, ok: true, nested: { list: [1, 2] }, s: 'n=3' });
    expect(out.j.query).toEqual({ q: 'a b&c' });
    expect(out.j.contentType).toBe('application/json');
    expect(out.t.body).toBe('hello Ada');
    expect(out.t.contentType).toMatch(/^text\/plain/);
    await engine.close();
  });

  it('reads text, binary and scalar responses', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: shapes }
spec:
  tasks: [ { id: t, taskRef: text }, { id: b, taskRef: bin }, { id: n, taskRef: number } ]
  output: { t: "{{tasks.t.output}}", size: "{{tasks.b.output.size}}", data: "{{tasks.b.output.data}}", n: "{{tasks.n.output}}" }
`);
    const r = await engine.execute('shapes', {});
    expect(r.output).toEqual({ t: 'plain words', size: 3, data: 'AQID', n: 42 });
    await engine.close();
  });

  it('retries 5xx with backoff and reports every attempt', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: retries }
spec:
  tasks: [ { id: f, taskRef: flaky, input: { key: r1, fail: 2 } } ]
  output: "{{tasks.f.output.attempts}}"
`);
    const r = await engine.execute('retries', {});
    expect(r.status).toBe('succeeded');
    expect(r.output).toBe(3);
    expect(r.steps[0].attempts!.map((a) => a.httpStatus)).toEqual([503, 503, 200]);
    expect(r.steps[0].attempts![1].backoffMs).toBeGreaterThan(0);
    await engine.close();
  });

  it('never retries a 4xx other than 429', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: no-retry }
spec:
  tasks: [ { id: s, taskRef: status, input: { code: 400 } } ]
`);
    const r = await engine.execute('no-retry', {});
    expect(r.status).toBe('failed');
    expect(r.steps[0].attempts).toHaveLength(1);
    expect(r.error).toMatchObject({ step: 's', type: 'http', httpStatus: 400, code: 'WF_HTTP_400' });
    expect(r.error!.message).toContain('nope');
    await engine.close();
  });

  it('retries 429 and honours Retry-After', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ra }
spec:
  tasks: [ { id: f, taskRef: flaky, input: { key: ra1, fail: 1, status: 429, ra: "0.05" } } ]
`);
    const r = await engine.execute('ra', {});
    expect(r.status).toBe('succeeded');
    expect(r.steps[0].attempts![1].backoffMs).toBeGreaterThanOrEqual(50);
    await engine.close();
  });

  it('skips the dependents of a failed step with the reason and lets independent branches finish', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: fail-branch }
spec:
  tasks:
    - { id: bad, taskRef: status, input: { code: 404 } }
    - { id: after, taskRef: number, dependsOn: [bad] }
    - { id: after2, taskRef: number, dependsOn: [after] }
    - { id: other, taskRef: number }
`);
    const r = await engine.execute('fail-branch', {});
    expect(r.status).toBe('failed');
    const byId = Object.fromEntries(r.steps.map((s) => [s.id, s]));
    expect(byId.bad.status).toBe('failed');
    expect(byId.after).toMatchObject({ status: 'skipped', reason: "dependency 'bad' failed" });
    expect(byId.after2.status).toBe('skipped');
    expect(byId.after2.reason).toContain("dependency 'after' was skipped");
    expect(byId.other.status).toBe('succeeded');
    await engine.close();
  });

  it('fails a step whose attempt exceeds the task timeout', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: slow }
spec:
  tasks: [ { id: s, taskRef: slow, input: { ms: 500 } } ]
`);
    const r = await engine.execute('slow', {});
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'timeout', code: 'WF_TASK_TIMEOUT' });
    await engine.close();
  });

  it('times the whole run out at the workflow timeout', async () => {
    const engine = engineFor(`${TASKS.replace('timeout: 50ms', 'timeout: 5s')}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: wf-timeout }
spec:
  timeout: 60ms
  tasks: [ { id: s, taskRef: slow, input: { ms: 2000 } }, { id: t, taskRef: number, dependsOn: [s] } ]
`);
    const r = await engine.execute('wf-timeout', {});
    expect(r.status).toBe('timed_out');
    expect(r.durationMs).toBeLessThan(1000);
    expect(r.steps[1].status).toBe('cancelled');
    await engine.close();
  });

  it('aborts in-flight calls when the caller goes away', async () => {
    const engine = engineFor(`${TASKS.replace('timeout: 50ms', 'timeout: 5s')}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: abort }
spec:
  tasks: [ { id: s, taskRef: slow, input: { ms: 2000 } } ]
`);
    const controller = new AbortController();
    const p = engine.execute('abort', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const r = await p;
    expect(r.status).toBe('cancelled');
    expect(r.durationMs).toBeLessThan(1000);
    await engine.close();
  });

  it('rejects bad input with every error', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: typed }
spec:
  input: { userId: { type: string, required: true }, count: { type: integer, required: true } }
  tasks: [ { id: n, taskRef: number } ]
`);
    try {
      await engine.execute('typed', { count: 'x' });
      expect.unreachable();
    } catch (e) {
      const d = (e as DiagnosticError).diagnostics;
      expect(d.map((x) => x.pointer).sort()).toEqual(['/input/count', '/input/userId']);
    }
    await engine.close();
  });
});

describe('Engine lookups', () => {
  it('suggests the nearest workflow name for a misspelt one', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: user-dashboard }
spec:
  tasks: [ { id: n, taskRef: number } ]
`);
    await expect(engine.execute('user-dashbord', {})).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ code: 'WF_UNKNOWN_WORKFLOW', hint: "Did you mean 'user-dashboard'?" })] });
    await engine.close();
  });

  it('resolves name@version by annotation or content-hash prefix and refuses another version', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: versioned, annotations: { workflow.io/version: v2 } }
spec:
  tasks: [ { id: n, taskRef: number } ]
`);
    const wf = engine.workflow('versioned')!;
    expect(engine.resolveWorkflow('versioned@v2')).toBe(wf);
    expect(engine.resolveWorkflow(`versioned@${wf.version.slice(0, 7)}`)).toBe(wf);
    expect(engine.resolveWorkflow(`default/versioned@${wf.version.slice(0, 12)}`)).toBe(wf);
    expect(engine.resolveWorkflow('versioned@v3')).toBeUndefined();
    expect(engine.resolveWorkflow(`versioned@${wf.version.slice(0, 6)}`)).toBeUndefined();
    await engine.close();
  });
});

describe('Engine options', () => {
  it('passes maxNestingDepth to the compiler', () => {
    const yaml = `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: nested }
spec:
  tasks:
    - id: outer
      forEach: { items: [1], itemVar: a }
      tasks:
        - id: inner
          forEach: { items: [2], itemVar: b }
          taskRef: number
`;
    const loaded = loadText(yaml, 'n.yaml');
    const shallow = new Engine(new DefinitionRegistry(loaded.resources), { maxNestingDepth: 1 });
    expect(shallow.workflow('nested')).toBeUndefined();
    expect(shallow.compileErrors.map((e) => e.code)).toContain('WF_NESTING_TOO_DEEP');
    const deep = new Engine(new DefinitionRegistry(loaded.resources), { maxNestingDepth: 2 });
    expect(deep.workflow('nested')).toBeDefined();
  });
});

describe('Engine.prepareInput', () => {
  const yaml = `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: defaults }
spec:
  input: { type: object, properties: { n: { type: integer, default: 3 } } }
  tasks: [ { id: n, taskRef: number } ]
`;

  it("applies defaults to a copy of the caller's input", () => {
    const engine = engineFor(yaml);
    const input = {};
    expect(engine.prepareInput(engine.workflow('defaults')!, input)).toEqual({ n: 3 });
    expect(input).toEqual({});
  });

  it('applies defaults in place to an input made for this run', () => {
    const engine = engineFor(yaml);
    const input = {};
    expect(engine.prepareInput(engine.workflow('defaults')!, input, true)).toBe(input);
    expect(input).toEqual({ n: 3 });
  });
});

describe('Engine HTTP client', () => {
  const yaml = `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: fan }
spec:
  tasks:
    - { id: each, forEach: { items: [1, 2, 3, 4] }, taskRef: port }
  output: "{{tasks.each.forEach.outputs}}"
`;

  it('opens at most the configured number of connections per origin', async () => {
    const engine = engineFor(yaml, { connections: 1 });
    const r = await engine.execute('fan', {});
    expect(r.status).toBe('succeeded');
    expect(new Set(r.output as number[]).size).toBe(1);
    await engine.close();
  });

  it('calls in parallel over several connections by default', async () => {
    const engine = engineFor(yaml);
    const r = await engine.execute('fan', {});
    expect(new Set(r.output as number[]).size).toBeGreaterThan(1);
    await engine.close();
  });

  it('makes no more calls once closed', async () => {
    const engine = engineFor(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: one }
spec:
  tasks: [ { id: n, taskRef: number } ]
`);
    await engine.close();
    const r = await engine.execute('one', {});
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'network', code: 'WF_NETWORK' });
  });
});
