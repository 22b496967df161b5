import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { canonicalJson, canonicalResource, resourceVersion } from '../model/canonical.js';
import { DiagnosticError } from '../model/diagnostic.js';
import type { Resource } from '../model/types.js';
import type { AttemptTrace, ExecutionResult, RunStatus, StepTrace } from '../run/trace.js';
import { GroupCommit, type CommitInfo, type CommitStats } from './commit.js';
import { flattenTrace, maskedJson, parseJson, rebuildTrace } from './rows.js';
import { batchRunner } from './sqlite-batch.mjs';
import { migrationProvider, type ExecutionsTable, type StepRecordsTable, type StoreDatabase } from './schema.js';

export type ExecutionStatus = 'running' | RunStatus;
export type StoreDialect = 'sqlite' | 'postgres';

/** What the caller knows about a run besides its result. */
export interface RecordMeta {
  input: unknown;
  /** Where the run came from: `api`, `cron:nightly`, `webhook:github`, … */
  trigger?: string;
  parentId?: string;
  idempotencyKey?: string;
}

/** A run that has started and is not finished (asynchronous runs). */
export interface StartMeta extends RecordMeta {
  executionId: string;
  workflow: { name: string; namespace: string; version?: string };
  /** Epoch milliseconds; now when omitted. */
  startedAt?: number;
}

export interface ExecutionSummary {
  id: string;
  namespace: string;
  workflow: string;
  version?: string;
  status: ExecutionStatus;
  trigger?: string;
  parentId?: string;
  idempotencyKey?: string;
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
  error?: ExecutionResult['error'];
}

/** One step of a stored trace, flat; `path` places it in the tree. */
export interface StepRecord {
  seq: number;
  parentSeq?: number;
  path: string;
  stepId: string;
  kind: StepTrace['kind'];
  status: StepTrace['status'];
  taskRef?: string;
  /** Number of the last attempt; 0 when the step made no call. */
  attempt: number;
  readyAt?: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  waitMs?: number;
  httpStatus?: number;
  url?: string;
  error?: StepTrace['error'];
  attempts: AttemptTrace[];
}

export interface ExecutionRecord extends ExecutionSummary {
  input?: unknown;
  output?: unknown;
  steps: StepRecord[];
}

export interface ExecutionQuery {
  workflow?: string;
  namespace?: string;
  status?: ExecutionStatus;
  /** Started at or after (epoch ms). */
  from?: number;
  /** Started before (epoch ms). */
  to?: number;
  /** 1..1000, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ExecutionPage {
  items: ExecutionSummary[];
  /** Present when more rows may follow. */
  nextCursor?: string;
}

export interface DefinitionVersion {
  kind: string;
  namespace: string;
  name: string;
  version: string;
  firstSeen: number;
  /** The canonical form the version hash was computed from. */
  snapshot: unknown;
}

