import { describe, expect, it } from 'vitest';
import { parsePrefer } from './context.js';

describe('parsePrefer', () => {
  it('finds respond-async and return=minimal among other preferences, whatever the case and spacing', () => {
    expect(parsePrefer('return=minimal, respond-async; wait=5')).toEqual({ respondAsync: true, returnMinimal: true });
    expect(parsePrefer('  RESPOND-ASYNC ')).toEqual({ respondAsync: true, returnMinimal: false });
    expect(parsePrefer('Return = "Minimal"')).toEqual({ respondAsync: false, returnMinimal: true });
    expect(parsePrefer('handling=strict,return=minimal')).toEqual({ respondAsync: false, returnMinimal: true });
  });

  it('ignores what it does not honour', () => {
    const none = { respondAsync: false, returnMinimal: false };
    expect(parsePrefer(undefined)).toEqual(none);
    expect(parsePrefer('')).toEqual(none);
    expect(parsePrefer('return=representation')).toEqual(none);
    expect(parsePrefer('respond-asynchronously, return-minimal')).toEqual(none);
    expect(parsePrefer('wait=10; respond-async')).toEqual(none);
    expect(parsePrefer('return')).toEqual(none);
  });
});
