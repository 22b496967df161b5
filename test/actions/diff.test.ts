import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TASKS, TASKS_WITHOUT_EMAIL, WELCOME } from './definitions.js';
import { pullRequestEvent, runAction, startFakeGitHub, TempRepo, type FakeGitHub } from './support.js';

const TOKEN = 'ghs_test_token_0123456789abcdef';
const REPOSITORY = 'acme/definitions';
const PR = 42;

let repo: TempRepo;
let github: FakeGitHub;
let base: string;

beforeEach(async () => {
  repo = new TempRepo();
  repo.write({ 'definitions/tasks.yaml': TASKS, 'definitions/welcome.yaml': WELCOME, 'README.md': '# defs\n' });
  base = repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  github = await startFakeGitHub({ token: TOKEN, repository: REPOSITORY, issue: PR, existing: [{ body: 'Looks good to me' }] });
});

afterEach(async () => {
  await github.close();
  repo.cleanup();
});

function diff(head: string, inputs: Record<string, string> = {}) {
  return runAction('dist/diff/index.js', {
    cwd: repo.dir,
    inputs: { 'github-token': TOKEN, ...inputs },
    env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: REPOSITORY, GITHUB_SHA: head },
    event: pullRequestEvent({ number: PR, repository: REPOSITORY, base, head }),
  });
}

