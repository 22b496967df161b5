import { writeSync } from 'node:fs';
import { isoTime } from '../model/time.js';

/** A structured log line: `level`, `msg` and plain fields; never bodies or secrets. */
export type LogEntry = { level?: 'debug' | 'info' | 'warn' | 'error'; msg: string } & Record<string, unknown>;

export type Logger = (entry: LogEntry) => void;

/**
 * Standard output, written in batches: lines logged in one turn of the event loop leave in one
 * write (one syscall per turn under load instead of one per request); what is still pending
 * when the process exits is written synchronously.
 */
export function batchedStdout(): (line: string) => void {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const out = pending;
    pending = '';
    if (out) process.stdout.write(out);
  };
  process.once('exit', () => {
    if (!pending) return;
    try {
      writeSync(1, pending);
    } catch {
      // Standard output is gone; nothing left to tell.
    }
  });
  return (line) => {
    pending += line;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

/**
 * A logger that writes one JSON object per line, with the time first.
 * @example jsonLogger()({ level: 'info', msg: 'request', method: 'GET', path: '/healthz', status: 200 })
 */
export function jsonLogger(write: (line: string) => void = batchedStdout()): Logger {
  return (entry) => write(JSON.stringify({ time: isoTime(Date.now()), level: entry.level ?? 'info', ...entry }) + '\n');
}

/** A logger that drops everything. */
export const silentLogger: Logger = () => {};
