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
const EXECUTION_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The execution id (x-execution-id of the execute answer).' };
const TIME = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description: `${description} RFC 3339 time or epoch milliseconds.` });
const LIST_FILTERS = [
  { name: 'status', in: 'query', required: false, schema: { enum: ['running', 'succeeded', 'failed', 'timed_out', 'cancelled'] } },
  TIME('from', 'Started at or after.'),
  TIME('to', 'Started before.'),
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
  { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'From the `next` link of the previous page.' },
];
const STATS_RANGE = [TIME('from', 'Runs started at or after (default: 24 hours before `to`).'), TIME('to', 'Runs started before (default: now).')];

/** Security requirement of an operation: the bearer scope it needs, or none (public). */
const scope = (s: 'read' | 'execute' | 'admin') => ({ security: [{ bearer: [s] }] });
const PUBLIC = { security: [] };
/** Error answers every secured route may give when auth is on. */
const AUTH_ERRORS = { 401: problem('Missing or unknown bearer token (WF_AUTH_REQUIRED, WF_AUTH_INVALID); only when auth is on'), 403: problem('The token lacks the scope (WF_AUTH_SCOPE)') };
/** Error answers of every route under /api/v1 but the OpenAPI document. */
const API_ERRORS = { ...AUTH_ERRORS, 503: problem('Definitions are still loading (WF_NOT_READY)') };
/** Error answers of every history route. */
const HISTORY_ERRORS = { ...AUTH_ERRORS, 503: problem('Definitions are still loading (WF_NOT_READY), history is off (WF_HISTORY_OFF), or its database failed (WF_HISTORY_UNAVAILABLE)') };
const QUERY_ERROR = { 400: problem('A query parameter is unknown or invalid; `errors[]` has one entry per parameter with the pointer /query/NAME') };
/** Error answers of every catalog route. */
const CATALOG_ERRORS = { ...AUTH_ERRORS, ...QUERY_ERROR, 503: problem('Definitions are still loading (WF_NOT_READY), the definition cache is off (WF_CATALOG_OFF), or its database failed (WF_CATALOG_UNAVAILABLE)') };
const CATALOG_NAMESPACE = { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } };
const CATALOG_SEARCH = [
  { name: 'search', in: 'query', required: false, schema: { type: 'string' }, description: 'Case-insensitive substring of the name or description.' },
  NAMESPACE_FILTER,
  { name: 'label', in: 'query', required: false, schema: { type: 'array', items: { type: 'string', pattern: '^[^=]+=.*$' } }, style: 'form', explode: true, description: '`key=value`; repeat to require several labels.' },
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
  { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
  REQUEST_ID,
];
const catalogList = (what: string) => ({
  get: { summary: `Search the cached ${what} by name or description, namespace and labels`, ...scope('read'), parameters: CATALOG_SEARCH, responses: { 200: { description: `A page of ${what}`, ...json(ref('CatalogPage')) }, ...CATALOG_ERRORS } },
});
const REF_LIST = json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('DefinitionRef') } } });
const PAGE = (description: string) => ({ description, headers: { link: { schema: { type: 'string' }, description: 'rel="next" when more pages follow' } }, ...json(ref('ExecutionPage')) });

/**
 * The OpenAPI document of the Weft API.
 * @example openApiDocument().paths['/api/v1/workflows/{name}/execute'].post.responses['200']
 */
