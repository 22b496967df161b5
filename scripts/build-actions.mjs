#!/usr/bin/env node
// Bundles the GitHub Actions with esbuild: one self-contained ESM file per action under dist/.
// `node scripts/build-actions.mjs [--committed] [OUTDIR]` (default: dist). The output depends only
// on the sources and the esbuild version, so a fresh build can be compared byte for byte with the
// committed bundles (test/actions/bundle.test.ts). `--committed` builds from the sources of the
// HEAD commit (exported with `git archive` to a temp folder) instead of the working tree, so that
// uncommitted edits elsewhere in the tree never end up in the bundles.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry point → bundle, relative to the repository root. */
export const ACTION_BUNDLES = {
  'actions/validate/index.ts': 'validate/index.js',
  'actions/diff/index.ts': 'diff/index.js',
  'actions/index.ts': 'main/index.js',
};

/**
 * Builds every action bundle into `outDir` (absolute, or relative to the repository root) from
 * the sources under `sourceRoot` (default: this working tree).
 */
export async function buildActions(outDir = 'dist', sourceRoot = root) {
  const out = resolve(root, outDir);
  for (const [entry, file] of Object.entries(ACTION_BUNDLES)) {
    await build({
      absWorkingDir: sourceRoot,
      entryPoints: [entry],
      outfile: join(out, file),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
      banner: { js: "import { createRequire as __weftCreateRequire } from 'node:module';\nconst require = __weftCreateRequire(import.meta.url);" },
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'warning',
      // Keep module paths relative to the source tree (node_modules is a symlink when building
      // from HEAD), so the bundle does not depend on where the repository is checked out.
      preserveSymlinks: true,
    });
  }
  return out;
}

/** Builds the bundles from the HEAD commit's sources (see the header) into `outDir`. */
export async function buildActionsFromHead(outDir = 'dist') {
  const tree = mkdtempSync(join(tmpdir(), 'weft-actions-src-'));
  try {
    execFileSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C "${tree}"`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
    return await buildActions(outDir, tree);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const committed = args.includes('--committed');
  const outDir = args.find((a) => !a.startsWith('--'));
  const out = committed ? await buildActionsFromHead(outDir) : await buildActions(outDir);
  console.log(`Built ${Object.keys(ACTION_BUNDLES).length} action bundles${committed ? ' from HEAD' : ''} into ${out}`);
}
