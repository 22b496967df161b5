import { stringify } from 'yaml';
import { resourceSchemas } from '../engine/model/schemas.js';
import type { JsonSchema } from '../engine/model/types.js';
import { setPointer, getPointer } from './diff/ignore.js';
import type { Defaulter } from './diff/normalize.js';
import { isPlainObject, type KubeObject } from './model.js';

export const CRD_GROUP = 'workflow.io';
export const CRD_VERSION = 'v1';

interface CrdKind {
  kind: 'WorkflowTask' | 'Workflow';
  plural: string;
  shortNames: string[];
  /** Server-side defaults, by JSON pointer inside the resource: what the engine assumes when the field is absent. */
  defaults: Record<string, unknown>;
  columns: Array<{ name: string; type: string; jsonPath: string }>;
}

const KINDS: CrdKind[] = [
  {
    kind: 'WorkflowTask',
    plural: 'workflowtasks',
    shortNames: ['wft'],
    defaults: { '/spec/http/method': 'GET' },
    columns: [
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'URL', type: 'string', jsonPath: '.spec.http.url' },
    ],
  },
  {
    kind: 'Workflow',
    plural: 'workflows',
    shortNames: ['wf'],
    defaults: {},
    columns: [{ name: 'Description', type: 'string', jsonPath: '.spec.description' }],
  },
];

/** How many times a recursive `$ref` (a step's nested `tasks`) is inlined before the rest is kept unvalidated. */
const RECURSION_DEPTH = 2;
const PRESERVE = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const ANY = { 'x-kubernetes-preserve-unknown-fields': true };
const DROPPED = new Set(['$schema', '$id', 'definitions', '$defs', 'const', 'additionalProperties']);

/**
 * Converts one of Weft's JSON Schemas into a Kubernetes structural schema: `$ref`s inlined
 * (a recursive one twice, then `x-kubernetes-preserve-unknown-fields`), no `additionalProperties`
 * beside `properties`, union types as `nullable`, int-or-string or preserved values, `const` as `enum`.
 */
export function toStructural(schema: JsonSchema, definitions: Record<string, JsonSchema> = {}, seen: Record<string, number> = {}): JsonSchema {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/(definitions|\$defs)\//, '');
    const depth = seen[name] ?? 0;
    if (depth >= RECURSION_DEPTH || !definitions[name]) return { ...PRESERVE };
    return toStructural(definitions[name], definitions, { ...seen, [name]: depth + 1 });
  }
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) if (!DROPPED.has(k) && k !== 'anyOf' && k !== 'type') out[k] = v;
  if ('const' in schema) {
    out.enum = [schema.const];
    out.type = typeof schema.const === 'number' ? 'number' : typeof schema.const;
  }
  const type = schema.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    if (nonNull.length === 1) {
      out.type = nonNull[0];
      if (type.includes('null')) out.nullable = true;
    } else return { ...(schema.description ? { description: schema.description } : {}), ...ANY };
  } else if (typeof type === 'string') out.type = type;
  if (Array.isArray(schema.anyOf)) {
    const branchTypes = (schema.anyOf as JsonSchema[]).map((b) => b.type);
    const set = new Set(branchTypes);
    if (set.size === 2 && set.has('string') && (set.has('number') || set.has('integer'))) {
      // The one junctor form structural schemas allow types in; branch patterns stay with the validator.
      out['x-kubernetes-int-or-string'] = true;
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    } else if (!out.type) return { ...(schema.description ? { description: schema.description } : {}), ...ANY };
  }
  if (isPlainObject(schema.properties)) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toStructural(v as JsonSchema, definitions, seen)]));
  } else if (isPlainObject(schema.additionalProperties)) {
    out.additionalProperties = toStructural(schema.additionalProperties as JsonSchema, definitions, seen);
  }
  if (isPlainObject(schema.items)) out.items = toStructural(schema.items as JsonSchema, definitions, seen);
  else if (out.type === 'array') out.items = { ...PRESERVE };
  if (!out.type && !out['x-kubernetes-preserve-unknown-fields'] && !out['x-kubernetes-int-or-string']) return { ...(schema.description ? { description: schema.description } : {}), ...ANY };
  const { type: t, ...rest } = out;
  return t === undefined ? rest : { type: t, ...rest };
}

/** The OpenAPI v3 schema of one kind's CRD, generated from `engine/model/schemas.ts`. */
export function crdSchema(kind: CrdKind['kind']): JsonSchema {
  const source = resourceSchemas[kind] as JsonSchema & { definitions?: Record<string, JsonSchema>; properties: Record<string, JsonSchema> };
  const definitions = source.definitions ?? {};
  const spec = toStructural(source.properties.spec, definitions);
  const def = KINDS.find((k) => k.kind === kind)!;
  const root: JsonSchema = {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec,
      status: { ...PRESERVE },
    },
  };
  for (const [pointer, value] of Object.entries(def.defaults)) {
    const schemaPointer = pointer.split('/').filter(Boolean).map((s) => `/properties/${s}`).join('');
    const node = getPointer(root, schemaPointer);
    if (!isPlainObject(node)) throw new Error(`CRD default ${pointer} of ${kind} points at no schema node`);
    setPointer(root, `${schemaPointer}/default`, value);
  }
  return root;
}

/** The CustomResourceDefinitions of Weft's kinds, as Kubernetes objects. */
export function generateCrds(): KubeObject[] {
  return KINDS.map((k) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${CRD_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'weft' } },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.kind.toLowerCase(), shortNames: k.shortNames },
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...k.columns, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
          schema: { openAPIV3Schema: crdSchema(k.kind) },
        },
      ],
    },
  }));
}

/** The CRD files as written under `kustomize/base/crds/`: file name -> YAML text. */
export function crdFiles(): Record<string, string> {
  const header = '# Generated by scripts/gen-crds.mjs from engine/model/schemas.ts. Do not edit by hand.\n';
  return Object.fromEntries(generateCrds().map((crd) => [`${(crd.spec as { names: { plural: string } }).names.plural}.yaml`, header + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })]));
}

/** The plural resource name of a Weft kind (`workflowtasks`), or undefined for other kinds. */
export function pluralOf(kind: string): string | undefined {
  return KINDS.find((k) => k.kind === kind)?.plural;
}

/**
 * A defaulter that fills the CRD defaults into Weft objects, as the API server does on write:
 * a default is set where its parent object exists and the field is absent. Copies along the
 * path it changes; other kinds pass through unchanged.
 */
export function crdDefaulter(): Defaulter {
  const table = new Map<string, Array<{ segments: string[]; value: unknown }>>(KINDS.map((k) => [k.kind, Object.entries(k.defaults).map(([pointer, value]) => ({ segments: pointer.split('/').slice(1), value }))]));
  return (object) => {
    const defaults = table.get(object.kind);
    if (!defaults?.length || (!object.apiVersion.startsWith(`${CRD_GROUP}/`) && !object.apiVersion.startsWith('workflow.example.com/'))) return object;
    let out = object;
    for (const { segments, value } of defaults) out = withDefault(out, segments, value) as KubeObject;
    return out;
  };
}

function withDefault(node: unknown, segments: readonly string[], value: unknown): unknown {
  if (!isPlainObject(node)) return node;
  const [head, ...rest] = segments;
  if (!rest.length) return node[head] === undefined ? { ...node, [head]: value } : node;
  const child = node[head];
  if (!isPlainObject(child)) return node;
  const next = withDefault(child, rest, value);
  return next === child ? node : { ...node, [head]: next };
}
