import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import { canonicalJson } from '../../engine/model/canonical.js';
import { createAjv, type ValidateFunction } from '../../engine/model/ajv.js';
import { toPointer, pointerSegments } from '../../engine/load/yaml.js';

/**
 * An in-process Kubernetes API server for tests: node:http on 127.0.0.1, port 0, spoken to by
 * `@kubernetes/client-node` over real HTTP. It keeps Kubernetes semantics for what the controller
 * uses: discovery, resourceVersion (global, bumped on every write, not on no-op writes), 409 on
 * a stale resourceVersion or an existing name, watch (a chunked stream of JSON lines, 410 Gone
 * for a resourceVersion older than its history), label selectors and paginated lists, server-side
 * apply with field ownership per manager (managedFields, FieldsV1; conflicts without force),
 * CRD schema validation (422) and defaulting. Kinds: the CRDs given, ConfigMaps and Events.
 */

export interface KubeObj {
  apiVersion: string;
  kind: string;
  metadata: Record<string, any> & { name: string; namespace?: string };
  [k: string]: any;
}

interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  validate?: ValidateFunction;
}

interface Stored {
  object: KubeObj;
  /** manager -> operation -> owned field pointers */
  owners: Map<string, { operation: 'Apply' | 'Update'; fields: Set<string>; time: string }>;
}

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  typeKey: string;
  namespace: string;
  object: KubeObj;
}

export interface KubeApiServer {
  url: string;
  /** A KubeConfig whose current context points at this server. */
  kubeConfig(): KubeConfig;
  /** The stored object (a copy), or undefined. */
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObj | undefined;
  /** Every stored object of a kind (copies). */
  list(apiVersion: string, kind: string): KubeObj[];
  /** Writes as another client would (an Update by `manager`, e.g. `kubectl-edit`). */
  update(object: KubeObj, manager?: string): KubeObj;
  /** Writes the status subresource, as the object's own controller would. */
  setStatus(apiVersion: string, kind: string, namespace: string, name: string, status: unknown): void;
  /** Deletes as another client would. */
  remove(apiVersion: string, kind: string, namespace: string, name: string): void;
  /** Requests seen, `METHOD path?query`. */
  requests: string[];
  close(): Promise<void>;
}

const CORE: ResourceType[] = [
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
];
const HISTORY = 10_000;

