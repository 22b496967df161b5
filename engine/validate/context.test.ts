import { describe, expect, it } from 'vitest';
import { readablePath } from './context.js';

describe('readablePath', () => {
  it.each([
    ['', ''],
    ['/spec/tasks/2/input/userId', 'spec.tasks[2].input.userId'],
    ['/spec/tasks/0/input/a.b', 'spec.tasks[0].input["a.b"]'],
    ['/spec/http/headers/X-Trace', 'spec.http.headers.X-Trace'],
    ['/spec/output/a~1b', 'spec.output["a/b"]'],
  ])('%j reads as %j', (pointer, text) => {
    expect(readablePath(pointer)).toBe(text);
  });
});
