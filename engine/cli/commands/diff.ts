import { Option, type Command } from 'commander';
import { DiagnosticError } from '../../model/diagnostic.js';
import type { CliIo } from '../main.js';
import { collect, EXIT, UsageError } from '../usage.js';

const FORMATS = ['markdown', 'json', 'github'] as const;
type DiffFormat = (typeof FORMATS)[number];

/**
 * `weft diff BASE [HEAD]`: what changes in the definitions between two Git refs of a repository,
 * read from Git (no checkout): Markdown (the pull-request comment), the JSON report, or the
 * breaking changes as GitHub annotations. Exit 0; 1 with `--fail-on-breaking` and a breaking
 * change; 2 for an unknown ref or a bad flag.
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('diff')
    .description('Compare the task and workflow definitions of two Git refs (steps, edges, contracts, impact)')
    .argument('<base>', 'base commit, branch or tag')
    .argument('[head]', 'head commit, branch or tag', 'HEAD')
    .option('-C, --repo <dir>', 'the Git repository', '.')
    .option('-p, --path <pattern>', 'glob, file or directory of definitions inside the repository (repeatable; default: every YAML file)', collect, [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('markdown'))
    .option('--max-chars <n>', 'cut the Markdown to this many characters, with a note on what was left out')
    .option('--fail-on-breaking', 'exit 1 when a change is breaking')
    .action(async (base: string, head: string, opts: { repo: string; path: string[]; format: DiffFormat; maxChars?: string; failOnBreaking?: boolean }) => {
      const maxChars = opts.maxChars === undefined ? undefined : Number(opts.maxChars);
      if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000)) throw new UsageError(`--max-chars is '${opts.maxChars}', not a whole number of at least 1000`);
      const { breakingDiagnostics, diffGitRefs, renderDiffMarkdown } = await import('../../diff/index.js');
      let result;
      try {
        result = await diffGitRefs(opts.repo, base, head, opts.path);
      } catch (err) {
        if (err instanceof DiagnosticError) throw new UsageError(err.diagnostics[0].message, err.diagnostics[0].hint);
        throw err;
      }
      const { report } = result;
      if (opts.format === 'json') io.out(JSON.stringify(report, null, 2) + '\n');
      else if (opts.format === 'github') {
        const { formatGithub } = await import('../../report/github.js');
        io.out(formatGithub(breakingDiagnostics(report, opts.failOnBreaking ? 'error' : 'warning')));
      } else io.out(renderDiffMarkdown(report, { maxChars, title: `Weft definition changes (${base}…${head})` }));
      io.exit(opts.failOnBreaking && report.summary.breakingChanges > 0 ? EXIT.failed : EXIT.ok);
    });
}
