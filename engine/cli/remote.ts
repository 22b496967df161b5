import { UsageError } from './usage.js';

/** An answer of a running engine: status, headers and the parsed JSON body. */
export interface RemoteAnswer {
  status: number;
  headers: Headers;
  body: any;
}

/** A problem+json body as the engine writes it. */
export interface RemoteProblem {
  status: number;
  code: string;
  detail: string;
  hint?: string;
  requestId?: string;
  errors?: Array<{ code: string; message: string; pointer?: string; hint?: string }>;
}

/**
 * Calls the API of a running engine (`weft serve`) at `base`, with `Authorization: Bearer
 * $WEFT_TOKEN` when the variable is set. A base that is not an http(s) URL is a usage error; an
 * engine that does not answer is an Error naming the URL.
 * @example const { body } = await remoteCall('http://127.0.0.1:8080', 'GET', '/api/v1/executions?limit=5');
 */
export async function remoteCall(base: string, method: string, path: string, body?: unknown, env: NodeJS.ProcessEnv = process.env): Promise<RemoteAnswer> {
  let url: URL;
  try {
    url = new URL(path, base.endsWith('/') ? base : `${base}/`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--remote '${base}' is not an http(s) URL`, 'Give the address weft serve listens on, e.g. --remote http://127.0.0.1:8080.');
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (env.WEFT_TOKEN) headers.authorization = `Bearer ${env.WEFT_TOKEN}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`Cannot reach the engine at ${url.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}. Is weft serve running there?`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(`The engine at ${url.origin} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** True when an answer is a problem document. */
export function isProblem(answer: RemoteAnswer): boolean {
  return (answer.headers.get('content-type') ?? '').startsWith('application/problem+json') && typeof answer.body?.code === 'string';
}

/**
 * A problem as CLI lines: `weft CMD: detail [code]`, its errors with their pointers, the hint and
 * the request id, plus the WEFT_TOKEN hint for 401.
 */
export function formatProblem(command: string, p: RemoteProblem): string {
  const lines = [`weft ${command}: ${p.detail} [${p.code}]`];
  for (const e of p.errors ?? []) if (e.message !== p.detail || (p.errors?.length ?? 0) > 1) lines.push(`  ${e.pointer ? `${e.pointer} ` : ''}${e.code} ${e.message}`);
  if (p.hint) lines.push(`  hint: ${p.hint}`);
  if (p.status === 401) lines.push('  the CLI sends the token in WEFT_TOKEN');
  if (p.requestId) lines.push(`  request id: ${p.requestId}`);
  return lines.join('\n') + '\n';
}

/** A table of rows under a header, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}
