import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { simpleGit } from 'simple-git';
import { DiagnosticError } from '../engine/model/diagnostic.js';

export interface PromoteOptions {
  /** A working clone of the GitOps repository. */
  repoDir: string;
  from: string;
  to: string;
  /**
   * Where an environment lives, `{env}` standing for its name. Default: the first that exists of
   * `workflows/{env}`, `overlays/{env}`, `kustomize/overlays/{env}`.
   */
  pathTemplate?: string;
  /** Files (names relative to the environment directory) that stay per environment. Default: the kustomization file of an overlay. */
  keep?: string[];
  /** Branch to create; default `promote/<from>-to-<to>-<short sha>`. */
  branch?: string;
  message?: string;
  /** Push the branch to `origin`. */
  push?: boolean;
}

export interface PromoteResult {
  changed: boolean;
  branch?: string;
  commit?: string;
  fromPath: string;
  toPath: string;
  files: Array<{ path: string; change: 'added' | 'modified' | 'deleted' }>;
}

const TEMPLATES = ['workflows/{env}', 'overlays/{env}', 'kustomize/overlays/{env}'];
const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Prepares a promotion as a commit on a new branch: the target environment's directory is made
 * equal to the source environment's (files removed in the source are removed, per-environment
 * files are kept), committed, and the original branch checked out again. Ready for a pull request;
 * merging it deploys.
 * @example await promote({ repoDir: '.', from: 'staging', to: 'production', push: true })
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const git = simpleGit(options.repoDir);
  const status = await git.status();
  if (!status.isClean()) throw promoteError('WF_PROMOTE_DIRTY', `The working tree of ${options.repoDir} has uncommitted changes`, 'Commit or stash them first; a promotion commits only what it copies.');
  const fromPath = resolveEnv(options, options.from);
  const toPath = options.pathTemplate ? options.pathTemplate.replace('{env}', options.to) : fromPath.replace(new RegExp(`${escape(options.from)}$`), options.to);
  const fromDir = join(options.repoDir, fromPath);
  const toDir = join(options.repoDir, toPath);
  const keep = new Set(options.keep ?? (KUSTOMIZATION.some((k) => existsSync(join(fromDir, k))) ? KUSTOMIZATION : []));
  const head = (await git.revparse(['HEAD'])).trim();
  const original = (await git.revparse(['--abbrev-ref', 'HEAD'])).trim();
  const source = await listFiles(fromDir);
  const target = existsSync(toDir) ? await listFiles(toDir) : [];
  const files: PromoteResult['files'] = [];
  for (const f of target) {
    if (keep.has(f) || source.includes(f)) continue;
    files.push({ path: join(toPath, f), change: 'deleted' });
  }
  for (const f of source) {
    if (keep.has(f) && target.includes(f)) continue;
    const a = await readFile(join(fromDir, f));
    const b = target.includes(f) ? await readFile(join(toDir, f)) : undefined;
    if (b && a.equals(b)) continue;
    files.push({ path: join(toPath, f), change: b ? 'modified' : 'added' });
  }
  files.sort((x, y) => x.path.localeCompare(y.path));
  if (!files.length) return { changed: false, fromPath, toPath, files };
  const branch = options.branch ?? `promote/${options.from}-to-${options.to}-${head.slice(0, 8)}`;
  await git.checkoutLocalBranch(branch);
  try {
    for (const f of files) {
      const rel = relative(toPath, f.path);
      if (f.change === 'deleted') await rm(join(toDir, rel));
      else {
        await mkdir(dirname(join(toDir, rel)), { recursive: true });
        await cp(join(fromDir, rel), join(toDir, rel));
      }
    }
    await git.add(files.map((f) => f.path));
    const message = options.message ?? `promote: ${options.from} -> ${options.to} (${head.slice(0, 12)})`;
    const body = ['', `Copies ${fromPath} to ${toPath} as of ${head}.`, '', ...files.map((f) => `- ${f.change}: ${f.path}`)].join('\n');
    await git.commit(message + '\n' + body);
    const commit = (await git.revparse(['HEAD'])).trim();
    if (options.push) await git.push(['--set-upstream', 'origin', branch]);
    return { changed: true, branch, commit, fromPath, toPath, files };
  } finally {
    await git.checkout(original === 'HEAD' ? head : original);
  }
}

function resolveEnv(options: PromoteOptions, env: string): string {
  const templates = options.pathTemplate ? [options.pathTemplate] : TEMPLATES;
  for (const t of templates) {
    const p = t.replace('{env}', env);
    if (existsSync(join(options.repoDir, p))) return p;
  }
  throw promoteError('WF_PROMOTE_ENV', `Environment '${env}' not found (looked for ${templates.map((t) => t.replace('{env}', env)).join(', ')})`, 'Pass --path-template, e.g. --path-template "deploy/{env}".');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if ((await stat(p)).isFile()) out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function promoteError(code: string, message: string, hint: string): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, hint }]);
}
