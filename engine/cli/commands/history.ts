import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ExecutionStore } from '../../store/store.js';
import type { CliIo } from '../main.js';
import { formatProblem, isProblem, remoteCall, table } from '../remote.js';
import { formatMs } from '../trace-table.js';
import { EXIT, UsageError } from '../usage.js';

interface HistoryFlags {
  status?: string;
  limit: string;
  namespace: string;
  remote?: string;
  databaseUrl?: string;
  format: 'text' | 'json';
}

const STATUSES = ['running', 'succeeded', 'failed', 'timed_out', 'cancelled'];

/**
 * `weft history WORKFLOW`: the latest executions of a workflow as a table, from the local
 * history (`.weft/weft.db`, `--database-url` or WEFT_DATABASE_URL) or from a running engine
 * (`--remote URL`, WEFT_TOKEN for auth).
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('history')
    .description('List the latest executions of a workflow')
    .argument('<workflow>', 'workflow name')
    .addOption(new Option('-s, --status <status>', 'only executions with this status').choices(STATUSES))
    .option('-l, --limit <n>', 'how many, newest first (1..1000)', '20')
    .option('-n, --namespace <ns>', 'namespace of the workflow', 'default')
    .option('--remote <url>', 'ask a running engine (weft serve) at URL instead of the local history; WEFT_TOKEN is sent as bearer token')
    .option('--database-url <url>', 'local history database: postgres://… or sqlite:PATH (env WEFT_DATABASE_URL; default .weft/weft.db)')
    .addOption(new Option('-f, --format <format>', 'text: a table; json: the API page').choices(['text', 'json']).default('text'))
    .action(async (workflow: string, flags: HistoryFlags) => {
      const limit = Number(flags.limit);
      if (!/^\d+$/.test(flags.limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit '${flags.limit}' is not a number from 1 to 1000`);
      let page: { items: Array<Record<string, any>>; next?: string };
      if (flags.remote) {
        const query = new URLSearchParams({ namespace: flags.namespace, limit: String(limit), ...(flags.status ? { status: flags.status } : {}) });
        const answer = await remoteCall(flags.remote, 'GET', `/api/v1/workflows/${encodeURIComponent(workflow)}/executions?${query}`);
        if (isProblem(answer) || answer.status !== 200) {
          io.err(formatProblem('history', answer.body));
          io.exit(EXIT.failed);
          return;
        }
        page = answer.body;
      } else {
        const { summaryJson } = await import('../../server/history.js');
        page = await withLocalStore(flags.databaseUrl, async (store) => {
          const found = await store.listExecutions({ workflow, namespace: flags.namespace, limit, ...(flags.status ? { status: flags.status as never } : {}) });
          return { items: found.items.map(summaryJson) };
        });
      }
      if (flags.format === 'json') {
        io.out(JSON.stringify(page, null, 2) + '\n');
        return;
      }
      if (!page.items.length) {
        io.err(`No executions of '${flags.namespace}/${workflow}'${flags.status ? ` with status ${flags.status}` : ''} in the history.\n`);
        return;
      }
      const rows = page.items.map((e) => [e.id, e.status, e.startedAt, formatMs(e.durationMs), e.trigger ?? '-', e.version ? e.version.slice(0, 12) : '-', e.error?.code ? `${e.error.code}${e.error.step ? ` at ${e.error.step}` : ''}` : '']);
      io.out(table(['EXECUTION', 'STATUS', 'STARTED', 'DURATION', 'TRIGGER', 'VERSION', 'ERROR'], rows));
    });
}

/**
 * Opens the local history for a command, runs `fn`, closes it. Without a database URL the
 * SQLite file `.weft/weft.db` must exist already (a query never creates one).
 */
export async function withLocalStore<T>(databaseUrl: string | undefined, fn: (store: ExecutionStore) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const url = databaseUrl ?? (env.WEFT_DATABASE_URL || undefined);
  const file = url === undefined ? resolve('.weft/weft.db') : url.startsWith('sqlite:') ? resolve(url.slice('sqlite:'.length)) : undefined;
  if (file && !existsSync(file)) {
    throw new UsageError(`No execution history at ${file}`, 'Run weft serve here first (it records executions), pass --database-url, or ask a running engine with --remote URL.');
  }
  const { openStore } = await import('../../store/store.js');
  const store = await openStore(url ? { url } : { path: file });
  try {
    return await fn(store);
  } finally {
    // The store's writer thread does not keep the process alive; nothing else does once the
    // query is done, so a timer holds the event loop open until the store has closed.
    const hold = setInterval(() => {}, 1_000);
    try {
      await store.close();
    } finally {
      clearInterval(hold);
    }
  }
}
