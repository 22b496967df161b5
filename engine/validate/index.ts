import { sortDiagnostics, type Diagnostic } from '../model/diagnostic.js';
import { resourceKey, type Resource } from '../model/types.js';
import { DefinitionRegistry, loadRegistry, loadText } from '../load/index.js';
import { checkCallGraph } from './calls.js';
import { Findings, positionOf, ValidationContext, type ValidateOptions } from './context.js';
import { schemaProblems } from './schema.js';
import { validateTask } from './task.js';
import { validateWorkflow } from './workflow.js';

export { VALIDATION_CODES, type ValidationCode } from './codes.js';
export type { ValidateOptions } from './context.js';
export { parseWorkflowRef } from './calls.js';

/** What validating files gives: every diagnostic (load and rules, sorted), the registry and the files read. */
export interface ValidationResult {
  diagnostics: Diagnostic[];
  registry: DefinitionRegistry;
  files: string[];
}

/**
 * Validates every resource of a registry as one whole: each document against its kind's schema,
 * then the semantic rules (references across files included), then the sub-workflow call graph.
 * A rule that fails on a resource gives a `WF_INTERNAL` diagnostic naming it; the others still run.
 * @example
 * const { registry } = await loadRegistry(['./definitions']);
 * const diagnostics = validateRegistry(registry, { maxNestingDepth: 3 });
 */
export function validateRegistry(registry: DefinitionRegistry, options: ValidateOptions = {}): Diagnostic[] {
  const ctx = new ValidationContext(registry, options);
  const out: Diagnostic[] = [];
  for (const resource of registry.all()) {
    out.push(...guarded(resource, 'schema', (findings) => checkSchema(resource, registry, findings)));
    out.push(
      ...guarded(resource, resource.kind === 'WorkflowTask' ? 'task' : 'workflow', (findings) =>
        resource.kind === 'WorkflowTask' ? validateTask(resource, findings) : validateWorkflow(resource, ctx, findings),
      ),
    );
  }
  for (const extra of registry.extras.values()) {
    out.push(
      ...guarded(extra as unknown as Resource, 'schema', (findings) => {
        const raw = registry.raw.get(resourceKey(extra));
        if (raw) for (const p of schemaProblems(extra.kind, raw)) findings.error(p.code, p.pointer, p.message, p.hint, { key: p.key });
        findings.warning(
          'WF_NOT_SUPPORTED_YET',
          '/kind',
          `${extra.kind} '${extra.metadata.name}' is loaded and checked, but this engine version does not enforce it yet`,
          extra.kind === 'WorkflowTenant' ? 'Quotas, rate limits and allowed tasks are not applied; keep them in Git for when they are.' : 'Alert conditions are not evaluated and no channel is called yet.',
        );
      }),
    );
  }
  try {
    out.push(...checkCallGraph(ctx));
  } catch (err) {
    out.push(internal(err, 'calls', 'the workflow call graph'));
  }
  return sortDiagnostics(out);
}

/**
 * Loads YAML files and directories and validates them; load diagnostics (YAML syntax, duplicates)
 * come first in the same sorted list.
 * @example const { diagnostics } = await validatePaths(['fixtures/workflows']);
 */
export async function validatePaths(paths: string[], options: ValidateOptions & { cwd?: string } = {}): Promise<ValidationResult> {
  const loaded = await loadRegistry(paths, { cwd: options.cwd });
  const diagnostics = [...loaded.diagnostics, ...validateRegistry(loaded.registry, options)];
  return { diagnostics: sortDiagnostics(diagnostics), registry: loaded.registry, files: loaded.files };
}

/**
 * Validates one YAML text (all its documents) as a registry of its own.
 * @example validateText('apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: {name: t}\nspec: {type: http}\n', 't.yaml').diagnostics[0].code
 * // 'WF_TASK_MISSING_HTTP'
 */
export function validateText(text: string, file: string, options: ValidateOptions = {}): ValidationResult {
  const loaded = loadText(text, file);
  const registry = new DefinitionRegistry(loaded.resources, loaded.extras);
  const diagnostics = [...loaded.diagnostics, ...registry.diagnostics, ...validateRegistry(registry, options)];
  return { diagnostics: sortDiagnostics(diagnostics), registry, files: [file] };
}

function checkSchema(resource: Resource, registry: DefinitionRegistry, findings: Findings): void {
  const raw = registry.raw.get(resourceKey(resource));
  if (!raw) return;
  for (const p of schemaProblems(resource.kind, raw)) findings.error(p.code, p.pointer, p.message, p.hint, { key: p.key });
}

/** Runs one rule on one resource; an exception becomes a WF_INTERNAL diagnostic instead of escaping. */
function guarded(resource: Resource, rule: string, run: (findings: Findings) => void): Diagnostic[] {
  const findings = new Findings(resource);
  try {
    run(findings);
    return findings.diagnostics;
  } catch (err) {
    const d = internal(err, rule, resourceKey(resource));
    try {
      Object.assign(d, positionOf(resource, ''), { pointer: '', resource: resourceKey(resource) });
    } catch {
      // The resource cannot even be located: report it without a position.
    }
    return [...findings.diagnostics, d];
  }
}

function internal(err: unknown, rule: string, what: string): Diagnostic {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    code: 'WF_INTERNAL',
    severity: 'error',
    message: `The '${rule}' rule failed on ${what}: ${reason}`,
    hint: 'This is a bug in the Weft validator, not necessarily in the definition; the other rules still ran. Please report it with the resource.',
  };
}
