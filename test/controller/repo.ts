import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

/** A real Git repository in a temporary directory, for the controller's sources. */
export interface TestRepo {
  dir: string;
  git: SimpleGit;
  /** Writes files (path -> text; `null` deletes) and commits them; returns the commit SHA. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createRepo(): Promise<TestRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-repo-'));
  const git = simpleGit(dir);
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'Weft Test');
  await git.addConfig('user.email', 'test@weft.invalid');
  await git.addConfig('commit.gpgsign', 'false');
  return {
    dir,
    git,
    async commit(files, message = 'change') {
      for (const [path, text] of Object.entries(files)) {
        const file = join(dir, path);
        if (text === null) await rm(file, { force: true });
        else {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, text);
        }
      }
      await git.add(['-A']);
      await git.commit(message, { '--allow-empty': null });
      return (await git.revparse(['HEAD'])).trim();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A WorkflowTask document. */
export function taskYaml(name: string, extra: { timeout?: string; namespace?: string; url?: string } = {}): string {
  return [
    'apiVersion: workflow.io/v1',
    'kind: WorkflowTask',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${extra.namespace ?? 'shop'}`,
    'spec:',
    '  type: http',
    ...(extra.timeout ? [`  timeout: ${extra.timeout}`] : []),
    '  http:',
    '    method: GET',
    `    url: ${extra.url ?? `http://demo-api/${name}`}`,
    '',
  ].join('\n');
}

/** A temporary directory removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
