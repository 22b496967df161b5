import type { Command } from 'commander';
import { loadConfig, withDefaultOrigins } from '../config.js';
import type { CliIo } from '../main.js';
import { collect, EXIT, requireExisting, UsageError } from '../usage.js';

interface ServeFlags {
  definitions?: string[];
  host?: string;
  port?: string;
  origin?: string[];
  withDemoApi?: boolean;
  demoApiPort?: string;
  config?: string;
  /** false with --no-history. */
  history: boolean;
  databaseUrl?: string;
  /** false with --no-definition-cache. */
  definitionCache: boolean;
  tokens?: string;
  /** false with --no-auth. */
  auth: boolean;
}

/**
 * `weft serve`: the HTTP API over the definitions, reloading them when their files change.
 * Settings: flags > WEFT_* environment > weft.yaml > defaults. Stops on SIGINT or SIGTERM.
 * Execution history is on (SQLite in .weft/weft.db, or --database-url / WEFT_DATABASE_URL)
 * unless --no-history; the definition cache lives in the same database (it serves the last synced
 * definitions at once on a restart, then the directories load) unless --no-definition-cache.
 * Bearer-token auth is on with --tokens FILE or WEFT_TOKENS; without
 * tokens the server starts only with an explicit --no-auth (local use).
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
    .option('--no-history', 'do not record executions (default: recorded in SQLite .weft/weft.db, or --database-url)')
    .option('--database-url <url>', 'history database: postgres://user@host:port/db or sqlite:PATH (env WEFT_DATABASE_URL)')
    .option('--no-definition-cache', 'do not keep the definitions in the history database (default: kept, served at once on restart, queried under /api/v1/catalog)')
    .option('--tokens <file>', 'API tokens, YAML or JSON: [{name, tokenSha256 | token, scopes: [read|execute|admin]}] (env WEFT_TOKENS holds the same list)')
    .option('--no-auth', 'serve without authentication, for local use (required when no tokens are configured)')
    .action(async (flags: ServeFlags) => {
      const config = await loadConfig(flags);
      await requireExisting(config.definitions, 'Definitions directory', 'Pass --definitions DIR (or set WEFT_DEFINITIONS, or definitions in weft.yaml).');
      if (!flags.history && flags.databaseUrl) throw new UsageError('--no-history and --database-url contradict each other', 'Leave one out.');
      const { startServer, loadTokens } = await import('../../server/index.js');
      const { DiagnosticError, formatDiagnostic } = await import('../../model/diagnostic.js');
      let tokens: Awaited<ReturnType<typeof loadTokens>>;
      try {
        tokens = await loadTokens(flags.tokens);
      } catch (err) {
        if (!(err instanceof DiagnosticError)) throw err;
        io.err(err.diagnostics.map((d) => `weft serve: ${formatDiagnostic(d)}\n`).join(''));
        io.exit(EXIT.usage);
        return;
      }
      if (tokens && !flags.auth) throw new UsageError(`--no-auth contradicts the tokens of ${flags.tokens ?? 'WEFT_TOKENS'}`, 'Leave out --no-auth to require the tokens, or remove the tokens to serve without auth.');
      if (!tokens && flags.auth) {
        throw new UsageError('No API tokens are configured', 'Pass --tokens FILE (or set WEFT_TOKENS) to require bearer tokens, or --no-auth to serve without authentication on a trusted machine.');
      }
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
          ...(flags.history ? { history: flags.databaseUrl ? { url: flags.databaseUrl } : {} } : {}),
          ...(flags.definitionCache ? {} : { definitionCache: false as const }),
          ...(tokens ? { auth: { tokens } } : {}),
        });
      } catch (err) {
        if (err instanceof DiagnosticError) {
          io.err(err.diagnostics.map((d) => `weft serve: ${formatDiagnostic(d)}\n`).join(''));
          io.exit(EXIT.failed);
          return;
        }
        const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
        if (e.code === 'EADDRINUSE') {
          io.err(`weft serve: ${e.address ?? config.host}:${e.port ?? config.port} is already in use\n  hint: pass another --port (or --demo-api-port), or stop the process that holds it.\n`);
          io.exit(EXIT.failed);
          return;
        }
        throw err;
      }
      const status = server.definitions.status;
      const serving = status
        ? `${status.workflows} workflows, ${status.tasks} tasks from ${config.definitions.join(', ')}${status.ok ? '' : '; some files have errors, see the log'}`
        : `${server.engine.workflows().length} workflows, ${server.engine.tasks().length} tasks from the definition cache; loading ${config.definitions.join(', ')}`;
      io.err(
        `weft listening on ${server.url} (${serving})\n` +
          (server.demoApiUrl ? `demo API on ${server.demoApiUrl} (alias http://demo-api)\n` : '') +
          `history: ${server.store ? `${server.store.dialect} ${server.store.location}` : 'off (--no-history)'}; auth: ${tokens ? `${tokens.length} token${tokens.length === 1 ? '' : 's'}` : 'off (--no-auth)'}\n`,
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
