import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../model/diagnostic.js';
import { loadGitTree } from './git.js';
import { diffGitRefs } from './index.js';

const task = (name: string, fields: string[]) => `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: ${name} }
spec:
  type: http
  outputSchema:
    type: object
    properties: { ${fields.map((f) => `${f}: { type: string }`).join(', ')} }
  http: { url: "http://demo-api/${name}" }
`;

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'weft-git-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  write('defs/tasks.yaml', task('a', ['id', 'name']));
  write('defs/ünïcode.yaml', task('b', ['id']));
  write('other/ignored.yaml', task('c', ['id']));
  write('.github/workflows/ci.yml', 'on: push\n');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('tag', 'base');
  write('defs/tasks.yaml', task('a', ['id']));
  write('defs/new.yaml', task('d', ['id']));
  git('add', '.');
  git('commit', '-q', '-m', 'head');
  // An uncommitted edit must not be read: the tree comes from the commit.
  write('defs/tasks.yaml', 'not: [valid');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('loadGitTree', () => {
  it('reads the YAML files of a commit without checking it out', async () => {
    const tree = await loadGitTree(repo, 'base', ['defs']);
    expect(tree.files).toEqual(['defs/tasks.yaml', 'defs/ünïcode.yaml']);
    expect([...tree.registry.tasks.keys()]).toEqual(['default/a', 'default/b']);
    expect(tree.registry.task('a')!.spec.outputSchema).toEqual({ type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } });
    expect(tree.commit).toBe(git('rev-parse', 'base'));
  });

  it('keeps file positions relative to the repository root', async () => {
    const tree = await loadGitTree(repo, 'HEAD', ['defs/*.yaml']);
    expect(tree.registry.task('d')!.source.locate('/metadata/name')).toEqual({ file: 'defs/new.yaml', line: 3, column: 19 });
  });

  it('with no paths reads every YAML file outside hidden folders', async () => {
    const tree = await loadGitTree(repo, 'base');
    expect(tree.files).toEqual(['defs/tasks.yaml', 'defs/ünïcode.yaml', 'other/ignored.yaml']);
  });

  it('rejects an unknown ref with a diagnostic that says to fetch it', async () => {
    const err = await loadGitTree(repo, 'no-such-branch').catch((e) => e);
    expect(err).toBeInstanceOf(DiagnosticError);
    expect(err.diagnostics[0]).toMatchObject({ code: 'WF_GIT_UNKNOWN_REF', message: expect.stringContaining("'no-such-branch'"), hint: expect.stringContaining('fetch-depth: 0') });
  });
});

describe('loadGitTree with a shared cache', () => {
  it('parses a file unchanged between two commits once: both registries hold the same resource', async () => {
    const cache = new Map();
    const base = await loadGitTree(repo, 'base', ['defs'], cache);
    const head = await loadGitTree(repo, 'main', ['defs'], cache);
    expect(head.registry.task('b')).toBe(base.registry.task('b'));
    expect(head.registry.task('a')).not.toBe(base.registry.task('a'));
    expect(cache.size).toBe(4);
  });
});

describe('diffGitRefs', () => {
  it('diffs two commits of a repository', async () => {
    const { report } = await diffGitRefs(repo, 'base', 'main', ['defs']);
    expect(report.resources.map((r) => [r.name, r.change])).toEqual([
      ['default/a', 'changed'],
      ['default/d', 'added'],
    ]);
    expect(report.resources[0].contract).toMatchObject([{ contract: 'output', field: 'name', change: 'field-removed', breaking: false }]);
  });
});
