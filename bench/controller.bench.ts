/**
 * Issue 6: the GitOps controller at 10,000 resources.
 *
 * - `controller.reconcile`: a reconcile of 10,000 unchanged resources (8,000 WorkflowTasks,
 *   2,000 Workflows in 100 files of a real Git repository): fetch, render, validate, list the
 *   live objects from a Kubernetes API server (our in-process one, in its own child process, over
 *   HTTP with pagination), diff and plan; nothing to write. The controller runs in a child process
 *   of its own so its peak RSS is its own. Baseline, interleaved in the same run: listing the
 *   same live objects alone (the least any reconcile must do).
 * - `controller.cache`: an engine restart with 10,000 cached definitions: a fresh process opens
 *   the definition cache (SQLite), builds the registry and compiles it into an `Engine`, and
 *   serves; the time is from process start to serving. Baseline, in the same rounds: a fresh
 *   process listing them from the Kubernetes API (the roadmap's Stage 32.2 comparison), and one
 *   loading them from their YAML files. Then the delta sync after the restart (1% changed).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../controller/model.js';
import { figure, interleave, median, type BenchContext, type BenchModule, type Figure } from './support/figures.js';
import { startChildServer, tsNode, type ChildServer } from './support/processes.js';

const SELF = fileURLToPath(import.meta.url);
const TARGET_MS = 5000;
const TARGET_RSS_MB = 300;
const CONTROLLER_HEAP_MB = 160;
const CONTROLLER_SEMI_SPACE_MB = 4;

/** `count` definitions: 80% tasks, 20% workflows calling four tasks each, over 10 namespaces. */
export function benchDefinitions(count: number, variant = 0): KubeObject[] {
  const tasks = Math.round(count * 0.8);
  const out: KubeObject[] = [];
  for (let i = 0; i < tasks; i++) {
    const changed = variant > 0 && i % 100 === 0;
    out.push({
      apiVersion: 'workflow.io/v1',
      kind: 'WorkflowTask',
      metadata: { name: `task-${i}`, namespace: `team-${i % 10}`, labels: { tier: i % 3 === 0 ? 'gold' : 'std' } },
      spec: { type: 'http', description: `Task ${i}`, timeout: changed ? '7s' : '5s', retry: { maxAttempts: 3, backoff: '200ms' }, http: { method: 'POST', url: `http://demo-api/items/${i}/{{ input.id }}`, headers: { 'x-team': `team-${i % 10}` }, body: { id: '{{ input.id }}', n: i } } },
    });
  }
  for (let w = 0; w < count - tasks; w++) {
    const ns = w % 10;
    // A task of the workflow's own namespace (index ≡ ns mod 10).
    const pick = (k: number) => `task-${(((w * 4 + k) * 10) % (tasks - 10)) + ns}`;
    out.push({
      apiVersion: 'workflow.io/v1',
      kind: 'Workflow',
      metadata: { name: `flow-${w}`, namespace: `team-${ns}` },
      spec: {
        description: `Flow ${w}`,
        input: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        tasks: [
          { id: 'a', taskRef: pick(0), input: { id: '{{ input.id }}' } },
          { id: 'b', taskRef: pick(1), input: { id: '{{ input.id }}' } },
          { id: 'c', taskRef: pick(2), dependsOn: ['a', 'b'], input: { id: '{{ tasks.a.output.id }}' } },
          { id: 'd', taskRef: pick(3), dependsOn: ['c'], input: { id: '{{ tasks.c.output.id }}' } },
        ],
        output: { result: '{{ tasks.d.output }}' },
      },
    });
  }
  return out;
}

/** Writes definitions as 100 YAML files under `dir`. */
async function writeDefinitions(dir: string, objects: readonly KubeObject[]): Promise<void> {
  // Imported here, not at the top: the child processes (restarts) load this module too, and only what they use counts.
  const { stringify } = await import('yaml');
  await mkdir(dir, { recursive: true });
  const perFile = Math.ceil(objects.length / 100);
  for (let f = 0; f * perFile < objects.length; f++) {
    const text = objects.slice(f * perFile, (f + 1) * perFile).map((o) => stringify(o)).join('---\n');
    await writeFile(join(dir, `defs-${String(f).padStart(3, '0')}.yaml`), text);
  }
}

async function call<T>(server: ChildServer, path: string, method = 'POST'): Promise<T> {
  const res = await fetch(server.url + path, { method, signal: AbortSignal.timeout(600_000) });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok || body.error) throw new Error(`${server.label} ${path}: ${body.error ?? res.status}`);
  return body;
}

