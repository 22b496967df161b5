import { readFile, stat } from 'node:fs/promises';

/** Exit codes of every `weft` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how a command was called (a flag, an argument, a config value): exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Commander's collector for repeatable options (`--definitions A --definitions B`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Parses a JSON flag value; `@file.json` reads the file.
 * @example await parseJsonFlag('--input', '{"userId":"7"}') // { userId: '7' }
 */
export async function parseJsonFlag(flag: string, value: string): Promise<unknown> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`${flag} ${value}: cannot read ${value.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON: ${(err as Error).message}`, `Quote it for the shell, e.g. ${flag} '{"userId": "7"}', or pass ${flag} @file.json.`);
  }
}

/** Throws a UsageError naming the first path that does not exist. */
export async function requireExisting(paths: readonly string[], what: string, hint?: string): Promise<void> {
  for (const p of paths) {
    if (!(await stat(p).catch(() => undefined))) throw new UsageError(`${what} '${p}' does not exist`, hint);
  }
}

/** Parses a TCP port (0..65535) from a flag, an environment variable or a config value. */
export function parsePort(value: unknown, source: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`${source} is ${JSON.stringify(value)}, not a port (0..65535)`);
  return n;
}
