import { ConditionEvaluationError } from '../expr/condition.js';
import { stringify, TemplateResolutionError, type StepView, type TemplateScope } from '../template/compile.js';
import type { CompiledBody, CompiledForEach, CompiledGroup, CompiledStep, CompiledTask, CompiledWorkflow } from './compile.js';
import { CancelledError, DeadlineError, StepError, StepTimeoutError, type StepErrorInfo } from './errors.js';
import { AbortFanout } from './abort.js';
import type { HttpClient } from './http.js';
import { backoffDelay, type RetryPolicy } from './retry.js';
import type { AttemptTrace, ExecutionResult, StepTrace } from './trace.js';
import { maskUrl, newAttemptTrace, newStepTrace } from './trace.js';

/** Replaces the HTTP/transform call of a task (benchmarks, `weft run --mock`, tests). */
export type TaskRunner = (task: CompiledTask, input: unknown, signal: AbortSignal) => Promise<unknown>;

/** What an execution needs from its engine. */
export interface ExecutionHost {
  http: HttpClient;
  origins: ReadonlyMap<string, string>;
  runner?: TaskRunner;
  maxCallDepth: number;
  /** Resolves a workflow reference (`name`, `ns/name`, `name@version`). */
  resolveWorkflow(ref: string, namespace: string): CompiledWorkflow | undefined;
  newExecutionId(): string;
  random(): number;
}

/** Per-run state shared by every step of one execution tree. */
export interface RunContext {
  host: ExecutionHost;
  executionId: string;
  deadline: number;
  timeoutMs: number;
  /** Workflow keys from the root run down to this one, for cycle detection and depth. */
  callStack: readonly string[];
  /** Step outputs to use instead of calling (by step id). */
  mocks?: ReadonlyMap<string, unknown>;
}

/** Epoch milliseconds with sub-millisecond precision. */
const ORIGIN = performance.timeOrigin;
export const now = (): number => ORIGIN + performance.now();

const EMPTY_TASKS: Record<string, StepView> = Object.freeze({}) as Record<string, StepView>;

/** Runs a compiled workflow to completion: never throws for failures of steps, the result says. */
export async function executeWorkflow(
  wf: CompiledWorkflow,
  input: unknown,
  host: ExecutionHost,
  options: { executionId: string; signal?: AbortFanout | AbortSignal; controller?: AbortFanout; timeoutMs?: number; callStack?: readonly string[]; mocks?: ReadonlyMap<string, unknown> },
): Promise<ExecutionResult> {
  const startedAt = now();
  const timeoutMs = Math.max(1, options.timeoutMs ?? wf.timeoutMs);
  // The run's abort handle: its deadline and its caller abort it; every step and call in flight
  // (a forEach runs up to maxParallel at once) listens on it.
  const controller = options.controller ?? new AbortFanout();
  const timer = setTimeout(() => controller.abort(new DeadlineError(timeoutMs)), timeoutMs);
  // A parent run (sub-workflows) or the caller of the Engine API.
  const caller = options.signal;
  const onCallerAbort = () => controller.abort(callerAbortReason(caller?.reason));
  if (caller?.aborted) onCallerAbort();
  else if (caller instanceof AbortFanout) caller.on('abort', onCallerAbort);
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  const ctx: RunContext = {
    host,
    executionId: options.executionId,
    deadline: startedAt + timeoutMs,
    timeoutMs,
    callStack: [...(options.callStack ?? []), wf.key],
    mocks: options.mocks,
  };
  const scope: TemplateScope = {
    input,
    tasks: {},
    forEach: undefined,
    workflow: { name: wf.name, namespace: wf.namespace, version: wf.version },
    execution: { id: options.executionId },
    secrets: undefined,
  };
  let steps: StepTrace[] = [];
  let status: ExecutionResult['status'] = 'succeeded';
  let output: unknown;
  let error: ExecutionResult['error'];
  try {
    steps = await runGroup(wf.group, scope, ctx, controller);
    const failed = firstFailure(steps);
    if (controller.aborted) {
      const reason = callerAbortReason(controller.reason);
      status = reason instanceof DeadlineError ? 'timed_out' : 'cancelled';
      error = {
        type: reason instanceof DeadlineError ? 'timeout' : 'cancelled',
        code: reason instanceof DeadlineError ? 'WF_RUN_TIMEOUT' : 'WF_RUN_CANCELLED',
        message: reason instanceof DeadlineError ? `Workflow '${wf.name}' did not finish within ${timeoutMs}ms` : reason.message,
        hint: reason instanceof DeadlineError ? 'Raise spec.timeout or make the slow steps faster (see the trace).' : 'The caller cancelled or disconnected.',
        ...(failed ? { step: failed.id } : {}),
      };
    } else if (failed) {
      status = 'failed';
      error = { ...(failed.error ?? { type: 'workflow', code: 'WF_STEP_FAILED', message: `Step '${failed.id}' failed` }), step: failed.id };
    } else {
      output = wf.output ? wf.output.resolve(scope) : defaultOutput(scope);
    }
  } catch (err) {
    status = 'failed';
    error = errorInfo(err);
  } finally {
    clearTimeout(timer);
    if (caller instanceof AbortFanout) caller.removeListener('abort', onCallerAbort);
    else caller?.removeEventListener('abort', onCallerAbort);
  }
  const endedAt = now();
  return {
    executionId: options.executionId,
    workflow: { name: wf.name, namespace: wf.namespace, version: wf.version },
    status,
    ...(status === 'succeeded' ? { output } : { error }),
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    steps,
  };
}

