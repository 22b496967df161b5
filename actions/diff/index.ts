import { processIO } from '../shared/io.js';
import { runDiff } from './main.js';

process.exitCode = await runDiff(processIO());
