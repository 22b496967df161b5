import { describe, expect, it } from 'vitest';
import { main } from './main.js';

/** Runs `weft ARGS` in-process and collects what it writes. */
async function weft(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'weft', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('main', () => {
  it('prints the package version and exits 0', async () => {
    const r = await weft('--version');
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('maps commander errors (a bad choice, a missing argument) to exit 2', async () => {
    expect((await weft('validate', '--format', 'xml', 'fixtures/examples')).code).toBe(2);
    const missing = await weft('validate');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'paths'");
  });

  it('prints a usage error with its hint and exits 2', async () => {
    const r = await weft('run', 'fixtures/examples/workflows/order-chain.yaml', '--input', '[');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^weft: --input is not valid JSON: .+\n {2}hint: /);
  });

  it('returns the exit code a command sets: 1 when validation finds errors', async () => {
    const r = await weft('validate', 'fixtures/roadmap/07-stage20-triggers.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/1 error, 1 warning in 1 file\n$/);
  });
});
