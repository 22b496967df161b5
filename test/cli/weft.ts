import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/weft.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WeftResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/weft.mjs ARGS` in the repository root and waits for it to exit. */
export function weft(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<WeftResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface LongRunning {
  child: ChildProcess;
  /** The first match of `ready` in stderr. */
  match: RegExpMatchArray;
  /** Sends SIGTERM and resolves with the exit code and all output. */
  stop(): Promise<WeftResult>;
}

/** Starts a long-running `weft` command and resolves once its stderr matches `ready`. */
export function startWeft(args: string[], ready: RegExp, options: { env?: Record<string, string> } = {}): Promise<LongRunning> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const closed = new Promise<WeftResult>((r) => child.on('close', (code) => r({ code, stdout, stderr })));
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => {
      stderr += c;
      const m = stderr.match(ready);
      if (m && !started) {
        started = true;
        resolve({
          child,
          match: m,
          stop: () => {
            child.kill('SIGTERM');
            return closed;
          },
        });
      }
    });
    child.on('error', reject);
    void closed.then((r) => {
      if (!started) reject(new Error(`weft ${args.join(' ')} exited with ${r.code} before it was ready:\n${r.stderr}`));
    });
  });
}
