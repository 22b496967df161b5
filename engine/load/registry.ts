import type { Diagnostic } from '../model/diagnostic.js';
import { qualifiedName, resourceKey, type ExtraResource, type Resource, type WorkflowResource, type WorkflowTaskResource } from '../model/types.js';
import type { LoadedExtra, LoadedResource } from './resource.js';

/**
 * Every loaded definition, indexed by kind, namespace and name. Immutable once built: a reload
 * builds a new registry and swaps it in, so a running execution keeps the definitions it started with.
 */
export class DefinitionRegistry {
  readonly tasks = new Map<string, WorkflowTaskResource>();
  readonly workflows = new Map<string, WorkflowResource>();
  readonly raw = new Map<string, Record<string, unknown>>();
  /** WorkflowTenant and AlertRule resources by `Kind/namespace/name`, with their raw documents in `raw`. */
  readonly extras = new Map<string, ExtraResource>();
  /** Duplicate definitions found while building, as diagnostics. */
  readonly diagnostics: Diagnostic[] = [];

  constructor(loaded: Iterable<LoadedResource> = [], extras: Iterable<LoadedExtra> = []) {
    for (const l of loaded) this.add(l);
    for (const e of extras) {
      const key = resourceKey(e.resource);
      if (this.extras.has(key)) {
        const at = e.resource.source.locate('/metadata/name');
        this.diagnostics.push({ code: 'WF_DUPLICATE_RESOURCE', severity: 'error', message: `${e.resource.kind} '${qualifiedName(e.resource)}' is defined twice`, hint: 'Rename one of them or delete the copy.', resource: key, ...at, pointer: '/metadata/name' });
        continue;
      }
      this.extras.set(key, e.resource);
      this.raw.set(key, e.raw);
    }
  }

  private add({ resource, raw }: LoadedResource): void {
    const map: Map<string, Resource> = resource.kind === 'WorkflowTask' ? this.tasks : this.workflows;
    const key = qualifiedName(resource);
    const existing = map.get(key);
    if (existing) {
      const at = resource.source.locate('/metadata/name');
      const first = existing.source.locate('/metadata/name');
      this.diagnostics.push({
        code: 'WF_DUPLICATE_RESOURCE',
        severity: 'error',
        message: `${resource.kind} '${key}' is defined twice; first at ${first.file}:${first.line}:${first.column}`,
        hint: 'Rename one of them or delete the copy.',
        resource: resourceKey(resource),
        ...at,
        pointer: '/metadata/name',
      });
      return;
    }
    map.set(key, resource);
    this.raw.set(resourceKey(resource), raw);
  }

  /** All resources, tasks first, each group in name order. */
  all(): Resource[] {
    const byName = (a: Resource, b: Resource) => qualifiedName(a).localeCompare(qualifiedName(b));
    return [...[...this.tasks.values()].sort(byName), ...[...this.workflows.values()].sort(byName)];
  }

  /** A task by `name` (in `namespace`) or `ns/name`. */
  task(ref: string, namespace = 'default'): WorkflowTaskResource | undefined {
    return this.tasks.get(ref.includes('/') ? ref : `${namespace}/${ref}`);
  }

  /** A workflow by `name` (in `namespace`) or `ns/name`; a version suffix `@v` is not read here. */
  workflow(ref: string, namespace = 'default'): WorkflowResource | undefined {
    return this.workflows.get(ref.includes('/') ? ref : `${namespace}/${ref}`);
  }

  /** Names a reference could have meant, for "did you mean". */
  taskNames(namespace = 'default'): string[] {
    return namesIn(this.tasks.keys(), namespace);
  }

  workflowNames(namespace = 'default'): string[] {
    return namesIn(this.workflows.keys(), namespace);
  }
}

function namesIn(keys: Iterable<string>, namespace: string): string[] {
  const out: string[] = [];
  for (const k of keys) out.push(k.startsWith(namespace + '/') ? k.slice(namespace.length + 1) : k);
  return out;
}
