/** Definition texts the action tests commit to their temporary repositories. */

export const TASKS = `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec:
  type: http
  inputSchema:
    type: object
    properties:
      userId: { type: string }
    required: [userId]
  outputSchema:
    type: object
    properties:
      id: { type: string }
      email: { type: string }
      tier: { type: string }
    required: [id, email, tier]
  http: { method: GET, url: "http://demo-api/users/{{input.userId}}" }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: send-email }
spec:
  type: http
  inputSchema:
    type: object
    properties:
      to: { type: string }
      subject: { type: string }
    required: [to, subject]
  outputSchema:
    type: object
    properties:
      sent: { type: boolean }
  http:
    method: POST
    url: "http://demo-api/notifications/email"
    body: { to: "{{input.to}}", subject: "{{input.subject}}" }
`;

export const WELCOME = `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: welcome }
spec:
  input:
    type: object
    properties:
      userId: { type: string }
    required: [userId]
  tasks:
    - id: fetch-user
      taskRef: get-user
      input: { userId: "{{input.userId}}" }
    - id: notify
      taskRef: send-email
      input:
        to: "{{tasks.fetch-user.output.email}}"
        subject: Welcome
  output:
    userId: "{{tasks.fetch-user.output.id}}"
    sent: "{{tasks.notify.output.sent}}"
`;

/** TASKS with get-user's output field `email` removed (WELCOME still reads it). */
export const TASKS_WITHOUT_EMAIL = TASKS.replace('      email: { type: string }\n', '').replace('required: [id, email, tier]', 'required: [id, tier]');

/** A workflow whose step names a task that does not exist (line 9 holds the bad taskRef). */
export function brokenWorkflow(name: string): string {
  return `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ${name} }
spec:
  tasks:
    - id: first
      taskRef: get-user
      input: { userId: "u-1" }
    - id: second
      taskRef: get-usr
      input: { userId: "u-2" }
`;
}
