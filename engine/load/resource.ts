import type { Diagnostic } from '../model/diagnostic.js';
import { EXTRA_KINDS, KINDS, type ExtraKind, type ExtraResource, type JsonSchema, type Kind, type Resource, type SourceInfo, type StepSpec } from '../model/types.js';
import { pointerSegments, toPointer, type YamlDocument } from './yaml.js';

const GROUPS = new Set(['workflow.io/v1', 'workflow.example.com/v1']);

/** The document as written, kept beside the resource for schema validation and diffing. */
export interface LoadedResource {
  resource: Resource;
  /** The document exactly as parsed, before compatibility forms were normalised. */
  raw: Record<string, unknown>;
}

/** A loaded WorkflowTenant or AlertRule. */
export interface LoadedExtra {
  resource: ExtraResource;
  raw: Record<string, unknown>;
}

/**
 * Turns a parsed document into a typed resource, normalising the compatibility forms:
 * the legacy `request:` block becomes `http:`, a flat input map becomes a JSON Schema,
 * `maxConcurrency` becomes `maxParallel`. Documents that are not Weft resources give an info
 * diagnostic; a Weft kind without a name gives an error. Shape errors are the validator's job.
 */
export function toResource(doc: YamlDocument): { loaded?: LoadedResource; extra?: LoadedExtra; diagnostics: Diagnostic[] } {
  const at = (pointer: string, key = false) => ({ ...doc.locate(pointer, { key }), pointer });
  const v = doc.value;
  if (!isObject(v)) {
    return {
      diagnostics: [
        {
          code: 'WF_LOAD_NOT_A_RESOURCE',
          severity: 'warning',
          message: `Document ${doc.index + 1} is a ${Array.isArray(v) ? 'list' : typeof v}, not a resource`,
          hint: 'A definition file holds resources with apiVersion, kind, metadata and spec.',
          ...at(''),
        },
      ],
    };
  }
  const apiVersion = v.apiVersion;
  const kind = v.kind;
  if (apiVersion === undefined && kind === undefined && (Array.isArray(v.tasks) || isObject(v.forEach) || isObject(v.switch))) {
    return {
      diagnostics: [
        {
          code: 'WF_LOAD_FRAGMENT',
          severity: 'info',
          message: `Document ${doc.index + 1} is a fragment of a Workflow spec (${Array.isArray(v.tasks) ? 'tasks' : 'a step'} without apiVersion and kind); skipped`,
          hint: 'To run or validate it, wrap it in a resource: apiVersion: workflow.io/v1, kind: Workflow, metadata.name, spec.',
          ...at(''),
        },
      ],
    };
  }
  if (typeof apiVersion !== 'string' || !GROUPS.has(apiVersion) || !(KINDS.includes(kind as Kind) || EXTRA_KINDS.includes(kind as ExtraKind))) {
    const known = typeof apiVersion === 'string' && GROUPS.has(apiVersion);
    return {
      diagnostics: [
        {
          code: known ? 'WF_LOAD_UNKNOWN_KIND' : 'WF_LOAD_NOT_A_RESOURCE',
          severity: known ? 'error' : 'info',
          message: known
            ? `Unknown kind '${String(kind)}' in ${apiVersion}`
            : `Document ${doc.index + 1} is not a Weft resource (apiVersion ${JSON.stringify(apiVersion ?? null)}, kind ${JSON.stringify(kind ?? null)}); skipped`,
          hint: known ? `Use one of: ${[...KINDS, ...EXTRA_KINDS].join(', ')}.` : 'Weft reads apiVersion workflow.io/v1 (or workflow.example.com/v1) with kind WorkflowTask or Workflow.',
          ...at(known ? '/kind' : ''),
        },
      ],
    };
  }
  const meta = isObject(v.metadata) ? v.metadata : {};
  if (typeof meta.name !== 'string' || !meta.name) {
    return {
      diagnostics: [
        {
          code: 'WF_SCHEMA_REQUIRED',
          severity: 'error',
          message: `${kind} has no metadata.name`,
          hint: 'Give every resource a metadata.name (lowercase letters, digits and dashes).',
          ...at(isObject(v.metadata) ? '/metadata' : ''),
        },
      ],
    };
  }
  const aliases: Array<[string, string]> = [];
  const extra = EXTRA_KINDS.includes(kind as ExtraKind);
  const spec = extra ? (isObject(v.spec) ? v.spec : {}) : normaliseSpec(kind as Kind, isObject(v.spec) ? v.spec : {}, aliases);
  const source: SourceInfo = {
    file: doc.file,
    document: doc.index,
    locate: (pointer, options) => {
      for (const [from, to] of aliases) if (pointer === from || pointer.startsWith(from + '/')) return doc.locate(to + pointer.slice(from.length), options);
      return doc.locate(pointer, options);
    },
  };
  const resource = {
    apiVersion,
    kind,
    metadata: {
      name: meta.name,
      namespace: typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : 'default',
      ...(isObject(meta.labels) ? { labels: meta.labels as Record<string, string> } : {}),
      ...(isObject(meta.annotations) ? { annotations: meta.annotations as Record<string, string> } : {}),
    },
    spec,
    source,
  };
  if (extra) return { extra: { resource: resource as ExtraResource, raw: v }, diagnostics: [] };
  return { loaded: { resource: resource as Resource, raw: v }, diagnostics: [] };
}

