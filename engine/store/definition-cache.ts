import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import { canonicalJson } from '../model/canonical.js';
import { DiagnosticError } from '../model/diagnostic.js';
import { DefinitionRegistry, toResource, type LoadedResource } from '../load/index.js';
import { isObject as isPlainObject } from '../load/resource.js';

/** A Kubernetes-style object as the cache takes it (a definition document or a custom resource). */
export interface CachedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}
type KubeObject = CachedObject;

/**
 * The documents of a registry's tasks and workflows, as `deltaSync` takes them.
 * @example await cache.deltaSync(registryObjects(source.registry))
 */
export function registryObjects(registry: DefinitionRegistry): CachedObject[] {
  return [...registry.tasks.values(), ...registry.workflows.values()].map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: { ...r.metadata }, spec: r.spec }));
}

/** `Kind/namespace/name`, an empty namespace read as `default`. */
function objectKey(o: Pick<CachedObject, 'kind' | 'metadata'>): string {
  return `${o.kind}/${o.metadata.namespace || 'default'}/${o.metadata.name}`;
}

/** SHA-256 of the canonical JSON of a document (sorted keys). */
function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

interface DefinitionCacheTable {
  kind: string;
  namespace: string;
  name: string;
  /** Content hash of the document (canonical JSON). */
  version: string;
  /** Where it came from: a Git commit or a Kubernetes resourceVersion. */
  source_version: string | null;
  labels: string;
  description: string | null;
  document: string;
  synced_at: number;
}

interface DefinitionTaskRefsTable {
  workflow_namespace: string;
  workflow_name: string;
  task_namespace: string;
  task_name: string;
}

interface CacheDatabase {
  definition_cache: DefinitionCacheTable;
  definition_task_refs: DefinitionTaskRefsTable;
}

/**
 * The definition cache's migrations. They run with their own migration table
 * (`weft_definition_cache_migration`) beside the execution store's, on the same database.
 */
