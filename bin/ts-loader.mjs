// Module hooks that run Weft's TypeScript sources directly: `.js` specifiers that name a `.ts`
// file resolve to it, and `.ts` files are transpiled with esbuild (type stripping only, no
// helpers injected around functions), with inline source maps for stack traces.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

/** esbuild's options for Weft's sources; scripts/bench-profile.mjs maps profiles back with them. */
export const TRANSFORM = Object.freeze({ loader: 'ts', format: 'esm', target: 'node20' });

export async function resolve(specifier, context, next) {
  if (context.parentURL?.startsWith('file:') && specifier.startsWith('.') && specifier.endsWith('.js') && !context.parentURL.includes('/node_modules/')) {
    const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true, format: 'module' };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const file = fileURLToPath(url);
    const { code } = transformSync(readFileSync(file, 'utf8'), { ...TRANSFORM, sourcemap: 'inline', sourcefile: file });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return next(url, context);
}
