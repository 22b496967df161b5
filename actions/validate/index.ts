import { processIO } from '../shared/io.js';
import { runValidate } from './main.js';

process.exitCode = await runValidate(processIO());
