import { isSecretName, maskUrl } from '../run/trace.js';

/** Key names that carry credentials anywhere in the name: `clientSecretValue`, `x-api-key`, `Authorization`. */
const SECRET_SUBSTRING = /token|secret|passw(or)?d|api[-_]?key|authori[sz]ation|credential|private[-_]?key|cookie/i;
/** `Bearer abc…`, `Basic dXNlcjpw…` inside a string value. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g;
/** A URL inside a text, up to whitespace or a quote. */
const URL_IN_TEXT = /https?:\/\/[^\s"'<>]+/gi;
const MASK = '***';
const MAX_DEPTH = 64;

/** Verdicts by key name: the same few keys recur in every record, so each is tested once. */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 10_000;

/** True when a value stored under this key must not be kept. */
export function isSecretKey(key: string): boolean {
  let secret = verdicts.get(key);
  if (secret === undefined) {
    secret = SECRET_SUBSTRING.test(key) || isSecretName(key);
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(key, secret);
  }
  return secret;
}

/**
 * A copy of a JSON value with credentials replaced by `"***"`: members whose key names a
 * secret (token, secret, password, api key, authorization, credential, …) at any depth,
 * userinfo and credential query parameters of URLs, and `Bearer …`/`Basic …` in strings.
 * The input is not modified.
 * @example maskSecrets({ user: 'ann', profile: { apiKey: 'k1' } }) // { user: 'ann', profile: { apiKey: '***' } }
 */
export function maskSecrets<T>(value: T): T {
  return mask(value, 0) as T;
}

function mask(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return MASK;
  if (Array.isArray(value)) return value.map((v) => mask(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out[k] = isSecretKey(k) && v !== null ? MASK : mask(v, depth + 1);
  }
  return out;
}

function maskString(s: string): string {
  let out = s;
  if (out.includes('://')) out = out.replace(URL_IN_TEXT, (url) => maskUrl(url));
  if (out.includes('Bearer') || out.includes('Basic') || out.includes('Token')) out = out.replace(AUTH_SCHEME, `$1 ${MASK}`);
  return out;
}
