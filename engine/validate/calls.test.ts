import { describe, expect, it } from 'vitest';
import type { WorkflowResource } from '../model/types.js';
import { matchesVersion, parseWorkflowRef } from './calls.js';

describe('parseWorkflowRef', () => {
  it.each([
    ['invoice', { name: 'invoice' }],
    ['invoice@v2', { name: 'invoice', version: 'v2' }],
    ['billing/invoice', { namespace: 'billing', name: 'invoice' }],
    ['billing/invoice@3f2a9c1', { namespace: 'billing', name: 'invoice', version: '3f2a9c1' }],
    ['@v2', { name: '@v2' }],
  ])('splits %s', (ref, parts) => {
    expect(parseWorkflowRef(ref)).toEqual(parts);
  });
});

describe('matchesVersion', () => {
  const wf = (annotations?: Record<string, string>) => ({ metadata: { name: 'w', namespace: 'default', annotations } }) as unknown as WorkflowResource;
  const hash = () => 'c6ae38e847a0e5849b169367e7ba481298d8a2c277823441bb6c9ac84a7e84b6';

  it('matches the workflow.io/version annotation exactly', () => {
    expect(matchesVersion(wf({ 'workflow.io/version': 'v2' }), 'v2', hash)).toBe(true);
    expect(matchesVersion(wf({ 'workflow.io/version': 'v2' }), 'V2', hash)).toBe(false);
  });

  it('matches a content-hash prefix of at least 7 characters, as the engine compares it', () => {
    expect(matchesVersion(wf(), 'c6ae38e', hash)).toBe(true);
    expect(matchesVersion(wf(), 'c6ae38', hash)).toBe(false);
    expect(matchesVersion(wf(), 'C6AE38E', hash)).toBe(false);
  });
});
