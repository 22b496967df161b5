#!/usr/bin/env node
// Bundles the GitHub Actions with esbuild: one self-contained ESM file per action under dist/.
// `node scripts/build-actions.mjs [OUTDIR]` (default: dist). The output depends only on the
// sources and the esbuild version, so a fresh build can be compared byte for byte with the
// committed bundles (test/actions/bundle.test.ts).
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry point → bundle, relative to the repository root. */
export const ACTION_BUNDLES = {
  'actions/validate/index.ts': 'validate/index.js',
  'actions/diff/index.ts': 'diff/index.js',
  'actions/index.ts': 'main/index.js',
};

/** Builds every action bundle into `outDir` (absolute, or relative to the repository root). */
export async function buildActions(outDir = 'dist') {
  const out = resolve(root, outDir);
  for (const [entry, file] of Object.entries(ACTION_BUNDLES)) {
    await build({
      absWorkingDir: root,
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
    });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildActions(process.argv[2]);
  console.log(`Built ${Object.keys(ACTION_BUNDLES).length} action bundles into ${out}`);
}
