import type { Database } from 'better-sqlite3';

/** Runs statements `[sql, params]` in one transaction on `db`, reusing prepared statements. */
export function batchRunner(db: Database): (statements: Array<[string, unknown[]]>) => void;
