import { expect, it } from 'vitest';
import { describeWithService } from '../../services.js';

// A suite whose service is always reported down, to show what skipping looks like.
await describeWithService(
  'redis',
  'Fake broker suite',
  () => {
    it('runs only when Redis answers', () => expect(true).toBe(true));
  },
  { available: async () => false },
);

it('a suite without a service still runs', () => expect(1 + 1).toBe(2));