export const DEFINITION_CACHE_MIGRATIONS: Record<string, Migration> = {
  '0001_definition_cache': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('definition_cache')
        .ifNotExists()
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('namespace', 'varchar(253)', (c) => c.notNull())
        .addColumn('name', 'varchar(253)', (c) => c.notNull())
        .addColumn('version', 'varchar(64)', (c) => c.notNull())
        .addColumn('source_version', 'varchar(128)')
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('synced_at', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('definition_cache_pk', ['kind', 'namespace', 'name'])
        .execute();
      await db.schema.createIndex('definition_cache_namespace').ifNotExists().on('definition_cache').columns(['namespace', 'kind', 'name']).execute();
      await db.schema
        .createTable('definition_task_refs')
        .ifNotExists()
        .addColumn('workflow_namespace', 'varchar(253)', (c) => c.notNull())
        .addColumn('workflow_name', 'varchar(253)', (c) => c.notNull())
        .addColumn('task_namespace', 'varchar(253)', (c) => c.notNull())
        .addColumn('task_name', 'varchar(253)', (c) => c.notNull())
        .addPrimaryKeyConstraint('definition_task_refs_pk', ['workflow_namespace', 'workflow_name', 'task_namespace', 'task_name'])
        .execute();
      await db.schema.createIndex('definition_task_refs_task').ifNotExists().on('definition_task_refs').columns(['task_namespace', 'task_name']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('definition_task_refs').execute();
      await db.schema.dropTable('definition_cache').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => DEFINITION_CACHE_MIGRATIONS };
const WEFT_KINDS = new Set(['WorkflowTask', 'Workflow']);
const BATCH = 500;

/** What a delta sync changed. */
export interface DeltaResult {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

export interface SearchQuery {
  kind?: 'Workflow' | 'WorkflowTask';
  /** Case-insensitive substring of the name or description. */
  search?: string;
  namespace?: string;
  /** Every label must match (`{team: 'payments'}`). */
  labels?: Record<string, string>;
  limit?: number;
  offset?: number;
}

export interface DefinitionSummary {
  kind: string;
  namespace: string;
  name: string;
  version: string;
  sourceVersion: string | null;
  description: string | null;
  labels: Record<string, string>;
  syncedAt: string;
}

export interface DefinitionCounts {
  total: number;
  byKind: Record<string, number>;
  byNamespace: Record<string, { Workflow: number; WorkflowTask: number }>;
  unusedTasks: number;
}

/**
 * Synced definitions kept in a database (Roadmap Stage 32.1–32.3): upserted on every reconcile,
 * loaded in one query at start (so an engine serves again without listing its source), then
 * delta-synced; queried by name, namespace, label and task usage. SQLite (`.weft/weft.db` or
 * `sqlite:PATH`) or PostgreSQL (`postgres://…`, e.g. `WEFT_DATABASE_URL`).
 * @example
 * const cache = await DefinitionCache.open({ path: '.weft/weft.db' });
 * const registry = await cache.registry();        // serve from the cache
 * await cache.deltaSync(liveObjects, { sourceVersion: revision });
 */
export class DefinitionCache {
  /** Versions of what is stored, by object key, for cheap delta syncs. */
  private versions: Map<string, string> | undefined;

  private constructor(
    private readonly db: Kysely<CacheDatabase>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Opens (and migrates) the cache. */
  static async open(options: { url?: string; path?: string; env?: Record<string, string | undefined> } = {}): Promise<DefinitionCache> {
    const env = options.env ?? process.env;
    const url = options.url ?? (options.path ? undefined : env.WEFT_DATABASE_URL || undefined);
    let cache: DefinitionCache;
    /** PostgreSQL: the connection's schema, where the migration tables go (as the execution store does). */
    let migrationTableSchema: string | undefined;
    if (url && /^postgres(ql)?:\/\//i.test(url)) {
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      pool.on('error', () => undefined);
      try {
        migrationTableSchema = (await pool.query<{ s: string }>('select current_schema() as s')).rows[0].s;
      } catch (err) {
        await pool.end().catch(() => undefined);
        throw new DiagnosticError([{ code: 'WF_CACHE_OPEN', severity: 'error', message: `Cannot open the definition cache on PostgreSQL: ${(err as Error).message || 'connection failed'}`, hint: 'Check that the server is running and that the URL names a database the user may create tables in.' }]);
      }
      cache = new DefinitionCache(new Kysely<CacheDatabase>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
    } else {
      const path = resolve(url?.startsWith('sqlite:') ? url.slice('sqlite:'.length) : (options.path ?? '.weft/weft.db'));
      let database: Database.Database;
      try {
        mkdirSync(dirname(path), { recursive: true });
        database = new Database(path);
        database.pragma('journal_mode = WAL');
        database.pragma('busy_timeout = 5000');
      } catch (err) {
        throw new DiagnosticError([{ code: 'WF_CACHE_OPEN', severity: 'error', message: `Cannot open the definition cache at ${path}: ${(err as Error).message}`, hint: 'Check that the directory is writable.' }]);
      }
      cache = new DefinitionCache(new Kysely<CacheDatabase>({ dialect: new SqliteDialect({ database }) }), 'sqlite');
    }
    const migrator = new Migrator({ db: cache.db, provider, migrationTableName: 'weft_definition_cache_migration', migrationLockTableName: 'weft_definition_cache_migration_lock', ...(migrationTableSchema ? { migrationTableSchema } : {}) });
    const { error } = await migrator.migrateToLatest();
    if (error) {
      await cache.close();
      throw new DiagnosticError([{ code: 'WF_CACHE_MIGRATION', severity: 'error', message: `Migrating the definition cache failed: ${(error as Error).message}`, hint: 'A newer Weft may have migrated this database; run the same or a newer version.' }]);
    }
    return cache;
  }

  /** Every cached document, tasks first, in key order: one query. */
  async loadAll(): Promise<KubeObject[]> {
    const rows = await this.db.selectFrom('definition_cache').select(['kind', 'namespace', 'name', 'version', 'document']).orderBy('kind', 'desc').orderBy('namespace').orderBy('name').execute();
    this.versions = new Map(rows.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r.version]));
    return rows.map((r) => JSON.parse(r.document) as KubeObject);
  }

  /**
   * A registry built from the cache, for an engine to serve at once after a restart.
   * Documents go through the same loader step as files (`toResource`).
   */
  async registry(): Promise<DefinitionRegistry> {
    const objects = await this.loadAll();
    const loaded: LoadedResource[] = [];
    objects.forEach((o, i) => {
      const r = toResource({ file: `cache:${objectKey(o)}`, index: i, value: o, locate: () => ({ file: `cache:${objectKey(o)}`, line: 1, column: 1 }) });
      if (r.loaded) loaded.push(r.loaded);
    });
    return new DefinitionRegistry(loaded);
  }

  /**
   * Makes the cache equal to `objects` (Weft kinds only): inserts what is new, updates what
   * changed (by content hash), deletes what is gone, in one transaction.
   */
  async deltaSync(objects: readonly KubeObject[], options: { sourceVersion?: string; now?: number } = {}): Promise<DeltaResult> {
    const known = this.versions ?? (await this.readVersions());
    const now = options.now ?? Date.now();
    const wanted = new Map<string, { object: KubeObject; version: string }>();
    for (const o of objects) {
      if (!WEFT_KINDS.has(o.kind)) continue;
      const doc = cacheDocument(o);
      wanted.set(objectKey(doc), { object: doc, version: contentHash(doc) });
    }
    const upserts: DefinitionCacheTable[] = [];
    let added = 0;
    let updated = 0;
    for (const [key, { object, version }] of wanted) {
      const before = known.get(key);
      if (before === version) continue;
      if (before === undefined) added++;
      else updated++;
      upserts.push(row(object, version, options.sourceVersion ?? null, now));
    }
    const removed = [...known.keys()].filter((k) => !wanted.has(k));
    if (upserts.length || removed.length) {
      await this.db.transaction().execute(async (trx) => {
        for (let i = 0; i < upserts.length; i += BATCH) {
          const batch = upserts.slice(i, i + BATCH);
          await trx
            .insertInto('definition_cache')
            .values(batch)
            .onConflict((oc) =>
              oc.columns(['kind', 'namespace', 'name']).doUpdateSet((eb) => ({
                version: eb.ref('excluded.version'),
                source_version: eb.ref('excluded.source_version'),
                labels: eb.ref('excluded.labels'),
                description: eb.ref('excluded.description'),
                document: eb.ref('excluded.document'),
                synced_at: eb.ref('excluded.synced_at'),
              })),
            )
            .execute();
          const workflows = batch.filter((r) => r.kind === 'Workflow');
          for (const w of workflows) await trx.deleteFrom('definition_task_refs').where('workflow_namespace', '=', w.namespace).where('workflow_name', '=', w.name).execute();
          const refs = workflows.flatMap((w) => taskRefsOf(JSON.parse(w.document) as KubeObject));
          for (let j = 0; j < refs.length; j += BATCH) await trx.insertInto('definition_task_refs').values(refs.slice(j, j + BATCH)).onConflict((oc) => oc.doNothing()).execute();
        }
        for (const key of removed) {
          const [kind, namespace, ...rest] = key.split('/');
          const name = rest.join('/');
          await trx.deleteFrom('definition_cache').where('kind', '=', kind).where('namespace', '=', namespace).where('name', '=', name).execute();
          if (kind === 'Workflow') await trx.deleteFrom('definition_task_refs').where('workflow_namespace', '=', namespace).where('workflow_name', '=', name).execute();
        }
      });
    }
    this.versions = new Map([...wanted].map(([k, v]) => [k, v.version]));
    return { added, updated, removed: removed.length, unchanged: wanted.size - added - updated };
  }

  /** Definitions matching a search, in namespace and name order. */
  async search(q: SearchQuery = {}): Promise<{ items: DefinitionSummary[]; total: number }> {
    let query = this.db.selectFrom('definition_cache');
    if (q.kind) query = query.where('kind', '=', q.kind);
    if (q.namespace) query = query.where('namespace', '=', q.namespace);
    if (q.search) {
      const like = `%${escapeLike(q.search.toLowerCase())}%`;
      query = query.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', sql<string>`${like} escape '\\'`), eb(eb.fn('lower', ['description']), 'like', sql<string>`${like} escape '\\'`)]));
    }
    for (const [k, v] of Object.entries(q.labels ?? {})) {
      // Labels are stored as canonical JSON, so a pair is always written as `"key":"value"`.
      const pair = canonicalJson({ [k]: v }).slice(1, -1);
      query = query.where('labels', 'like', sql<string>`${`%${escapeLike(pair)}%`} escape '\\'`);
    }
    const total = Number((await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await query
      .select(['kind', 'namespace', 'name', 'version', 'source_version', 'description', 'labels', 'synced_at'])
      .orderBy('namespace')
      .orderBy('name')
      .orderBy('kind')
      .limit(Math.min(q.limit ?? 50, 1000))
      .offset(q.offset ?? 0)
      .execute();
    return { items: rows.map(summary), total };
  }

  /** Workflows whose steps (nested ones included) call the task. */
  async workflowsUsingTask(namespace: string, name: string): Promise<Array<{ namespace: string; name: string }>> {
    const rows = await this.db.selectFrom('definition_task_refs').select(['workflow_namespace', 'workflow_name']).where('task_namespace', '=', namespace).where('task_name', '=', name).orderBy('workflow_namespace').orderBy('workflow_name').execute();
    return rows.map((r) => ({ namespace: r.workflow_namespace, name: r.workflow_name }));
  }

  /** Tasks a workflow calls (nested steps included). */
  async tasksUsedBy(namespace: string, name: string): Promise<Array<{ namespace: string; name: string }>> {
    const rows = await this.db.selectFrom('definition_task_refs').select(['task_namespace', 'task_name']).where('workflow_namespace', '=', namespace).where('workflow_name', '=', name).orderBy('task_namespace').orderBy('task_name').execute();
    return rows.map((r) => ({ namespace: r.task_namespace, name: r.task_name }));
  }

  /** Tasks no workflow references. */
  async unusedTasks(namespace?: string): Promise<Array<{ namespace: string; name: string }>> {
    let q = this.db
      .selectFrom('definition_cache as d')
      .select(['d.namespace', 'd.name'])
      .where('d.kind', '=', 'WorkflowTask')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('definition_task_refs as r').select('r.task_name').whereRef('r.task_namespace', '=', 'd.namespace').whereRef('r.task_name', '=', 'd.name'))));
    if (namespace) q = q.where('d.namespace', '=', namespace);
    return q.orderBy('d.namespace').orderBy('d.name').execute();
  }

  /** Counts by kind and by namespace, and how many tasks are unused. */
  async counts(): Promise<DefinitionCounts> {
    const rows = await this.db.selectFrom('definition_cache').select(['kind', 'namespace', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['kind', 'namespace']).execute();
    const out: DefinitionCounts = { total: 0, byKind: { Workflow: 0, WorkflowTask: 0 }, byNamespace: {}, unusedTasks: (await this.unusedTasks()).length };
    for (const r of rows) {
      const n = Number(r.n);
      out.total += n;
      out.byKind[r.kind] = (out.byKind[r.kind] ?? 0) + n;
      const ns = (out.byNamespace[r.namespace] ??= { Workflow: 0, WorkflowTask: 0 });
      ns[r.kind as 'Workflow' | 'WorkflowTask'] += n;
    }
    return out;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  private async readVersions(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('definition_cache').select(['kind', 'namespace', 'name', 'version']).execute();
    return new Map(rows.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r.version]));
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The document kept: apiVersion, kind, name, namespace, labels, annotations, spec; no server fields. */
function cacheDocument(o: KubeObject): KubeObject {
  const meta: KubeObject['metadata'] = { name: o.metadata.name, namespace: o.metadata.namespace || 'default' };
  if (o.metadata.labels && Object.keys(o.metadata.labels).length) meta.labels = o.metadata.labels;
  if (o.metadata.annotations && Object.keys(o.metadata.annotations).length) meta.annotations = o.metadata.annotations;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: meta, spec: o.spec };
}

function row(o: KubeObject, version: string, sourceVersion: string | null, now: number): DefinitionCacheTable {
  const spec = isPlainObject(o.spec) ? o.spec : {};
  return {
    kind: o.kind,
    namespace: o.metadata.namespace || 'default',
    name: o.metadata.name,
    version,
    source_version: sourceVersion,
    labels: canonicalJson(o.metadata.labels ?? {}),
    description: typeof spec.description === 'string' ? spec.description : null,
    document: JSON.stringify(o),
    synced_at: now,
  };
}

function summary(r: Pick<DefinitionCacheTable, 'kind' | 'namespace' | 'name' | 'version' | 'source_version' | 'description' | 'labels' | 'synced_at'>): DefinitionSummary {
  return { kind: r.kind, namespace: r.namespace, name: r.name, version: r.version, sourceVersion: r.source_version, description: r.description, labels: JSON.parse(r.labels), syncedAt: new Date(Number(r.synced_at)).toISOString() };
}

/** Every task a workflow's steps call: `taskRef` of steps, nested steps, switch cases and defaults. */
export function taskRefsOf(workflow: KubeObject): DefinitionTaskRefsTable[] {
  const ns = workflow.metadata.namespace || 'default';
  const out = new Map<string, DefinitionTaskRefsTable>();
  const add = (ref: unknown) => {
    if (typeof ref !== 'string' || !ref) return;
    const [taskNamespace, taskName] = ref.includes('/') ? ref.split('/', 2) : [ns, ref];
    out.set(`${taskNamespace}/${taskName}`, { workflow_namespace: ns, workflow_name: workflow.metadata.name, task_namespace: taskNamespace, task_name: taskName });
  };
  const walk = (steps: unknown, depth: number) => {
    if (!Array.isArray(steps) || depth > 64) return;
    for (const s of steps) {
      if (!isPlainObject(s)) continue;
      add(s.taskRef);
      if (isPlainObject(s.switch)) {
        for (const c of Array.isArray(s.switch.cases) ? s.switch.cases : []) if (isPlainObject(c)) add(c.taskRef);
        if (isPlainObject(s.switch.default)) add(s.switch.default.taskRef);
      }
      walk(s.tasks, depth + 1);
    }
  };
  walk(isPlainObject(workflow.spec) ? workflow.spec.tasks : undefined, 0);
  return [...out.values()];
}