/**
 * What steps see when the caller aborts: a parent's deadline or step timeout passes through (a
 * sub-workflow reports it as such); any other reason becomes a CancelledError with its message.
 */
function callerAbortReason(reason: unknown): Error {
  if (reason instanceof DeadlineError || reason instanceof StepTimeoutError || reason instanceof CancelledError) return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return new CancelledError(reason.message);
  return new CancelledError('The caller went away');
}

/** The prototype of a top-level forEach frame: `$root` is the frame itself, `$parent` null. */
const TOP_FRAME: object = Object.defineProperties(
  {},
  {
    $parent: { value: null, writable: true },
    $root: {
      get(this: object) {
        return this;
      },
    },
  },
);

/**
 * A scope like `scope` with its tasks and forEach frame replaced. Written out field by field:
 * every scope of a run then has one shape, which keeps template lookups fast, and an object
 * spread per forEach item cost as much as parsing the item's response.
 */
function derivedScope(scope: TemplateScope, tasks: Record<string, StepView>, forEach: Record<string, unknown> | undefined): TemplateScope {
  return { input: scope.input, tasks, forEach, workflow: scope.workflow, execution: scope.execution, secrets: scope.secrets };
}

function defaultOutput(scope: TemplateScope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, v] of Object.entries(scope.tasks)) if (v.status === 'succeeded') out[id] = v.output;
  return out;
}

/** The step whose failure explains the run: the earliest to end among failed steps (depth first). */
function firstFailure(steps: StepTrace[]): StepTrace | undefined {
  let best: StepTrace | undefined;
  // Steps that never started (no endedAt) explain nothing when one that ran failed.
  for (const s of steps) if (s && (s.status === 'failed' || s.status === 'cancelled') && (!best || (s.endedAt ?? Infinity) < (best.endedAt ?? Infinity))) best = s;
  return best;
}

/**
 * Runs sibling steps, each the moment its own dependencies are done. A failed step's dependents
 * are skipped with the reason; independent branches finish.
 */
export function runGroup(group: CompiledGroup, scope: TemplateScope, ctx: RunContext, signal: AbortFanout): Promise<StepTrace[]> {
  const n = group.steps.length;
  const traces: StepTrace[] = new Array(n);
  if (n === 0) return Promise.resolve(traces);
  return new Promise((resolve) => {
    const pending = new Int32Array(n);
    for (let i = 0; i < n; i++) pending[i] = group.steps[i].deps.length;
    const blockedBy: Array<string | undefined> = new Array(n);
    let remaining = n;
    const finish = (i: number, trace: StepTrace, blocking: boolean): void => {
      traces[i] = trace;
      const step = group.steps[i];
      for (const d of step.dependents) {
        if (blocking && blockedBy[d] === undefined) blockedBy[d] = blockedReason(step.id, trace);
        if (--pending[d] === 0) start(d);
      }
      if (--remaining === 0) resolve(traces);
    };
    const start = (i: number): void => {
      const step = group.steps[i];
      const readyAt = now();
      const blocked = blockedBy[i];
      if (blocked !== undefined || signal.aborted) {
        const trace = signal.aborted ? cancelledTrace(step, readyAt, signal) : skipped(step, readyAt, blocked!);
        scope.tasks[step.id] = { status: 'skipped', reason: trace.reason };
        finish(i, trace, true);
        return;
      }
      runStep(step, scope, ctx, signal, readyAt).then(
        (trace) => finish(i, trace, trace.status === 'failed' || trace.status === 'cancelled'),
        (err) => finish(i, { id: step.id, kind: kindOf(step.body), status: 'failed', readyAt, error: errorInfo(err) }, true),
      );
    };
    for (const r of group.roots) start(r);
  });
}

