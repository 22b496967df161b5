import type { Command } from 'commander';
import { DiagnosticError, formatDiagnostic } from '../../model/diagnostic.js';
import type { CliIo } from '../main.js';
import { EXIT, UsageError } from '../usage.js';

interface TargetFlags {
  config: string;
  engineDir?: string;
  kubeconfig?: string | true;
  controllerNamespace?: string;
  cacheDir: string;
}

/**
 * `weft sync run|once|status`: the GitOps controller (controller/). `run` serves the webhook,
 * status and metrics API and reconciles on a poll; `once` reconciles one time (report only unless
 * `--apply`); `status` prints a running controller's status.
 */
export function register(program: Command, io: CliIo): void {
  const sync = program.command('sync').description('Sync definitions from Git into a Weft engine or a Kubernetes cluster');
  const targetOptions = (c: Command) =>
    c
      .requiredOption('-c, --config <file>', 'Application file (see controller/README.md)')
      .option('--engine-dir <dir>', 'sync into the definitions directory a `weft serve` watches')
      .option('--kubernetes [kubeconfig]', 'sync into Kubernetes (kubeconfig file, else in-cluster or ~/.kube/config)')
      .option('--controller-namespace <ns>', 'namespace of the inventory ConfigMap (Kubernetes)')
      .option('--cache-dir <dir>', 'where Git checkouts are kept', '.weft/git');

  targetOptions(sync.command('run').description('Run the controller: poll, webhook, watch; serves /api/v1/sync/*, /metrics'))
    .option('--listen <host:port>', 'address of the HTTP API', '127.0.0.1:8081')
    .action(async (opts: TargetFlags & { listen: string; kubernetes?: string | true }) => {
      const { controller, runController } = await setup(opts);
      const [host, portText] = splitListen(opts.listen);
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      await runController(controller, {
        host,
        port: portText,
        webhookSecret: process.env.WEFT_SYNC_WEBHOOK_SECRET,
        signal: stop.signal,
        onListen: (url) => io.out(`weft sync: serving ${url}/api/v1/sync/status, webhook ${url}/api/v1/sync/webhook, metrics ${url}/metrics\n`),
      });
    });

  targetOptions(sync.command('once').description('Reconcile once and print the result (report only unless --apply)'))
    .option('--apply', 'apply every difference (as a manual sync)')
    .option('--prune', 'with --apply: prune owned objects no longer in Git')
    .option('--json', 'print the status as JSON')
    .action(async (opts: TargetFlags & { apply?: boolean; prune?: boolean; json?: boolean; kubernetes?: string | true }) => {
      const { controller } = await setup(opts, !opts.apply);
      const record = await controller.request(opts.apply ? 'manual' : 'poll', { prune: opts.prune === true });
      const { formatStatus } = await import('../../../controller/status/status.js');
      io.out(opts.json ? JSON.stringify(controller.status(), null, 2) + '\n' : formatStatus(controller.status()) + '\n');
      io.exit(record.result === 'synced' ? EXIT.ok : EXIT.failed);
    });

  sync
    .command('status')
    .description('Print the status of a running controller')
    .option('--url <url>', 'the controller API', process.env.WEFT_SYNC_URL ?? 'http://127.0.0.1:8081')
    .option('--json', 'print JSON')
    .action(async (opts: { url: string; json?: boolean }) => {
      const { formatStatus } = await import('../../../controller/status/status.js');
      let res: Response;
      try {
        res = await fetch(new URL('/api/v1/sync/status', opts.url), { signal: AbortSignal.timeout(10_000) });
      } catch {
        throw new UsageError(`Cannot reach the controller at ${opts.url}`, 'Start it with `weft sync run`, or pass --url.');
      }
      if (!res.ok) throw new UsageError(`The controller at ${opts.url} answered ${res.status}`);
      const status = (await res.json()) as import('../../../controller/status/status.js').SyncStatus;
      io.out(opts.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status) + '\n');
      const ready = status.conditions.find((c) => c.type === 'Ready');
      io.exit(ready?.status === 'True' ? EXIT.ok : EXIT.failed);
    });
}

async function setup(opts: TargetFlags & { kubernetes?: string | true }, reportOnly = false) {
  const [{ loadApplication }, { targetFor, controllerFor, runController }] = await Promise.all([import('../../../controller/config.js'), import('../../../controller/app.js')]);
  let app;
  try {
    app = await loadApplication(opts.config);
  } catch (err) {
    if (err instanceof DiagnosticError) throw new UsageError(err.diagnostics.map(formatDiagnostic).join('\n'));
    throw err;
  }
  if (opts.engineDir && opts.kubernetes) throw new UsageError('--engine-dir and --kubernetes are exclusive', 'Choose one target.');
  if (reportOnly) app = { ...app, syncPolicy: {} };
  const target = targetFor(app, { engineDir: opts.engineDir, kubeconfig: opts.kubernetes === true ? '' : opts.kubernetes, controllerNamespace: opts.controllerNamespace });
  const controller = controllerFor(app, target, { cacheDir: opts.cacheDir, log: (line) => process.stderr.write(JSON.stringify(line) + '\n') });
  return { app, controller, runController };
}

function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  const port = Number(listen.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen ${listen} is not host:port`, 'e.g. --listen 127.0.0.1:8081');
  return [listen.slice(0, i) || '127.0.0.1', port];
}
