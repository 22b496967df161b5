import { runDiff } from './diff/main.js';
import { command, getInput, processIO, type ActionIO } from './shared/io.js';
import { runValidate } from './validate/main.js';

const COMMANDS: Record<string, (io: ActionIO) => Promise<number>> = { validate: runValidate, diff: runDiff };

/** The root action: runs the action its `command` input names (validate or diff). */
export async function runCommand(io: ActionIO): Promise<number> {
  const name = getInput(io, 'command') || 'validate';
  const run = COMMANDS[name];
  if (!run) {
    command(io, 'error', `Input 'command' must be one of ${Object.keys(COMMANDS).join(', ')}, got '${name}'.`);
    return 1;
  }
  return run(io);
}
