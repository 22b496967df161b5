import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, parseJsonFlag, parsePort, requireExisting, UsageError } from './usage.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-usage-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('parseJsonFlag', () => {
  it('parses the JSON given inline', async () => {
    expect(await parseJsonFlag('--input', '{"userId":"7","n":[1,2]}')).toEqual({ userId: '7', n: [1, 2] });
  });

  it('reads the JSON of @file', async () => {
    await writeFile(join(dir, 'input.json'), '{"orderId": "ord-1-1"}');
    expect(await parseJsonFlag('--input', `@${join(dir, 'input.json')}`)).toEqual({ orderId: 'ord-1-1' });
  });

  it('names the flag and the parse error, and says how to quote, for bad JSON', async () => {
    const err: any = await parseJsonFlag('--input', "{userId: '7'}").catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/^--input is not valid JSON: /);
    expect(err.hint).toBe(`Quote it for the shell, e.g. --input '{"userId": "7"}', or pass --input @file.json.`);
  });

  it('names the file it cannot read', async () => {
    await expect(parseJsonFlag('--input', '@nope.json')).rejects.toThrow('--input @nope.json: cannot read nope.json: ENOENT');
  });
});

describe('parsePort', () => {
  it('accepts 0 to 65535 as numbers or digit strings', () => {
    expect([parsePort('0', 'p'), parsePort(' 8080 ', 'p'), parsePort(65535, 'p')]).toEqual([0, 8080, 65535]);
  });

  it('rejects anything else, naming the source', () => {
    for (const bad of ['-1', '65536', '80a', '', 1.5]) expect(() => parsePort(bad, '--port')).toThrow(/^--port is .*, not a port \(0\.\.65535\)$/);
  });
});

describe('requireExisting', () => {
  it('names the first path that does not exist', async () => {
    await expect(requireExisting([dir, join(dir, 'missing')], 'Path')).rejects.toThrow(`Path '${join(dir, 'missing')}' does not exist`);
    await expect(requireExisting([dir], 'Path')).resolves.toBeUndefined();
  });
});

describe('collect', () => {
  it('gathers a repeated option in order', () => {
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });
});
