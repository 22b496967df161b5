import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { listYamlFiles } from '../../engine/load/index.js';
import { parseYaml } from '../../engine/load/yaml.js';
import { KINDS } from '../../engine/model/types.js';
import { isPlainObject, objectKey, type Inventory, type KubeObject } from '../model.js';
import type { ObjectType, SyncTarget, TargetEvent, WriteResult } from './target.js';

const ENGINE_GROUPS = ['workflow.io/v1', 'workflow.example.com/v1'];

/**
 * A running Weft engine, through the definitions directory it watches (`weft serve --definitions DIR`
 * reloads when a file changes). One file per object, `<namespace>/<Kind>-<name>.yaml`, written
 * atomically (a temporary file renamed into place); the inventory is `.weft-sync/<application>.json`
 * and events go to `.weft-sync/<application>.events.jsonl`, both outside what the engine loads.
 * @example new DefinitionsDirectoryTarget('/var/lib/weft/definitions')
 */
export class DefinitionsDirectoryTarget implements SyncTarget {
  readonly writeMode = 'replace' as const;
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = `engine definitions directory ${dir}`;
  }

  async list(types: readonly ObjectType[], namespace?: string): Promise<KubeObject[]> {
    await mkdir(this.dir, { recursive: true });
    const files = await listYamlFiles([this.dir]);
    const wanted = new Set(types.map((t) => t.kind));
    const out: KubeObject[] = [];
    for (const file of files) {
      const parsed = parseYaml(await readFile(file, 'utf8'), file);
      for (const d of parsed.documents) {
        const v = d.value;
        if (!isPlainObject(v) || !isPlainObject(v.metadata) || typeof v.kind !== 'string' || !wanted.has(v.kind)) continue;
        const o = v as KubeObject;
        if (namespace && (o.metadata.namespace || 'default') !== namespace) continue;
        out.push(o);
      }
    }
    return out;
  }

  async apply(objects: readonly KubeObject[]): Promise<WriteResult[]> {
    const out: WriteResult[] = [];
    for (const o of objects) {
      const key = objectKey(o);
      if (!ENGINE_GROUPS.includes(o.apiVersion) || !(KINDS as readonly string[]).includes(o.kind)) {
        out.push({ key, ok: false, error: `The engine holds only ${KINDS.join(' and ')} (workflow.io/v1); ${o.kind} ${o.apiVersion} cannot be applied to it` });
        continue;
      }
      const file = this.fileOf(o);
      await mkdir(join(file, '..'), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, stringify(o, { lineWidth: 0 }));
      await rename(tmp, file);
      out.push({ key, ok: true });
    }
    return out;
  }

  async delete(objects: readonly KubeObject[]): Promise<WriteResult[]> {
    const out: WriteResult[] = [];
    for (const o of objects) {
      await rm(this.fileOf(o), { force: true });
      out.push({ key: objectKey(o), ok: true });
    }
    return out;
  }

  async readInventory(application: string): Promise<Inventory> {
    try {
      return new Map(Object.entries(JSON.parse(await readFile(this.stateFile(application, 'json'), 'utf8')) as Record<string, string>));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw err;
    }
  }

  async writeInventory(application: string, inventory: Inventory): Promise<void> {
    const file = this.stateFile(application, 'json');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(Object.fromEntries([...inventory].sort(([a], [b]) => (a < b ? -1 : 1))), null, 1));
    await rename(`${file}.tmp`, file);
  }

  async recordEvent(application: string, event: TargetEvent): Promise<void> {
    const file = this.stateFile(application, 'events.jsonl');
    await mkdir(join(file, '..'), { recursive: true });
    const about = event.object ? objectKey(event.object) : undefined;
    await writeFile(file, JSON.stringify({ at: new Date().toISOString(), type: event.type, reason: event.reason, message: event.message, ...(about ? { object: about } : {}) }) + '\n', { flag: 'a' });
  }

  private fileOf(o: KubeObject): string {
    return join(this.dir, o.metadata.namespace || 'default', `${o.kind}-${o.metadata.name}.yaml`);
  }

  private stateFile(application: string, ext: string): string {
    return join(this.dir, '.weft-sync', `${application}.${ext}`);
  }
}