export function openApiDocument(version = '0.1.0'): Record<string, any> {
  return {
    openapi: '3.1.0',
    info: { title: 'Weft engine API', version, description: 'Execute (synchronously or asynchronously) and dry-run workflows, list definitions, read the execution history and statistics. Every error is RFC 9457 problem+json with a stable code, the request id and a hint.' },
    paths: {
      '/healthz': { get: { summary: 'The process is alive', ...PUBLIC, responses: { 200: { description: 'Alive', ...json({ type: 'object', properties: { status: { const: 'ok' } } }) } } } },
      '/readyz': {
        get: {
          summary: 'Definitions are loaded',
          ...PUBLIC,
          responses: { 200: { description: 'Ready', ...json(ref('Readiness')) }, 503: problem('Definitions are still loading (WF_NOT_READY)') },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', ...PUBLIC, responses: { 200: { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } } },
      '/api/v1/definitions/status': { get: { summary: 'Outcome of the last definitions reload, per file', ...scope('read'), responses: { 200: { description: 'Reload status', ...json(ref('ReloadStatus')) }, ...API_ERRORS } } },
      '/api/v1/workflows': {
        get: { summary: 'List workflows', ...scope('read'), parameters: [NAMESPACE_FILTER, REQUEST_ID], responses: { 200: { description: 'Workflows', ...json({ type: 'object', properties: { items: { type: 'array', items: ref('WorkflowSummary') } } }) }, ...API_ERRORS } },
      },
      '/api/v1/workflows/{name}': {
        get: { summary: 'One workflow with its steps and output mapping', ...scope('read'), parameters: [NAME, NAMESPACE, REQUEST_ID], responses: { 200: { description: 'Workflow', ...json(ref('WorkflowDetail')) }, 404: problem('Unknown workflow or version'), ...API_ERRORS } },
      },
      '/api/v1/workflows/{name}/execute': {
        post: {
          summary: 'Run a workflow: wait for its output, or (Prefer: respond-async) answer 202 at once',
          ...scope('execute'),
          parameters: [
            NAME,
            NAMESPACE,
            REQUEST_ID,
            { name: 'mode', in: 'query', required: false, schema: { enum: ['sync', 'async'] }, description: '`async` answers 202 at once, as the header Prefer: respond-async does.' },
            { name: 'prefer', in: 'header', required: false, schema: { type: 'string' }, description: '`respond-async` answers 202 at once with the execution id and its Location; the run continues. Needs history. `return=minimal` answers a successful run without its trace (Preference-Applied: return=minimal); a failed run always carries it.' },
            { name: 'idempotency-key', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' }, description: 'A repeated key within 24 hours answers the first run\'s result (idempotent-replayed: true) instead of running again; the same key with another workflow or input answers 422. Needs history.' },
          ],
          requestBody: EXECUTE_BODY,
          responses: {
            200: { description: 'The run succeeded (with history on: and its record is durable); without `trace` when Prefer: return=minimal was applied', headers: { 'x-execution-id': { schema: { type: 'string' } }, 'preference-applied': { required: false, schema: { type: 'string' }, description: '`return=minimal` when the trace was left out' } }, ...json(ref('ExecutionResult')) },
            202: { description: 'Asynchronous: the run is stored as running and continues', headers: { location: { schema: { type: 'string' } }, 'x-execution-id': { schema: { type: 'string' } } }, ...json(ref('ExecutionAccepted')) },
            400: problem('Malformed body, input errors (`errors[]` has each with a JSON pointer such as /input/userId), a bad mode, Idempotency-Key or callbackUrl, or an option that needs history when it is off'),
            ...AUTH_ERRORS,
            404: problem('Unknown workflow (with a did-you-mean) or version'),
            409: problem('The run of this Idempotency-Key has not finished (WF_IDEMPOTENCY_IN_PROGRESS)'),
            413: problem('Body larger than the limit'),
            422: problem('The Idempotency-Key was first used for another workflow or input (WF_IDEMPOTENCY_KEY_REUSED)'),
            502: problem('The run failed, timed out or was cancelled; `execution` holds the whole result with its trace'),
            503: problem('Definitions are still loading, the history database did not accept the record (WF_HISTORY_WRITE_FAILED, with `execution`), or could not check the Idempotency-Key (WF_HISTORY_UNAVAILABLE; nothing ran)'),
          },
        },
      },
      '/api/v1/workflows/{name}/test': {
        post: {
          summary: 'Dry-run plan: parallel groups, edges, critical path, previews; calls nothing',
          ...scope('execute'),
          parameters: [NAME, NAMESPACE, REQUEST_ID],
          requestBody: EXECUTE_BODY,
          responses: { 200: { description: 'The plan; input errors are in `diagnostics`', ...json(ref('DryRunPlan')) }, 400: problem('Malformed body'), 404: problem('Unknown workflow'), 413: problem('Body larger than the limit'), ...API_ERRORS },
        },
      },
      '/api/v1/workflows/{name}/executions': {
        get: {
          summary: "A workflow's executions, newest first",
          ...scope('read'),
          parameters: [TASK_NAME, NAMESPACE, ...LIST_FILTERS, REQUEST_ID],
          responses: { 200: PAGE('A page of executions'), ...QUERY_ERROR, ...HISTORY_ERRORS },
        },
      },
      '/api/v1/workflows/{name}/versions': {
        get: {
          summary: 'Every version of a workflow that has run, newest first, with its definition',
          ...scope('read'),
          parameters: [TASK_NAME, NAMESPACE, REQUEST_ID],
          responses: { 200: { description: 'Versions', ...json(ref('VersionList')) }, ...QUERY_ERROR, 404: problem('Neither loaded nor in the history'), ...HISTORY_ERRORS },
        },
      },
      '/api/v1/workflows/{name}/stats': {
        get: {
          summary: 'Count, success rate and p50/p95/p99 duration of finished runs in a time range',
          ...scope('read'),
          parameters: [TASK_NAME, NAMESPACE, ...STATS_RANGE, REQUEST_ID],
          responses: { 200: { description: 'Statistics', ...json(ref('Stats')) }, ...QUERY_ERROR, 404: problem('Neither loaded nor in the history'), ...HISTORY_ERRORS },
        },
      },
      '/api/v1/executions': {
        get: {
          summary: 'Executions, newest first, filtered; cursor pagination',
          ...scope('read'),
          parameters: [{ name: 'workflow', in: 'query', required: false, schema: { type: 'string' } }, NAMESPACE_FILTER, ...LIST_FILTERS, REQUEST_ID],
          responses: { 200: PAGE('A page of executions'), ...QUERY_ERROR, ...HISTORY_ERRORS },
        },
      },
      '/api/v1/executions/{id}': {
        get: {
          summary: 'One execution with its input, output and every step record (attempts included)',
          ...scope('read'),
          parameters: [EXECUTION_ID, REQUEST_ID],
          responses: { 200: { description: 'Execution', ...json(ref('ExecutionRecord')) }, ...QUERY_ERROR, 404: problem('Unknown execution'), ...HISTORY_ERRORS },
        },
      },
      '/api/v1/executions/{id}/trace': {
        get: {
          summary: 'The trace of an execution: nested steps, waits, planned vs actual parallel groups, child runs',
          ...scope('read'),
          parameters: [EXECUTION_ID, REQUEST_ID],
          responses: { 200: { description: 'Trace', ...json(ref('TraceView')) }, ...QUERY_ERROR, 404: problem('Unknown execution'), ...HISTORY_ERRORS },
        },
      },
      '/api/v1/executions/{id}/cancel': {
        post: {
          summary: 'Cancel an asynchronous run of this engine process; force=true (admin) marks a run whose replica stopped as cancelled',
          ...scope('execute'),
          parameters: [
            EXECUTION_ID,
            { name: 'force', in: 'query', required: false, schema: { enum: ['true', 'false'] }, description: "Needs the 'admin' scope: marks a run that is running in the history but in no live process as cancelled. A replica still running it overwrites that with the run's real outcome." },
            REQUEST_ID,
          ],
          responses: {
            200: { description: 'Cancelled (or, with force=true, marked cancelled); the stored execution', ...json(ref('ExecutionSummary')) },
            ...QUERY_ERROR,
            404: problem('Unknown execution'),
            409: problem('Already ended (WF_EXECUTION_FINISHED), or running on another engine replica (WF_EXECUTION_ELSEWHERE)'),
            ...HISTORY_ERRORS,
          },
        },
      },
      '/api/v1/tasks': {
        get: { summary: 'List tasks', ...scope('read'), parameters: [NAMESPACE_FILTER, REQUEST_ID], responses: { 200: { description: 'Tasks', ...json({ type: 'object', properties: { items: { type: 'array', items: ref('TaskSummary') } } }) }, ...API_ERRORS } },
      },
      '/api/v1/tasks/{name}': {
        get: { summary: 'One task with its schemas', ...scope('read'), parameters: [TASK_NAME, NAMESPACE, REQUEST_ID], responses: { 200: { description: 'Task', ...json(ref('TaskSummary')) }, 404: problem('Unknown task'), ...API_ERRORS } },
      },
      '/api/v1/tasks/{name}/stats': {
        get: {
          summary: 'Count, success rate and p50/p95/p99 duration of the steps that called a task in a time range',
          ...scope('read'),
          parameters: [TASK_NAME, NAMESPACE, { name: 'workflow', in: 'query', required: false, schema: { type: 'string' }, description: 'Only steps of this workflow.' }, ...STATS_RANGE, REQUEST_ID],
          responses: { 200: { description: 'Statistics', ...json(ref('Stats')) }, ...QUERY_ERROR, 404: problem('Neither loaded nor in the history'), ...HISTORY_ERRORS },
        },
      },
      '/api/v1/catalog/workflows': catalogList('workflows'),
      '/api/v1/catalog/tasks': catalogList('tasks'),
      '/api/v1/catalog/stats': {
        get: { summary: 'Cached definitions counted by kind and namespace, and how many tasks no workflow uses', ...scope('read'), parameters: [REQUEST_ID], responses: { 200: { description: 'Counts', ...json(ref('CatalogCounts')) }, ...CATALOG_ERRORS } },
      },
      '/api/v1/catalog/tasks/unused': {
        get: { summary: 'Cached tasks no workflow references', ...scope('read'), parameters: [NAMESPACE_FILTER, REQUEST_ID], responses: { 200: { description: 'Unused tasks', ...REF_LIST }, ...CATALOG_ERRORS } },
      },
      '/api/v1/catalog/tasks/{namespace}/{name}/workflows': {
        get: { summary: 'The cached workflows whose steps (nested ones included) call a task', ...scope('read'), parameters: [CATALOG_NAMESPACE, TASK_NAME, REQUEST_ID], responses: { 200: { description: 'Workflows', ...REF_LIST }, ...CATALOG_ERRORS } },
      },
      '/api/v1/catalog/workflows/{namespace}/{name}/tasks': {
        get: { summary: 'The tasks a cached workflow calls (nested steps included)', ...scope('read'), parameters: [CATALOG_NAMESPACE, TASK_NAME, REQUEST_ID], responses: { 200: { description: 'Tasks', ...REF_LIST }, ...CATALOG_ERRORS } },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text exposition format 0.0.4)',
          ...scope('read'),
          responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, ...AUTH_ERRORS },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Tokens have scopes read, execute and admin (admin may do everything). Auth is on when tokens are configured.' } },
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
        ExecuteRequest: {
          type: 'object',
          additionalProperties: false,
          properties: {
            input: { description: "The workflow input; checked against the workflow's input schema." },
            callbackUrl: { type: 'string', format: 'uri', description: 'Asynchronous runs only: receives the result JSON by POST when the run ends (retried with backoff).' },
          },
        },
        ExecutionAccepted: {
          type: 'object',
          required: ['executionId', 'status', 'workflow', 'links'],
          properties: { executionId: { type: 'string' }, status: { type: 'string' }, workflow: { type: 'object' }, links: { type: 'object', properties: { self: { type: 'string' }, trace: { type: 'string' }, cancel: { type: 'string' } } } },
        },
        ExecutionSummary: {
          type: 'object',
          required: ['id', 'namespace', 'workflow', 'status', 'startedAt', 'links'],
          properties: {
            id: { type: 'string' },
            namespace: { type: 'string' },
            workflow: { type: 'string' },
            version: { type: 'string' },
            status: { enum: ['running', 'succeeded', 'failed', 'timed_out', 'cancelled'] },
            trigger: { type: 'string', description: '`api`, `api:async`, …' },
            parentId: { type: 'string' },
            startedAt: { type: 'string', format: 'date-time' },
            endedAt: { type: 'string', format: 'date-time' },
            durationMs: { type: 'number' },
            error: { type: 'object' },
            links: { type: 'object', properties: { self: { type: 'string' }, trace: { type: 'string' } } },
          },
        },
        ExecutionPage: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('ExecutionSummary') }, next: { type: 'string', description: 'The next page; absent on the last one.' } } },
        ExecutionRecord: {
          allOf: [
            ref('ExecutionSummary'),
            {
              type: 'object',
              properties: {
                input: { description: 'Secrets masked.' },
                output: { description: 'Secrets masked.' },
                steps: { type: 'array', items: { type: 'object', description: 'One row per step, nested steps flattened with their `path` (process[3].charge); every attempt.' } },
              },
            },
          ],
        },
        TraceView: {
          type: 'object',
          properties: {
            execution: ref('ExecutionSummary'),
            parallelGroups: {
              type: 'object',
              properties: {
                planned: { type: ['array', 'null'], items: { type: 'array', items: { type: 'string' } }, description: 'Dependency levels of the definition version that ran.' },
                actual: { type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'Steps whose recorded start-to-end intervals overlapped.' },
              },
            },
            waitMs: { type: 'object', properties: { total: { type: 'number' }, max: { type: 'number' }, step: { type: 'string' } } },
            childRuns: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, step: { type: 'string' }, workflow: { type: 'string' }, executionId: { type: 'string' }, status: { type: 'string' } } } },
            trace: { type: 'array', items: { type: 'object' } },
          },
        },
        VersionList: {
          type: 'object',
          properties: {
            items: { type: 'array', items: { type: 'object', properties: { version: { type: 'string' }, firstSeen: { type: 'string', format: 'date-time' }, current: { type: 'boolean' }, definition: { type: 'object' } } } },
            current: { type: 'string', description: 'The loaded version.' },
          },
        },
        Stats: {
          type: 'object',
          properties: {
            namespace: { type: 'string' },
            workflow: { type: 'string' },
            task: { type: 'string' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            count: { type: 'integer' },
            succeeded: { type: 'integer' },
            successRate: { type: 'number' },
            durationMs: { type: 'object', properties: { p50: { type: ['number', 'null'] }, p95: { type: ['number', 'null'] }, p99: { type: ['number', 'null'] } } },
          },
        },
        ExecutionResult: {
          type: 'object',
          required: ['executionId', 'workflow', 'status'],
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
        DefinitionRef: { type: 'object', required: ['namespace', 'name'], properties: { namespace: { type: 'string' }, name: { type: 'string' } } },
        CatalogPage: {
          type: 'object',
          required: ['items', 'total'],
          properties: {
            total: { type: 'integer', description: 'Matches in all, beyond this page too.' },
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['kind', 'namespace', 'name', 'version', 'labels', 'syncedAt'],
                properties: {
                  kind: { enum: ['Workflow', 'WorkflowTask'] },
                  namespace: { type: 'string' },
                  name: { type: 'string' },
                  version: { type: 'string', description: 'SHA-256 of the cached document' },
                  sourceVersion: { type: ['string', 'null'], description: 'Git commit or Kubernetes resourceVersion it was synced from, when known.' },
                  description: { type: ['string', 'null'] },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  syncedAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        CatalogCounts: {
          type: 'object',
          required: ['total', 'byKind', 'byNamespace', 'unusedTasks'],
          properties: {
            total: { type: 'integer' },
            byKind: { type: 'object', additionalProperties: { type: 'integer' } },
            byNamespace: { type: 'object', additionalProperties: { type: 'object', properties: { Workflow: { type: 'integer' }, WorkflowTask: { type: 'integer' } } } },
            unusedTasks: { type: 'integer' },
          },
        },
        Readiness: {
          type: 'object',
          properties: { status: { const: 'ready' }, workflows: { type: 'integer' }, tasks: { type: 'integer' }, reload: { type: 'object', properties: { generation: { type: 'integer' }, at: { type: 'string' }, ok: { type: 'boolean' }, errors: { type: 'integer' } } } },
        },
        ReloadStatus: {
          type: 'object',
          properties: {
            source: { enum: ['cache', 'static'], description: 'Instead of a reload: `cache` before the first reload finished (the definitions serving came from the definition cache), `static` for an app without a definitions source.' },
            loading: { type: 'boolean' },
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

/**
 * The bearer scope each documented operation needs, by `METHOD /path/{param}`; null for public ones.
 * @example operationScopes(openApiDocument()).get('GET /api/v1/executions') // 'read'
 */
export function operationScopes(doc: Record<string, any>): Map<string, 'read' | 'execute' | 'admin' | null> {
  const out = new Map<string, 'read' | 'execute' | 'admin' | null>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const requirement = op.security?.[0];
      out.set(`${method.toUpperCase()} ${path}`, requirement ? ((Object.values(requirement)[0]?.[0] as 'read' | 'execute' | 'admin') ?? null) : null);
    }
  }
  return out;
}
