import { randomUUID } from 'node:crypto';
import { ajvErrorsToDiagnostics } from '../model/ajv.js';
import { DiagnosticError, type Diagnostic } from '../model/diagnostic.js';
import { nearest } from '../model/suggest.js';
import { DefinitionRegistry } from '../load/registry.js';
import type { AbortFanout } from './abort.js';
import { compileRegistry, type CompiledTask, type CompiledWorkflow, type CompileError } from './compile.js';
import { executeWorkflow, type ExecutionHost, type TaskRunner } from './executor.js';
import { HttpClient, parseOrigins } from './http.js';
import type { ExecutionResult } from './trace.js';

export interface EngineOptions {
  /** Origin aliases, `http://demo-api` → `http://127.0.0.1:8090`. */
  origins?: Iterable<string> | Record<string, string>;
  /** Replaces HTTP and transform calls (benchmarks, tests). */
  runner?: TaskRunner;
  /** Workflow timeout when a workflow sets none (default 30 s). */
  defaultTimeoutMs?: number;
  /** Maximum sub-workflow call depth (default 5). */
  maxCallDepth?: number;
  /** Maximum forEach nesting depth (default 3). */
  maxNestingDepth?: number;
  /** Connections per origin in the HTTP pool (default 256). */
  connections?: number;
  random?: () => number;
}

export interface ExecuteOptions {
  namespace?: string;
  signal?: AbortSignal;
  /**
   * The run's own abort handle, handed over by the caller in place of (or beside) `signal`:
   * aborting it cancels the run; a CancelledError, DeadlineError or StepTimeoutError reason keeps
   * its kind. A server gives each request's handle this way: no AbortController and no linked
   * signal per run.
   */
  controller?: AbortFanout;
  executionId?: string;
  /** Outputs to use instead of calling, by step id. */
  mocks?: ReadonlyMap<string, unknown>;
  timeoutMs?: number;
}

/**
 * The engine: compiled definitions plus the shared HTTP client. `load` swaps definitions
 * atomically; running executions keep the ones they started with.
 * @example
 * const engine = new Engine(registry, { origins: ['http://demo-api=http://127.0.0.1:8090'] });
 * const result = await engine.execute('user-dashboard', { userId: '1' });
 */
export class Engine {
  readonly http: HttpClient;
  private readonly origins: Map<string, string>;
  private readonly options: EngineOptions;
  private state!: { registry: DefinitionRegistry; tasks: Map<string, CompiledTask>; workflows: Map<string, CompiledWorkflow>; errors: CompileError[] };
  private readonly host: ExecutionHost;

  constructor(registry: DefinitionRegistry = new DefinitionRegistry(), options: EngineOptions = {}) {
    this.options = options;
    this.origins = parseOrigins(options.origins ?? []);
    this.http = new HttpClient({ connections: options.connections });
    const self = this;
    this.host = {
      http: this.http,
      origins: this.origins,
      runner: options.runner,
      maxCallDepth: options.maxCallDepth ?? 5,
      resolveWorkflow: (ref, ns) => self.resolveWorkflow(ref, ns),
      newExecutionId: () => randomUUID(),
      random: options.random ?? Math.random,
    };
    this.load(registry);
  }

  /** Compiles a registry and makes it current. Returns the definitions that did not compile. */
  load(registry: DefinitionRegistry): CompileError[] {
    const compiled = compileRegistry(registry, { origins: this.origins, defaultTimeoutMs: this.options.defaultTimeoutMs ?? 30_000, maxNestingDepth: this.options.maxNestingDepth });
    this.state = { registry, ...compiled };
    return compiled.errors;
  }

  get registry(): DefinitionRegistry {
    return this.state.registry;
  }

  /** Definitions that failed to compile in the current registry. */
  get compileErrors(): readonly CompileError[] {
    return this.state.errors;
  }

  workflow(name: string, namespace = 'default'): CompiledWorkflow | undefined {
    return this.state.workflows.get(name.includes('/') ? name : `${namespace}/${name}`);
  }

  task(name: string, namespace = 'default'): CompiledTask | undefined {
    return this.state.tasks.get(name.includes('/') ? name : `${namespace}/${name}`);
  }

  workflows(): CompiledWorkflow[] {
    return [...this.state.workflows.values()];
  }

  tasks(): CompiledTask[] {
    return [...this.state.tasks.values()];
  }

  /**
   * Resolves `name`, `ns/name`, `name@version` or `ns/name@version`; the version is the
   * `workflow.io/version` annotation or a prefix of the content hash.
   */
  resolveWorkflow(ref: string, namespace = 'default'): CompiledWorkflow | undefined {
    const at = ref.lastIndexOf('@');
    const name = at > 0 ? ref.slice(0, at) : ref;
    const version = at > 0 ? ref.slice(at + 1) : undefined;
    const wf = this.workflow(name, namespace);
    if (!wf || version === undefined) return wf;
    const annotated = wf.resource.metadata.annotations?.['workflow.io/version'];
    if (annotated === version || (version.length >= 7 && wf.version.startsWith(version))) return wf;
    return undefined;
  }

  /**
   * Validates the input against the workflow's schema (defaults applied) and returns the input
   * to run with; throws DiagnosticError listing every input error. Defaults are written into the
   * value, so the caller's object is copied first unless `owned` says it was made for this run
   * (a freshly parsed request body).
   */
  prepareInput(wf: CompiledWorkflow, input: unknown, owned = false): unknown {
    const value = input === undefined || input === null ? {} : owned ? input : structuredClone(input);
    if (!wf.validateInput(value)) {
      throw new DiagnosticError(ajvErrorsToDiagnostics(wf.validateInput.errors ?? [], '/input', 'WF_INPUT_INVALID'));
    }
    return value;
  }

  /**
   * Runs a workflow and waits for its result. Throws DiagnosticError for bad input and
   * `undefined`-workflow errors; step failures are in the result, never thrown.
   */
  async execute(name: string, input: unknown, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const wf = this.resolveWorkflow(name, options.namespace);
    if (!wf) throw new DiagnosticError([unknownWorkflow(name, options.namespace ?? 'default', this.state.registry)]);
    return this.executeCompiled(wf, this.prepareInput(wf, input), options);
  }

  /** Runs an already compiled workflow with an input already validated by `prepareInput`. */
  executeCompiled(wf: CompiledWorkflow, input: unknown, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    return executeWorkflow(wf, input, this.host, {
      executionId: options.executionId ?? randomUUID(),
      signal: options.signal,
      controller: options.controller,
      timeoutMs: options.timeoutMs,
      mocks: options.mocks,
    });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

function unknownWorkflow(name: string, namespace: string, registry: DefinitionRegistry): Diagnostic {
  const close = nearest(name, registry.workflowNames(namespace));
  return {
    code: 'WF_UNKNOWN_WORKFLOW',
    severity: 'error',
    message: `Workflow '${name}' is not loaded in namespace '${namespace}'`,
    hint: close.length ? `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : 'List the loaded workflows with GET /api/v1/workflows.',
    pointer: '/name',
  };
}
