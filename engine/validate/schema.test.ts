import Ajv, { type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { collapse, jsonSchemaProblems, problemOf, schemaProblems } from './schema.js';

const workflow = (spec: Record<string, unknown>) => ({ apiVersion: 'workflow.io/v1', kind: 'Workflow', metadata: { name: 'w' }, spec });
const task = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 't' }) => ({ apiVersion: 'workflow.io/v1', kind: 'WorkflowTask', metadata, spec });
const httpTask = (extra: Record<string, unknown>) => task({ type: 'http', http: { url: 'https://x.example.com' }, ...extra });
const step = (extra: Record<string, unknown>) => workflow({ tasks: [{ id: 'a', taskRef: 't', ...extra }] });

/** The ajv errors of `data` against `schema`, as the validator's own ajv reports them. */
function ajvErrors(schema: object, data: unknown): ErrorObject[] {
  const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  expect(validate(data)).toBe(false);
  return validate.errors ?? [];
}

const problemsOf = (schema: object, data: unknown) => collapse(ajvErrors(schema, data)).map(problemOf);

describe('schemaProblems', () => {
  it('finds nothing wrong with a valid document', () => {
    expect(schemaProblems('WorkflowTask', httpTask({}))).toEqual([]);
  });

  it('collapses a failed duration anyOf into one WF_SCHEMA_DURATION for the field', () => {
    const problems = schemaProblems('Workflow', workflow({ timeout: '5 sec', tasks: [] }));
    expect(problems).toEqual([
      {
        code: 'WF_SCHEMA_DURATION',
        pointer: '/spec/timeout',
        message: 'spec.timeout "5 sec" is not a duration',
        hint: 'Write a duration such as 250ms, 5s, 1m30s or 2h, or a number of milliseconds.',
      },
    ]);
  });

  it('reports a negative number of milliseconds as a bad duration', () => {
    expect(schemaProblems('WorkflowTask', httpTask({ timeout: -5 }))).toEqual([expect.objectContaining({ code: 'WF_SCHEMA_DURATION', message: 'spec.timeout -5 is not a duration' })]);
  });

  it('reports a duration of neither accepted type as a type problem naming both types', () => {
    expect(schemaProblems('WorkflowTask', httpTask({ timeout: true }))).toEqual([
      { code: 'WF_SCHEMA_TYPE', pointer: '/spec/timeout', message: 'spec.timeout must be a string or a number, not true or false', hint: 'Write a string or a number here.' },
    ]);
  });

  it('reports a value of a type no anyOf branch accepts once, naming the accepted types', () => {
    const problems = schemaProblems('Workflow', workflow({ tasks: [{ id: 'a', taskRef: 't', forEach: { items: 3 } }] }));
    expect(problems).toEqual([
      { code: 'WF_SCHEMA_TYPE', pointer: '/spec/tasks/0/forEach/items', message: 'spec.tasks[0].forEach.items must be a string or a list, not an integer', hint: 'Write a string or a list here.' },
    ]);
  });

  it('explains a value inside the one anyOf branch that fits its type by that branch’s own error', () => {
    expect(schemaProblems('Workflow', step({ dependsOn: ['b', 2] }))).toEqual([
      { code: 'WF_SCHEMA_TYPE', pointer: '/spec/tasks/0/dependsOn/1', message: 'spec.tasks[0].dependsOn[1] must be a string, not an integer', hint: 'Write a string here.' },
    ]);
  });

  it('names the nearest known field of the object for an unknown field, validating nested steps through $ref', () => {
    const problems = schemaProblems('Workflow', workflow({ tasks: [{ id: 'g', tasks: [{ id: 'a', taskRef: 't', dependson: ['x'] }] }] }));
    expect(problems).toEqual([
      {
        code: 'WF_SCHEMA_UNKNOWN_FIELD',
        pointer: '/spec/tasks/0/tasks/0/dependson',
        key: true,
        message: "Unknown field 'dependson' in spec.tasks[0].tasks[0]; did you mean 'dependsOn'?",
        hint: 'Remove it or fix the spelling. Fields allowed here: id, description, taskRef, workflowRef, input, dependsOn, timeout, retry, condition, switch, forEach, tasks, secrets, circuitBreaker, fallback.',
      },
    ]);
  });

  it('suggests nothing for an unknown field close to no known one, and calls the top level "the resource"', () => {
    expect(schemaProblems('WorkflowTask', { ...httpTask({}), zzzzzz: 1 })).toEqual([
      { code: 'WF_SCHEMA_UNKNOWN_FIELD', pointer: '/zzzzzz', key: true, message: "Unknown field 'zzzzzz' in the resource", hint: 'Remove it or fix the spelling. Fields allowed here: apiVersion, kind, metadata, spec, status.' },
    ]);
  });

  it('escapes an unknown field name in its pointer', () => {
    expect(schemaProblems('WorkflowTask', httpTask({ 'a/b': 1 }))[0].pointer).toBe('/spec/a~1b');
  });

  it('names each missing required field', () => {
    expect(schemaProblems('WorkflowTask', { kind: 'WorkflowTask', metadata: { name: 't' }, spec: {} })).toEqual([
      { code: 'WF_SCHEMA_REQUIRED', pointer: '', message: "Missing required field 'apiVersion' in the resource", hint: "Add 'apiVersion'." },
      { code: 'WF_SCHEMA_REQUIRED', pointer: '/spec', message: "Missing required field 'type' in spec", hint: "Add 'type'." },
    ]);
  });

  it.each([
    ['null', null, 'null'],
    ['a list', [], 'a list'],
    ['a fraction', 1.5, 'a number'],
    ['a string', 'x', 'a string'],
    ['an object', {}, 'an object'],
    ['true', true, 'true or false'],
  ])('names the wrong type of %s', (_, value, words) => {
    expect(schemaProblems('WorkflowTask', httpTask({ retry: { maxAttempts: value } }))).toEqual([
      { code: 'WF_SCHEMA_TYPE', pointer: '/spec/retry/maxAttempts', message: `spec.retry.maxAttempts must be an integer, not ${words}`, hint: 'Write an integer here.' },
    ]);
  });

  it('names every type of a type list', () => {
    expect(schemaProblems('WorkflowTask', task({ type: 'http', http: { url: 'https://x.example.com', headers: { a: null } } }))).toEqual([
      { code: 'WF_SCHEMA_TYPE', pointer: '/spec/http/headers/a', message: 'spec.http.headers.a must be a string or a number or true or false, not null', hint: 'Write a string or a number or true or false here.' },
    ]);
  });

  it('lists the allowed values of an enum and suggests the nearest', () => {
    expect(schemaProblems('WorkflowTask', task({ type: 'htp', http: { url: 'https://x.example.com' } }))).toEqual([
      { code: 'WF_SCHEMA_ENUM', pointer: '/spec/type', message: 'spec.type is "htp"; it must be one of "http", "transform". Did you mean \'http\'?', hint: 'Use one of "http", "transform".' },
    ]);
  });

  it('reports a const mismatch as the one allowed value', () => {
    expect(schemaProblems('WorkflowTask', { ...httpTask({}), kind: 'Workflow' })).toEqual([
      { code: 'WF_SCHEMA_ENUM', pointer: '/kind', message: 'kind is "Workflow"; it must be one of "WorkflowTask". Did you mean \'WorkflowTask\'?', hint: 'Use one of "WorkflowTask".' },
    ]);
  });

  it('suggests nothing for a value that is not text', () => {
    expect(schemaProblems('WorkflowTask', { ...httpTask({}), kind: 5 })).toEqual([
      { code: 'WF_SCHEMA_ENUM', pointer: '/kind', message: 'kind is 5; it must be one of "WorkflowTask"', hint: 'Use one of "WorkflowTask".' },
    ]);
  });

  it('shortens a long value to 57 characters and an ellipsis', () => {
    const long = 'x'.repeat(70);
    const [p] = schemaProblems('WorkflowTask', task({ type: long, http: { url: 'https://x.example.com' } }));
    expect(p.message).toBe(`spec.type is "${'x'.repeat(56)}...; it must be one of "http", "transform"`);
  });

  it('shows a value of exactly 60 characters in full', () => {
    const sixty = 'x'.repeat(58); // 60 with its quotes
    const [p] = schemaProblems('WorkflowTask', task({ type: sixty, http: { url: 'https://x.example.com' } }));
    expect(p.message).toBe(`spec.type is "${sixty}"; it must be one of "http", "transform"`);
  });

  it('lists allowed values once when they differ only in case', () => {
    const [p] = schemaProblems('WorkflowTask', task({ type: 'http', http: { method: 'FETCH', url: 'https://x.example.com' } }));
    expect(p).toEqual({
      code: 'WF_SCHEMA_ENUM',
      pointer: '/spec/http/method',
      message: 'spec.http.method is "FETCH"; it must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS". Did you mean \'PATCH\'?',
      hint: 'Use one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS".',
    });
  });

  it('explains bad step ids, resource names and namespaces in words', () => {
    expect(schemaProblems('Workflow', workflow({ tasks: [{ id: '1a', taskRef: 't' }] }))).toEqual([
      { code: 'WF_SCHEMA_PATTERN', pointer: '/spec/tasks/0/id', message: 'Step id "1a" at spec.tasks[0].id is not a valid id', hint: "Start with a letter or '_' and use only letters, digits, '_' and '-'." },
    ]);
    expect(schemaProblems('WorkflowTask', task({ type: 'http', http: { url: 'https://x.example.com' } }, { name: 'Bad_Name', namespace: 'Bad_NS' }))).toEqual([
      { code: 'WF_SCHEMA_PATTERN', pointer: '/metadata/name', message: 'Name "Bad_Name" is not a valid resource name', hint: "Use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit." },
      { code: 'WF_SCHEMA_PATTERN', pointer: '/metadata/namespace', message: 'Namespace "Bad_NS" is not a valid namespace', hint: "Use lowercase letters, digits and '-', starting and ending with a letter or digit." },
    ]);
  });

  it('states the limit of a number out of range', () => {
    expect(schemaProblems('WorkflowTask', httpTask({ retry: { maxAttempts: 0 } }))).toEqual([
      { code: 'WF_SCHEMA_RANGE', pointer: '/spec/retry/maxAttempts', message: 'spec.retry.maxAttempts is 0; it must be >= 1', hint: 'Use a value >= 1.' },
    ]);
    expect(schemaProblems('WorkflowTask', httpTask({ retry: { maxAttempts: 101 } }))).toEqual([
      { code: 'WF_SCHEMA_RANGE', pointer: '/spec/retry/maxAttempts', message: 'spec.retry.maxAttempts is 101; it must be <= 100', hint: 'Use a value <= 100.' },
    ]);
  });

  it('says an empty required text or list must not be empty, and a long one how long it may be', () => {
    expect(schemaProblems('WorkflowTask', task({ type: 'http', http: { url: '' } }))).toEqual([
      { code: 'WF_SCHEMA_LENGTH', pointer: '/spec/http/url', message: 'spec.http.url must not be empty', hint: 'Fill in spec.http.url.' },
    ]);
    expect(schemaProblems('Workflow', step({ taskRef: undefined, switch: { value: 'x', cases: [] } }))).toEqual([
      { code: 'WF_SCHEMA_LENGTH', pointer: '/spec/tasks/0/switch/cases', message: 'spec.tasks[0].switch.cases must not be empty', hint: 'Fill in spec.tasks[0].switch.cases.' },
    ]);
    expect(schemaProblems('WorkflowTask', task({ type: 'http', http: { url: 'https://x.example.com' } }, { name: 'a'.repeat(254) }))).toEqual([
      { code: 'WF_SCHEMA_LENGTH', pointer: '/metadata/name', message: 'metadata.name must have at most 253 characters', hint: 'Shorten metadata.name.' },
    ]);
  });

  it('checks the extra kinds against their own schemas', () => {
    const tenant = { apiVersion: 'workflow.io/v1', kind: 'WorkflowTenant', metadata: { name: 'a' }, spec: { quotas: { maxExecutionDuration: 'x' } } };
    expect(schemaProblems('WorkflowTenant', tenant)).toEqual([expect.objectContaining({ code: 'WF_SCHEMA_DURATION', pointer: '/spec/quotas/maxExecutionDuration' })]);
    const alert = { apiVersion: 'workflow.io/v1', kind: 'AlertRule', metadata: { name: 'a' }, spec: { conditions: [] } };
    expect(schemaProblems('AlertRule', alert)).toEqual([expect.objectContaining({ code: 'WF_SCHEMA_REQUIRED', message: "Missing required field 'channels' in spec" })]);
  });

  it('accepts the legacy request block, flat input map and maxConcurrency as written', () => {
    const legacy = { apiVersion: 'workflow.example.com/v1', kind: 'WorkflowTask', metadata: { name: 't' }, spec: { type: 'http', request: { method: 'get', url: 'https://x.example.com' } } };
    const flow = workflow({ input: { id: { type: 'string', required: true } }, tasks: [{ id: 'a', taskRef: 't', forEach: { items: [1], maxConcurrency: 2 } }] });
    expect(schemaProblems('WorkflowTask', legacy)).toEqual([]);
    expect(schemaProblems('Workflow', flow)).toEqual([]);
  });
});

