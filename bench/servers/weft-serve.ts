/**
 * `weft serve` for the end-to-end benchmark while `bin/weft.mjs` is not there: the same
 * `startServer` from engine/server (Hono app, request log as JSON lines on stdout, definitions
 * checked by the validator), without watching files.
 *
 * `node --import ./bin/ts-hooks.mjs bench/servers/weft-serve.ts --definitions DIR --origin FROM=TO [--port 0]`
 * prints `weft listening on URL` once it serves.
 */
import { parseArgs } from 'node:util';
import { startServer } from '../../engine/server/index.js';

const { values } = parseArgs({
  options: {
    definitions: { type: 'string', multiple: true },
    origin: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: '0' },
  },
});
if (!values.definitions?.length) {
  console.error('usage: weft-serve.ts --definitions DIR [--origin FROM=TO] [--port 0]');
  process.exit(2);
}
const server = await startServer({ definitions: values.definitions, origins: values.origin, host: '127.0.0.1', port: Number(values.port), watch: false });
if (server.engine.workflows().length === 0) {
  const errors = server.definitions.status?.diagnostics.filter((d) => d.severity === 'error') ?? [];
  console.error(`no workflow is serving from ${values.definitions.join(', ')}`);
  for (const d of errors) console.error(`${d.file ?? ''}:${d.line ?? ''}:${d.column ?? ''} ${d.code} ${d.message}`);
  await server.close();
  process.exit(1);
}
console.log(`weft listening on ${server.url}`);
process.once('SIGTERM', () => void server.close(1_000).then(() => process.exit(0)));
