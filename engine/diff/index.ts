import { loadGitTree, type BlobCache, type GitTree } from './git.js';
import { diffTrees } from './tree.js';
import type { DiffReport } from './types.js';

export { compareContracts, fieldPath, outputMapSchema } from './contract.js';
export { loadGitTree, type BlobCache, type GitTree } from './git.js';
export { renderDiffMarkdown, type DiffMarkdownOptions } from './markdown.js';
export { workflowMermaid } from './mermaid.js';
export { globToRegExp, pathSelector, selectFiles, splitPatterns } from './paths.js';
export { diffTrees } from './tree.js';
export type * from './types.js';
export { outputReads, usageIndex, type StepUse, type UsageIndex } from './usage.js';
export { diffValues } from './values.js';
export { breakingDiagnostics } from './diagnostics.js';

/** What `diffGitRefs` gives: the report and both trees (with their load diagnostics). */
export interface GitDiff {
  report: DiffReport;
  base: GitTree;
  head: GitTree;
}

/**
 * Diffs the definitions of a repository between two refs, read from Git without a checkout; a
 * file unchanged between them is parsed once.
 * @example const { report } = await diffGitRefs('.', 'origin/main', 'HEAD', ['definitions'])
 */
export async function diffGitRefs(repoDir: string, baseRef: string, headRef: string, paths: readonly string[] = []): Promise<GitDiff> {
  const cache: BlobCache = new Map();
  const head = await loadGitTree(repoDir, headRef, paths, cache);
  const base = await loadGitTree(repoDir, baseRef, paths, cache);
  return { report: diffTrees(base.registry, head.registry), base, head };
}
