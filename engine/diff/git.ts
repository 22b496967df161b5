import { simpleGit } from 'simple-git';
import { loadText, type LoadResult } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { DiagnosticError, type Diagnostic } from '../model/diagnostic.js';
import { pathSelector } from './paths.js';

/** The definitions of a repository at one commit. */
export interface GitTree {
  /** The ref as given. */
  ref: string;
  /** The commit it resolved to. */
  commit: string;
  registry: DefinitionRegistry;
  /** Load diagnostics (YAML syntax, duplicates), file names relative to the repository root. */
  diagnostics: Diagnostic[];
  /** The YAML files read, relative to the repository root. */
  files: string[];
}

/**
 * Loaded files by blob id and path: a file unchanged between two commits is read and parsed once
 * (resources are immutable, so two registries can share them).
 */
export type BlobCache = Map<string, LoadResult>;

/** Blobs read per `git show` call: keeps the argument list well under the OS limit. */
const BATCH = 400;

/**
 * Reads the YAML definitions of a repository at a ref straight from the object database
 * (`git rev-parse`, `git ls-tree`, `git show` of the blobs): no checkout, no network. `paths` are
 * globs, files or directories relative to the repository root (none: every YAML file outside
 * hidden, `node_modules`, `dist` and `build` folders). Pass the same `cache` to the loads of two
 * commits to parse each unchanged file once. An unknown ref is a `DiagnosticError`
 * with a hint (a shallow clone lacks the base commit).
 * @example const base = await loadGitTree('.', 'origin/main', ['definitions'])
 */
export async function loadGitTree(repoDir: string, ref: string, paths: readonly string[] = [], cache: BlobCache = new Map()): Promise<GitTree> {
  const git = simpleGit({ baseDir: repoDir, maxConcurrentProcesses: 4 });
  let commit: string;
  try {
    commit = (await git.raw(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch (err) {
    const said = String((err as Error).message ?? '').split('\n').find((l) => l.trim()) ?? '';
    throw new DiagnosticError([
      {
        code: 'WF_GIT_UNKNOWN_REF',
        severity: 'error',
        message: `Git ref '${ref}' is not a commit in ${repoDir}${said ? ` (git: ${said.trim()})` : ''}`,
        hint: 'Fetch it first; in GitHub Actions check out with `fetch-depth: 0` so the base commit of the pull request is present.',
      },
    ]);
  }
  const select = pathSelector(paths);
  const listing = await git.raw(['ls-tree', '-r', '-l', '-z', '--full-tree', commit]);
  const blobs: Array<{ id: string; size: number; path: string }> = [];
  for (const entry of listing.split('\0')) {
    // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, id, size] = entry.slice(0, tab).split(/ +/);
    const path = entry.slice(tab + 1);
    if (type === 'blob' && select(path)) blobs.push({ id, size: Number(size), path });
  }
  blobs.sort((a, b) => a.path.localeCompare(b.path));
  const key = (b: { id: string; path: string }) => `${b.id}\u0000${b.path}`;
  const missing = blobs.filter((b) => !cache.has(key(b)));
  const texts = await readBlobs(git, missing);
  missing.forEach((b, i) => cache.set(key(b), loadText(texts[i], b.path)));
  const resources = [];
  const diagnostics: Diagnostic[] = [];
  for (const b of blobs) {
    const r = cache.get(key(b))!;
    resources.push(...r.resources);
    diagnostics.push(...r.diagnostics);
  }
  const registry = new DefinitionRegistry(resources);
  return { ref, commit, registry, diagnostics: [...diagnostics, ...registry.diagnostics], files: blobs.map((b) => b.path) };
}

/** Reads blobs in batches: `git show` of several blobs prints them back to back, so the sizes split them. */
async function readBlobs(git: ReturnType<typeof simpleGit>, blobs: Array<{ id: string; size: number }>): Promise<string[]> {
  const batches: Array<Array<{ id: string; size: number }>> = [];
  for (let i = 0; i < blobs.length; i += BATCH) batches.push(blobs.slice(i, i + BATCH));
  const results = await Promise.all(
    batches.map(async (batch) => {
      const buf = await git.showBuffer(batch.map((b) => b.id));
      const out: string[] = [];
      let at = 0;
      for (const b of batch) {
        out.push(buf.subarray(at, at + b.size).toString('utf8'));
        at += b.size;
      }
      if (at !== buf.length) throw new Error(`git show returned ${buf.length} bytes for ${batch.length} blobs of ${at} bytes`);
      return out;
    }),
  );
  return results.flat();
}