function blockedReason(id: string, trace: StepTrace): string {
  if (trace.status === 'skipped') return `dependency '${id}' was skipped: ${trace.reason}`;
  return `dependency '${id}' ${trace.status === 'cancelled' ? 'was cancelled' : 'failed'}`;
}

function kindOf(body: CompiledBody): StepTrace['kind'] {
  return body.kind;
}

function skipped(step: CompiledStep, at: number, reason: string): StepTrace {
  return { id: step.id, kind: step.forEach ? 'forEach' : kindOf(step.body), status: 'skipped', reason, readyAt: at };
}

function cancelledTrace(step: CompiledStep, at: number, signal: AbortFanout): StepTrace {
  const reason = signal.reason instanceof DeadlineError ? 'the workflow timed out before it started' : 'the run was cancelled before it started';
  return { id: step.id, kind: step.forEach ? 'forEach' : kindOf(step.body), status: 'cancelled', reason, readyAt: at };
}

async function runStep(step: CompiledStep, scope: TemplateScope, ctx: RunContext, signal: AbortFanout, readyAt: number): Promise<StepTrace> {
  const trace = newStepTrace(step.id, step.forEach ? 'forEach' : kindOf(step.body), readyAt);
  describeBody(step.body, trace);
  const startedAt = now();
  trace.startedAt = startedAt;
  trace.waitMs = startedAt - readyAt;
  let view: StepView;
  try {
    if (step.condition && !step.conditionPerItem && !step.condition.evaluate(scope)) {
      trace.status = 'skipped';
      trace.reason = `condition '${step.condition.text}' was false`;
      view = { status: 'skipped', reason: trace.reason };
    } else {
      // Without a step timeout the body runs on the run's handle itself: no closure, no race.
      const result = step.timeoutMs === undefined ? await runStepBody(step, scope, ctx, signal, trace) : await raceTimeout(step.timeoutMs, signal, (s) => runStepBody(step, scope, ctx, s, trace), () => new StepTimeoutError(step.timeoutMs!));
      if (step.forEach) {
        const { output, forEach } = result as ForEachResult;
        view = { status: 'succeeded', output, forEach };
      } else view = { status: 'succeeded', output: result };
    }
  } catch (err) {
    if (err instanceof TemplateResolutionError && err.unavailableStep?.status === 'skipped') {
      trace.status = 'skipped';
      trace.reason = `reads the output of step '${err.unavailableStep.id}', which was skipped`;
      view = { status: 'skipped', reason: trace.reason };
    } else {
      const info = errorInfo(err);
      // Cut off by the run's deadline or the caller: cancelled, not failed on its own.
      trace.status = info.type === 'cancelled' || signal.aborted ? 'cancelled' : 'failed';
      trace.error = info;
      view = { status: 'failed', error: { type: info.type, message: info.message } };
    }
  }
  scope.tasks[step.id] = view;
  const endedAt = now();
  trace.endedAt = endedAt;
  trace.durationMs = endedAt - startedAt;
  return trace;
}

function describeBody(body: CompiledBody, trace: StepTrace): void {
  if (body.kind === 'task') trace.taskRef = body.task.name;
  else if (body.kind === 'workflow' && body.ref.constant) trace.workflowRef = String(body.ref.resolve({ input: null, tasks: EMPTY_TASKS }));
}

/** What a forEach step gives: its output (`{ results }`) and the summary read as `tasks.X.forEach`. */
interface ForEachResult {
  output: unknown;
  forEach: Record<string, unknown>;
}

