import { describe, expect, it, vi } from 'vitest';
import { batchedStdout, jsonLogger } from './log.js';

describe('jsonLogger', () => {
  it('writes one JSON line per entry with time and level first', () => {
    const lines: string[] = [];
    jsonLogger((l) => lines.push(l))({ msg: 'request', status: 200 });
    const entry = JSON.parse(lines[0]);
    expect(Object.keys(entry)).toEqual(['time', 'level', 'msg', 'status']);
    expect(entry).toMatchObject({ level: 'info', msg: 'request', status: 200 });
    expect(lines[0].endsWith('\n')).toBe(true);
  });
});

describe('batchedStdout', () => {
  it('writes the lines of one event-loop turn in one write', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const out = batchedStdout();
      out('a\n');
      out('b\n');
      expect(write).not.toHaveBeenCalled();
      await new Promise((r) => setImmediate(r));
      expect(write.mock.calls).toEqual([['a\nb\n']]);
    } finally {
      write.mockRestore();
    }
  });
});
