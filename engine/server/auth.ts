import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { DiagnosticError, type Diagnostic } from '../model/diagnostic.js';

/** What a token may do. `admin` may do everything. */
export type Scope = 'read' | 'execute' | 'admin';

export const SCOPES: readonly Scope[] = ['read', 'execute', 'admin'];

/** A configured API token: only its SHA-256 is kept in memory. */
export interface ApiToken {
  name: string;
  sha256: Buffer;
  scopes: ReadonlySet<Scope>;
}

/** Bearer-token authentication for the API. */
export interface AuthConfig {
  tokens: readonly ApiToken[];
}

/** The outcome of checking a request's Authorization header. */
export type AuthOutcome = { ok: true; name: string; scopes: ReadonlySet<Scope> } | { ok: false; status: 401 | 403; code: string; detail: string; hint: string; challenge?: string };

const HEX64 = /^[0-9a-f]{64}$/i;

/**
 * Parses a token list, YAML or JSON: `[{name, token | tokenSha256, scopes: [read|execute|admin]}]`.
 * Throws DiagnosticError naming the source and the field of every mistake; the messages never
 * contain a token.
 * @example parseTokens('[{name: ci, token: s3cret, scopes: [execute]}]', 'WEFT_TOKENS')
 */
export function parseTokens(text: string, source: string): ApiToken[] {
  const problems: Diagnostic[] = [];
  const bad = (pointer: string, message: string, hint: string) => problems.push({ code: 'WF_AUTH_TOKENS_INVALID', severity: 'error', message: `${source}: ${message}`, hint, file: source, pointer });
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    // The YAML parser quotes the offending text, which may be a token: keep only the position.
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new DiagnosticError([{ code: 'WF_AUTH_TOKENS_INVALID', severity: 'error', message: `${source} is not valid YAML or JSON${line ? ` (line ${line})` : ''}`, hint: 'Write a list: [{name: ci, tokenSha256: <64 hex>, scopes: [execute]}].', file: source, ...(line ? { line } : {}) }]);
  }
  if (!Array.isArray(data)) {
    bad('', 'the token list must be a list of {name, token | tokenSha256, scopes}', 'Write a list: [{name: ci, tokenSha256: <64 hex>, scopes: [execute]}].');
    throw new DiagnosticError(problems);
  }
  const tokens: ApiToken[] = [];
  const names = new Set<string>();
  data.forEach((entry, i) => {
    const at = `/${i}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return bad(at, `entry ${i} is not a mapping`, 'Each entry is {name, token | tokenSha256, scopes}.');
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!['name', 'token', 'tokenSha256', 'scopes'].includes(k)) bad(`${at}/${k}`, `entry ${i}: unknown field '${k}'`, 'Known fields: name, token, tokenSha256, scopes.');
    const name = e.name;
    if (typeof name !== 'string' || !name) bad(`${at}/name`, `entry ${i}: name must be a non-empty string`, 'Name the token after who uses it (ci, grafana); logs show the name, never the token.');
    else if (names.has(name)) bad(`${at}/name`, `entry ${i}: the name '${name}' is used twice`, 'Give every token its own name.');
    else names.add(name);
    let sha256: Buffer | undefined;
    if (e.token !== undefined && e.tokenSha256 !== undefined) bad(at, `entry ${i}: give token or tokenSha256, not both`, 'Prefer tokenSha256 (echo -n TOKEN | sha256sum) so the file holds no secret.');
    else if (typeof e.tokenSha256 === 'string' && HEX64.test(e.tokenSha256)) sha256 = Buffer.from(e.tokenSha256, 'hex');
    else if (e.tokenSha256 !== undefined) bad(`${at}/tokenSha256`, `entry ${i}: tokenSha256 must be 64 hexadecimal characters`, 'Compute it with: echo -n TOKEN | sha256sum.');
    else if (typeof e.token === 'string' && e.token.length >= 16) sha256 = sha(e.token);
    else if (e.token !== undefined) bad(`${at}/token`, `entry ${i}: token must be a string of at least 16 characters`, 'Generate one with: openssl rand -hex 32.');
    else bad(at, `entry ${i}: token or tokenSha256 is required`, 'Add tokenSha256: <64 hex> (echo -n TOKEN | sha256sum).');
    const scopes = new Set<Scope>();
    if (!Array.isArray(e.scopes) || e.scopes.length === 0) bad(`${at}/scopes`, `entry ${i}: scopes must be a non-empty list of ${SCOPES.join(', ')}`, 'For example scopes: [read, execute].');
    else
      e.scopes.forEach((s, j) => {
        if (SCOPES.includes(s as Scope)) scopes.add(s as Scope);
        else bad(`${at}/scopes/${j}`, `entry ${i}: '${String(s)}' is not a scope`, `Scopes: ${SCOPES.join(', ')}.`);
      });
    if (typeof name === 'string' && sha256) tokens.push({ name, sha256, scopes });
  });
  if (problems.length) throw new DiagnosticError(problems);
  if (!tokens.length) throw new DiagnosticError([{ code: 'WF_AUTH_TOKENS_INVALID', severity: 'error', message: `${source} lists no token`, hint: 'Add at least one token, or start with --no-auth for local use.', file: source }]);
  return tokens;
}

/**
 * The tokens of `--tokens FILE`, else of the `WEFT_TOKENS` environment variable (the same
 * format); undefined when neither is set.
 */
export async function loadTokens(file: string | undefined, env: Record<string, string | undefined> = process.env): Promise<ApiToken[] | undefined> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new DiagnosticError([{ code: 'WF_AUTH_TOKENS_UNREADABLE', severity: 'error', message: `Cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, hint: 'Pass the path of a YAML or JSON token list to --tokens.', file }]);
    }
    return parseTokens(text, file);
  }
  if (env.WEFT_TOKENS?.trim()) return parseTokens(env.WEFT_TOKENS, 'WEFT_TOKENS');
  return undefined;
}

