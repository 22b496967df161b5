import type { SourcePosition } from './diagnostic.js';

/** API groups Weft reads. The second is the earlier .NET operator's group, loaded unchanged. */
export const API_GROUPS = ['workflow.io', 'workflow.example.com'] as const;
export const API_VERSION = 'workflow.io/v1';
export const KINDS = ['WorkflowTask', 'Workflow'] as const;
export type Kind = (typeof KINDS)[number];
/** Roadmap kinds this engine version loads and validates but does not act on yet. */
export const EXTRA_KINDS = ['WorkflowTenant', 'AlertRule'] as const;
export type ExtraKind = (typeof EXTRA_KINDS)[number];
export type JsonSchema = Record<string, unknown>;

export interface ResourceMetadata {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Maps a JSON pointer inside a resource to the place in its file it came from. */
export interface SourceInfo {
  file: string;
  /** 0-based index of the YAML document inside the file. */
  document: number;
  /** Position of the value at `pointer` (or of its nearest existing parent); `key` points at the field's key. */
  locate(pointer: string, options?: { key?: boolean }): SourcePosition;
}

export interface RetrySpec {
  maxAttempts?: number;
  backoff?: string | number;
  maxBackoff?: string | number;
}

export interface HttpSpec {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

export interface WorkflowTaskSpec {
  type: 'http' | 'transform';
  description?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  http?: HttpSpec;
  transform?: { expression: string };
  timeout?: string | number;
  retry?: RetrySpec;
}

export interface ConditionSpec {
  if: string;
}

export interface SwitchCaseSpec {
  match: string | number | boolean;
  taskRef?: string;
  workflowRef?: string;
  input?: Record<string, unknown>;
}

export interface SwitchSpec {
  value: string;
  cases: SwitchCaseSpec[];
  default?: Omit<SwitchCaseSpec, 'match'>;
}

export interface ForEachSpec {
  items: string | unknown[];
  itemVar?: string;
  indexVar?: string;
  /** 0 = unbounded. `maxConcurrency` is read as an alias when loading. */
  maxParallel?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
}

export interface StepSpec {
  id: string;
  description?: string;
  taskRef?: string;
  workflowRef?: string;
  input?: Record<string, unknown>;
  dependsOn?: string[];
  timeout?: string | number;
  retry?: RetrySpec;
  condition?: ConditionSpec;
  switch?: SwitchSpec;
  forEach?: ForEachSpec;
  /** Inline nested steps: the body of a forEach iteration or a group. */
  tasks?: StepSpec[];
}

export interface WorkflowSpec {
  description?: string;
  /** Always a JSON Schema after loading (the legacy flat map is converted). */
  input?: JsonSchema;
  tasks: StepSpec[];
  output?: Record<string, unknown> | unknown;
  timeout?: string | number;
  [extra: string]: unknown;
}

interface ResourceBase<K extends Kind | ExtraKind, S> {
  apiVersion: string;
  kind: K;
  metadata: ResourceMetadata;
  spec: S;
  source: SourceInfo;
}

export type WorkflowTaskResource = ResourceBase<'WorkflowTask', WorkflowTaskSpec>;
export type WorkflowResource = ResourceBase<'Workflow', WorkflowSpec>;
export type Resource = WorkflowTaskResource | WorkflowResource;
/** A WorkflowTenant or AlertRule: loaded, schema-checked, reported, not acted on yet. */
export type ExtraResource = ResourceBase<ExtraKind, Record<string, unknown>>;

/** `Kind/namespace/name`: the identity of a resource across files. */
export function resourceKey(r: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return `${r.kind}/${r.metadata.namespace ?? 'default'}/${r.metadata.name}`;
}

/** `namespace/name`. */
export function qualifiedName(r: { metadata: { namespace?: string; name: string } }): string {
  return `${r.metadata.namespace ?? 'default'}/${r.metadata.name}`;
}
