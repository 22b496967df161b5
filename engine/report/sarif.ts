import { createHash } from 'node:crypto';
import type { Diagnostic, Severity } from '../model/diagnostic.js';
import { VALIDATION_CODES } from '../validate/codes.js';
import { rankDiagnostics } from './github.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  toolVersion?: string;
  /** Descriptions of codes beyond the validator's (which are always known). */
  rules?: Record<string, string>;
}

/** The subset of SARIF 2.1.0 Weft writes. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version?: string; rules: Array<{ id: string; name: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }> } };
    results: Array<Record<string, unknown>>;
    invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<Record<string, unknown>> }>;
    columnKind: 'utf16CodeUnits';
  }>;
}

/**
 * Diagnostics as a SARIF 2.1.0 log for GitHub code scanning: one rule per code, one result per
 * diagnostic with a file (path relative to the repository root, `%SRCROOT%`), a region and a
 * stable partial fingerprint (code, resource, JSON pointer: it survives lines moving). A
 * diagnostic without a file becomes a tool execution notification, since a result needs a location.
 * @example writeFileSync('weft.sarif', JSON.stringify(toSarif(diagnostics, { toolVersion: '0.1.0' })))
 */
export function toSarif(list: readonly Diagnostic[], options: SarifOptions = {}): SarifLog {
  const ranked = rankDiagnostics(list);
  const descriptions: Record<string, string> = { ...VALIDATION_CODES, ...options.rules };
  const ruleIndex = new Map<string, number>();
  const rules: SarifLog['runs'][0]['tool']['driver']['rules'] = [];
  for (const d of ranked) {
    if (ruleIndex.has(d.code)) continue;
    ruleIndex.set(d.code, rules.length);
    rules.push({ id: d.code, name: ruleName(d.code), shortDescription: { text: descriptions[d.code] ?? d.code }, defaultConfiguration: { level: LEVEL[d.severity] } });
  }
  const results: Array<Record<string, unknown>> = [];
  const notifications: Array<Record<string, unknown>> = [];
  for (const d of ranked) {
    const text = d.hint ? `${d.message}\n${d.hint}` : d.message;
    if (!d.file) {
      notifications.push({ level: LEVEL[d.severity], message: { text }, descriptor: { id: d.code } });
      continue;
    }
    results.push({
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code),
      level: LEVEL[d.severity],
      message: { text },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: d.file.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
            region: { startLine: d.line ?? 1, startColumn: d.column ?? 1 },
          },
        },
      ],
      partialFingerprints: { 'weftDiagnostic/v1': fingerprint(d) },
    });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'weft', ...(options.toolVersion ? { version: options.toolVersion } : {}), rules } },
        results,
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

/** The SARIF log as indented JSON text, for `--format sarif`. */
export function formatSarif(list: readonly Diagnostic[]): string {
  return JSON.stringify(toSarif(list), null, 2) + '\n';
}

/** `WF_STEP_UNKNOWN_TASK` → `StepUnknownTask`. */
function ruleName(code: string): string {
  return code
    .replace(/^WF_/, '')
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function fingerprint(d: Diagnostic): string {
  return createHash('sha256').update(`${d.code}\u0000${d.file}\u0000${d.resource ?? ''}\u0000${d.pointer ?? `${d.line}:${d.column}`}`).digest('hex').slice(0, 32);
}
