import type { StepSpec } from '../model/types.js';
import { parseTemplate, type TemplatePath } from '../template/parse.js';
import { toPointer } from '../load/yaml.js';

/** A template path found in a step, with the pointer (relative to the step) of the string that holds it. */
export interface StepReference {
  path: TemplatePath;
  pointer: string;
  hasFallback: boolean;
  /** The string that holds the reference, for column arithmetic. */
  text: string;
}

/**
 * Every template path in a step: input, condition, switch value and case inputs, forEach items,
 * and (for inline nested steps) their own references. Unparseable strings are skipped here; the
 * validator reports them.
 */
export function stepReferences(step: StepSpec, options: { nested?: boolean } = {}): StepReference[] {
  const out: StepReference[] = [];
  const visit = (v: unknown, at: string[]): void => {
    if (typeof v === 'string') {
      try {
        const parsed = parseTemplate(v);
        for (const p of parsed.parts) {
          if (typeof p === 'string') continue;
          p.operands.forEach((o, i) => {
            if (o.kind === 'path') out.push({ path: o, pointer: toPointer(at), hasFallback: i < p.operands.length - 1, text: v });
          });
        }
      } catch {
        // A TemplateSyntaxError, the only thing parseTemplate throws: the validator reports it.
      }
      return;
    }
    // Arrays too: their entries are keyed '0', '1', … which is how a pointer writes them.
    if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) visit(x, [...at, k]);
  };
  for (const key of ['input', 'condition', 'switch', 'forEach'] as const) visit(step[key], [key]);
  if (options.nested !== false) visit(step.tasks, ['tasks']);
  return out;
}

/** Step ids a step reads through `tasks.<id>` templates. */
export function referencedSteps(step: StepSpec): string[] {
  const ids = new Set<string>();
  for (const r of stepReferences(step)) {
    if (r.path.root === 'tasks' && r.path.segments.length > 0) ids.add(String(r.path.segments[0]));
  }
  return [...ids];
}
