import type { CliIo } from './main.js';
import { formatProblem, isProblem, remoteCall } from './remote.js';
import { formatMs, traceTable } from './trace-table.js';
import { EXIT, UsageError } from './usage.js';

interface RemoteRunOptions {
  remote: string;
  namespace?: string;
  format: 'text' | 'json';
  mock?: string[];
  definitions?: string[];
  origin?: string[];
  workflow?: string;
}

/**
 * `weft run NAME --remote URL`: executes the workflow NAME on a running engine and prints the
 * output (stdout) and the step table (stderr) as a local run does. Exit 0 succeeded, 1 the run
 * failed (or the engine refused the request), 2 the input does not fit the workflow's schema.
 */
export async function runRemote(name: string, input: unknown, opts: RemoteRunOptions, io: CliIo): Promise<void> {
  const local = (['mock', 'definitions', 'origin', 'workflow'] as const).filter((k) => opts[k] !== undefined && (!Array.isArray(opts[k]) || (opts[k] as string[]).length));
  if (local.length) throw new UsageError(`--${local[0]} applies to local runs, not to --remote`, 'The engine at --remote runs its own loaded definitions; leave the option out.');
  const path = `/api/v1/workflows/${encodeURIComponent(name)}/execute${opts.namespace && opts.namespace !== 'default' ? `?namespace=${encodeURIComponent(opts.namespace)}` : ''}`;
  const answer = await remoteCall(opts.remote, 'POST', path, { input });
  const execution = answer.status === 200 ? answer.body : isProblem(answer) ? answer.body.execution : undefined;
  if (!execution) {
    io.err(formatProblem('run', answer.body));
    io.exit(answer.status === 400 && answer.body?.code === 'WF_INPUT_INVALID' ? EXIT.usage : EXIT.failed);
    return;
  }
  if (opts.format === 'json') {
    io.out(JSON.stringify(execution, null, 2) + '\n');
  } else {
    if (execution.status === 'succeeded') io.out(JSON.stringify(execution.output ?? null, null, 2) + '\n');
    io.err(traceTable(execution.trace));
    const error = execution.error;
    io.err(
      execution.status === 'succeeded'
        ? `${name} succeeded in ${formatMs(execution.durationMs)} (execution ${execution.executionId})\n`
        : `${name} ${String(execution.status).replace('_', ' ')} after ${formatMs(execution.durationMs)}: ${error?.step ? `step '${error.step}': ` : ''}${error?.message ?? ''}${error?.code ? ` [${error.code}]` : ''} (execution ${execution.executionId})\n${error?.hint ? `  hint: ${error.hint}\n` : ''}`,
    );
  }
  io.exit(execution.status === 'succeeded' ? EXIT.ok : EXIT.failed);
}
