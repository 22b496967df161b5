import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticError } from '../engine/model/diagnostic.js';
import { parseApplication } from './config.js';

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseApplication(text, 'app.yaml', env);
  } catch (err) {
    return (err as DiagnosticError).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
  }
  return [];
}

describe('parseApplication', () => {
  it('reads the roadmap Stage 24 Argo CD Application unchanged', () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'roadmap', '11-stage24-argocd-application.yaml'), 'utf8');
    expect(parseApplication(text, 'app.yaml', {})).toEqual({
      name: 'workflows',
      source: { repoURL: 'https://github.com/org/workflows', path: 'workflows/production' },
      destination: { namespace: 'workflows' },
      syncPolicy: { automated: { prune: true, selfHeal: true, allowEmpty: false } },
      ignoreDifferences: [],
      pollInterval: 60_000,
      alerts: [],
    });
  });

  it('fills ${ENV} in alert URLs from the environment and names a missing variable with its line', () => {
    const text = 'apiVersion: workflow.io/v1\nkind: Application\nmetadata:\n  name: shop\nspec:\n  source:\n    repoURL: /repo\n  alerts:\n    - type: slack\n      url: ${SLACK_WEBHOOK}\n';
    expect(parseApplication(text, 'app.yaml', { SLACK_WEBHOOK: 'https://hooks.slack.test/x' }).alerts).toEqual([{ type: 'slack', url: 'https://hooks.slack.test/x' }]);
    expect(problems(text)).toEqual(['10:12 Environment variable SLACK_WEBHOOK is not set']);
  });

  it('names the line and field of each mistake', () => {
    const text = 'apiVersion: workflow.io/v1\nkind: Application\nmetadata:\n  name: Shop\nspec:\n  source:\n    repoURL: /repo\n  syncPolicy:\n    automated: { prune: "yes" }\n  ignoreDifferences:\n    - kind: Workflow\n      jsonPointers: [spec/timeout]\n  pollInterval: 10ms\n';
    expect(problems(text)).toEqual([
      '4:9 metadata.name must be a lowercase DNS label',
      '9:26 syncPolicy.automated.prune must be true or false',
      '11:7 An ignore rule needs jsonPointers: a list of JSON pointers starting with /',
      '13:17 spec.pollInterval must be a duration of at least 1s',
    ]);
  });
});
