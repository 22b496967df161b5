import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../engine/model/ajv.js';
import { schemaProblems } from '../../engine/validate/schema.js';
import { crdFiles } from '../../controller/crd.js';

const root = join(import.meta.dirname, '..', '..');
const crdDir = join(root, 'kustomize', 'base', 'crds');

type Node = Record<string, any>;

/** Kubernetes structural-schema rules: every problem as `pointer: rule`. */
function structuralProblems(schema: Node, pointer = ''): string[] {
  const out: string[] = [];
  const special = schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-int-or-string'] === true;
  if (!schema.type && !special) out.push(`${pointer}: no type`);
  if (Array.isArray(schema.type)) out.push(`${pointer}: union type`);
  for (const k of ['$ref', 'const', 'definitions', '$defs', '$schema', 'oneOf', 'allOf', 'not']) if (k in schema) out.push(`${pointer}: ${k} is not allowed`);
  if (schema.properties && 'additionalProperties' in schema) out.push(`${pointer}: additionalProperties beside properties`);
  if (schema.anyOf) {
    const intOrString = schema['x-kubernetes-int-or-string'] === true && JSON.stringify(schema.anyOf) === JSON.stringify([{ type: 'integer' }, { type: 'string' }]);
    if (!intOrString) out.push(`${pointer}: anyOf outside the int-or-string form`);
  }
  if (schema.type === 'array' && !schema.items) out.push(`${pointer}: array without items`);
  for (const [k, v] of Object.entries(schema.properties ?? {})) out.push(...structuralProblems(v as Node, `${pointer}/properties/${k}`));
  if (schema.items) out.push(...structuralProblems(schema.items, `${pointer}/items`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.push(...structuralProblems(schema.additionalProperties, `${pointer}/additionalProperties`));
  return out;
}

function render(env: string): Node[] {
  const text = execFileSync('kubectl', ['kustomize', join(root, 'kustomize', 'overlays', env)], { encoding: 'utf8' });
  return parseAllDocuments(text).map((d) => d.toJS());
}

describe('kustomize/', () => {
  it('the committed CRDs equal a fresh generation from engine/model/schemas.ts (run scripts/gen-crds.mjs)', () => {
    const fresh = crdFiles();
    expect(readdirSync(crdDir).sort()).toEqual(Object.keys(fresh).sort());
    for (const [name, text] of Object.entries(fresh)) expect(readFileSync(join(crdDir, name), 'utf8'), name).toBe(text);
  });

  it('the CRD schemas are structural: types everywhere, no $ref or additionalProperties beside properties', () => {
    for (const text of Object.values(crdFiles())) {
      const crd = parseAllDocuments(text)[0].toJS();
      const schema = crd.spec.versions[0].schema.openAPIV3Schema;
      expect(structuralProblems(schema)).toEqual([]);
      expect(Object.keys(schema.properties.metadata)).toEqual(['type']);
    }
  });

  it('a recursive step is inlined two levels deep, then kept as preserved unknown fields', () => {
    const crd = parseAllDocuments(crdFiles()['workflows.yaml'])[0].toJS();
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    const level1 = spec.properties.tasks.items;
    const level2 = level1.properties.tasks.items;
    expect(level1.properties.taskRef).toEqual({ type: 'string', minLength: 1 });
    expect(level2.properties.taskRef).toEqual({ type: 'string', minLength: 1 });
    expect(level2.properties.tasks.items).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  });

  for (const [env, replicas] of [['dev', 1], ['staging', 2], ['production', 3]] as const) {
    it(`overlays/${env} renders; its CRDs and custom resources validate against our schemas`, () => {
      const docs = render(env);
      const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
      expect(crds.map((c) => c.metadata.name).sort()).toEqual(['workflows.workflow.io', 'workflowtasks.workflow.io']);
      const ajv = createAjv();
      const byKind = new Map(crds.map((c) => [c.spec.names.kind, ajv.compile(c.spec.versions[0].schema.openAPIV3Schema)]));
      const custom = docs.filter((d) => d.apiVersion === 'workflow.io/v1');
      for (const cr of custom) {
        const validate = byKind.get(cr.kind)!;
        expect(validate(cr), `${cr.kind}/${cr.metadata.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(schemaProblems(cr.kind, cr)).toEqual([]);
      }
      const engine = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'weft-engine')!;
      expect(engine.spec.replicas).toBe(replicas);
      const env_ = engine.spec.template.spec.containers[0].env.find((e: Node) => e.name === 'WEFT_DATABASE_URL');
      if (env === 'dev') {
        expect(env_).toBeUndefined();
        expect(custom.map((c) => c.kind).sort()).toEqual(['Workflow', 'WorkflowTask']);
      } else expect(env_.valueFrom.secretKeyRef).toEqual({ name: 'weft-database', key: 'url' });
    });
  }

  it('RBAC grants the controller only Weft kinds, its inventory ConfigMaps and Event creation', () => {
    const docs = render('production');
    const rules = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!.rules;
    expect(rules('ClusterRole', 'weft-controller')).toEqual([
      { apiGroups: ['workflow.io'], resources: ['workflowtasks', 'workflows'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    expect(rules('Role', 'weft-controller-inventory')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }]);
    expect(rules('ClusterRole', 'weft-engine')).toEqual([{ apiGroups: ['workflow.io'], resources: ['workflowtasks', 'workflows'], verbs: ['get', 'list', 'watch'] }]);
    const all = docs.filter((d) => /Role$/.test(d.kind)).flatMap((d) => d.rules);
    expect(all.some((r: Node) => r.resources.includes('secrets') || r.verbs.includes('*'))).toBe(false);
  });
});
