import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { listYamlFiles, loadText, type LoadedResource } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../model/diagnostic.js';
import { resourceKey } from '../model/types.js';
import { compileRegistry } from '../run/compile.js';
import type { Logger } from './log.js';

/** Checks a whole registry; returns its diagnostics (errors decide which files are accepted). */
export type RegistryValidator = (registry: DefinitionRegistry) => Diagnostic[];

/**
 * What happened to one file in a reload: `loaded` (its current text is serving), `kept-previous`
 * (it has errors; the resources of its last good version are serving), `rejected` (it has
 * errors and never loaded cleanly; nothing of it is serving) or `removed` (deleted).
 */
export type FileState = 'loaded' | 'kept-previous' | 'rejected' | 'removed';

export interface FileStatus {
  file: string;
  state: FileState;
  errors: number;
  warnings: number;
}

/** The outcome of the last reload, as `/readyz` and `GET /api/v1/definitions/status` show it. */
export interface ReloadStatus {
  /** 1 for the first load, +1 per reload. */
  generation: number;
  /** ISO time the reload finished. */
  at: string;
  durationMs: number;
  /** True when every file's current text is serving. */
  ok: boolean;
  workflows: number;
  tasks: number;
  files: FileStatus[];
  /** Errors and warnings of the files as they are on disk. */
  diagnostics: Diagnostic[];
}

export interface DefinitionSourceOptions {
  /** Checks the candidate registry; defaults to the duplicate check of the registry alone. */
  validate?: RegistryValidator;
  /** Receives each accepted registry (e.g. `(r) => engine.load(r)`) before it becomes `registry`. */
  apply?: (registry: DefinitionRegistry) => void;
  /** File names in diagnostics are relative to this directory (default: the working directory). */
  cwd?: string;
  /** Structured log lines (reloads, diagnostics). */
  log?: Logger;
  /** Quiet time after the last file event before reloading (default 100 ms). */
  debounceMs?: number;
}

interface FileEntry {
  /** The resources of the file's last version that was accepted. */
  good?: LoadedResource[];
}

/**
 * The definitions a server serves: loaded from directories, validated as a whole, reloaded when
 * their files change. A file that stops loading or validating keeps serving its last good
 * resources; its diagnostics are logged and kept in `status`.
 * @example
 * const source = new DefinitionSource(['fixtures/examples'], { validate: validateRegistry, apply: (r) => { engine.load(r); } });
 * await source.reload();
 * const stop = await source.watch();
 */
export class DefinitionSource {
  private readonly files = new Map<string, FileEntry>();
  private current: DefinitionRegistry | undefined;
  private last: ReloadStatus | undefined;
  private generation = 0;
  private running: Promise<ReloadStatus> | undefined;
  private pending = false;
  private readonly listeners = new Set<(status: ReloadStatus) => void>();

  constructor(
    readonly paths: readonly string[],
    private readonly options: DefinitionSourceOptions = {},
  ) {}

  /** The registry serving now; undefined until the first reload finished. */
  get registry(): DefinitionRegistry | undefined {
    return this.current;
  }

  /** The last reload's outcome; undefined until the first reload finished. */
  get status(): ReloadStatus | undefined {
    return this.last;
  }

