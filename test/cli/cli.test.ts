import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../fixtures/demo-api/server.js';
import { startWeft, weft } from './weft.js';

let api: DemoApi;
let dir: string;
beforeAll(async () => {
  api = await startDemoApi({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

const expected = async (name: string) => JSON.parse(await readFile(`fixtures/examples/expected/${name}.json`, 'utf8'));

const BROKEN = `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: broken }
spec:
  tasks:
    - id: a
      taskRef: get-usr
`;

/** A valid workflow with a roadmap field the engine does not act on yet: a warning, not an error. */
const NIGHTLY = `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: nightly }
spec:
  triggers:
    - { type: cron, schedule: "0 * * * *" }
  tasks:
    - { id: a, taskRef: get-user, input: { userId: "7" } }
`;

describe('weft (no command)', () => {
  it('prints help and exits 0 with --help', async () => {
    const r = await weft(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['validate', 'plan', 'run', 'serve', 'demo-api']) expect(r.stdout).toContain(c);
  });

  it('exits 2 for an unknown command, naming the closest one', async () => {
    const r = await weft(['valdate', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'valdate'");
    expect(r.stderr).toContain('validate');
  });
});

describe('weft validate', () => {
  it('exits 0 with a summary for the example definitions', async () => {
    const r = await weft(['validate', 'fixtures/examples']);
    expect(r).toMatchObject({ code: 0, stdout: '0 errors, 0 warnings in 14 files\n' });
  });

  it('exits 1 and prints file:line:col severity code message with the hint', async () => {
    await writeFile(join(dir, 'broken.yaml'), BROKEN);
    const r = await weft(['validate', join(dir, 'broken.yaml'), 'fixtures/examples/tasks']);
    expect(r.code).toBe(1);
    const line = r.stdout.split('\n').find((l) => /WF_\w*UNKNOWN_TASK/.test(l))!;
    expect(line).toMatch(/broken\.yaml:7:16 error WF_\w*UNKNOWN_TASK .*get-usr/);
    expect(r.stdout).toContain("'get-user'");
    expect(r.stdout.split('\n')[r.stdout.split('\n').indexOf(line) + 1]).toMatch(/^ {2}hint: \S/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 error, 0 warnings in 8 files$/);
  });

  it('exits 0 when there are warnings but no errors', async () => {
    await writeFile(join(dir, 'nightly.yaml'), NIGHTLY);
    const r = await weft(['validate', join(dir, 'nightly.yaml'), 'fixtures/examples/tasks']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nightly\.yaml:5:3 warning \w+ .*triggers/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 errors, 1 warning in 8 files');
  });

  it('writes GitHub workflow commands with --format github', async () => {
    await writeFile(join(dir, 'broken.yaml'), BROKEN);
    const r = await weft(['validate', '--format', 'github', join(dir, 'broken.yaml'), 'fixtures/examples/tasks']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=.*broken\.yaml,line=7,col=16,title=WF_\w*UNKNOWN_TASK::/m);
  });

  it('writes diagnostics and a summary as JSON with --format json', async () => {
    const r = await weft(['validate', '-f', 'json', 'fixtures/roadmap/07-stage20-triggers.yaml']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({ errors: 1, warnings: 1, infos: 0, files: 1 });
    expect(out.diagnostics.map((d: any) => d.code)).toEqual(['WF_NOT_SUPPORTED_YET', 'WF_SCHEMA_TYPE']);
  });

  it('exits 2 for a format it does not know', async () => {
    const r = await weft(['validate', '--format', 'xml', 'fixtures/examples']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'xml' is invalid. Allowed choices are text, json, github");
  });

  it('exits 2 for an unknown flag and for a path that does not exist', async () => {
    const flag = await weft(['validate', '--strict', 'fixtures/examples']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--strict'");
    const path = await weft(['validate', 'fixtures/nope']);
    expect(path).toMatchObject({ code: 2, stderr: "weft: Path 'fixtures/nope' does not exist\n" });
  });
});

describe('weft plan', () => {
  it('prints parallel groups, edges, critical path and URL previews for a workflow name', async () => {
    const r = await weft(['plan', 'order-checkout', '--input', '{"userId":"42","sku":"SKU-003","quantity":2}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  1. fetch-user, check-stock, check-credit\n  2. place-order\n');
    expect(r.stdout).toContain('  fetch-user -> place-order  (template)\n');
    expect(r.stdout).toContain('Critical path: fetch-user -> place-order (2 steps)');
    expect(r.stdout).toContain('GET http://demo-api/inventory/SKU-003');
  });

  it('prints the plan as JSON for a workflow file', async () => {
    const r = await weft(['plan', 'fixtures/examples/workflows/customer-risk.yaml', '-d', 'fixtures/examples', '-f', 'json', '-i', '{"userId":"24"}']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.workflow.name).toBe('customer-risk');
    expect(plan.criticalPath).toEqual(['fetch-user', 'fetch-orders', 'assess']);
  });

  it('exits 1 and shows the input errors when the input does not fit the schema', async () => {
    const r = await weft(['plan', 'user-dashboard', '--input', '{"userId": 7}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('/input/userId error WF_INPUT_INVALID input.userId must be string');
  });

  it('exits 2 naming the closest workflow when the name is unknown', async () => {
    const r = await weft(['plan', 'user-dashbord']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("hint: Did you mean 'user-dashboard'?");
  });
});

describe('weft run', () => {
  const origin = () => `http://demo-api=${api.url}`;

  it('prints the output as JSON on stdout and the per-step timing table on stderr; exit 0', async () => {
    const want = await expected('user-dashboard');
    const r = await weft(['run', 'fixtures/examples/workflows/user-dashboard.yaml', '-d', 'fixtures/examples', '--origin', origin(), '--input', JSON.stringify(want.input)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(want.output);
    const table = r.stderr.split('\n');
    expect(table[0]).toMatch(/^STEP\s+STATUS\s+ATTEMPTS\s+WAIT\s+DURATION\s+HTTP\s+NOTE$/);
    expect(table.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3).concat(l.split(/\s+/)[5]))).toEqual([
      ['fetch-user', 'succeeded', '1', '200'],
      ['fetch-orders', 'succeeded', '1', '200'],
      ['fetch-preferences', 'succeeded', '1', '200'],
    ]);
    expect(r.stderr).toMatch(/user-dashboard succeeded in \d/);
  });

  it('prints the whole execution result as JSON with --format json', async () => {
    const want = await expected('customer-risk');
    const r = await weft(['run', 'fixtures/examples/workflows/customer-risk.yaml', '-d', 'fixtures/examples', '--origin', origin(), '-i', JSON.stringify(want.input), '-f', 'json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'succeeded', workflow: { name: 'customer-risk' }, output: want.output });
    expect(result.trace.map((s: any) => s.id)).toEqual(['fetch-user', 'fetch-orders', 'check-credit', 'assess']);
    expect(r.stderr).toBe('');
  });

  it('takes the origin alias from WEFT_ORIGINS', async () => {
    const want = await expected('order-summary');
    const r = await weft(['run', 'fixtures/examples/workflows/order-summary.yaml', '-d', 'fixtures/examples', '--input', JSON.stringify(want.input)], { env: { WEFT_ORIGINS: origin() } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(want.output);
  });

  it('exits 1 with the failing step, its error and the skipped steps when the run fails', async () => {
    const r = await weft(['run', 'fixtures/examples/workflows/order-chain.yaml', '-d', 'fixtures/examples', '--origin', origin(), '--input', '{"orderId":"ord-none"}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fetch-order\s+failed\s+1\s+\S+\s+\S+\s+404\s+WF_HTTP_404$/m);
    expect(r.stderr).toMatch(/^fetch-customer\s+skipped .*dependency 'fetch-order' failed$/m);
    expect(r.stderr).toMatch(/order-chain failed after .*: step 'fetch-order': .*answered 404.* \[WF_HTTP_404\]/);
  });

  it('uses the JSON of a --mock file as the step output instead of calling', async () => {
    await writeFile(join(dir, 'order.json'), JSON.stringify({ id: 'ord-mock', userId: '12', status: 'mocked', total: 1, currency: 'USD', items: [{ sku: 'SKU-001', qty: 4, price: 2.5 }] }));
    const r = await weft(['run', 'fixtures/examples/workflows/order-summary.yaml', '-d', 'fixtures/examples', '--origin', 'http://demo-api=http://127.0.0.1:9', '--input', '{"orderId":"ord-x"}', '--mock', `fetch-order=${join(dir, 'order.json')}`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ orderId: 'ord-mock', status: 'mocked', lines: 1, units: 4, total: 10 });
  });

  it('exits 2 when --mock names a step the workflow does not have', async () => {
    const r = await weft(['run', 'fixtures/examples/workflows/order-summary.yaml', '-d', 'fixtures/examples', '--mock', 'fetch-ordr=x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("weft: --mock names step 'fetch-ordr', which the workflow does not have\n  hint: Did you mean 'fetch-order'?");
  });

  it('exits 2 when --input is not JSON, saying how to quote it', async () => {
    const r = await weft(['run', 'fixtures/examples/workflows/order-chain.yaml', '--input', '{orderId: 1}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^weft: --input is not valid JSON: .+\n {2}hint: Quote it for the shell/);
  });

  it('exits 2 listing every input error when the input does not fit the schema', async () => {
    const r = await weft(['run', 'fixtures/examples/workflows/typed-order.yaml', '-d', 'fixtures/examples', '--input', '{"userId": 1}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("weft run: --input does not match the input schema of 'typed-order'");
    expect(r.stderr.match(/WF_INPUT_INVALID/g)!.length).toBeGreaterThan(1);
  });

  it('exits 1 with the diagnostics when the workflow file does not validate', async () => {
    await writeFile(join(dir, 'broken.yaml'), BROKEN);
    const r = await weft(['run', join(dir, 'broken.yaml'), '-d', 'fixtures/examples/tasks']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:7:16 error WF_\w*UNKNOWN_TASK/);
  });
});

describe('weft serve and weft demo-api', () => {
  it('serves the examples with the demo API beside them and stops on SIGTERM with exit 0', async () => {
    const server = await startWeft(['serve', '--port', '0', '--with-demo-api', '--demo-api-port', '0', '--no-auth', '--no-history'], /weft listening on (http:\/\/127\.0\.0\.1:\d+)/);
    try {
      const want = await expected('order-chain');
      const res = await fetch(`${server.match[1]}/api/v1/workflows/order-chain/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: want.input }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).output).toEqual(want.output);
    } finally {
      const done = await server.stop();
      expect(done.code).toBe(0);
      expect(done.stdout).toContain('"msg":"request"');
    }
  });

  it('exits 2 when WEFT_PORT is not a port', async () => {
    const r = await weft(['serve'], { env: { WEFT_PORT: 'eighty' } });
    expect(r).toMatchObject({ code: 2, stderr: 'weft: WEFT_PORT is "eighty", not a port (0..65535)\n' });
  });

  it('exits 2 when a definitions directory does not exist', async () => {
    const r = await weft(['serve', '--definitions', 'fixtures/nowhere']);
    expect(r).toMatchObject({ code: 2, stderr: "weft: Definitions directory 'fixtures/nowhere' does not exist\n  hint: Pass --definitions DIR (or set WEFT_DEFINITIONS, or definitions in weft.yaml).\n" });
  });

  it('runs the demo API until SIGTERM', async () => {
    const demo = await startWeft(['demo-api', '--port', '0'], /demo API listening on (http:\/\/127\.0\.0\.1:\d+)/);
    try {
      const user: any = await (await fetch(`${demo.match[1]}/users/7`)).json();
      expect(user.name).toBe('Donald Dijkstra');
    } finally {
      expect((await demo.stop()).code).toBe(0);
    }
  });
});
