import type { JsonSchema } from './types.js';

/**
 * JSON Schemas of the resource kinds. The validator compiles them with ajv; the CRD generator
 * derives the Kubernetes OpenAPI v3 schemas from the same objects.
 */
const duration: JsonSchema = {
  anyOf: [
    { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$' },
    { type: 'number', minimum: 0 },
  ],
  description: 'A duration: 250ms, 5s, 1m30s, 2h, or a number of milliseconds',
};

const freeObject: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const anyValue: JsonSchema = { 'x-kubernetes-preserve-unknown-fields': true };
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

const metadata: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
    namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    labels: stringMap,
    annotations: stringMap,
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    managedFields: { type: 'array' },
  },
  additionalProperties: false,
};

const retry: JsonSchema = {
  type: 'object',
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
    backoff: duration,
    maxBackoff: duration,
  },
  additionalProperties: false,
};

const http: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'post', 'put', 'patch', 'delete', 'head', 'options'] },
    url: { type: 'string', minLength: 1 },
    headers: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    query: { type: 'object', additionalProperties: anyValue },
    body: anyValue,
  },
  additionalProperties: false,
};

export const workflowTaskSpecSchema: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['http', 'transform'] },
    description: { type: 'string' },
    inputSchema: freeObject,
    outputSchema: freeObject,
    http,
    request: http,
    transform: {
      type: 'object',
      required: ['expression'],
      properties: { expression: { type: 'string', minLength: 1 } },
      additionalProperties: false,
    },
    timeout: duration,
    retry,
  },
  additionalProperties: false,
};

const refTarget = {
  taskRef: { type: 'string', minLength: 1 },
  workflowRef: { type: 'string', minLength: 1 },
  input: freeObject,
};

const switchSpec: JsonSchema = {
  type: 'object',
  required: ['value', 'cases'],
  properties: {
    value: { type: 'string' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['match'],
        properties: { match: { type: ['string', 'number', 'boolean'] }, ...refTarget },
        additionalProperties: false,
      },
    },
    default: { type: 'object', properties: refTarget, additionalProperties: false },
  },
  additionalProperties: false,
};

const forEach: JsonSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: { anyOf: [{ type: 'string' }, { type: 'array' }] },
    itemVar: { type: 'string' },
    indexVar: { type: 'string' },
    maxParallel: { type: 'integer', minimum: 0 },
    maxConcurrency: { type: 'integer', minimum: 0 },
    toleratedFailureCount: { type: 'integer', minimum: 0 },
    toleratedFailurePercentage: { type: 'number', minimum: 0, maximum: 100 },
  },
  additionalProperties: false,
};

/** Roadmap features this engine version loads and reports on, but does not execute yet. */
export const RESERVED_STEP_FIELDS = ['secrets', 'circuitBreaker', 'fallback'] as const;
export const RESERVED_WORKFLOW_FIELDS = ['triggers', 'dataRetention'] as const;

export const stepSchema: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$', maxLength: 128 },
    description: { type: 'string' },
    ...refTarget,
    dependsOn: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
    timeout: duration,
    retry,
    condition: {
      type: 'object',
      required: ['if'],
      properties: { if: { type: 'string', minLength: 1 } },
      additionalProperties: false,
    },
    switch: switchSpec,
    forEach,
    tasks: { type: 'array', items: { $ref: '#/definitions/step' } },
    secrets: { type: 'array', items: freeObject },
    circuitBreaker: freeObject,
    fallback: freeObject,
  },
  additionalProperties: false,
};

export const workflowSpecSchema: JsonSchema = {
  type: 'object',
  required: ['tasks'],
  properties: {
    description: { type: 'string' },
    input: freeObject,
    inputSchema: freeObject,
    tasks: { type: 'array', items: { $ref: '#/definitions/step' } },
    output: anyValue,
    timeout: duration,
    triggers: { type: 'array', items: freeObject },
    dataRetention: freeObject,
  },
  additionalProperties: false,
  definitions: { step: stepSchema },
};

function resourceSchema(kind: string, spec: JsonSchema): JsonSchema {
  const { definitions, ...specBody } = spec as { definitions?: JsonSchema };
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string', enum: ['workflow.io/v1', 'workflow.example.com/v1'] },
      kind: { const: kind },
      metadata,
      spec: specBody,
      status: freeObject,
    },
    additionalProperties: false,
    ...(definitions ? { definitions } : {}),
  };
}

/** Roadmap Stage 23: a tenant's namespace, quotas, rate limit and allowed tasks. */
export const workflowTenantSpecSchema: JsonSchema = {
  type: 'object',
  properties: {
    namespace: { type: 'string' },
    quotas: {
      type: 'object',
      properties: {
        maxConcurrentWorkflows: { type: 'integer', minimum: 0 },
        maxConcurrentTasks: { type: 'integer', minimum: 0 },
        maxWorkflowsPerHour: { type: 'integer', minimum: 0 },
        maxExecutionDuration: duration,
      },
      additionalProperties: false,
    },
    rateLimit: {
      type: 'object',
      properties: { requestsPerSecond: { type: 'number', minimum: 0 }, burstSize: { type: 'integer', minimum: 0 } },
      additionalProperties: false,
    },
    resourceLimits: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    allowedTaskRefs: { type: 'array', items: { type: 'string' } },
    dataRetention: freeObject,
  },
  additionalProperties: false,
};

/** Roadmap Stage 27: conditions over a workflow's executions and where to send alerts. */
export const alertRuleSpecSchema: JsonSchema = {
  type: 'object',
  required: ['conditions', 'channels'],
  properties: {
    workflow: { type: 'string' },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string', enum: ['executionTime', 'errorRate'] }, threshold: { type: 'number' }, windowMinutes: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      },
    },
    channels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', enum: ['slack', 'pagerduty', 'webhook', 'email'] },
          webhook: { type: 'string' },
          channel: { type: 'string' },
          serviceKey: { type: 'string' },
          severity: { type: 'string' },
          url: { type: 'string' },
          to: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

export const resourceSchemas: Record<'WorkflowTask' | 'Workflow' | 'WorkflowTenant' | 'AlertRule', JsonSchema> = {
  WorkflowTask: resourceSchema('WorkflowTask', workflowTaskSpecSchema),
  Workflow: resourceSchema('Workflow', workflowSpecSchema),
  WorkflowTenant: resourceSchema('WorkflowTenant', workflowTenantSpecSchema),
  AlertRule: resourceSchema('AlertRule', alertRuleSpecSchema),
};
