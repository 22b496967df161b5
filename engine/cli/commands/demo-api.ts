import type { Command } from 'commander';
import type { CliIo } from '../main.js';
import { EXIT, parsePort, UsageError } from '../usage.js';

/** `weft demo-api`: the deterministic demo service the examples call. Stops on SIGINT or SIGTERM. */
export function register(program: Command, io: CliIo): void {
  program
    .command('demo-api')
    .description('Run the demo API (users, orders, inventory, payments, notifications, retry helpers)')
    .option('-p, --port <port>', 'port to listen on', '8090')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <n>', 'seed of the generated data', '1')
    .action(async (opts: { port: string; host: string; seed: string }) => {
      const port = parsePort(opts.port, '--port');
      if (!/^-?\d+$/.test(opts.seed)) throw new UsageError(`--seed is '${opts.seed}', not an integer`);
      const { startDemoApi } = await import('../../../fixtures/demo-api/server.js');
      let api: Awaited<ReturnType<typeof startDemoApi>>;
      try {
        api = await startDemoApi({ host: opts.host, port, seed: Number(opts.seed) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        io.err(`weft demo-api: ${opts.host}:${port} is already in use\n  hint: pass another --port.\n`);
        io.exit(EXIT.failed);
        return;
      }
      io.err(`demo API listening on ${api.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void api.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      io.exit(EXIT.ok);
    });
}