function normaliseSpec(kind: Kind, spec: Record<string, unknown>, aliases: Array<[string, string]>): any {
  const out: Record<string, unknown> = { ...spec };
  if (kind === 'WorkflowTask') {
    if (out.http === undefined && out.request !== undefined) {
      out.http = out.request;
      aliases.push(['/spec/http', '/spec/request']);
    }
    delete out.request;
    if (isObject(out.http) && typeof out.http.method === 'string') out.http = { ...out.http, method: out.http.method.toUpperCase() };
    return out;
  }
  if (out.input === undefined && out.inputSchema !== undefined) {
    out.input = out.inputSchema;
    aliases.push(['/spec/input', '/spec/inputSchema']);
  }
  delete out.inputSchema;
  if (isObject(out.input)) out.input = inputToJsonSchema(out.input);
  if (Array.isArray(out.tasks)) out.tasks = out.tasks.map((s) => normaliseStep(s));
  return out;
}

function normaliseStep(step: unknown): StepSpec {
  if (!isObject(step)) return step as StepSpec;
  const out: Record<string, unknown> = { ...step };
  if (isObject(out.forEach)) {
    const fe: Record<string, unknown> = { ...out.forEach };
    if (fe.maxParallel === undefined && fe.maxConcurrency !== undefined) fe.maxParallel = fe.maxConcurrency;
    delete fe.maxConcurrency;
    out.forEach = fe;
  }
  if (typeof out.dependsOn === 'string') out.dependsOn = [out.dependsOn];
  if (Array.isArray(out.tasks)) out.tasks = out.tasks.map((s) => normaliseStep(s));
  return out as unknown as StepSpec;
}

/**
 * True when a workflow `input` is a JSON Schema rather than the legacy flat map
 * `{field: {type, required, description, default}}`.
 */
export function isJsonSchema(input: Record<string, unknown>): boolean {
  if (typeof input.type === 'string' || Array.isArray(input.type)) return true;
  if ('$schema' in input) return true;
  // A flat map may have a field called `properties`: its definition has a string `type`.
  if (isObject(input.properties) && typeof input.properties.type !== 'string') return true;
  return Object.keys(input).length === 0;
}

/**
 * Converts the legacy flat input map to a JSON Schema; a JSON Schema is returned unchanged.
 * @example inputToJsonSchema({ userId: { type: 'string', required: true } })
 * // { type: 'object', properties: { userId: { type: 'string' } }, required: ['userId'] }
 */
export function inputToJsonSchema(input: Record<string, unknown>): JsonSchema {
  if (isJsonSchema(input)) return Object.keys(input).length ? input : { type: 'object', properties: {} };
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, def] of Object.entries(input)) {
    if (!isObject(def)) {
      properties[name] = {};
      continue;
    }
    const { required: req, ...rest } = def;
    properties[name] = rest;
    if (req === true) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

/** A JSON pointer for a path inside a resource. */
export function pointerOf(...segments: Array<string | number>): string {
  return toPointer(segments);
}

export { pointerSegments };

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
