import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { escapeData } from '../../engine/report/github.js';

/**
 * The runner interface an action talks to, in the file and stdout protocols GitHub documents
 * (and @actions/core implements): inputs from `INPUT_*`, outputs appended to `GITHUB_OUTPUT`,
 * the job summary to `GITHUB_STEP_SUMMARY`, commands on stdout. Written here (about forty lines)
 * instead of depending on @actions/core: the bundles stay small and reproducible, and tests can
 * pass their own environment and stdout.
 */
export interface ActionIO {
  env: Record<string, string | undefined>;
  /** The workspace: where the repository is checked out. */
  cwd: string;
  /** Writes to the step's log (stdout). */
  write(text: string): void;
}

/** The real runner: `process.env`, `GITHUB_WORKSPACE` (else the working directory), stdout. */
export function processIO(): ActionIO {
  return { env: process.env, cwd: process.env.GITHUB_WORKSPACE || process.cwd(), write: (t) => void process.stdout.write(t) };
}

/** An input as the runner passes it: `INPUT_<NAME>` (spaces to `_`, upper case), trimmed; '' when unset. */
export function getInput(io: ActionIO, name: string): string {
  return (io.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** A boolean input (YAML 1.2 core schema: true/True/TRUE, false/False/FALSE); `fallback` when empty. */
export function getBooleanInput(io: ActionIO, name: string, fallback: boolean): boolean {
  const v = getInput(io, name);
  if (v === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new InputError(`Input '${name}' must be true or false, got '${v}'.`);
}

/** A bad input: reported as one error annotation, never a stack trace. */
export class InputError extends Error {}

/** Appends `name` to the step outputs (`GITHUB_OUTPUT`, heredoc form so any value is safe). */
export function setOutput(io: ActionIO, name: string, value: string | number): void {
  const file = io.env.GITHUB_OUTPUT;
  if (!file) {
    io.write(`${name}=${value}\n`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

/** Appends Markdown to the job summary (`GITHUB_STEP_SUMMARY`); without one, the log gets it. */
export function appendSummary(io: ActionIO, markdown: string): void {
  const file = io.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n');
  else io.write(markdown);
}

/** Writes a workflow command with no properties, e.g. `::warning::text`. */
export function command(io: ActionIO, name: 'error' | 'warning' | 'notice' | 'debug' | 'add-mask', message: string): void {
  io.write(`::${name}::${escapeData(message)}\n`);
}
