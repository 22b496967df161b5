import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleResult } from '../store/samples.js';
import { Metrics } from './metrics.js';
import { historyApp, post, startUpstream, type HistoryApp, type Upstream } from './test-app.js';

describe('Metrics exposition', () => {
  it('writes counters and cumulative histogram buckets in the text format', () => {
    const m = new Metrics();
    m.observeExecution(sampleResult('checkout', { durationMs: 40 }));
    m.observeExecution(sampleResult('checkout', { durationMs: 400, status: 'failed' }));
    const text = m.render();
    expect(text).toContain('# TYPE weft_executions_total counter\n');
    expect(text).toContain('weft_executions_total{namespace="default",workflow="checkout",status="succeeded"} 1\n');
    expect(text).toContain('weft_executions_total{namespace="default",workflow="checkout",status="failed"} 1\n');
    expect(text).toContain('weft_execution_duration_seconds_bucket{namespace="default",workflow="checkout",le="0.05"} 1\n');
    expect(text).toContain('weft_execution_duration_seconds_bucket{namespace="default",workflow="checkout",le="0.5"} 2\n');
    expect(text).toContain('weft_execution_duration_seconds_bucket{namespace="default",workflow="checkout",le="+Inf"} 2\n');
    expect(text).toContain('weft_execution_duration_seconds_sum{namespace="default",workflow="checkout"} 0.44\n');
  });

  it('keeps one series per label set, however the values overlap', () => {
    const m = new Metrics();
    m.observeRequest('GET', '/a', 200, 0.001);
    m.observeRequest('GET', '/a', 200, 0.001);
    m.observeRequest('GET', '/a', 404, 0.001);
    m.observeRequest('POST', '/a', 200, 0.001);
    m.observeRequest('GET', '/b', 200, 0.001);
    const counts = m.render().split('\n').filter((l) => l.startsWith('weft_http_requests_total{'));
    expect(counts).toEqual([
      'weft_http_requests_total{method="GET",route="/a",status="200"} 2',
      'weft_http_requests_total{method="GET",route="/a",status="404"} 1',
      'weft_http_requests_total{method="POST",route="/a",status="200"} 1',
      'weft_http_requests_total{method="GET",route="/b",status="200"} 1',
    ]);
  });

  it('observes nested task steps (forEach items, child runs) but not skipped ones', () => {
    const m = new Metrics();
    m.observeExecution(sampleResult('checkout'));
    const text = m.render();
    expect(text).toContain('weft_step_duration_seconds_count{namespace="default",task="charge-card",status="succeeded"} 2\n');
    expect(text).toContain('weft_step_duration_seconds_count{namespace="default",task="lookup",status="succeeded"} 1\n');
    expect(text).not.toContain('task="send-mail"');
  });

  it('reports store commits: latency, records per commit, failures', () => {
    const m = new Metrics();
    m.observeCommit({ records: 3, durationMs: 2, ok: true });
    m.observeCommit({ records: 1, durationMs: 1, ok: false });
    const text = m.render();
    expect(text).toContain('weft_store_commit_records_bucket{le="4"} 2\n');
    expect(text).toContain('weft_store_commit_records_bucket{le="2"} 1\n');
    expect(text).toContain('weft_store_commit_duration_seconds_count 2\n');
    expect(text).toContain('weft_store_commit_failures_total 1\n');
  });

  it('reads the HTTP pool gauges by origin when scraped', () => {
    const m = new Metrics({ httpPools: () => ({ 'http://127.0.0.1:1': { connected: 3, free: 2, pending: 1, running: 1, size: 2 } }) });
    const text = m.render();
    expect(text).toContain('weft_http_pool_connected{origin="http://127.0.0.1:1"} 3\n');
    expect(text).toContain('weft_http_pool_pending{origin="http://127.0.0.1:1"} 1\n');
  });

  it('escapes quotes, backslashes and newlines in label values', () => {
    const m = new Metrics();
    m.observeRequest('GET', 'a"b\\c\nd', 200, 0.001);
    expect(m.render()).toContain('route="a\\"b\\\\c\\nd"');
  });
});

describe('GET /metrics', () => {
  let upstream: Upstream;
  let h: HistoryApp;
  beforeAll(async () => {
    upstream = await startUpstream();
    h = await historyApp(upstream);
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('counts executions, requests by route pattern and the engine pool to the upstream', async () => {
    await post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } });
    await h.app.request('/api/v1/executions/some-id');
    const res = await h.app.request('/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('weft_executions_total{namespace="default",workflow="greet",status="succeeded"} 1\n');
    expect(text).toContain('weft_http_requests_total{method="POST",route="/api/v1/workflows/:name/execute",status="200"} 1\n');
    expect(text).toContain('weft_http_requests_total{method="GET",route="/api/v1/executions/:id",status="404"} 1\n');
    expect(text).toMatch(new RegExp(`weft_http_pool_connected\\{origin="${upstream.url.replace(/[.]/g, '\\.')}"\\} 1\\n`));
  });
});
