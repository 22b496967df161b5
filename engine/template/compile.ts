import { nearest } from '../model/suggest.js';
import { toPointer } from '../load/yaml.js';
import { hasTemplate, parseTemplate, type TemplateExpression, type TemplatePath } from './parse.js';

/** What templates resolve against during an execution. */
export interface TemplateScope {
  input: unknown;
  tasks: Record<string, StepView>;
  forEach?: Record<string, unknown>;
  workflow?: Record<string, unknown>;
  execution?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** How a finished (or skipped) step looks to templates: `tasks.<id>.output`, `.status`, `.forEach`. */
export interface StepView {
  status: 'succeeded' | 'failed' | 'skipped';
  output?: unknown;
  forEach?: unknown;
  error?: { type: string; message: string };
  reason?: string;
}

/** A reference found in a compiled value, with the JSON pointer of the field that holds it. */
export interface TemplateRef {
  path: TemplatePath;
  /** Pointer of the string holding the template, relative to the compiled value. */
  pointer: string;
  /** True when the path is followed by a `??` fallback. */
  hasFallback: boolean;
  expression: TemplateExpression;
}

/** A value with its templates compiled; `resolve` does no parsing. */
export interface CompiledValue {
  readonly constant: boolean;
  readonly refs: readonly TemplateRef[];
  resolve(scope: TemplateScope): unknown;
}

export interface CompileOptions {
  /** Who owns the template, for messages: `step 'charge'`, `workflow output`, `task 'get-user' url`. */
  owner: string;
  /** Applied to each interpolated value inside a longer string (e.g. URL encoding). */
  encode?: (text: string) => string;
}

/** A template resolved to nothing: names the owner, the template, the missing key and the nearest keys. */
export class TemplateResolutionError extends Error {
  readonly code: string;
  constructor(
    message: string,
    readonly template: string,
    readonly hint: string,
    /** Set when the value is missing because the step that would produce it was skipped or failed. */
    readonly unavailableStep?: { id: string; status: 'skipped' | 'failed'; reason?: string },
  ) {
    super(message);
    this.name = 'TemplateResolutionError';
    this.code = unavailableStep ? 'WF_TEMPLATE_STEP_UNAVAILABLE' : 'WF_TEMPLATE_MISSING';
  }
}

const MISSING = Symbol('missing');

/**
 * Compiles a YAML value (object, array, string, scalar) so that resolving it walks prepared paths only.
 * A string that is exactly one template keeps the referenced value's JSON type.
 * @example compileValue({ id: '{{ input.id }}', n: 2 }, { owner: "step 'a'" }).resolve({ input: { id: 7 }, tasks: {} })
 * // { id: 7, n: 2 }
 */
export function compileValue(value: unknown, options: CompileOptions): CompiledValue {
  const refs: TemplateRef[] = [];
  const resolve = compileNode(value, [], options, refs);
  if (!resolve) return { constant: true, refs, resolve: () => value };
  return { constant: false, refs, resolve };
}

type Resolver = (scope: TemplateScope) => unknown;

function compileNode(value: unknown, at: Array<string | number>, options: CompileOptions, refs: TemplateRef[]): Resolver | undefined {
  if (typeof value === 'string') return hasTemplate(value) ? compileString(value, at, options, refs) : undefined;
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileNode(v, [...at, i], options, refs));
    if (items.every((r) => !r)) return undefined;
    const resolvers = items.map((r, i) => r ?? (() => value[i]));
    return (scope) => resolvers.map((r) => r(scope));
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const entries = keys.map((k) => compileNode((value as Record<string, unknown>)[k], [...at, k], options, refs));
    if (entries.every((r) => !r)) return undefined;
    const resolvers = entries.map((r, i) => r ?? (() => (value as Record<string, unknown>)[keys[i]]));
    return (scope) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const v = resolvers[i](scope);
        if (v !== undefined) out[keys[i]] = v;
      }
      return out;
    };
  }
  return undefined;
}

function compileString(text: string, at: Array<string | number>, options: CompileOptions, refs: TemplateRef[]): Resolver {
  const parsed = parseTemplate(text);
  const pointer = toPointer(at);
  const expressions = parsed.parts.filter((p): p is TemplateExpression => typeof p !== 'string');
  for (const e of expressions) {
    e.operands.forEach((o, i) => {
      if (o.kind === 'path') refs.push({ path: o, pointer, hasFallback: i < e.operands.length - 1, expression: e });
    });
  }
  if (parsed.whole) return compileExpression(parsed.parts[0] as TemplateExpression, options);
  const encode = options.encode;
  const pieces: Resolver[] = parsed.parts.map((p) => {
    if (typeof p === 'string') return () => p;
    const r = compileExpression(p, options);
    return encode ? (scope) => encode(stringify(r(scope))) : (scope) => stringify(r(scope));
  });
  return (scope) => {
    let out = '';
    for (let i = 0; i < pieces.length; i++) out += pieces[i](scope) as string;
    return out;
  };
}

