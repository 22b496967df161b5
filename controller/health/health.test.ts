import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../model.js';
import { assessHealth } from './health.js';

const object = (status?: unknown, generation?: number): KubeObject => ({ apiVersion: 'workflow.io/v1', kind: 'WorkflowTask', metadata: { name: 'a', ...(generation ? { generation } : {}) }, ...(status ? { status } : {}) });

describe('assessHealth', () => {
  it('an object without status is Healthy', () => {
    expect(assessHealth(object())).toEqual({ status: 'Healthy' });
  });
  it('Ready=False is Degraded with its message', () => {
    expect(assessHealth(object({ conditions: [{ type: 'Ready', status: 'False', reason: 'CompileFailed', message: 'unknown task get-usr' }] }))).toEqual({ status: 'Degraded', message: 'unknown task get-usr' });
  });
  it('Ready=True is Healthy and Ready=Unknown is Unknown', () => {
    expect(assessHealth(object({ conditions: [{ type: 'Ready', status: 'True' }] })).status).toBe('Healthy');
    expect(assessHealth(object({ conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Pending' }] }))).toEqual({ status: 'Unknown', message: 'Pending' });
  });
  it('a status behind the generation is Progressing', () => {
    expect(assessHealth(object({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' }] }, 3)).status).toBe('Progressing');
  });
});