/** A step's work: a forEach over its body (a ForEachResult), or the body itself (its output). */
function runStepBody(step: CompiledStep, scope: TemplateScope, ctx: RunContext, signal: AbortFanout, trace: StepTrace): Promise<unknown> {
  return step.forEach ? runForEach(step, scope, ctx, signal, trace) : runBody(step.body, step.id, scope, ctx, signal, trace);
}

/**
 * Runs a body and gives its output. Not an async function: a task body returns its task's
 * promise (one promise layer less per step); errors in resolving the input are thrown to the
 * caller, which awaits inside its try.
 */
function runBody(body: CompiledBody, stepId: string, scope: TemplateScope, ctx: RunContext, signal: AbortFanout, trace: StepTrace): Promise<unknown> {
  switch (body.kind) {
    case 'task': {
      const input = body.input.resolve(scope);
      if (ctx.mocks?.has(stepId)) return Promise.resolve(ctx.mocks.get(stepId));
      return runTask(body.task, input, body.retry, ctx, signal, trace);
    }
    case 'workflow':
      return runChild(body, scope, ctx, signal, trace);
    case 'switch': {
      const raw = body.value.resolve(scope);
      const value = stringify(raw).toLowerCase();
      const chosen = body.cases.find((c) => c.match === value);
      const target = chosen?.body ?? body.fallback;
      if (!target) {
        throw new StepError({
          type: 'switch',
          code: 'WF_SWITCH_NO_MATCH',
          message: `Switch value ${JSON.stringify(raw)} matches no case (${body.cases.map((c) => c.label).join(', ')}) and there is no default`,
          hint: 'Add a case for this value or a default.',
        });
      }
      trace.matched = chosen ? chosen.label : 'default';
      if (target.kind === 'task') trace.taskRef = target.task.name;
      return runBody(target, stepId, scope, ctx, signal, trace);
    }
    case 'group':
      return runNested(body, scope, ctx, signal, trace);
  }
}

/** Inline nested `tasks:`: their own scope over the outer one; the output maps each nested step to its output. */
async function runNested(body: Extract<CompiledBody, { kind: 'group' }>, scope: TemplateScope, ctx: RunContext, signal: AbortFanout, trace: StepTrace): Promise<unknown> {
  const inner = derivedScope(scope, Object.create(scope.tasks) as Record<string, StepView>, scope.forEach);
  const children = await runGroup(body.group, inner, ctx, signal);
  trace.children = children;
  const failed = firstFailure(children);
  if (failed) {
    throw new StepError({ type: failed.error?.type ?? 'workflow', code: failed.error?.code ?? 'WF_STEP_FAILED', message: `Nested step '${failed.id}' failed: ${failed.error?.message ?? failed.reason ?? ''}`, hint: failed.error?.hint, httpStatus: failed.error?.httpStatus });
  }
  const output: Record<string, unknown> = {};
  for (const s of body.group.steps) {
    const v = inner.tasks[s.id];
    output[s.id] = v?.status === 'succeeded' ? v.output : null;
  }
  return output;
}

