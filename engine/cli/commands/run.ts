import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatDiagnostics } from '../../report/index.js';
import { hasErrors } from '../../model/diagnostic.js';
import { nearest } from '../../model/suggest.js';
import type { StepSpec } from '../../model/types.js';
import { loadConfig, withDefaultOrigins } from '../config.js';
import type { CliIo } from '../main.js';
import { collect, EXIT, parseJsonFlag, UsageError } from '../usage.js';

interface RunOptions {
  input?: string;
  definitions?: string[];
  mock?: string[];
  origin?: string[];
  workflow?: string;
  namespace?: string;
  format: 'text' | 'json';
  config?: string;
  remote?: string;
}

/**
 * `weft run FILE --input JSON`: runs a workflow here and now, prints its output (stdout) and a
 * per-step timing table (stderr). `weft run NAME --remote URL --input JSON` runs the loaded
 * workflow NAME on a running engine instead (WEFT_TOKEN for auth). Exit 0 succeeded, 1 failed,
 * 2 usage (including an input the workflow's schema refuses).
 */
export function register(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('Run a workflow locally and print its output and a per-step timing table')
    .argument('<file>', 'workflow file (tasks come from the same file and --definitions); with --remote, the workflow name')
    .option('-i, --input <json>', 'workflow input as JSON, or @file.json', '{}')
    .option('-d, --definitions <dir>', 'more definitions (tasks, child workflows); repeatable', collect)
    .option('-m, --mock <step=file.json>', "use the JSON in the file as the step's output instead of calling; repeatable", collect)
    .option('--origin <from=to>', 'origin alias, e.g. http://demo-api=http://127.0.0.1:8090; repeatable', collect)
    .option('-w, --workflow <name>', 'which workflow, when the file defines several')
    .option('-n, --namespace <ns>', 'namespace of the workflow', 'default')
    .addOption(new Option('-f, --format <format>', 'text: output and table; json: the whole execution result').choices(['text', 'json']).default('text'))
    .option('--config <file>', 'config file (default ./weft.yaml)')
    .option('--remote <url>', 'run the workflow named <file> on a running engine (weft serve) at URL; WEFT_TOKEN is sent as bearer token')
    .action(async (file: string, opts: RunOptions) => {
      const input = await parseJsonFlag('--input', opts.input ?? '{}');
      if (opts.remote) {
        const { runRemote } = await import('../run-remote.js');
        return runRemote(file, input, { ...opts, remote: opts.remote }, io);
      }
      const config = await loadConfig({ definitions: opts.definitions, origin: opts.origin, config: opts.config });
      const { pickWorkflow } = await import('../workflow-source.js');
      const picked = await pickWorkflow(file, config.definitionsGiven ? config.definitions : [], { workflow: opts.workflow, namespace: opts.namespace });
      if (hasErrors(picked.diagnostics) || !picked.workflow) {
        io.err(formatDiagnostics(picked.diagnostics, 'text'));
        io.exit(EXIT.failed);
        return;
      }
      const mocks = await readMocks(opts.mock ?? [], picked.workflow.spec.tasks ?? []);
      const [{ Engine, executionResultJson }, { DiagnosticError }, { traceTable, formatMs }] = await Promise.all([
        import('../../run/index.js'),
        import('../../model/diagnostic.js'),
        import('../trace-table.js'),
      ]);
      const engine = new Engine(picked.registry, { origins: withDefaultOrigins(config.origins) });
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      try {
        const name = `${picked.workflow.metadata.namespace}/${picked.workflow.metadata.name}`;
        const compiled = engine.workflow(name);
        if (!compiled) {
          const failure = engine.compileErrors.find((e) => e.resource === `Workflow/${name}`);
          throw new Error(`Workflow '${picked.workflow.metadata.name}' does not compile: ${failure?.message ?? 'a task it uses does not compile'}`);
        }
        let prepared: unknown;
        try {
          prepared = engine.prepareInput(compiled, input);
        } catch (err) {
          if (!(err instanceof DiagnosticError)) throw err;
          io.err(`weft run: --input does not match the input schema of '${compiled.name}'\n`);
          io.err(formatDiagnostics(err.diagnostics, 'text'));
          io.exit(EXIT.usage);
          return;
        }
        const result = await engine.executeCompiled(compiled, prepared, { signal: abort.signal, mocks });
        if (opts.format === 'json') {
          io.out(JSON.stringify(executionResultJson(result), null, 2) + '\n');
        } else {
          if (result.status === 'succeeded') io.out(JSON.stringify(result.output ?? null, null, 2) + '\n');
          io.err(traceTable(result.steps));
          const error = result.error;
          io.err(
            result.status === 'succeeded'
              ? `${compiled.name} succeeded in ${formatMs(result.durationMs)}\n`
              : `${compiled.name} ${result.status.replace('_', ' ')} after ${formatMs(result.durationMs)}: ${error?.step ? `step '${error.step}': ` : ''}${error?.message ?? ''}${error?.code ? ` [${error.code}]` : ''}\n${error?.hint ? `  hint: ${error.hint}\n` : ''}`,
          );
        }
        io.exit(result.status === 'succeeded' ? EXIT.ok : EXIT.failed);
      } finally {
        process.off('SIGINT', onSignal);
        await engine.close();
      }
    });
}

/** Reads `--mock step=file.json` pairs; a step id the workflow does not have is a usage error. */
async function readMocks(pairs: readonly string[], steps: readonly StepSpec[]): Promise<Map<string, unknown>> {
  const ids = new Set<string>();
  const walk = (list: readonly StepSpec[]) => {
    for (const s of list) {
      ids.add(s.id);
      if (s.tasks) walk(s.tasks);
    }
  };
  walk(steps);
  const mocks = new Map<string, unknown>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--mock '${pair}' is not step=file.json`, 'Write --mock fetch-user=user.json.');
    const step = pair.slice(0, eq);
    const file = pair.slice(eq + 1);
    if (!ids.has(step)) {
      const close = nearest(step, ids);
      throw new UsageError(`--mock names step '${step}', which the workflow does not have`, close.length ? `Did you mean '${close[0]}'?` : `Steps: ${[...ids].join(', ')}.`);
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--mock ${step}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      mocks.set(step, JSON.parse(text));
    } catch (err) {
      throw new UsageError(`--mock ${step}: ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return mocks;
}
