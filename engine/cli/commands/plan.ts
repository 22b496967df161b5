import { Option, type Command } from 'commander';
import { formatDiagnostics } from '../../report/index.js';
import { hasErrors } from '../../model/diagnostic.js';
import type { DryRunPlan, PlanNode } from '../../plan/index.js';
import { loadConfig } from '../config.js';
import type { CliIo } from '../main.js';
import { collect, EXIT, parseJsonFlag } from '../usage.js';

interface PlanOptions {
  definitions?: string[];
  input?: string;
  workflow?: string;
  namespace?: string;
  format: 'text' | 'json';
  config?: string;
}

/**
 * `weft plan FILE|NAME`: the dry-run plan of a workflow: parallel groups, edges, critical path and
 * previews of each step for the given input. Exit 1 when the plan has errors (input, cycle).
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description('Show the dry-run plan of a workflow: parallel groups, edges, critical path, previews')
    .argument('<target>', 'workflow file, or the name of a workflow in --definitions')
    .option('-d, --definitions <dir>', 'definitions to read (default ./fixtures/examples when TARGET is a name); repeatable', collect)
    .option('-i, --input <json>', 'workflow input as JSON, or @file.json, for the previews')
    .option('-w, --workflow <name>', 'which workflow, when the file defines several')
    .option('-n, --namespace <ns>', 'namespace of the workflow', 'default')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--config <file>', 'config file (default ./weft.yaml)')
    .action(async (target: string, opts: PlanOptions) => {
      const input = opts.input === undefined ? undefined : await parseJsonFlag('--input', opts.input);
      const config = await loadConfig({ definitions: opts.definitions, config: opts.config });
      const [{ pickWorkflow }, { planWorkflow }, { stat }] = await Promise.all([import('../workflow-source.js'), import('../../plan/index.js'), import('node:fs/promises')]);
      const isFile = (await stat(target).catch(() => undefined))?.isFile() ?? false;
      const definitions = config.definitionsGiven || !isFile ? config.definitions : [];
      const picked = await pickWorkflow(target, definitions, { workflow: opts.workflow, namespace: opts.namespace });
      if (hasErrors(picked.diagnostics) || !picked.workflow) {
        io.err(formatDiagnostics(picked.diagnostics, 'text'));
        io.exit(EXIT.failed);
        return;
      }
      const plan = planWorkflow(picked.workflow, picked.registry, input);
      io.out(opts.format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : planText(plan));
      io.exit(hasErrors(plan.diagnostics) ? EXIT.failed : EXIT.ok);
    });
}

/** The plan for a terminal. */
export function planText(plan: DryRunPlan): string {
  const lines: string[] = [];
  const w = plan.workflow;
  lines.push(`Workflow ${w.namespace}/${w.name} (version ${w.version.slice(0, 12)})`);
  lines.push('', 'Parallel groups (each starts when its dependencies finish):');
  plan.parallelGroups.forEach((g, i) => lines.push(`  ${i + 1}. ${g.join(', ')}`));
  lines.push('', 'Edges:');
  if (plan.edges.length === 0) lines.push('  (none: every step can start at once)');
  for (const e of plan.edges) lines.push(`  ${e.from} -> ${e.to}  (${e.via})`);
  lines.push('', `Critical path: ${plan.criticalPath.join(' -> ') || '(none)'} (${plan.criticalPath.length} step${plan.criticalPath.length === 1 ? '' : 's'})`);
  lines.push('', 'Steps:');
  const walk = (nodes: readonly PlanNode[], depth: number) => {
    for (const n of nodes) {
      const pad = '  '.repeat(depth + 1);
      const what = n.taskRef ? `task ${n.taskRef}` : n.workflowRef ? `workflow ${n.workflowRef}` : n.kind;
      lines.push(`${pad}${n.id}  ${what}${n.method && n.url ? `  ${n.method} ${n.url}` : ''}`);
      if (n.condition) lines.push(`${pad}  if${n.conditionScope === 'item' ? ' (per item)' : n.conditionScope === 'step' ? ' (whole loop)' : ''}: ${n.condition}`);
      if (n.forEach) lines.push(`${pad}  forEach: ${n.forEach.itemCount !== undefined ? `${n.forEach.itemCount} items` : JSON.stringify(n.forEach.items)} as ${n.forEach.itemVar}${n.forEach.maxParallel ? `, ${n.forEach.maxParallel} at a time` : ''}`);
      if (n.switch) {
        lines.push(`${pad}  switch on ${JSON.stringify(n.switch.value)}${n.switch.selected ? ` -> ${n.switch.selected}` : ''}`);
        for (const c of n.switch.cases) lines.push(`${pad}    case ${JSON.stringify(c.match)}: ${c.taskRef ? `task ${c.taskRef}` : `workflow ${c.workflowRef}`}`);
        if (n.switch.default) lines.push(`${pad}    default: ${n.switch.default.taskRef ? `task ${n.switch.default.taskRef}` : `workflow ${n.switch.default.workflowRef}`}`);
      }
      if (n.input !== undefined) lines.push(`${pad}  input: ${JSON.stringify(n.input)}`);
      if (n.children) walk(n.children, depth + 1);
    }
  };
  walk(plan.nodes, 0);
  if (plan.diagnostics.length) lines.push('', formatDiagnostics(plan.diagnostics, 'text').trimEnd());
  return lines.join('\n') + '\n';
}
