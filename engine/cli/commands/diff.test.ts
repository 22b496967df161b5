import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';

const CASE = join(import.meta.dirname, '../../diff/testdata/output-field-removed-used');
let repo: string;

async function weft(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['node', 'weft', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'weft-cli-diff-'));
  const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  cpSync(join(CASE, 'base'), join(repo, 'defs'), { recursive: true });
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('tag', 'v1');
  cpSync(join(CASE, 'head'), join(repo, 'defs'), { recursive: true });
  git('add', '.');
  git('commit', '-q', '-m', 'head');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('weft diff BASE HEAD', () => {
  it('prints the Markdown report of two refs', async () => {
    const r = await weft('diff', 'v1', 'main', '-C', repo);
    expect(r.code).toBe(0);
    expect(r.out).toContain('## Weft definition changes (v1…main)');
    expect(r.out).toContain('- **Task `default/get-user`**: output email: field-removed');
    expect(r.out).toContain('- `default/welcome` step `fetch-user` (`defs/welcome.yaml:12`) — reads changed `email`');
  });

  it('prints the JSON report with --format json', async () => {
    const r = await weft('diff', 'v1', '-C', repo, '--format', 'json', '--path', 'defs');
    expect(JSON.parse(r.out).summary).toEqual({ added: 0, removed: 0, changed: 1, renamed: 0, unchanged: 4, breakingResources: 1, breakingChanges: 1 });
  });

  it('prints breaking changes as annotations with --format github and exits 1 with --fail-on-breaking', async () => {
    const r = await weft('diff', 'v1', 'HEAD', '-C', repo, '--format', 'github', '--fail-on-breaking');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/^::error file=defs\/tasks\.yaml,line=3,col=19,title=WF_DIFF_BREAKING::/);
  });

  it('exits 2 naming an unknown ref', async () => {
    const r = await weft('diff', 'no-such-ref', '-C', repo);
    expect(r.code).toBe(2);
    expect(r.err).toContain("weft: Git ref 'no-such-ref' is not a commit in");
    expect(r.err).toContain('hint: Fetch it first');
  });
});
