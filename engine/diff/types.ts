/** How a resource, a step or a field differs between the base and the head tree. */
export type ChangeKind = 'added' | 'removed' | 'changed' | 'renamed';

/** Where a thing is written: a file relative to the repository root and a 1-based line and column. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

/** One field that differs, by its dotted path (`input.userId`, `retry.maxAttempts`, `tasks[load].taskRef`). */
export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** What a contract change does to a schema field. */
export type ContractChangeKind =
  | 'field-added'
  | 'field-removed'
  | 'became-required'
  | 'became-optional'
  | 'type-changed'
  | 'enum-values-added'
  | 'enum-values-removed'
  | 'constraint-changed'
  | 'schema-added'
  | 'schema-removed';

/**
 * A change to the input or output contract of a task or workflow. `field` is the schema path
 * (`address.city`, `items[].sku`, `[].id` for the items of a top-level array; empty for the whole value).
 */
export interface ContractChange {
  contract: 'input' | 'output';
  field: string;
  change: ContractChangeKind;
  breaking: boolean;
  /** Why it is (or is not) breaking, in words a reviewer can check. */
  reason: string;
  before?: unknown;
  after?: unknown;
  /** For task outputs: the `workflow/step` pairs whose templates read this field (or a part of it). */
  readBy?: string[];
}

/** A step of a workflow that differs, matched by id. */
export interface StepChange {
  id: string;
  change: 'added' | 'removed' | 'changed';
  /** Field by field, for a changed step. */
  fields: FieldChange[];
  location?: Location;
}

/** A dependency edge (`from` must finish before `to`) gained or lost. */
export interface EdgeChange {
  from: string;
  to: string;
  change: 'gained' | 'lost';
}

/** A step (in the head tree) that uses a changed task or workflow. */
export interface ImpactEntry {
  /** `namespace/name` of the workflow that holds the step. */
  workflow: string;
  /** The step id (`outer/inner` for a nested step). */
  step: string;
  /** Output fields of the used resource its workflow reads through `tasks.<step>.output…`; `(whole output)` when it reads all of it. */
  reads: string[];
  /** Which of the changed or removed output fields it reads. */
  affected: string[];
  location?: Location;
}

/** Everything that differs for one resource. */
export interface ResourceDiff {
  kind: 'Workflow' | 'WorkflowTask';
  /** `namespace/name` in the head tree (in the base tree for a removed resource). */
  name: string;
  change: ChangeKind;
  /** For a rename: the `namespace/name` in the base tree. */
  renamedFrom?: string;
  location?: Location;
  /** Reasons this change is breaking; empty when it is not. */
  breaking: string[];
  /** Spec fields that differ (steps excluded for workflows: see `steps`). */
  fields: FieldChange[];
  contract: ContractChange[];
  /** Workflows only. */
  steps?: StepChange[];
  edges?: EdgeChange[];
  /** Steps in the head tree that use this resource (tasks through `taskRef`, workflows through `workflowRef`). */
  impact?: ImpactEntry[];
  /** Mermaid flowchart of a changed workflow, changed steps marked. */
  mermaid?: string;
}

export interface DiffSummary {
  added: number;
  removed: number;
  changed: number;
  renamed: number;
  unchanged: number;
  /** Resources with at least one breaking change. */
  breakingResources: number;
  /** Breaking changes, summed over resources. */
  breakingChanges: number;
}

/** The difference between two definition trees, resources in a stable order (breaking first, then kind and name). */
export interface DiffReport {
  summary: DiffSummary;
  resources: ResourceDiff[];
}