describe('problemOf', () => {
  it('says how many items or characters a value needs, in the singular for one', () => {
    expect(problemsOf({ type: 'array', minItems: 2 }, [1])).toEqual([{ code: 'WF_SCHEMA_LENGTH', pointer: '', message: 'the resource must have at least 2 items', hint: 'Fill in the resource.' }]);
    expect(problemsOf({ type: 'array', maxItems: 1 }, [1, 2])).toEqual([{ code: 'WF_SCHEMA_LENGTH', pointer: '', message: 'the resource must have at most 1 item', hint: 'Shorten the resource.' }]);
    expect(problemsOf({ properties: { a: { minLength: 3 } } }, { a: 'x' })).toEqual([{ code: 'WF_SCHEMA_LENGTH', pointer: '/a', message: 'a must have at least 3 characters', hint: 'Fill in a.' }]);
    expect(problemsOf({ properties: { a: { maxLength: 1 } } }, { a: 'xy' })).toEqual([{ code: 'WF_SCHEMA_LENGTH', pointer: '/a', message: 'a must have at most 1 character', hint: 'Shorten a.' }]);
    expect(problemsOf({ properties: { a: { minItems: 1 } } }, { a: [] })).toEqual([{ code: 'WF_SCHEMA_LENGTH', pointer: '/a', message: 'a must not be empty', hint: 'Fill in a.' }]);
  });

  it('states exclusive limits with their comparison', () => {
    expect(problemsOf({ properties: { n: { exclusiveMinimum: 0 } } }, { n: 0 })).toEqual([{ code: 'WF_SCHEMA_RANGE', pointer: '/n', message: 'n is 0; it must be > 0', hint: 'Use a value > 0.' }]);
    expect(problemsOf({ properties: { n: { exclusiveMaximum: 5 } } }, { n: 5 })).toEqual([{ code: 'WF_SCHEMA_RANGE', pointer: '/n', message: 'n is 5; it must be < 5', hint: 'Use a value < 5.' }]);
  });

  it('shows a pattern it has no words for', () => {
    expect(problemsOf({ properties: { code: { pattern: '^[A-Z]+$' } } }, { code: 'ab' })).toEqual([
      { code: 'WF_SCHEMA_PATTERN', pointer: '/code', message: 'code "ab" does not match ^[A-Z]+$', hint: 'Write a value matching ^[A-Z]+$.' },
    ]);
  });

  it('treats enum values that differ only in case as one and compares other values as JSON', () => {
    expect(problemsOf({ properties: { m: { enum: ['a', 'A', 1, null, { x: 1 }] } } }, { m: 'zzzz' })).toEqual([
      { code: 'WF_SCHEMA_ENUM', pointer: '/m', message: 'm is "zzzz"; it must be one of "a", 1, null, {"x":1}', hint: 'Use one of "a", 1, null, {"x":1}.' },
    ]);
  });

  it('lists a string and a number with the same text as two values', () => {
    expect(problemsOf({ properties: { m: { enum: ['1', 1, 'true', true, 'null', null] } } }, { m: 2 })).toEqual([
      { code: 'WF_SCHEMA_ENUM', pointer: '/m', message: 'm is 2; it must be one of "1", 1, "true", true, "null", null', hint: 'Use one of "1", 1, "true", true, "null", null.' },
    ]);
  });

  it('suggests no field for an object that lists none', () => {
    expect(problemsOf({ type: 'object', additionalProperties: false }, { x: 1 })).toEqual([
      { code: 'WF_SCHEMA_UNKNOWN_FIELD', pointer: '/x', key: true, message: "Unknown field 'x' in the resource", hint: 'Remove it.' },
    ]);
  });

  it('falls back to WF_SCHEMA_INVALID with ajv’s words for other keywords', () => {
    expect(problemsOf({ properties: { l: { uniqueItems: true } } }, { l: [1, 1] })).toEqual([
      { code: 'WF_SCHEMA_INVALID', pointer: '/l', message: 'l must NOT have duplicate items (items ## 0 and 1 are identical)', hint: 'Fix the value to match the resource schema.' },
    ]);
    const [e] = ajvErrors({ properties: { l: { uniqueItems: true } } }, { l: [1, 1] });
    expect(problemOf({ ...e, message: undefined }).message).toBe('l is not valid');
  });
});

