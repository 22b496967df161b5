import { serve, type ServerType } from '@hono/node-server';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApplicationConfig } from './config.js';
import { SyncController, type ControllerOptions } from './controller.js';
import { syncApp } from './http.js';
import { GitSource } from './source/git.js';
import { DefinitionsDirectoryTarget } from './targets/directory.js';
import { KubernetesTarget } from './targets/kubernetes.js';
import type { SyncTarget } from './targets/target.js';

export interface TargetChoice {
  /** Sync into the definitions directory a `weft serve` watches (the embedded default). */
  engineDir?: string;
  /** Sync into the cluster of this kubeconfig (`''` = the default loading rules: in-cluster or ~/.kube/config). */
  kubeconfig?: string;
  controllerNamespace?: string;
}

/** The target an application syncs to: flags first, then `spec.destination`. */
export function targetFor(app: ApplicationConfig, choice: TargetChoice): SyncTarget {
  const engineDir = choice.engineDir ?? (choice.kubeconfig === undefined ? app.destination.engine?.definitionsDir : undefined);
  if (engineDir) return new DefinitionsDirectoryTarget(engineDir);
  const kc = new KubeConfig();
  if (choice.kubeconfig) kc.loadFromFile(choice.kubeconfig);
  else kc.loadFromDefault();
  return new KubernetesTarget({ kubeConfig: kc, controllerNamespace: choice.controllerNamespace ?? process.env.WEFT_CONTROLLER_NAMESPACE ?? 'default' });
}

/** A controller for an application file. */
export function controllerFor(app: ApplicationConfig, target: SyncTarget, options: { cacheDir: string } & Partial<ControllerOptions>): SyncController {
  const { cacheDir, ...rest } = options;
  return new SyncController({
    application: app.name,
    source: new GitSource(app.source, { cacheDir }),
    target,
    policy: app.syncPolicy,
    ignore: app.ignoreDifferences,
    ...(app.destination.namespace ? { namespace: app.destination.namespace } : {}),
    interval: app.pollInterval,
    alerts: app.alerts,
    ...rest,
  });
}

/**
 * Runs a controller with its HTTP API until `signal` aborts.
 * @example await runController(controller, { host: '127.0.0.1', port: 8081, signal })
 */
export async function runController(
  controller: SyncController,
  options: { host: string; port: number; webhookSecret?: string; signal?: AbortSignal; /** Called once serving, after the first reconcile has started. */ onListen?: (url: string) => void },
): Promise<void> {
  const app = syncApp(controller, { webhookSecret: options.webhookSecret });
  let port = 0;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info) => {
      port = info.port;
      resolve(s);
    });
  });
  await controller.start();
  options.onListen?.(`http://${options.host}:${port}`);
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) return resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await controller.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
