import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig, readConfigFile, resolveConfig, withDefaultOrigins, type ConfigFile } from './config.js';
import { UsageError } from './usage.js';

const file = (data: Record<string, unknown>): ConfigFile => ({ path: '/etc/weft/weft.yaml', data });

describe('resolveConfig', () => {
  it('uses the defaults when nothing is set: examples, 127.0.0.1:8080, demo API on 8090', () => {
    expect(resolveConfig({})).toEqual({
      definitions: ['./fixtures/examples'],
      definitionsGiven: false,
      host: '127.0.0.1',
      port: 8080,
      origins: [],
      withDemoApi: false,
      demoApiPort: 8090,
    });
  });

  it('takes flags over WEFT_* environment over weft.yaml over defaults', () => {
    const cfg = file({ server: { host: '0.0.0.0', port: 7000 }, demoApi: { enabled: true, port: 7001 } });
    expect(resolveConfig({}, {}, cfg)).toMatchObject({ host: '0.0.0.0', port: 7000, withDemoApi: true, demoApiPort: 7001 });
    expect(resolveConfig({}, { WEFT_PORT: '7100', WEFT_WITH_DEMO_API: 'false' }, cfg)).toMatchObject({ host: '0.0.0.0', port: 7100, withDemoApi: false });
    expect(resolveConfig({ port: '7200', withDemoApi: true }, { WEFT_PORT: '7100', WEFT_WITH_DEMO_API: 'false' }, cfg)).toMatchObject({ port: 7200, withDemoApi: true });
  });

  it('replaces the definition directories with the highest source that sets them', () => {
    expect(resolveConfig({}, {}, file({ definitions: ['defs'] })).definitions).toEqual(['/etc/weft/defs']);
    expect(resolveConfig({}, { WEFT_DEFINITIONS: 'a, b' }, file({ definitions: 'defs' })).definitions).toEqual(['a', 'b']);
    expect(resolveConfig({ definitions: ['c'] }, { WEFT_DEFINITIONS: 'a,b' }).definitions).toEqual(['c']);
    expect(resolveConfig({ definitions: ['c'] }).definitionsGiven).toBe(true);
  });

  it('stacks origin aliases so that a later, higher source wins for the same origin', () => {
    const cfg = resolveConfig({ origin: ['http://orders=http://10.0.0.3:80'] }, { WEFT_ORIGINS: 'http://orders=http://10.0.0.2:80,http://users=http://10.0.0.9:80' }, file({ origins: { 'http://orders': 'http://10.0.0.1:80' } }));
    expect(withDefaultOrigins(cfg.origins)).toEqual([
      ...DEFAULTS.origins,
      'http://orders=http://10.0.0.1:80',
      'http://orders=http://10.0.0.2:80',
      'http://users=http://10.0.0.9:80',
      'http://orders=http://10.0.0.3:80',
    ]);
  });

  it('rejects a port that is not a number in range, naming where it came from', () => {
    expect(() => resolveConfig({ port: 'http' })).toThrow(new UsageError('--port is "http", not a port (0..65535)'));
    expect(() => resolveConfig({}, { WEFT_PORT: '70000' })).toThrow('WEFT_PORT is "70000", not a port');
    expect(() => resolveConfig({}, {}, file({ server: { port: 'x' } }))).toThrow('/etc/weft/weft.yaml server.port is "x"');
  });

  it('rejects an origin alias that is not FROM=TO', () => {
    expect(() => resolveConfig({ origin: ['http://demo-api'] })).toThrow("Origin alias 'http://demo-api' is not FROM=TO");
  });

  it('rejects unknown fields in a config section', () => {
    expect(() => resolveConfig({}, {}, file({ server: { prot: 1 } }))).toThrow("/etc/weft/weft.yaml server: unknown field 'prot'");
  });
});

describe('readConfigFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('returns nothing when there is no weft.yaml in the directory', async () => {
    expect(await readConfigFile(undefined, dir)).toBeUndefined();
  });

  it('reads weft.yaml from the directory', async () => {
    await writeFile(join(dir, 'weft.yaml'), 'server:\n  port: 9001\n');
    expect(await loadConfig({}, {}, dir)).toMatchObject({ port: 9001 });
  });

  it('fails for a named config file that does not exist', async () => {
    await expect(readConfigFile(join(dir, 'nope.yaml'), dir)).rejects.toThrow(/Cannot read config file .*nope\.yaml: ENOENT/);
  });

  it('fails for unknown top-level fields with the known ones as hint', async () => {
    await writeFile(join(dir, 'weft.yaml'), 'defintions: [a]\n');
    await expect(readConfigFile(undefined, dir)).rejects.toMatchObject({ message: expect.stringContaining("unknown field 'defintions'"), hint: 'Known fields: definitions, origins, server, demoApi.' });
  });
});