describe('collapse', () => {
  it('keeps the errors of the one anyOf branch whose type list holds the value’s type', () => {
    const schema = { properties: { v: { anyOf: [{ type: ['string', 'null'], minLength: 2 }, { type: 'boolean' }] } } };
    expect(collapse(ajvErrors(schema, { v: 'x' })).map((e) => [e.instancePath, e.keyword])).toEqual([['/v', 'minLength']]);
  });

  it('keeps the anyOf itself when more than one branch fits the value’s type', () => {
    const schema = { properties: { v: { anyOf: [{ type: 'string', minLength: 2 }, { type: 'string', pattern: '^a' }] } } };
    expect(collapse(ajvErrors(schema, { v: 'b' })).map((e) => [e.instancePath, e.keyword])).toEqual([['/v', 'anyOf']]);
  });

  it('counts a branch without a type as fitting any value', () => {
    const schema = { properties: { v: { anyOf: [{ minimum: 5 }, { type: 'string' }] } } };
    expect(collapse(ajvErrors(schema, { v: 1 })).map((e) => [e.instancePath, e.keyword])).toEqual([['/v', 'minimum']]);
  });

  it('lets an integer fit a number branch but not a fraction an integer branch', () => {
    const schema = { properties: { v: { anyOf: [{ type: 'integer', minimum: 5 }, { type: 'string' }] } } };
    expect(collapse(ajvErrors(schema, { v: 1.5 })).map((e) => [e.instancePath, e.keyword])).toEqual([['/v', 'anyOf']]);
    expect(collapse(ajvErrors(schema, { v: 1 })).map((e) => [e.instancePath, e.keyword])).toEqual([['/v', 'minimum']]);
  });

  it('never counts a false branch as fitting', () => {
    const schema = { properties: { v: { anyOf: [false, { type: 'string' }] } } };
    expect(collapse(ajvErrors(schema, { v: 1 })).map((e) => [e.instancePath, e.keyword])).toEqual([['/v', 'anyOf']]);
  });

  it('explains a branch error of an anyOf that is not a duration in the branch’s own words', () => {
    const schema = { properties: { v: { description: 'A list of names', anyOf: [{ type: 'array', minItems: 2 }, { type: 'string' }] } } };
    expect(problemsOf(schema, { v: [1] })).toEqual([{ code: 'WF_SCHEMA_LENGTH', pointer: '/v', message: 'v must have at least 2 items', hint: 'Fill in v.' }]);
  });

  it('names each accepted type of a failed anyOf once, leaving out branches without a type', () => {
    const schema = { properties: { v: { anyOf: [{ minimum: 5 }, { type: 'integer', maximum: 0 }, { type: 'integer', multipleOf: 2 }] } } };
    expect(problemsOf(schema, { v: 1 })).toEqual([{ code: 'WF_SCHEMA_TYPE', pointer: '/v', message: 'v must be an integer, not an integer', hint: 'Write an integer here.' }]);
  });

  it('drops errors repeated with the same field, keyword and parameters', () => {
    const schema = { allOf: [{ required: ['a'] }, { required: ['a'] }, { required: ['b'] }] };
    expect(collapse(ajvErrors(schema, {})).map((e) => [e.keyword, e.params])).toEqual([
      ['required', { missingProperty: 'a' }],
      ['required', { missingProperty: 'b' }],
    ]);
  });

  it('does not mistake a sibling schema path with the same prefix for a branch of the anyOf', () => {
    const errors = [
      { keyword: 'anyOf', instancePath: '/v', schemaPath: '#/anyOf', params: {}, schema: [{ type: 'string' }, { type: 'array' }], data: 1 },
      { keyword: 'type', instancePath: '/v', schemaPath: '#/anyOf/0/type', params: { type: 'string' } },
      { keyword: 'required', instancePath: '', schemaPath: '#/anyOfOther/required', params: { missingProperty: 'x' } },
    ] as unknown as ErrorObject[];
    expect(collapse(errors).map((e) => e.keyword)).toEqual(['anyOf', 'required']);
  });

  it('keeps a failed anyOf whose schema is not a list of branches', () => {
    const errors = [{ keyword: 'anyOf', instancePath: '/v', schemaPath: '#/anyOf', params: {}, schema: { $data: '1/x' }, data: 1 }] as unknown as ErrorObject[];
    expect(collapse(errors).map((e) => e.keyword)).toEqual(['anyOf']);
    expect(problemOf(collapse(errors)[0]).message).toBe('v must be , not an integer');
  });
});

