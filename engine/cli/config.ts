import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { parsePort, UsageError } from './usage.js';

/** Settings shared by `weft serve`, `weft run` and `weft plan`. */
export interface WeftConfig {
  /** Definition directories; `definitionsGiven` says whether anyone set them. */
  definitions: string[];
  definitionsGiven: boolean;
  host: string;
  port: number;
  /**
   * Origin aliases `FROM=TO` that weft.yaml, WEFT_ORIGINS and --origin set, lowest precedence first
   * (a later alias for the same origin wins). `DEFAULTS.origins` are not included: see `withDefaultOrigins`.
   */
  origins: string[];
  withDemoApi: boolean;
  demoApiPort: number;
}

/** What flags may set; undefined means "not given". */
export interface ConfigFlags {
  definitions?: string[];
  host?: string;
  port?: string;
  origin?: string[];
  withDemoApi?: boolean;
  demoApiPort?: string;
  config?: string;
}

export const DEFAULTS = {
  /** Example definitions; `fixtures/` also holds roadmap fragments that are not meant to serve. */
  definitions: ['./fixtures/examples'],
  host: '127.0.0.1',
  port: 8080,
  demoApiPort: 8090,
  /** Example task URLs name `http://demo-api`; by default that is a demo API on its default port. */
  origins: ['http://demo-api=http://127.0.0.1:8090'],
} as const;

/** The parsed `weft.yaml` and where it was read from. */
export interface ConfigFile {
  path: string;
  data: Record<string, unknown>;
}

/**
 * Reads `weft.yaml` (or the file `--config`/`WEFT_CONFIG` names). A missing default file is no
 * error; a missing named file, bad YAML or a value of the wrong type is a UsageError.
 */
export async function readConfigFile(named: string | undefined, cwd = process.cwd()): Promise<ConfigFile | undefined> {
  const path = named ?? join(cwd, 'weft.yaml');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (!named && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  const { parse: parseYaml } = await import('yaml');
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message.split('\n')[0]}`, 'Fix the YAML syntax of the config file.');
  }
  if (data === null || data === undefined) return { path, data: {} };
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${path}: the config must be a mapping (definitions, origins, server, demoApi)`);
  const known = new Set(['definitions', 'origins', 'server', 'demoApi']);
  for (const k of Object.keys(data)) {
    if (!known.has(k)) throw new UsageError(`${path}: unknown field '${k}'`, `Known fields: ${[...known].join(', ')}.`);
  }
  return { path, data: data as Record<string, unknown> };
}

/**
 * Resolves settings with the precedence flags > `WEFT_*` environment > `weft.yaml` > defaults.
 * @example resolveConfig({ port: '9000' }, { WEFT_PORT: '7000' }).port // 9000
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = {}, file?: ConfigFile): WeftConfig {
  const f = file?.data ?? {};
  const at = (field: string) => `${file?.path ?? 'weft.yaml'} ${field}`;
  const server = section(f.server, at('server'), ['host', 'port']);
  const demo = section(f.demoApi, at('demoApi'), ['enabled', 'port']);
  const base = file ? dirname(file.path) : process.cwd();

  let definitions: string[] = [...DEFAULTS.definitions];
  let definitionsGiven = false;
  if (f.definitions !== undefined) {
    definitions = stringList(f.definitions, at('definitions')).map((d) => (isAbsolute(d) ? d : join(base, d)));
    definitionsGiven = true;
  }
  if (env.WEFT_DEFINITIONS) {
    definitions = splitList(env.WEFT_DEFINITIONS);
    definitionsGiven = true;
  }
  if (flags.definitions?.length) {
    definitions = flags.definitions;
    definitionsGiven = true;
  }

  const host = flags.host ?? env.WEFT_HOST ?? (server.host === undefined ? undefined : stringValue(server.host, at('server.host'))) ?? DEFAULTS.host;
  const port =
    flags.port !== undefined ? parsePort(flags.port, '--port')
    : env.WEFT_PORT ? parsePort(env.WEFT_PORT, 'WEFT_PORT')
    : server.port !== undefined ? parsePort(server.port, at('server.port'))
    : DEFAULTS.port;
  const demoApiPort =
    flags.demoApiPort !== undefined ? parsePort(flags.demoApiPort, '--demo-api-port')
    : env.WEFT_DEMO_API_PORT ? parsePort(env.WEFT_DEMO_API_PORT, 'WEFT_DEMO_API_PORT')
    : demo.port !== undefined ? parsePort(demo.port, at('demoApi.port'))
    : DEFAULTS.demoApiPort;
  const withDemoApi =
    flags.withDemoApi ??
    (env.WEFT_WITH_DEMO_API ? booleanValue(env.WEFT_WITH_DEMO_API, 'WEFT_WITH_DEMO_API') : undefined) ??
    (demo.enabled === undefined ? undefined : booleanValue(demo.enabled, at('demoApi.enabled'))) ??
    false;

  const origins = [
    ...(f.origins === undefined ? [] : originList(f.origins, at('origins'))),
    ...(env.WEFT_ORIGINS ? splitList(env.WEFT_ORIGINS) : []),
    ...(flags.origin ?? []),
  ];
  for (const o of origins) checkOrigin(o);
  return { definitions, definitionsGiven, host, port, origins, withDemoApi, demoApiPort };
}

/** The default aliases (`http://demo-api` → the demo API's default port) beneath the configured ones. */
export function withDefaultOrigins(origins: readonly string[]): string[] {
  return [...DEFAULTS.origins, ...origins];
}

function checkOrigin(entry: string): void {
  const i = entry.indexOf('=');
  const to = i < 0 ? '' : entry.slice(i + 1).trim();
  let ok = i > 0 && /^https?:\/\//i.test(to);
  if (ok) {
    try {
      new URL(to);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new UsageError(`Origin alias '${entry}' is not FROM=TO`, 'Write it as http://demo-api=http://127.0.0.1:8090.');
}

function section(value: unknown, where: string, keys: string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where} must be a mapping with ${keys.join(', ')}`);
  for (const k of Object.keys(value)) if (!keys.includes(k)) throw new UsageError(`${where}: unknown field '${k}'`, `Known fields: ${keys.join(', ')}.`);
  return value as Record<string, unknown>;
}

function stringValue(value: unknown, where: string): string {
  if (typeof value !== 'string' || !value) throw new UsageError(`${where} must be a non-empty string`);
  return value;
}

function stringList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v)) throw new UsageError(`${where} must be a string or a list of strings`);
  return value as string[];
}

/** A list of `FROM=TO` strings or a mapping `{FROM: TO}`. */
function originList(value: unknown, where: string): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).map(([from, to]) => `${from}=${stringValue(to, `${where}.${from}`)}`);
  }
  return stringList(value, where);
}

function booleanValue(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(1|true|yes|on)$/i.test(value)) return true;
  if (typeof value === 'string' && /^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError(`${where} is ${JSON.stringify(value)}, not a boolean (true or false)`);
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Reads the config file named by the flag or `WEFT_CONFIG` (or `./weft.yaml`) and resolves settings. */
export async function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<WeftConfig> {
  const file = await readConfigFile(flags.config ?? env.WEFT_CONFIG, cwd);
  return resolveConfig(flags, env, file);
}
