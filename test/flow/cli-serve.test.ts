/**
 * The control-flow definitions served by the real `weft serve` command (`node bin/weft.mjs serve`
 * in a child process) against the demo API: one run per construct, to prove the CLI serves what
 * the in-process tests of this directory exercise through startServer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../fixtures/demo-api/server.js';
import { FLOW_DEFINITIONS, outline } from '../support/flow-serve.js';

let api: DemoApi;
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  api = await startDemoApi({ port: 0 });
  const args = ['bin/weft.mjs', 'serve', '--no-auth', '--no-history', '--host', '127.0.0.1', '--port', '0', '--origin', `http://demo-api=${api.url}`, ...FLOW_DEFINITIONS.flatMap((d) => ['--definitions', d])];
  child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /"msg":"weft listening"[^\n]*"url":"(http:\/\/127\.0\.0\.1:\d+)"|weft listening[^\n]*?(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1] ?? m[2]);
    });
    child.once('exit', (code) => reject(new Error(`weft serve exited (${code}) before listening:\n${out}\n${err}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await api?.close();
});

const execute = async (name: string, input: unknown) => {
  const res = await fetch(`${url}/api/v1/workflows/${name}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
  return { status: res.status, body: (await res.json()) as any };
};

describe('weft serve (the CLI) runs the control-flow workflows', () => {
  it('skips the unapproved branch of the roadmap if/else example', async () => {
    const { status, body } = await execute('roadmap-if-else', { customerId: '7' });
    expect(status).toBe(200);
    expect(body.output).toEqual({ customerId: '7', approved: false });
    expect(body.trace[1]).toMatchObject({ id: 'process-payment', status: 'skipped', reason: "condition '{{tasks.check-credit.output.approved}} == true' was false" });
  });

  it('routes each item through a switch inside a forEach', async () => {
    const { body } = await execute('flow-switch-in-foreach', { methods: ['invoice', 'Stripe'] });
    expect(body.output).toMatchObject({ charged: 2, failed: 0 });
    expect(body.trace[0].children.map((t: any) => t.matched)).toEqual(['invoice', 'stripe']);
  });

  it('runs nested loops with the outer item visible inside', async () => {
    const { body } = await execute('flow-nested-foreach', {});
    expect(body.output.departments).toBe(3);
    expect(body.output.onboarded[2]).toEqual({ 'each-employee': { results: [{ employeeId: 'e-6', deptId: 'd-3', onboarded: true }, { employeeId: 'e-7', deptId: 'd-3', onboarded: true }] } });
  });

  it('composes sub-workflows by version and namespace and nests their traces', async () => {
    const { body } = await execute('flow-compose', { orderId: 'ord-1-1' });
    expect(body.status).toBe('succeeded');
    expect(body.output.pinned).toBe('1');
    expect(outline(body.trace[2])).toEqual({ id: 'invoice', status: 'succeeded', workflowRef: 'billing/invoice-workflow', children: [{ id: 'invoice', status: 'succeeded' }] });
  });

  it('stops a run-time sub-workflow cycle with the chain in the problem', async () => {
    const { status, body } = await execute('flow-dynamic-relay', { next: 'flow-dynamic-relay' });
    expect(status).toBe(502);
    expect(body.detail).toContain('Sub-workflow cycle: default/flow-dynamic-relay -> default/flow-dynamic -> default/flow-dynamic-relay');
  });
});