/** Starts the server. `crds` are CustomResourceDefinition objects (e.g. from `generateCrds()`). */
export async function startKubeApiServer(options: { crds?: KubeObj[] } = {}): Promise<KubeApiServer> {
  const types: ResourceType[] = [...CORE];
  for (const crd of options.crds ?? []) {
    for (const v of crd.spec.versions) {
      types.push({
        group: crd.spec.group,
        version: v.name,
        plural: crd.spec.names.plural,
        kind: crd.spec.names.kind,
        namespaced: crd.spec.scope === 'Namespaced',
        validate: compileCached(v.schema.openAPIV3Schema),
      });
    }
  }
  const store = new Map<string, Stored>();
  const events: WatchEvent[] = [];
  const watchers = new Set<{ typeKey: string; namespace?: string; selector: Selector; res: ServerResponse }>();
  const requests: string[] = [];
  let rv = 1;

  const typeKeyOf = (t: ResourceType) => `${t.group}/${t.version}/${t.plural}`;
  const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);
  const byKind = (apiVersion: string, kind: string) => types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  const storeKey = (t: ResourceType, ns: string, name: string) => `${typeKeyOf(t)}/${ns}/${name}`;

  function emit(type: WatchEvent['type'], t: ResourceType, object: KubeObj): void {
    const ev: WatchEvent = { rv: Number(object.metadata.resourceVersion), type, typeKey: typeKeyOf(t), namespace: object.metadata.namespace ?? '', object: clone(object) };
    events.push(ev);
    if (events.length > HISTORY) events.shift();
    for (const w of watchers) if (matchesWatch(w, ev)) w.res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
  }

  function matchesWatch(w: { typeKey: string; namespace?: string; selector: Selector }, ev: WatchEvent): boolean {
    return w.typeKey === ev.typeKey && (!w.namespace || w.namespace === ev.namespace) && w.selector(ev.object.metadata.labels ?? {});
  }

  /** Validates, defaults and stores; returns the stored object or a Status error. */
  function persist(t: ResourceType, ns: string, next: KubeObj, owners: Stored['owners'], previous?: Stored): { object?: KubeObj; error?: StatusError } {
    next.apiVersion = apiVersionOf(t);
    next.kind = t.kind;
    next.metadata.namespace = ns;
    const validate = t.validate as ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] } | undefined;
    if (validate && !validate(next)) {
      const causes = (validate.errors ?? []).map((e) => ({ reason: 'FieldValueInvalid', message: `${e.instancePath || '/'} ${e.message}`, field: e.instancePath.replace(/\//g, '.') }));
      return { error: statusError(422, 'Invalid', `${t.kind} "${next.metadata.name}" is invalid: ${causes.map((c) => c.message).join('; ')}`, { name: next.metadata.name, kind: t.kind, causes }) };
    }
    if (previous) {
      const bare = (o: KubeObj) => canonicalJson({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
      const ownership = (ow: Stored['owners']) => canonicalJson([...ow].map(([m, e]) => [m, e.operation, [...e.fields].sort()]).sort());
      if (bare(previous.object) === bare(next) && ownership(previous.owners) === ownership(owners)) return { object: clone(previous.object) };
      next.metadata.uid = previous.object.metadata.uid;
      next.metadata.creationTimestamp = previous.object.metadata.creationTimestamp;
      const specChanged = canonicalJson(previous.object.spec ?? null) !== canonicalJson(next.spec ?? null);
      next.metadata.generation = (previous.object.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    } else {
      next.metadata.uid = randomUUID();
      next.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      next.metadata.generation = 1;
    }
    next.metadata.managedFields = managedFields(owners, apiVersionOf(t));
    next.metadata.resourceVersion = String(++rv);
    store.set(storeKey(t, ns, next.metadata.name), { object: next, owners });
    emit(previous ? 'MODIFIED' : 'ADDED', t, next);
    return { object: clone(next) };
  }

  function applyUpdate(t: ResourceType, ns: string, incoming: KubeObj, manager: string, opts: { create: boolean; precondition?: string }): { status: number; object?: KubeObj; error?: StatusError } {
    const name = incoming.metadata?.name;
    if (!name) return { status: 422, error: statusError(422, 'Invalid', 'metadata.name: Required value', { kind: t.kind }) };
    const existing = store.get(storeKey(t, ns, name));
    if (opts.create && existing) return { status: 409, error: statusError(409, 'AlreadyExists', `${t.plural}.${t.group || 'core'} "${name}" already exists`, { name, kind: t.plural }) };
    if (!opts.create && !existing) return { status: 404, error: notFound(t, name) };
    if (existing && opts.precondition && opts.precondition !== existing.object.metadata.resourceVersion) {
      return { status: 409, error: statusError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural}.${t.group || 'core'} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: t.plural }) };
    }
    const next = stripServerFields(clone(incoming));
    if (existing) next.status = existing.object.status;
    const owners = existing ? cloneOwners(existing.owners) : new Map();
    const changed = existing ? changedFields(existing.object, next) : fieldSet(next);
    for (const [m, entry] of owners) {
      for (const f of changed) entry.fields.delete(f);
      for (const f of [...entry.fields]) if (getAt(next, f) === undefined) entry.fields.delete(f);
      if (!entry.fields.size) owners.delete(m);
    }
    const mine = owners.get(manager) ?? { operation: 'Update' as const, fields: new Set<string>(), time: now() };
    for (const f of changed) if (getAt(next, f) !== undefined) mine.fields.add(f);
    mine.time = now();
    if (mine.fields.size) owners.set(manager, mine);
    const r = persist(t, ns, next, owners, existing);
    return r.error ? { status: r.error.code, error: r.error } : { status: existing ? 200 : 201, object: r.object };
  }

  function serverSideApply(t: ResourceType, ns: string, name: string, applied: KubeObj, manager: string, force: boolean): { status: number; object?: KubeObj; error?: StatusError } {
    if (!manager) return { status: 400, error: statusError(400, 'BadRequest', 'PATCH with application/apply-patch+yaml requires fieldManager', {}) };
    if (applied.metadata?.name && applied.metadata.name !== name) return { status: 400, error: statusError(400, 'BadRequest', 'the name of the object does not match the name on the URL', { name }) };
    applied.metadata = { ...(applied.metadata ?? {}), name };
    const existing = store.get(storeKey(t, ns, name));
    const desired = stripServerFields(clone(applied));
    delete desired.status;
    const fields = fieldSet(desired);
    const owners = existing ? cloneOwners(existing.owners) : new Map<string, Stored['owners'] extends Map<string, infer V> ? V : never>();
    const current = existing ? clone(existing.object) : ({ apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name } } as KubeObj);
    const conflicts: Array<{ manager: string; field: string }> = [];
    for (const [m, entry] of owners) {
      if (m === manager && entry.operation === 'Apply') continue;
      for (const f of fields) {
        if (entry.fields.has(f) && canonicalJson(getAt(current, f) ?? null) !== canonicalJson(getAt(desired, f) ?? null)) conflicts.push({ manager: m, field: f });
      }
    }
    if (conflicts.length && !force) {
      const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: pointerToPath(c.field) }));
      return {
        status: 409,
        error: statusError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${causes.map((c) => `${c.message}: ${c.field}`).join(', ')}`, { name, kind: t.plural, causes }),
      };
    }
    const previousMine = owners.get(manager)?.operation === 'Apply' ? owners.get(manager)!.fields : new Set<string>();
    for (const [m, entry] of owners) {
      if (m === manager) continue;
      for (const c of conflicts) if (c.manager === m) entry.fields.delete(c.field);
      if (!entry.fields.size) owners.delete(m);
    }
    // Fields this manager applied before and applies no longer are removed unless someone else owns them.
    for (const f of previousMine) {
      if (fields.has(f)) continue;
      const ownedElsewhere = [...owners].some(([m, e]) => m !== manager && e.fields.has(f));
      if (!ownedElsewhere) deleteAt(current, f);
    }
    for (const f of fields) setAt(current, f, clone(getAt(desired, f)));
    owners.set(manager, { operation: 'Apply', fields, time: now() });
    const r = persist(t, ns, current, owners, existing);
    return r.error ? { status: r.error.code, error: r.error } : { status: existing ? 200 : 201, object: r.object };
  }

  /** The status subresource: only `status` changes; spec, metadata and generation stay. */
  function writeStatus(t: ResourceType, ns: string, name: string, status: unknown): { object?: KubeObj; error?: StatusError } {
    const existing = store.get(storeKey(t, ns, name));
    if (!existing) return { error: notFound(t, name) };
    const next = clone(existing.object);
    next.status = status;
    next.metadata.resourceVersion = String(++rv);
    store.set(storeKey(t, ns, name), { object: next, owners: existing.owners });
    emit('MODIFIED', t, next);
    return { object: clone(next) };
  }

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url!, 'http://x');
    const q = url.searchParams;
    const p = url.pathname.replace(/\/$/, '');
    const method = req.method!;
    if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') {
      const groups = [...new Set(types.filter((t) => t.group).map((t) => t.group))].map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } }));
      return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?(?:\/(status))?$/.exec(p);
    if (!m) return send(res, 404, notFound(undefined, p));
    const group = m[2] ?? '';
    const version = m[1] ?? m[3];
    const [ns, plural, name, subresource] = [m[4], m[5], m[6], m[7]];
    if (!plural) {
      const list = types.filter((t) => t.group === group && t.version === version);
      if (!list.length) return send(res, 404, notFound(undefined, p));
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: list.map((t) => ({ name: t.plural, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] })),
      });
    }
    const t = types.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!t) return send(res, 404, notFound(undefined, p));
    const namespace = ns ?? '';
    if (!name) {
      if (method === 'GET' && q.get('watch') === 'true') return watch(t, ns, q, res);
      if (method === 'GET') return list(t, ns, q, res);
      if (method === 'POST') {
        const obj = parseBody(body, req.headers['content-type']);
        if (!obj) return send(res, 400, statusError(400, 'BadRequest', 'the request body is not a JSON or YAML object', {}));
        const r = applyUpdate(t, namespace || obj.metadata?.namespace || 'default', obj, q.get('fieldManager') ?? managerFromAgent(req), { create: true });
        return send(res, r.status, r.error ?? r.object);
      }
      return send(res, 405, statusError(405, 'MethodNotAllowed', `${method} is not allowed on a collection`, {}));
    }
    const key = storeKey(t, namespace, name);
    if (subresource === 'status') {
      if (method !== 'PUT') return send(res, 405, statusError(405, 'MethodNotAllowed', `${method} is not allowed on status`, {}));
      const obj = parseBody(body, req.headers['content-type']);
      const r = obj ? writeStatus(t, namespace, name, obj.status) : undefined;
      if (!obj) return send(res, 400, statusError(400, 'BadRequest', 'the request body is not a JSON object', {}));
      return send(res, r!.error ? r!.error.code : 200, r!.error ?? r!.object);
    }
    if (method === 'GET') {
      const s = store.get(key);
      return s ? send(res, 200, s.object) : send(res, 404, notFound(t, name));
    }
    if (method === 'DELETE') {
      const s = store.get(key);
      if (!s) return send(res, 404, notFound(t, name));
      store.delete(key);
      const gone = clone(s.object);
      gone.metadata.resourceVersion = String(++rv);
      emit('DELETED', t, gone);
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: t.plural, uid: gone.metadata.uid } });
    }
    const obj = parseBody(body, req.headers['content-type']);
    if (!obj) return send(res, 400, statusError(400, 'BadRequest', 'the request body is not a JSON or YAML object', {}));
    if (method === 'PUT') {
      if (obj.metadata?.name !== name) return send(res, 400, statusError(400, 'BadRequest', 'the name of the object does not match the name on the URL', { name }));
      const r = applyUpdate(t, namespace, obj, q.get('fieldManager') ?? managerFromAgent(req), { create: false, precondition: obj.metadata?.resourceVersion });
      return send(res, r.status, r.error ?? r.object);
    }
    if (method === 'PATCH') {
      const ct = String(req.headers['content-type'] ?? '').split(';')[0];
      if (ct === 'application/apply-patch+yaml') {
        const r = serverSideApply(t, namespace, name, obj, q.get('fieldManager') ?? '', q.get('force') === 'true');
        return send(res, r.status, r.error ?? r.object);
      }
      if (ct === 'application/merge-patch+json') {
        const s = store.get(key);
        if (!s) return send(res, 404, notFound(t, name));
        const merged = mergePatch(clone(s.object), obj) as KubeObj;
        const r = applyUpdate(t, namespace, merged, q.get('fieldManager') ?? managerFromAgent(req), { create: false, precondition: obj.metadata?.resourceVersion });
        return send(res, r.status, r.error ?? r.object);
      }
      return send(res, 415, statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${ct}); use application/apply-patch+yaml or application/merge-patch+json`, {}));
    }
    return send(res, 405, statusError(405, 'MethodNotAllowed', `${method} is not allowed`, {}));
  }

  function list(t: ResourceType, ns: string | undefined, q: URLSearchParams, res: ServerResponse): void {
    const selector = parseSelector(q.get('labelSelector'));
    const prefix = ns ? `${typeKeyOf(t)}/${ns}/` : `${typeKeyOf(t)}/`;
    const keys = [...store.keys()].filter((k) => k.startsWith(prefix)).sort();
    const after = q.get('continue') ? Buffer.from(q.get('continue')!, 'base64url').toString() : '';
    const limit = Number(q.get('limit') ?? 0);
    const items: KubeObj[] = [];
    let next: string | undefined;
    for (const k of keys) {
      if (after && k <= after) continue;
      const o = store.get(k)!.object;
      if (!selector(o.metadata.labels ?? {})) continue;
      if (limit && items.length === limit) {
        next = Buffer.from(keyOfLast(items, t)).toString('base64url');
        break;
      }
      items.push(o);
    }
    send(res, 200, { apiVersion: apiVersionOf(t), kind: `${t.kind}List`, metadata: { resourceVersion: String(rv), ...(next ? { continue: next } : {}) }, items });
  }

  function keyOfLast(items: KubeObj[], t: ResourceType): string {
    const last = items[items.length - 1];
    return storeKey(t, last.metadata.namespace ?? '', last.metadata.name);
  }

  function watch(t: ResourceType, ns: string | undefined, q: URLSearchParams, res: ServerResponse): void {
    const selector = parseSelector(q.get('labelSelector'));
    const w = { typeKey: typeKeyOf(t), namespace: ns, selector, res };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = q.get('resourceVersion');
    if (from && from !== '0') {
      const since = Number(from);
      if (events.length && events[0].rv > since + 1 && since < rv) {
        res.end(JSON.stringify({ type: 'ERROR', object: statusError(410, 'Expired', `too old resource version: ${since} (${events[0].rv - 1})`, {}) }) + '\n');
        return;
      }
      for (const ev of events) if (ev.rv > since && matchesWatch(w, ev)) res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
    } else {
      const prefix = ns ? `${typeKeyOf(t)}/${ns}/` : `${typeKeyOf(t)}/`;
      for (const [k, s] of store) if (k.startsWith(prefix) && selector(s.object.metadata.labels ?? {})) res.write(JSON.stringify({ type: 'ADDED', object: s.object }) + '\n');
    }
    watchers.add(w);
    res.on('close', () => watchers.delete(w));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      try {
        route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        send(res, 500, statusError(500, 'InternalError', (err as Error).message, {}));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const need = (apiVersion: string, kind: string) => {
    const t = byKind(apiVersion, kind);
    if (!t) throw new Error(`kube-apiserver: unknown kind ${apiVersion} ${kind}`);
    return t;
  };
  return {
    url,
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
        users: [{ name: 'test' }],
        contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace: 'default' }],
        currentContext: 'test',
      });
      return kc;
    },
    get(apiVersion, kind, namespace, name) {
      const s = store.get(storeKey(need(apiVersion, kind), namespace, name));
      return s ? clone(s.object) : undefined;
    },
    list(apiVersion, kind) {
      const prefix = `${typeKeyOf(need(apiVersion, kind))}/`;
      return [...store].filter(([k]) => k.startsWith(prefix)).map(([, s]) => clone(s.object));
    },
    update(object, manager = 'kubectl-edit') {
      const t = need(object.apiVersion, object.kind);
      const ns = object.metadata.namespace ?? 'default';
      const exists = store.has(storeKey(t, ns, object.metadata.name));
      const r = applyUpdate(t, ns, object, manager, { create: !exists, precondition: object.metadata.resourceVersion });
      if (r.error) throw new Error(r.error.message);
      return r.object!;
    },
    setStatus(apiVersion, kind, namespace, name, status) {
      const r = writeStatus(need(apiVersion, kind), namespace, name, status);
      if (r.error) throw new Error(r.error.message);
    },
    remove(apiVersion, kind, namespace, name) {
      const t = need(apiVersion, kind);
      const s = store.get(storeKey(t, namespace, name));
      if (!s) return;
      store.delete(storeKey(t, namespace, name));
      const gone = clone(s.object);
      gone.metadata.resourceVersion = String(++rv);
      emit('DELETED', t, gone);
    },
    close: () =>
      new Promise<void>((r) => {
        for (const w of watchers) w.res.end();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const ajv = createAjv({ useDefaults: true });
const compiled = new Map<string, ValidateFunction>();
/** CRD schemas compiled once per process (servers in one test file share them). */
function compileCached(schema: object): ValidateFunction {
  const key = canonicalJson(schema);
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = ajv.compile(schema)));
  return v;
}

