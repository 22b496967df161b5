import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globToRegExp, pathSelector, selectFiles, splitPatterns } from './paths.js';

describe('globToRegExp', () => {
  it('** crosses folders, * and ? stay inside one', () => {
    expect(globToRegExp('defs/**/*.yaml').test('defs/a.yaml')).toBe(true);
    expect(globToRegExp('defs/**/*.yaml').test('defs/x/y/a.yaml')).toBe(true);
    expect(globToRegExp('defs/*.yaml').test('defs/x/a.yaml')).toBe(false);
    expect(globToRegExp('a?.yml').test('ab.yml')).toBe(true);
    expect(globToRegExp('a.yml').test('aXyml')).toBe(false);
  });
});

describe('pathSelector', () => {
  it('selects everything under a plain directory, YAML only', () => {
    const select = pathSelector(['defs/']);
    expect(['defs/a.yaml', 'defs/x/b.yml', 'defs/readme.md', 'defsx/a.yaml'].filter(select)).toEqual(['defs/a.yaml', 'defs/x/b.yml']);
  });

  it('by default skips hidden, node_modules, dist and build folders', () => {
    const select = pathSelector([]);
    expect(['a.yaml', '.github/workflows/ci.yml', 'node_modules/x/a.yaml', 'dist/a.yaml', 'x/build/a.yaml', 'x/y.yaml'].filter(select)).toEqual(['a.yaml', 'x/y.yaml']);
  });
});

describe('splitPatterns', () => {
  it('splits on commas and newlines and drops blanks', () => {
    expect(splitPatterns(' a/**/*.yaml, b \n\n c ')).toEqual(['a/**/*.yaml', 'b', 'c']);
  });
});

describe('selectFiles', () => {
  it('lists the files a glob selects under a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-paths-'));
    try {
      mkdirSync(join(dir, 'defs/sub'), { recursive: true });
      for (const f of ['defs/a.yaml', 'defs/sub/b.yaml', 'defs/c.txt', 'top.yaml']) writeFileSync(join(dir, f), 'a: 1\n');
      expect(await selectFiles(['defs/**/*.yaml'], dir)).toEqual([join(dir, 'defs/a.yaml'), join(dir, 'defs/sub/b.yaml')]);
      expect(await selectFiles(['missing/**'], dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
