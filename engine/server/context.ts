import type { Context } from 'hono';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Scope } from './auth.js';
import { nearest } from '../model/suggest.js';
import { nodeHeader, type NodeBindings } from './node-request.js';
import { problem, problemFromDiagnostics, problemResponse, type Problem } from './problem.js';
import { isoTime as iso } from '../model/time.js';

/** The Hono environment of the API: Node bindings and what the middleware learns about a request. */
export type Env = {
  Bindings: NodeBindings | undefined;
  /** `principal` and `scopes`: the token that authenticated the request (absent when auth is off). */
  Variables: { requestId: string; executionId?: string; code?: string; principal?: string; scopes?: ReadonlySet<Scope> };
};

export type ApiContext = Context<Env>;

/**
 * A request header (lower-case name). Under @hono/node-server it reads the Node request's
 * headers, so no web Headers object is built per request; elsewhere the web Request's.
 */
export function requestHeader(c: ApiContext, name: string): string | undefined {
  const incoming = c.env?.incoming;
  return incoming ? nodeHeader(incoming, name) : c.req.header(name);
}

/** The preferences of an RFC 7240 `Prefer` header that the execute route honours. */
export interface Preferences {
  /** `respond-async`: answer 202 at once. */
  respondAsync: boolean;
  /** `return=minimal`: a 200 answer without the trace. */
  returnMinimal: boolean;
}

/**
 * Reads a `Prefer` header (RFC 7240): comma-separated preferences, names case-insensitive,
 * values optionally quoted, parameters after `;` ignored; unknown preferences are ignored.
 * @example parsePrefer('return=minimal, respond-async; wait=5') // { respondAsync: true, returnMinimal: true }
 */
export function parsePrefer(header: string | undefined): Preferences {
  const out: Preferences = { respondAsync: false, returnMinimal: false };
  if (!header) return out;
  for (const part of header.split(',')) {
    const preference = part.split(';')[0];
    const eq = preference.indexOf('=');
    const name = (eq < 0 ? preference : preference.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : preference.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name === 'respond-async') out.respondAsync = true;
    else if (name === 'return' && value === 'minimal') out.returnMinimal = true;
  }
  return out;
}

/**
 * Answers JSON with extra headers. Under @hono/node-server the headers go on the Node response
 * (merged when Hono writes it), which keeps Hono on its cached-response path instead of building
 * a web Headers object per answer.
 */
export function jsonReply(c: ApiContext, body: unknown, status: number, headers: Record<string, string>): Response {
  const outgoing = c.env?.outgoing;
  if (!outgoing) return c.json(body as object, status as 200, headers);
  for (const name in headers) outgoing.setHeader(name, headers[name]);
  return c.json(body as object, status as 200);
}

/** Answers with a problem carrying the request id and path; the log line shows its code. */
export function fail(c: ApiContext, p: Problem, headers: Record<string, string> = {}): Response {
  c.set('code', p.code);
  return problemResponse({ ...p, requestId: c.get('requestId'), instance: c.req.path }, headers);
}

/** A 400 problem listing every query-parameter mistake (pointers `/query/NAME`). */
export class QueryError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics[0]?.message);
  }

  get problem(): Problem {
    return problemFromDiagnostics(400, this.diagnostics, 'WF_QUERY_INVALID');
  }
}

/** Reads query parameters of one route: refuses unknown ones (with a did-you-mean) and checks each value. */
export class QueryReader {
  private readonly errors: Diagnostic[] = [];
  private readonly params: Record<string, string>;

  constructor(
    c: ApiContext,
    private readonly allowed: readonly string[],
  ) {
    this.params = c.req.query();
    for (const name of Object.keys(this.params)) {
      if (allowed.includes(name)) continue;
      const close = nearest(name, allowed);
      this.add(name, 'WF_QUERY_UNKNOWN_PARAMETER', `'${name}' is not a query parameter of this route`, close.length ? `Did you mean '${close[0]}'?` : allowed.length ? `Parameters: ${allowed.join(', ')}.` : 'This route takes no query parameters.');
    }
  }

  string(name: string): string | undefined {
    const v = this.params[name];
    return v === undefined || v === '' ? undefined : v;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined || values.includes(v as T)) return v as T | undefined;
    this.add(name, 'WF_QUERY_INVALID', `${name} '${v}' is not one of ${values.join(', ')}`, `Use one of ${values.join(', ')}.`);
    return undefined;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.add(name, 'WF_QUERY_INVALID', `${name} must be an integer from ${min} to ${max}, got '${v}'`, `Pass ${name}=${Math.min(max, 50)}.`);
    return undefined;
  }

  /** A time as RFC 3339 (`2024-06-01T12:00:00Z`) or epoch milliseconds; epoch ms out. */
  time(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
    if (Number.isFinite(ms)) return ms;
    this.add(name, 'WF_QUERY_INVALID', `${name} '${v}' is not a time`, `Give an RFC 3339 time such as ${name}=2024-06-01T00:00:00Z, or epoch milliseconds.`);
    return undefined;
  }

  add(name: string, code: string, message: string, hint: string): void {
    this.errors.push({ code, severity: 'error', message, hint, pointer: `/query/${name}` });
  }

  /** Throws a QueryError when any parameter was wrong. */
  done(): void {
    if (this.errors.length) throw new QueryError(this.errors);
  }
}

/** An RFC 3339 timestamp of epoch milliseconds (undefined stays undefined). */
export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : iso(ms);
}

/** A 503 problem for history routes when the server runs without history. */
export function historyOff(): Problem {
  return problem(503, 'WF_HISTORY_OFF', 'Execution history is turned off on this server', { hint: 'Start weft serve without --no-history (SQLite under .weft/ by default, or --database-url postgres://…).' });
}
