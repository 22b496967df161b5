import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import { DefinitionRegistry } from './registry.js';
import { toResource, type LoadedExtra, type LoadedResource } from './resource.js';
import { parseYaml } from './yaml.js';

export { DefinitionRegistry } from './registry.js';
export { inputToJsonSchema, isJsonSchema, toResource, type LoadedExtra, type LoadedResource } from './resource.js';
export { parseYaml, pointerSegments, toPointer, type YamlDocument } from './yaml.js';

export interface LoadResult {
  resources: LoadedResource[];
  /** WorkflowTenant and AlertRule resources: loaded and checked, not acted on yet. */
  extras: LoadedExtra[];
  diagnostics: Diagnostic[];
  files: string[];
}

/**
 * Loads every resource of a YAML text (multi-document).
 * @example loadText('apiVersion: workflow.io/v1\nkind: WorkflowTask\n...', 'tasks.yaml')
 */
export function loadText(text: string, file: string): LoadResult {
  const parsed = parseYaml(text, file);
  const resources: LoadedResource[] = [];
  const extras: LoadedExtra[] = [];
  const diagnostics = [...parsed.diagnostics];
  for (const doc of parsed.documents) {
    const r = toResource(doc);
    diagnostics.push(...r.diagnostics);
    if (r.loaded) resources.push(r.loaded);
    if (r.extra) extras.push(r.extra);
  }
  return { resources, extras, diagnostics, files: [file] };
}

const YAML_EXT = new Set(['.yaml', '.yml']);
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', '.weft']);

/** Lists the YAML files under the given files and directories, recursively, in a stable order. */
export async function listYamlFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  async function walk(p: string): Promise<void> {
    const s = await stat(p);
    if (s.isFile()) {
      out.push(p);
      return;
    }
    if (!s.isDirectory()) return;
    const entries = await readdir(p, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(join(p, e.name));
      } else if (YAML_EXT.has(extname(e.name))) out.push(join(p, e.name));
    }
  }
  for (const p of paths) await walk(p);
  return [...new Set(out)];
}

/**
 * Loads every resource in the given files and directories. File names in diagnostics are relative
 * to `cwd` (default: the process's working directory).
 */
export async function loadPaths(paths: readonly string[], options: { cwd?: string } = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const result: LoadResult = { resources: [], extras: [], diagnostics: [], files: [] };
  let files: string[];
  try {
    files = await listYamlFiles(paths);
  } catch (err) {
    result.diagnostics.push({
      code: 'WF_LOAD_PATH',
      severity: 'error',
      message: `Cannot read definitions: ${(err as NodeJS.ErrnoException).message}`,
      hint: 'Pass an existing file or directory.',
    });
    return result;
  }
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  files.forEach((f, i) => {
    const name = relative(cwd, f) || f;
    const r = loadText(texts[i], name.startsWith('..') ? f : name);
    result.resources.push(...r.resources);
    result.extras.push(...r.extras);
    result.diagnostics.push(...r.diagnostics);
    result.files.push(f);
  });
  return result;
}

/** Loads paths and builds a registry; diagnostics include duplicates. */
export async function loadRegistry(paths: readonly string[], options: { cwd?: string } = {}): Promise<{ registry: DefinitionRegistry; diagnostics: Diagnostic[]; files: string[] }> {
  const r = await loadPaths(paths, options);
  const registry = new DefinitionRegistry(r.resources, r.extras);
  return { registry, diagnostics: [...r.diagnostics, ...registry.diagnostics], files: r.files };
}
