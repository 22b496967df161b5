import type { Command } from 'commander';
import { loadConfig, withDefaultOrigins } from '../config.js';
import type { CliIo } from '../main.js';
import { collect, EXIT, requireExisting } from '../usage.js';

interface ServeFlags {
  definitions?: string[];
  host?: string;
  port?: string;
  origin?: string[];
  withDemoApi?: boolean;
  demoApiPort?: string;
  config?: string;
}

/**
 * `weft serve`: the HTTP API over the definitions, reloading them when their files change.
 * Settings: flags > WEFT_* environment > weft.yaml > defaults. Stops on SIGINT or SIGTERM.
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('Serve the workflow API over the definitions, reloading them when files change')
    .option('-d, --definitions <dir>', 'definitions directory; repeatable (default ./fixtures/examples; env WEFT_DEFINITIONS)', collect)
    .option('--host <host>', 'interface to listen on (default 127.0.0.1; env WEFT_HOST)')
    .option('-p, --port <port>', 'port to listen on (default 8080; env WEFT_PORT)')
    .option('--origin <from=to>', 'origin alias, e.g. http://orders=http://10.0.0.5:8080; repeatable (env WEFT_ORIGINS, comma-separated)', collect)
    .option('--with-demo-api', 'also start the demo API and point http://demo-api at it (env WEFT_WITH_DEMO_API)')
    .option('--demo-api-port <port>', 'port of the demo API (default 8090; env WEFT_DEMO_API_PORT)')
    .option('--config <file>', 'config file (default ./weft.yaml; env WEFT_CONFIG)')
    .action(async (flags: ServeFlags) => {
      const config = await loadConfig(flags);
      await requireExisting(config.definitions, 'Definitions directory', 'Pass --definitions DIR (or set WEFT_DEFINITIONS, or definitions in weft.yaml).');
      const { startServer } = await import('../../server/index.js');
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          definitions: config.definitions,
          host: config.host,
          port: config.port,
          // With the demo API started here, its alias replaces the default one.
          origins: config.withDemoApi ? config.origins : withDefaultOrigins(config.origins),
          withDemoApi: config.withDemoApi,
          demoApiPort: config.demoApiPort,
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
        if (e.code === 'EADDRINUSE') {
          io.err(`weft serve: ${e.address ?? config.host}:${e.port ?? config.port} is already in use\n  hint: pass another --port (or --demo-api-port), or stop the process that holds it.\n`);
          io.exit(EXIT.failed);
          return;
        }
        throw err;
      }
      const status = server.definitions.status!;
      io.err(
        `weft listening on ${server.url} (${status.workflows} workflows, ${status.tasks} tasks from ${config.definitions.join(', ')}${status.ok ? '' : '; some files have errors, see the log'})\n` +
          (server.demoApiUrl ? `demo API on ${server.demoApiUrl} (alias http://demo-api)\n` : ''),
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      io.exit(EXIT.ok);
    });
}
