/** The hidden marker that identifies Weft's diff comment on a pull request. */
export const DIFF_COMMENT_MARKER = '<!-- weft-diff -->';

/** Pages of 100 comments read at most while looking for the marked comment. */
const MAX_PAGES = 30;

export interface StickyCommentRequest {
  /** `GITHUB_API_URL`, e.g. https://api.github.com. */
  apiUrl: string;
  /** `owner/repo`. */
  repository: string;
  issueNumber: number;
  token: string;
  marker: string;
  /** The whole body; it must contain the marker. */
  body: string;
}

export interface StickyCommentResult {
  action: 'created' | 'updated';
  id: number;
  url?: string;
}

/** A GitHub API call that failed; the message names the call and the status, never the token. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/**
 * Creates or updates the one pull-request comment that carries `marker`: lists the issue's
 * comments, PATCHes the first marked one written by a bot (else the first marked one), else POSTs
 * a new one. Every push then edits the same
 * comment instead of adding another.
 * @example await upsertStickyComment({ apiUrl, repository: 'acme/defs', issueNumber: 7, token, marker: DIFF_COMMENT_MARKER, body })
 */
export async function upsertStickyComment(req: StickyCommentRequest): Promise<StickyCommentResult> {
  if (!req.body.includes(req.marker)) throw new Error('The comment body must contain its marker');
  const api = req.apiUrl.replace(/\/+$/, '');
  const [owner, repo] = req.repository.split('/');
  const base = `${api}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  // A person may quote the marker in a reply: prefer a marked comment written by a bot.
  let existing: { id: number } | undefined;
  let fallback: { id: number } | undefined;
  for (let page = 1; page <= MAX_PAGES && !existing; page++) {
    const list = (await call(req.token, 'GET', `${base}/issues/${req.issueNumber}/comments?per_page=100&page=${page}`)) as Array<{ id: number; body?: string; user?: { type?: string } }>;
    const marked = list.filter((c) => typeof c.body === 'string' && c.body.includes(req.marker));
    existing = marked.find((c) => c.user?.type === 'Bot');
    fallback ??= marked[0];
    if (list.length < 100) break;
  }
  existing ??= fallback;
  if (existing) {
    const updated = (await call(req.token, 'PATCH', `${base}/issues/comments/${existing.id}`, { body: req.body })) as { id: number; html_url?: string };
    return { action: 'updated', id: updated.id ?? existing.id, url: updated.html_url };
  }
  const created = (await call(req.token, 'POST', `${base}/issues/${req.issueNumber}/comments`, { body: req.body })) as { id: number; html_url?: string };
  return { action: 'created', id: created.id, url: created.html_url };
}

async function call(token: string, method: string, url: string, body?: unknown): Promise<unknown> {
  let res: Response;
  const where = `${method} ${new URL(url).pathname}`;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'weft-diff-action',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new GitHubApiError(0, `${where} failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = '';
    try {
      detail = String(JSON.parse(text).message ?? '');
    } catch {
      detail = text.slice(0, 200);
    }
    const hint = res.status === 403 || res.status === 404 ? ' (the token needs `pull-requests: write`; pull requests from forks get a read-only token)' : '';
    throw new GitHubApiError(res.status, `${where} answered ${res.status}${detail ? `: ${detail}` : ''}${hint}`);
  }
  return text ? JSON.parse(text) : {};
}
