/** A structured log line: `level`, `msg` and plain fields; never bodies or secrets. */
export type LogEntry = { level?: 'debug' | 'info' | 'warn' | 'error'; msg: string } & Record<string, unknown>;

export type Logger = (entry: LogEntry) => void;

/**
 * A logger that writes one JSON object per line, with the time first.
 * @example jsonLogger()({ level: 'info', msg: 'request', method: 'GET', path: '/healthz', status: 200 })
 */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return (entry) => write(JSON.stringify({ time: new Date().toISOString(), level: entry.level ?? 'info', ...entry }) + '\n');
}

/** A logger that drops everything. */
export const silentLogger: Logger = () => {};
