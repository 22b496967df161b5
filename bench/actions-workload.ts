/**
 * Definition trees for the actions benchmark: `tasks` WorkflowTasks and `workflows` Workflows,
 * one resource per file, every workflow a five-step diamond over the tasks. `variant: 'head'`
 * changes what a typical pull request changes: each task gains an output field and a longer
 * timeout, each workflow a step and a rewired dependency.
 */
export interface WorkloadOptions {
  tasks: number;
  workflows: number;
  variant?: 'base' | 'head';
  /** In the head variant, how many of the workflows change (the first ones); default all. */
  changedWorkflows?: number;
}

/** File path (relative) → YAML text. */
export function actionsWorkload(options: WorkloadOptions): Map<string, string> {
  const files = new Map<string, string>();
  const head = options.variant === 'head';
  for (let i = 0; i < options.tasks; i++) files.set(`definitions/tasks/task-${pad(i)}.yaml`, task(i, head));
  for (let j = 0; j < options.workflows; j++) files.set(`definitions/workflows/flow-${pad(j)}.yaml`, workflow(j, options.tasks, head && j < (options.changedWorkflows ?? options.workflows)));
  return files;
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}

function task(i: number, head: boolean): string {
  return `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: task-${pad(i)} }
spec:
  type: http
  description: Fetch record ${i}
  inputSchema:
    type: object
    properties:
      id: { type: string }
      limit: { type: integer, minimum: 1 }
    required: [id]
  outputSchema:
    type: object
    properties:
      id: { type: string }
      value: { type: number }
      status: { type: string, enum: [open, closed] }
      items:
        type: array
        items:
          type: object
          properties:
            sku: { type: string }
            qty: { type: integer }
          required: [sku, qty]${head ? '\n      updatedAt: { type: string }' : ''}
    required: [id, value, status, items]
  http:
    method: GET
    url: "http://demo-api/records/${i}/{{input.id}}"
    query: { limit: "{{input.limit}}" }
    headers: { Accept: application/json }
  timeout: ${head ? '8s' : '5s'}
  retry: { maxAttempts: 3, backoff: 100ms, maxBackoff: 2s }
`;
}

function workflow(j: number, tasks: number, head: boolean): string {
  const t = (k: number) => `task-${pad((j * 3 + k) % tasks)}`;
  return `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: flow-${pad(j)} }
spec:
  description: Diamond ${j}
  input:
    type: object
    properties:
      id: { type: string }
    required: [id]
  timeout: 10s
  tasks:
    - id: load
      taskRef: ${t(0)}
      input: { id: "{{input.id}}" }
    - id: left
      taskRef: ${t(1)}
      input: { id: "{{tasks.load.output.id}}", limit: 5 }
    - id: right
      taskRef: ${t(2)}
      input: { id: "{{tasks.load.output.items[0].sku}}" }
    - id: join
      taskRef: ${t(3)}
      dependsOn: [left${head ? '' : ', right'}]
      input: { id: "{{tasks.left.output.id}}" }${head ? `
    - id: audit
      taskRef: ${t(4)}
      input: { id: "{{tasks.right.output.id}}" }` : ''}
    - id: finish
      taskRef: ${t(5)}
      dependsOn: [join]
      input: { id: "{{tasks.join.output.status}}" }
  output:
    id: "{{tasks.load.output.id}}"
    value: "{{tasks.left.output.value}}"
    status: "{{tasks.finish.output.status}}"
`;
}