  /** Calls `listener` after every reload; returns a function that removes it. */
  onReload(listener: (status: ReloadStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Loads every file again and swaps in the new registry. Calls made while a reload runs are
   * folded into one more reload after it.
   */
  reload(): Promise<ReloadStatus> {
    if (this.running) {
      this.pending = true;
      return this.running;
    }
    this.running = this.reloadOnce().finally(() => {
      this.running = undefined;
      if (this.pending) {
        this.pending = false;
        void this.reload();
      }
    });
    return this.running;
  }

  private async reloadOnce(): Promise<ReloadStatus> {
    const started = performance.now();
    const cwd = this.options.cwd ?? process.cwd();
    const diagnostics: Diagnostic[] = [];
    let paths: string[] = [];
    const roots = await existing(this.paths, diagnostics);
    try {
      paths = await listYamlFiles(roots);
    } catch (err) {
      diagnostics.push({ code: 'WF_LOAD_PATH', severity: 'error', message: `Cannot list definitions: ${(err as Error).message}`, hint: 'Check the --definitions directories.' });
    }
    const display = new Map<string, string>();
    const fresh = new Map<string, LoadedResource[]>();
    const broken = new Set<string>();
    // A definitions path that vanished (an unmounted volume, a checkout in progress) is an error,
    // not a deletion: the files that were under it keep serving their last good resources.
    const missing = this.paths.filter((p) => !roots.includes(p));
    if (missing.length) {
      const listed = new Set(paths);
      for (const p of this.files.keys()) {
        if (!listed.has(p) && missing.some((root) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep))) {
          paths.push(p);
          display.set(displayName(p, cwd), p);
          broken.add(p);
        }
      }
    }
    await Promise.all(
      paths.map(async (path) => {
        if (broken.has(path)) return;
        const name = displayName(path, cwd);
        display.set(name, path);
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (err) {
          diagnostics.push({ code: 'WF_LOAD_PATH', severity: 'error', message: `Cannot read ${name}: ${(err as Error).message}`, file: name });
          broken.add(path);
          return;
        }
        if (text.trim() === '' && this.files.get(path)?.good?.length) {
          // Most likely caught between truncate and write; deleting the file is how definitions go away.
          diagnostics.push({ code: 'WF_LOAD_EMPTY_FILE', severity: 'warning', message: `${name} is empty; its previous definitions keep serving`, hint: 'Delete the file to remove its definitions.', file: name, line: 1, column: 1 });
          broken.add(path);
          return;
        }
        const loaded = loadText(text, name);
        diagnostics.push(...loaded.diagnostics);
        if (loaded.diagnostics.some((d) => d.severity === 'error')) broken.add(path);
        fresh.set(path, loaded.resources);
      }),
    );
    // Candidate resources per file: the fresh ones, or the last good ones for a broken file.
    const useFresh = new Set(paths.filter((p) => !broken.has(p)));
    const candidate = (p: string) => (useFresh.has(p) ? fresh.get(p)! : this.files.get(p)?.good ?? []);
    const owner = new Map<string, string>();
    const fileOf = (d: Diagnostic) => (d.file && display.get(d.file)) || (d.resource && owner.get(d.resource)) || undefined;
    let registry!: DefinitionRegistry;
    let checked: Diagnostic[] = [];
    const rejectedFindings: Diagnostic[] = [];
    // Each round drops at least one more file to its previous version, so this ends.
    for (let round = 0; round <= paths.length; round++) {
      owner.clear();
      for (const p of paths) for (const l of candidate(p)) owner.set(resourceKey(l.resource), p);
      registry = new DefinitionRegistry(paths.flatMap(candidate));
      checked = [...registry.diagnostics, ...(this.options.validate?.(registry) ?? [])];
      const failing = new Set<string>();
      for (const d of checked) {
        if (d.severity !== 'error') continue;
        const p = fileOf(d);
        if (p && useFresh.has(p)) failing.add(p);
      }
      if (failing.size === 0) break;
      // Keep what the failing files' fresh text was found to have; the next round checks without it.
      for (const d of checked) if (failing.has(fileOf(d) ?? '')) rejectedFindings.push(d);
      for (const p of failing) useFresh.delete(p);
    }
    checked.push(...rejectedFindings);
    this.options.apply?.(registry);

    // Diagnostics of the files as written: load diagnostics plus what the check found in fresh files.
    const seen = new Set(diagnostics.map(formatDiagnostic));
    for (const d of checked) {
      const key = formatDiagnostic(d);
      if (!seen.has(key)) {
        seen.add(key);
        diagnostics.push(d);
      }
    }
    const files: FileStatus[] = [];
    for (const p of paths) {
      const name = displayName(p, cwd);
      const mine = diagnostics.filter((d) => d.file === name || (!d.file && fileOf(d) === p));
      const errors = mine.filter((d) => d.severity === 'error').length;
      let state: FileState;
      if (useFresh.has(p)) {
        state = 'loaded';
        this.files.set(p, { good: fresh.get(p) });
      } else {
        state = this.files.get(p)?.good ? 'kept-previous' : 'rejected';
      }
      files.push({ file: name, state, errors, warnings: mine.filter((d) => d.severity === 'warning').length });
    }
    const present = new Set(paths);
    for (const p of [...this.files.keys()]) {
      if (!present.has(p)) {
        this.files.delete(p);
        if (this.last) files.push({ file: displayName(p, cwd), state: 'removed', errors: 0, warnings: 0 });
      }
    }
    this.current = registry;
    const status: ReloadStatus = {
      generation: ++this.generation,
      at: new Date().toISOString(),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      ok: files.every((f) => f.state === 'loaded' || f.state === 'removed') && !diagnostics.some((d) => d.severity === 'error'),
      workflows: registry.workflows.size,
      tasks: registry.tasks.size,
      files,
      diagnostics: sortDiagnostics(diagnostics.filter((d) => d.severity !== 'info')),
    };
    this.last = status;
    this.logStatus(status);
    for (const l of this.listeners) l(status);
    return status;
  }

  private logStatus(status: ReloadStatus): void {
    const log = this.options.log;
    if (!log) return;
    for (const d of status.diagnostics) {
      log({ level: d.severity === 'error' ? 'error' : 'warn', msg: 'definition diagnostic', code: d.code, diagnostic: formatDiagnostic(d) });
    }
    log({
      level: status.ok ? 'info' : 'warn',
      msg: 'definitions loaded',
      generation: status.generation,
      workflows: status.workflows,
      tasks: status.tasks,
      files: status.files.length,
      ...listed('keptPrevious', status.files.filter((f) => f.state === 'kept-previous')),
      ...listed('rejected', status.files.filter((f) => f.state === 'rejected')),
      durationMs: status.durationMs,
    });
  }

  /**
   * Reloads when a file under the definition paths changes (debounced). Directories are watched
   * recursively where the platform supports it, otherwise each directory on its own.
   * Resolves, once the watchers are set up, to a function that stops watching.
   */
  async watch(): Promise<() => void> {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const debounce = this.options.debounceMs ?? 100;
    const schedule = () => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload(), debounce);
    };
    const add = (path: string, recursive: boolean) => {
      try {
        const w = watch(path, { recursive, persistent: false }, schedule);
        w.on('error', () => schedule());
        watchers.push(w);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM' && recursive) return false;
        this.options.log?.({ level: 'warn', msg: 'cannot watch definitions', path, error: (err as Error).message });
        return true;
      }
    };
    for (const p of this.paths) {
      const s = await stat(p).catch(() => undefined);
      if (!s) continue;
      if (!s.isDirectory() || add(p, true)) continue;
      for (const dir of await listDirectories(p)) add(dir, false);
    }
    return () => {
      stopped = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    };
  }
}

