#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of Weft code run through Weft's module hooks
 * (`bin/ts-hooks.mjs`, as `weft` and `npm run bench` run): the functions with the most self time
 * and the Weft functions with the most inclusive time, as `name file:line`. Positions in the
 * compiled code are mapped back through a source map made with the hooks' own esbuild options.
 *
 * usage: node scripts/bench-profile.mjs FILE.cpuprofile [--top N] [--callers FUNCTION]
 *
 * Profiles come from `npm run bench -- --only engine.e2e --profile DIR` (the measured servers)
 * or `node --cpu-prof --cpu-prof-dir=DIR --import ./bin/ts-hooks.mjs bench/main.ts --only engine.overhead`.
 */
import { readFileSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { TRANSFORM } from '../bin/ts-loader.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, callers: { type: 'string' } } });
if (positionals.length !== 1) {
  console.error('usage: node scripts/bench-profile.mjs FILE.cpuprofile [--top N] [--callers FUNCTION]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const rootUrl = `${pathToFileURL(root).href}/`;
const esbuild = createRequire(resolve(root, 'package.json'))('esbuild');

const maps = new Map();
function sourceMap(file) {
  if (!maps.has(file)) {
    let map = null;
    try {
      const out = esbuild.transformSync(readFileSync(file, 'utf8'), { ...TRANSFORM, sourcemap: 'external', sourcefile: file });
      map = new SourceMap(JSON.parse(out.map));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

function where(frame) {
  const { url, lineNumber, columnNumber } = frame;
  if (url.startsWith(rootUrl) && url.endsWith('.ts') && !url.includes('/node_modules/')) {
    const file = decodeURIComponent(url.slice('file://'.length));
    const entry = sourceMap(file)?.findEntry(lineNumber, columnNumber);
    if (entry && entry.originalLine !== undefined) return `${file.slice(root.length + 1)}:${entry.originalLine + 1}`;
  }
  return `${url.replace(rootUrl, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`;
const timeOf = new Map();
profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
let total = 0;
const self = new Map();
const inclusive = new Map();
const callers = new Map();
for (const [id, t] of timeOf) {
  total += t;
  const node = nodes.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + t);
  const seen = new Set();
  for (let p = id; p !== undefined; p = parentOf.get(p)) {
    const k = label(nodes.get(p));
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    seen.add(k);
  }
  if (values.callers && node.callFrame.functionName === values.callers) {
    const chain = [];
    for (let p = parentOf.get(id); p !== undefined && chain.length < 8; p = parentOf.get(p)) chain.push(label(nodes.get(p)));
    const k = chain.join('\n      < ');
    callers.set(k, (callers.get(k) ?? 0) + t);
  }
}
const top = Number(values.top);
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
};
console.log(`${positionals[0]}: ${(total / 1000).toFixed(0)} ms sampled`);
print('self time', self);
print('inclusive time, Weft code', new Map([...inclusive].filter(([k]) => /\s(engine|bench|fixtures|controller|actions)\//.test(k))));
if (values.callers) print(`callers of ${values.callers}`, callers);
