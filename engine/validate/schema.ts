import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { nearest } from '../model/suggest.js';
import { resourceSchemas } from '../model/schemas.js';
import type { ExtraKind, Kind } from '../model/types.js';
import { toPointer } from '../load/yaml.js';
import type { ValidationCode } from './codes.js';
import { isObject, readablePath } from './context.js';

// `strict: false`: the schemas carry `x-kubernetes-*` keywords for the CRD generator.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
addFormats(ajv);

/** One validator per kind, compiled once when this module loads. */
const validators: Record<Kind | ExtraKind, ValidateFunction> = {
  WorkflowTask: ajv.compile(resourceSchemas.WorkflowTask),
  Workflow: ajv.compile(resourceSchemas.Workflow),
  WorkflowTenant: ajv.compile(resourceSchemas.WorkflowTenant),
  AlertRule: ajv.compile(resourceSchemas.AlertRule),
};

/** A schema violation, before it is placed in a file. */
export interface SchemaProblem {
  code: ValidationCode;
  pointer: string;
  message: string;
  hint: string;
  /** Point at the key of the field (unknown fields). */
  key?: boolean;
}

/**
 * Checks a document as written (compatibility forms included) against its kind's JSON Schema.
 * ajv's `anyOf` noise is collapsed to one problem per field.
 * @example schemaProblems('WorkflowTask', { apiVersion: 'workflow.io/v1', kind: 'WorkflowTask', metadata: { name: 'a' }, spec: {} })
 * // [{ code: 'WF_SCHEMA_REQUIRED', pointer: '/spec', message: "Missing required field 'type' in spec", … }]
 */
export function schemaProblems(kind: Kind | ExtraKind, document: unknown): SchemaProblem[] {
  const validate = validators[kind];
  if (validate(document)) return [];
  return collapse(validate.errors ?? []).map(problemOf);
}

