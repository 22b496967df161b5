import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import type { WorkflowTaskResource } from '../model/types.js';
import { Findings } from './context.js';
import { checkJsonata, reportJsonSchema, validateTask } from './task.js';

/** The diagnostics of the task rules alone for a task whose spec is `spec` (YAML lines under `spec:`, from line 5). */
function taskFindings(spec: string): Findings {
  const text = `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: t }\nspec:\n${spec}`;
  const resource = loadText(text, 't.yaml').resources[0].resource as WorkflowTaskResource;
  const findings = new Findings(resource);
  validateTask(resource, findings);
  return findings;
}

const check = (spec: string) => taskFindings(spec).diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.line, column: d.column, pointer: d.pointer, message: d.message }));
const codes = (spec: string) => taskFindings(spec).diagnostics.map((d) => d.code);
const http = (url: string) => `  type: http\n  http: { url: ${JSON.stringify(url)} }\n`;

describe('validateTask: the block a task type needs', () => {
  it('requires an http block for an http task', () => {
    expect(taskFindings('  type: http\n').diagnostics).toEqual([
      expect.objectContaining({
        code: 'WF_TASK_MISSING_HTTP',
        severity: 'error',
        line: 5,
        column: 9,
        pointer: '/spec/type',
        message: "Task 't' is of type http but has no http block",
        hint: 'Add http: with at least a url (the legacy request: block works too).',
      }),
    ]);
  });

  it('accepts the legacy request block in place of http', () => {
    expect(codes('  type: http\n  request: { url: "https://x.example.com" }\n')).toEqual([]);
  });

  it('does not ask a transform task for an http block', () => {
    expect(codes('  type: transform\n  transform: { expression: "a + 1" }\n')).toEqual([]);
  });

  it('requires a transform expression for a transform task, pointing at the transform block when there is one', () => {
    const missing = { code: 'WF_TASK_MISSING_TRANSFORM', severity: 'error', message: "Task 't' is of type transform but has no transform.expression" };
    expect(check('  type: transform\n')).toEqual([{ ...missing, line: 5, column: 9, pointer: '/spec/type' }]);
    expect(check('  type: transform\n  transform: {}\n')).toEqual([{ ...missing, line: 6, column: 14, pointer: '/spec/transform' }]);
    expect(check('  type: transform\n  transform: { expression: "" }\n')).toEqual([{ ...missing, line: 6, column: 14, pointer: '/spec/transform' }]);
    expect(check('  type: transform\n  transform: { expression: 3 }\n')).toEqual([{ ...missing, line: 6, column: 14, pointer: '/spec/transform' }]);
    expect(check('  type: transform\n  transform: 3\n')).toEqual([{ ...missing, line: 5, column: 9, pointer: '/spec/type' }]);
    expect(taskFindings('  type: transform\n').diagnostics[0].hint).toBe('Add transform: { expression: <JSONata> }.');
  });

  it('checks nothing of a spec that is not an object', () => {
    expect(codes('  - 3\n')).toEqual([]);
  });

  it('checks the transform expression of a task of any type', () => {
    expect(codes('  type: http\n  http: { url: "https://x.example.com" }\n  transform: { expression: "a +" }\n')).toEqual(['WF_TASK_TRANSFORM_SYNTAX']);
  });
});

