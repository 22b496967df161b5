/** OpenAPI 3.1 description of the routes `createApp` serves (GET /api/v1/openapi.json). */

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const NAME = { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'Workflow name; `name@version` pins a version (annotation or content hash prefix).' };
const TASK_NAME = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const NAMESPACE = { name: 'namespace', in: 'query', required: false, schema: { type: 'string', default: 'default' } };
const NAMESPACE_FILTER = { name: 'namespace', in: 'query', required: false, schema: { type: 'string' }, description: 'Only this namespace (all when absent).' };
const REQUEST_ID = { name: 'x-request-id', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' }, description: 'Echoed in the response and in problems; generated when absent.' };

const EXECUTE_BODY = { required: false, ...json(ref('ExecuteRequest')) };

/**
 * The OpenAPI document of the Weft API.
 * @example openApiDocument().paths['/api/v1/workflows/{name}/execute'].post.responses['200']
 */
export function openApiDocument(version = '0.1.0'): Record<string, any> {
  return {
    openapi: '3.1.0',
    info: { title: 'Weft engine API', version, description: 'Execute and dry-run workflows, list definitions. Every error is RFC 9457 problem+json.' },
    paths: {
      '/healthz': { get: { summary: 'The process is alive', responses: { 200: { description: 'Alive', ...json({ type: 'object', properties: { status: { const: 'ok' } } }) } } } },
      '/readyz': {
        get: {
          summary: 'Definitions are loaded',
          responses: { 200: { description: 'Ready', ...json(ref('Readiness')) }, 503: problem('Definitions are still loading (WF_NOT_READY)') },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } } },
      '/api/v1/definitions/status': { get: { summary: 'Outcome of the last definitions reload, per file', responses: { 200: { description: 'Reload status', ...json(ref('ReloadStatus')) } } } },
      '/api/v1/workflows': {
        get: { summary: 'List workflows', parameters: [NAMESPACE_FILTER, REQUEST_ID], responses: { 200: { description: 'Workflows', ...json({ type: 'object', properties: { items: { type: 'array', items: ref('WorkflowSummary') } } }) } } },
      },
      '/api/v1/workflows/{name}': {
        get: { summary: 'One workflow with its steps and output mapping', parameters: [NAME, NAMESPACE, REQUEST_ID], responses: { 200: { description: 'Workflow', ...json(ref('WorkflowDetail')) }, 404: problem('Unknown workflow or version') } },
      },
      '/api/v1/workflows/{name}/execute': {
        post: {
          summary: 'Run a workflow and wait for its output',
          parameters: [NAME, NAMESPACE, REQUEST_ID],
          requestBody: EXECUTE_BODY,
          responses: {
            200: { description: 'The run succeeded', headers: { 'x-execution-id': { schema: { type: 'string' } } }, ...json(ref('ExecutionResult')) },
            400: problem('Malformed body or input errors; `errors[]` lists each with a JSON pointer such as /input/userId'),
            404: problem('Unknown workflow (with a did-you-mean) or version'),
            413: problem('Body larger than the limit'),
            502: problem('The run failed, timed out or was cancelled; `execution` holds the whole result with its trace'),
            503: problem('Definitions are still loading'),
          },
        },
      },
      '/api/v1/workflows/{name}/test': {
        post: {
          summary: 'Dry-run plan: parallel groups, edges, critical path, previews; calls nothing',
          parameters: [NAME, NAMESPACE, REQUEST_ID],
          requestBody: EXECUTE_BODY,
          responses: { 200: { description: 'The plan; input errors are in `diagnostics`', ...json(ref('DryRunPlan')) }, 400: problem('Malformed body'), 404: problem('Unknown workflow') },
        },
      },
      '/api/v1/tasks': {
        get: { summary: 'List tasks', parameters: [NAMESPACE_FILTER, REQUEST_ID], responses: { 200: { description: 'Tasks', ...json({ type: 'object', properties: { items: { type: 'array', items: ref('TaskSummary') } } }) } } },
      },
      '/api/v1/tasks/{name}': {
        get: { summary: 'One task with its schemas', parameters: [TASK_NAME, NAMESPACE, REQUEST_ID], responses: { 200: { description: 'Task', ...json(ref('TaskSummary')) }, 404: problem('Unknown task') } },
      },
    },
    components: {
      schemas: {
        Diagnostic: {
          type: 'object',
          required: ['code', 'severity', 'message'],
          properties: {
            code: { type: 'string' },
            severity: { enum: ['error', 'warning', 'info'] },
            message: { type: 'string' },
            hint: { type: 'string' },
            file: { type: 'string' },
            line: { type: 'integer' },
            column: { type: 'integer' },
            pointer: { type: 'string' },
            resource: { type: 'string' },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail', 'errors'],
          properties: {
            type: { type: 'string', format: 'uri-reference' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', description: 'Stable, e.g. WF_UNKNOWN_WORKFLOW' },
            detail: { type: 'string' },
            hint: { type: 'string' },
            instance: { type: 'string' },
            requestId: { type: 'string' },
            errors: { type: 'array', items: ref('Diagnostic') },
            execution: ref('ExecutionResult'),
          },
        },
        ExecuteRequest: { type: 'object', additionalProperties: false, properties: { input: { description: "The workflow input; checked against the workflow's input schema." } } },
        ExecutionResult: {
          type: 'object',
          required: ['executionId', 'workflow', 'status', 'trace'],
          properties: {
            executionId: { type: 'string' },
            workflow: { type: 'object', properties: { name: { type: 'string' }, namespace: { type: 'string' }, version: { type: 'string' } } },
            status: { enum: ['succeeded', 'failed', 'timed_out', 'cancelled'] },
            output: {},
            error: { type: 'object' },
            startedAt: { type: 'string', format: 'date-time' },
            endedAt: { type: 'string', format: 'date-time' },
            durationMs: { type: 'number' },
            trace: { type: 'array', items: { type: 'object', description: 'Per step: status, attempts, start, end, duration, wait, HTTP status, URL (secrets masked), error.' } },
          },
        },
        WorkflowSummary: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            namespace: { type: 'string' },
            version: { type: 'string', description: 'SHA-256 of the canonical definition' },
            description: { type: 'string' },
            file: { type: 'string' },
            line: { type: 'integer' },
            stepCount: { type: 'integer' },
            timeoutMs: { type: 'number' },
            inputSchema: { type: 'object' },
          },
        },
        WorkflowDetail: {
          allOf: [
            ref('WorkflowSummary'),
            {
              type: 'object',
              properties: {
                steps: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, taskRef: { type: 'string' }, workflowRef: { type: 'string' }, kind: { type: 'string' }, dependsOn: { type: 'array', items: { type: 'string' } } } } },
                output: {},
              },
            },
          ],
        },
        TaskSummary: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            namespace: { type: 'string' },
            version: { type: 'string' },
            type: { enum: ['http', 'transform'] },
            description: { type: 'string' },
            file: { type: 'string' },
            line: { type: 'integer' },
            method: { type: 'string' },
            url: { type: 'string' },
            timeoutMs: { type: 'number' },
            inputSchema: { type: ['object', 'null'] },
            outputSchema: { type: ['object', 'null'] },
          },
        },
        DryRunPlan: {
          type: 'object',
          properties: {
            workflow: { type: 'object' },
            inputValid: { type: 'boolean' },
            input: {},
            nodes: { type: 'array', items: { type: 'object' } },
            edges: { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, via: { enum: ['dependsOn', 'template', 'both'] } } } },
            parallelGroups: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
            criticalPath: { type: 'array', items: { type: 'string' } },
            maxDepth: { type: 'integer' },
            diagnostics: { type: 'array', items: ref('Diagnostic') },
          },
        },
        Readiness: {
          type: 'object',
          properties: { status: { const: 'ready' }, workflows: { type: 'integer' }, tasks: { type: 'integer' }, reload: { type: 'object', properties: { generation: { type: 'integer' }, at: { type: 'string' }, ok: { type: 'boolean' }, errors: { type: 'integer' } } } },
        },
        ReloadStatus: {
          type: 'object',
          properties: {
            generation: { type: 'integer' },
            at: { type: 'string', format: 'date-time' },
            durationMs: { type: 'number' },
            ok: { type: 'boolean' },
            workflows: { type: 'integer' },
            tasks: { type: 'integer' },
            files: { type: 'array', items: { type: 'object', properties: { file: { type: 'string' }, state: { enum: ['loaded', 'kept-previous', 'rejected', 'removed'] }, errors: { type: 'integer' }, warnings: { type: 'integer' } } } },
            diagnostics: { type: 'array', items: ref('Diagnostic') },
          },
        },
      },
    },
  };
}