export interface StatsQuery {
  namespace?: string;
  workflow?: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

export interface DurationStats {
  count: number;
  succeeded: number;
  /** succeeded / count, 0..1. */
  successRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface WorkflowStats extends DurationStats {
  namespace: string;
  workflow: string;
}

export interface TaskStats extends DurationStats {
  namespace: string;
  task: string;
}

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL, `sqlite:PATH` for SQLite. Default: `WEFT_DATABASE_URL`, unless `path` is given. */
  url?: string;
  /** SQLite file. Default `.weft/weft.db` under the working directory. */
  path?: string;
  /** PostgreSQL schema to keep the tables in (created when missing); default the connection's current schema. */
  schema?: string;
  /** Records per shared commit at most (default 256). */
  maxBatch?: number;
  /** Called after every commit, for metrics. */
  onCommit?: (info: CommitInfo) => void;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /**
   * SQLite: `normal` (default) makes a record durable against the engine process dying
   * (crash, SIGKILL, OOM); `full` also against power loss and OS crashes, at the price of an
   * fsync per shared commit. Default: WEFT_SQLITE_SYNCHRONOUS, else `normal`.
   */
  synchronous?: 'normal' | 'full';
  /** false computes percentiles in code even where the database can (tests compare both paths). */
  sqlPercentiles?: boolean;
  env?: Record<string, string | undefined>;
}

/** Durations read per group when percentiles are computed in code. */
const PERCENTILE_ROWS = 100_000;
const MAX_LIMIT = 1000;

type WriteItem =
  | { kind: 'start'; row: ExecutionsTable }
  | { kind: 'finish'; row: ExecutionsTable; steps: StepRecordsTable[] };

/**
 * Opens the execution history: PostgreSQL when a `postgres://` URL is given (or set in
 * `WEFT_DATABASE_URL`), else SQLite in `.weft/weft.db`. Runs the migrations before returning.
 * @example
 * const store = await openStore();                                  // .weft/weft.db
 * const shared = await openStore({ url: 'postgres://weft@db:5432/weft' });
 */
export async function openStore(options: StoreOptions = {}): Promise<ExecutionStore> {
  const env = options.env ?? process.env;
  const url = options.url ?? (options.path ? undefined : env.WEFT_DATABASE_URL || undefined);
  if (url && /^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options);
  if (url && !url.startsWith('sqlite:')) {
    throw storeError('WF_STORE_URL', `Unsupported database URL '${redactUrl(url)}'`, 'Use postgres://user@host:port/db for PostgreSQL or sqlite:PATH (or leave WEFT_DATABASE_URL unset) for SQLite.');
  }
  const path = resolve(url ? url.slice('sqlite:'.length) : (options.path ?? '.weft/weft.db'));
  const synchronous = options.synchronous ?? env.WEFT_SQLITE_SYNCHRONOUS?.toLowerCase() ?? 'normal';
  if (synchronous !== 'normal' && synchronous !== 'full') {
    throw storeError('WF_STORE_SYNCHRONOUS', `WEFT_SQLITE_SYNCHRONOUS must be 'normal' or 'full', got '${synchronous}'`, "Use 'full' to survive power loss at the cost of an fsync per commit; leave it unset for 'normal'.");
  }
  return openSqlite(path, synchronous, options);
}

/**
 * Durability of a SQLite commit, in WAL mode. `normal`: the commit has written its pages to the
 * WAL file (in the OS page cache) before it returns, so a record the engine answered for
 * survives the engine process dying in any way: crash, SIGKILL, OOM kill, restart. A power loss
 * or OS crash may lose the commits since the last checkpoint (never corrupts). This is the
 * durability SQLite recommends with WAL and what the SIGKILL fault test checks. `full` fsyncs
 * the WAL at every commit, so commits also survive power loss; group commit shares that fsync
 * among the records of a batch, and a writer thread (sqlite-writer.mjs) waits for it instead of
 * the event loop, but every synchronous execute still waits one fsync longer.
 */
type SqliteSynchronous = 'normal' | 'full';

async function openSqlite(path: string, synchronous: SqliteSynchronous, options: StoreOptions): Promise<ExecutionStore> {
  let database: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${synchronous}`);
    database.pragma('busy_timeout = 5000');
    // The writer thread checkpoints; no connection of this process does it inline.
    database.pragma('wal_autocheckpoint = 0');
  } catch (err) {
    throw storeError('WF_STORE_OPEN', `Cannot open the SQLite history at ${path}: ${(err as Error).message}`, 'Check that the directory is writable, or set WEFT_DATABASE_URL to a PostgreSQL database.');
  }
  let sqlPercentiles = options.sqlPercentiles ?? true;
  if (sqlPercentiles) {
    try {
      database.prepare('select percentile_cont(1, 0.5)').get();
    } catch {
      sqlPercentiles = false;
    }
  }
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) });
  await migrateOrClose(db, path, undefined);
  return new ExecutionStore(db, 'sqlite', path, sqlPercentiles, options, sqliteWriter(path, synchronous));
}

/** Writes the shared commits of a store. */
interface BatchWriter {
  write(batch: WriteItem[]): Promise<void>;
  close(): Promise<void>;
}

/** How often the writer thread copies the WAL into the database file. */
const CHECKPOINT_MS = 1000;

/**
 * SQLite writes. Under `full` a commit waits for an fsync, so the writer thread runs them and
 * the event loop does not wait. Under `normal` a commit is CPU only, cheaper than a round trip
 * to another thread: a second connection on this thread runs them, and the writer thread only
 * checkpoints (the part of `normal` that fsyncs).
 */
function sqliteWriter(path: string, synchronous: SqliteSynchronous): BatchWriter {
  const thread = new SqliteThread(path, synchronous, CHECKPOINT_MS);
  if (synchronous === 'full') return { write: (batch) => thread.write(batchStatements(batch)), close: () => thread.close() };
  const connection = new Database(path);
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('wal_autocheckpoint = 0');
  const run = batchRunner(connection);
  return {
    write: async (batch) => run(batchStatements(batch)),
    close: async () => {
      await thread.close();
      connection.close();
    },
  };
}

/**
 * PostgreSQL writes: a batch as one statement when it fits (one round trip, atomic on its
 * own), else the per-row statements in a transaction.
 */
function postgresWriter(db: Kysely<StoreDatabase>): BatchWriter {
  return {
    async write(batch) {
      const one = pgBatchStatement(batch);
      if (one) {
        await db.executeQuery(CompiledQuery.raw(one[0], one[1]));
        return;
      }
      await db.transaction().execute(async (trx) => {
        for (const [text, params] of batchStatements(batch)) await trx.executeQuery(CompiledQuery.raw(numbered(text), params));
      });
    },
    close: async () => undefined,
  };
}

async function openPostgres(url: string, options: StoreOptions): Promise<ExecutionStore> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) {
    throw storeError('WF_STORE_SCHEMA', `Invalid PostgreSQL schema name '${schema}'`, 'Use letters, digits and underscores, starting with a letter.');
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // count(*) and sums are int8: read them as numbers.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  pool.on('error', () => {
    /* an idle client lost its connection; the pool replaces it on next use */
  });
  let current: string;
  try {
    if (schema) {
      // Two processes creating the schema at once: the loser gets a unique violation (23505) or
      // "already exists" (42P06) despite IF NOT EXISTS; either way the schema is there.
      await pool.query(`create schema if not exists "${schema}"`).catch((err: { code?: string }) => {
        if (err.code !== '23505' && err.code !== '42P06') throw err;
      });
    }
    current = (await pool.query<{ s: string }>('select current_schema() as s')).rows[0].s;
  } catch (err) {
    await pool.end().catch(() => undefined);
    const detail = (err as Error).message || (err as { code?: string }).code || 'connection failed';
    throw storeError('WF_STORE_UNAVAILABLE', `Cannot use PostgreSQL at ${redactUrl(url)}: ${detail}`, 'Check that the server is running and that WEFT_DATABASE_URL names a database the user may create tables in.');
  }
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  await migrateOrClose(db, redactUrl(url), current);
  return new ExecutionStore(db, 'postgres', redactUrl(url), options.sqlPercentiles ?? true, options, postgresWriter(db), current);
}

/**
 * Brings the schema to the latest migration (Kysely's Migrator, which locks against other
 * processes migrating at once). Returns how many migrations it applied.
 */
async function migrateDatabase(db: Kysely<StoreDatabase>, location: string, migrationSchema: string | undefined): Promise<number> {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(migrationSchema ? { migrationTableSchema: migrationSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw storeError('WF_STORE_MIGRATION', `Migrating the history database (${location}) failed${failed ? ` at ${failed}` : ''}: ${(error as Error).message}`, 'A newer Weft may have migrated this database; run the same or a newer version.');
  }
  return results?.filter((r) => r.status === 'Success').length ?? 0;
}

async function migrateOrClose(db: Kysely<StoreDatabase>, location: string, migrationSchema: string | undefined): Promise<void> {
  try {
    await migrateDatabase(db, location, migrationSchema);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
}

/**
 * Execution history over Kysely: executions, their step records (with every attempt), and the
 * definition versions that ran. Writes are group-committed (see `record`). Open with `openStore`.
 */
export class ExecutionStore {
  private readonly queue: GroupCommit<WriteItem>;
  private readonly knownVersions = new Set<string>();
  private closed = false;

  /** @internal use openStore */
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    /** Which database this is. */
    readonly dialect: StoreDialect,
    /** The SQLite file or the PostgreSQL URL without credentials, for logs. */
    readonly location: string,
    private readonly sqlPercentiles: boolean,
    options: StoreOptions,
    /** How shared commits reach the database. */
    private readonly writer: BatchWriter,
    /** PostgreSQL: the schema holding Kysely's migration tables. */
    private readonly migrationSchema?: string,
  ) {
    // SQLite has one writer; PostgreSQL commits in parallel and flushes its WAL for all of them.
    const maxInFlight = dialect === 'postgres' ? Math.max(1, Math.min(4, (options.poolSize ?? 10) - 2)) : 1;
    this.queue = new GroupCommit((batch) => writer.write(batch), { maxBatch: options.maxBatch, maxInFlight, onCommit: options.onCommit });
  }

  /**
   * Brings the schema to the latest migration; safe to call again and from several processes.
   * Returns how many migrations it applied.
   */
  migrate(): Promise<number> {
    return migrateDatabase(this.db, this.location, this.migrationSchema);
  }

  /** Shared-commit counters: commits, records, failed commits, largest batch, commit latency. */
  get commitStats(): Readonly<CommitStats> {
    return this.queue.stats;
  }

  /**
   * Stores a finished run (its trace flattened into step records), inputs, outputs and errors
   * with secrets masked. Resolves once the record is committed; concurrent calls share one
   * transaction. Recording the same id again replaces it; a run stored by `recordStart` is completed.
   * @example await store.record(await engine.execute('checkout', input), { input, trigger: 'api' });
   */
  record(result: ExecutionResult, meta: RecordMeta): Promise<void> {
    return this.queue.submit(finishItem(result, meta));
  }

  /** Stores a run that has started, with status `running`, visible to queries until `recordEnd`. */
  recordStart(meta: StartMeta): Promise<void> {
    return this.queue.submit({
      kind: 'start',
      row: {
        id: meta.executionId,
        namespace: meta.workflow.namespace,
        workflow: meta.workflow.name,
        definition_version: meta.workflow.version ?? null,
        status: 'running',
        input: maskedJson(meta.input),
        output: null,
        error: null,
        trigger_source: meta.trigger ?? null,
        parent_id: meta.parentId ?? null,
        idempotency_key: meta.idempotencyKey ?? null,
        started_at: meta.startedAt ?? Date.now(),
        ended_at: null,
        duration_ms: null,
      },
    });
  }

  /** Completes a run stored by `recordStart` (its input, trigger and keys are kept). */
  recordEnd(result: ExecutionResult): Promise<void> {
    return this.queue.submit(finishItem(result, undefined));
  }

  /**
   * Marks a running execution cancelled. Returns false when it is not running (finished or unknown).
   */
  async markCancelled(id: string, at = Date.now()): Promise<boolean> {
    await this.queue.settled();
    const row = await this.db.selectFrom('executions').select(['started_at']).where('id', '=', id).where('status', '=', 'running').executeTakeFirst();
    if (!row) return false;
    const res = await this.db
      .updateTable('executions')
      .set({
        status: 'cancelled',
        ended_at: at,
        duration_ms: Math.max(0, at - row.started_at),
        error: JSON.stringify({ type: 'cancelled', code: 'WF_RUN_CANCELLED', message: 'The run was cancelled', hint: 'Cancelled through the API.' }),
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Stores a definition's version (hash of its canonical JSON) and snapshot, once per version.
   * Returns the version.
   */
  async recordDefinitionVersion(resource: Pick<Resource, 'apiVersion' | 'kind' | 'metadata' | 'spec'>, at = Date.now()): Promise<string> {
    const version = resourceVersion(resource);
    const namespace = resource.metadata.namespace ?? 'default';
    const key = `${resource.kind}/${namespace}/${resource.metadata.name}@${version}`;
    if (this.knownVersions.has(key)) return version;
    await this.db
      .insertInto('definition_versions')
      .values({ kind: resource.kind, namespace, name: resource.metadata.name, version, snapshot: canonicalJson(canonicalResource(resource)), first_seen: at })
      .onConflict((oc) => oc.columns(['kind', 'namespace', 'name', 'version']).doNothing())
      .execute();
    this.knownVersions.add(key);
    return version;
  }

  /** True when this process has stored (or seen stored) that version; no database round trip. */
  hasDefinitionVersion(kind: string, namespace: string, name: string, version: string): boolean {
    return this.knownVersions.has(`${kind}/${namespace}/${name}@${version}`);
  }

  /**
   * One stored version (e.g. the one an execution ran, to plan its trace against), or undefined.
   * @example await store.getDefinitionVersion('Workflow', run.namespace, run.workflow, run.version!)
   */
  async getDefinitionVersion(kind: string, namespace: string, name: string, version: string): Promise<DefinitionVersion | undefined> {
    const r = await this.db
      .selectFrom('definition_versions')
      .selectAll()
      .where('kind', '=', kind)
      .where('namespace', '=', namespace)
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return r && { kind: r.kind, namespace: r.namespace, name: r.name, version: r.version, firstSeen: r.first_seen, snapshot: JSON.parse(r.snapshot) };
  }

  /** The versions of a workflow, newest first. */
  async listVersions(namespace: string, workflow: string, kind = 'Workflow'): Promise<DefinitionVersion[]> {
    const rows = await this.db
      .selectFrom('definition_versions')
      .selectAll()
      .where('kind', '=', kind)
      .where('namespace', '=', namespace)
      .where('name', '=', workflow)
      .orderBy('first_seen', 'desc')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name, version: r.version, firstSeen: r.first_seen, snapshot: JSON.parse(r.snapshot) }));
  }

  /**
   * A page of executions, newest first. The cursor is a (started, id) key, so rows inserted
   * while paging neither repeat nor shift the pages.
   * @example
   * const first = await store.listExecutions({ workflow: 'checkout', limit: 20 });
   * const second = await store.listExecutions({ workflow: 'checkout', limit: 20, cursor: first.nextCursor });
   */
  async listExecutions(query: ExecutionQuery = {}): Promise<ExecutionPage> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw storeError('WF_QUERY_LIMIT', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(query.limit)}`, `Ask for at most ${MAX_LIMIT} executions and follow nextCursor for more.`, '/limit');
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    let q = this.db
      .selectFrom('executions')
      .select(SUMMARY_COLUMNS)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.namespace !== undefined) q = q.where('namespace', '=', query.namespace);
    if (query.workflow !== undefined) q = q.where('workflow', '=', query.workflow);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.from !== undefined) q = q.where('started_at', '>=', query.from);
    if (query.to !== undefined) q = q.where('started_at', '<', query.to);
    if (after) q = q.where((eb) => eb.or([eb('started_at', '<', after.startedAt), eb.and([eb('started_at', '=', after.startedAt), eb('id', '<', after.id)])]));
    const rows = await q.execute();
    const items = rows.slice(0, limit).map(summaryFromRow);
    const last = items[items.length - 1];
    return rows.length > limit ? { items, nextCursor: encodeCursor(last.startedAt, last.id) } : { items };
  }

  /** One execution with its input, output and flat step records, or undefined. */
  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const row = await this.db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const steps = await this.db.selectFrom('step_records').selectAll().where('execution_id', '=', id).orderBy('seq').execute();
    const record: ExecutionRecord = { ...summaryFromRow(row), steps: steps.map(stepFromRow) };
    const input = parseJson(row.input);
    const output = parseJson(row.output);
    if (input !== undefined) record.input = input;
    if (output !== undefined) record.output = output;
    return record;
  }

  /** An execution's trace, nested as the engine produced it (secrets masked), or undefined. */
  async getTrace(id: string): Promise<{ execution: ExecutionSummary; steps: StepTrace[] } | undefined> {
    const row = await this.db.selectFrom('executions').select(SUMMARY_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const steps = await this.db.selectFrom('step_records').selectAll().where('execution_id', '=', id).orderBy('seq').execute();
    return { execution: summaryFromRow(row), steps: rebuildTrace(steps) };
  }

  /**
   * The first execution stored with this idempotency key that started at or after `since`
   * (epoch ms), with its result; undefined when there is none.
   */
  async findByIdempotencyKey(key: string, since: number): Promise<ExecutionRecord | undefined> {
    const row = await this.db
      .selectFrom('executions')
      .select('id')
      .where('idempotency_key', '=', key)
      .where('started_at', '>=', since)
      .orderBy('started_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row ? this.getExecution(row.id) : undefined;
  }

  /** Per workflow over finished runs started in [from, to): count, success rate, p50/p95/p99 duration (ms). */
  async workflowStats(query: StatsQuery): Promise<WorkflowStats[]> {
    let base = this.db.selectFrom('executions').where('started_at', '>=', query.from).where('started_at', '<', query.to).where('status', '<>', 'running').where('duration_ms', 'is not', null);
    if (query.namespace !== undefined) base = base.where('namespace', '=', query.namespace);
    if (query.workflow !== undefined) base = base.where('workflow', '=', query.workflow);
    const counts = base
      .select((eb) => ['namespace', 'workflow', eb.fn.countAll<number>().as('count'), sql<number>`sum(case when status = 'succeeded' then 1 else 0 end)`.as('succeeded')])
      .groupBy(['namespace', 'workflow'])
      .orderBy('namespace')
      .orderBy('workflow');
    if (this.sqlPercentiles) {
      const rows = await counts.select([this.percentile('duration_ms', 0.5).as('p50'), this.percentile('duration_ms', 0.95).as('p95'), this.percentile('duration_ms', 0.99).as('p99')]).execute();
      return rows.map((r) => ({ namespace: r.namespace, workflow: r.workflow, ...durationStats(r.count, r.succeeded, [r.p50, r.p95, r.p99]) }));
    }
    const rows = await counts.execute();
    const out: WorkflowStats[] = [];
    for (const r of rows) {
      const durations = await base.select('duration_ms').where('namespace', '=', r.namespace).where('workflow', '=', r.workflow).orderBy('duration_ms').limit(PERCENTILE_ROWS).execute();
      out.push({ namespace: r.namespace, workflow: r.workflow, ...durationStats(r.count, r.succeeded, percentilesOf(durations.map((d) => d.duration_ms!))) });
    }
    return out;
  }

  /**
   * Per task over the steps that ran (not skipped) in executions started in [from, to):
   * count, success rate, p50/p95/p99 step duration (ms, retries included).
   */
  async taskStats(query: StatsQuery & { task?: string }): Promise<TaskStats[]> {
    let base = this.db
      .selectFrom('step_records as s')
      .innerJoin('executions as e', 'e.id', 's.execution_id')
      .where('e.started_at', '>=', query.from)
      .where('e.started_at', '<', query.to)
      .where('s.task_ref', 'is not', null)
      .where('s.status', '<>', 'skipped')
      .where('s.duration_ms', 'is not', null);
    if (query.namespace !== undefined) base = base.where('e.namespace', '=', query.namespace);
    if (query.workflow !== undefined) base = base.where('e.workflow', '=', query.workflow);
    if (query.task !== undefined) base = base.where('s.task_ref', '=', query.task);
    const counts = base
      .select((eb) => ['e.namespace', 's.task_ref', eb.fn.countAll<number>().as('count'), sql<number>`sum(case when s.status = 'succeeded' then 1 else 0 end)`.as('succeeded')])
      .groupBy(['e.namespace', 's.task_ref'])
      .orderBy('e.namespace')
      .orderBy('s.task_ref');
    if (this.sqlPercentiles) {
      const rows = await counts.select([this.percentile('s.duration_ms', 0.5).as('p50'), this.percentile('s.duration_ms', 0.95).as('p95'), this.percentile('s.duration_ms', 0.99).as('p99')]).execute();
      return rows.map((r) => ({ namespace: r.namespace, task: r.task_ref!, ...durationStats(r.count, r.succeeded, [r.p50, r.p95, r.p99]) }));
    }
    const rows = await counts.execute();
    const out: TaskStats[] = [];
    for (const r of rows) {
      const durations = await base.select('s.duration_ms').where('e.namespace', '=', r.namespace).where('s.task_ref', '=', r.task_ref).orderBy('s.duration_ms').limit(PERCENTILE_ROWS).execute();
      out.push({ namespace: r.namespace, task: r.task_ref!, ...durationStats(r.count, r.succeeded, percentilesOf(durations.map((d) => d.duration_ms!))) });
    }
    return out;
  }

  /** Commits what is queued, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close();
    await this.writer.close();
    await this.db.destroy();
  }

  /** Continuous percentile (linear interpolation), the same definition on both databases. */
  private percentile(column: string, p: number) {
    return this.dialect === 'postgres' ? sql<number | null>`percentile_cont(${sql.lit(p)}) within group (order by ${sql.ref(column)})` : sql<number | null>`percentile_cont(${sql.ref(column)}, ${sql.lit(p)})`;
  }
}

/**
 * The client side of `sqlite-writer.mjs`: starts the writer thread (which checkpoints), posts
 * statements to it and resolves when it has committed them. The thread keeps the process alive
 * only while a write is pending.
 */
class SqliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(path: string, synchronous: SqliteSynchronous, checkpointMs: number) {
    this.worker = new Worker(new URL('./sqlite-writer.mjs', import.meta.url), { workerData: { path, synchronous, checkpointMs }, execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (msg: { id?: number; error?: { message: string; code?: string } }) => {
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (!this.pending.size) this.worker.unref();
      if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      else p.resolve();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.fail(new Error('The SQLite writer thread stopped')));
  }

  write(statements: Statement[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      if (!this.pending.size) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, statements });
    });
  }

  async close(): Promise<void> {
    // Hold the process open until the writer has flushed and exited: the worker is unref'd
    // while idle, and a process whose last handle it is would otherwise exit mid-close.
    this.worker.ref();
    if (!this.failure) this.worker.postMessage({ type: 'close' });
    await this.exited;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

const SUMMARY_COLUMNS = ['id', 'namespace', 'workflow', 'definition_version', 'status', 'trigger_source', 'parent_id', 'idempotency_key', 'started_at', 'ended_at', 'duration_ms', 'error'] as const;

function finishItem(result: ExecutionResult, meta: RecordMeta | undefined): WriteItem {
  const steps = flattenTrace(result.executionId, result.steps);
  return {
    kind: 'finish',
    row: {
      id: result.executionId,
      namespace: result.workflow.namespace,
      workflow: result.workflow.name,
      definition_version: result.workflow.version,
      status: result.status,
      input: meta ? maskedJson(meta.input) : null,
      output: result.status === 'succeeded' ? maskedJson(result.output ?? null) : null,
      error: maskedJson(result.error),
      trigger_source: meta?.trigger ?? null,
      parent_id: meta?.parentId ?? null,
      idempotency_key: meta?.idempotencyKey ?? null,
      started_at: result.startedAt,
      ended_at: result.endedAt,
      duration_ms: result.durationMs,
    },
    steps,
  };
}

const EXECUTION_COLUMNS = ['id', 'namespace', 'workflow', 'definition_version', 'status', 'input', 'output', 'error', 'trigger_source', 'parent_id', 'idempotency_key', 'started_at', 'ended_at', 'duration_ms'] as const;
const STEP_COLUMNS = ['execution_id', 'seq', 'parent_seq', 'path', 'step_id', 'kind', 'status', 'task_ref', 'attempt', 'ready_at', 'started_at', 'ended_at', 'duration_ms', 'wait_ms', 'http_status', 'url', 'error', 'attempts', 'detail'] as const;
/** A finished run updates only what the run decided; input, trigger and keys stay as started. */
const FINISH_CONFLICT = ` on conflict (id) do update set ${['definition_version', 'status', 'output', 'error', 'ended_at', 'duration_ms'].map((c) => `${c} = excluded.${c}`).join(', ')}`;

/** A statement and its parameters. */
type Statement = [sql: string, params: unknown[]];

const STEP_CONFLICT = ` on conflict (execution_id, seq) do update set ${STEP_COLUMNS.filter((c) => c !== 'execution_id' && c !== 'seq')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}`;
const insertInto = (table: string, columns: readonly string[], suffix: string) => `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})${suffix}`;
/** Per-row statements in SQLite's placeholder style; `numbered` turns them into PostgreSQL's. */
const START_SQL = insertInto('executions', EXECUTION_COLUMNS, ' on conflict (id) do nothing');
const FINISH_SQL = insertInto('executions', EXECUTION_COLUMNS, FINISH_CONFLICT);
const STEP_SQL = insertInto('step_records', STEP_COLUMNS, STEP_CONFLICT);
const TRIM_STEPS_SQL = 'delete from step_records where execution_id = ? and seq >= ?';

/**
 * The statements of one shared transaction, one per row: new runs, then finished runs
 * (upserted), the stale steps of a re-recorded run, and its steps (upserted by execution and
 * seq). The texts are constant, so each connection prepares them once.
 */
function batchStatements(batch: WriteItem[]): Statement[] {
  const out: Statement[] = [];
  for (const item of batch) if (item.kind === 'start') out.push([START_SQL, EXECUTION_COLUMNS.map((c) => item.row[c])]);
  for (const item of batch) {
    if (item.kind !== 'finish') continue;
    out.push([FINISH_SQL, EXECUTION_COLUMNS.map((c) => item.row[c])]);
    out.push([TRIM_STEPS_SQL, [item.row.id, item.steps.length]]);
    for (const step of item.steps) out.push([STEP_SQL, STEP_COLUMNS.map((c) => step[c])]);
  }
  return out;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** PostgreSQL's bound-parameter limit per statement. */
const PG_MAX_PARAMS = 65_535;

/**
 * PostgreSQL: the whole batch as one statement (data-modifying CTEs), so a shared commit is one
 * round trip instead of five (BEGIN, executions, stale steps, steps, COMMIT); a single statement
 * is atomic on its own. Steps are upserted by (execution, seq) and only the rows beyond a
 * re-recorded trace's length are deleted, so no statement part touches another's rows.
 * Undefined when the batch needs more parameters than one statement takes, or names a run twice.
 */
function pgBatchStatement(batch: WriteItem[]): Statement | undefined {
  let count = 0;
  const ids = new Set<string>();
  for (const item of batch) {
    count += EXECUTION_COLUMNS.length + (item.kind === 'finish' ? 2 + item.steps.length * STEP_COLUMNS.length : 0);
    ids.add(item.row.id);
  }
  // The parts of one statement do not see each other's rows: a run started and finished in the
  // same batch needs the ordered statements of a transaction.
  if (count > PG_MAX_PARAMS || ids.size < batch.length) return undefined;
  const params: unknown[] = [];
  const values = <R>(columns: readonly (keyof R & string)[], rows: readonly R[]) => {
    const tuples: string[] = [];
    for (const row of rows) {
      tuples.push(`(${placeholders('postgres', params.length, columns.length)})`);
      for (const c of columns) params.push(row[c]);
    }
    return tuples.join(', ');
  };
  const starts = batch.filter((i) => i.kind === 'start').map((i) => i.row);
  const finishes = batch.filter((i): i is Extract<WriteItem, { kind: 'finish' }> => i.kind === 'finish');
  const parts: string[] = [];
  if (starts.length) parts.push(`s as (insert into executions (${EXECUTION_COLUMNS.join(', ')}) values ${values(EXECUTION_COLUMNS, starts)} on conflict (id) do nothing)`);
  if (finishes.length) {
    parts.push(`f as (insert into executions (${EXECUTION_COLUMNS.join(', ')}) values ${values(EXECUTION_COLUMNS, finishes.map((i) => i.row))}${FINISH_CONFLICT})`);
    const lengths = finishes.map((i) => {
      params.push(i.row.id, i.steps.length);
      return `($${params.length - 1}::text, $${params.length}::int)`;
    });
    parts.push(`d as (delete from step_records r using (values ${lengths.join(', ')}) as v(id, n) where r.execution_id = v.id and r.seq >= v.n)`);
  }
  const steps = finishes.flatMap((i) => i.steps);
  const main = steps.length ? `insert into step_records (${STEP_COLUMNS.join(', ')}) values ${values(STEP_COLUMNS, steps)}${STEP_CONFLICT}` : 'select 1';
  return [`with ${parts.join(', ')} ${main}`, params];
}

/** `?, ?, ?` for SQLite; `$n+1, $n+2, …` for PostgreSQL. */
function placeholders(dialect: StoreDialect, offset: number, count: number): string {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = dialect === 'sqlite' ? '?' : `$${offset + i + 1}`;
  return out.join(', ');
}


type SummaryRow = Pick<ExecutionsTable, (typeof SUMMARY_COLUMNS)[number]>;

function summaryFromRow(r: SummaryRow): ExecutionSummary {
  const s: ExecutionSummary = { id: r.id, namespace: r.namespace, workflow: r.workflow, status: r.status as ExecutionStatus, startedAt: r.started_at };
  if (r.definition_version !== null) s.version = r.definition_version;
  if (r.trigger_source !== null) s.trigger = r.trigger_source;
  if (r.parent_id !== null) s.parentId = r.parent_id;
  if (r.idempotency_key !== null) s.idempotencyKey = r.idempotency_key;
  if (r.ended_at !== null) s.endedAt = r.ended_at;
  if (r.duration_ms !== null) s.durationMs = r.duration_ms;
  if (r.error !== null) s.error = JSON.parse(r.error);
  return s;
}

function stepFromRow(r: StepRecordsTable): StepRecord {
  const attempts = r.attempts === null ? [] : (JSON.parse(r.attempts) as AttemptTrace[]);
  const s: StepRecord = { seq: r.seq, path: r.path, stepId: r.step_id, kind: r.kind as StepRecord['kind'], status: r.status as StepRecord['status'], attempt: r.attempt, attempts };
  if (r.parent_seq !== null) s.parentSeq = r.parent_seq;
  if (r.task_ref !== null) s.taskRef = r.task_ref;
  if (r.ready_at !== null) s.readyAt = r.ready_at;
  if (r.started_at !== null) s.startedAt = r.started_at;
  if (r.ended_at !== null) s.endedAt = r.ended_at;
  if (r.duration_ms !== null) s.durationMs = r.duration_ms;
  if (r.wait_ms !== null) s.waitMs = r.wait_ms;
  if (r.http_status !== null) s.httpStatus = r.http_status;
  if (r.url !== null) s.url = r.url;
  if (r.error !== null) s.error = JSON.parse(r.error);
  return s;
}

/**
 * Continuous percentile of sorted values (linear interpolation between closest ranks), as
 * PostgreSQL's and SQLite's `percentile_cont`.
 * @example percentileCont([1, 2, 3, 4], 0.5) // 2.5
 */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function percentilesOf(sorted: number[]): [number | null, number | null, number | null] {
  return [percentileCont(sorted, 0.5), percentileCont(sorted, 0.95), percentileCont(sorted, 0.99)];
}

function durationStats(count: number, succeeded: number, [p50, p95, p99]: Array<number | null>): DurationStats {
  const n = Number(count);
  const ok = Number(succeeded ?? 0);
  return { count: n, succeeded: ok, successRate: n ? ok / n : 0, p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

/** An opaque page cursor: base64url of `[startedAt, id]`. */
export function encodeCursor(startedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([startedAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: number; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && Number.isFinite(v[0]) && typeof v[1] === 'string') return { startedAt: v[0], id: v[1] };
  } catch {
    /* reported below */
  }
  throw storeError('WF_QUERY_CURSOR', 'The cursor is not one this server issued', 'Pass the nextCursor of the previous page unchanged, or leave the cursor out to start from the newest.', '/cursor');
}

function storeError(code: string, message: string, hint: string, pointer?: string): DiagnosticError {
  return new DiagnosticError([{ code, severity: 'error', message, hint, ...(pointer ? { pointer } : {}) }]);
}

/** A database URL without its password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, userinfo: string) => `${scheme}${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:***` : userinfo}@`);
}
