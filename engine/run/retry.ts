import { parseDuration } from '../model/duration.js';
import type { RetrySpec } from '../model/types.js';

/** A retry policy with durations in milliseconds. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const NO_RETRY: RetryPolicy = { maxAttempts: 1, backoffMs: 0, maxBackoffMs: 0 };

/** Resolves a retry spec (step overrides task) to a policy; defaults: 1 attempt, 100ms, 10s. */
export function retryPolicy(...specs: Array<RetrySpec | undefined>): RetryPolicy {
  const pick = <K extends keyof RetrySpec>(k: K) => specs.find((s) => s?.[k] !== undefined)?.[k];
  const maxAttempts = (pick('maxAttempts') as number | undefined) ?? 1;
  const backoffMs = parseDuration(pick('backoff')) ?? 100;
  const maxBackoffMs = parseDuration(pick('maxBackoff')) ?? 10_000;
  return { maxAttempts, backoffMs, maxBackoffMs: Math.max(maxBackoffMs, 0) };
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): exponential with equal jitter,
 * capped by maxBackoff; a server's Retry-After wins when it is longer.
 * @example backoffDelay({ maxAttempts: 5, backoffMs: 100, maxBackoffMs: 1000 }, 3, () => 0.5) // 300
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return retryAfterMs !== undefined ? Math.max(jittered, retryAfterMs) : jittered;
}

/** Reads a Retry-After header (seconds or an HTTP date) as milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
