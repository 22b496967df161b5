import { Option, type Command } from 'commander';
import type { CliIo } from '../main.js';
import { formatProblem, isProblem, remoteCall } from '../remote.js';
import { formatMs, traceTable } from '../trace-table.js';
import { EXIT } from '../usage.js';
import { withLocalStore } from './history.js';

interface LogsFlags {
  remote?: string;
  databaseUrl?: string;
  format: 'text' | 'json';
}

/**
 * `weft logs EXECUTION_ID`: the trace of a recorded execution as a table (nested child runs,
 * forEach items and groups indented), with the planned and actual parallel groups and the
 * waits; from the local history or a running engine (`--remote URL`).
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('logs')
    .description('Show the trace of a recorded execution as a table')
    .argument('<execution-id>', 'the execution id (x-execution-id of the execute answer, or from weft history)')
    .option('--remote <url>', 'ask a running engine (weft serve) at URL instead of the local history; WEFT_TOKEN is sent as bearer token')
    .option('--database-url <url>', 'local history database: postgres://… or sqlite:PATH (env WEFT_DATABASE_URL; default .weft/weft.db)')
    .addOption(new Option('-f, --format <format>', 'text: a table; json: the API trace').choices(['text', 'json']).default('text'))
    .action(async (id: string, flags: LogsFlags) => {
      let view: Record<string, any> | undefined;
      if (flags.remote) {
        const answer = await remoteCall(flags.remote, 'GET', `/api/v1/executions/${encodeURIComponent(id)}/trace`);
        if (isProblem(answer) || answer.status !== 200) {
          io.err(formatProblem('logs', answer.body));
          io.exit(EXIT.failed);
          return;
        }
        view = answer.body;
      } else {
        const { traceView } = await import('../../server/history.js');
        view = await withLocalStore(flags.databaseUrl, (store) => traceView(store, id));
        if (!view) {
          io.err(`weft logs: No execution '${id}' is in the history [WF_UNKNOWN_EXECUTION]\n  hint: List executions with weft history WORKFLOW.\n`);
          io.exit(EXIT.failed);
          return;
        }
      }
      if (flags.format === 'json') {
        io.out(JSON.stringify(view, null, 2) + '\n');
        return;
      }
      io.out(formatTrace(view!));
    });
}

/** The text form of a trace view: a summary line, the step table, parallel groups, waits and child runs. */
export function formatTrace(view: Record<string, any>): string {
  const e = view.execution;
  const lines = [`${e.namespace}/${e.workflow} ${e.status}${e.durationMs !== undefined ? ` in ${formatMs(e.durationMs)}` : ''} — execution ${e.id}, started ${e.startedAt}${e.trigger ? ` by ${e.trigger}` : ''}`];
  if (e.error) lines.push(`error: ${e.error.step ? `step '${e.error.step}': ` : ''}${e.error.message} [${e.error.code}]`);
  lines.push('', traceTable(view.trace).trimEnd(), '');
  const groups = (g: string[][] | null) => (g ? g.map((l) => `[${l.join(', ')}]`).join(' → ') : 'unknown (the version that ran is not stored)');
  lines.push(`planned parallel groups: ${groups(view.parallelGroups.planned)}`);
  lines.push(`actual parallel groups:  ${groups(view.parallelGroups.actual)}`);
  lines.push(`waiting: ${formatMs(view.waitMs.total)} in total${view.waitMs.step ? `, longest ${formatMs(view.waitMs.max)} at ${view.waitMs.step}` : ''}`);
  for (const c of view.childRuns) lines.push(`child run: ${c.path} → ${c.workflow ?? '?'} ${c.status}${c.executionId ? ` (execution ${c.executionId})` : ''}`);
  return lines.join('\n') + '\n';
}