async function runChild(body: Extract<CompiledBody, { kind: 'workflow' }>, scope: TemplateScope, ctx: RunContext, signal: AbortFanout, trace: StepTrace): Promise<unknown> {
  const ref = stringify(body.ref.resolve(scope));
  trace.workflowRef = ref;
  const child = ctx.host.resolveWorkflow(ref, body.namespace);
  if (!child) throw unknownChild(ref, body.namespace, ctx.host);
  if (ctx.callStack.includes(child.key)) {
    throw new StepError({ type: 'workflow', code: 'WF_WORKFLOW_CYCLE', message: `Sub-workflow cycle: ${[...ctx.callStack, child.key].join(' -> ')}`, hint: 'A workflow may not call itself through its children.' });
  }
  if (ctx.callStack.length >= ctx.host.maxCallDepth) {
    throw new StepError({ type: 'workflow', code: 'WF_CALL_DEPTH', message: `Sub-workflow call depth ${ctx.callStack.length + 1} exceeds ${ctx.host.maxCallDepth}: ${[...ctx.callStack, child.key].join(' -> ')}`, hint: 'Flatten the composition or raise the maximum call depth.' });
  }
  const input = structuredCloneInput(body.input.resolve(scope));
  if (!child.validateInput(input)) {
    const first = child.validateInput.errors?.[0];
    throw new StepError({ type: 'input', code: 'WF_CHILD_INPUT', message: `Input for workflow '${ref}' is invalid: ${first?.instancePath || 'input'} ${first?.message ?? ''}`.trim(), hint: "Map the fields the child's input schema requires." });
  }
  // When the parent's deadline comes first, the child gets 1ms more so that the parent's own
  // timer fires first and the run reports its timeout rather than a failed child.
  const remaining = Math.max(1, ctx.deadline - now());
  const result = await executeWorkflow(child, input, ctx.host, {
    executionId: ctx.host.newExecutionId(),
    signal,
    timeoutMs: child.timeoutMs < remaining ? child.timeoutMs : remaining + 1,
    callStack: ctx.callStack,
    mocks: undefined,
  });
  trace.executionId = result.executionId;
  trace.children = result.steps;
  if (result.status !== 'succeeded') {
    if (signal.aborted) throw signal.reason;
    const cause = { ...result.error!, workflow: child.key };
    throw new StepError({ type: 'workflow', code: 'WF_CHILD_FAILED', message: `Sub-workflow '${ref}' ${result.status === 'timed_out' ? 'timed out' : 'failed'}${result.error?.step ? ` at step '${result.error.step}'` : ''}: ${result.error?.message ?? ''}`, hint: result.error?.hint, cause });
  }
  return result.output;
}

function unknownChild(ref: string, namespace: string, host: ExecutionHost): StepError {
  const at = ref.lastIndexOf('@');
  const loaded = at > 0 ? host.resolveWorkflow(ref.slice(0, at), namespace) : undefined;
  if (loaded) {
    const annotated = loaded.resource.metadata.annotations?.['workflow.io/version'];
    return new StepError({
      type: 'workflow',
      code: 'WF_UNKNOWN_WORKFLOW',
      message: `Workflow '${ref}': '${loaded.key}' is loaded, but not at version '${ref.slice(at + 1)}' (it is ${annotated ? `'${annotated}', ` : ''}hash ${loaded.version.slice(0, 12)})`,
      hint: 'Reference the loaded version (annotation workflow.io/version or a hash prefix of 7+ characters), or drop @version for the latest.',
    });
  }
  return new StepError({ type: 'workflow', code: 'WF_UNKNOWN_WORKFLOW', message: `Workflow '${ref}' is not loaded (looked in namespace '${namespace}')`, hint: 'Check the workflowRef: name, name@version, ns/name or ns/name@version.' });
}

function structuredCloneInput(v: unknown): unknown {
  return v === null || typeof v !== 'object' ? v : structuredClone(v);
}

