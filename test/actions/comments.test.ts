import { afterEach, describe, expect, it } from 'vitest';
import { DIFF_COMMENT_MARKER, GitHubApiError, upsertStickyComment } from '../../actions/shared/comments.js';
import { startFakeGitHub, type FakeGitHub } from './support.js';

const TOKEN = 'ghs_comments_test';
let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

const request = (g: FakeGitHub, body: string) => ({ apiUrl: g.url, repository: 'acme/defs', issueNumber: 3, token: TOKEN, marker: DIFF_COMMENT_MARKER, body });

describe('upsertStickyComment', () => {
  it('edits the marked comment written by a bot, not a person quoting the marker', async () => {
    github = await startFakeGitHub({
      token: TOKEN,
      repository: 'acme/defs',
      issue: 3,
      existing: [
        { body: `> ${DIFF_COMMENT_MARKER} quoted by a reviewer`, user: { login: 'alice', type: 'User' } },
        { body: `${DIFF_COMMENT_MARKER}\nold report`, user: { login: 'github-actions[bot]', type: 'Bot' } },
      ],
    });
    const result = await upsertStickyComment(request(github, `${DIFF_COMMENT_MARKER}\nnew report`));
    expect(result).toMatchObject({ action: 'updated', id: github.comments[1].id });
    expect(github.comments.map((c) => c.body)).toEqual([`> ${DIFF_COMMENT_MARKER} quoted by a reviewer`, `${DIFF_COMMENT_MARKER}\nnew report`]);
  });

  it('finds the marked comment past the first page of 100', async () => {
    github = await startFakeGitHub({ token: TOKEN, repository: 'acme/defs', issue: 3, existing: [...Array.from({ length: 150 }, (_, i) => ({ body: `comment ${i}` })), { body: `${DIFF_COMMENT_MARKER}\nold`, user: { login: 'github-actions[bot]', type: 'Bot' } }] });
    const result = await upsertStickyComment(request(github, `${DIFF_COMMENT_MARKER}\nnew`));
    expect(result.action).toBe('updated');
    expect(github.calls.filter((c) => c.method === 'GET').map((c) => c.path)).toEqual(['/repos/acme/defs/issues/3/comments?per_page=100&page=1', '/repos/acme/defs/issues/3/comments?per_page=100&page=2']);
  });

  it('creates the comment when none carries the marker', async () => {
    github = await startFakeGitHub({ token: TOKEN, repository: 'acme/defs', issue: 3, existing: [{ body: 'LGTM' }] });
    const result = await upsertStickyComment(request(github, `${DIFF_COMMENT_MARKER}\nreport`));
    expect(result.action).toBe('created');
    expect(github.calls.map((c) => c.method)).toEqual(['GET', 'POST']);
  });

  it('fails with the call, the status and the API message, never the token', async () => {
    github = await startFakeGitHub({ token: 'another-token', repository: 'acme/defs', issue: 3 });
    const err = await upsertStickyComment(request(github, `${DIFF_COMMENT_MARKER}\nreport`)).catch((e) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect(err.message).toBe('GET /repos/acme/defs/issues/3/comments answered 401: Bad credentials');
    expect(err.message).not.toContain(TOKEN);
  });

  it('refuses a body without its marker, which could never be found again', async () => {
    github = await startFakeGitHub({ token: TOKEN, repository: 'acme/defs', issue: 3 });
    await expect(upsertStickyComment(request(github, 'no marker'))).rejects.toThrow('The comment body must contain its marker');
    expect(github.calls).toEqual([]);
  });
});