/** How a value reads inside a longer string: strings as they are, everything else as JSON. */
export function stringify(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
}

function compileExpression(expr: TemplateExpression, options: CompileOptions): Resolver {
  const getters = expr.operands.map((o) => (o.kind === 'literal' ? () => o.value : compilePath(o)));
  const last = expr.operands[expr.operands.length - 1];
  return (scope) => {
    let v: unknown = MISSING;
    for (let i = 0; i < getters.length; i++) {
      v = getters[i](scope);
      if (v !== MISSING && v !== null) return v;
    }
    if (v === MISSING) throw missingError(scope, last as TemplatePath, expr, options);
    return v;
  };
}

/** Compiles a path into a getter that returns MISSING instead of throwing. */
export function compilePath(path: TemplatePath): (scope: TemplateScope) => unknown {
  const root = path.root;
  const segs = path.segments;
  const n = segs.length;
  return (scope) => {
    let v = (scope as unknown as Record<string, unknown>)[root];
    for (let i = 0; i < n; i++) {
      if (v === null || (typeof v !== 'object' && typeof v !== 'string')) return MISSING;
      v = (v as Record<string | number, unknown>)[segs[i]];
    }
    return v === undefined || typeof v === 'function' ? MISSING : v;
  };
}

/** Resolves a path, or `undefined` when it is missing. For tools (plan previews), not the hot path. */
export function lookupPath(scope: TemplateScope, path: TemplatePath): unknown {
  const v = compilePath(path)(scope);
  return v === MISSING ? undefined : v;
}

function keysOf(v: unknown): string[] {
  if (typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.length ? [`[0]…[${v.length - 1}]`] : [];
  const out: string[] = [];
  for (const k in v) out.push(k);
  return out;
}

function missingError(scope: TemplateScope, path: TemplatePath, expr: TemplateExpression, options: CompileOptions): TemplateResolutionError {
  // A path under `tasks` that is missing always names a step: `tasks` itself is always there.
  if (path.root === 'tasks') {
    const view = scope.tasks[String(path.segments[0])];
    if (view && view.status !== 'succeeded') {
      return new TemplateResolutionError(
        `${options.owner}: ${expr.text} reads step '${path.segments[0]}', which was ${view.status}${view.reason ? ` (${view.reason})` : ''}`,
        expr.text,
        `Give the template a fallback, e.g. {{ ${path.text} ?? null }}, or depend on a step that always runs.`,
        { id: String(path.segments[0]), status: view.status, reason: view.reason },
      );
    }
  }
  let v: unknown = (scope as unknown as Record<string, unknown>)[path.root];
  let walked = path.root;
  if (v === undefined) {
    return new TemplateResolutionError(
      `${options.owner}: ${expr.text} starts with '${path.root}', which is not available here`,
      expr.text,
      `Available: ${Object.keys(scope).filter((k) => (scope as any)[k] !== undefined).join(', ')}.`,
    );
  }
  for (const seg of path.segments) {
    // Scalars have no keys but their prototype's methods, which count as missing.
    const next = v === null ? undefined : (v as Record<string | number, unknown>)[seg];
    if (next === undefined || typeof next === 'function') {
      const keys = keysOf(v);
      const close = typeof seg === 'string' ? nearest(seg, keys) : [];
      const kind = v === null ? 'null' : Array.isArray(v) ? `an array of ${(v as unknown[]).length}` : typeof v;
      const detail = typeof seg === 'number' ? `index [${seg}]` : `key '${seg}'`;
      return new TemplateResolutionError(
        `${options.owner}: ${expr.text} has no ${detail} under '${walked}' (${kind})`,
        expr.text,
        close.length
          ? `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}? Keys there: ${keys.slice(0, 10).join(', ')}.`
          : keys.length
            ? `Keys there: ${keys.slice(0, 10).join(', ')}. Or add a fallback: {{ ${path.text} ?? null }}.`
            : `Add a fallback: {{ ${path.text} ?? null }}.`,
      );
    }
    v = next;
    walked += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
  }
  return new TemplateResolutionError(`${options.owner}: ${expr.text} resolved to nothing`, expr.text, 'Check the path.');
}
