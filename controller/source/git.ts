import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { DiagnosticError } from '../../engine/model/diagnostic.js';

/** Where the desired state lives: a Git repository (URL or local path), a revision and a path inside it. */
export interface GitSourceSpec {
  /** `https://…`, `ssh://…`, `git@…` or a local path. */
  repoURL: string;
  /** A branch, a tag or a commit; default `HEAD` (the remote's default branch). */
  targetRevision?: string;
  /** Directory inside the repository; default the root. */
  path?: string;
}

/** A checked-out revision of the source. */
export interface SourceSnapshot {
  /** Full commit SHA. */
  revision: string;
  /** Absolute directory of `path` inside the checkout. */
  dir: string;
  /** Root of the checkout. */
  root: string;
}

/**
 * Fetches a Git source into a cache directory (one clone per repository, fetched again on each
 * call) and checks out the requested revision, detached.
 * @example
 * const source = new GitSource({ repoURL: 'https://github.com/org/workflows', targetRevision: 'main', path: 'workflows/production' }, { cacheDir: '.weft/git' });
 * const { revision, dir } = await source.fetch();
 */
export class GitSource {
  private readonly checkout: string;

  constructor(
    readonly spec: GitSourceSpec,
    options: { cacheDir: string },
  ) {
    this.checkout = join(resolve(options.cacheDir), createHash('sha256').update(spec.repoURL).digest('hex').slice(0, 16));
  }

  /** Clones or fetches, then checks out the revision. Errors are `DiagnosticError`s without credentials. */
  async fetch(): Promise<SourceSnapshot> {
    const url = this.spec.repoURL;
    let git: SimpleGit;
    try {
      if (!existsSync(join(this.checkout, '.git'))) {
        await mkdir(this.checkout, { recursive: true });
        await simpleGit().clone(url, this.checkout, ['--no-checkout']);
        git = simpleGit(this.checkout);
      } else {
        git = simpleGit(this.checkout);
        await git.fetch(['--prune', '--tags', '--force', 'origin']);
      }
    } catch (err) {
      throw sourceError('WF_SOURCE_FETCH', `Cannot fetch ${maskUrl(url)}: ${firstLine(err)}`, 'Check the repository URL and that the controller can reach it (credentials come from the Git credential helper or an SSH key, never the URL).');
    }
    const revision = await resolveRevision(git, this.spec.targetRevision ?? 'HEAD');
    if (!revision) {
      throw sourceError('WF_SOURCE_REVISION', `Revision '${this.spec.targetRevision}' does not exist in ${maskUrl(url)}`, 'Use an existing branch, tag or commit for targetRevision.');
    }
    await git.raw(['checkout', '--force', '--detach', revision]);
    await git.raw(['clean', '-fdq']);
    const dir = join(this.checkout, this.spec.path ?? '');
    const s = await stat(dir).catch(() => undefined);
    if (!s?.isDirectory()) {
      throw sourceError('WF_SOURCE_PATH', `Path '${this.spec.path}' does not exist in ${maskUrl(url)} at ${revision.slice(0, 12)}`, 'Set path to a directory of the repository at that revision.');
    }
    return { revision, dir, root: this.checkout };
  }
}

async function resolveRevision(git: SimpleGit, rev: string): Promise<string | undefined> {
  const candidates = rev === 'HEAD' ? ['origin/HEAD', 'HEAD'] : [`origin/${rev}`, `refs/tags/${rev}`, rev];
  for (const c of candidates) {
    try {
      const sha = (await git.raw(['rev-parse', '--verify', '--quiet', `${c}^{commit}`])).trim();
      if (sha) return sha;
    } catch {
      // not this form; try the next
    }
  }
  return undefined;
}

function sourceError(code: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, hint }]);
}

/** A repository URL without any user or password part. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

function firstLine(err: unknown): string {
  return maskAll(String((err as Error).message ?? err).split('\n').find((l) => l.trim()) ?? 'unknown error');
}

function maskAll(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1');
}
