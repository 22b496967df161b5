import type { Diagnostic, Severity, SourcePosition } from '../model/diagnostic.js';
import { resourceKey, type JsonSchema, type Resource, type WorkflowResource, type WorkflowTaskResource } from '../model/types.js';
import { resourceVersion } from '../model/canonical.js';
import { pointerSegments } from '../load/yaml.js';
import type { DefinitionRegistry } from '../load/registry.js';
import type { ValidationCode } from './codes.js';

export interface ValidateOptions {
  /** Deepest forEach nesting allowed inside one workflow (default 3). */
  maxNestingDepth?: number;
  /** Deepest chain of sub-workflow calls allowed (default 5). */
  maxCallDepth?: number;
}

/** Where inside the value at a pointer a finding is. */
export interface Place {
  /** The string at the pointer; a column offset is applied only when it is a single line. */
  text?: string;
  /** 0-based offset inside `text`. */
  offset?: number;
  /** Point at the field's key rather than its value. */
  key?: boolean;
}

/** Collects the diagnostics of one resource, turning pointers into file positions. */
export class Findings {
  readonly diagnostics: Diagnostic[] = [];
  private readonly key: string;

  constructor(readonly resource: Resource) {
    this.key = resourceKey(resource);
  }

  add(code: ValidationCode, severity: Severity, pointer: string, message: string, hint: string, place: Place = {}): void {
    this.diagnostics.push({
      code,
      severity,
      message,
      hint,
      ...positionOf(this.resource, pointer, place),
      pointer,
      resource: this.key,
    });
  }

  error(code: ValidationCode, pointer: string, message: string, hint: string, place?: Place): void {
    this.add(code, 'error', pointer, message, hint, place);
  }

  warning(code: ValidationCode, pointer: string, message: string, hint: string, place?: Place): void {
    this.add(code, 'warning', pointer, message, hint, place);
  }

  info(code: ValidationCode, pointer: string, message: string, hint: string, place?: Place): void {
    this.add(code, 'info', pointer, message, hint, place);
  }
}

/**
 * The file position of a pointer inside a resource. Key positions are not exposed by
 * `SourceInfo` yet, so `key: true` points at the field's value (the key's own line for scalars).
 */
export function positionOf(resource: Resource, pointer: string, place: Place = {}): SourcePosition {
  const at = resource.source.locate(pointer, { key: place.key });
  if (place.offset && place.text !== undefined && !place.text.includes('\n')) return { ...at, column: at.column + place.offset };
  return at;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * A pointer as people read it.
 * @example readablePath('/spec/tasks/2/input/a.b') // 'spec.tasks[2].input["a.b"]'
 */
export function readablePath(pointer: string): string {
  let out = '';
  for (const seg of pointerSegments(pointer)) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Indexes over the whole registry, built once and shared by every rule. */
export class ValidationContext {
  readonly maxNestingDepth: number;
  readonly maxCallDepth: number;
  /** Resolved sub-workflow calls per workflow (qualified name), filled while workflows are checked. */
  readonly calls = new Map<string, WorkflowCall[]>();
  private readonly taskNames = new Map<string, string[]>();
  private readonly workflowNames = new Map<string, string[]>();
  private readonly versions = new Map<WorkflowResource, string>();

  constructor(
    readonly registry: DefinitionRegistry,
    options: ValidateOptions = {},
  ) {
    this.maxNestingDepth = options.maxNestingDepth ?? 3;
    this.maxCallDepth = options.maxCallDepth ?? 5;
  }

  /** A task by `name` (seen from `namespace`) or `ns/name`. */
  task(ref: string, namespace: string): WorkflowTaskResource | undefined {
    return this.registry.task(ref, namespace);
  }

  /** Task names as they would be written from `namespace`, for "did you mean". */
  taskNamesIn(namespace: string): string[] {
    let names = this.taskNames.get(namespace);
    if (!names) this.taskNames.set(namespace, (names = this.registry.taskNames(namespace)));
    return names;
  }

  /** Workflow names as they would be written from `namespace`, for "did you mean". */
  workflowNamesIn(namespace: string): string[] {
    let names = this.workflowNames.get(namespace);
    if (!names) this.workflowNames.set(namespace, (names = this.registry.workflowNames(namespace)));
    return names;
  }

  /** The content hash of a workflow, computed once. */
  versionOf(workflow: WorkflowResource): string {
    let v = this.versions.get(workflow);
    if (!v) this.versions.set(workflow, (v = resourceVersion(workflow)));
    return v;
  }
}

/** One `workflowRef` found in a workflow, resolved to its target. */
export interface WorkflowCall {
  /** Qualified name (`ns/name`) of the called workflow. */
  target: string;
  /** Pointer of the `workflowRef` field in the caller. */
  pointer: string;
  stepId: string;
}

/** The input schema of a task, when it declares one. */
export function taskInputSchema(task: WorkflowTaskResource | undefined): JsonSchema | undefined {
  const s = task?.spec?.inputSchema;
  return isObject(s) ? s : undefined;
}

/** The output schema of a task, when it declares one. */
export function taskOutputSchema(task: WorkflowTaskResource | undefined): JsonSchema | undefined {
  const s = task?.spec?.outputSchema;
  return isObject(s) ? s : undefined;
}
