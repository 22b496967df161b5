import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../engine/cli/main.js';
import { runController } from '../../controller/app.js';
import { ManualClock } from '../../controller/clock.js';
import { SyncController } from '../../controller/controller.js';
import { GitSource } from '../../controller/source/git.js';
import { DefinitionsDirectoryTarget } from '../../controller/targets/directory.js';
import { createRepo, taskYaml, tempDir, type TestRepo } from './repo.js';

let repo: TestRepo;
let work: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  repo = await createRepo();
  work = await tempDir('weft-cli-');
});
afterEach(async () => {
  await repo.cleanup();
  await work.cleanup();
});

async function weft(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'weft', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('weft promote', () => {
  it('copies staging to production as a commit on a new branch and returns to the original branch', async () => {
    await repo.commit({
      'workflows/staging/get-user.yaml': taskYaml('get-user', { timeout: '2s' }),
      'workflows/staging/new-task.yaml': taskYaml('new-task'),
      'workflows/production/get-user.yaml': taskYaml('get-user', { timeout: '5s' }),
      'workflows/production/retired.yaml': taskYaml('retired'),
    });
    const r = await weft('promote', '--from', 'staging', '--to', 'production', '--repo', repo.dir);
    expect(r.code).toBe(0);
    const branch = /on branch (\S+)/.exec(r.out)![1];
    expect(branch).toMatch(/^promote\/staging-to-production-[0-9a-f]{8}$/);
    expect(r.out).toContain('added    workflows/production/new-task.yaml');
    expect(r.out).toContain('modified workflows/production/get-user.yaml');
    expect(r.out).toContain('deleted  workflows/production/retired.yaml');
    expect((await repo.git.revparse(['--abbrev-ref', 'HEAD'])).trim()).toBe('main');
    const promoted = await repo.git.show([`${branch}:workflows/production/get-user.yaml`]);
    expect(promoted).toContain('timeout: 2s');
    const files = (await repo.git.raw(['ls-tree', '-r', '--name-only', branch, 'workflows/production'])).trim().split('\n');
    expect(files).toEqual(['workflows/production/get-user.yaml', 'workflows/production/new-task.yaml']);
    expect((await repo.git.log([branch, '-1'])).latest!.message).toMatch(/^promote: staging -> production/);
  });

  it('keeps the per-environment kustomization of an overlay', async () => {
    await repo.commit({
      'overlays/staging/kustomization.yaml': 'resources: [tasks.yaml]\nnamespace: shop-staging\n',
      'overlays/staging/tasks.yaml': taskYaml('get-user', { timeout: '2s' }),
      'overlays/production/kustomization.yaml': 'resources: [tasks.yaml]\nnamespace: shop-prod\n',
      'overlays/production/tasks.yaml': taskYaml('get-user', { timeout: '5s' }),
    });
    const r = await weft('promote', '--from', 'staging', '--to', 'production', '--repo', repo.dir, '--json');
    const result = JSON.parse(r.out);
    expect(result.files).toEqual([{ path: 'overlays/production/tasks.yaml', change: 'modified' }]);
    expect(await repo.git.show([`${result.branch}:overlays/production/kustomization.yaml`])).toContain('shop-prod');
  });

  it('says so when there is nothing to promote', async () => {
    await repo.commit({ 'workflows/staging/a.yaml': taskYaml('a'), 'workflows/production/a.yaml': taskYaml('a') });
    const r = await weft('promote', '--from', 'staging', '--to', 'production', '--repo', repo.dir);
    expect(r.out).toContain('nothing to promote');
    expect((await repo.git.branchLocal()).all).toEqual(['main']);
  });

  it('names the paths it looked for when an environment is missing (exit 2)', async () => {
    await repo.commit({ 'workflows/staging/a.yaml': taskYaml('a') });
    const r = await weft('promote', '--from', 'qa', '--to', 'production', '--repo', repo.dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("WF_PROMOTE_ENV Environment 'qa' not found (looked for workflows/qa, overlays/qa, kustomize/overlays/qa)");
  });
});

describe('weft sync once', () => {
  const application = (repoDir: string, defsDir: string) =>
    ['apiVersion: workflow.io/v1', 'kind: Application', 'metadata:', '  name: shop', 'spec:', '  source:', `    repoURL: ${repoDir}`, '    targetRevision: main', '    path: defs', '  destination:', '    engine:', `      definitionsDir: ${defsDir}`, '  syncPolicy:', '    automated: { prune: true, selfHeal: true }', ''].join('\n');

  it('reports Missing objects without writing, then applies them with --apply', async () => {
    await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user') });
    const defs = join(work.dir, 'definitions');
    await writeFile(join(work.dir, 'app.yaml'), application(repo.dir, defs));
    const cacheDir = join(work.dir, 'git');
    const report = await weft('sync', 'once', '--config', join(work.dir, 'app.yaml'), '--cache-dir', cacheDir);
    expect(report.code).toBe(1);
    expect(report.out).toContain('Missing   WorkflowTask/shop/get-user (skipped: no automated sync policy: reported only)');
    const applied = await weft('sync', 'once', '--config', join(work.dir, 'app.yaml'), '--cache-dir', cacheDir, '--apply');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('Ready        True    Synced');
    expect(await readFile(join(defs, 'shop', 'WorkflowTask-get-user.yaml'), 'utf8')).toContain('name: get-user');
  });

  it('weft sync status prints a running controller\'s conditions and exits 0 when Ready', async () => {
    await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user') });
    const controller = new SyncController({
      application: 'shop',
      source: new GitSource({ repoURL: repo.dir, targetRevision: 'main', path: 'defs' }, { cacheDir: join(work.dir, 'git') }),
      target: new DefinitionsDirectoryTarget(join(work.dir, 'definitions')),
      policy: { automated: { prune: true, selfHeal: true } },
      clock: new ManualClock(),
    });
    const stop = new AbortController();
    let listening!: (url: string) => void;
    const url = new Promise<string>((r) => (listening = r));
    const running = runController(controller, { host: '127.0.0.1', port: 0, signal: stop.signal, onListen: listening });
    try {
      const base = await url;
      await controller.whenIdle();
      const r = await weft('sync', 'status', '--url', base);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Application: shop');
      expect(r.out).toContain('Ready        True    Synced');
      expect(r.out).toMatch(/start\s+synced/);
    } finally {
      stop.abort();
      await running;
    }
  });

  it('weft sync status says how to start the controller when none answers (exit 2)', async () => {
    const r = await weft('sync', 'status', '--url', 'http://127.0.0.1:9');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Cannot reach the controller at http://127.0.0.1:9');
  });

  it('points at the file, line and field of a bad Application (exit 2)', async () => {
    await writeFile(join(work.dir, 'app.yaml'), 'apiVersion: workflow.io/v1\nkind: Application\nmetadata:\n  name: shop\nspec:\n  source: {}\n');
    const r = await weft('sync', 'once', '--config', join(work.dir, 'app.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/app\.yaml:6:\d+ error WF_SYNC_CONFIG spec\.source\.repoURL is required/);
  });
});
