import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, it } from 'vitest';

/** Services a test may need, at their standard ports on 127.0.0.1. */
export const SERVICES = {
  postgres: { label: 'PostgreSQL', port: 5432 },
  redis: { label: 'Redis', port: 6379 },
  rabbitmq: { label: 'RabbitMQ', port: 5672 },
  nats: { label: 'NATS', port: 4222 },
  mqtt: { label: 'an MQTT broker', port: 1883 },
  mysql: { label: 'MySQL', port: 3306 },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** The PostgreSQL the tests use: database `test` at 127.0.0.1:5432 (trust auth), or WEFT_TEST_DATABASE_URL. */
export const POSTGRES_TEST_URL = process.env.WEFT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Where skipped suites are listed for `npm test`'s summary (cleared when it starts); WEFT_TEST_SKIP_LOG overrides. */
export const SKIP_LOG = process.env.WEFT_TEST_SKIP_LOG || fileURLToPath(new URL('../../.weft/test-skips.log', import.meta.url));

/** A schema name no other test run uses: `weft_<label>_<random>`. */
export function uniqueTestSchema(label: string): string {
  return `weft_${label}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** Drops one schema a test created (and only that one) from the test database. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const probes = new Map<ServiceName, Promise<boolean>>();
const printed = new Set<string>();

/**
 * True when the service answers on 127.0.0.1 within a short timeout: a TCP connect, and for
 * PostgreSQL a real `SELECT 1` on the test database. Probed once per process.
 * @example if (await serviceAvailable('postgres')) { ... }
 */
export function serviceAvailable(name: ServiceName): Promise<boolean> {
  let probe = probes.get(name);
  if (!probe) {
    probe = name === 'postgres' ? postgresAnswers() : portAnswers(SERVICES[name].port);
    probes.set(name, probe);
  }
  return probe;
}

/** True when something accepts a TCP connection on 127.0.0.1:port within the timeout. */
export function portAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function postgresAnswers(): Promise<boolean> {
  if (!(await portAnswers(Number(new URL(POSTGRES_TEST_URL).port || SERVICES.postgres.port)))) return false;
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A describe block that needs a service. When the service is down: outside CI the suite is
 * skipped and the reason printed once (and listed by `npm test` at the end); with CI=true the
 * suite fails, naming what is missing.
 * @example await describeWithService('postgres', 'PostgreSQL store contract', () => { it(...) });
 */
export async function describeWithService(name: ServiceName, title: string, fn: () => void, options: { available?: () => Promise<boolean> } = {}): Promise<void> {
  if (await (options.available ?? (() => serviceAvailable(name)))()) {
    describe(title, fn);
    return;
  }
  const { label, port } = SERVICES[name];
  const where = name === 'postgres' ? new URL(POSTGRES_TEST_URL).host || `127.0.0.1:${port}` : `127.0.0.1:${port}`;
  if (process.env.CI === 'true') {
    describe(title, () => {
      it(`needs ${label} at ${where}`, () => {
        throw new Error(`${title} needs ${label} at ${where}, and CI=true: start the service (CI runs it as a job service) instead of skipping.`);
      });
    });
    return;
  }
  const reason = `skipped: ${title} — no ${label} at ${where}`;
  if (!printed.has(reason)) {
    printed.add(reason);
    console.warn(reason);
    try {
      mkdirSync(dirname(SKIP_LOG), { recursive: true });
      appendFileSync(SKIP_LOG, reason + '\n');
    } catch {
      /* the summary is a convenience; the warning above already says it */
    }
  }
  // The service is absent and this is not CI: the suite is listed as skipped, with the reason
  // printed above and in the run's summary.
  describe.skipIf(true)(title, fn);
}
