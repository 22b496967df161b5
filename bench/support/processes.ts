import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A server running in a child process, listening on loopback. */
export interface ChildServer {
  label: string;
  url: string;
  pid: number;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let hooked = false;

/** Kills every child still running when the bench process exits or is interrupted. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** `… listening on http://127.0.0.1:PORT` or a JSON log line `{"msg":"weft listening","url":"http://…"}`. */
const LISTENING = /listening\b[^\n]*?(https?:\/\/[^\s"/]+)/i;

/**
 * Starts `node ARGS…` and waits until it prints a line `… listening on http://HOST:PORT`.
 * Fails with the child's stderr when it exits first or prints nothing within `timeoutMs`.
 * @example const api = await startChildServer('demo API', [...tsNode(root), 'fixtures/demo-api/main.ts', '--port', '0'], { cwd: root });
 */
export function startChildServer(label: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildServer> {
  hookExit();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 8_000) stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<ChildServer>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void close();
      reject(new Error(`${label} (node ${args.join(' ')}) ${why}${stderr ? `; stderr:\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`printed no "listening on URL" line within ${options.timeoutMs ?? 20_000}ms`), options.timeoutMs ?? 20_000);
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (${signal ?? `code ${code}`}) before listening`);
    child.once('exit', onEarlyExit);
    child.stdout!.setEncoding('utf8').on('data', function onData(chunk: string) {
      stdout += chunk;
      const m = LISTENING.exec(stdout);
      if (!m) {
        if (stdout.length > 8_000) stdout = stdout.slice(-1_000);
        return;
      }
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({ label, url: m[1], pid: child.pid!, close });
    });
  });
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system) a process has used so far, in milliseconds, from `/proc/PID/stat`;
 * undefined where there is no procfs (the figure is then left out).
 */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/**
 * Node flags that run TypeScript sources with Weft's own module hooks (`bin/ts-hooks.mjs`), the
 * way `weft` itself runs: every measured process, the baselines included, is compiled alike.
 */
export function tsNode(root: string): string[] {
  return ['--import', join(root, 'bin/ts-hooks.mjs')];
}

/** Starts the demo API (`fixtures/demo-api/main.ts`) on a free loopback port. */
export function startDemoApiChild(root: string): Promise<ChildServer> {
  return startChildServer('demo API', [...tsNode(root), join(root, 'fixtures/demo-api/main.ts'), '--host', '127.0.0.1', '--port', '0'], { cwd: root });
}
