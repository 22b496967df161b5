import { relative, resolve, sep } from 'node:path';
import { listYamlFiles } from '../load/index.js';

const YAML = /\.ya?ml$/i;
/** Folders a default selection never enters (as `listYamlFiles` does for a directory walk). */
const SKIPPED = new Set(['node_modules', 'dist', 'build', '.weft']);

/**
 * Splits an action-style list input (commas or newlines) into patterns, dropping blanks.
 * @example splitPatterns('defs/**\/*.yaml, tasks\n') // ['defs/**\/*.yaml', 'tasks']
 */
export function splitPatterns(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A glob (`*`, `**`, `?`) as an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * A predicate over repository-relative paths (`/`-separated) for a list of patterns: globs, or
 * plain files and directories (a directory selects everything under it). Only YAML files are
 * selected. With no pattern, every YAML file outside hidden, `node_modules`, `dist` and `build`
 * folders is.
 * @example pathSelector(['defs/**\/*.yaml'])('defs/tasks/a.yaml') // true
 */
export function pathSelector(patterns: readonly string[]): (path: string) => boolean {
  const cleaned = patterns.map((p) => p.replace(/^\.\//, '').replace(/\/+$/, '')).filter((p) => p !== '');
  if (cleaned.length === 0 || cleaned.includes('.')) {
    return (path) => YAML.test(path) && !path.split('/').slice(0, -1).some((d) => d.startsWith('.') || SKIPPED.has(d));
  }
  const tests = cleaned.map((p) => {
    if (/[*?]/.test(p)) {
      const re = globToRegExp(p);
      return (path: string) => re.test(path);
    }
    return (path: string) => path === p || path.startsWith(`${p}/`);
  });
  return (path) => YAML.test(path) && tests.some((t) => t(path));
}

/**
 * The YAML files under `cwd` a list of patterns selects, as absolute paths in a stable order.
 * @example await selectFiles(['definitions/**\/*.yaml'], process.cwd())
 */
export async function selectFiles(patterns: readonly string[], cwd: string): Promise<string[]> {
  const select = pathSelector(patterns);
  const roots = patterns.length ? [...new Set(patterns.map((p) => resolve(cwd, staticPrefix(p))))] : [resolve(cwd)];
  const found: string[] = [];
  for (const root of roots) {
    try {
      found.push(...(await listYamlFiles([root])));
    } catch {
      // A pattern whose fixed part does not exist selects nothing.
    }
  }
  return [...new Set(found)].filter((f) => select(relative(cwd, f).split(sep).join('/'))).sort();
}

/** The part of a pattern before its first glob character, cut back to a whole directory. */
function staticPrefix(pattern: string): string {
  const i = pattern.search(/[*?]/);
  if (i < 0) return pattern;
  const cut = pattern.slice(0, i).lastIndexOf('/');
  return cut < 0 ? '.' : pattern.slice(0, cut) || '/';
}
