/**
 * Every diagnostic code the validator emits, with what it means. The codes are stable: tools,
 * docs and suppressions may key on them.
 */
export const VALIDATION_CODES = {
  // Shape (JSON Schema of the kind, checked on the document as written).
  WF_SCHEMA_TYPE: 'A field has the wrong JSON type.',
  WF_SCHEMA_REQUIRED: 'A required field is missing.',
  WF_SCHEMA_UNKNOWN_FIELD: 'A field the kind does not define (a typo, usually; "did you mean" names the nearest).',
  WF_SCHEMA_ENUM: 'A value outside the allowed set.',
  WF_SCHEMA_PATTERN: 'A name or id with characters that are not allowed.',
  WF_SCHEMA_DURATION: 'A value that is not a duration (250ms, 5s, 1m30s, 2h or milliseconds).',
  WF_SCHEMA_RANGE: 'A number below its minimum or above its maximum.',
  WF_SCHEMA_LENGTH: 'A string or list that is too short or too long.',
  WF_SCHEMA_INVALID: 'Any other schema violation (a fallback for schema keywords without a code of their own).',
  WF_JSON_SCHEMA_INVALID: 'A task inputSchema/outputSchema or workflow input that is not a valid JSON Schema.',

  // Steps of a workflow.
  WF_STEP_DUPLICATE_ID: 'Two steps of one workflow share an id (nested steps included).',
  WF_STEP_NO_ACTION: 'A step with none of taskRef, workflowRef, switch or tasks.',
  WF_STEP_CONFLICTING_ACTIONS: 'A step with more than one of taskRef, workflowRef, switch or tasks.',
  WF_UNKNOWN_TASK: 'A taskRef (of a step or a switch case) naming no WorkflowTask (same code as the engine compiler).',
  WF_STEP_UNKNOWN_DEPENDENCY: 'A dependsOn entry naming no sibling step.',
  WF_STEP_SELF_DEPENDENCY: 'A step that waits for itself or for a step that encloses it.',
  WF_STEP_MISSING_INPUT: "A field the target's input schema requires is not given.",
  WF_STEP_UNKNOWN_INPUT: "A step input field the target's input schema does not declare (warning).",
  WF_CYCLE: 'Steps that wait for each other in a circle (dependsOn and tasks.X references).',

  // Templates.
  WF_TEMPLATE_SYNTAX: 'A `{{ }}` template that does not parse.',
  WF_TEMPLATE_STRAY_CLOSE: "A '}}' with no '{{' before it; the text is sent as written (warning).",
  WF_TEMPLATE_UNKNOWN_ROOT: 'A template path that starts with something other than input, tasks, forEach, workflow, execution, secrets.',
  WF_TEMPLATE_UNKNOWN_TASK: 'tasks.X where X is no step visible from here.',
  WF_TEMPLATE_UNKNOWN_STEP_FIELD: 'tasks.X.Y where Y is not output, status, forEach, error or reason.',
  WF_TEMPLATE_NOT_FOREACH: 'tasks.X.forEach where step X has no forEach.',
  WF_TEMPLATE_UNKNOWN_INPUT: 'input.F where the (workflow or task) input schema declares no F.',
  WF_TEMPLATE_UNKNOWN_OUTPUT: "tasks.X.output.F (or tasks.X.forEach.F) where X's output declares no F: its task outputSchema, a forEach's { results }, a group's nested step ids.",
  WF_CONDITION_SYNTAX: 'A condition.if that does not parse in the condition language (== != > < >= <= && || ! ( )).',
  WF_TEMPLATE_FOREACH_OUTSIDE: 'forEach.* used where no forEach is running.',
  WF_TEMPLATE_UNKNOWN_FOREACH_VAR: 'forEach.V where V is no itemVar/indexVar in scope.',
  WF_TYPE_MISMATCH: 'A value passed straight from one schema-typed field to another of an incompatible type.',
  WF_TYPE_NARROWING: 'A number passed to an integer field (warning).',

  // Tasks.
  WF_TASK_URL: 'An http url that is not an absolute http(s) URL.',
  WF_TASK_URL_TEMPLATED_HOST: 'A template inside the scheme or host of an http url.',
  WF_TASK_DYNAMIC_ORIGIN: 'An http url that starts with a template: its origin is chosen at run time (info).',
  WF_TASK_TEMPLATE_ROOT: 'A task template that reads anything but input.*.',
  WF_TASK_MISSING_HTTP: 'A `type: http` task with no http (or request) block.',
  WF_TASK_MISSING_TRANSFORM: 'A `type: transform` task with no transform.expression.',
  WF_TASK_TRANSFORM_SYNTAX: 'A transform expression that is not valid JSONata.',

  // Control flow.
  WF_SWITCH_DUPLICATE_MATCH: 'Two switch cases with the same match value (compared as lowercase text, as the engine matches).',
  WF_SWITCH_CASE_TARGET: 'A switch case (or default) with no taskRef/workflowRef, or with both.',
  WF_SWITCH_NO_DEFAULT: 'A switch without default: an unmatched value fails the step (warning).',
  WF_FOREACH_ITEMS: 'forEach.items that is neither an array nor exactly one template.',
  WF_FOREACH_VAR_NAME: 'An itemVar/indexVar that is not an identifier or is reserved (index, $parent, $root).',
  WF_NESTING_TOO_DEEP: 'forEach nested deeper than maxNestingDepth.',

  // Sub-workflows.
  WF_UNKNOWN_WORKFLOW: 'A workflowRef naming no Workflow, or a version (@annotation or 7+ characters of the content hash) it is not at.',
  WF_WORKFLOW_REF_DYNAMIC: 'A workflowRef chosen by a template: existence, cycles and depth are checked at run time (info).',
  WF_WORKFLOW_CYCLE: 'Workflows that call each other in a circle through workflowRef.',
  WF_CALL_DEPTH: 'A chain of nested workflows (the caller included) longer than maxCallDepth.',

  // Roadmap fields and the validator itself.
  WF_NOT_SUPPORTED_YET: 'A roadmap field (triggers, dataRetention, secrets, circuitBreaker, fallback) that loads but is not acted on yet (warning).',
  WF_INTERNAL: 'A rule failed on this resource; a bug in the validator, reported instead of a stack trace.',
} as const;

export type ValidationCode = keyof typeof VALIDATION_CODES;
