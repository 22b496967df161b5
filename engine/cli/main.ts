import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import * as demoApi from './commands/demo-api.js';
import * as diff from './commands/diff.js';
import * as history from './commands/history.js';
import * as logs from './commands/logs.js';
import * as plan from './commands/plan.js';
import * as promote from './commands/promote.js';
import * as run from './commands/run.js';
import * as serve from './commands/serve.js';
import * as sync from './commands/sync.js';
import * as validate from './commands/validate.js';
import { EXIT, UsageError } from './usage.js';

/** A `weft` subcommand: one file under `commands/` exporting `register`. */
export interface CliCommand {
  register(program: Command, io: CliIo): void;
}

/** Where commands write and how they report their exit code. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Sets the exit code of the whole invocation (the highest one set wins). */
  exit(code: number): void;
}

/** Every command, in the order `weft --help` lists them. Add a command by adding its module here. */
const COMMANDS: CliCommand[] = [validate, diff, plan, run, serve, history, logs, sync, promote, demoApi];

/**
 * Builds the `weft` program with its commands; output goes through `io`.
 * @example await buildProgram(io).parseAsync(['node', 'weft', 'validate', 'fixtures/examples'])
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('weft')
    .description('Weft: validate, plan, run and serve synchronous HTTP workflows')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
  for (const c of COMMANDS) c.register(program, io);
  return program;
}

/**
 * Runs `weft` with `argv` (as `process.argv`) and resolves to the exit code: 0 success, 1 a
 * failure the command reports (errors found, run failed), 2 a usage error.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  let code = 0;
  const full: CliIo = {
    out: io.out ?? ((t) => void process.stdout.write(t)),
    err: io.err ?? ((t) => void process.stderr.write(t)),
    exit: (c) => {
      code = Math.max(code, c);
      io.exit?.(c);
    },
  };
  const program = buildProgram(full);
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      // Commander has printed the message; unknown options, missing arguments and bad choices are usage errors.
      if (err.code === 'commander.executeSubCommandAsync') return EXIT.failed;
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      full.err(`weft: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
      return EXIT.usage;
    }
    full.err(`weft: ${(err as Error).message ?? String(err)}\n`);
    return EXIT.failed;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
