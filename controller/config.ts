import { readFile } from 'node:fs/promises';
import { parseYaml } from '../engine/load/yaml.js';
import { DiagnosticError, type Diagnostic } from '../engine/model/diagnostic.js';
import { parseDuration } from '../engine/model/duration.js';
import type { AlertReceiver } from './alerts/alerts.js';
import { isPlainObject, type IgnoreRule, type SyncPolicy } from './model.js';
import type { GitSourceSpec } from './source/git.js';

/** A synced application, in the shape of Argo CD's Application (the roadmap's Stage 24 example). */
export interface ApplicationConfig {
  name: string;
  source: GitSourceSpec;
  destination: { namespace?: string; engine?: { definitionsDir: string } };
  syncPolicy: SyncPolicy;
  ignoreDifferences: IgnoreRule[];
  /** Poll interval in ms (`spec.pollInterval`, default 60 s). */
  pollInterval: number;
  alerts: AlertReceiver[];
}

const API_VERSIONS = ['workflow.io/v1', 'argoproj.io/v1alpha1'];

/**
 * Reads an Application file. `${ENV}` placeholders in alert URLs and headers are filled from the
 * environment so webhook tokens stay out of Git. Errors name the file, line and field.
 * @example const app = await loadApplication('application.yaml');
 */
export async function loadApplication(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ApplicationConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DiagnosticError([{ code: 'WF_SYNC_CONFIG', severity: 'error', message: `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code}`, hint: 'Pass --config with an Application file.' }]);
  }
  return parseApplication(text, file, env);
}

/** Parses an Application document (see `loadApplication`). */
export function parseApplication(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ApplicationConfig {
  const parsed = parseYaml(text, file);
  const doc = parsed.documents[0];
  const problems: Diagnostic[] = [...parsed.diagnostics];
  const fail = (pointer: string, message: string, hint: string) => problems.push({ code: 'WF_SYNC_CONFIG', severity: 'error', message, hint, pointer, ...(doc ? doc.locate(pointer) : { file }) });
  if (!doc || !isPlainObject(doc.value)) {
    if (!problems.length) fail('', `${file} holds no Application`, 'Write an Application: apiVersion workflow.io/v1, kind Application, metadata.name, spec.source.');
    throw new DiagnosticError(problems);
  }
  const v = doc.value as Record<string, any>;
  if (!API_VERSIONS.includes(v.apiVersion) || v.kind !== 'Application') fail('/kind', `Expected kind Application (${API_VERSIONS.join(' or ')}), found ${v.kind ?? 'none'} ${v.apiVersion ?? ''}`.trim(), 'Use the Application shape of controller/README.md.');
  const name = v.metadata?.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) fail('/metadata/name', 'metadata.name must be a lowercase DNS label', 'Name the application, e.g. workflows.');
  const spec: Record<string, any> = isPlainObject(v.spec) ? v.spec : {};
  const source: Record<string, any> = isPlainObject(spec.source) ? spec.source : {};
  if (typeof source.repoURL !== 'string' || !source.repoURL) fail('/spec/source/repoURL', 'spec.source.repoURL is required', 'Set it to the Git repository URL or a local path.');
  for (const f of ['targetRevision', 'path']) if (source[f] !== undefined && typeof source[f] !== 'string') fail(`/spec/source/${f}`, `spec.source.${f} must be a string`, 'Quote it if it looks like a number.');
  const automated = spec.syncPolicy?.automated;
  if (automated !== undefined && automated !== null && !isPlainObject(automated)) fail('/spec/syncPolicy/automated', 'syncPolicy.automated must be an object', 'Write automated: {prune: true, selfHeal: true}.');
  for (const f of ['prune', 'selfHeal', 'allowEmpty']) if (isPlainObject(automated) && automated[f] !== undefined && typeof automated[f] !== 'boolean') fail(`/spec/syncPolicy/automated/${f}`, `syncPolicy.automated.${f} must be true or false`, 'Use a boolean.');
  const ignore = Array.isArray(spec.ignoreDifferences) ? spec.ignoreDifferences : [];
  ignore.forEach((r: any, i: number) => {
    if (!isPlainObject(r) || !Array.isArray(r.jsonPointers) || !r.jsonPointers.every((p: unknown) => typeof p === 'string' && (p === '' || p.startsWith('/')))) {
      fail(`/spec/ignoreDifferences/${i}`, 'An ignore rule needs jsonPointers: a list of JSON pointers starting with /', 'e.g. {kind: Workflow, jsonPointers: [/spec/timeout]}');
    }
  });
  const interval = spec.pollInterval === undefined ? 60_000 : parseDuration(spec.pollInterval);
  if (interval === undefined || interval < 1000) fail('/spec/pollInterval', 'spec.pollInterval must be a duration of at least 1s', 'e.g. pollInterval: 60s');
  const alerts = Array.isArray(spec.alerts) ? spec.alerts : [];
  alerts.forEach((a: any, i: number) => {
    if (!isPlainObject(a) || !['webhook', 'slack'].includes(String(a.type)) || typeof a.url !== 'string') fail(`/spec/alerts/${i}`, 'An alert receiver needs type (webhook or slack) and url', 'e.g. {type: slack, url: "${SLACK_WEBHOOK}"}');
  });
  if (problems.length) throw new DiagnosticError(problems);
  const fill = (s: string, pointer: string) =>
    s.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
      if (env[name] === undefined) fail(pointer, `Environment variable ${name} is not set`, `Export ${name} for the controller (e.g. from a Secret).`);
      return env[name] ?? '';
    });
  const receivers: AlertReceiver[] = alerts.map((a: any, i: number) => ({
    type: a.type,
    ...(a.name ? { name: String(a.name) } : {}),
    url: fill(a.url, `/spec/alerts/${i}/url`),
    ...(Array.isArray(a.types) ? { types: a.types } : {}),
    ...(isPlainObject(a.headers) ? { headers: Object.fromEntries(Object.entries(a.headers).map(([k, h]) => [k, fill(String(h), `/spec/alerts/${i}/headers/${k}`)])) } : {}),
  }));
  if (problems.length) throw new DiagnosticError(problems);
  const destination: Record<string, any> = isPlainObject(spec.destination) ? spec.destination : {};
  return {
    name,
    source: { repoURL: source.repoURL, ...(source.targetRevision ? { targetRevision: source.targetRevision } : {}), ...(source.path ? { path: source.path } : {}) },
    destination: {
      ...(typeof destination.namespace === 'string' ? { namespace: destination.namespace } : {}),
      ...(isPlainObject(destination.engine) && typeof destination.engine.definitionsDir === 'string' ? { engine: { definitionsDir: destination.engine.definitionsDir } } : {}),
    },
    syncPolicy: {
      ...(isPlainObject(automated) ? { automated: { prune: automated.prune === true, selfHeal: automated.selfHeal === true, allowEmpty: automated.allowEmpty === true } } : {}),
      ...(typeof spec.syncPolicy?.force === 'boolean' ? { force: spec.syncPolicy.force } : {}),
    },
    ignoreDifferences: ignore.map((r: any) => ({ ...(r.group !== undefined ? { group: r.group } : {}), ...(r.kind ? { kind: r.kind } : {}), ...(r.name ? { name: r.name } : {}), ...(r.namespace ? { namespace: r.namespace } : {}), jsonPointers: r.jsonPointers })),
    pollInterval: interval!,
    alerts: receivers,
  };
}
