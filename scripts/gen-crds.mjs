// Writes kustomize/base/crds/*.yaml from engine/model/schemas.ts: `node --import tsx scripts/gen-crds.mjs`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFiles } from '../controller/crd.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'kustomize', 'base', 'crds');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(crdFiles())) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote kustomize/base/crds/${name}`);
}
