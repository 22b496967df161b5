import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./engine-child.ts', import.meta.url));

export interface EngineChild {
  url: string;
  process: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
  stop(): Promise<void>;
}

/** Starts `engine-child.ts` with the given store environment and waits until it listens. */
export function startEngineChild(env: Record<string, string>): Promise<EngineChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        const { port } = JSON.parse(line) as { port: number };
        resolve({
          url: `http://127.0.0.1:${port}`,
          process: child,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    void exited.then((how) => reject(new Error(`engine-child exited (${how}) before listening: ${stderr.trim()}`)));
  });
}

export interface Acknowledged {
  executionId: string;
  status: string;
  output: unknown;
}

/**
 * Sends `checkout` runs from `workers` concurrent clients (at most `maxRequests` in all) and
 * SIGKILLs the child once `killAfter` runs were answered with 200. Returns the runs whose 200
 * reached the client and how many requests got no answer.
 */
export async function loadThenKill(child: EngineChild, o: { workers: number; maxRequests: number; killAfter: number }): Promise<{ acknowledged: Acknowledged[]; unanswered: number }> {
  const acknowledged: Acknowledged[] = [];
  let sent = 0;
  let unanswered = 0;
  let killed = false;
  const worker = async () => {
    while (sent < o.maxRequests) {
      sent++;
      try {
        const res = await fetch(`${child.url}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { userId: `u${sent}` } }) });
        const body = (await res.json()) as Acknowledged;
        if (res.status === 200) acknowledged.push(body);
        else unanswered++;
      } catch {
        unanswered++;
        if (killed) return;
      }
      if (!killed && acknowledged.length >= o.killAfter) {
        killed = true;
        child.process.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: o.workers }, worker));
  return { acknowledged, unanswered };
}

/** The step paths of one `checkout` run: two calls, then a forEach over the three cart items. */
export const CHECKOUT_STEP_PATHS = ['user', 'cart', 'prices', 'prices[0]', 'prices[1]', 'prices[2]'];
