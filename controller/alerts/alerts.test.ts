import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../test/support/http.js';
import { sendAlert, slackMessage, type AlertPayload } from './alerts.js';

const payload: AlertPayload = {
  kind: 'weft.sync.alert',
  version: 1,
  type: 'DriftDetected',
  severity: 'warning',
  application: 'shop',
  revision: '4f1c2d3e4f5a6b7c8d9e',
  at: '2026-11-27T10:00:00.000Z',
  summary: '1 object(s) differ from Git and were left as they are',
  resources: [{ key: 'WorkflowTask/shop/get-user', state: 'OutOfSync', action: 'skipped', changes: [{ pointer: '/spec/timeout', desired: '5s', live: '30s' }] }],
  diagnostics: [],
};

let server: TestServer | undefined;
afterEach(() => server?.close());

describe('alerts', () => {
  it('a Slack receiver gets text and blocks naming the application, revision and changed fields', () => {
    const m = slackMessage(payload);
    expect(m.text).toBe(':warning: DriftDetected in shop @ 4f1c2d3e4f5a: 1 object(s) differ from Git and were left as they are');
    expect(m.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '• `WorkflowTask/shop/get-user` OutOfSync (skipped): /spec/timeout' } });
  });

  it('sends the webhook payload as JSON only to receivers that want the type', async () => {
    server = await startServer((_req, res) => res.end('ok'));
    const deliveries = await sendAlert(
      [
        { type: 'webhook', name: 'all', url: `${server.url}/all` },
        { type: 'webhook', name: 'failures-only', url: `${server.url}/failures`, types: ['SyncFailed'] },
      ],
      payload,
    );
    expect(deliveries).toEqual([{ receiver: 'all', ok: true, status: 200 }]);
    expect(server.calls.map((c) => [c.url, c.headers['content-type'], JSON.parse(c.body).type])).toEqual([['/all', 'application/json', 'DriftDetected']]);
  });

  it('a failing receiver is reported by name, never by URL, and does not throw', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const deliveries = await sendAlert(
      [
        { type: 'slack', url: `${server.url}/services/T000/B000/secret-token` },
        { type: 'webhook', name: 'closed', url: 'http://127.0.0.1:9/hook' },
      ],
      payload,
    );
    expect(deliveries).toEqual([
      { receiver: 'slack#1', ok: false, status: 500, error: 'answered 500' },
      { receiver: 'closed', ok: false, error: 'could not connect' },
    ]);
    expect(JSON.stringify(deliveries)).not.toContain('secret-token');
  });
});