/**
 * Checks `Authorization: Bearer TOKEN` against the configured tokens and the scope a route
 * needs. Every configured token is compared (in constant time) whatever matched before.
 */
export function authenticate(config: AuthConfig, header: string | undefined, scope: Scope | undefined): AuthOutcome {
  const m = header ? /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header) : null;
  if (!m) {
    return {
      ok: false,
      status: 401,
      code: 'WF_AUTH_REQUIRED',
      detail: header ? 'The Authorization header is not a bearer token' : 'This route needs a bearer token',
      hint: 'Send Authorization: Bearer <token> (the CLI reads WEFT_TOKEN).',
      challenge: 'Bearer realm="weft"',
    };
  }
  const presented = sha(m[1]);
  let found: ApiToken | undefined;
  for (const t of config.tokens) if (timingSafeEqual(t.sha256, presented) && !found) found = t;
  if (!found) return { ok: false, status: 401, code: 'WF_AUTH_INVALID', detail: 'The bearer token is not one this server knows', hint: 'Check the token (WEFT_TOKEN for the CLI); ask the operator for one if it was rotated.', challenge: 'Bearer realm="weft", error="invalid_token"' };
  if (scope && !found.scopes.has(scope) && !found.scopes.has('admin')) {
    return {
      ok: false,
      status: 403,
      code: 'WF_AUTH_SCOPE',
      detail: `The token '${found.name}' lacks the '${scope}' scope this route needs`,
      hint: `Use a token with the '${scope}' (or 'admin') scope; this one has ${[...found.scopes].map((s) => `'${s}'`).join(', ')}.`,
      challenge: `Bearer realm="weft", error="insufficient_scope", scope="${scope}"`,
    };
  }
  return { ok: true, name: found.name, scopes: found.scopes };
}

function sha(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
