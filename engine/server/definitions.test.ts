import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEntry } from './log.js';
import { compileDiagnostics, DefinitionSource, type ReloadStatus } from './definitions.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-defs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const task = (name: string, path: string) => `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: ${name} }
spec:
  type: http
  http: { method: GET, url: "http://api${path}" }
`;
const workflow = (name: string, taskRef: string, output = '{ ok: true }') => `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ${name} }
spec:
  tasks:
    - { id: one, taskRef: ${taskRef} }
  output: ${output}
`;

const write = (file: string, text: string) => writeFile(join(dir, file), text);
const source = (logs?: LogEntry[]) => new DefinitionSource([dir], { cwd: dir, validate: compileDiagnostics, log: logs ? (e) => logs.push(e) : undefined });
const stateOf = (s: ReloadStatus, file: string) => s.files.find((f) => f.file === file)?.state;

describe('DefinitionSource.reload', () => {
  it('loads every file of the directories and reports them loaded', async () => {
    await write('tasks.yaml', task('ping', '/ping'));
    await write('flow.yaml', workflow('flow', 'ping'));
    const s = source();
    const status = await s.reload();
    expect(status).toMatchObject({ generation: 1, ok: true, workflows: 1, tasks: 1, diagnostics: [] });
    expect(status.files.map((f) => [f.file, f.state])).toEqual([
      ['flow.yaml', 'loaded'],
      ['tasks.yaml', 'loaded'],
    ]);
    expect(s.registry!.workflow('flow')).toBeDefined();
  });

  it('keeps serving the previous resources of a file that stops parsing, and reports where', async () => {
    await write('tasks.yaml', task('ping', '/ping'));
    await write('flow.yaml', workflow('flow', 'ping', '{ version: 1 }'));
    const s = source();
    await s.reload();
    await write('flow.yaml', 'apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: flow\nspec: [');
    const status = await s.reload();
    expect(status.ok).toBe(false);
    expect(stateOf(status, 'flow.yaml')).toBe('kept-previous');
    expect(s.registry!.workflow('flow')!.spec.output).toEqual({ version: 1 });
    const err = status.diagnostics.find((d) => d.severity === 'error')!;
    expect(err).toMatchObject({ file: 'flow.yaml', line: expect.any(Number), column: expect.any(Number) });
  });

  it('keeps serving the previous resources of a file that stops validating', async () => {
    await write('tasks.yaml', task('ping', '/ping'));
    await write('flow.yaml', workflow('flow', 'ping', '{ version: 1 }'));
    const s = source();
    await s.reload();
    await write('flow.yaml', workflow('flow', 'pong', '{ version: 2 }'));
    const status = await s.reload();
    expect(stateOf(status, 'flow.yaml')).toBe('kept-previous');
    expect(stateOf(status, 'tasks.yaml')).toBe('loaded');
    expect(s.registry!.workflow('flow')!.spec.output).toEqual({ version: 1 });
    expect(status.diagnostics).toEqual([expect.objectContaining({ code: 'WF_UNKNOWN_TASK', file: 'flow.yaml', line: 6 })]);
  });

  it('serves the new version once the file is fixed', async () => {
    await write('tasks.yaml', task('ping', '/ping'));
    await write('flow.yaml', workflow('flow', 'ping', '{ version: 1 }'));
    const s = source();
    await s.reload();
    await write('flow.yaml', 'kind: [');
    await s.reload();
    await write('flow.yaml', workflow('flow', 'ping', '{ version: 3 }'));
    const status = await s.reload();
    expect(status).toMatchObject({ generation: 3, ok: true });
    expect(s.registry!.workflow('flow')!.spec.output).toEqual({ version: 3 });
  });

  it('keeps the previous definitions of a file that became empty (caught mid-write)', async () => {
    await write('tasks.yaml', task('ping', '/ping'));
    const s = source();
    await s.reload();
    await write('tasks.yaml', '');
    const status = await s.reload();
    expect(stateOf(status, 'tasks.yaml')).toBe('kept-previous');
    expect(status.diagnostics).toEqual([expect.objectContaining({ code: 'WF_LOAD_EMPTY_FILE', severity: 'warning', file: 'tasks.yaml' })]);
    expect(s.registry!.task('ping')).toBeDefined();
  });

  it('rejects a file that has never been valid without dropping the others', async () => {
    await write('tasks.yaml', task('ping', '/ping'));
    await write('broken.yaml', workflow('broken', 'nothing-like-it'));
    const status = await source().reload();
    expect(stateOf(status, 'broken.yaml')).toBe('rejected');
    expect(stateOf(status, 'tasks.yaml')).toBe('loaded');
    expect(status).toMatchObject({ ok: false, workflows: 0, tasks: 1 });
  });

  it('keeps the first definition when another file defines the same resource', async () => {
    await write('a.yaml', task('ping', '/first'));
    const s = source();
    await s.reload();
    await write('b.yaml', task('ping', '/second'));
    const status = await s.reload();
    expect(stateOf(status, 'b.yaml')).toBe('rejected');
    expect(s.registry!.task('ping')!.spec.http!.url).toBe('http://api/first');
    expect(status.diagnostics.map((d) => d.code)).toEqual(['WF_DUPLICATE_RESOURCE']);
  });

  it('drops the resources of a deleted file and reports it removed', async () => {
    await write('a.yaml', task('ping', '/ping'));
    await write('b.yaml', task('pong', '/pong'));
    const s = source();
    await s.reload();
    await unlink(join(dir, 'b.yaml'));
    const status = await s.reload();
    expect(stateOf(status, 'b.yaml')).toBe('removed');
    expect(s.registry!.task('pong')).toBeUndefined();
  });

  it('keeps serving the files of a definitions directory that vanished', async () => {
    await mkdir(join(dir, 'team'));
    await writeFile(join(dir, 'team', 'tasks.yaml'), task('ping', '/ping'));
    const s = new DefinitionSource([join(dir, 'team')], { cwd: dir, validate: compileDiagnostics });
    await s.reload();
    await rm(join(dir, 'team'), { recursive: true });
    const status = await s.reload();
    expect(status.ok).toBe(false);
    expect(stateOf(status, join('team', 'tasks.yaml'))).toBe('kept-previous');
    expect(status.diagnostics).toEqual([expect.objectContaining({ code: 'WF_LOAD_PATH', message: expect.stringContaining('does not exist') })]);
    expect(s.registry!.task('ping')).toBeDefined();
  });

  it('reports a definitions path that does not exist', async () => {
    const s = new DefinitionSource([join(dir, 'missing')], { cwd: dir });
    const status = await s.reload();
    expect(status.ok).toBe(false);
    expect(status.diagnostics[0]).toMatchObject({ code: 'WF_LOAD_PATH', message: expect.stringContaining('does not exist') });
  });

  it('logs each diagnostic as file:line:col and a summary of the reload', async () => {
    await write('flow.yaml', workflow('flow', 'missing-task'));
    const logs: LogEntry[] = [];
    await source(logs).reload();
    expect(logs[0]).toMatchObject({ level: 'error', msg: 'definition diagnostic', code: 'WF_UNKNOWN_TASK', diagnostic: expect.stringMatching(/^flow\.yaml:6:\d+ error WF_UNKNOWN_TASK /) });
    expect(logs[1]).toMatchObject({ level: 'warn', msg: 'definitions loaded', generation: 1, workflows: 0, rejected: ['flow.yaml'] });
  });

  it('folds reloads asked for while one runs into one more reload', async () => {
    await write('a.yaml', task('ping', '/ping'));
    const s = source();
    const seen: number[] = [];
    s.onReload((st) => seen.push(st.generation));
    const done = new Promise<void>((resolve) => s.onReload((st) => st.generation === 2 && resolve()));
    void s.reload();
    void s.reload();
    void s.reload();
    await done;
    expect(seen).toEqual([1, 2]);
  });
});

describe('DefinitionSource.watch', () => {
  it('reloads when a file in a nested directory changes', async () => {
    await mkdir(join(dir, 'workflows'));
    await write('tasks.yaml', task('ping', '/ping'));
    await write('workflows/flow.yaml', workflow('flow', 'ping', '{ version: 1 }'));
    const s = new DefinitionSource([dir], { cwd: dir, validate: compileDiagnostics, debounceMs: 5 });
    await s.reload();
    const stop = await s.watch();
    try {
      const reloaded = new Promise<ReloadStatus>((resolve) => s.onReload((st) => (s.registry!.workflow('flow')?.spec.output as any)?.version === 2 && resolve(st)));
      // Replaced in one step (temporary file, then rename), as editors and git do.
      await write('workflows/flow.yaml.tmp', workflow('flow', 'ping', '{ version: 2 }'));
      await rename(join(dir, 'workflows/flow.yaml.tmp'), join(dir, 'workflows/flow.yaml'));
      const status = await reloaded;
      expect(status.generation).toBeGreaterThan(1);
      expect(s.registry!.workflow('flow')!.spec.output).toEqual({ version: 2 });
    } finally {
      stop();
    }
  });
});
