import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TASKS, WELCOME, brokenWorkflow } from './definitions.js';
import { runAction, TempRepo } from './support.js';

const repos: TempRepo[] = [];
function repo(files: Record<string, string>): TempRepo {
  const r = new TempRepo();
  repos.push(r);
  r.write(files);
  r.commit('definitions');
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

describe('validate action (dist/validate/index.js)', () => {
  it('passes a valid tree and writes zero counts, the file count and a clean summary', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS, 'definitions/welcome.yaml': WELCOME });
    const run = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { paths: 'definitions/**/*.yaml' } });
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ errors: '0', warnings: '0', files: '2' });
    expect(run.annotations).toEqual([]);
    expect(run.summary).toContain('0 errors, 0 warnings, 0 notices in 2 files.');
  });

  it('validates files together: a task in one file satisfies a workflow in another', async () => {
    const r = repo({ 'a/tasks.yaml': TASKS, 'b/welcome.yaml': WELCOME });
    const run = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { paths: 'a, b' } });
    expect(run.outputs.errors).toBe('0');
    const alone = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { paths: 'b' } });
    expect(Number(alone.outputs.errors)).toBeGreaterThan(0);
  });

  it('annotates an unknown task at its file, line and column and fails the step', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS, 'definitions/bad.yaml': brokenWorkflow('bad') });
    const run = await runAction('dist/validate/index.js', { cwd: r.dir });
    expect(run.code).toBe(1);
    expect(run.outputs.errors).toBe('1');
    expect(run.annotations[0]).toMatch(/^::error file=definitions\/bad\.yaml,line=10,col=16,title=WF_UNKNOWN_TASK::Step 'second' uses task 'get-usr'.*Did you mean 'get-user'\?/);
    expect(run.summary).toContain('| error | `definitions/bad.yaml:10:16` | `WF_UNKNOWN_TASK` |');
    expect(run.stdout).toContain('::error::Weft validation failed: 1 error(s), 0 warning(s) (fail-on: error).');
  });

  it('annotates ten errors at most and lists the rest only in the job summary', async () => {
    const files: Record<string, string> = { 'definitions/tasks.yaml': TASKS };
    for (let i = 0; i < 13; i++) files[`definitions/bad-${String(i).padStart(2, '0')}.yaml`] = brokenWorkflow(`bad-${i}`);
    const r = repo(files);
    const run = await runAction('dist/validate/index.js', { cwd: r.dir });
    expect(run.outputs.errors).toBe('13');
    expect(run.annotations.filter((a) => a.includes('title=WF_UNKNOWN_TASK'))).toHaveLength(10);
    expect(run.annotations[0]).toContain('file=definitions/bad-00.yaml');
    expect(run.summary).toContain('GitHub shows at most 10 annotations of each type; 3 diagnostics are listed only below.');
    expect(run.summary.split('\n').filter((l) => l.includes('`WF_UNKNOWN_TASK`'))).toHaveLength(13);
  });

  it("fails on a warning only when fail-on is 'warning'", async () => {
    const withWarning = WELCOME.replace('input: { userId: "{{input.userId}}" }', 'input: { userId: "{{input.userId}}", unused: 1 }');
    const r = repo({ 'defs/tasks.yaml': TASKS, 'defs/welcome.yaml': withWarning });
    const lenient = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { paths: 'defs' } });
    expect(lenient.code).toBe(0);
    expect(Number(lenient.outputs.warnings)).toBeGreaterThan(0);
    expect(lenient.annotations.some((a) => a.startsWith('::warning file=defs/welcome.yaml'))).toBe(true);
    const strict = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { paths: 'defs', 'fail-on': 'warning' } });
    expect(strict.code).toBe(1);
  });

  it('writes a SARIF 2.1.0 file with a result at the diagnostic position when sarif-file is set', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS, 'definitions/bad.yaml': brokenWorkflow('bad') });
    await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { 'sarif-file': 'reports/weft.sarif' } });
    const sarif = JSON.parse(readFileSync(join(r.dir, 'reports/weft.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(1);
    expect(sarif.runs[0].results[0]).toMatchObject({
      ruleId: 'WF_UNKNOWN_TASK',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'definitions/bad.yaml' }, region: { startLine: 10, startColumn: 16 } } }],
    });
  });

  it('writes no SARIF file when sarif-file is empty', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS });
    await runAction('dist/validate/index.js', { cwd: r.dir });
    expect(existsSync(join(r.dir, 'weft.sarif'))).toBe(false);
  });

  it('rejects a bad fail-on value with one clear error and no stack trace', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS });
    const run = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { 'fail-on': 'sometimes' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::Input 'fail-on' must be 'error' or 'warning', got 'sometimes'.");
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('warns when no YAML file matches the paths', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS });
    const run = await runAction('dist/validate/index.js', { cwd: r.dir, inputs: { paths: 'nothing/**/*.yaml' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::warning::No YAML file matched paths 'nothing/**/*.yaml' under the workspace.");
    expect(run.outputs.files).toBe('0');
  });
});

describe('root action (dist/main/index.js)', () => {
  it("runs validate when command is 'validate'", async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS, 'definitions/bad.yaml': brokenWorkflow('bad') });
    const run = await runAction('dist/main/index.js', { cwd: r.dir, inputs: { command: 'validate' } });
    expect(run.code).toBe(1);
    expect(run.outputs.errors).toBe('1');
  });

  it('rejects an unknown command by name', async () => {
    const r = repo({ 'definitions/tasks.yaml': TASKS });
    const run = await runAction('dist/main/index.js', { cwd: r.dir, inputs: { command: 'deploy' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::Input 'command' must be one of validate, diff, got 'deploy'.");
  });
});