describe('validateTask: templates of the http block', () => {
  const spec = [
    '  type: http',
    '  http:',
    '    url: "https://x.example.com/{{ tasks.a.output }}"',
    '    headers: { h: "{{ input.tok }}" }',
    '    query: { q: "{{ workflow.id }}" }',
    '    body: { b: "{{ input.body.x }}", c: "{{ input.token }}", d: "{{ input.body.open.z }}" }',
    '  inputSchema:',
    '    type: object',
    '    properties:',
    '      token: { type: string }',
    '      body: { type: object, properties: { y: {}, open: { type: object } } }',
    '',
  ].join('\n');

  it('lets task templates read only input, at the column of each path', () => {
    expect(check(spec).filter((d) => d.code === 'WF_TASK_TEMPLATE_ROOT')).toEqual([
      { code: 'WF_TASK_TEMPLATE_ROOT', severity: 'error', line: 7, column: 36, pointer: '/spec/http/url', message: "Task 't' http.url reads 'tasks.a.output'; a task's templates can only read its own input" },
      { code: 'WF_TASK_TEMPLATE_ROOT', severity: 'error', line: 9, column: 21, pointer: '/spec/http/query/q', message: "Task 't' http.query.q reads 'workflow.id'; a task's templates can only read its own input" },
    ]);
    expect(taskFindings(spec).diagnostics[0].hint).toBe("Declare the value in the task's inputSchema, read it as {{ input.<field> }}, and pass it from the workflow step's input.");
  });

  it('checks input paths against the inputSchema, suggesting the nearest field', () => {
    const unknown = taskFindings(spec).diagnostics.filter((d) => d.code === 'WF_TEMPLATE_UNKNOWN_INPUT');
    expect(unknown.map((d) => [d.line, d.column, d.pointer, d.message, d.hint])).toEqual([
      [8, 23, '/spec/http/headers/h', "Task 't' http.headers.h reads 'input.tok', but the task's inputSchema declares no 'tok'. Did you mean 'token'?", "Declare 'tok' in spec.inputSchema, or fix the name."],
      [10, 20, '/spec/http/body/b', "Task 't' http.body.b reads 'input.body.x', but the task's inputSchema declares no 'x'. Did you mean 'y'?", "Declare 'x' in spec.inputSchema, or fix the name."],
    ]);
  });

  it('suggests nothing when no declared field is close', () => {
    const s = '  type: http\n  http: { url: "https://x.example.com/{{ input.zzzzzz }}" }\n  inputSchema: { properties: { a: {} } }\n';
    expect(check(s).map((d) => d.message)).toEqual(["Task 't' http.url reads 'input.zzzzzz', but the task's inputSchema declares no 'zzzzzz'"]);
  });

  it('does not check input paths of a task without an inputSchema, nor the whole input', () => {
    expect(codes('  type: http\n  http: { url: "https://x.example.com/{{ input.anything }}" }\n')).toEqual([]);
    expect(codes('  type: http\n  http: { url: "https://x.example.com/{{ input }}" }\n  inputSchema: { properties: { a: {} } }\n')).toEqual([]);
    expect(codes('  type: http\n  http: { url: "https://x.example.com/{{ input.a }}" }\n  inputSchema: [1]\n')).toEqual(['WF_JSON_SCHEMA_INVALID']);
  });

  it('reports template syntax errors of the http block at their column, naming the field', () => {
    expect(check(http('https://a.example.com/{{ input.x }'))).toEqual([
      { code: 'WF_TEMPLATE_SYNTAX', severity: 'error', line: 6, column: 39, pointer: '/spec/http/url', message: "Task 't' http.url: Unclosed template '{{ input.x }'" },
    ]);
  });

  it('ignores an http block that is not an object', () => {
    expect(codes('  type: http\n  http: 3\n')).toEqual([]);
    expect(codes('  type: http\n  http: ~\n')).toEqual([]);
  });
});

describe('validateTask: the http url', () => {
  it('accepts an absolute http(s) url with templates in its path, query and fragment, in any case', () => {
    for (const url of ['https://a.example.com?x={{ input.h }}', 'https://a.example.com#{{ input.h }}', 'HTTP://a.example.com:8080/{{ input.h }}', 'https://a.example.com/{{ input["a b"] }}']) {
      expect(codes(http(url)), url).toEqual([]);
    }
  });

  it('marks a url that starts with a template as a dynamic origin, after leading spaces too', () => {
    expect(taskFindings(http('  {{ input.base }}/x')).diagnostics).toEqual([
      expect.objectContaining({
        code: 'WF_TASK_DYNAMIC_ORIGIN',
        severity: 'info',
        line: 6,
        column: 17,
        message: "Task 't' takes the scheme and host of its url from a template, so any caller-supplied origin is reachable",
        hint: 'Keep it only if the origin must be chosen at run time, and pass it from a trusted value; otherwise write the origin literally.',
      }),
    ]);
  });

  it('requires the http or https scheme at the very start', () => {
    for (const url of ['xhttps://a.example.com', 'ftp://a.example.com', '/users/{{ input.id }}']) {
      expect(taskFindings(http(url)).diagnostics, url).toEqual([
        expect.objectContaining({
          code: 'WF_TASK_URL',
          column: 17,
          message: `Task 't' url '${url}' is not an absolute http:// or https:// URL`,
          hint: 'Write the full URL, for example https://api.example.com/users/{{ input.id }}.',
        }),
      ]);
    }
  });

  it('rejects a template in the host, pointing at the template', () => {
    expect(taskFindings(http('https://{{ input.h }}')).diagnostics).toEqual([
      expect.objectContaining({
        code: 'WF_TASK_URL_TEMPLATED_HOST',
        column: 25,
        message: "Task 't' url puts a template in its host; templates may fill the path and query only",
        hint: 'Write the host literally, or start the url with a template to declare an explicitly dynamic origin.',
      }),
    ]);
    expect(check(http('  https://a.{{ input.h }}.com/x')).map((d) => [d.code, d.column])).toEqual([['WF_TASK_URL_TEMPLATED_HOST', 29]]);
    expect(codes(http('https://a.example.com:{{ input.port }}/x'))).toEqual(['WF_TASK_URL_TEMPLATED_HOST']);
  });

  it('rejects a url that does not parse', () => {
    for (const url of ['https://', 'https://a b.com/{{ input.x }}', 'https://api.example.com:99999/users']) {
      expect(taskFindings(http(url)).diagnostics, url).toEqual([
        expect.objectContaining({ code: 'WF_TASK_URL', column: 17, message: `Task 't' url '${url}' is not a valid URL`, hint: 'Check the host and port.' }),
      ]);
    }
  });

  it('leaves an empty url, or one that is not text, to the schema check', () => {
    expect(codes(http(''))).toEqual([]);
    expect(codes('  type: http\n  http: { url: 5 }\n')).toEqual([]);
  });

  it('rejects an empty host, whatever follows it', () => {
    expect(taskFindings(http('https:///{{ input.x }}')).diagnostics.map((d) => [d.code, d.message])).toEqual([['WF_TASK_URL', "Task 't' url 'https:///{{ input.x }}' is not a valid URL"]]);
  });
});