async function reconcileBench(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.quick ? 1000 : 10_000;
  const work = await mkdtemp(join(tmpdir(), 'weft-bench-controller-'));
  const children: ChildServer[] = [];
  try {
    const repo = join(work, 'repo');
    await writeDefinitions(join(repo, 'workflows'), benchDefinitions(count));
    const { simpleGit } = await import('simple-git');
    const git = simpleGit(repo);
    await git.init(['--initial-branch=main']);
    await git.addConfig('user.name', 'bench').addConfig('user.email', 'bench@weft.invalid').addConfig('commit.gpgsign', 'false');
    await git.add(['-A']);
    await git.commit('definitions');
    const kube = await startChildServer('kube-apiserver', [...tsNode(ctx.root), 'test/support/kube-apiserver.ts'], { cwd: ctx.root });
    children.push(kube);
    // The heap limit the controller Deployment sets (NODE_OPTIONS in kustomize/base/controller.yaml).
    const startController = () => startChildServer('controller', [`--max-old-space-size=${CONTROLLER_HEAP_MB}`, `--max-semi-space-size=${CONTROLLER_SEMI_SPACE_MB}`, ...tsNode(ctx.root), SELF, 'reconcile'], { cwd: ctx.root, env: { WEFT_BENCH_KUBE: kube.url, WEFT_BENCH_REPO: repo, WEFT_BENCH_WORK: work }, timeoutMs: 120_000 });
    const first = await startController();
    ctx.log(`controller.reconcile: initial sync of ${count} resources`);
    const initial = await call<{ ms: number; applied: number; result: string }>(first, '/reconcile');
    await first.close();
    if (initial.applied !== count || initial.result !== 'synced') throw new Error(`initial sync applied ${initial.applied}/${count} (${initial.result})`);
    // A controller started on a synced cluster: its first reconcile renders and validates the revision.
    const controller = await startController();
    children.push(controller);
    const cold = await call<{ ms: number; applied: number; result: string }>(controller, '/reconcile');
    if (cold.applied !== 0) throw new Error(`first reconcile after restart applied ${cold.applied}`);
    const coldRss = await call<{ peakMb: number; idleMb: number }>(controller, '/rss', 'GET');
    ctx.log(`controller.reconcile: RSS ${coldRss.idleMb} MB before the first reconcile, peak ${coldRss.peakMb} MB over it`);
    const rounds = ctx.quick ? 1 : 5;
    const m = await interleave(
      rounds,
      async () => (await call<{ ms: number; items: number }>(controller, '/list')).ms,
      async () => {
        const r = await call<{ ms: number; applied: number; result: string; drift: number }>(controller, '/reconcile');
        if (r.applied !== 0 || r.result !== 'synced') throw new Error(`unchanged reconcile applied ${r.applied} (${r.result}, drift ${r.drift})`);
        return r.ms;
      },
    );
    const rss = await call<{ peakMb: number }>(controller, '/rss', 'GET');
    ctx.note(`controller.reconcile: ${count} resources, ${rounds} interleaved rounds; kube API server in its own process; RSS is the peak of a controller process (--max-old-space-size=${CONTROLLER_HEAP_MB} --max-semi-space-size=${CONTROLLER_SEMI_SPACE_MB}, as deployed) started on the synced cluster, over its first (render, validate) and the measured reconciles`);
    return [
      figure({ name: `controller.reconcile.unchanged.${count}`, value: median(m.subject), unit: 'ms', baseline: { name: 'list live objects only', value: median(m.baseline) }, target: { op: '<=', value: TARGET_MS, of: 'value' } }),
      figure({ name: `controller.reconcile.peak-rss.${count}`, value: rss.peakMb, unit: 'MB', target: { op: '<=', value: TARGET_RSS_MB, of: 'value' } }),
      figure({ name: `controller.reconcile.first-after-restart.${count}`, value: cold.ms, unit: 'ms' }),
      figure({ name: `controller.reconcile.initial-sync.${count}`, value: initial.ms, unit: 'ms' }),
    ];
  } finally {
    for (const c of children.reverse()) await c.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function cacheBench(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.quick ? 1000 : 10_000;
  const work = await mkdtemp(join(tmpdir(), 'weft-bench-cache-'));
  let kube: ChildServer | undefined;
  try {
    const defs = join(work, 'definitions');
    const objects = benchDefinitions(count);
    await writeDefinitions(defs, objects);
    await writeDefinitions(join(work, 'changed'), benchDefinitions(count, 1));
    await writeFile(join(work, 'seed.json'), JSON.stringify(objects));
    kube = await startChildServer('kube-apiserver', [...tsNode(ctx.root), 'test/support/kube-apiserver.ts'], { cwd: ctx.root, env: { WEFT_KUBE_SEED: join(work, 'seed.json') }, timeoutMs: 300_000 });
    const { DefinitionCache } = await import('../engine/store/definition-cache.js');
    const db = join(work, 'weft.db');
    const cache = await DefinitionCache.open({ path: db });
    await cache.deltaSync(objects, { sourceVersion: 'bench' });
    await cache.close();
    const restart = async (mode: 'restart-cache' | 'restart-files' | 'restart-kube') => {
      const child = await startChildServer(mode, [...tsNode(ctx.root), SELF, mode], {
        cwd: ctx.root,
        env: { WEFT_BENCH_DB: db, WEFT_BENCH_DEFS: defs, WEFT_BENCH_CHANGED: join(work, 'changed'), WEFT_BENCH_KUBE: kube!.url },
        timeoutMs: 300_000,
      });
      try {
        const ready = await call<{ readyMs: number; workflows: number; tasks: number }>(child, '/ready', 'GET');
        if (ready.workflows + ready.tasks !== count) throw new Error(`${mode} serves ${ready.workflows + ready.tasks}/${count} definitions`);
        const delta = mode === 'restart-cache' ? await call<{ ms: number; updated: number }>(child, '/delta') : undefined;
        return { ms: ready.readyMs, deltaMs: delta?.ms, updated: delta?.updated };
      } finally {
        await child.close();
      }
    };
    const rounds = ctx.quick ? 1 : 3;
    const m = { cache: [] as Array<Awaited<ReturnType<typeof restart>>>, kube: [] as number[], files: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // The order rotates every round, so drift on the machine hits the three alike.
      const steps = [
        async () => m.kube.push((await restart('restart-kube')).ms),
        async () => m.files.push((await restart('restart-files')).ms),
        async () => {
          m.cache.push(await restart('restart-cache'));
          // Each round starts from the cache as it was: put the unchanged definitions back.
          const reset = await DefinitionCache.open({ path: db });
          await reset.deltaSync(objects);
          await reset.close();
        },
      ];
      for (let i = 0; i < steps.length; i++) await steps[(i + r) % steps.length]();
    }
    const subject = median(m.cache.map((s) => s.ms));
    ctx.note(`controller.cache: ${count} definitions, SQLite; restart time is from process start (node and module loading included) to an Engine compiled and serving, ${rounds} rounds in rotating order; delta sync: ${m.cache[0].updated} changed`);
    return [
      figure({ name: `controller.cache.restart.${count}`, value: subject, unit: 'ms', baseline: { name: 'restart listing the Kubernetes API', value: median(m.kube) }, target: { op: '<=', value: TARGET_MS, of: 'value' } }),
      figure({ name: `controller.cache.restart-vs-files.${count}`, value: subject, unit: 'ms', baseline: { name: 'restart from YAML files', value: median(m.files) } }),
      figure({ name: `controller.cache.delta-sync.${count}`, value: median(m.cache.map((s) => s.deltaMs!)), unit: 'ms' }),
    ];
  } finally {
    await kube?.close();
    await rm(work, { recursive: true, force: true });
  }
}

export default [
  { name: 'controller.reconcile', description: 'reconcile of 10,000 unchanged resources against a Kubernetes API server (ms, peak RSS)', run: reconcileBench },
  { name: 'controller.cache', description: 'engine restart with 10,000 cached definitions, then delta sync', run: cacheBench },
] satisfies BenchModule[];

/** Child processes: `node --import ./bin/ts-hooks.mjs bench/controller.bench.ts reconcile|restart-cache|restart-files|restart-kube`. */
async function child(mode: string): Promise<void> {
  const routes = new Map<string, () => Promise<unknown>>();
  if (mode === 'reconcile') {
    const [{ KubeConfig }, { SyncController }, { GitSource }, { KubernetesTarget }, { ManualClock }] = await Promise.all([
      import('@kubernetes/client-node'),
      import('../controller/controller.js'),
      import('../controller/source/git.js'),
      import('../controller/targets/kubernetes.js'),
      import('../controller/clock.js'),
    ]);
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'b', server: process.env.WEFT_BENCH_KUBE!, skipTLSVerify: true }], users: [{ name: 'b' }], contexts: [{ name: 'b', cluster: 'b', user: 'b' }], currentContext: 'b' });
    const target = new KubernetesTarget({ kubeConfig: kc, controllerNamespace: 'weft-system' });
    const controller = new SyncController({
      application: 'bench',
      source: new GitSource({ repoURL: process.env.WEFT_BENCH_REPO!, targetRevision: 'main', path: 'workflows' }, { cacheDir: join(process.env.WEFT_BENCH_WORK!, 'git') }),
      target,
      policy: { automated: { prune: true, selfHeal: true } },
      clock: new ManualClock(),
      watch: false,
    });
    let peak = 0;
    const idle = process.memoryUsage.rss();
    const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
    const timed = async <T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> => {
      const timer = setInterval(sample, 5);
      const start = performance.now();
      try {
        const value = await fn();
        return { ms: Math.round(performance.now() - start), value };
      } finally {
        clearInterval(timer);
        sample();
      }
    };
    routes.set('POST /reconcile', async () => {
      const { ms, value } = await timed(() => controller.request('poll'));
      return { ms, applied: value.applied, result: value.result, drift: value.drift, diagnostics: value.diagnostics.slice(0, 3) };
    });
    routes.set('POST /list', async () => {
      const { ms, value } = await timed(() => target.list([{ apiVersion: 'workflow.io/v1', kind: 'WorkflowTask' }, { apiVersion: 'workflow.io/v1', kind: 'Workflow' }]));
      return { ms, items: value.length };
    });
    routes.set('POST /rss/reset', async () => ((peak = 0), {}));
    routes.set('GET /rss', async () => ({ peakMb: Math.round(peak / 1e5) / 10, idleMb: Math.round(idle / 1e5) / 10 }));
  } else {
    const { Engine } = await import('../engine/run/index.js');
    let registry;
    if (mode === 'restart-cache') {
      const { DefinitionCache } = await import('../engine/store/definition-cache.js');
      const cache = await DefinitionCache.open({ path: process.env.WEFT_BENCH_DB! });
      registry = await cache.registry();
      routes.set('POST /delta', async () => {
        const { loadPaths } = await import('../engine/load/index.js');
        const loaded = await loadPaths([process.env.WEFT_BENCH_CHANGED!]);
        const start = performance.now();
        const r = await cache.deltaSync(loaded.resources.map((l) => l.raw as unknown as KubeObject));
        return { ms: Math.round(performance.now() - start), ...r };
      });
    } else if (mode === 'restart-kube') {
      const [{ KubeConfig }, { KubernetesTarget }, { DefinitionRegistry, toResource }] = await Promise.all([import('@kubernetes/client-node'), import('../controller/targets/kubernetes.js'), import('../engine/load/index.js')]);
      const kc = new KubeConfig();
      kc.loadFromOptions({ clusters: [{ name: 'b', server: process.env.WEFT_BENCH_KUBE!, skipTLSVerify: true }], users: [{ name: 'b' }], contexts: [{ name: 'b', cluster: 'b', user: 'b' }], currentContext: 'b' });
      const live = await new KubernetesTarget({ kubeConfig: kc }).list([{ apiVersion: 'workflow.io/v1', kind: 'WorkflowTask' }, { apiVersion: 'workflow.io/v1', kind: 'Workflow' }]);
      const loaded = live.flatMap((o, i) => toResource({ file: 'kube', index: i, value: o, locate: () => ({ file: 'kube', line: 1, column: 1 }) }).loaded ?? []);
      registry = new DefinitionRegistry(loaded);
    } else {
      const { loadRegistry } = await import('../engine/load/index.js');
      registry = (await loadRegistry([process.env.WEFT_BENCH_DEFS!])).registry;
    }
    const engine = new Engine(registry);
    if (engine.compileErrors.length) throw new Error(engine.compileErrors.slice(0, 3).map((e) => e.message).join('; '));
    const readyMs = Math.round(performance.now());
    routes.set('GET /ready', async () => ({ readyMs, workflows: registry.workflows.size, tasks: registry.tasks.size }));
  }
  const server = createServer((req, res) => {
    const route = routes.get(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!route) return send(404, { error: `no route ${req.method} ${req.url}` });
    route().then((b) => send(200, b), (err: Error) => send(500, { error: err.message }));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] === SELF && process.argv[2]) await child(process.argv[2]);
