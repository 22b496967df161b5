import { runCommand } from './main.js';
import { processIO } from './shared/io.js';

process.exitCode = await runCommand(processIO());