describe('validateTask: JSON Schemas', () => {
  it('reports each problem of the input and output schemas at its place', () => {
    const s = '  type: http\n  http: { url: "https://a.example.com" }\n  inputSchema: { type: strng }\n  outputSchema: { required: a }\n';
    expect(taskFindings(s).diagnostics.map((d) => [d.code, d.line, d.column, d.pointer, d.message, d.hint])).toEqual([
      [
        'WF_JSON_SCHEMA_INVALID',
        7,
        24,
        '/spec/inputSchema/type',
        'Task \'t\' inputSchema is not a valid JSON Schema: spec.inputSchema.type must be one of "array", "boolean", "integer", "null", "number", "object", "string"',
        'Fix the schema (see json-schema.org); types are string, number, integer, boolean, object, array, null.',
      ],
      [
        'WF_JSON_SCHEMA_INVALID',
        8,
        29,
        '/spec/outputSchema/required',
        "Task 't' outputSchema is not a valid JSON Schema: spec.outputSchema.required must be array",
        'Fix the schema (see json-schema.org); types are string, number, integer, boolean, object, array, null.',
      ],
    ]);
  });

  it('reports a schema that is not an object or boolean at the schema itself', () => {
    const findings = taskFindings('  type: http\n  http: { url: "https://a.example.com" }\n');
    reportJsonSchema(findings, 3, '/spec/http', 'Workflow input');
    expect(findings.diagnostics.map((d) => [d.pointer, d.message])).toEqual([['/spec/http', 'Workflow input is not a valid JSON Schema: spec.http must be object,boolean']]);
  });
});

describe('checkJsonata', () => {
  const expressionAt = (expression: string) => {
    const findings = taskFindings('  type: http\n  http: { url: "https://a.example.com" }\n');
    checkJsonata('t', expression, '/spec/http/url', findings);
    return findings.diagnostics.map((d) => ({ code: d.code, column: d.column, message: d.message, hint: d.hint }));
  };

  it('accepts a valid expression', () => {
    expect(expressionAt('$sum(orders.total)')).toEqual([]);
  });

  it('points at the offending token, not just past it', () => {
    // the url value starts at column 17
    expect(expressionAt('a ] b')).toEqual([
      { code: 'WF_TASK_TRANSFORM_SYNTAX', column: 19, message: 'Task \'t\' transform expression is not valid JSONata: Syntax error: "]"', hint: 'Fix the expression; try it at try.jsonata.org.' },
    ]);
  });

  it('points at the end of an expression that stops too early', () => {
    expect(expressionAt('$sum(a').map((d) => [d.column, d.message])).toEqual([[17 + 6, 'Task \'t\' transform expression is not valid JSONata: Expected ")" before end of expression']]);
  });

  it('points at the whole expression when jsonata gives no position', () => {
    expect(expressionAt('"abc').map((d) => d.column)).toEqual([17 + 4]);
  });
});
