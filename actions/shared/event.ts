import { readFileSync } from 'node:fs';
import type { ActionIO } from './io.js';

/** What the actions read from the event that started the workflow (`GITHUB_EVENT_PATH`). */
export interface EventInfo {
  name: string;
  /** `owner/repo`. */
  repository?: string;
  pullRequest?: { number: number; baseSha: string; headSha: string };
  /** For a push: the commit before and after it. */
  before?: string;
  after?: string;
}

/**
 * Reads the event payload: a `pull_request` (or `pull_request_target`) gives the base and head
 * commits and the number; a `push` gives `before` and `after`. A missing or unreadable file gives
 * what the environment alone says.
 */
export function readEvent(io: ActionIO): EventInfo {
  const info: EventInfo = { name: io.env.GITHUB_EVENT_NAME ?? '', repository: io.env.GITHUB_REPOSITORY || undefined };
  const path = io.env.GITHUB_EVENT_PATH;
  if (!path) return info;
  let payload: any;
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return info;
  }
  info.repository ??= payload?.repository?.full_name;
  const pr = payload?.pull_request;
  if (pr && typeof pr.number === 'number' && pr.base?.sha && pr.head?.sha) info.pullRequest = { number: pr.number, baseSha: pr.base.sha, headSha: pr.head.sha };
  if (typeof payload?.before === 'string' && !/^0+$/.test(payload.before)) info.before = payload.before;
  if (typeof payload?.after === 'string') info.after = payload.after;
  return info;
}
