import { describe, expect, it } from 'vitest';
import { jsonSchemaProblems, schemaProblems } from './schema.js';

const workflow = (spec: Record<string, unknown>) => ({ apiVersion: 'workflow.io/v1', kind: 'Workflow', metadata: { name: 'w' }, spec });

describe('schemaProblems', () => {
  it('collapses a failed duration anyOf into one WF_SCHEMA_DURATION for the field', () => {
    const problems = schemaProblems('Workflow', workflow({ timeout: '5 sec', tasks: [] }));
    expect(problems).toEqual([expect.objectContaining({ code: 'WF_SCHEMA_DURATION', pointer: '/spec/timeout' })]);
  });

  it('reports a value of a type no anyOf branch accepts once, naming the accepted types', () => {
    const problems = schemaProblems('Workflow', workflow({ tasks: [{ id: 'a', taskRef: 't', forEach: { items: 3 } }] }));
    expect(problems).toEqual([expect.objectContaining({ code: 'WF_SCHEMA_TYPE', pointer: '/spec/tasks/0/forEach/items', message: expect.stringContaining('a string or a list') })]);
  });

  it('names the nearest known field of the object for an unknown field, validating nested steps through $ref', () => {
    const problems = schemaProblems('Workflow', workflow({ tasks: [{ id: 'g', tasks: [{ id: 'a', taskRef: 't', dependson: ['x'] }] }] }));
    expect(problems).toEqual([
      expect.objectContaining({ code: 'WF_SCHEMA_UNKNOWN_FIELD', pointer: '/spec/tasks/0/tasks/0/dependson', key: true, message: "Unknown field 'dependson' in spec.tasks[0].tasks[0]; did you mean 'dependsOn'?" }),
    ]);
  });

  it('accepts the legacy request block, flat input map and maxConcurrency as written', () => {
    const task = { apiVersion: 'workflow.example.com/v1', kind: 'WorkflowTask', metadata: { name: 't' }, spec: { type: 'http', request: { method: 'get', url: 'https://x.example.com' } } };
    const flow = workflow({ input: { id: { type: 'string', required: true } }, tasks: [{ id: 'a', taskRef: 't', forEach: { items: [1], maxConcurrency: 2 } }] });
    expect(schemaProblems('WorkflowTask', task)).toEqual([]);
    expect(schemaProblems('Workflow', flow)).toEqual([]);
  });

  it('lists allowed values once when they differ only in case', () => {
    const task = { apiVersion: 'workflow.io/v1', kind: 'WorkflowTask', metadata: { name: 't' }, spec: { type: 'http', http: { method: 'FETCH', url: 'https://x.example.com' } } };
    const [p] = schemaProblems('WorkflowTask', task);
    expect(p.code).toBe('WF_SCHEMA_ENUM');
    expect(p.message).toContain('"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"');
    expect(p.message).not.toContain('"get"');
  });
});

describe('jsonSchemaProblems', () => {
  it('accepts a valid schema, and one that names another draft in $schema', () => {
    expect(jsonSchemaProblems({ type: 'object', properties: { a: { type: 'string' } } })).toEqual([]);
    expect(jsonSchemaProblems({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' })).toEqual([]);
  });

  it('reports an unknown type name at its pointer with the allowed names', () => {
    expect(jsonSchemaProblems({ type: 'strng' })).toEqual([{ pointer: '/type', message: expect.stringContaining('"string"') }]);
  });

  it('keeps only the deeper error when a type list holds a bad entry', () => {
    expect(jsonSchemaProblems({ type: ['string', null] })).toEqual([{ pointer: '/type/1', message: expect.stringContaining('must be one of') }]);
  });
});
