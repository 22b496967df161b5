import type { Diagnostic } from '../model/diagnostic.js';
import { nearest } from '../model/suggest.js';
import { qualifiedName, type WorkflowResource } from '../model/types.js';
import { findCycles } from '../plan/graph.js';
import { Findings, type ValidationContext } from './context.js';

/** The annotation that names a workflow's version for `workflowRef: name@version`. */
export const VERSION_ANNOTATION = 'workflow.io/version';

export interface WorkflowRefParts {
  namespace?: string;
  name: string;
  version?: string;
}

/**
 * Splits a workflowRef: `name`, `name@version`, `ns/name`, `ns/name@version`.
 * @example parseWorkflowRef('billing/invoice@v2') // { namespace: 'billing', name: 'invoice', version: 'v2' }
 */
export function parseWorkflowRef(ref: string): WorkflowRefParts {
  // As the engine reads it: the last '@' after the first character starts the version.
  const at = ref.lastIndexOf('@');
  const base = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : undefined;
  const slash = base.indexOf('/');
  const parts: WorkflowRefParts = slash < 0 ? { name: base } : { namespace: base.slice(0, slash), name: base.slice(slash + 1) };
  if (version !== undefined) parts.version = version;
  return parts;
}

/**
 * Whether a workflow is the version a reference asks for: its `workflow.io/version` annotation,
 * or a prefix of at least 7 characters of its content hash (lowercase hex, compared exactly, as
 * the engine does).
 */
export function matchesVersion(workflow: WorkflowResource, version: string, hash: () => string): boolean {
  if (workflow.metadata.annotations?.[VERSION_ANNOTATION] === version) return true;
  return version.length >= 7 && hash().startsWith(version);
}

/**
 * Resolves a workflowRef from a workflow in `namespace`, reporting an unknown workflow (with
 * "did you mean") or a version that does not match. Returns the target when the name resolves,
 * even with a version mismatch, so the call graph stays complete.
 */
export function resolveWorkflowRef(
  ctx: ValidationContext,
  findings: Findings,
  ref: string,
  namespace: string,
  pointer: string,
  owner: string,
): WorkflowResource | undefined {
  const parts = parseWorkflowRef(ref);
  const ns = parts.namespace ?? namespace;
  const target = ctx.registry.workflow(`${ns}/${parts.name}`);
  if (!target) {
    const best = nearest(parts.namespace ? `${ns}/${parts.name}` : parts.name, ctx.workflowNamesIn(namespace), 1)[0];
    findings.error(
      'WF_UNKNOWN_WORKFLOW',
      pointer,
      `${owner} calls workflow '${ref}', which does not exist in namespace '${ns}'${best ? `. Did you mean '${best}'?` : ''}`,
      'Fix the name, or add the Workflow to the definitions (name, name@version, ns/name or ns/name@version).',
    );
    return undefined;
  }
  if (parts.version !== undefined && !matchesVersion(target, parts.version, () => ctx.versionOf(target))) {
    const annotated = target.metadata.annotations?.[VERSION_ANNOTATION];
    const hash = ctx.versionOf(target).slice(0, 12);
    findings.error(
      'WF_UNKNOWN_WORKFLOW',
      pointer,
      `${owner} calls '${ref}', but workflow '${qualifiedName(target)}' is ${annotated ? `version '${annotated}'` : 'not annotated with a version'} (content hash ${hash})`,
      `Call '${parts.namespace ? `${ns}/` : ''}${parts.name}@${annotated ?? hash}', or drop '@${parts.version}' to call the current definition.`,
    );
  }
  return target;
}

/**
 * Cycles and depth of sub-workflow calls across the whole registry. A cycle is reported at every
 * workflow on it. Depth counts workflows, the caller included (as the engine's call stack does): a
 * chain of more than `maxCallDepth` workflows is reported at each workflow that starts one
 * (workflows on a cycle are left to the cycle diagnostic).
 */
export function checkCallGraph(ctx: ValidationContext): Diagnostic[] {
  const ids = [...ctx.calls.keys()].sort();
  const deps = new Map<string, string[]>();
  for (const id of ids) deps.set(id, [...new Set(ctx.calls.get(id)!.map((c) => c.target))]);
  const out: Diagnostic[] = [];
  const onCycle = new Set<string>();
  const names = displayNames(ids, deps);
  for (const cycle of findCycles(ids, deps)) {
    const ring = cycle.slice(0, -1);
    ring.forEach((id) => onCycle.add(id));
    ring.forEach((id, i) => {
      const chain = [...ring.slice(i), ...ring.slice(0, i), id];
      const call = ctx.calls.get(id)!.find((c) => c.target === chain[1])!;
      const findings = new Findings(ctx.registry.workflows.get(id)!);
      findings.error(
        'WF_WORKFLOW_CYCLE',
        call.pointer,
        `Workflow '${names(id)}' calls itself through sub-workflows: ${chain.map(names).join(' -> ')} (via step '${call.stepId}')`,
        'Break the cycle: a workflow must not reach itself through workflowRef.',
      );
      out.push(...findings.diagnostics);
    });
  }
  const longest = longestChains(ids, deps);
  for (const id of ids) {
    const chain = longest.get(id)!;
    if (onCycle.has(id) || chain.length <= ctx.maxCallDepth) continue;
    const call = ctx.calls.get(id)!.find((c) => c.target === chain[1])!;
    const findings = new Findings(ctx.registry.workflows.get(id)!);
    findings.error(
      'WF_CALL_DEPTH',
      call.pointer,
      `Workflow '${names(id)}' nests ${chain.length} workflows deep through step '${call.stepId}', more than the maximum of ${ctx.maxCallDepth}: ${chain.map(names).join(' > ')}`,
      'Flatten the chain (call the inner workflows from one level), or raise maxCallDepth.',
    );
    out.push(...findings.diagnostics);
  }
  return out;
}

/** For each workflow, the longest chain of calls starting at it (itself first); edges that close a cycle are ignored. */
function longestChains(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const memo = new Map<string, string[]>();
  const onStack = new Set<string>();
  const visit = (id: string): string[] => {
    const known = memo.get(id);
    if (known) return known;
    onStack.add(id);
    let best: string[] = [];
    for (const t of deps.get(id) ?? []) {
      if (onStack.has(t)) continue;
      const c = visit(t);
      if (c.length > best.length) best = c;
    }
    onStack.delete(id);
    const chain = [id, ...best];
    memo.set(id, chain);
    return chain;
  };
  for (const id of ids) visit(id);
  return memo;
}

/** Plain names when every workflow involved shares one namespace, `ns/name` otherwise. */
function displayNames(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): (id: string) => string {
  const all = new Set([...ids, ...[...deps.values()].flat()]);
  const namespaces = new Set([...all].map((id) => id.slice(0, id.indexOf('/'))));
  return namespaces.size <= 1 ? (id) => id.slice(id.indexOf('/') + 1) : (id) => id;
}

