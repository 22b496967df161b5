import type { Diagnostic } from '../../engine/model/diagnostic.js';
import type { FieldChange } from '../diff/diff.js';

/** The kinds of alert the controller sends. */
export type AlertType = 'DriftDetected' | 'DriftHealed' | 'SyncFailed' | 'SyncRefused';

/**
 * The JSON body a `webhook` receiver gets (documented in controller/README.md).
 * `version` changes only when a field is removed or changes meaning.
 */
export interface AlertPayload {
  kind: 'weft.sync.alert';
  version: 1;
  type: AlertType;
  severity: 'warning' | 'critical' | 'info';
  application: string;
  revision?: string;
  at: string;
  summary: string;
  resources: Array<{ key: string; state: string; action?: string; changes?: FieldChange[]; message?: string }>;
  diagnostics: Array<Pick<Diagnostic, 'code' | 'message' | 'hint'>>;
}

/** A receiver: `webhook` gets the payload as is; `slack` gets a Slack incoming-webhook message. */
export interface AlertReceiver {
  type: 'webhook' | 'slack';
  /** A name for logs and metrics; the URL (which often carries a token) is never logged. */
  name?: string;
  url: string;
  /** Alert types to send; default all. */
  types?: AlertType[];
  headers?: Record<string, string>;
}

/** How a send went. */
export interface Delivery {
  receiver: string;
  ok: boolean;
  status?: number;
  error?: string;
}

/**
 * Sends an alert to every receiver that wants its type, in parallel, each with a 5 s timeout.
 * Failures are returned, never thrown.
 * @example await sendAlert([{ type: 'slack', url: process.env.SLACK_WEBHOOK! }], payload)
 */
export async function sendAlert(receivers: readonly AlertReceiver[], payload: AlertPayload, fetchImpl: typeof fetch = fetch): Promise<Delivery[]> {
  const wanted = receivers.filter((r) => !r.types || r.types.includes(payload.type));
  return Promise.all(
    wanted.map(async (r, i): Promise<Delivery> => {
      const receiver = r.name ?? `${r.type}#${i + 1}`;
      try {
        const body = r.type === 'slack' ? slackMessage(payload) : payload;
        const res = await fetchImpl(r.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'weft-controller', ...(r.headers ?? {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        return res.ok ? { receiver, ok: true, status: res.status } : { receiver, ok: false, status: res.status, error: `answered ${res.status}` };
      } catch (err) {
        return { receiver, ok: false, error: (err as Error).name === 'TimeoutError' ? 'timed out after 5 s' : 'could not connect' };
      }
    }),
  );
}

const ICON: Record<AlertType, string> = { DriftDetected: ':warning:', DriftHealed: ':white_check_mark:', SyncFailed: ':x:', SyncRefused: ':no_entry:' };

/**
 * The Slack incoming-webhook form of an alert: `text` (notifications) plus `blocks` (a header line
 * and up to 10 resources).
 */
export function slackMessage(p: AlertPayload): { text: string; blocks: unknown[] } {
  const text = `${ICON[p.type]} ${p.type} in ${p.application}${p.revision ? ` @ ${p.revision.slice(0, 12)}` : ''}: ${p.summary}`;
  const lines = p.resources.slice(0, 10).map((r) => `• \`${r.key}\` ${r.state}${r.action ? ` (${r.action})` : ''}${r.changes?.length ? `: ${r.changes.map((c) => c.pointer).join(', ')}` : ''}`);
  if (p.resources.length > 10) lines.push(`… and ${p.resources.length - 10} more`);
  for (const d of p.diagnostics) lines.push(`• ${d.code}: ${d.message}`);
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (lines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  return { text, blocks };
}