async function runForEach(step: CompiledStep, scope: TemplateScope, ctx: RunContext, signal: AbortFanout, trace: StepTrace): Promise<ForEachResult> {
  const fe = step.forEach!;
  const items = fe.items.resolve(scope);
  if (!Array.isArray(items)) {
    const kind = items === null ? 'null' : typeof items === 'object' ? 'an object' : `a ${typeof items}`;
    throw new StepError({ type: 'forEach', code: 'WF_FOREACH_NOT_ARRAY', message: `step '${step.id}': forEach.items resolved to ${kind}, not an array`, hint: 'Point items at an array, e.g. {{ tasks.list.output.items }}.' });
  }
  const n = items.length;
  const outputs: unknown[] = new Array(n).fill(null);
  const children: StepTrace[] = new Array(n);
  const errors: Array<{ index: number; type: string; code: string; message: string }> = [];
  let successCount = 0;
  let skippedCount = 0;
  const parent = scope.forEach;
  const root = parent ? (parent.$root as Record<string, unknown>) : undefined;
  const perItem = step.conditionPerItem ? step.condition : undefined;
  const runItem = async (i: number): Promise<void> => {
    // A top-level frame inherits `$root` (itself) and `$parent` (null) from TOP_FRAME; nested
    // frames inherit the outer items through the prototype chain and hold `$parent` and a
    // hidden `$root`. No frame reaches itself through its own keys: `{{forEach}}` is plain JSON.
    const frame: Record<string, unknown> = Object.create(parent ?? TOP_FRAME);
    frame[fe.itemVar] = items[i];
    frame.index = i;
    if (fe.indexVar) frame[fe.indexVar] = i;
    if (parent) {
      frame.$parent = parent;
      Object.defineProperty(frame, '$root', { value: root, enumerable: false });
    }
    const itemScope = derivedScope(scope, scope.tasks, frame);
    const t = newStepTrace(`${step.id}[${i}]`, kindOf(step.body), now(), i);
    t.startedAt = t.readyAt;
    try {
      if (perItem && !perItem.evaluate(itemScope)) {
        t.status = 'skipped';
        t.reason = `condition '${perItem.text}' was false`;
        skippedCount++;
      } else {
        const body = step.body;
        const output = await runBody(body, step.id, itemScope, ctx, signal, t);
        outputs[i] = output ?? null;
        successCount++;
      }
    } catch (err) {
      if (err instanceof TemplateResolutionError && err.unavailableStep?.status === 'skipped') {
        t.status = 'skipped';
        t.reason = `reads the output of step '${err.unavailableStep.id}', which was skipped`;
        skippedCount++;
      } else {
        const info = errorInfo(err);
        t.status = info.type === 'cancelled' || signal.aborted ? 'cancelled' : 'failed';
        t.error = info;
        errors.push({ index: i, type: info.type, code: info.code, message: info.message });
      }
    }
    t.endedAt = now();
    t.durationMs = t.endedAt - t.startedAt!;
    children[i] = t;
  };
  const limit = fe.maxParallel > 0 ? Math.min(fe.maxParallel, n) : n;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n && !signal.aborted) await runItem(next++);
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < limit; w++) workers.push(worker());
  await Promise.all(workers);
  for (let i = 0; i < n; i++) if (!children[i]) children[i] = { id: `${step.id}[${i}]`, index: i, kind: kindOf(step.body), status: 'cancelled', reason: 'the run stopped before this item started' };
  trace.children = children;
  if (signal.aborted) throw signal.reason;
  errors.sort((a, b) => a.index - b.index);
  const failureCount = errors.length;
  const summary = { outputs, itemCount: n, successCount, failureCount, skippedCount, errors };
  if (toleranceExceeded(fe, failureCount, n)) {
    const first = errors[0];
    throw new StepError({
      type: 'forEach',
      code: 'WF_FOREACH_FAILED',
      message: `step '${step.id}': ${failureCount} of ${n} items failed (${describeTolerance(fe)}); first, item ${first.index}: ${first.message}`,
      hint: 'See the item traces; set toleratedFailureCount or toleratedFailurePercentage to accept some failures.',
    });
  }
  return { output: { results: outputs }, forEach: summary };
}

/**
 * Step Functions' Map semantics: with no threshold any failed item fails the step; with
 * `toleratedFailureCount` and/or `toleratedFailurePercentage` the step fails when the failures
 * exceed either threshold. Items always all finish first.
 */
export function toleranceExceeded(fe: Pick<CompiledForEach, 'toleratedFailureCount' | 'toleratedFailurePercentage'>, failures: number, items: number): boolean {
  if (failures === 0) return false;
  const count = fe.toleratedFailureCount;
  const pct = fe.toleratedFailurePercentage;
  if (count === undefined && pct === undefined) return true;
  return (count !== undefined && failures > count) || (pct !== undefined && failures * 100 > pct * items);
}

function describeTolerance(fe: CompiledForEach): string {
  const parts: string[] = [];
  if (fe.toleratedFailureCount !== undefined) parts.push(`${fe.toleratedFailureCount}`);
  if (fe.toleratedFailurePercentage !== undefined) parts.push(`${fe.toleratedFailurePercentage}%`);
  return parts.length ? `tolerated: ${parts.join(' and ')}` : 'none tolerated';
}

