import { writeSync } from 'node:fs';
import { isoTime } from '../model/time.js';

/** A structured log line: `level`, `msg` and plain fields; never bodies or secrets. */
export type LogEntry = { level?: 'debug' | 'info' | 'warn' | 'error'; msg: string } & Record<string, unknown>;

export type Logger = (entry: LogEntry) => void;

/** How long a log line may wait for others to share its write, and how much text forces one. */
const FLUSH_AFTER_MS = 20;
const FLUSH_BYTES = 64 * 1024;

/**
 * Standard output, written in batches: lines leave together at most 20 ms after the first of
 * them (or once 64 KB wait), one syscall for many requests under load. What is still pending
 * when the process exits is written synchronously; a SIGKILL loses at most those 20 ms.
 */
export function batchedStdout(): (line: string) => void {
  let pending = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
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
    if (pending.length >= FLUSH_BYTES) flush();
    else if (!timer) {
      timer = setTimeout(flush, FLUSH_AFTER_MS);
      timer.unref();
    }
  };
}

/**
 * A logger that writes one JSON object per line, with the time first.
 * @example jsonLogger()({ level: 'info', msg: 'request', method: 'GET', path: '/healthz', status: 200 })
 */
export function jsonLogger(write: (line: string) => void = batchedStdout()): Logger {
  return (entry) => {
    const head = `{"time":"${isoTime(Date.now())}","level":"${entry.level ?? 'info'}"`;
    // The entry's own text follows, minus a leading `level` (the usual case); copying the entry
    // into a new object cost more than the rest of the line.
    let body = JSON.stringify(entry);
    if (entry.level !== undefined) {
      const own = `{"level":${JSON.stringify(entry.level)}`;
      body = body.startsWith(own) ? `{${body.slice(own.length + 1)}` : JSON.stringify({ ...entry, level: undefined });
    }
    write(`${head}${body.length > 2 ? `,${body.slice(1)}` : '}'}\n`);
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = () => {};
