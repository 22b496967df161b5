import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { selectFiles, splitPatterns } from '../../engine/diff/paths.js';
import { annotationCommands, diagnosticsSummaryMarkdown } from '../../engine/report/github.js';
import { toSarif } from '../../engine/report/sarif.js';
import { validatePaths } from '../../engine/validate/index.js';
import { appendSummary, command, getInput, InputError, setOutput, type ActionIO } from '../shared/io.js';

/**
 * The validate action: validates every selected YAML file as one registry, writes the
 * annotations (10 per type, most important first), the job summary of every diagnostic, the
 * optional SARIF file and the outputs `errors`, `warnings`, `files`. Returns the exit code.
 */
export async function runValidate(io: ActionIO): Promise<number> {
  try {
    const failOn = getInput(io, 'fail-on') || 'error';
    if (failOn !== 'error' && failOn !== 'warning') throw new InputError(`Input 'fail-on' must be 'error' or 'warning', got '${failOn}'.`);
    const patterns = splitPatterns(getInput(io, 'paths'));
    const sarifFile = getInput(io, 'sarif-file');

    const files = await selectFiles(patterns, io.cwd);
    const { diagnostics } = await validatePaths(files, { cwd: io.cwd });
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;

    if (files.length === 0) command(io, 'warning', `No YAML file matched paths '${patterns.join(', ') || '(all YAML)'}' under the workspace.`);
    io.write(annotationCommands(diagnostics));
    appendSummary(io, diagnosticsSummaryMarkdown(diagnostics, { files: files.length }));
    if (sarifFile) {
      const target = resolve(io.cwd, sarifFile);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, JSON.stringify(toSarif(diagnostics), null, 2) + '\n');
    }
    setOutput(io, 'errors', errors);
    setOutput(io, 'warnings', warnings);
    setOutput(io, 'files', files.length);
    io.write(`Validated ${files.length} file(s): ${errors} error(s), ${warnings} warning(s).\n`);
    if (errors > 0 || (failOn === 'warning' && warnings > 0)) {
      command(io, 'error', `Weft validation failed: ${errors} error(s), ${warnings} warning(s) (fail-on: ${failOn}).`);
      return 1;
    }
    return 0;
  } catch (err) {
    command(io, 'error', err instanceof InputError ? err.message : `Weft validate could not run: ${(err as Error).message}`);
    return 1;
  }
}
