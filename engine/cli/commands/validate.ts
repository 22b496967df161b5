import { Option, type Command } from 'commander';
import { formatDiagnostics, REPORT_FORMATS, type ReportFormat } from '../../report/index.js';
import { hasErrors } from '../../model/diagnostic.js';
import type { CliIo } from '../main.js';
import { EXIT, requireExisting } from '../usage.js';

/** `weft validate PATH…`: exit 0 when clean (warnings allowed), 1 with errors, 2 on usage errors. */
export function register(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('Check task and workflow files (directories are read recursively, as one whole)')
    .argument('<paths...>', 'YAML files or directories')
    .addOption(new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('text'))
    .action(async (paths: string[], opts: { format: ReportFormat }) => {
      await requireExisting(paths, 'Path');
      const { validatePaths } = await import('../../validate/index.js');
      const { diagnostics, files } = await validatePaths(paths, { cwd: process.cwd() });
      io.out(formatDiagnostics(diagnostics, opts.format, { files: files.length }));
      io.exit(hasErrors(diagnostics) ? EXIT.failed : EXIT.ok);
    });
}
