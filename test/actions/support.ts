import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** A throwaway Git repository in a temp folder. */
export class TempRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'weft-action-repo-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'user.name', 'Test');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim();
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
  }

  remove(path: string): void {
    this.git('rm', '-q', path);
  }

  /** Commits everything and returns the commit id. */
  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The `::error …` / `::warning …` / `::notice …` lines of stdout. */
  annotations: string[];
}

/**
 * Runs an action bundle the way the runner does: `node dist/<name>/index.js` in the workspace,
 * inputs as `INPUT_*`, and fresh `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files.
 */
export async function runAction(bundle: string, options: { cwd: string; inputs?: Record<string, string>; env?: Record<string, string>; event?: { name: string; payload: unknown } }): Promise<ActionRun> {
  const files = mkdtempSync(join(tmpdir(), 'weft-action-run-'));
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? files,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.cwd,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env,
  };
  if (options.event) {
    const eventFile = join(files, 'event.json');
    writeFileSync(eventFile, JSON.stringify(options.event.payload));
    env.GITHUB_EVENT_NAME = options.event.name;
    env.GITHUB_EVENT_PATH = eventFile;
  }
  for (const [k, v] of Object.entries(options.inputs ?? {})) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [join(ROOT, bundle)], { cwd: options.cwd, env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr });
    });
  });
  const run: ActionRun = {
    ...result,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    annotations: result.stdout.split('\n').filter((l) => /^::(error|warning|notice)[ :]/.test(l)),
  };
  rmSync(files, { recursive: true, force: true });
  return run;
}

/** Reads a GITHUB_OUTPUT file (`name<<DELIM … DELIM` and `name=value` forms). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
  }
  return out;
}

export interface RecordedCall {
  method: string;
  path: string;
  authorization?: string;
  body?: any;
}

/** A local stand-in for the GitHub REST API's issue-comment endpoints; it records every call. */
export interface FakeGitHub {
  url: string;
  calls: RecordedCall[];
  comments: Array<{ id: number; body: string; user: { login: string; type: string }; html_url: string }>;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: { token: string; repository: string; issue: number; existing?: Array<{ body: string; user?: { login: string; type: string } }> }): Promise<FakeGitHub> {
  const calls: RecordedCall[] = [];
  let nextId = 1000;
  const bot = { login: 'github-actions[bot]', type: 'Bot' };
  const comments: FakeGitHub['comments'] = (options.existing ?? []).map((c) => ({ id: nextId++, body: c.body, user: c.user ?? { login: 'octocat', type: 'User' }, html_url: `https://github.test/${options.repository}/pull/${options.issue}#issuecomment-${nextId}` }));
  const prefix = `/repos/${options.repository}`;
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const body = raw ? JSON.parse(raw) : undefined;
      calls.push({ method: req.method!, path: url.pathname + url.search, authorization: req.headers.authorization, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${options.token}`) return send(401, { message: 'Bad credentials' });
      if (req.method === 'GET' && url.pathname === `${prefix}/issues/${options.issue}/comments`) {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        return send(200, comments.slice((page - 1) * perPage, page * perPage));
      }
      if (req.method === 'POST' && url.pathname === `${prefix}/issues/${options.issue}/comments`) {
        const c = { id: nextId++, body: body.body, user: bot, html_url: `https://github.test/${options.repository}/pull/${options.issue}#issuecomment-${nextId}` };
        comments.push(c);
        return send(201, c);
      }
      const patch = new RegExp(`^${prefix}/issues/comments/(\\d+)$`).exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        const c = comments.find((x) => x.id === Number(patch[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = body.body;
        return send(200, c);
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    comments,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A `pull_request` event payload as GitHub sends it (the fields the actions read, and their neighbours). */
export function pullRequestEvent(options: { number: number; repository: string; base: string; head: string }): { name: string; payload: unknown } {
  const [owner, name] = options.repository.split('/');
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number: options.number,
      pull_request: {
        number: options.number,
        state: 'open',
        title: 'Change definitions',
        base: { ref: 'main', sha: options.base, repo: { full_name: options.repository } },
        head: { ref: 'feature', sha: options.head, repo: { full_name: options.repository } },
      },
      repository: { name, full_name: options.repository, owner: { login: owner } },
      sender: { login: 'octocat' },
    },
  };
}
