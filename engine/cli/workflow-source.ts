import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DefinitionRegistry } from '../load/registry.js';
import { hasErrors, type Diagnostic } from '../model/diagnostic.js';
import { nearest } from '../model/suggest.js';
import type { WorkflowResource } from '../model/types.js';
import { UsageError } from './usage.js';

/** A workflow picked for `weft run` or `weft plan`, with the registry it was loaded in. */
export interface PickedWorkflow {
  /** Undefined only when the diagnostics have errors. */
  workflow?: WorkflowResource;
  registry: DefinitionRegistry;
  /** Load and validation diagnostics of every file read. */
  diagnostics: Diagnostic[];
}

/**
 * Loads `target` (a file, or a workflow name looked up in `definitions`) with the definitions
 * beside it, validates the whole, and picks the workflow: the only one in the file, the one
 * `--workflow` names, or the named one.
 */
export async function pickWorkflow(target: string, definitions: readonly string[], options: { workflow?: string; namespace?: string }): Promise<PickedWorkflow> {
  const { validatePaths } = await import('../validate/index.js');
  const isFile = (await stat(target).catch(() => undefined))?.isFile() ?? false;
  for (const d of definitions) {
    if (!(await stat(d).catch(() => undefined))) throw new UsageError(`Definitions directory '${d}' does not exist`, 'Pass --definitions DIR (or set WEFT_DEFINITIONS, or definitions in weft.yaml).');
  }
  // Absolute paths, so a file that also sits under a definitions directory is read once.
  const paths = [...(isFile ? [resolve(target)] : []), ...definitions.map((d) => resolve(d))];
  if (paths.length === 0) throw new UsageError(`'${target}' is not a file, and no --definitions were given to look it up in`);
  const { registry, diagnostics } = await validatePaths(paths, { cwd: process.cwd() });
  const ns = options.namespace ?? 'default';
  let workflow: WorkflowResource | undefined;
  if (isFile) {
    const inFile = [...registry.workflows.values()].filter((w) => resolve(w.source.file) === resolve(target));
    const wanted = options.workflow ? inFile.filter((w) => w.metadata.name === options.workflow) : inFile;
    if (wanted.length === 1) workflow = wanted[0];
    else if (inFile.length === 0 && !hasErrors(diagnostics)) throw new UsageError(`${target} defines no Workflow`, 'Pass a file with a Workflow, or a workflow name with --definitions.');
    else if (inFile.length > 1 && !options.workflow) {
      throw new UsageError(`${target} defines ${inFile.length} workflows`, `Choose one with --workflow: ${inFile.map((w) => w.metadata.name).join(', ')}.`);
    } else if (options.workflow && wanted.length === 0) {
      throw new UsageError(`${target} defines no workflow '${options.workflow}'`, `It defines: ${inFile.map((w) => w.metadata.name).join(', ') || 'none that load'}.`);
    }
  } else {
    workflow = registry.workflow(target, ns);
    if (!workflow && !hasErrors(diagnostics)) {
      const close = nearest(target, registry.workflowNames(ns));
      throw new UsageError(
        `'${target}' is neither a file nor a workflow in ${definitions.join(', ')} (namespace '${ns}')`,
        close.length ? `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : 'Pass a workflow file, or the name of a loaded workflow.',
      );
    }
  }
  return { workflow, registry, diagnostics };
}
