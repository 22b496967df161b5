import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { crdDefaulter } from '../crd.js';
import { objectKey, type IgnoreRule, type KubeObject, type SyncPolicy } from '../model.js';
import { assess, markManaged } from '../sync/assess.js';
import { applyPayload } from './ignore.js';
import { diffResources } from './diff.js';

const root = join(import.meta.dirname, 'testdata');

interface Case {
  policy: SyncPolicy;
  inventory?: string[];
  inventoryStale?: string[];
  ignore?: IgnoreRule[];
  defaults?: 'crd';
  trigger?: 'auto' | 'manual';
}

function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .filter((v) => v !== null);
}

describe('drift fixtures (controller/diff/testdata/<case>)', () => {
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    it(`${name}: report and plan match expected.json`, () => {
      const c = parse(readFileSync(join(dir, 'case.yaml'), 'utf8')) as Case;
      const desired = readObjects(join(dir, 'desired.yaml'));
      const live = readObjects(join(dir, 'live.yaml'));
      const defaults = c.defaults === 'crd' ? crdDefaulter() : undefined;
      // The inventory records the hash of the desired object Weft applied: the current one, or an older one.
      const current = diffResources(markManaged(desired), [], { defaults }).desiredHash;
      const inventory = new Map<string, string>();
      for (const key of c.inventory ?? []) inventory.set(key, current.get(key) ?? `applied-earlier:${key}`);
      for (const key of c.inventoryStale ?? []) inventory.set(key, `applied-earlier:${key}`);
      const { comparison, plan } = assess(desired, live, { policy: c.policy, inventory, ignore: c.ignore, defaults, trigger: c.trigger });
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
      expect(comparison.report).toEqual(expected.report);
      expect({
        apply: plan.apply.map((a) => ({ key: a.key, reason: a.reason })),
        prune: plan.prune.map((p) => p.key),
        skipped: plan.skipped.map((s) => s.key),
        refused: plan.refused?.code ?? null,
      }).toEqual(expected.plan);
      if (expected.applyPayloads) {
        for (const [key, payload] of Object.entries(expected.applyPayloads)) {
          const object = comparison.desired.get(key)!;
          expect(objectKey(object)).toBe(key);
          expect(applyPayload(object, comparison.live.get(key), c.ignore ?? [])).toEqual(payload);
        }
      }
    });
  }
});
