import { describe, expect, it } from 'vitest';
import { VALIDATION_CODES } from '../validate/codes.js';
import { toSarif } from './sarif.js';

describe('toSarif', () => {
  const log = toSarif(
    [
      { code: 'WF_CYCLE', severity: 'error', message: "Unknown task 'x'", hint: "Did you mean 'y'?", file: 'defs/wf.yaml', line: 12, column: 16, pointer: '/spec/tasks/0/taskRef', resource: 'Workflow/default/wf' },
      { code: 'WF_SWITCH_NO_DEFAULT', severity: 'warning', message: 'no default', file: 'defs/wf.yaml', line: 20, column: 7 },
      { code: 'WF_LOAD_PATH', severity: 'error', message: 'Cannot read definitions' },
    ],
    { toolVersion: '1.2.3' },
  );
  const run = log.runs[0];

  it('is a SARIF 2.1.0 log with one rule per code, errors first, described', () => {
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver).toMatchObject({ name: 'weft', version: '1.2.3' });
    expect(run.tool.driver.rules.map((r) => [r.id, r.name])).toEqual([
      ['WF_CYCLE', 'Cycle'],
      ['WF_LOAD_PATH', 'LoadPath'],
      ['WF_SWITCH_NO_DEFAULT', 'SwitchNoDefault'],
    ]);
    expect(run.tool.driver.rules[0].shortDescription.text).toBe(VALIDATION_CODES.WF_CYCLE);
    expect(run.tool.driver.rules[1].shortDescription.text).toBe('WF_LOAD_PATH');
  });

  it('gives each located diagnostic a result at its file, line and column', () => {
    expect(run.results[0]).toMatchObject({
      ruleId: 'WF_CYCLE',
      ruleIndex: 0,
      level: 'error',
      message: { text: "Unknown task 'x'\nDid you mean 'y'?" },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'defs/wf.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 12, startColumn: 16 } } }],
    });
    expect(run.results[1]).toMatchObject({ ruleId: 'WF_SWITCH_NO_DEFAULT', level: 'warning' });
    expect(run.results).toHaveLength(2);
  });

  it('keeps a diagnostic without a file as a tool notification', () => {
    expect(run.invocations[0].toolExecutionNotifications).toEqual([{ level: 'error', message: { text: 'Cannot read definitions' }, descriptor: { id: 'WF_LOAD_PATH' } }]);
  });

  it('fingerprints a result by code, resource and pointer so moving lines keeps it', () => {
    const moved = toSarif([{ code: 'WF_CYCLE', severity: 'error', message: "Unknown task 'x'", file: 'defs/wf.yaml', line: 40, column: 16, pointer: '/spec/tasks/0/taskRef', resource: 'Workflow/default/wf' }]);
    expect(moved.runs[0].results[0].partialFingerprints).toEqual(run.results[0].partialFingerprints);
  });
});

describe('formatDiagnostics(list, "sarif")', () => {
  it('is the SARIF log as JSON text, for weft validate --format sarif', async () => {
    const { formatDiagnostics } = await import('./index.js');
    const text = formatDiagnostics([{ code: 'WF_CYCLE', severity: 'error', message: 'a -> b -> a', file: 'w.yaml', line: 4, column: 7 }], 'sarif');
    const log = JSON.parse(text);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results[0].locations[0].physicalLocation.region).toEqual({ startLine: 4, startColumn: 7 });
  });
});