describe('jsonSchemaProblems', () => {
  it('accepts a valid schema, and one that names another draft in $schema', () => {
    expect(jsonSchemaProblems({ type: 'object', properties: { a: { type: 'string' } } })).toEqual([]);
    expect(jsonSchemaProblems({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' })).toEqual([]);
    expect(jsonSchemaProblems(true)).toEqual([]);
  });

  it('does not change the schema it checks', () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' };
    jsonSchemaProblems(schema);
    expect(schema).toEqual({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
  });

  it('still checks the rest of a schema that names another draft', () => {
    expect(jsonSchemaProblems({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'strng' })).toEqual([
      { pointer: '/type', message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' },
    ]);
  });

  it('reports an unknown type name at its pointer with the allowed names', () => {
    expect(jsonSchemaProblems({ type: 'strng' })).toEqual([{ pointer: '/type', message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' }]);
  });

  it('reports a keyword of the wrong type with ajv’s words', () => {
    expect(jsonSchemaProblems({ properties: 3 })).toEqual([{ pointer: '/properties', message: 'must be object' }]);
    expect(jsonSchemaProblems({ properties: { a: { minimum: 'a' } } })).toEqual([{ pointer: '/properties/a/minimum', message: 'must be number' }]);
    expect(jsonSchemaProblems(3)).toEqual([{ pointer: '', message: 'must be object,boolean' }]);
  });

  it('reports each offending location once', () => {
    expect(jsonSchemaProblems({ required: 'a', properties: { a: { type: 'strng' } } })).toEqual([
      { pointer: '/required', message: 'must be array' },
      { pointer: '/properties/a/type', message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' },
    ]);
  });

  it('keeps only the deeper error when a type list holds a bad entry', () => {
    expect(jsonSchemaProblems({ type: ['string', null] })).toEqual([{ pointer: '/type/1', message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' }]);
  });
});
