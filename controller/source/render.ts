import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { listYamlFiles, toResource, type LoadedResource } from '../../engine/load/index.js';
import { parseYaml } from '../../engine/load/yaml.js';
import { DiagnosticError, type Diagnostic } from '../../engine/model/diagnostic.js';
import { isPlainObject, type KubeObject } from '../model.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface RenderOptions {
  /** kubectl binary; default `WEFT_KUBECTL` or `kubectl` on PATH. */
  kubectl?: string;
  /** File names in diagnostics are relative to this directory. */
  cwd?: string;
}

/** The desired objects of a source directory, with the files they came from. */
export interface RenderedSource {
  objects: KubeObject[];
  /** `plain` (YAML files read directly) or `kustomize` (rendered by `kubectl kustomize`). */
  mode: 'plain' | 'kustomize';
  /** The Weft resources among the objects, with their source positions, for the validator. */
  resources: LoadedResource[];
  /** Parse and load problems (syntax, documents that are not objects, unknown Weft kinds). */
  diagnostics: Diagnostic[];
}

/**
 * Renders a directory into Kubernetes objects: a kustomization is built with `kubectl kustomize`,
 * any other directory is read as YAML files (recursively). Documents that are not objects
 * (no apiVersion, kind or metadata.name) are errors naming the file and line.
 * @example const { objects } = await renderSource('workflows/production');
 */
export async function renderSource(dir: string, options: RenderOptions = {}): Promise<RenderedSource> {
  const cwd = options.cwd ?? dir;
  if (KUSTOMIZATION_FILES.some((f) => existsSync(join(dir, f)))) {
    const text = await kustomize(dir, options.kubectl ?? process.env.WEFT_KUBECTL ?? 'kubectl');
    const label = `${relative(cwd, dir) || '.'} (kubectl kustomize)`;
    return { mode: 'kustomize', ...toObjects([{ file: label, text }]) };
  }
  const files = await listYamlFiles([dir]);
  const texts = await Promise.all(files.map(async (f) => ({ file: relative(cwd, f) || f, text: await readFile(f, 'utf8') })));
  return { mode: 'plain', ...toObjects(texts) };
}

const WEFT_API_VERSIONS = new Set(['workflow.io/v1', 'workflow.example.com/v1']);

/** Parses each text once: every object for the diff, and the Weft ones as loaded resources for the validator. */
function toObjects(texts: Array<{ file: string; text: string }>): { objects: KubeObject[]; resources: LoadedResource[]; diagnostics: Diagnostic[] } {
  const objects: KubeObject[] = [];
  const resources: LoadedResource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { file, text } of texts) {
    const parsed = parseYaml(text, file);
    diagnostics.push(...parsed.diagnostics);
    for (const doc of parsed.documents) {
      const v = doc.value;
      const ok = isPlainObject(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string' && isPlainObject(v.metadata) && typeof v.metadata.name === 'string';
      if (!ok) {
        diagnostics.push({
          code: 'WF_SOURCE_NOT_AN_OBJECT',
          severity: 'error',
          message: `Document ${doc.index + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`,
          hint: 'Every document of a synced directory must be an object to apply; move other YAML out of the path.',
          ...doc.locate(''),
        });
        continue;
      }
      objects.push(v as KubeObject);
      if (WEFT_API_VERSIONS.has(v.apiVersion as string)) {
        const r = toResource(doc);
        diagnostics.push(...r.diagnostics);
        if (r.loaded) resources.push(r.loaded);
      }
    }
  }
  return { objects, resources, diagnostics };
}

function kustomize(dir: string, kubectl: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(kubectl, ['kustomize', dir], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolvePromise(stdout);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new DiagnosticError([
            {
              code: 'WF_SOURCE_KUBECTL_MISSING',
              severity: 'error',
              message: `'${kubectl}' was not found: it is needed to render the kustomization in ${dir}`,
              hint: 'Install kubectl (v1.14+) on the PATH, or set WEFT_KUBECTL to its location.',
            },
          ]),
        );
      }
      reject(
        new DiagnosticError([
          {
            code: 'WF_SOURCE_KUSTOMIZE',
            severity: 'error',
            message: `kubectl kustomize ${dir} failed: ${String(stderr || err.message).trim().split('\n')[0]}`,
            hint: 'Run `kubectl kustomize` on that directory locally to see the full error.',
          },
        ]),
      );
    });
  });
}