/** Calls a task with its retry policy: network errors, 5xx, 429 and attempt timeouts are retried. */
async function runTask(task: CompiledTask, input: unknown, policy: RetryPolicy, ctx: RunContext, signal: AbortFanout, trace: StepTrace): Promise<unknown> {
  if (task.validateInput && !task.validateInput(input)) {
    const e = task.validateInput.errors?.[0];
    throw new StepError({
      type: 'input',
      code: 'WF_TASK_INPUT',
      message: `Input for task '${task.name}' is invalid: ${e ? `${e.instancePath || 'input'} ${e.message}` : 'schema mismatch'}`,
      hint: "Map the fields the task's inputSchema requires, with the right types.",
    });
  }
  const attempts: AttemptTrace[] = (trace.attempts ??= []);
  const taskScope: TemplateScope = { input, tasks: EMPTY_TASKS, forEach: undefined, workflow: undefined, execution: undefined, secrets: undefined };
  const host = ctx.host;
  if (task.http) trace.method = task.http.method;
  let backoff = 0;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    const started = now();
    const record = newAttemptTrace(attempt, started, backoff || undefined);
    attempts.push(record);
    try {
      let output: unknown;
      if (host.runner) output = await host.runner(task, input, signal.signal);
      else if (task.http) {
        const http = task.http;
        const res = await host.http.call(http, taskScope, signal, host.origins, task.timeoutMs, task.name);
        record.httpStatus = res.status;
        trace.httpStatus = res.status;
        trace.url = maskUrl(res.url);
        output = res.output;
      } else output = await task.transform!.evaluate(input);
      record.durationMs = now() - started;
      return output;
    } catch (err) {
      record.durationMs = now() - started;
      const info = errorInfo(err);
      record.error = info;
      if (info.httpStatus) {
        record.httpStatus = info.httpStatus;
        trace.httpStatus = info.httpStatus;
      }
      const retryable = err instanceof StepError && err.retryable;
      if (!retryable || attempt >= policy.maxAttempts || signal.aborted) {
        if (retryable && attempt > 1) info.message += ` (after ${attempt} attempts)`;
        throw err instanceof StepError ? new StepError(info, false) : err;
      }
      const delay = backoffDelay(policy, attempt, host.random, (err as StepError).retryAfterMs);
      if (now() + delay >= ctx.deadline) {
        throw new StepError({ ...info, message: `${info.message}; the next attempt (in ${Math.round(delay)}ms) would pass the workflow deadline`, hint: 'Raise the workflow timeout or lower the backoff.' });
      }
      await sleep(delay, signal);
      backoff = delay;
    }
  }
}

/** Runs `fn` with an abort handle that aborts when `parent` does or when `ms` pass (with `reason()`). */
async function raceTimeout<T>(ms: number, parent: AbortFanout, fn: (signal: AbortFanout) => Promise<T>, reason: () => Error): Promise<T> {
  const handle = new AbortFanout();
  const onAbort = () => handle.abort(parent.reason);
  parent.on('abort', onAbort);
  const timer = setTimeout(() => handle.abort(reason()), ms);
  try {
    return await Promise.race([fn(handle), new Promise<never>((_, reject) => handle.on('abort', () => reject(handle.reason)))]);
  } finally {
    clearTimeout(timer);
    parent.removeListener('abort', onAbort);
  }
}

function sleep(ms: number, signal: AbortFanout): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    const t = setTimeout(() => {
      signal.removeListener('abort', onAbort);
      resolve();
    }, ms);
    signal.on('abort', onAbort);
  });
}

/** Converts anything thrown during a step into the trace's error value. */
export function errorInfo(err: unknown): StepErrorInfo {
  if (err instanceof StepError) return err.info;
  if (err instanceof TemplateResolutionError) return { type: 'template', code: err.code, message: err.message, hint: err.hint };
  if (err instanceof ConditionEvaluationError) return { type: 'condition', code: err.code, message: err.message, hint: err.hint };
  if (err instanceof StepTimeoutError) return { type: 'timeout', code: err.code, message: err.message, hint: 'Raise the step timeout or make its calls faster.' };
  if (err instanceof DeadlineError) return { type: 'timeout', code: err.code, message: err.message, hint: 'Raise spec.timeout of the workflow.' };
  if (err instanceof CancelledError) return { type: 'cancelled', code: err.code, message: err.message };
  const e = err as { code?: string; message?: string; name?: string; position?: number };
  if (e && typeof e.code === 'string' && /^[TDS]\d{4}$/.test(e.code)) {
    return { type: 'transform', code: 'WF_TRANSFORM', message: `JSONata ${e.code}: ${e.message}`, hint: 'Fix the transform expression or its input.' };
  }
  return { type: 'workflow', code: 'WF_INTERNAL', message: e?.message ?? String(err), hint: 'This is a bug in Weft; please report it with the trace.' };
}