/** `{ [key]: file names }`, or nothing when there are none. */
function listed(key: string, files: FileStatus[]): Record<string, string[]> {
  return files.length ? { [key]: files.map((f) => f.file) } : {};
}

/** The paths that exist; a missing one becomes an error diagnostic. */
async function existing(paths: readonly string[], diagnostics: Diagnostic[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (await stat(p).catch(() => undefined)) out.push(p);
    else diagnostics.push({ code: 'WF_LOAD_PATH', severity: 'error', message: `Definitions path '${p}' does not exist`, hint: 'Pass an existing directory with --definitions.' });
  }
  return out;
}

async function listDirectories(root: string): Promise<string[]> {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    const entries = await readdir(out[i], { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') out.push(`${out[i]}/${e.name}`);
  }
  return out;
}

function displayName(path: string, cwd: string): string {
  const name = relative(cwd, path) || path;
  return name.startsWith('..') ? path : name;
}

/**
 * Turns the definitions the engine could not compile into diagnostics at their file positions.
 * @example compileDiagnostics(registry) // [] when every task and workflow compiles
 */
export function compileDiagnostics(registry: DefinitionRegistry): Diagnostic[] {
  const { errors } = compileRegistry(registry, { origins: new Map(), defaultTimeoutMs: 30_000 });
  return errors.map((e) => {
    const [kind, ...rest] = e.resource.split('/');
    const qualified = rest.join('/');
    const resource = kind === 'WorkflowTask' ? registry.tasks.get(qualified) : registry.workflows.get(qualified);
    return {
      code: e.code,
      severity: 'error' as const,
      message: e.message,
      hint: e.hint,
      ...(resource ? resource.source.locate(e.pointer) : {}),
      pointer: e.pointer,
      resource: e.resource,
    };
  });
}
