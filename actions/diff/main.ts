import { breakingDiagnostics, diffGitRefs, renderDiffMarkdown, splitPatterns } from '../../engine/diff/index.js';
import { DiagnosticError, type Diagnostic } from '../../engine/model/diagnostic.js';
import { annotationCommands } from '../../engine/report/github.js';
import { DIFF_COMMENT_MARKER, upsertStickyComment } from '../shared/comments.js';
import { readEvent } from '../shared/event.js';
import { appendSummary, command, getBooleanInput, getInput, InputError, setOutput, type ActionIO } from '../shared/io.js';

/** GitHub's limit on an issue comment's body. */
const COMMENT_LIMIT = 65_536;
/** What we allow the job summary (GitHub: 1 MiB per step; room left for multi-byte characters). */
const SUMMARY_LIMIT = 900_000;

/**
 * The diff action: diffs the definitions between the pull request's base and head commits (read
 * from Git, no checkout), annotates breaking changes, writes the report to the job summary,
 * creates or updates the sticky pull-request comment, and sets the outputs `changed`, `breaking`,
 * `comment-id`. Returns the exit code.
 */
export async function runDiff(io: ActionIO): Promise<number> {
  try {
    const event = readEvent(io);
    const patterns = splitPatterns(getInput(io, 'paths'));
    const base = getInput(io, 'base') || event.pullRequest?.baseSha || event.before;
    const head = getInput(io, 'head') || event.pullRequest?.headSha || event.after || io.env.GITHUB_SHA || 'HEAD';
    const comment = getBooleanInput(io, 'comment', true);
    const failOnBreaking = getBooleanInput(io, 'fail-on-breaking', false);
    if (!base) throw new InputError("No base commit: run on a pull_request event or set the 'base' input.");

    const { report, head: headTree, base: baseTree } = await diffGitRefs(io.cwd, base, head, patterns);
    if (headTree.files.length === 0 && baseTree.files.length === 0) command(io, 'warning', `No YAML file matched paths '${patterns.join(', ') || '(all YAML)'}' at either commit.`);
    const loadErrors = headTree.diagnostics.filter((d) => d.severity === 'error');
    const findings: Diagnostic[] = [...breakingDiagnostics(report, failOnBreaking ? 'error' : 'warning'), ...loadErrors];
    io.write(annotationCommands(findings));

    const title = `Weft definition changes (${short(base)}…${short(head)})`;
    const unreadable = loadErrors.length ? `\n> ${loadErrors.length} problem(s) reading definitions at the head commit; those files are missing from this diff. Run the validate action for details.\n` : '';
    appendSummary(io, renderDiffMarkdown(report, { maxChars: SUMMARY_LIMIT, title }) + unreadable);

    const changed = report.summary.added + report.summary.removed + report.summary.changed + report.summary.renamed;
    setOutput(io, 'changed', changed);
    setOutput(io, 'breaking', report.summary.breakingChanges);

    if (comment && event.pullRequest) {
      const token = getInput(io, 'github-token') || io.env.GITHUB_TOKEN || '';
      const apiUrl = io.env.GITHUB_API_URL || 'https://api.github.com';
      if (!token) command(io, 'warning', "No token: the pull-request comment was not posted. Pass 'github-token' (the default is the workflow's token).");
      else if (!event.repository) command(io, 'warning', 'No repository in the environment or the event: the pull-request comment was not posted.');
      else {
        const body = renderDiffMarkdown(report, {
          maxChars: COMMENT_LIMIT - unreadable.length,
          prefix: `${DIFF_COMMENT_MARKER}\n`,
          title,
          fullReportHint: 'The job summary of this workflow run has the full report.',
        }) + unreadable;
        try {
          const result = await upsertStickyComment({ apiUrl, repository: event.repository, issueNumber: event.pullRequest.number, token, marker: DIFF_COMMENT_MARKER, body });
          setOutput(io, 'comment-id', result.id);
          io.write(`Pull-request comment ${result.action} (id ${result.id}).\n`);
        } catch (err) {
          command(io, 'warning', `The pull-request comment could not be posted: ${(err as Error).message}`);
        }
      }
    }
    io.write(`${changed} resource(s) changed, ${report.summary.breakingChanges} breaking change(s).\n`);
    if (failOnBreaking && report.summary.breakingChanges > 0) {
      command(io, 'error', `${report.summary.breakingChanges} breaking change(s) (fail-on-breaking is true).`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof DiagnosticError) {
      io.write(annotationCommands(err.diagnostics));
      return 1;
    }
    command(io, 'error', err instanceof InputError ? err.message : `Weft diff could not run: ${(err as Error).message}`);
    return 1;
  }
}

function short(ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref;
}
