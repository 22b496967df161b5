// Runs a batch of SQL statements in one SQLite transaction on a better-sqlite3 connection,
// each statement prepared once per connection and reused. Shared by the ExecutionStore's
// main-thread writer and its writer thread (sqlite-writer.mjs). Plain JavaScript so that the
// worker loads it without the TypeScript loader.

/** Prepared statements kept per connection, oldest dropped first. */
const MAX_STATEMENTS = 64;

/**
 * @param {import('better-sqlite3').Database} db
 * @returns {(statements: Array<[string, unknown[]]>) => void}
 */
export function batchRunner(db) {
  const prepared = new Map();
  const statement = (sql) => {
    let stmt = prepared.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      prepared.set(sql, stmt);
      if (prepared.size > MAX_STATEMENTS) prepared.delete(prepared.keys().next().value);
    }
    return stmt;
  };
  return db.transaction((statements) => {
    for (const [sql, params] of statements) statement(sql).run(params);
  });
}