type Selector = (labels: Record<string, string>) => boolean;

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated (AND). */
function parseSelector(text: string | null): Selector {
  if (!text) return () => true;
  const tests = text.split(',').map((part): Selector => {
    const s = part.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^!=]+)!=(.*)$/.exec(s))) return (l) => l[m![1]] !== m![2];
    if ((m = /^([^!=]+)==?(.*)$/.exec(s))) return (l) => l[m![1]] === m![2];
    if (s.startsWith('!')) return (l) => !(s.slice(1) in l);
    return (l) => s in l;
  });
  return (labels) => tests.every((f) => f(labels));
}

interface StatusError {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details: Record<string, unknown>;
  code: number;
}

function statusError(code: number, reason: string, message: string, details: Record<string, unknown>): StatusError {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

function notFound(t: ResourceType | undefined, name: string): StatusError {
  return statusError(404, 'NotFound', t ? `${t.plural}.${t.group || 'core'} "${name}" not found` : `the server could not find the requested resource (${name})`, t ? { name, kind: t.plural } : {});
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function parseBody(body: string, contentType: string | undefined): KubeObj | undefined {
  try {
    const v = String(contentType ?? '').includes('yaml') ? parseYaml(body) : JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function managerFromAgent(req: IncomingMessage): string {
  return String(req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
}

const SERVER_META = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp'];
function stripServerFields(o: KubeObj): KubeObj {
  o.metadata = { ...(o.metadata ?? {}) } as KubeObj['metadata'];
  for (const f of SERVER_META) delete o.metadata[f];
  return o;
}

/** Leaf field pointers an object sets: metadata labels and annotations, and everything outside metadata and status. Arrays are atomic. */
function fieldSet(o: KubeObj): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string[]) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
      for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    } else out.add(toPointer(path));
  };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata') {
      for (const m of ['labels', 'annotations']) for (const [lk, lv] of Object.entries((v as any)?.[m] ?? {})) walk(lv, ['metadata', m, lk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

function changedFields(before: KubeObj, after: KubeObj): Set<string> {
  const a = fieldSet(before);
  const b = fieldSet(after);
  const out = new Set<string>();
  for (const f of new Set([...a, ...b])) if (canonicalJson(getAt(before, f) ?? null) !== canonicalJson(getAt(after, f) ?? null)) out.add(f);
  return out;
}

function getAt(o: unknown, pointer: string): unknown {
  let cur: any = o;
  for (const s of pointerSegments(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[s];
  }
  return cur;
}

function setAt(o: any, pointer: string, value: unknown): void {
  const segs = pointerSegments(pointer);
  let cur = o;
  for (const s of segs.slice(0, -1)) {
    if (cur[s] === null || typeof cur[s] !== 'object' || Array.isArray(cur[s])) cur[s] = {};
    cur = cur[s];
  }
  cur[segs[segs.length - 1]] = value;
}

/** Removes a field and any parent objects it leaves empty. */
function deleteAt(o: any, pointer: string): void {
  const segs = pointerSegments(pointer);
  const chain: any[] = [o];
  for (const s of segs.slice(0, -1)) {
    const next = chain[chain.length - 1]?.[s];
    if (next === null || typeof next !== 'object') return;
    chain.push(next);
  }
  delete chain[chain.length - 1][segs[segs.length - 1]];
  for (let i = chain.length - 1; i > 0; i--) {
    if (Object.keys(chain[i]).length) break;
    delete chain[i - 1][segs[i - 1]];
  }
}

function pointerToPath(pointer: string): string {
  return '.' + pointerSegments(pointer).join('.');
}

/** FieldsV1: `{"f:spec":{"f:timeout":{}}}` for the pointer `/spec/timeout`. */
function toFieldsV1(fields: Set<string>): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const f of [...fields].sort()) {
    let cur = root;
    for (const s of pointerSegments(f)) cur = cur[`f:${s}`] ??= {};
  }
  return root;
}

function managedFields(owners: Stored['owners'], apiVersion: string): unknown[] {
  return [...owners].map(([manager, e]) => ({ manager, operation: e.operation, apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(e.fields) }));
}

function cloneOwners(owners: Stored['owners']): Stored['owners'] {
  return new Map([...owners].map(([m, e]) => [m, { operation: e.operation, fields: new Set(e.fields), time: e.time }]));
}

function mergePatch(target: any, patch: any): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Run directly (`node --import tsx test/support/kube-apiserver.ts`): serves Weft's CRDs, prints `listening on URL`. */
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const { generateCrds } = await import('../../controller/crd.js');
  const server = await startKubeApiServer({ crds: generateCrds() as KubeObj[] });
  // WEFT_KUBE_SEED: a JSON file holding an array of objects to store before serving (benchmarks).
  if (process.env.WEFT_KUBE_SEED) {
    const { readFileSync } = await import('node:fs');
    for (const o of JSON.parse(readFileSync(process.env.WEFT_KUBE_SEED, 'utf8')) as KubeObj[]) server.update(o, 'weft-controller');
  }
  process.stdout.write(`listening on ${server.url}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
