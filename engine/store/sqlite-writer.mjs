// The SQLite writer thread of an ExecutionStore. With synchronous=full it runs the write
// batches: better-sqlite3 is synchronous, and the fsync of every commit would otherwise stop
// the event loop, and with it every request in flight. In every mode it checkpoints the WAL
// into the database file (a copy plus fsyncs), which the store's own connection leaves to it.
// Plain JavaScript so that it loads in a worker without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { batchRunner } from './sqlite-batch.mjs';

const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
// `normal` or `full`: see SqliteSynchronous in store.ts.
db.pragma(`synchronous = ${workerData.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
const run = batchRunner(db);

// PASSIVE never waits for readers or the writer; what it cannot copy now, a later one does.
const checkpoints = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    /* busy: the next tick tries again */
  }
}, workerData.checkpointMs);

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    clearInterval(checkpoints);
    db.close();
    parentPort.close();
    return;
  }
  try {
    run(msg.statements);
    parentPort.postMessage({ id: msg.id });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: { message: err.message, code: err.code } });
  }
});
