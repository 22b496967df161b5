import { type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** Times are epoch milliseconds (fractional), durations milliseconds; JSON columns hold text. */
export interface ExecutionsTable {
  id: string;
  namespace: string;
  workflow: string;
  definition_version: string | null;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  trigger_source: string | null;
  parent_id: string | null;
  idempotency_key: string | null;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
}

/**
 * One row per step of an execution's trace, nested steps flattened depth first (`seq` order).
 * Task statistics reach these rows through the executions' time index and this primary key.
 */
export interface StepRecordsTable {
  execution_id: string;
  seq: number;
  parent_seq: number | null;
  /** `process[3].charge`: the step's place in the nested trace. */
  path: string;
  step_id: string;
  kind: string;
  status: string;
  task_ref: string | null;
  /** Number of the last attempt; 0 when the step made no call. */
  attempt: number;
  ready_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  wait_ms: number | null;
  http_status: number | null;
  url: string | null;
  error: string | null;
  /** Every attempt (JSON array of the engine's AttemptTrace: number, start, duration, HTTP status, backoff, error). */
  attempts: string | null;
  /** The rest of the step trace (method, reason, matched case, item index, workflowRef, child run id). */
  detail: string | null;
}

/** Every definition version seen, once. */
export interface DefinitionVersionsTable {
  kind: string;
  namespace: string;
  name: string;
  version: string;
  snapshot: string;
  first_seen: number;
}

export interface StoreDatabase {
  executions: ExecutionsTable;
  step_records: StepRecordsTable;
  definition_versions: DefinitionVersionsTable;
}

const TIME = 'double precision';

/** The one migration set, for SQLite and PostgreSQL alike. Append; never edit a released one. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_history': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('executions')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
        .addColumn('workflow', 'varchar(253)', (c) => c.notNull())
        .addColumn('definition_version', 'varchar(64)')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('input', 'text')
        .addColumn('output', 'text')
        .addColumn('error', 'text')
        .addColumn('trigger_source', 'varchar(253)')
        .addColumn('parent_id', 'varchar(64)')
        .addColumn('idempotency_key', 'varchar(255)')
        .addColumn('started_at', TIME, (c) => c.notNull())
        .addColumn('ended_at', TIME)
        .addColumn('duration_ms', TIME)
        .execute();
      await db.schema.createIndex('executions_started').on('executions').columns(['started_at', 'id']).execute();
      await db.schema.createIndex('executions_workflow_started').on('executions').columns(['namespace', 'workflow', 'started_at', 'id']).execute();
      await db.schema.createIndex('executions_status_started').on('executions').columns(['status', 'started_at', 'id']).execute();
      // Partial: most runs carry neither, and every index is paid for on every insert.
      await db.schema.createIndex('executions_idempotency').on('executions').columns(['idempotency_key', 'started_at']).where('idempotency_key', 'is not', null).execute();
      await db.schema.createIndex('executions_parent').on('executions').column('parent_id').where('parent_id', 'is not', null).execute();

      await db.schema
        .createTable('step_records')
        .addColumn('execution_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('parent_seq', 'integer')
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('step_id', 'varchar(253)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('task_ref', 'varchar(253)')
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('ready_at', TIME)
        .addColumn('started_at', TIME)
        .addColumn('ended_at', TIME)
        .addColumn('duration_ms', TIME)
        .addColumn('wait_ms', TIME)
        .addColumn('http_status', 'integer')
        .addColumn('url', 'text')
        .addColumn('error', 'text')
        .addColumn('attempts', 'text')
        .addColumn('detail', 'text')
        .addPrimaryKeyConstraint('step_records_pk', ['execution_id', 'seq'])
        .execute();

      await db.schema
        .createTable('definition_versions')
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
        .addColumn('name', 'varchar(253)', (c) => c.notNull())
        .addColumn('version', 'varchar(64)', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('first_seen', TIME, (c) => c.notNull())
        .addPrimaryKeyConstraint('definition_versions_pk', ['kind', 'namespace', 'name', 'version'])
        .execute();
      await db.schema.createIndex('definition_versions_first_seen').on('definition_versions').columns(['kind', 'namespace', 'name', 'first_seen']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['definition_versions', 'step_records', 'executions']) await db.schema.dropTable(t).execute();
    },
  },
};

/** Feeds `MIGRATIONS` to Kysely's Migrator (no files to find at run time). */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
