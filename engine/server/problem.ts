import type { Diagnostic } from '../model/diagnostic.js';

/** An RFC 9457 problem document with Weft's members: a stable `code`, a `hint`, the request id and `errors[]`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  hint?: string;
  instance?: string;
  requestId?: string;
  errors: Diagnostic[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The `type` URI of a problem: a path under `/problems/` named by its stable code. */
export function problemType(code: string): string {
  return `/problems/${code}`;
}

/**
 * Builds a problem document; `title` defaults to the status phrase.
 * @example problem(404, 'WF_UNKNOWN_WORKFLOW', "Workflow 'x' is not loaded", { hint: "Did you mean 'y'?" })
 */
export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, code, detail, errors: [], ...extra };
}

/** A problem whose detail, hint and code come from diagnostics (the first error leads). */
export function problemFromDiagnostics(status: number, diagnostics: Diagnostic[], fallbackCode: string): Problem {
  const lead = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  const detail =
    diagnostics.length > 1 ? `${diagnostics.length} problems; the first: ${lead.message}` : (lead?.message ?? 'The request is not valid');
  return problem(status, lead?.code ?? fallbackCode, detail, { hint: lead?.hint, errors: diagnostics });
}

/** The problem+json text of a problem: the standard members first, then the extensions. */
export function problemText(p: Problem): string {
  const { type, title, status, code, detail, hint, instance, requestId, errors, ...extensions } = p;
  return JSON.stringify({ type, title, status, code, detail, hint, instance, requestId, errors, ...extensions });
}

/** The Response of a problem, with the problem+json content type and any extra headers. */
export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(problemText(p), { status: p.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } });
}
