import jsonata from 'jsonata';
import { nearest } from '../model/suggest.js';
import type { WorkflowTaskResource } from '../model/types.js';
import { isObject, readablePath, taskInputSchema, type Findings } from './context.js';
import { schemaAt } from './json-schema.js';
import { jsonSchemaProblems } from './schema.js';
import { reportTemplateSyntax, scanTemplates, templateUses } from './templates.js';

/**
 * Rules for one WorkflowTask: the block its type needs, the http url, the templates (a task sees
 * only its own `input`), the JSONata of a transform, and its JSON Schemas.
 */
export function validateTask(task: WorkflowTaskResource, findings: Findings): void {
  const spec = isObject(task.spec) ? task.spec : ({} as Record<string, any>);
  const name = task.metadata.name;
  if (spec.type === 'http' && spec.http === undefined) {
    findings.error('WF_TASK_MISSING_HTTP', '/spec/type', `Task '${name}' is of type http but has no http block`, 'Add http: with at least a url (the legacy request: block works too).');
  }
  if (spec.type === 'transform' && !(isObject(spec.transform) && typeof spec.transform.expression === 'string' && spec.transform.expression)) {
    findings.error(
      'WF_TASK_MISSING_TRANSFORM',
      isObject(spec.transform) ? '/spec/transform' : '/spec/type',
      `Task '${name}' is of type transform but has no transform.expression`,
      'Add transform: { expression: <JSONata> }.',
    );
  }
  if (isObject(spec.http)) checkHttp(task, spec.http, findings);
  if (isObject(spec.transform) && typeof spec.transform.expression === 'string' && spec.transform.expression) {
    checkJsonata(name, spec.transform.expression, '/spec/transform/expression', findings);
  }
  for (const field of ['inputSchema', 'outputSchema'] as const) {
    if (spec[field] === undefined) continue;
    reportJsonSchema(findings, spec[field], `/spec/${field}`, `Task '${name}' ${field}`);
  }
}

/** Reports every problem of a user-written JSON Schema at its place inside the resource. */
export function reportJsonSchema(findings: Findings, schema: unknown, pointer: string, owner: string): void {
  for (const p of jsonSchemaProblems(schema)) {
    const where = readablePath(pointer + p.pointer);
    findings.error('WF_JSON_SCHEMA_INVALID', pointer + p.pointer, `${owner} is not a valid JSON Schema: ${where} ${p.message}`, 'Fix the schema (see json-schema.org); types are string, number, integer, boolean, object, array, null.');
  }
}

function checkHttp(task: WorkflowTaskResource, http: Record<string, any>, findings: Findings): void {
  const name = task.metadata.name;
  const strings = (['url', 'headers', 'query', 'body'] as const).flatMap((k) => scanTemplates(http[k], `/spec/http/${k}`));
  const owner = (pointer: string) => `Task '${name}' ${readablePath(pointer).replace(/^spec\./, '')}`;
  reportTemplateSyntax(findings, strings, (t) => owner(t.pointer));
  const schema = taskInputSchema(task);
  for (const use of templateUses(strings)) {
    const { path, string } = use;
    const place = { text: string.text, offset: path.offset };
    if (path.root !== 'input') {
      findings.error(
        'WF_TASK_TEMPLATE_ROOT',
        string.pointer,
        `${owner(string.pointer)} reads '${path.text}'; a task's templates can only read its own input`,
        `Declare the value in the task's inputSchema, read it as {{ input.<field> }}, and pass it from the workflow step's input.`,
        place,
      );
      continue;
    }
    if (!schema || path.segments.length === 0) continue;
    const found = schemaAt(schema, path.segments);
    if (found.kind !== 'missing') continue;
    const best = nearest(found.key, found.known, 1)[0];
    findings.error(
      'WF_TEMPLATE_UNKNOWN_INPUT',
      string.pointer,
      `${owner(string.pointer)} reads '${path.text}', but the task's inputSchema declares no '${found.key}'${best ? `. Did you mean '${best}'?` : ''}`,
      `Declare '${found.key}' in spec.inputSchema, or fix the name.`,
      place,
    );
  }
  if (typeof http.url === 'string' && http.url) checkUrl(name, http.url, findings);
}

function checkUrl(name: string, url: string, findings: Findings): void {
  const pointer = '/spec/http/url';
  const trimmed = url.trim();
  if (trimmed.startsWith('{{')) {
    findings.info(
      'WF_TASK_DYNAMIC_ORIGIN',
      pointer,
      `Task '${name}' takes the scheme and host of its url from a template, so any caller-supplied origin is reachable`,
      'Keep it only if the origin must be chosen at run time, and pass it from a trusted value; otherwise write the origin literally.',
    );
    return;
  }
  const scheme = /^https?:\/\//i.exec(trimmed);
  if (!scheme) {
    findings.error('WF_TASK_URL', pointer, `Task '${name}' url '${url}' is not an absolute http:// or https:// URL`, 'Write the full URL, for example https://api.example.com/users/{{ input.id }}.');
    return;
  }
  const rest = trimmed.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const templated = authority.indexOf('{{');
  if (templated >= 0) {
    findings.error(
      'WF_TASK_URL_TEMPLATED_HOST',
      pointer,
      `Task '${name}' url puts a template in its host; templates may fill the path and query only`,
      'Write the host literally, or start the url with a template to declare an explicitly dynamic origin.',
      { text: url, offset: url.indexOf(trimmed) + scheme[0].length + templated },
    );
    return;
  }
  try {
    // Templates are left in: the host has none by now, and a URL path, query or fragment takes any text.
    new URL(trimmed);
  } catch {
    findings.error('WF_TASK_URL', pointer, `Task '${name}' url '${url}' is not a valid URL`, 'Check the host and port.');
  }
}

interface JsonataError {
  message: string;
  position?: number;
  token?: string;
}

/** Reports a JSONata syntax error at the column of the offending token. */
export function checkJsonata(name: string, expression: string, pointer: string, findings: Findings): void {
  try {
    jsonata(expression);
  } catch (err) {
    const e = err as JsonataError;
    // jsonata reports the position just past the offending token.
    const token = typeof e.token === 'string' && e.token !== '(end)' ? e.token.length : 0;
    const offset = typeof e.position === 'number' ? Math.max(0, Math.min(expression.length, e.position - token)) : 0;
    findings.error(
      'WF_TASK_TRANSFORM_SYNTAX',
      pointer,
      `Task '${name}' transform expression is not valid JSONata: ${e.message}`,
      'Fix the expression; try it at try.jsonata.org.',
      { text: expression, offset },
    );
  }
}
