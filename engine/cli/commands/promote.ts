import type { Command } from 'commander';
import { DiagnosticError, formatDiagnostic } from '../../model/diagnostic.js';
import type { CliIo } from '../main.js';
import { UsageError } from '../usage.js';

/** `weft promote --from staging --to production`: a commit on a new branch, ready for a pull request. */
export function register(program: Command, io: CliIo): void {
  program
    .command('promote')
    .description("Copy one environment's definitions to the next as a commit on a new branch (open a PR from it)")
    .requiredOption('--from <env>', 'source environment, e.g. staging')
    .requiredOption('--to <env>', 'target environment, e.g. production')
    .option('--repo <dir>', 'working clone of the GitOps repository', '.')
    .option('--path-template <template>', 'where an environment lives, {env} for its name (default: workflows/{env}, overlays/{env} or kustomize/overlays/{env})')
    .option('--keep <file...>', 'files that stay per environment (default: the overlay kustomization)')
    .option('--branch <name>', 'branch to create')
    .option('--message <text>', 'commit message')
    .option('--push', 'push the branch to origin')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { from: string; to: string; repo: string; pathTemplate?: string; keep?: string[]; branch?: string; message?: string; push?: boolean; json?: boolean }) => {
      if (opts.from === opts.to) throw new UsageError('--from and --to name the same environment');
      const { promote } = await import('../../../controller/promote.js');
      let result;
      try {
        result = await promote({ repoDir: opts.repo, from: opts.from, to: opts.to, pathTemplate: opts.pathTemplate, keep: opts.keep, branch: opts.branch, message: opts.message, push: opts.push });
      } catch (err) {
        if (err instanceof DiagnosticError) throw new UsageError(err.diagnostics.map(formatDiagnostic).join('\n'));
        throw err;
      }
      if (opts.json) {
        io.out(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      if (!result.changed) {
        io.out(`${result.toPath} already matches ${result.fromPath}; nothing to promote.\n`);
        return;
      }
      io.out(`Promoted ${result.fromPath} -> ${result.toPath} on branch ${result.branch} (${result.commit!.slice(0, 12)}):\n`);
      for (const f of result.files) io.out(`  ${f.change.padEnd(8)} ${f.path}\n`);
      io.out(opts.push ? `Open a pull request: gh pr create --head ${result.branch} --fill\n` : `Push it and open a pull request: git push -u origin ${result.branch} && gh pr create --head ${result.branch} --fill\n`);
    });
}