describe('diff action (dist/diff/index.js) on a pull request', () => {
  it('reports a removed task output field that a step reads as breaking, at the step that reads it', async () => {
    repo.write({ 'definitions/tasks.yaml': TASKS_WITHOUT_EMAIL });
    const head = repo.commit('drop email');
    const run = await diff(head);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ changed: '1', breaking: '1' });
    expect(run.annotations).toEqual([
      expect.stringMatching(/^::warning file=definitions\/tasks\.yaml,line=3,col=19,title=WF_DIFF_BREAKING::Breaking change to Task 'default\/get-user': output email: field-removed/),
      expect.stringMatching(/^::warning file=definitions\/welcome\.yaml,line=12,col=16,title=WF_DIFF_BREAKING_USE::Step 'fetch-user' of workflow 'default\/welcome' reads 'email' of Task 'default\/get-user'/),
    ]);
    expect(run.summary).toContain('**⚠️ 1 breaking change** in 1 resource.');
    expect(run.summary).toContain('- `default/welcome` step `fetch-user` (`definitions/welcome.yaml:12`) — reads changed `email`');
  });

  it('posts one comment with the hidden marker, and a second push edits that same comment', async () => {
    repo.write({ 'definitions/tasks.yaml': TASKS_WITHOUT_EMAIL });
    const first = await diff(repo.commit('drop email'));
    expect(first.code).toBe(0);
    const posts = github.calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].path).toBe(`/repos/${REPOSITORY}/issues/${PR}/comments`);
    expect(posts[0].body.body.startsWith('<!-- weft-diff -->\n## Weft definition changes')).toBe(true);
    const created = github.comments.find((c) => c.body.includes('<!-- weft-diff -->'))!;
    expect(first.outputs['comment-id']).toBe(String(created.id));

    // Second push: the field comes back and a step is added; the same comment is edited.
    repo.write({ 'definitions/tasks.yaml': TASKS, 'definitions/welcome.yaml': WELCOME.replace('    - id: notify', '    - id: audit\n      taskRef: get-user\n      input: { userId: "{{tasks.fetch-user.output.id}}" }\n    - id: notify') });
    const second = await diff(repo.commit('restore email, add audit step'));
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({ changed: '1', breaking: '0', 'comment-id': String(created.id) });
    expect(github.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    const patches = github.calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((p) => p.path)).toEqual([`/repos/${REPOSITORY}/issues/comments/${created.id}`]);
    expect(github.comments).toHaveLength(2);
    const body = github.comments.find((c) => c.id === created.id)!.body;
    expect(body).toContain('No breaking change.');
    expect(body).toContain('| `audit` | added |');
    expect(body).toContain('```mermaid\nflowchart LR');
    expect(body).toMatch(/s\d\["audit"\]:::added/);
  });

  it('sends the token only in the Authorization header and never prints it', async () => {
    repo.write({ 'definitions/tasks.yaml': TASKS_WITHOUT_EMAIL });
    const run = await diff(repo.commit('drop email'));
    expect(github.calls.length).toBeGreaterThan(0);
    expect(github.calls.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(run.stdout + run.stderr + run.summary).not.toContain(TOKEN);
  });

  it('reports a failing comment call as a warning naming the status, without the token, and still succeeds', async () => {
    repo.write({ 'definitions/tasks.yaml': TASKS_WITHOUT_EMAIL });
    const run = await diff(repo.commit('drop email'), { 'github-token': 'wrong-token' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`::warning::The pull-request comment could not be posted: GET /repos/${REPOSITORY}/issues/${PR}/comments answered 401: Bad credentials`);
    expect(run.stdout).not.toContain('wrong-token');
    expect(run.outputs.breaking).toBe('1');
  });

  it('fails the step on a breaking change when fail-on-breaking is true', async () => {
    repo.write({ 'definitions/tasks.yaml': TASKS_WITHOUT_EMAIL });
    const run = await diff(repo.commit('drop email'), { 'fail-on-breaking': 'true' });
    expect(run.code).toBe(1);
    expect(run.annotations[0]).toMatch(/^::error file=definitions\/tasks\.yaml/);
    expect(run.stdout).toContain('::error::1 breaking change(s) (fail-on-breaking is true).');
  });

  it('writes only the job summary when comment is false', async () => {
    repo.write({ 'definitions/welcome.yaml': WELCOME.replace('subject: Welcome', 'subject: Hello') });
    const run = await diff(repo.commit('new subject'), { comment: 'false' });
    expect(run.code).toBe(0);
    expect(github.calls).toEqual([]);
    expect(run.outputs).toMatchObject({ changed: '1', breaking: '0' });
    expect(run.summary).toContain('| `notify` | changed | input.subject: Welcome → Hello |');
  });

  it('says nothing changed when only non-definition files changed', async () => {
    repo.write({ 'README.md': '# definitions\n' });
    const run = await diff(repo.commit('docs'));
    expect(run.outputs).toMatchObject({ changed: '0', breaking: '0' });
    expect(github.comments.find((c) => c.body.includes('<!-- weft-diff -->'))!.body).toContain('No task or workflow changed (3 unchanged).');
  });

  it('warns when the paths match no YAML file at either commit', async () => {
    repo.write({ 'README.md': '# changed\n' });
    const run = await diff(repo.commit('docs'), { paths: 'elsewhere/**/*.yaml', comment: 'false' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning::No YAML file matched paths 'elsewhere/**/*.yaml' at either commit.");
  });

  it('explains a base commit missing from the clone instead of failing with a stack trace', async () => {
    const run = await runAction('dist/diff/index.js', {
      cwd: repo.dir,
      inputs: { comment: 'false' },
      event: pullRequestEvent({ number: PR, repository: REPOSITORY, base: 'f'.repeat(40), head: 'HEAD' }),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error title=WF_GIT_UNKNOWN_REF::Git ref 'f{40}' is not a commit in .*fetch-depth: 0/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('root action (dist/main/index.js)', () => {
  it("runs diff when command is 'diff'", async () => {
    repo.write({ 'definitions/tasks.yaml': TASKS_WITHOUT_EMAIL });
    const head = repo.commit('drop email');
    const run = await runAction('dist/main/index.js', {
      cwd: repo.dir,
      inputs: { command: 'diff', comment: 'false' },
      event: pullRequestEvent({ number: PR, repository: REPOSITORY, base, head }),
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ changed: '1', breaking: '1' });
  });
});