/** Drops the branch errors of every failed `anyOf`, keeping one error that explains the field. */
export function collapse(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const inBranch = (e: ErrorObject, a: ErrorObject) => e.schemaPath.startsWith(a.schemaPath + '/');
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  const push = (e: ErrorObject) => {
    const id = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(e);
    }
  };
  for (const e of errors) {
    if (anyOfs.some((a) => inBranch(e, a))) continue;
    if (e.keyword !== 'anyOf') {
      push(e);
      continue;
    }
    // A failed anyOf: when exactly one branch accepts the value's type, its own errors say more.
    const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
    const fitting = branches
      .map((b, i) => ({ b, i }))
      .filter(({ b }) => isObject(b) && (b.type === undefined || typeMatches(b.type, e.data)));
    const branchErrors = fitting.length === 1 ? errors.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/${fitting[0].i}/`)) : [];
    if (branchErrors.length) for (const x of branchErrors) push({ ...x, parentSchema: isDuration(e.parentSchema) ? e.parentSchema : x.parentSchema, keyword: isDuration(e.parentSchema) ? 'duration' : x.keyword });
    else push(e);
  }
  return out;
}

function isDuration(schema: unknown): boolean {
  return isObject(schema) && typeof schema.description === 'string' && schema.description.startsWith('A duration');
}

function typeMatches(type: unknown, data: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => jsonType(data) === t || (t === 'number' && jsonType(data) === 'integer'));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const ARTICLE: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'null' };

function typeWords(types: readonly string[]): string {
  return types.map((t) => ARTICLE[t] ?? t).join(' or ');
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/**
 * Turns one ajv error (from a validator compiled with `verbose: true`) into a message that names
 * the field and a hint that says what to do.
 * @example problemOf({ keyword: 'required', instancePath: '/spec', params: { missingProperty: 'type' }, … })
 * // { code: 'WF_SCHEMA_REQUIRED', pointer: '/spec', message: "Missing required field 'type' in spec", hint: "Add 'type'." }
 */
export function problemOf(e: ErrorObject): SchemaProblem {
  const where = readablePath(e.instancePath) || 'the resource';
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const known = isObject(e.parentSchema) && isObject(e.parentSchema.properties) ? Object.keys(e.parentSchema.properties) : [];
      const best = nearest(field, known, 1)[0];
      return {
        code: 'WF_SCHEMA_UNKNOWN_FIELD',
        pointer: e.instancePath + toPointer([field]),
        key: true,
        message: `Unknown field '${field}' in ${where}${best ? `; did you mean '${best}'?` : ''}`,
        hint: known.length ? `Remove it or fix the spelling. Fields allowed here: ${known.join(', ')}.` : 'Remove it.',
      };
    }
    case 'required':
      return {
        code: 'WF_SCHEMA_REQUIRED',
        pointer: e.instancePath,
        message: `Missing required field '${p.missingProperty}' in ${where}`,
        hint: `Add '${p.missingProperty}'.`,
      };
    case 'type': {
      const types = String(p.type).split(',');
      return {
        code: 'WF_SCHEMA_TYPE',
        pointer: e.instancePath,
        message: `${where} must be ${typeWords(types)}, not ${ARTICLE[jsonType(e.data)] ?? jsonType(e.data)}`,
        hint: `Write ${typeWords(types)} here.`,
      };
    }
    case 'anyOf': {
      const types = (Array.isArray(e.schema) ? e.schema : []).flatMap((b: any) => (isObject(b) ? [b.type].flat() : [])).filter((t): t is string => typeof t === 'string');
      return {
        code: 'WF_SCHEMA_TYPE',
        pointer: e.instancePath,
        message: `${where} must be ${typeWords([...new Set(types)])}, not ${ARTICLE[jsonType(e.data)] ?? jsonType(e.data)}`,
        hint: `Write ${typeWords([...new Set(types)])} here.`,
      };
    }
    case 'duration':
      return {
        code: 'WF_SCHEMA_DURATION',
        pointer: e.instancePath,
        message: `${where} ${shown(e.data)} is not a duration`,
        hint: 'Write a duration such as 250ms, 5s, 1m30s or 2h, or a number of milliseconds.',
      };
    case 'enum':
    case 'const': {
      const allowed = distinctIgnoringCase(e.keyword === 'enum' ? p.allowedValues : [p.allowedValue]);
      const best = typeof e.data === 'string' ? nearest(e.data, allowed.filter((a): a is string => typeof a === 'string'), 1)[0] : undefined;
      return {
        code: 'WF_SCHEMA_ENUM',
        pointer: e.instancePath,
        message: `${where} is ${shown(e.data)}; it must be one of ${allowed.map(shown).join(', ')}${best ? `. Did you mean '${best}'?` : ''}`,
        hint: `Use one of ${allowed.map(shown).join(', ')}.`,
      };
    }
    case 'pattern':
      return { code: 'WF_SCHEMA_PATTERN', pointer: e.instancePath, ...patternText(e.instancePath, where, e.data, String(p.pattern)) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        code: 'WF_SCHEMA_RANGE',
        pointer: e.instancePath,
        message: `${where} is ${shown(e.data)}; it must be ${p.comparison} ${p.limit}`,
        hint: `Use a value ${p.comparison} ${p.limit}.`,
      };
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems': {
      const items = e.keyword.endsWith('Items');
      const min = e.keyword.startsWith('min');
      const unit = items ? 'item' : 'character';
      const message =
        min && p.limit === 1 ? `${where} must not be empty` : `${where} must have ${min ? 'at least' : 'at most'} ${p.limit} ${unit}${p.limit === 1 ? '' : 's'}`;
      return { code: 'WF_SCHEMA_LENGTH', pointer: e.instancePath, message, hint: min ? `Fill in ${where}.` : `Shorten ${where}.` };
    }
    default:
      return { code: 'WF_SCHEMA_INVALID', pointer: e.instancePath, message: `${where} ${e.message ?? 'is not valid'}`, hint: 'Fix the value to match the resource schema.' };
  }
}

/** Allowed values for display: `GET` and `get` are one choice; the string `"1"` and the number `1` are two. */
function distinctIgnoringCase(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = typeof v === 'string' ? `string:${v.toLowerCase()}` : `json:${JSON.stringify(v)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function patternText(pointer: string, where: string, value: unknown, pattern: string): { message: string; hint: string } {
  if (pointer.endsWith('/id')) {
    return {
      message: `Step id ${shown(value)} at ${where} is not a valid id`,
      hint: "Start with a letter or '_' and use only letters, digits, '_' and '-'.",
    };
  }
  if (pointer === '/metadata/name') {
    return { message: `Name ${shown(value)} is not a valid resource name`, hint: "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit." };
  }
  if (pointer === '/metadata/namespace') {
    return { message: `Namespace ${shown(value)} is not a valid namespace`, hint: "Use lowercase letters, digits and '-', starting and ending with a letter or digit." };
  }
  return { message: `${where} ${shown(value)} does not match ${pattern}`, hint: `Write a value matching ${pattern}.` };
}

/** A schema without its `$schema`, so that ajv checks it against draft-07 whatever draft it names. */
function withoutDraft(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _draft, ...rest } = schema;
  return rest;
}

/** A problem in a user-written JSON Schema (task inputSchema/outputSchema, workflow input). */
export interface JsonSchemaProblem {
  /** Pointer inside the schema. */
  pointer: string;
  /** What is wrong, without the location: `must be array`. */
  message: string;
}

/**
 * Checks that a value is a valid JSON Schema (draft-07 meta-schema; a `$schema` naming another
 * draft is ignored, the keywords mostly coincide). One problem per offending location.
 * @example jsonSchemaProblems({ type: 'strng' }) // [{ pointer: '/type', message: 'must be one of "array", "boolean", …' }]
 */
export function jsonSchemaProblems(schema: unknown): JsonSchemaProblem[] {
  const copy = isObject(schema) ? withoutDraft(schema) : schema;
  if (ajv.validateSchema(copy as object)) return [];
  const byPath = new Map<string, ErrorObject>();
  // The first error at a path is kept: for a failed anyOf (a bad `type`), ajv reports the branch
  // that lists the allowed values first, its other branches next, and the anyOf itself last.
  for (const e of ajv.errors ?? []) if (!byPath.has(e.instancePath)) byPath.set(e.instancePath, e);
  // A failed anyOf reports at the field and inside it; the deeper error is the specific one.
  const paths = [...byPath.keys()];
  for (const p of paths) if (paths.some((q) => q.startsWith(p + '/'))) byPath.delete(p);
  return [...byPath.values()].map((e) => ({
    pointer: e.instancePath,
    message: e.keyword === 'enum' ? `must be one of ${(e.params as any).allowedValues.map(shown).join(', ')}` : (e.message ?? 'is not valid'),
  }));
}
