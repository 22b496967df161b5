// The SQLite write connection of an ExecutionStore, on its own thread: runs each batch of
// statements in one transaction and answers when it is committed. Kept off the main thread
// because better-sqlite3 is synchronous: the commit's write (and its fsync under
// synchronous=FULL) would otherwise stop the event loop, and with it every request in flight.
// Plain JavaScript so that it loads in a worker without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
// `normal` or `full`: see SqliteSynchronous in store.ts.
db.pragma(`synchronous = ${workerData.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
db.pragma('busy_timeout = 5000');

/** Prepared statements by SQL text, oldest dropped first. */
const statements = new Map();
const MAX_STATEMENTS = 128;

function prepared(sql) {
  let stmt = statements.get(sql);
  if (stmt) return stmt;
  stmt = db.prepare(sql);
  statements.set(sql, stmt);
  if (statements.size > MAX_STATEMENTS) statements.delete(statements.keys().next().value);
  return stmt;
}

const runBatch = db.transaction((batch) => {
  for (const [sql, params] of batch) prepared(sql).run(params);
});

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    db.close();
    parentPort.postMessage({ type: 'closed' });
    parentPort.close();
    return;
  }
  try {
    runBatch(msg.statements);
    parentPort.postMessage({ id: msg.id });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: { message: err.message, code: err.code } });
  }
});
